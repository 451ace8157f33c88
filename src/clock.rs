//! The city's clock: the one source of "now" and "today" for the whole service.
//!
//! Every instant the service reasons about (token expiry, lockout windows, a revocation) comes
//! from [`Clock::now`], and every date derived from an instant ("today", the default `as_of`, the
//! day a certification was revoked, the day of a call) from [`Clock::date_of`], in the city's
//! time zone (`CIT_TIME_ZONE`). Neither the process's `TZ` nor PostgreSQL's session time zone
//! plays any part: SQL that needs a day takes the zone name as a bound parameter
//! ([`Clock::zone_name`]). Tests build a [`Clock::fixed`] one and move it with
//! [`Clock::advance`] instead of sleeping. The zone data is compiled into the binary
//! (`chrono-tz`), so a container without `/usr/share/zoneinfo` answers the same.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The zone used when `CIT_TIME_ZONE` is unset.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::America::Chicago;

/// Wall-clock time or a fixed, movable instant, read in the city's time zone.
#[derive(Debug, Clone)]
pub struct Clock {
    zone: Tz,
    /// Microseconds since the epoch, when the clock is fixed.
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock, read in `zone`.
    pub fn system(zone: Tz) -> Self {
        Self { zone, fixed: None }
    }

    /// A clock standing at `at` until moved with [`set`](Self::set) or
    /// [`advance`](Self::advance); clones share the instant.
    pub fn fixed(zone: Tz, at: DateTime<Utc>) -> Self {
        Self {
            zone,
            fixed: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(micros) => DateTime::from_timestamp_micros(micros.load(Ordering::SeqCst))
                .unwrap_or(DateTime::UNIX_EPOCH),
            #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
            None => Utc::now(),
        }
    }

    /// Moves a fixed clock to `at`; a system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(micros) = &self.fixed {
            micros.store(at.timestamp_micros(), Ordering::SeqCst);
        }
    }

    /// Moves a fixed clock forward by `by`; a system clock ignores it.
    pub fn advance(&self, by: chrono::Duration) {
        self.set(self.now() + by);
    }

    /// The city's calendar date now.
    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now())
    }

    /// Today as a [`CityDay`], for queries that judge instants against it.
    pub fn city_today(&self) -> CityDay {
        self.city_day(self.today())
    }

    /// `date` as a [`CityDay`] of this clock's zone.
    pub fn city_day(&self, date: NaiveDate) -> CityDay {
        CityDay {
            date,
            zone: self.zone,
        }
    }

    /// The city's calendar date at `instant`.
    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }

    /// The IANA name of the city's time zone, for SQL (`AT TIME ZONE $zone`).
    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    /// The city's time zone, for steps that take days of many instants at once.
    pub fn zone(&self) -> Tz {
        self.zone
    }
}

/// A calendar day in the city, with the zone that instants (a revocation, a call) are read in
/// to compare with it. Queries take this rather than a bare date, so none can forget the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityDay {
    /// The day.
    pub date: NaiveDate,
    /// The city's zone.
    pub zone: Tz,
}

impl CityDay {
    /// The city's date at `instant`.
    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }

    /// The zone's IANA name, bound as a parameter in SQL (`AT TIME ZONE $zone`).
    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    /// The day's first instant in the city (where midnight falls in a daylight-saving gap,
    /// the moment the clocks jump to).
    pub fn start(&self) -> DateTime<Utc> {
        use chrono::TimeZone;
        let midnight = self.date.and_time(chrono::NaiveTime::MIN);
        (0..=3)
            .find_map(|hours| {
                self.zone
                    .from_local_datetime(&(midnight + chrono::TimeDelta::hours(hours)))
                    .earliest()
            })
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The first instant after the day: the next day's start.
    pub fn end(&self) -> DateTime<Utc> {
        Self {
            date: self.date.succ_opt().unwrap_or(self.date),
            zone: self.zone,
        }
        .start()
    }
}

/// Parses an IANA time-zone name (`America/Chicago`).
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("unknown time zone {name:?}; use an IANA name such as America/Chicago")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_day_runs_from_its_local_midnight_to_the_next() {
        let day = |d: &str, zone: Tz| CityDay {
            date: d.parse().unwrap(),
            zone,
        };
        let chicago = chrono_tz::America::Chicago;
        assert_eq!(
            day("2026-01-15", chicago).start(),
            at("2026-01-15T06:00:00Z")
        );
        assert_eq!(day("2026-01-15", chicago).end(), at("2026-01-16T06:00:00Z"));
        // The spring-forward day is 23 hours long.
        assert_eq!(day("2026-03-08", chicago).end(), at("2026-03-09T05:00:00Z"));
        // Where midnight itself is skipped (Havana springs forward at 00:00), the day starts
        // at 01:00.
        let havana = chrono_tz::America::Havana;
        assert_eq!(
            day("2026-03-08", havana).start(),
            at("2026-03-08T05:00:00Z")
        );
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_date_is_the_citys_not_utcs() {
        // 23:30 in Chicago on 10 March is 04:30 UTC on 11 March (CDT, UTC-5).
        let clock = Clock::fixed(DEFAULT_TIME_ZONE, at("2026-03-11T04:30:00Z"));
        assert_eq!(clock.today(), "2026-03-10".parse::<NaiveDate>().unwrap());
        let tokyo = Clock::fixed(chrono_tz::Asia::Tokyo, at("2026-03-11T04:30:00Z"));
        assert_eq!(tokyo.today(), "2026-03-11".parse::<NaiveDate>().unwrap());
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::fixed(DEFAULT_TIME_ZONE, at("2026-01-01T12:00:00Z"));
        let shared = clock.clone();
        assert_eq!(clock.now(), at("2026-01-01T12:00:00Z"));
        shared.advance(chrono::Duration::minutes(31));
        assert_eq!(clock.now(), at("2026-01-01T12:31:00Z"));
    }

    #[test]
    fn zones_are_iana_names() {
        assert_eq!(parse_zone("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert!(parse_zone("Mars/Olympus_Mons").is_err());
        assert!(parse_zone("").is_err());
    }
}
