//! Request and response bodies of the user endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::REDACTED;
use crate::db::enums::Role;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{PartnerId, PersonnelId, UserId};
use crate::validation::present;

use super::model::UserRow;

/// A user as admins see it. Passwords and hashes never leave the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    /// Id.
    pub id: UserId,
    /// Login name (lower case).
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<PersonnelId>,
    /// Linked community partner (partner users).
    pub partner_id: Option<PartnerId>,
    /// A disabled user can neither log in nor use a token.
    pub disabled: bool,
    /// Locked after too many failed logins, until an admin unlocks.
    pub locked: bool,
    /// When the user was made.
    pub created_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl From<UserRow> for UserBody {
    fn from(row: UserRow) -> Self {
        let UserRow {
            id,
            username,
            display_name,
            password_hash: _,
            roles,
            personnel_id,
            partner_id,
            disabled,
            locked_at,
            password_changed_at: _,
            created_at,
            updated_at: _,
            version,
        } = row;
        Self {
            id,
            username,
            display_name,
            roles,
            personnel_id,
            partner_id,
            disabled,
            locked: locked_at.is_some(),
            created_at,
            version,
        }
    }
}

impl CsvRow for UserBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "username",
        "display_name",
        "roles",
        "personnel_id",
        "partner_id",
        "disabled",
        "locked",
        "created_at",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        vec![
            self.id.to_string(),
            self.username.clone(),
            self.display_name.clone(),
            roles.join(" "),
            cell(self.personnel_id),
            cell(self.partner_id),
            self.disabled.to_string(),
            self.locked.to_string(),
            self.created_at.to_rfc3339(),
            self.version.to_string(),
        ]
    }
}

/// The caller's own account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<PersonnelId>,
}

impl From<UserRow> for MeBody {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            roles: row.roles,
            personnel_id: row.personnel_id,
        }
    }
}

/// `POST /api/v1/users`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 3–64 characters of `a-z 0-9 . _ @ -` (stored lower case); unique.
    #[schema(example = "jrivera")]
    pub username: String,
    /// Name shown to people.
    #[schema(example = "Jo Rivera")]
    pub display_name: String,
    /// One or more roles.
    #[schema(example = json!(["coordinator"]), min_items = 1)]
    pub roles: Vec<Role>,
    /// 12–128 characters, not containing the username, not a common password.
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
    /// Link to a personnel record.
    pub personnel_id: Option<PersonnelId>,
    /// Link to a community partner; required with the `partner` role.
    pub partner_id: Option<PartnerId>,
}

/// `PATCH /api/v1/users/{id}` (JSON merge patch: absent fields are left alone, `null` clears
/// a link).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// New display name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// New roles (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Role>>)]
    pub roles: Option<Option<Vec<Role>>>,
    /// New personnel link, or `null` to unlink.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub personnel_id: Option<Option<PersonnelId>>,
    /// New partner link, or `null` to unlink.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub partner_id: Option<Option<PartnerId>>,
    /// Disable (true) or enable (false). Disabling revokes the user's sessions at once.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub disabled: Option<Option<bool>>,
}

/// `POST /api/v1/users/{id}/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// 12–128 characters, not containing the username, not a common password.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// `POST /api/v1/me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password in use now.
    pub current_password: String,
    /// 12–128 characters, not containing the username, not a common password.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

// Passwords never reach a log line through `Debug`.
impl std::fmt::Debug for CreateUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("roles", &self.roles)
            .field("password", &REDACTED)
            .field("personnel_id", &self.personnel_id)
            .field("partner_id", &self.partner_id)
            .finish()
    }
}

impl std::fmt::Debug for SetPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetPassword")
            .field("new_password", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePassword")
            .field("current_password", &REDACTED)
            .field("new_password", &REDACTED)
            .finish()
    }
}

/// Query of `GET /api/v1/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of the username or display name (case-insensitive).
    #[param(pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Holds this role.
    pub role: Option<Role>,
    /// Disabled or not.
    pub disabled: Option<bool>,
    /// Locked or not.
    pub locked: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_password() {
        let create: CreateUser = serde_json::from_str(
            r#"{"username": "ana", "display_name": "Ana", "roles": ["analyst"],
                "password": "violet lantern harbor"}"#,
        )
        .unwrap();
        let set: SetPassword =
            serde_json::from_str(r#"{"new_password": "violet lantern harbor"}"#).unwrap();
        let change: ChangePassword = serde_json::from_str(
            r#"{"current_password": "old lantern harbor", "new_password": "violet lantern harbor"}"#,
        )
        .unwrap();
        for printed in [
            format!("{create:?}"),
            format!("{set:?}"),
            format!("{change:?}"),
        ] {
            assert!(!printed.contains("lantern"), "{printed}");
            assert!(printed.contains("***"), "{printed}");
        }
    }
}
