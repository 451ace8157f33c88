//! The rows the demo writes whose tables have no insertable type with every column the demo
//! sets (a session's status, an enrollment's outcome, a certificate's revocation); the other
//! tables take the services' own types (`NewPersonnel`, `NewPartner`, `ServiceRow`,
//! `ReferralRow`), and calls go through the ingest.

// The fields are the columns of the migrations, named as there.
#![allow(missing_docs)]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::Insertable;

use crate::db::enums::{EnrollmentStatus, SessionStatus};
use crate::db::schema::{certifications, enrollments, training_sessions};
use crate::ids::{
    CertificationId, CertificationTypeId, CourseId, EnrollmentId, PersonnelId, TrainingSessionId,
};

/// A training session.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = training_sessions)]
pub struct Session {
    pub id: TrainingSessionId,
    pub course_id: CourseId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub location: String,
    pub instructor: Option<String>,
    pub capacity: i32,
    pub status: SessionStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A seat in a session.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = enrollments)]
pub struct Enrollment {
    pub id: EnrollmentId,
    pub session_id: TrainingSessionId,
    pub personnel_id: PersonnelId,
    pub status: EnrollmentStatus,
    pub hours_credited: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A certification held (or once held).
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = certifications)]
pub struct Certification {
    pub id: CertificationId,
    pub personnel_id: PersonnelId,
    pub certification_type_id: CertificationTypeId,
    pub certificate_number: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub enrollment_id: Option<EnrollmentId>,
    pub created_at: DateTime<Utc>,
}
