//! Request and response bodies of the call endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{CallSource, CrisisType, Disposition, ForceLevel, ResponderRole, Weapon};
use crate::error::FieldError;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CallId, PersonnelId, SubjectId};

/// A call as the records management system sends it: the body of a `PUT`, or one item of a
/// batch. Instants are RFC 3339 with an offset (`2026-03-02T14:05:00-06:00`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    /// The sending system, e.g. `rms` (1–50 characters). Required in a batch; in a `PUT` it may
    /// be left out, and must equal the path's when given.
    #[schema(example = "rms")]
    pub source: Option<String>,
    /// The incident number in the sending system (1–100 characters); same rule as `source`.
    #[schema(example = "2026-000123")]
    pub incident_number: Option<String>,
    /// When the call was received. Required.
    #[schema(value_type = DateTime<Utc>, required = true, example = "2026-03-02T14:05:00-06:00")]
    pub received_at: Option<String>,
    /// When a unit was dispatched.
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub dispatched_at: Option<String>,
    /// When the first unit arrived.
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub arrived_at: Option<String>,
    /// When the call was cleared.
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub cleared_at: Option<String>,
    /// The CAD's call type code (up to 50 characters).
    pub call_type: Option<String>,
    /// Its description (up to 200 characters).
    pub call_type_description: Option<String>,
    /// The CAD's own priority code (up to 20 characters).
    pub priority: Option<String>,
    /// How the call came in.
    pub call_source: Option<CallSource>,
    /// Where.
    pub location: Option<LocationInput>,
    /// Whether the call involved a mental-health crisis. Required.
    #[schema(value_type = bool, required = true)]
    pub mental_health: Option<bool>,
    /// The nature of the crisis.
    #[serde(default)]
    pub crisis_types: Vec<CrisisType>,
    /// Whether a CIT officer was asked for.
    pub cit_requested: Option<bool>,
    /// Who answered (at most 50; an employee number once a call).
    #[serde(default)]
    pub responders: Vec<ResponderInput>,
    /// The person in crisis, by the sending system's pseudonymous id.
    pub subject: Option<SubjectInput>,
    /// How the call ended.
    #[serde(default)]
    pub dispositions: Vec<Disposition>,
    /// The highest level of force used.
    pub force_level: Option<ForceLevel>,
    /// Whether the person was injured.
    pub subject_injured: Option<bool>,
    /// Whether an officer was injured.
    pub officer_injured: Option<bool>,
    /// A weapon involved.
    pub weapon_involved: Option<Weapon>,
}

/// Where a call was.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// Block address (up to 200 characters).
    pub address: Option<String>,
    /// Patrol beat (up to 50 characters).
    pub beat: Option<String>,
    /// District (up to 50 characters).
    pub district: Option<String>,
    /// Latitude, −90 to 90; given with `longitude` or not at all.
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    /// Longitude, −180 to 180.
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
}

/// A responder on a call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponderInput {
    /// Employee number, matched to the personnel roster (1–50 characters).
    #[schema(value_type = String, required = true)]
    pub employee_number: Option<String>,
    /// Their part on the call.
    #[schema(value_type = ResponderRole, required = true)]
    pub role: Option<ResponderRole>,
}

/// The person in crisis.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// The sending system's pseudonymous id for the person (1–100 characters).
    #[schema(value_type = String, required = true)]
    pub external_id: Option<String>,
    /// Year of birth (1900 up to this year).
    pub year_of_birth: Option<i32>,
    /// Whether the person is a veteran.
    pub veteran: Option<bool>,
}

/// `POST /api/v1/calls/batch`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBatch {
    /// Up to 5,000 calls; each is judged alone.
    #[schema(value_type = Vec<CallInput>, max_items = 5000)]
    pub calls: Vec<Box<serde_json::value::RawValue>>,
}

/// What an ingest did with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IngestResult {
    /// A new call was stored.
    Created,
    /// A stored call changed (its version went up).
    Updated,
    /// The call was stored already, exactly so: nothing was written.
    Unchanged,
}

/// Something accepted but worth knowing, e.g. a responder not on the roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestWarning {
    /// The field concerned, e.g. `responders[1].employee_number`.
    pub field: String,
    /// What to know.
    pub message: String,
}

/// The answer to a `PUT`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallIngested {
    /// What was done.
    pub result: IngestResult,
    /// The call as stored.
    pub call: CallBody,
    /// Warnings, e.g. responders not on the roster (kept, and linked when added).
    pub warnings: Vec<IngestWarning>,
}

/// A call of a batch that was not stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedCall {
    /// Its position in `calls`, from 0.
    pub index: usize,
    /// Its incident number, when it had a readable one.
    pub incident_number: Option<String>,
    /// What is wrong.
    pub errors: Vec<FieldError>,
}

/// A warning about a stored call of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchWarning {
    /// Its position in `calls`, from 0.
    pub index: usize,
    /// Its incident number.
    pub incident_number: String,
    /// The field concerned.
    pub field: String,
    /// What to know.
    pub message: String,
}

/// The answer to a batch.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct BatchReport {
    /// Calls stored new.
    pub created: usize,
    /// Stored calls that changed.
    pub updated: usize,
    /// Calls stored already, exactly so.
    pub unchanged: usize,
    /// Calls not stored (see `errors`).
    pub rejected: usize,
    /// Why each rejected call was rejected, by index.
    pub errors: Vec<RejectedCall>,
    /// Warnings about stored calls, e.g. responders not on the roster.
    pub warnings: Vec<BatchWarning>,
}

/// Where a call was.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationBody {
    /// Block address.
    pub address: Option<String>,
    /// Patrol beat.
    pub beat: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
}

/// A responder as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponderBody {
    /// Employee number as sent.
    pub employee_number: String,
    /// Their part on the call.
    pub role: ResponderRole,
    /// The personnel record it matched; `null` while the number is not on the roster.
    pub personnel_id: Option<PersonnelId>,
    /// Whether they held an active CIT certification on the call's day (city time zone).
    pub cit_certified_at_call: bool,
}

/// The person in crisis: shown to clinicians and admins only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectRef {
    /// Subject id.
    pub id: SubjectId,
    /// The sending system's pseudonymous id.
    pub external_id: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Veteran.
    pub veteran: Option<bool>,
}

/// A call for service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallBody {
    /// Id.
    pub id: CallId,
    /// Sending system.
    pub source: String,
    /// Incident number there.
    pub incident_number: String,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// The call's day in the city's time zone.
    pub received_on: NaiveDate,
    /// When dispatched.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// When the first unit arrived.
    pub arrived_at: Option<DateTime<Utc>>,
    /// When cleared.
    pub cleared_at: Option<DateTime<Utc>>,
    /// CAD call type code.
    pub call_type: Option<String>,
    /// Its description.
    pub call_type_description: Option<String>,
    /// CAD priority code.
    pub priority: Option<String>,
    /// How the call came in.
    pub call_source: Option<CallSource>,
    /// Where.
    pub location: LocationBody,
    /// A mental-health crisis call.
    pub mental_health: bool,
    /// The nature of the crisis.
    pub crisis_types: Vec<CrisisType>,
    /// Whether a CIT officer was asked for.
    pub cit_requested: Option<bool>,
    /// Whether any responder held an active CIT certification on the call's day.
    pub cit_on_scene: bool,
    /// Who answered.
    pub responders: Vec<ResponderBody>,
    /// The person in crisis: present only for clinicians and admins (who may see identities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<SubjectRef>,
    /// Whether the call has a subject (for every reader).
    pub has_subject: bool,
    /// How it ended.
    pub dispositions: Vec<Disposition>,
    /// The highest level of force used.
    pub force_level: Option<ForceLevel>,
    /// The person was injured.
    pub subject_injured: Option<bool>,
    /// An officer was injured.
    pub officer_injured: Option<bool>,
    /// A weapon involved.
    pub weapon_involved: Option<Weapon>,
    /// Version: goes up each time the RMS sends a changed call.
    pub version: i32,
    /// When first stored.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

fn labels<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl CsvRow for CallBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "source",
        "incident_number",
        "received_at",
        "received_on",
        "dispatched_at",
        "arrived_at",
        "cleared_at",
        "call_type",
        "call_type_description",
        "priority",
        "call_source",
        "address",
        "beat",
        "district",
        "latitude",
        "longitude",
        "mental_health",
        "crisis_types",
        "cit_requested",
        "cit_on_scene",
        "responders",
        "cit_responders",
        "subject_id",
        "subject_external_id",
        "dispositions",
        "force_level",
        "subject_injured",
        "officer_injured",
        "weapon_involved",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        let time = |t: Option<DateTime<Utc>>| cell(t.map(|t| t.to_rfc3339()));
        vec![
            self.id.to_string(),
            self.source.clone(),
            self.incident_number.clone(),
            self.received_at.to_rfc3339(),
            self.received_on.to_string(),
            time(self.dispatched_at),
            time(self.arrived_at),
            time(self.cleared_at),
            cell(self.call_type.as_ref()),
            cell(self.call_type_description.as_ref()),
            cell(self.priority.as_ref()),
            cell(self.call_source),
            cell(self.location.address.as_ref()),
            cell(self.location.beat.as_ref()),
            cell(self.location.district.as_ref()),
            cell(self.location.latitude),
            cell(self.location.longitude),
            self.mental_health.to_string(),
            labels(&self.crisis_types),
            cell(self.cit_requested),
            self.cit_on_scene.to_string(),
            self.responders.len().to_string(),
            self.responders
                .iter()
                .filter(|r| r.cit_certified_at_call)
                .count()
                .to_string(),
            cell(self.subject.as_ref().map(|s| s.id)),
            cell(self.subject.as_ref().map(|s| s.external_id.clone())),
            labels(&self.dispositions),
            cell(self.force_level),
            cell(self.subject_injured),
            cell(self.officer_injured),
            cell(self.weapon_involved),
            self.version.to_string(),
        ]
    }
}

/// Query of `GET /api/v1/calls`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Calls received on or after this day (city time zone).
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<NaiveDate>,
    /// Calls received on or before this day.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<NaiveDate>,
    /// Only mental-health calls (true) or only others (false).
    pub mental_health: Option<bool>,
    /// Only calls with (true) or without (false) a CIT-certified responder on scene.
    pub cit_on_scene: Option<bool>,
    /// Only calls with this disposition.
    pub disposition: Option<Disposition>,
    /// Only calls about this subject (clinician and admin).
    pub subject_id: Option<SubjectId>,
    /// Only calls in this beat.
    pub beat: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
