//! Request and response bodies of the subject endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{Disposition, FollowUpStatus, ReferralStatus};
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CallId, FollowUpId, PartnerId, ReferralId, SubjectId};

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
    /// Their calls, referrals and follow-ups, oldest first.
    pub events: Vec<TimelineEvent>,
}

/// What a timeline event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub enum EventKind {
    /// A call for service (at `received_at`).
    #[serde(rename = "call")]
    Call,
    /// A referral to a partner (at `sent_at`).
    #[serde(rename = "referral")]
    Referral,
    /// A follow-up (at its due time).
    #[serde(rename = "follow_up")]
    FollowUp,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Referral => "referral",
            Self::FollowUp => "follow_up",
        }
    }
}

/// One event of a timeline: the fields of its kind are set, the others `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    /// What it is.
    pub kind: EventKind,
    /// When: a call's `received_at`, a referral's `sent_at`, a follow-up's due time.
    pub at: DateTime<Utc>,
    /// The call (a call, or what a referral or follow-up came from).
    pub call_id: Option<CallId>,
    /// A call's incident number.
    pub incident_number: Option<String>,
    /// A mental-health call.
    pub mental_health: Option<bool>,
    /// A CIT-certified responder was on scene.
    pub cit_on_scene: Option<bool>,
    /// How the call ended.
    pub dispositions: Vec<Disposition>,
    /// The referral (a referral, or what a follow-up came from).
    pub referral_id: Option<ReferralId>,
    /// The partner a referral went to.
    pub partner_id: Option<PartnerId>,
    /// Where a referral stands.
    pub referral_status: Option<ReferralStatus>,
    /// When the person engaged with the referral's partner.
    pub engaged_at: Option<DateTime<Utc>>,
    /// The follow-up.
    pub follow_up_id: Option<FollowUpId>,
    /// Where a follow-up stands (its outcome note is read at `/follow-ups/{id}`).
    pub follow_up_status: Option<FollowUpStatus>,
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
        "referral_id",
        "partner_id",
        "referral_status",
        "engaged_at",
        "follow_up_id",
        "follow_up_status",
    ];

    fn cells(&self) -> Vec<String> {
        let dispositions: Vec<String> = self.dispositions.iter().map(ToString::to_string).collect();
        vec![
            self.kind.as_str().to_owned(),
            self.at.to_rfc3339(),
            cell(self.call_id),
            cell(self.incident_number.as_ref()),
            cell(self.mental_health),
            cell(self.cit_on_scene),
            dispositions.join(" "),
            cell(self.referral_id),
            cell(self.partner_id),
            cell(self.referral_status),
            cell(self.engaged_at.map(|t| t.to_rfc3339())),
            cell(self.follow_up_id),
            cell(self.follow_up_status),
        ]
    }
}
