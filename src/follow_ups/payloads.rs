//! Request and response bodies of the follow-up endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{FollowUpMethod, FollowUpStatus};
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CallId, FollowUpId, PersonnelId, ReferralId, SubjectId};
use crate::validation::present;

/// A follow-up: a clinician's contact with a person after a call or a referral.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpBody {
    /// Id.
    pub id: FollowUpId,
    /// The person.
    pub subject_id: SubjectId,
    /// The call it follows.
    pub call_id: Option<CallId>,
    /// The referral it follows.
    pub referral_id: Option<ReferralId>,
    /// Who does it (personnel); `null` while unassigned.
    pub assigned_to: Option<PersonnelId>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// How.
    pub method: FollowUpMethod,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Still open (`scheduled` or `attempted`) and past its due time.
    pub overdue: bool,
    /// What came of it (clinical: clinicians and admins only).
    pub outcome_note: Option<String>,
    /// Scheduled by a mental-health call (not by hand).
    pub scheduled_by_call: bool,
    /// Every change of status, oldest first.
    pub transitions: Vec<FollowUpMove>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

impl CsvRow for FollowUpBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "subject_id",
        "call_id",
        "referral_id",
        "assigned_to",
        "due_at",
        "method",
        "status",
        "overdue",
        "outcome_note",
        "scheduled_by_call",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.subject_id.to_string(),
            cell(self.call_id),
            cell(self.referral_id),
            cell(self.assigned_to),
            self.due_at.to_rfc3339(),
            self.method.to_string(),
            self.status.to_string(),
            self.overdue.to_string(),
            cell(self.outcome_note.as_ref()),
            self.scheduled_by_call.to_string(),
            self.version.to_string(),
        ]
    }
}

/// One change of a follow-up's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowUpMove {
    /// From.
    pub from: FollowUpStatus,
    /// To.
    pub to: FollowUpStatus,
    /// Who (a user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_user_id: Option<crate::ids::UserId>,
    /// Their username.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// `POST /api/v1/follow-ups/{id}/transitions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpTransition {
    /// The status to move to: `attempted`, `completed`, `unable_to_contact`, `declined`,
    /// `cancelled`.
    pub to: FollowUpStatus,
    /// What came of it (replaces the outcome note when given).
    #[serde(default)]
    pub outcome_note: Option<String>,
}

/// `POST /api/v1/follow-ups`: a follow-up scheduled by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFollowUp {
    /// The person.
    pub subject_id: SubjectId,
    /// The call it follows (it must concern the same person).
    #[serde(default)]
    pub call_id: Option<CallId>,
    /// The referral it follows (the same person's).
    #[serde(default)]
    pub referral_id: Option<ReferralId>,
    /// Who does it; default the caller's personnel record (unassigned without one).
    #[serde(default)]
    pub assigned_to: Option<PersonnelId>,
    /// When it is due: now or later.
    pub due_at: DateTime<Utc>,
    /// How.
    pub method: FollowUpMethod,
}

/// `PATCH /api/v1/follow-ups/{id}` (JSON merge patch; the status moves by
/// `POST …/transitions`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFollowUp {
    /// Who does it, or `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub assigned_to: Option<Option<PersonnelId>>,
    /// A new due time: now or later.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// How.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<FollowUpMethod>)]
    pub method: Option<Option<FollowUpMethod>>,
    /// What came of it, or `null` to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub outcome_note: Option<Option<String>>,
}

/// Query of `GET /api/v1/follow-ups`: the work list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// Only those assigned to this person.
    pub assigned_to: Option<PersonnelId>,
    /// `true`: only unassigned ones.
    pub unassigned: Option<bool>,
    /// Only those in this status.
    pub status: Option<FollowUpStatus>,
    /// `true`: only open ones past their due time; `false`: only those that are not.
    pub overdue: Option<bool>,
    /// Only those of this person.
    pub subject_id: Option<SubjectId>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
