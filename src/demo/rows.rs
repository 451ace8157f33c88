//! The rows the demo writes directly (everything but calls, which go through the ingest), as
//! the generator makes them: plain values, ready for a bulk insert.

// The fields are the columns of the migrations, named as there.
#![allow(missing_docs)]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::Insertable;

use crate::db::enums::{
    CloseReason, ConsentMethod, ConsentScope, Department, EnrollmentStatus, MouStatus,
    PersonnelRole, PersonnelStatus, ReferralStatus, SessionStatus,
};
use crate::db::json::Json;
use crate::db::schema::{
    certifications, enrollments, partner_services, partners, personnel, referrals,
    training_sessions,
};
use crate::ids::{
    CallId, CertificationId, CertificationTypeId, CourseId, EnrollmentId, PartnerId, PersonnelId,
    ReferralId, ServiceId, SubjectId, TrainingSessionId, UserId,
};
use crate::partners::payloads::{AddressBody, PhoneBody};
use crate::referrals::payloads::{ContactBody, TransitionBody};

/// A person on the roster.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = personnel)]
pub struct Person {
    pub id: PersonnelId,
    pub employee_number: String,
    pub first_name: String,
    pub last_name: String,
    pub department: Department,
    pub role: PersonnelRole,
    pub rank: Option<String>,
    pub shift: Option<String>,
    pub hire_date: NaiveDate,
    pub separation_date: Option<NaiveDate>,
    pub status: PersonnelStatus,
    pub designated_staff: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

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

/// A community partner.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = partners)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub description: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phones: Json<Vec<PhoneBody>>,
    pub address: Option<Json<AddressBody>>,
    pub mou_status: MouStatus,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A partner's service.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = partner_services)]
pub struct Service {
    pub id: ServiceId,
    pub partner_id: PartnerId,
    pub position: i32,
    pub name: String,
    pub description: String,
    pub categories: Vec<String>,
    pub eligibility: Option<String>,
    pub hours: Option<String>,
    pub accepts_referrals: bool,
    pub updated_at: DateTime<Utc>,
}

/// A referral, once its call and subject have ids.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: ReferralId,
    pub subject_id: SubjectId,
    pub call_id: Option<CallId>,
    pub partner_id: PartnerId,
    pub service_id: Option<ServiceId>,
    pub need: String,
    pub consent_method: ConsentMethod,
    pub consent_scope: ConsentScope,
    pub contact: Option<Json<ContactBody>>,
    pub referred_by: PersonnelId,
    pub status: ReferralStatus,
    pub sent_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub engaged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<CloseReason>,
    pub transitions: Json<Vec<TransitionBody>>,
    pub created_by: UserId,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
