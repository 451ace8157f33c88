//! Request and response bodies of the training-session and enrollment endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{EnrollmentStatus, SessionStatus};
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CourseId, EnrollmentId, PersonnelId, TrainingSessionId};
use crate::validation::present;

use crate::training::sessions::model::{EnrollmentRow, SessionRow};

/// A training session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// Id.
    pub id: TrainingSessionId,
    /// The course taught.
    pub course_id: CourseId,
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
    pub course_id: CourseId,
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
    pub course_id: Option<CourseId>,
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
    pub id: EnrollmentId,
    /// Session.
    pub session_id: TrainingSessionId,
    /// Person.
    pub personnel_id: PersonnelId,
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
    pub personnel_id: PersonnelId,
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
