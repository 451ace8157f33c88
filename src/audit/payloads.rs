//! Request and response bodies of the audit endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::enums::AuditOutcome;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{ApiKeyId, AuditEventId, UserId};

use super::model::AuditRow;

/// Query of `GET /api/v1/audit-events`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The actor: a user id, an API key id, or a username or API key name.
    pub actor: Option<String>,
    /// Exact action, e.g. `auth.login`.
    pub action: Option<String>,
    /// Exact resource type, e.g. `user`.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Outcome.
    pub outcome: Option<AuditOutcome>,
    /// Events at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventBody {
    /// Id.
    pub id: AuditEventId,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it, when a user did.
    pub actor_user_id: Option<UserId>,
    /// Which API key did it, when a machine client did.
    pub actor_api_key_id: Option<ApiKeyId>,
    /// The actor's username, the API key's name, or the name tried at a failed login.
    pub actor_username: Option<String>,
    /// What was done, e.g. `auth.login`, `user.update`, `access.denied`.
    pub action: String,
    /// The kind of record.
    pub resource_type: String,
    /// Which record.
    pub resource_id: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// The caller's address.
    pub ip: Option<String>,
    /// The request id (matches the `X-Request-Id` the caller got).
    pub request_id: Option<Uuid>,
    /// Ids, field names and reasons.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditRow> for AuditEventBody {
    fn from(row: AuditRow) -> Self {
        let AuditRow {
            id,
            occurred_at,
            actor_user_id,
            actor_username,
            action,
            resource_type,
            resource_id,
            outcome,
            ip,
            request_id,
            details,
            actor_api_key_id,
        } = row;
        Self {
            id,
            occurred_at,
            actor_user_id,
            actor_api_key_id,
            actor_username,
            action,
            resource_type,
            resource_id,
            outcome,
            ip,
            request_id,
            details,
        }
    }
}

impl CsvRow for AuditEventBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "occurred_at",
        "actor_user_id",
        "actor_api_key_id",
        "actor_username",
        "action",
        "resource_type",
        "resource_id",
        "outcome",
        "ip",
        "request_id",
        "details",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.occurred_at.to_rfc3339(),
            cell(self.actor_user_id),
            cell(self.actor_api_key_id),
            cell(self.actor_username.as_ref()),
            self.action.clone(),
            self.resource_type.clone(),
            cell(self.resource_id.as_ref()),
            self.outcome.to_string(),
            cell(self.ip.as_ref()),
            cell(self.request_id),
            self.details.to_string(),
        ]
    }
}
