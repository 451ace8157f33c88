//! Calls for service, the people in crisis among them, and what came of it: referrals that move
//! through their states and the follow-ups the ingest schedules, worked or left overdue.
//!
//! The calls are made as the RMS would send them (`CallInput`) and go through the same checks
//! and ingest as the API; whether a CIT responder was on scene is decided there, from the
//! roster. The generator judges it the same way (the people's certified days) only to shape
//! outcomes: with a CIT responder, fewer arrests, less force, more referrals.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::calls::payloads::{CallInput, LocationInput, ResponderInput, SubjectInput};
use crate::db::enums::{
    CallSource, CrisisType, Disposition, ForceLevel, PersonnelRole, ReferralStatus, ResponderRole,
    Weapon,
};

use super::care::{Clinician, FollowUpFate, PlannedReferral, follow_up_fate, plan_referral};
use super::people::{Member, SHIFTS};
use super::rng::Rng;

/// The source system the demo's calls come from.
pub const SOURCE: &str = "demo-rms";
/// The first day of calls.
pub const CALLS_FROM: (i32, u32, u32) = (2020, 1, 1);
/// Calls a day at scale 1 (about 25,000 a year).
const CALLS_A_DAY: f64 = 68.0;
/// Mental-health calls a day at scale 1 in 2020 (about 1,000 a year), rising 4% a year.
const MENTAL_HEALTH_A_DAY: f64 = 2.7;

/// A call and what follows from it.
#[derive(Debug)]
pub struct DemoCall {
    /// Its incident number (also in `input`, which the ingest takes).
    pub incident_number: String,
    /// A mental-health call.
    pub mental_health: bool,
    /// The call as the RMS sends it.
    pub input: CallInput,
    /// The referral made on it.
    pub referral: Option<PlannedReferral>,
    /// Its follow-up's fate (mental-health calls with a subject).
    pub follow_up: Option<FollowUpFate>,
}

/// The calls, oldest first, with subjects' external ids in `input.subject`.
#[derive(Debug)]
pub struct Calls {
    /// Every call.
    pub calls: Vec<DemoCall>,
    /// How many distinct people in crisis.
    pub subjects: usize,
}

const GENERAL: &[((&str, &str), f64)] = &[
    (("TRAF", "Traffic stop"), 0.2),
    (("ACC", "Traffic crash"), 0.1),
    (("THEFT", "Theft report"), 0.12),
    (("DIST", "Disturbance"), 0.14),
    (("ALARM", "Alarm"), 0.1),
    (("WELF", "Welfare check"), 0.1),
    (("DOM", "Domestic"), 0.08),
    (("SUSP", "Suspicious person"), 0.1),
    (("NOISE", "Noise complaint"), 0.06),
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Lincoln Ave",
    "Washington St",
    "Prairie Rd",
    "River Dr",
    "Elm St",
    "Maple Ave",
    "Jefferson St",
    "Grand Ave",
    "Church St",
    "Lake St",
];
/// Calls by hour of the day (local time).
const HOURS: [f64; 24] = [
    2.6, 2.2, 1.9, 1.6, 1.4, 1.5, 2.2, 3.2, 4.0, 4.5, 4.8, 5.0, 5.1, 5.2, 5.4, 5.6, 5.8, 5.9, 5.8,
    5.4, 4.9, 4.3, 3.6, 3.0,
];

fn day_plus(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

fn shift_of(hour: u32) -> &'static str {
    match hour {
        7..=14 => SHIFTS[0],
        15..=22 => SHIFTS[1],
        _ => SHIFTS[2],
    }
}

/// A person in crisis, as the generator tracks them.
struct Subject {
    year_of_birth: i32,
    veteran: bool,
    /// When a referral of theirs reached `engaged`.
    engaged_at: Option<DateTime<Utc>>,
}

/// Who can answer calls, by shift, with their CIT days.
struct Dispatch<'a> {
    officers: [Vec<&'a Member>; 3],
    clinicians: Vec<&'a Member>,
}

impl<'a> Dispatch<'a> {
    fn new(members: &'a [Member]) -> Self {
        let mut officers: [Vec<&Member>; 3] = Default::default();
        let mut clinicians = Vec::new();
        for m in members {
            match m.person.role {
                PersonnelRole::Officer => {
                    let shift = m.person.shift.as_deref().unwrap_or(SHIFTS[0]);
                    let k = SHIFTS.iter().position(|s| *s == shift).unwrap_or(0);
                    officers[k].push(m);
                }
                PersonnelRole::Clinician => clinicians.push(m),
                _ => {}
            }
        }
        Self {
            officers,
            clinicians,
        }
    }

    /// An officer of the shift on duty that day; a CIT-certified one when `cit` and one works.
    fn officer(
        &self,
        rng: &mut Rng,
        shift: usize,
        day: NaiveDate,
        cit: bool,
    ) -> Option<&'a Member> {
        let pool = &self.officers[shift];
        if pool.is_empty() {
            return None;
        }
        if cit {
            let certified: Vec<&Member> = pool
                .iter()
                .copied()
                .filter(|m| m.employed_on(day) && m.certified_on(day))
                .collect();
            // A certified officer is free for the call more often the more of them work the
            // shift.
            let free = (0.07 * certified.len() as f64).min(0.9);
            if !certified.is_empty() && rng.chance(free) {
                return Some(*rng.pick(&certified));
            }
        }
        (0..40)
            .map(|_| *rng.pick(pool))
            .find(|m| m.employed_on(day))
    }
}

/// Generates the calls from [`CALLS_FROM`] to the day before `today`.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    rng: &Rng,
    scale: f64,
    today: NaiveDate,
    now: DateTime<Utc>,
    zone: Tz,
    members: &[Member],
    clinicians: &[Clinician],
    follow_up_after: TimeDelta,
) -> Calls {
    let mut rng = rng.fork("calls");
    let dispatch = Dispatch::new(members);
    let mut subjects: Vec<Subject> = Vec::new();
    // (subject, received_at) of mental-health calls with a subject, oldest first.
    let mut history: Vec<(usize, DateTime<Utc>)> = Vec::new();
    let mut sequence: HashMap<i32, u32> = HashMap::new();
    let mut calls = Vec::new();
    let (y, m, d) = CALLS_FROM;
    let mut day = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    while day < today {
        let season =
            1.0 + 0.1 * (std::f64::consts::TAU * (f64::from(day.ordinal()) - 100.0) / 365.0).sin();
        let growth = 1.0 + 0.04 * f64::from(day.year() - y);
        let general = rng.poisson(CALLS_A_DAY * scale * season);
        let crisis = rng.poisson(MENTAL_HEALTH_A_DAY * scale * season * growth);
        let mut times: Vec<(DateTime<Utc>, bool)> = Vec::new();
        for k in 0..(general + crisis) {
            let hour = *rng.weighted(
                &HOURS
                    .iter()
                    .enumerate()
                    .map(|(h, w)| (h as u32, *w))
                    .collect::<Vec<_>>(),
            );
            let minute = rng.below(60) as u32;
            let second = rng.below(60) as u32;
            let local = day.and_hms_opt(hour, minute, second).unwrap_or_default();
            let at = zone
                .from_local_datetime(&local)
                .earliest()
                .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc));
            times.push((at, k >= general));
        }
        times.sort_by_key(|(at, _)| *at);
        for (received_at, mental_health) in times {
            let local = received_at.with_timezone(&zone);
            let year = local.year();
            let seq = sequence.entry(year).or_insert(0);
            *seq += 1;
            let incident_number = format!("{year}-{seq:06}");
            let shift = SHIFTS
                .iter()
                .position(|s| *s == shift_of(chrono::Timelike::hour(&local)))
                .unwrap_or(0);
            let call = if mental_health {
                crisis_call(
                    &mut rng,
                    &dispatch,
                    &mut subjects,
                    &mut history,
                    clinicians,
                    received_at,
                    day,
                    shift,
                    now,
                    follow_up_after,
                )
            } else {
                general_call(&mut rng, &dispatch, received_at, day, shift)
            };
            let mut call = call;
            call.input.source = Some(SOURCE.to_owned());
            call.input.incident_number = Some(incident_number.clone());
            call.incident_number = incident_number;
            call.mental_health = mental_health;
            calls.push(call);
        }
        day = day_plus(day, 1);
    }
    Calls {
        calls,
        subjects: subjects.len(),
    }
}

fn rfc3339(at: DateTime<Utc>) -> Option<String> {
    Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Times, place and source of a call.
fn base(rng: &mut Rng, received_at: DateTime<Utc>, priority: &str) -> CallInput {
    let dispatched = received_at + TimeDelta::seconds(rng.between(40, 600));
    let arrived = dispatched + TimeDelta::seconds(rng.between(180, 1200));
    let cleared = arrived + TimeDelta::seconds(rng.between(900, 7200));
    let beat = rng.between(1, 12);
    let lat = 40.11 + (rng.unit() - 0.5) * 0.08;
    let lon = -88.24 + (rng.unit() - 0.5) * 0.1;
    CallInput {
        received_at: rfc3339(received_at),
        dispatched_at: rfc3339(dispatched),
        arrived_at: rfc3339(arrived),
        cleared_at: rfc3339(cleared),
        priority: Some(priority.to_owned()),
        call_source: Some(*rng.weighted(&[
            (CallSource::E911, 0.62),
            (CallSource::Phone, 0.23),
            (CallSource::OfficerInitiated, 0.13),
            (CallSource::Other, 0.02),
        ])),
        location: Some(LocationInput {
            address: Some(format!(
                "{}00 block of {}",
                rng.between(1, 39),
                rng.pick(STREETS)
            )),
            beat: Some(format!("B{beat:02}")),
            district: Some(format!("D{}", (beat + 2) / 3)),
            latitude: Some((lat * 10_000.0).round() / 10_000.0),
            longitude: Some((lon * 10_000.0).round() / 10_000.0),
        }),
        ..CallInput::default()
    }
}

fn responder(member: &Member, role: ResponderRole) -> ResponderInput {
    ResponderInput {
        employee_number: Some(member.person.employee_number.clone()),
        role: Some(role),
    }
}

fn general_call(
    rng: &mut Rng,
    dispatch: &Dispatch<'_>,
    received_at: DateTime<Utc>,
    day: NaiveDate,
    shift: usize,
) -> DemoCall {
    let (code, description) = *rng.weighted(GENERAL);
    let priority = *rng.pick(&["1", "2", "2", "3", "3"]);
    let mut input = base(rng, received_at, priority);
    input.call_type = Some(code.to_owned());
    input.call_type_description = Some(description.to_owned());
    input.mental_health = Some(false);
    if let Some(primary) = dispatch.officer(rng, shift, day, false) {
        input
            .responders
            .push(responder(primary, ResponderRole::Primary));
        if rng.chance(0.25)
            && let Some(backup) = dispatch.officer(rng, shift, day, false)
            && backup.person.id != primary.person.id
        {
            input
                .responders
                .push(responder(backup, ResponderRole::Backup));
        }
    }
    input.dispositions = vec![*rng.weighted(&[
        (Disposition::ResolvedOnScene, 0.55),
        (Disposition::Citation, 0.15),
        (Disposition::Arrest, 0.07),
        (Disposition::UnableToLocate, 0.1),
        (Disposition::Other, 0.13),
    ])];
    input.force_level = Some(if rng.chance(0.03) {
        ForceLevel::HandsOn
    } else {
        ForceLevel::None
    });
    DemoCall {
        incident_number: String::new(),
        mental_health: false,
        input,
        referral: None,
        follow_up: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn crisis_call(
    rng: &mut Rng,
    dispatch: &Dispatch<'_>,
    subjects: &mut Vec<Subject>,
    history: &mut Vec<(usize, DateTime<Utc>)>,
    clinicians: &[Clinician],
    received_at: DateTime<Utc>,
    day: NaiveDate,
    shift: usize,
    now: DateTime<Utc>,
    follow_up_after: TimeDelta,
) -> DemoCall {
    let suicide = rng.chance(0.3);
    let mut input = base(rng, received_at, "1");
    input.call_type = Some(if suicide { "SUIC" } else { "MH" }.to_owned());
    input.call_type_description = Some(
        if suicide {
            "Suicidal person"
        } else {
            "Mental health crisis"
        }
        .to_owned(),
    );
    input.mental_health = Some(true);
    let mut crisis = vec![if suicide {
        CrisisType::Suicide
    } else {
        *rng.weighted(&[
            (CrisisType::Psychosis, 0.35),
            (CrisisType::Substance, 0.3),
            (CrisisType::Developmental, 0.08),
            (CrisisType::Dementia, 0.08),
            (CrisisType::Other, 0.19),
        ])
    }];
    if rng.chance(0.25) {
        let second = *rng.pick(&[
            CrisisType::Substance,
            CrisisType::Psychosis,
            CrisisType::Suicide,
        ]);
        if !crisis.contains(&second) {
            crisis.push(second);
        }
    }
    let requested = rng.chance(0.68);
    input.cit_requested = Some(requested);
    let mut on_scene: Vec<&Member> = Vec::new();
    let want_cit = requested && rng.chance(0.8);
    if let Some(primary) = dispatch.officer(rng, shift, day, want_cit) {
        on_scene.push(primary);
        input
            .responders
            .push(responder(primary, ResponderRole::Primary));
        if rng.chance(0.45)
            && let Some(backup) = dispatch.officer(rng, shift, day, false)
            && backup.person.id != primary.person.id
        {
            on_scene.push(backup);
            input
                .responders
                .push(responder(backup, ResponderRole::Backup));
        }
    }
    if day.year() >= 2022 && shift < 2 && rng.chance(0.12) {
        let working: Vec<&Member> = dispatch
            .clinicians
            .iter()
            .copied()
            .filter(|m| m.employed_on(day))
            .collect();
        if !working.is_empty() {
            let clinician = *rng.pick(&working);
            on_scene.push(clinician);
            input
                .responders
                .push(responder(clinician, ResponderRole::CoResponder));
        }
    }
    let cit = on_scene.iter().any(|m| m.certified_on(day));

    // The person: often someone the police met before (preferential attachment over the last
    // two years' calls gives the long tail of repeat callers); less often once engaged in care.
    let subject = rng.chance(0.85).then(|| {
        let window_start = received_at - TimeDelta::days(730);
        let first = history.partition_point(|(_, at)| *at < window_start);
        let known = (history.len() > first && rng.chance(0.45))
            .then(|| history[first + rng.below(history.len() - first)].0)
            .filter(|&s| {
                !(subjects[s].engaged_at.is_some_and(|e| e < received_at) && rng.chance(0.45))
            });
        known.unwrap_or_else(|| {
            let age = (rng.normal() * 14.0 + 36.0).clamp(14.0, 88.0) as i32;
            subjects.push(Subject {
                year_of_birth: received_at.year() - age,
                veteran: rng.chance(0.08),
                engaged_at: None,
            });
            subjects.len() - 1
        })
    });
    if let Some(s) = subject {
        history.push((s, received_at));
        input.subject = Some(SubjectInput {
            external_id: Some(format!("DEMO-P{:06}", s + 1)),
            year_of_birth: Some(subjects[s].year_of_birth),
            veteran: Some(subjects[s].veteran),
        });
    }

    // Outcomes: a CIT responder halves arrests, force and injuries and links more people to care.
    let (arrest, force, hurt, officer_hurt, petition, referral) = if cit {
        (0.035, 0.05, 0.025, 0.012, 0.09, 0.45)
    } else {
        (0.085, 0.12, 0.05, 0.03, 0.14, 0.22)
    };
    let mut dispositions = Vec::new();
    for (p, disposition) in [
        (arrest, Disposition::Arrest),
        (0.18, Disposition::ErTransport),
        (petition, Disposition::InvoluntaryPetition),
        (0.07, Disposition::MobileCrisis),
        (0.08, Disposition::VoluntaryTransport),
        (0.03, Disposition::UnableToLocate),
    ] {
        if rng.chance(p) {
            dispositions.push(disposition);
        }
    }
    let referred = subject.is_some() && rng.chance(referral);
    if referred {
        dispositions.push(Disposition::Referral);
    }
    if dispositions.is_empty() {
        dispositions.push(Disposition::ResolvedOnScene);
    }
    input.dispositions = dispositions;
    input.crisis_types = crisis.clone();
    input.force_level = Some(if rng.chance(force) {
        *rng.weighted(&[
            (ForceLevel::HandsOn, 0.7),
            (ForceLevel::Restraint, 0.25),
            (ForceLevel::Weapon, 0.05),
        ])
    } else {
        *rng.weighted(&[
            (ForceLevel::None, 0.5),
            (ForceLevel::Presence, 0.3),
            (ForceLevel::Verbal, 0.2),
        ])
    });
    input.subject_injured = Some(rng.chance(hurt));
    input.officer_injured = Some(rng.chance(officer_hurt));
    input.weapon_involved = Some(*rng.weighted(&[
        (Weapon::None, 0.88),
        (Weapon::Knife, 0.07),
        (Weapon::Firearm, 0.02),
        (Weapon::Other, 0.03),
    ]));

    let cleared = received_at + TimeDelta::hours(2);
    let referral = match (referred, subject, on_scene.first()) {
        (true, Some(s), Some(officer)) if !clinicians.is_empty() => {
            let young = received_at.year() - subjects[s].year_of_birth < 18;
            plan_referral(
                rng,
                &crisis,
                young,
                officer.person.id,
                clinicians,
                cleared,
                now,
            )
            .inspect(|r| {
                if let Some((_, at, _)) = r
                    .moves
                    .iter()
                    .find(|(to, _, _)| *to == ReferralStatus::Engaged)
                {
                    subjects[s].engaged_at = Some(*at);
                }
            })
        }
        _ => None,
    };
    let follow_up =
        subject.map(|_| follow_up_fate(rng, clinicians, received_at + follow_up_after, now));
    DemoCall {
        incident_number: String::new(),
        mental_health: true,
        input,
        referral,
        follow_up,
    }
}
