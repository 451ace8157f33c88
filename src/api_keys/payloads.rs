//! Request and response bodies of the API-key endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::Role;
use crate::http::csv::{CsvRow, cell};
use crate::ids::ApiKeyId;

use super::model::ApiKeyRow;

/// An API key as admins see it. The key itself is shown only once, when it is made.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyBody {
    /// Id.
    pub id: ApiKeyId,
    /// What the key is for, e.g. `rms`.
    pub name: String,
    /// Roles the key holds.
    pub roles: Vec<Role>,
    /// The key's first characters, to tell keys apart (`citk_1a2b3c4d`).
    pub prefix: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (to the minute); `null` when never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; `null` while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKeyBody {
    fn from(row: ApiKeyRow) -> Self {
        let ApiKeyRow {
            id,
            name,
            prefix,
            roles,
            created_by: _,
            created_at,
            last_used_at,
            revoked_at,
            revoked_by: _,
        } = row;
        Self {
            id,
            name,
            roles,
            prefix,
            created_at,
            last_used_at,
            revoked_at,
        }
    }
}

impl CsvRow for ApiKeyBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "roles",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ];

    fn cells(&self) -> Vec<String> {
        let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        vec![
            self.id.to_string(),
            self.name.clone(),
            roles.join(" "),
            self.prefix.clone(),
            self.created_at.to_rfc3339(),
            cell(self.last_used_at.map(|at| at.to_rfc3339())),
            cell(self.revoked_at.map(|at| at.to_rfc3339())),
        ]
    }
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for (1–100 characters); unique among live keys.
    #[schema(example = "rms")]
    pub name: String,
    /// The roles the key holds: only `integration` for now.
    #[schema(example = json!(["integration"]), min_items = 1)]
    pub roles: Vec<Role>,
}

/// A key just made: the only time the key itself is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// The key's record.
    #[serde(flatten)]
    pub body: ApiKeyBody,
    /// The key: send it as `Authorization: Bearer <key>`. Shown this once; only its digest is
    /// kept.
    #[schema(example = "citk_1a2b3c4d_…")]
    pub key: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("body", &self.body)
            .field("key", &crate::config::REDACTED)
            .finish()
    }
}
