//! The roster's training: CIT classes from 2016 on (a trickle, then a push once the goal was
//! set), the dispatchers' course, refreshers, academy awareness certificates and a few
//! revocations, as sessions, enrollments and certifications.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::enums::{Department, EnrollmentStatus, PersonnelRole, SessionStatus};
use crate::ids::{CertificationId, CertificationTypeId, CourseId, EnrollmentId, TrainingSessionId};

use super::people::{FIRST_NAMES, LAST_NAMES, Member, day_plus, hire, id_at, noon};
use super::rng::Rng;
use super::rows::{Certification, Enrollment, Session};

/// The first year of CIT training.
pub const TRAINING_FROM: i32 = 2016;

/// The catalogue entries the demo trains with (found by code in the database).
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    /// `CIT_BASIC`: the 40-hour course's certification (counts towards the goal).
    pub cit_basic: CertificationTypeId,
    /// `CIT_TELECOM`: the dispatchers' 8-hour course (counts towards the goal).
    pub cit_telecom: CertificationTypeId,
    /// `CIT_REFRESHER`.
    pub refresher: CertificationTypeId,
    /// `MH_AWARENESS`.
    pub awareness: CertificationTypeId,
    /// `CIT-40`.
    pub cit_course: CourseId,
    /// `CIT-TC-8`.
    pub telecom_course: CourseId,
    /// `CIT-REF-8`.
    pub refresher_course: CourseId,
}

/// How long the demo city's agency keeps an 8-hour certificate valid (an agency setting; the
/// state sets none).
pub const TELECOM_VALIDITY_MONTHS: u32 = 36;
/// The same for the refresher.
pub const REFRESHER_VALIDITY_MONTHS: u32 = 24;

/// The roster and the training records.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Everyone ever employed, police officers first.
    pub members: Vec<Member>,
    /// Sessions of the CIT courses.
    pub sessions: Vec<Session>,
    /// Seats in them.
    pub enrollments: Vec<Enrollment>,
    /// Certifications.
    pub certifications: Vec<Certification>,
}

/// The number of CIT-40 seats the department fills in a year, at scale 1: a trickle at first,
/// then a push once the 20% goal was set.
fn cit_seats(year: i32) -> f64 {
    match year {
        ..=2019 => 2.0,
        2020 => 1.0,
        2021..=2023 => 3.0,
        2024 => 6.0,
        _ => 8.0,
    }
}

/// The training records as they are written, with the running certificate number.
struct Records<'a> {
    rng: Rng,
    zone: Tz,
    now: DateTime<Utc>,
    today: NaiveDate,
    catalogue: &'a Catalogue,
    sessions: Vec<Session>,
    enrollments: Vec<Enrollment>,
    certifications: Vec<Certification>,
    numbers: usize,
}

impl Records<'_> {
    /// A session, planned two months ahead.
    fn session(
        &mut self,
        course_id: CourseId,
        (starts_on, ends_on): (NaiveDate, NaiveDate),
        location: &str,
        capacity: i32,
        status: SessionStatus,
    ) -> Session {
        let planned = noon(day_plus(starts_on, -60), self.zone);
        Session {
            id: TrainingSessionId::from_uuid(id_at(&mut self.rng, planned)),
            course_id,
            starts_on,
            ends_on,
            location: location.to_owned(),
            instructor: Some(format!(
                "{} {}",
                self.rng.pick(FIRST_NAMES),
                self.rng.pick(LAST_NAMES)
            )),
            capacity,
            status,
            created_at: self.now,
            updated_at: self.now,
        }
    }

    /// A seat, booked a month ahead.
    fn seat(
        &mut self,
        session: &Session,
        member: &Member,
        status: EnrollmentStatus,
        hours: f64,
    ) -> EnrollmentId {
        let booked = noon(day_plus(session.starts_on, -30), self.zone);
        let id = EnrollmentId::from_uuid(id_at(&mut self.rng, booked));
        self.enrollments.push(Enrollment {
            id,
            session_id: session.id,
            personnel_id: member.person.id,
            status,
            hours_credited: (status == EnrollmentStatus::Completed).then_some(hours),
            created_at: self.now,
            updated_at: self.now,
        });
        id
    }

    /// A certificate; one of a kind that counts as CIT adds to the holder's CIT days.
    fn issue(
        &mut self,
        member: &mut Member,
        kind: CertificationTypeId,
        issued_on: NaiveDate,
        validity_months: Option<u32>,
        enrollment_id: Option<EnrollmentId>,
    ) {
        self.numbers += 1;
        let expires_on = validity_months.and_then(|m| crate::dates::add_months(issued_on, m));
        let created = noon(issued_on, self.zone);
        self.certifications.push(Certification {
            id: CertificationId::from_uuid(id_at(&mut self.rng, created)),
            personnel_id: member.person.id,
            certification_type_id: kind,
            certificate_number: format!("{}-{:05}", issued_on.year(), self.numbers),
            issued_on,
            expires_on,
            revoked_at: None,
            revoked_reason: None,
            enrollment_id,
            created_at: self.now,
        });
        if kind == self.catalogue.cit_basic || kind == self.catalogue.cit_telecom {
            member.cit.push((issued_on, expires_on));
        }
    }

    /// The 40-hour course, Monday to Friday: twice a year, three times from 2024 (the spring
    /// 2020 class was cancelled). Eligible: two years on the job (ILETSB), employed through the
    /// class, not yet certified; a clinician usually joins the first class after their hiring.
    fn cit_classes(&mut self, members: &mut [Member], year: i32, scale: f64) {
        let classes: &[u32] = if year >= 2024 { &[3, 6, 10] } else { &[4, 10] };
        let per_class = cit_seats(year) * scale / classes.len() as f64;
        for (k, month) in classes.iter().enumerate() {
            let Some(first) = NaiveDate::from_ymd_opt(year, *month, 8) else {
                continue;
            };
            let starts_on = day_plus(first, -i64::from(first.weekday().num_days_from_monday()));
            let ends_on = day_plus(starts_on, 4);
            // Classes more than a quarter ahead are not planned yet.
            if starts_on > day_plus(self.today, 92) {
                continue;
            }
            let cancelled = year == 2020 && k == 0;
            let status = if cancelled {
                SessionStatus::Cancelled
            } else if ends_on < self.today {
                SessionStatus::Completed
            } else {
                SessionStatus::Scheduled
            };
            let session = self.session(
                self.catalogue.cit_course,
                (starts_on, ends_on),
                "Police Training Academy, Room 2",
                24,
                status,
            );
            let seats = (per_class + self.rng.unit() * 0.999).floor() as usize;
            let eligible: Vec<usize> = members
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    let ready = match m.person.role {
                        PersonnelRole::Officer | PersonnelRole::Supervisor => {
                            m.person.hire_date <= day_plus(starts_on, -730)
                        }
                        PersonnelRole::Clinician => m.person.hire_date <= starts_on,
                        _ => false,
                    };
                    ready && m.employed_on(ends_on) && m.cit.is_empty()
                })
                .map(|(i, _)| i)
                .collect();
            let (clinicians, officers): (Vec<usize>, Vec<usize>) = eligible
                .iter()
                .partition(|&&i| members[i].person.role == PersonnelRole::Clinician);
            let mut chosen: Vec<usize> = clinicians
                .into_iter()
                .filter(|_| self.rng.chance(0.6))
                .collect();
            let wanted = (chosen.len() + seats).min(eligible.len());
            while chosen.len() < wanted && !officers.is_empty() {
                let i = *self.rng.pick(&officers);
                if !chosen.contains(&i) {
                    chosen.push(i);
                }
            }
            chosen.sort_unstable();
            if !cancelled {
                for i in chosen {
                    let outcome = if status == SessionStatus::Scheduled {
                        EnrollmentStatus::Enrolled
                    } else {
                        *self.rng.weighted(&[
                            (EnrollmentStatus::Completed, 0.92),
                            (EnrollmentStatus::Failed, 0.03),
                            (EnrollmentStatus::NoShow, 0.03),
                            (EnrollmentStatus::Withdrawn, 0.02),
                        ])
                    };
                    let seat = self.seat(&session, &members[i], outcome, 40.0);
                    if outcome == EnrollmentStatus::Completed {
                        let kind = self.catalogue.cit_basic;
                        self.issue(&mut members[i], kind, ends_on, None, Some(seat));
                    }
                }
            }
            self.sessions.push(session);
        }
    }

    /// The dispatchers' 8-hour course each September from 2018; a certificate lapses after
    /// [`TELECOM_VALIDITY_MONTHS`] unless renewed.
    fn telecom_class(&mut self, members: &mut [Member], year: i32, scale: f64) {
        let Some(day) = NaiveDate::from_ymd_opt(year, 9, 15).filter(|d| *d < self.today) else {
            return;
        };
        let session = self.session(
            self.catalogue.telecom_course,
            (day, day),
            "Emergency Communications Center",
            12,
            SessionStatus::Completed,
        );
        let seats = (3.0 * scale).round().max(1.0) as usize;
        let mut taken = 0;
        for member in members.iter_mut() {
            if taken == seats
                || member.person.role != PersonnelRole::Telecommunicator
                || !member.employed_on(day)
                || member.certified_on(day_plus(day, 90))
                || !self.rng.chance(0.25)
            {
                continue;
            }
            taken += 1;
            let seat = self.seat(&session, member, EnrollmentStatus::Completed, 8.0);
            let kind = self.catalogue.cit_telecom;
            self.issue(member, kind, day, Some(TELECOM_VALIDITY_MONTHS), Some(seat));
        }
        self.sessions.push(session);
    }

    /// The refresher each May from 2019, for about a third of those certified two years or
    /// more; it lapses after [`REFRESHER_VALIDITY_MONTHS`].
    fn refresher_class(&mut self, members: &mut [Member], year: i32) {
        let Some(day) = NaiveDate::from_ymd_opt(year, 5, 20).filter(|d| *d < self.today) else {
            return;
        };
        let mut session = self.session(
            self.catalogue.refresher_course,
            (day, day),
            "Police Training Academy, Room 2",
            12,
            SessionStatus::Completed,
        );
        let mut seated = 0;
        for member in members.iter_mut() {
            let due = member
                .cit
                .first()
                .is_some_and(|(from, _)| *from <= day_plus(day, -730));
            if !due
                || !member.employed_on(day)
                || member.person.role == PersonnelRole::Telecommunicator
                || !self.rng.chance(0.3)
            {
                continue;
            }
            seated += 1;
            let seat = self.seat(&session, member, EnrollmentStatus::Completed, 8.0);
            let kind = self.catalogue.refresher;
            self.issue(
                member,
                kind,
                day,
                Some(REFRESHER_VALIDITY_MONTHS),
                Some(seat),
            );
        }
        session.capacity = seated.max(12);
        self.sessions.push(session);
    }

    /// Mental-health awareness from the academy, recorded from transcripts (no session).
    fn awareness(&mut self, members: &mut [Member]) {
        let academy = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap_or(self.today);
        for member in members.iter_mut() {
            let day = day_plus(member.person.hire_date, 120);
            if member.person.department == Department::Police
                && day >= academy
                && day < self.today
                && self.rng.chance(0.6)
            {
                let kind = self.catalogue.awareness;
                self.issue(member, kind, day, None, None);
            }
        }
    }

    /// A few CIT certificates revoked after a review, which ends the holder's CIT days.
    fn revocations(&mut self, members: &mut [Member], scale: f64) {
        let wanted = (2.0 * scale).round().max(1.0) as usize;
        let candidates: Vec<usize> = (0..self.certifications.len())
            .filter(|&i| {
                let cert = &self.certifications[i];
                cert.certification_type_id == self.catalogue.cit_basic
                    && day_plus(cert.issued_on, 900) < self.today
            })
            .collect();
        let mut chosen = Vec::new();
        while chosen.len() < wanted.min(candidates.len()) {
            let i = *self.rng.pick(&candidates);
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        for i in chosen {
            let cert = &mut self.certifications[i];
            let day = day_plus(cert.issued_on, self.rng.between(200, 900));
            cert.revoked_at = Some(noon(day, self.zone));
            cert.revoked_reason = Some("Decertified after an internal review".to_owned());
            if let Some(m) = members
                .iter_mut()
                .find(|m| m.person.id == cert.personnel_id)
            {
                for window in &mut m.cit {
                    if window.0 == cert.issued_on {
                        window.1 = Some(day);
                    }
                }
            }
        }
    }
}

/// Builds the roster and its training history up to `today` (a class starting within the
/// next quarter is scheduled, its seats enrolled).
pub fn staff(
    rng: &Rng,
    scale: f64,
    today: NaiveDate,
    now: DateTime<Utc>,
    zone: Tz,
    catalogue: &Catalogue,
) -> Staff {
    let mut members = hire(&mut rng.fork("people"), scale, today, zone);
    let mut records = Records {
        rng: rng.fork("training"),
        zone,
        now,
        today,
        catalogue,
        sessions: Vec::new(),
        enrollments: Vec::new(),
        certifications: Vec::new(),
        numbers: 0,
    };
    for year in TRAINING_FROM..=today.year() {
        records.cit_classes(&mut members, year, scale);
        if year >= 2018 {
            records.telecom_class(&mut members, year, scale);
        }
        if year >= 2019 {
            records.refresher_class(&mut members, year);
        }
    }
    records.awareness(&mut members);
    records.revocations(&mut members, scale);
    Staff {
        members,
        sessions: records.sessions,
        enrollments: records.enrollments,
        certifications: records.certifications,
    }
}
