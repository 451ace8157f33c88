//! Request and response bodies of the training endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::clock::CityDay;
use crate::db::enums::{EnrollmentStatus, SessionStatus};
use crate::http::csv::{CsvRow, cell};
use crate::validation::present;

use super::catalog::{CertificationTypeRow, CourseRow};
use super::certifications::CertificationRow;
use super::lifecycle::{CertificationStatus, certification_status};
use super::sessions::{EnrollmentRow, SessionRow};

/// Page parameters shared by the plain lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A certification type.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationTypeBody {
    /// Id.
    pub id: Uuid,
    /// Upper-case code, e.g. `CIT_BASIC`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Issuer, e.g. `ILETSB`.
    pub issuer: String,
    /// Whether holding it makes a person CIT-certified (`cit_certified`, training metrics).
    pub counts_as_cit: bool,
    /// Months a certificate stays valid; `null` = never expires. Changing it does not move the
    /// expiry of certificates already issued.
    pub validity_months: Option<i32>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl From<CertificationTypeRow> for CertificationTypeBody {
    fn from(row: CertificationTypeRow) -> Self {
        let CertificationTypeRow {
            id,
            code,
            name,
            issuer,
            counts_as_cit,
            validity_months,
            version,
            created_at: _,
            updated_at: _,
        } = row;
        Self {
            id,
            code,
            name,
            issuer,
            counts_as_cit,
            validity_months,
            version,
        }
    }
}

impl CsvRow for CertificationTypeBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "issuer",
        "counts_as_cit",
        "validity_months",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.name.clone(),
            self.issuer.clone(),
            self.counts_as_cit.to_string(),
            cell(self.validity_months),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/certification-types`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCertificationType {
    /// 2–32 characters of `A-Z 0-9 _`, starting with a letter; unique.
    #[schema(example = "CIT_JUVENILE")]
    pub code: String,
    /// Name.
    #[schema(example = "CIT for juvenile encounters (24-hour)")]
    pub name: String,
    /// Issuer.
    #[schema(example = "ILETSB")]
    pub issuer: String,
    /// Whether it makes the holder CIT-certified (default false).
    #[serde(default)]
    pub counts_as_cit: bool,
    /// 1–600 months; omit or `null` for no expiry.
    #[schema(minimum = 1, maximum = 600)]
    pub validity_months: Option<i32>,
}

/// `PATCH /api/v1/certification-types/{id}` (merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCertificationType {
    /// New code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    /// New name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// New issuer.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub issuer: Option<Option<String>>,
    /// Counts as CIT.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub counts_as_cit: Option<Option<bool>>,
    /// New validity; `null` = never expires.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub validity_months: Option<Option<i32>>,
}

/// A course.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseBody {
    /// Id.
    pub id: Uuid,
    /// Code, e.g. `CIT-40`.
    pub code: String,
    /// Title.
    pub title: String,
    /// Length in hours.
    pub hours: f64,
    /// Who teaches it.
    pub provider: String,
    /// The certification completing it grants; `null` = none.
    pub certification_type_id: Option<Uuid>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl From<CourseRow> for CourseBody {
    fn from(row: CourseRow) -> Self {
        let CourseRow {
            id,
            code,
            title,
            hours,
            provider,
            certification_type_id,
            version,
            created_at: _,
            updated_at: _,
        } = row;
        Self {
            id,
            code,
            title,
            hours,
            provider,
            certification_type_id,
            version,
        }
    }
}

impl CsvRow for CourseBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "title",
        "hours",
        "provider",
        "certification_type_id",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.title.clone(),
            self.hours.to_string(),
            self.provider.clone(),
            cell(self.certification_type_id),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/courses`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    /// 2–32 characters of `A-Z 0-9 - _`; unique.
    #[schema(example = "CIT-JUV-24")]
    pub code: String,
    /// Title.
    #[schema(example = "CIT for juvenile encounters")]
    pub title: String,
    /// Length in hours, above 0 and at most 1000.
    #[schema(example = 24)]
    pub hours: f64,
    /// Who teaches it.
    pub provider: String,
    /// The certification completing it grants.
    pub certification_type_id: Option<Uuid>,
}

/// `PATCH /api/v1/courses/{id}` (merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourse {
    /// New code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    /// New title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// New length in hours.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub hours: Option<Option<f64>>,
    /// New provider.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub provider: Option<Option<String>>,
    /// New certification granted; `null` = none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub certification_type_id: Option<Option<Uuid>>,
}

/// A training session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// Id.
    pub id: Uuid,
    /// The course taught.
    pub course_id: Uuid,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (the issue date of certificates earned in it).
    pub ends_on: NaiveDate,
    /// Where.
    pub location: String,
    /// Who teaches.
    pub instructor: Option<String>,
    /// Seats.
    pub capacity: i32,
    /// Seats taken (every enrollment but a withdrawn one).
    pub enrolled: i64,
    /// Status.
    pub status: SessionStatus,
    /// Version for `If-Match`.
    pub version: i32,
}

impl SessionBody {
    /// A session row and its seats taken.
    pub fn new(row: SessionRow, enrolled: i64) -> Self {
        let SessionRow {
            id,
            course_id,
            starts_on,
            ends_on,
            location,
            instructor,
            capacity,
            status,
            version,
            created_at: _,
            updated_at: _,
        } = row;
        Self {
            id,
            course_id,
            starts_on,
            ends_on,
            location,
            instructor,
            capacity,
            enrolled,
            status,
            version,
        }
    }
}

impl CsvRow for SessionBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "course_id",
        "starts_on",
        "ends_on",
        "location",
        "instructor",
        "capacity",
        "enrolled",
        "status",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.course_id.to_string(),
            self.starts_on.to_string(),
            self.ends_on.to_string(),
            self.location.clone(),
            cell(self.instructor.as_ref()),
            self.capacity.to_string(),
            self.enrolled.to_string(),
            self.status.to_string(),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/training-sessions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    /// The course.
    pub course_id: Uuid,
    /// First day.
    #[schema(example = "2026-03-02")]
    pub starts_on: NaiveDate,
    /// Last day, on or after the first.
    #[schema(example = "2026-03-06")]
    pub ends_on: NaiveDate,
    /// Where.
    #[schema(example = "Training academy, room 2")]
    pub location: String,
    /// Who teaches.
    pub instructor: Option<String>,
    /// Seats, 1–1000.
    #[schema(example = 25)]
    #[schema(minimum = 1, maximum = 1000)]
    pub capacity: i32,
}

/// `PATCH /api/v1/training-sessions/{id}` (merge patch). `status` moves
/// `scheduled → completed | cancelled` and `cancelled → scheduled`; anything else is 409.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSession {
    /// New first day.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    /// New last day.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    /// New place.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// New instructor; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub instructor: Option<Option<String>>,
    /// New capacity; not below the seats taken.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
    /// New status.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SessionStatus>)]
    pub status: Option<Option<SessionStatus>>,
}

/// Query of `GET /api/v1/training-sessions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Sessions of this course.
    pub course_id: Option<Uuid>,
    /// Starting on or after this date.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<NaiveDate>,
    /// Starting on or before this date.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<NaiveDate>,
    /// In this status.
    pub status: Option<SessionStatus>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An enrollment of a person in a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentBody {
    /// Id.
    pub id: Uuid,
    /// Session.
    pub session_id: Uuid,
    /// Person.
    pub personnel_id: Uuid,
    /// Status.
    pub status: EnrollmentStatus,
    /// Hours credited (defaults to the course's hours on completion).
    pub hours_credited: Option<f64>,
    /// Version for `If-Match`.
    pub version: i32,
    /// When the person was enrolled.
    pub created_at: DateTime<Utc>,
}

impl From<EnrollmentRow> for EnrollmentBody {
    fn from(row: EnrollmentRow) -> Self {
        let EnrollmentRow {
            id,
            session_id,
            personnel_id,
            status,
            hours_credited,
            version,
            created_at,
            updated_at: _,
        } = row;
        Self {
            id,
            session_id,
            personnel_id,
            status,
            hours_credited,
            version,
            created_at,
        }
    }
}

impl CsvRow for EnrollmentBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "session_id",
        "personnel_id",
        "status",
        "hours_credited",
        "version",
        "created_at",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.session_id.to_string(),
            self.personnel_id.to_string(),
            self.status.to_string(),
            cell(self.hours_credited),
            self.version.to_string(),
            self.created_at.to_rfc3339(),
        ]
    }
}

/// `POST /api/v1/training-sessions/{id}/enrollments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnrollment {
    /// The person to enroll.
    pub personnel_id: Uuid,
}

/// `PATCH /api/v1/enrollments/{id}` (merge patch). Status moves
/// `enrolled → attended | completed | failed | no_show | withdrawn`,
/// `attended → completed | failed` and `withdrawn → enrolled` (when a seat is free);
/// anything else is 409.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEnrollment {
    /// New status. `completed` needs the session's last day to have come, and issues the
    /// course's certification in the same transaction.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<EnrollmentStatus>)]
    pub status: Option<Option<EnrollmentStatus>>,
    /// Hours credited, 0 up to the course's hours; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub hours_credited: Option<Option<f64>>,
}

/// A certification held by a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationBody {
    /// Id.
    pub id: Uuid,
    /// Holder.
    pub personnel_id: Uuid,
    /// Type.
    pub certification_type_id: Uuid,
    /// Certificate number.
    pub certificate_number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date; `null` = never expires.
    pub expires_on: Option<NaiveDate>,
    /// Status today, derived from the dates and any revocation.
    pub status: CertificationStatus,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    pub revoked_reason: Option<String>,
    /// The enrollment whose completion issued it; `null` for certificates earned elsewhere.
    pub enrollment_id: Option<Uuid>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl CertificationBody {
    /// A row, with its status judged on `today` (a revocation counts from its city day).
    pub fn new(row: CertificationRow, today: CityDay) -> Self {
        let CertificationRow {
            id,
            personnel_id,
            certification_type_id,
            certificate_number,
            issued_on,
            expires_on,
            revoked_at,
            revoked_reason,
            revoked_by: _,
            enrollment_id,
            created_at,
        } = row;
        Self {
            id,
            personnel_id,
            certification_type_id,
            certificate_number,
            issued_on,
            expires_on,
            status: certification_status(
                expires_on,
                revoked_at.map(|at| today.date_of(at)),
                today.date,
            ),
            revoked_at,
            revoked_reason,
            enrollment_id,
            created_at,
        }
    }
}

impl CsvRow for CertificationBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "personnel_id",
        "certification_type_id",
        "certificate_number",
        "issued_on",
        "expires_on",
        "status",
        "revoked_at",
        "revoked_reason",
        "enrollment_id",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.personnel_id.to_string(),
            self.certification_type_id.to_string(),
            self.certificate_number.clone(),
            self.issued_on.to_string(),
            cell(self.expires_on),
            self.status.as_str().to_owned(),
            cell(self.revoked_at.map(|at| at.to_rfc3339())),
            cell(self.revoked_reason.as_ref()),
            cell(self.enrollment_id),
        ]
    }
}

/// `POST /api/v1/certifications`: a certificate earned elsewhere.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCertification {
    /// The holder.
    pub personnel_id: Uuid,
    /// The type.
    pub certification_type_id: Uuid,
    /// Issue date; not in the future.
    #[schema(example = "2025-10-17")]
    pub issued_on: NaiveDate,
    /// The certificate's number; unique per type.
    #[schema(example = "ILETSB-CIT-2025-0042")]
    pub certificate_number: String,
    /// Expiry date after the issue date; defaults to the issue date plus the type's validity.
    pub expires_on: Option<NaiveDate>,
}

/// `POST /api/v1/certifications/{id}/revoke`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeCertification {
    /// Why, 1–500 characters (kept with the record; no health information).
    #[schema(example = "issued in error: duplicate of an earlier certificate")]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Query of `GET /api/v1/certifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificationQuery {
    /// Held by this person.
    pub personnel_id: Option<Uuid>,
    /// Of this type.
    pub certification_type_id: Option<Uuid>,
    /// With this status today.
    pub status: Option<CertificationStatus>,
    /// Active and expiring within this many days (1–3650).
    #[param(minimum = 1, maximum = 3650)]
    pub expiring_within_days: Option<u32>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
