//! Progress toward a goal, as of any date, computed in memory from one load of the people and
//! their certifications (a five-year monthly series is 60 passes over a few thousand people).
//!
//! Definitions (API.md §3), on a day D:
//! - **population**: people employed on D (`hire_date <= D`, no `separation_date` or one after
//!   D) whose department and role are in the goal's lists (an empty list matches any), plus,
//!   when the goal includes designated staff, every employed person with `designated_staff`;
//! - **certified**: members of the population holding a certification of one of the goal's
//!   types valid on D (issued on or before D, not expired on D, not revoked on or before D);
//! - **needed** = max(0, ⌈target × population⌉ − certified).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::dates;
use crate::db::enums::{Department, PersonnelRole};
use crate::training::lifecycle::valid_on;

/// One certificate's validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Revocation date.
    pub revoked_on: Option<NaiveDate>,
}

/// A person as progress sees them.
#[derive(Debug, Clone)]
pub struct Member {
    /// Department.
    pub department: Department,
    /// Job.
    pub role: PersonnelRole,
    /// Shift.
    pub shift: Option<String>,
    /// First day employed.
    pub hire_date: NaiveDate,
    /// First day not employed.
    pub separation_date: Option<NaiveDate>,
    /// Designated staff.
    pub designated_staff: bool,
    /// Their certificates of the relevant types.
    pub certificates: Vec<Validity>,
}

impl Member {
    /// Employed on `day`.
    pub fn employed_on(&self, day: NaiveDate) -> bool {
        self.hire_date <= day && self.separation_date.is_none_or(|separated| separated > day)
    }

    /// Holds a valid certificate on `day`.
    pub fn certified_on(&self, day: NaiveDate) -> bool {
        self.certificates
            .iter()
            .any(|c| valid_on(c.issued_on, c.expires_on, c.revoked_on, day))
    }
}

/// Who a goal counts.
#[derive(Debug, Clone, Default)]
pub struct Population {
    /// Departments counted; empty = any.
    pub departments: Vec<Department>,
    /// Roles counted; empty = any.
    pub roles: Vec<PersonnelRole>,
    /// Whether designated staff count whatever their department and role.
    pub include_designated_staff: bool,
}

impl Population {
    /// Whether the person belongs (employment aside).
    pub fn includes(&self, member: &Member) -> bool {
        let department =
            self.departments.is_empty() || self.departments.contains(&member.department);
        let role = self.roles.is_empty() || self.roles.contains(&member.role);
        (department && role) || (self.include_designated_staff && member.designated_staff)
    }
}

/// A population and how many of it are certified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// People counted.
    pub population: u32,
    /// Of whom certified.
    pub certified: u32,
}

impl Tally {
    /// Counts one person on `day` (who must be in the population).
    fn add(&mut self, member: &Member, day: NaiveDate) {
        self.population += 1;
        if member.certified_on(day) {
            self.certified += 1;
        }
    }

    /// certified / population, 0 for an empty population.
    pub fn share(&self) -> f64 {
        if self.population == 0 {
            0.0
        } else {
            f64::from(self.certified) / f64::from(self.population)
        }
    }

    /// How many more must be certified to reach `target`.
    pub fn needed(&self, target: f64) -> u32 {
        // The epsilon keeps 0.2 × 15 = 3.0000000000000004 from asking for a 4th person.
        let required = (target * f64::from(self.population) - 1e-9).ceil().max(0.0);
        // `required` is at most the population, a u32.
        let required = required as u32;
        required.saturating_sub(self.certified)
    }
}

/// The tally of the population on `day`.
pub fn tally_on(members: &[Member], population: &Population, day: NaiveDate) -> Tally {
    let mut tally = Tally::default();
    for member in members {
        if member.employed_on(day) && population.includes(member) {
            tally.add(member, day);
        }
    }
    tally
}

/// The tally on `day`, split by a key of each member (e.g. department, shift).
pub fn tally_by<K: Ord>(
    members: &[Member],
    population: &Population,
    day: NaiveDate,
    key: impl Fn(&Member) -> K,
) -> BTreeMap<K, Tally> {
    let mut groups: BTreeMap<K, Tally> = BTreeMap::new();
    for member in members {
        if member.employed_on(day) && population.includes(member) {
            groups.entry(key(member)).or_default().add(member, day);
        }
    }
    groups
}

/// One point of the monthly series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The day it was computed on (a month's last day, or `as_of` for the last point).
    pub day: NaiveDate,
    /// The tally that day.
    pub tally: Tally,
}

/// One point per month from `start` to `as_of`.
pub fn series(
    members: &[Member],
    population: &Population,
    start: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Point> {
    dates::month_ends(start, as_of)
        .into_iter()
        .map(|day| Point {
            day,
            tally: tally_on(members, population, day),
        })
        .collect()
}

/// How many of the latest monthly points the trend is fitted to.
pub const TREND_POINTS: usize = 12;

/// The share expected on `deadline`: a least-squares line through the share of the last
/// [`TREND_POINTS`] monthly points (by day number), extended to the deadline and clamped to
/// 0..=1. With fewer than two points, or all on one day, the latest share stands.
pub fn projected_share(points: &[Point], deadline: NaiveDate) -> f64 {
    let recent = &points[points.len().saturating_sub(TREND_POINTS)..];
    let Some(last) = recent.last() else {
        return 0.0;
    };
    if recent.len() < 2 {
        return last.tally.share();
    }
    let origin = recent[0].day;
    let x = |day: NaiveDate| (day - origin).num_days() as f64;
    let n = recent.len() as f64;
    let mean_x = recent.iter().map(|p| x(p.day)).sum::<f64>() / n;
    let mean_y = recent.iter().map(|p| p.tally.share()).sum::<f64>() / n;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for point in recent {
        let dx = x(point.day) - mean_x;
        covariance += dx * (point.tally.share() - mean_y);
        variance += dx * dx;
    }
    if variance == 0.0 {
        return last.tally.share();
    }
    let slope = covariance / variance;
    (mean_y + slope * (x(deadline) - mean_x)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn officer(
        hired: &str,
        separated: Option<&str>,
        certificates: &[(&str, Option<&str>)],
    ) -> Member {
        Member {
            department: Department::Police,
            role: PersonnelRole::Officer,
            shift: Some("A".into()),
            hire_date: d(hired),
            separation_date: separated.map(d),
            designated_staff: false,
            certificates: certificates
                .iter()
                .map(|(issued, expires)| Validity {
                    issued_on: d(issued),
                    expires_on: expires.map(d),
                    revoked_on: None,
                })
                .collect(),
        }
    }

    fn officers_and_designated() -> Population {
        Population {
            departments: vec![],
            roles: vec![PersonnelRole::Officer],
            include_designated_staff: true,
        }
    }

    #[test]
    fn hires_and_separations_move_people_in_and_out_on_their_dates() {
        let members = vec![
            officer("2017-01-01", Some("2019-06-01"), &[("2017-05-01", None)]),
            officer("2019-06-01", None, &[]),
        ];
        let population = officers_and_designated();
        assert_eq!(
            tally_on(&members, &population, d("2019-05-31")),
            Tally {
                population: 1,
                certified: 1
            }
        );
        assert_eq!(
            tally_on(&members, &population, d("2019-06-01")),
            Tally {
                population: 1,
                certified: 0
            }
        );
        assert_eq!(
            tally_on(&members, &population, d("2016-12-31")),
            Tally::default()
        );
    }

    #[test]
    fn designated_staff_count_whatever_their_role() {
        let mut dispatcher = officer("2020-01-01", None, &[("2020-02-01", None)]);
        dispatcher.role = PersonnelRole::Telecommunicator;
        dispatcher.department = Department::Communications;
        let mut clerk = dispatcher.clone();
        dispatcher.designated_staff = true;
        clerk.designated_staff = false;
        let members = vec![dispatcher, clerk];
        let day = d("2021-01-01");
        assert_eq!(
            tally_on(&members, &officers_and_designated(), day).population,
            1
        );
        let without = Population {
            include_designated_staff: false,
            ..officers_and_designated()
        };
        assert_eq!(tally_on(&members, &without, day).population, 0);
        let everyone = Population::default();
        assert_eq!(tally_on(&members, &everyone, day).population, 2);
    }

    #[test]
    fn needed_rounds_the_target_up() {
        let tally = Tally {
            population: 15,
            certified: 1,
        };
        assert_eq!(tally.needed(0.2), 2);
        assert_eq!(
            Tally {
                population: 11,
                certified: 0
            }
            .needed(0.2),
            3
        );
        assert_eq!(
            Tally {
                population: 10,
                certified: 5
            }
            .needed(0.2),
            0
        );
        assert_eq!(Tally::default().needed(0.2), 0);
    }

    #[test]
    fn the_trend_is_extended_to_the_deadline_and_clamped() {
        let point = |day: &str, certified| Point {
            day: d(day),
            tally: Tally {
                population: 100,
                certified,
            },
        };
        let rising = [
            point("2026-01-31", 10),
            point("2026-02-28", 12),
            point("2026-03-31", 14),
        ];
        let projected = projected_share(&rising, d("2026-12-31"));
        assert!((projected - 0.32).abs() < 0.01, "{projected}");
        assert_eq!(projected_share(&rising[..1], d("2030-01-01")), 0.10);
        assert_eq!(projected_share(&rising, d("2099-01-01")), 1.0);
        assert_eq!(projected_share(&[], d("2030-01-01")), 0.0);
    }

    #[test]
    fn a_series_has_one_point_per_month_ending_on_the_as_of_day() {
        let members = vec![officer("2020-01-01", None, &[("2026-02-10", None)])];
        let points = series(
            &members,
            &officers_and_designated(),
            d("2026-01-01"),
            d("2026-03-15"),
        );
        let days: Vec<_> = points.iter().map(|p| p.day).collect();
        assert_eq!(days, [d("2026-01-31"), d("2026-02-28"), d("2026-03-15")]);
        let certified: Vec<_> = points.iter().map(|p| p.tally.certified).collect();
        assert_eq!(certified, [0, 1, 1]);
    }
}
