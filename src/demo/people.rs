//! The roster: who works where since when (hired over 25 years, some gone since), with each
//! person's CIT-certified days for the call generator.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::db::enums::{Department, PersonnelRole, PersonnelStatus};
use crate::ids::PersonnelId;

use super::rng::Rng;
use super::training::TRAINING_FROM;
use crate::personnel::model::NewPersonnel;

/// People are hired over this many years before today.
const HIRING_YEARS: i64 = 25;
/// Mean length of a career, in years: about 8% of the staff leave each year.
const MEAN_CAREER_YEARS: f64 = 12.0;

/// A person with what the call generator needs to know of them.
#[derive(Debug, Clone)]
pub struct Member {
    /// The row.
    pub person: NewPersonnel,
    /// Days on which the person held a CIT certification: `[from, until)`.
    pub cit: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl Member {
    /// On the payroll that day.
    pub fn employed_on(&self, day: NaiveDate) -> bool {
        self.person.hire_date <= day && self.person.separation_date.is_none_or(|s| s > day)
    }

    /// CIT-certified that day.
    pub fn certified_on(&self, day: NaiveDate) -> bool {
        self.cit
            .iter()
            .any(|(from, until)| *from <= day && until.is_none_or(|u| u > day))
    }
}

pub(super) const FIRST_NAMES: &[&str] = &[
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "William",
    "Elizabeth",
    "Joseph",
    "Susan",
    "Carlos",
    "Jessica",
    "Daniel",
    "Sarah",
    "Anthony",
    "Karen",
    "Kevin",
    "Nancy",
    "Brian",
    "Lisa",
    "Jamal",
    "Angela",
    "Luis",
    "Michelle",
    "Tyrone",
    "Amanda",
    "Eric",
    "Stephanie",
    "Marcus",
    "Rebecca",
    "Jose",
    "Laura",
    "Ryan",
    "Keisha",
    "Adam",
    "Megan",
    "Nathan",
    "Rosa",
    "Samuel",
    "Aisha",
    "Tomasz",
    "Hannah",
    "Ahmed",
    "Grace",
    "Dmitri",
    "Mei",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Kowalski",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Novak",
    "Patel",
    "Okafor",
    "Schmidt",
];
/// The patrol shifts.
pub const SHIFTS: [&str; 3] = ["Day", "Evening", "Night"];

/// A UUID v7 for a record made at `at`, random bits from `rng`: deterministic for a seed, and
/// newest-first lists show the records in the order they happened.
pub fn id_at(rng: &mut Rng, at: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let bytes = rng.bytes16();
    let mut tail = [0; 10];
    tail.copy_from_slice(&bytes[..10]);
    uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid()
}

/// Noon of a city day, as an instant.
pub fn noon(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

pub(super) fn day_plus(day: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        day.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        day.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(day)
}

/// One kind of job and how many of it a city of scale 1 employs today.
struct Job {
    department: Department,
    role: PersonnelRole,
    prefix: char,
    active: f64,
    designated: bool,
}

const JOBS: &[Job] = &[
    Job {
        department: Department::Police,
        role: PersonnelRole::Officer,
        prefix: 'P',
        active: 180.0,
        designated: false,
    },
    Job {
        department: Department::Police,
        role: PersonnelRole::Supervisor,
        prefix: 'S',
        active: 14.0,
        designated: false,
    },
    Job {
        department: Department::Communications,
        role: PersonnelRole::Telecommunicator,
        prefix: 'T',
        active: 24.0,
        designated: true,
    },
    Job {
        department: Department::SocialServices,
        role: PersonnelRole::Clinician,
        prefix: 'C',
        active: 3.0,
        designated: true,
    },
    Job {
        department: Department::Fire,
        role: PersonnelRole::Firefighter,
        prefix: 'F',
        active: 70.0,
        designated: false,
    },
    Job {
        department: Department::Fire,
        role: PersonnelRole::Paramedic,
        prefix: 'M',
        active: 30.0,
        designated: false,
    },
];

/// Hires everyone: enough people over 25 years that about the job's headcount is employed
/// today (clinicians, a newer programme, are hired from 2016 and stay).
pub(super) fn hire(rng: &mut Rng, scale: f64, today: NaiveDate, zone: Tz) -> Vec<Member> {
    let mut members = Vec::new();
    // The share of a cohort hired uniformly over 25 years still employed with exponential
    // careers of mean 12 years.
    let years = HIRING_YEARS as f64;
    let staying = MEAN_CAREER_YEARS / years * (1.0 - (-years / MEAN_CAREER_YEARS).exp());
    for job in JOBS {
        let clinical = job.role == PersonnelRole::Clinician;
        let wanted = (job.active * scale).round().max(1.0);
        let total = if clinical {
            wanted
        } else {
            (wanted / staying).round()
        } as usize;
        let earliest = if clinical {
            NaiveDate::from_ymd_opt(TRAINING_FROM, 1, 1).unwrap_or(today)
        } else {
            day_plus(today, -HIRING_YEARS * 365)
        };
        // The clinicians were all hired in the programme's first years.
        let span = if clinical {
            4 * 365
        } else {
            (today - earliest).num_days() - 30
        };
        for n in 0..total {
            let hire_date = day_plus(earliest, rng.between(0, span));
            let career = rng.exponential(MEAN_CAREER_YEARS * 365.0) as i64;
            let left = day_plus(hire_date, career.max(200));
            let separation_date = (!clinical && left < today).then_some(left);
            let first = rng.pick(FIRST_NAMES);
            let last = rng.pick(LAST_NAMES);
            let rank = match job.role {
                PersonnelRole::Officer => Some(*rng.weighted(&[
                    ("Patrol Officer", 0.82),
                    ("Sergeant", 0.14),
                    ("Detective", 0.04),
                ])),
                PersonnelRole::Supervisor => {
                    Some(*rng.weighted(&[("Lieutenant", 0.7), ("Captain", 0.3)]))
                }
                PersonnelRole::Firefighter => Some("Firefighter"),
                PersonnelRole::Paramedic => Some("Firefighter/Paramedic"),
                _ => None,
            };
            let shift = if clinical {
                "Day"
            } else {
                SHIFTS[rng.below(3)]
            };
            let created = noon(hire_date, zone);
            members.push(Member {
                person: NewPersonnel {
                    id: PersonnelId::from_uuid(id_at(rng, created)),
                    employee_number: format!("{}{:05}", job.prefix, n + 1),
                    first_name: (*first).to_owned(),
                    last_name: (*last).to_owned(),
                    department: job.department,
                    role: job.role,
                    rank: rank.map(str::to_owned),
                    shift: Some(shift.to_owned()),
                    hire_date,
                    separation_date,
                    status: if separation_date.is_some() {
                        PersonnelStatus::Separated
                    } else if rng.chance(0.02) {
                        PersonnelStatus::Leave
                    } else {
                        PersonnelStatus::Active
                    },
                    designated_staff: job.designated,
                },
                cit: Vec::new(),
            });
        }
    }
    members
}
