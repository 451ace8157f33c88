//! Calendar helpers: the accepted range of dates, months and month ends. "Today" is not here:
//! it comes from [`crate::clock::Clock`], in the city's time zone.

use chrono::{Datelike, Months, NaiveDate};

/// The earliest date the service accepts.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};
/// The latest date the service accepts.
pub const LATEST: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MAX,
};

/// A date between [`EARLIEST`] and [`LATEST`]: anything else is a typo, and would let one
/// request ask for a series of thousands of years.
pub fn plausible(date: NaiveDate) -> Result<NaiveDate, String> {
    if (EARLIEST..=LATEST).contains(&date) {
        Ok(date)
    } else {
        Err(format!("must be between {EARLIEST} and {LATEST}"))
    }
}

/// `date` plus `months`, clamped to the month's end (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// The last day of `date`'s month.
pub fn month_end(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    add_months(first, 1)
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

/// One date per month from `start`'s month to `end`'s month: each month's last day, except the
/// last, which is `end` itself. Empty when `end` is before `start`.
pub fn month_ends(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut points = Vec::new();
    if end < start {
        return points;
    }
    let mut cursor = month_end(start);
    while cursor < end {
        points.push(cursor);
        let Some(next) = add_months(cursor.with_day(1).unwrap_or(cursor), 1) else {
            break;
        };
        cursor = month_end(next);
    }
    points.push(end);
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn only_plausible_dates_pass() {
        assert!(plausible(d("2026-06-01")).is_ok());
        assert!(plausible(d("1899-12-31")).is_err());
        assert!(plausible(d("2101-01-01")).is_err());
    }

    #[test]
    fn adding_months_clamps_to_the_month_end() {
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2025-01-31"), 1), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2025-03-15"), 24), Some(d("2027-03-15")));
    }

    #[test]
    fn month_ends_run_from_the_start_month_to_the_end_date() {
        assert_eq!(
            month_ends(d("2026-01-15"), d("2026-03-10")),
            [d("2026-01-31"), d("2026-02-28"), d("2026-03-10")]
        );
        assert_eq!(
            month_ends(d("2026-01-15"), d("2026-01-31")),
            [d("2026-01-31")]
        );
        assert_eq!(
            month_ends(d("2026-01-15"), d("2026-01-20")),
            [d("2026-01-20")]
        );
        assert!(month_ends(d("2026-02-01"), d("2026-01-31")).is_empty());
        assert_eq!(month_ends(d("2021-01-01"), d("2025-12-31")).len(), 60);
    }
}
