//! The call metrics: the grouped counts, every period filled in, the rates computed.

use chrono::{Datelike, Days, Months, NaiveDate};
use diesel_async::AsyncPgConnection;

use crate::clock::CityDay;
use crate::error::AppError;

use super::model::{self, OutcomeRow, PeriodRow};
use super::payloads::{
    BeforeAfter, CallMetrics, Interval, OutcomeGroup, OutcomeMetrics, PeriodCounts, RepeatMetrics,
};

/// The first day of the period of `interval` that holds `day`.
pub fn period_start(day: NaiveDate, interval: Interval) -> NaiveDate {
    let month0 = day.month0() - day.month0() % interval.months();
    NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
}

/// Every period start from `from`'s period to `to`'s.
fn periods(from: NaiveDate, to: NaiveDate, interval: Interval) -> Vec<NaiveDate> {
    let mut starts = Vec::new();
    let mut start = period_start(from, interval);
    while start <= to {
        starts.push(start);
        match start.checked_add_months(Months::new(interval.months())) {
            Some(next) => start = next,
            None => break,
        }
    }
    starts
}

fn counts(row: PeriodRow) -> PeriodCounts {
    PeriodCounts {
        period: row.period,
        calls: row.calls,
        mental_health_calls: row.mental_health_calls,
        cit_on_scene: row.cit_on_scene,
        arrests: row.arrests,
        uses_of_force: row.uses_of_force,
        injuries: row.injuries,
        er_transports: row.er_transports,
        involuntary_petitions: row.involuntary_petitions,
        referrals: row.referrals,
    }
}

/// Calls per period over the days `from`..=`to` (city days), every period listed.
pub async fn calls(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
    interval: Interval,
    time_zone: &str,
) -> Result<CallMetrics, AppError> {
    let mut found = model::per_period(conn, from, to, interval.unit())
        .await?
        .into_iter()
        .map(counts)
        .peekable();
    let mut periods_out = Vec::new();
    let mut total = PeriodCounts {
        period: from,
        ..PeriodCounts::default()
    };
    for start in periods(from, to, interval) {
        let period = match found.next_if(|row| row.period == start) {
            Some(row) => row,
            None => PeriodCounts {
                period: start,
                ..PeriodCounts::default()
            },
        };
        total.calls += period.calls;
        total.mental_health_calls += period.mental_health_calls;
        total.cit_on_scene += period.cit_on_scene;
        total.arrests += period.arrests;
        total.uses_of_force += period.uses_of_force;
        total.injuries += period.injuries;
        total.er_transports += period.er_transports;
        total.involuntary_petitions += period.involuntary_petitions;
        total.referrals += period.referrals;
        periods_out.push(period);
    }
    Ok(CallMetrics {
        from,
        to,
        interval,
        time_zone: time_zone.to_owned(),
        periods: periods_out,
        total,
    })
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        #[allow(clippy::cast_precision_loss)] // counts of calls are far below 2^52
        let share = part as f64 / whole as f64;
        share
    }
}

fn group(name: &str, row: Option<&OutcomeRow>) -> OutcomeGroup {
    let Some(row) = row else {
        return OutcomeGroup {
            group: name.to_owned(),
            ..OutcomeGroup::default()
        };
    };
    OutcomeGroup {
        group: name.to_owned(),
        calls: row.calls,
        arrests: row.arrests,
        uses_of_force: row.uses_of_force,
        subject_injuries: row.subject_injuries,
        officer_injuries: row.officer_injuries,
        er_transports: row.er_transports,
        involuntary_petitions: row.involuntary_petitions,
        arrest_rate: rate(row.arrests, row.calls),
        use_of_force_rate: rate(row.uses_of_force, row.calls),
        subject_injury_rate: rate(row.subject_injuries, row.calls),
        officer_injury_rate: rate(row.officer_injuries, row.calls),
        er_transport_rate: rate(row.er_transports, row.calls),
        involuntary_petition_rate: rate(row.involuntary_petitions, row.calls),
    }
}

/// Mental-health calls of the days `from`..=`to`, with a CIT responder vs without.
pub async fn outcomes(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<OutcomeMetrics, AppError> {
    let rows = model::outcomes(conn, from, to).await?;
    Ok(OutcomeMetrics {
        from,
        to,
        with_cit: group("with_cit", rows.iter().find(|r| r.cit_on_scene)),
        without_cit: group("without_cit", rows.iter().find(|r| !r.cit_on_scene)),
    })
}

/// Repeat calls over the `window_days` days up to `as_of`.
pub async fn repeats(
    conn: &mut AsyncPgConnection,
    day: CityDay,
    window_days: i64,
    threshold: i64,
) -> Result<RepeatMetrics, AppError> {
    let as_of = day.date;
    let after = as_of
        .checked_sub_days(Days::new(window_days.unsigned_abs()))
        .unwrap_or(NaiveDate::MIN);
    let row = model::repeats(conn, after, as_of, threshold, window_days, day.end()).await?;
    let mean = |calls: i64| {
        if row.engaged_subjects == 0 {
            0.0
        } else {
            calls as f64 / row.engaged_subjects as f64
        }
    };
    Ok(RepeatMetrics {
        as_of,
        window_days,
        threshold,
        subjects: row.subjects,
        repeat_subjects: row.repeat_subjects,
        repeat_share: rate(row.repeat_subjects, row.subjects),
        high_utilisers: row.high_utilisers,
        before_after: BeforeAfter {
            engaged_subjects: row.engaged_subjects,
            calls_before: row.calls_before,
            calls_after: row.calls_after,
            mean_calls_before: mean(row.calls_before),
            mean_calls_after: mean(row.calls_after),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_cover_the_range_from_its_first_periods_start() {
        assert_eq!(
            periods(day("2025-01-15"), day("2025-03-01"), Interval::Month),
            vec![day("2025-01-01"), day("2025-02-01"), day("2025-03-01")]
        );
        assert_eq!(
            periods(day("2025-05-15"), day("2025-12-31"), Interval::Quarter),
            vec![day("2025-04-01"), day("2025-07-01"), day("2025-10-01")]
        );
        assert_eq!(
            period_start(day("2025-12-31"), Interval::Year),
            day("2025-01-01")
        );
        assert!(periods(day("2025-02-01"), day("2025-01-01"), Interval::Month).is_empty());
    }
}
