//! Request and response bodies of the referral endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{CloseReason, ConsentMethod, ConsentScope, ReferralStatus};
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CallId, PartnerId, PersonnelId, ReferralId, ServiceId, SubjectId, UserId};

/// The person's consent to the referral.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// Consent was obtained; a referral is never sent without it.
    pub obtained: bool,
    /// How it was given.
    pub method: ConsentMethod,
    /// What may be shared: `contact` (the need and how to reach the person) or `need_only`.
    pub scope: ConsentScope,
}

/// How the partner may reach the person (kept only with consent of scope `contact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// The name the person gave.
    pub name: String,
    /// A telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// When to call, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_time: Option<String>,
}

/// One move of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// From.
    pub from: ReferralStatus,
    /// To.
    pub to: ReferralStatus,
    /// Why it was closed (closing moves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CloseReason>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who moved it (a user; absent for an API key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_user_id: Option<UserId>,
    /// Their username.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A referral. Partner users see the fields a partner needs (the need, the dates, its service,
/// the status and, with consent of scope `contact`, the contact); the subject, the call,
/// consent, who referred and the transitions' notes are shown to clinicians and admins only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralBody {
    /// Id.
    pub id: ReferralId,
    /// The partner it was sent to.
    pub partner_id: PartnerId,
    /// The partner's service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<ServiceId>,
    /// What the person needs.
    pub need: String,
    /// Where it stands.
    pub status: ReferralStatus,
    /// Sent at (when consent was recorded).
    pub sent_at: DateTime<Utc>,
    /// When the partner acknowledged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the person engaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engaged_at: Option<DateTime<Utc>>,
    /// When it was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<CloseReason>,
    /// How to reach the person (consent of scope `contact` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBody>,
    /// Version for `If-Match`.
    pub version: i32,
    /// Clinicians and admins: the person referred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_id: Option<SubjectId>,
    /// Clinicians and admins: the call it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_id: Option<CallId>,
    /// Clinicians and admins: the consent recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentBody>,
    /// Clinicians and admins: who referred (personnel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<PersonnelId>,
    /// Clinicians and admins: every move, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Vec<TransitionBody>>,
}

impl CsvRow for ReferralBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "partner_id",
        "service_id",
        "status",
        "sent_at",
        "acknowledged_at",
        "engaged_at",
        "closed_at",
        "close_reason",
        "subject_id",
        "call_id",
        "referred_by",
        "version",
    ];

    /// The need and the contact stay out of CSV: a spreadsheet travels further than the API.
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.partner_id.to_string(),
            cell(self.service_id),
            self.status.to_string(),
            self.sent_at.to_rfc3339(),
            cell(self.acknowledged_at.map(|t| t.to_rfc3339())),
            cell(self.engaged_at.map(|t| t.to_rfc3339())),
            cell(self.closed_at.map(|t| t.to_rfc3339())),
            cell(self.close_reason),
            cell(self.subject_id),
            cell(self.call_id),
            cell(self.referred_by),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/referrals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferral {
    /// The person referred.
    pub subject_id: SubjectId,
    /// The call it comes from (it must concern the same person).
    #[serde(default)]
    pub call_id: Option<CallId>,
    /// The partner (active).
    pub partner_id: PartnerId,
    /// One of the partner's services that accepts referrals.
    #[serde(default)]
    pub service_id: Option<ServiceId>,
    /// What the person needs, in words the partner will read.
    #[schema(example = "Outpatient counselling; prefers afternoons")]
    pub need: String,
    /// The consent obtained.
    pub consent: ConsentBody,
    /// How to reach the person; dropped unless consent's scope is `contact`.
    #[serde(default)]
    pub contact: Option<ContactBody>,
    /// Who refers (personnel); default the caller's linked personnel record.
    #[serde(default)]
    pub referred_by: Option<PersonnelId>,
}

/// `POST /api/v1/referrals/{id}/transitions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The status to move to.
    pub to: ReferralStatus,
    /// Why (required when closing, refused otherwise).
    #[serde(default)]
    pub reason: Option<CloseReason>,
    /// A note (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// Query of `GET /api/v1/referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// Only referrals in this status.
    pub status: Option<ReferralStatus>,
    /// Only those sent to this partner.
    pub partner_id: Option<PartnerId>,
    /// Only those of this person (clinicians and admins).
    pub subject_id: Option<SubjectId>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
