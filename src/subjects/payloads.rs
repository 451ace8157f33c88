//! Request and response bodies of the subject endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::Disposition;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CallId, SubjectId};

/// Query of `GET /api/v1/subjects`: the repeat-call list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    /// Only subjects with at least this many calls in the window (default 2).
    #[param(minimum = 1, maximum = 10000)]
    pub min_calls: Option<i64>,
    /// The window: the days up to and including today, city time (default 365).
    #[param(minimum = 1, maximum = 3660)]
    pub window_days: Option<i64>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A person in crisis, with their calls.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectBody {
    /// Subject id.
    pub id: SubjectId,
    /// The sending system.
    pub source: String,
    /// Its pseudonymous id for the person.
    pub external_id: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Veteran.
    pub veteran: Option<bool>,
    /// Calls about the person, ever.
    pub calls: i64,
    /// Calls in the window asked for (the list), or in the last 365 days (the detail).
    pub calls_in_window: i64,
    /// The first call's day (city time).
    pub first_call_on: Option<NaiveDate>,
    /// The latest call's day.
    pub last_call_on: Option<NaiveDate>,
    /// When first seen.
    pub created_at: DateTime<Utc>,
}

impl CsvRow for SubjectBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "source",
        "external_id",
        "year_of_birth",
        "veteran",
        "calls",
        "calls_in_window",
        "first_call_on",
        "last_call_on",
        "created_at",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.source.clone(),
            self.external_id.clone(),
            cell(self.year_of_birth),
            cell(self.veteran),
            self.calls.to_string(),
            self.calls_in_window.to_string(),
            cell(self.first_call_on),
            cell(self.last_call_on),
            self.created_at.to_rfc3339(),
        ]
    }
}

/// What happened to a subject, in time order.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineBody {
    /// The subject.
    pub subject: SubjectBody,
    /// Its events, oldest first: calls now; referrals and follow-ups join them when they exist.
    pub events: Vec<TimelineEvent>,
}

/// One event of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    /// What it is: `call`.
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The call.
    pub call_id: Option<CallId>,
    /// Its incident number.
    pub incident_number: Option<String>,
    /// A mental-health call.
    pub mental_health: Option<bool>,
    /// A CIT-certified responder was on scene.
    pub cit_on_scene: Option<bool>,
    /// How the call ended.
    pub dispositions: Vec<Disposition>,
}

impl CsvRow for TimelineEvent {
    const HEADER: &'static [&'static str] = &[
        "kind",
        "at",
        "call_id",
        "incident_number",
        "mental_health",
        "cit_on_scene",
        "dispositions",
    ];

    fn cells(&self) -> Vec<String> {
        let dispositions: Vec<String> = self.dispositions.iter().map(ToString::to_string).collect();
        vec![
            self.kind.clone(),
            self.at.to_rfc3339(),
            cell(self.call_id),
            cell(self.incident_number.as_ref()),
            cell(self.mental_health),
            cell(self.cit_on_scene),
            dispositions.join(" "),
        ]
    }
}
