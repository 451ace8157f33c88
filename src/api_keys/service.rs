//! Making and revoking API keys, and what a presented key is worth.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent};
use crate::auth::tokens::{digest, random_token};
use crate::auth::{Caller, Principal};
use crate::db::enums::Role;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::ids::ApiKeyId;
use crate::validation::{self, Errors};

use super::model::{self, ApiKeyRow, NewApiKey};
use super::payloads::CreateApiKey;

/// What every key starts with: tells a key from an access token at a glance.
pub const KEY_PREFIX: &str = "citk_";

/// The roles a key may hold.
pub const KEY_ROLES: &[Role] = &[Role::Integration];

/// Whether a bearer credential is an API key (else it is an access token).
pub fn is_api_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// A new key: `citk_<8 hex>_<43 base64url>`, its prefix and its digest.
fn generate() -> Result<(String, String, Vec<u8>), AppError> {
    let mut tag = [0u8; 4];
    getrandom::fill(&mut tag).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let prefix = format!(
        "{KEY_PREFIX}{}",
        tag.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let key = format!("{prefix}_{}", random_token()?);
    let digest = digest(&key);
    Ok((key, prefix, digest))
}

/// Makes a key; returns its row and the key itself (to be shown once).
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateApiKey,
    now: DateTime<Utc>,
) -> Result<(ApiKeyRow, String), AppError> {
    let mut errors = Errors::default();
    let name = errors.check("name", validation::text(&input.name, 100));
    let mut roles = input.roles;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        errors.add("roles", "at least one role is required");
    } else if let Some(role) = roles.iter().find(|role| !KEY_ROLES.contains(role)) {
        errors.add(
            "roles",
            format!("an API key may hold only `integration` for now, not `{role}`"),
        );
    }
    let Some(name) = name else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let (key, prefix, digest) = generate()?;
    let new = NewApiKey {
        id: ApiKeyId::generate(),
        name,
        prefix,
        digest,
        roles,
        created_by: actor.user_id(),
        created_at: now,
    };
    let row = conn
        .transaction::<_, AppError, _>(async |conn| {
            let conn = &mut Tx::of(conn)?;
            let row = model::insert(conn, &new).await?;
            AuditEvent::new(Action::ApiKeyCreate)
                .by(actor)
                .resource(row.id)
                .details(serde_json::json!({ "roles": row.roles, "prefix": row.prefix }))
                .record(conn, meta)
                .await?;
            Ok(row)
        })
        .await?;
    Ok((row, key))
}

/// Revokes a key: requests with it are refused from now on. 409 when already revoked.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: ApiKeyId,
    now: DateTime<Utc>,
) -> Result<ApiKeyRow, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id).await.or_not_found("API key")?;
        if current.revoked_at.is_some() {
            return Err(AppError::Conflict("the API key is already revoked".into()));
        }
        let row = model::revoke(conn, id, actor.user_id(), now).await?;
        AuditEvent::new(Action::ApiKeyRevoke)
            .by(actor)
            .resource(id)
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// The caller a presented key stands for, in one statement; 401 for an unknown or revoked key.
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(Caller, DateTime<Utc>), AppError> {
    let Some(holder) = model::authenticate(conn, &digest(key), now).await? else {
        return Err(AppError::Unauthorized("the API key is not known".into()));
    };
    if holder.revoked_at.is_some() {
        return Err(AppError::Unauthorized("the API key is revoked".into()));
    }
    let record_next = holder.last_used_at.unwrap_or(now) + model::RECORD_USE_EVERY;
    let caller = Caller {
        principal: Principal::ApiKey { id: holder.id },
        name: holder.name,
        roles: holder.roles,
        personnel_id: None,
        partner_id: None,
    };
    Ok((caller, record_next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_prefixed_and_only_their_digest_is_kept() {
        let (key, prefix, stored) = generate().unwrap();
        let (other, other_prefix, _) = generate().unwrap();
        assert!(is_api_key(&key));
        assert!(key.starts_with(&format!("{prefix}_")));
        assert_eq!(prefix.len(), KEY_PREFIX.len() + 8);
        assert_eq!(key.len(), prefix.len() + 1 + 43);
        assert_ne!(key, other);
        assert_ne!(prefix, other_prefix);
        assert_eq!(stored, digest(&key));
        assert!(!is_api_key("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
