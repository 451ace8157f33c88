//! Break-glass commands for the operator of the machine, for when no admin can log in (the only
//! admin locked out by failed logins, or its password lost): `cit-api unlock-user NAME` and
//! `cit-api reset-password NAME`. They need the database URL, not a token, and each is one
//! transaction with its audit row (actor `cli`, outcome success).

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent};
use crate::auth::password::Hasher;
use crate::auth::tokens;
use crate::clock::Clock;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::http::context::RequestMeta;

use super::bootstrap::random_password;
use super::model::{self, UserRow};

/// The actor name break-glass events carry.
pub const CLI_ACTOR: &str = "cli";

/// Why a break-glass command failed.
#[derive(Debug, thiserror::Error)]
pub enum BreakGlassError {
    /// No user has the name.
    #[error("no user is named {0:?}")]
    NoSuchUser(String),
    /// The database could not be reached or failed.
    #[error("{0}")]
    Database(String),
}

impl From<AppError> for BreakGlassError {
    fn from(error: AppError) -> Self {
        Self::Database(format!("{error:?}"))
    }
}

async fn connect(database_url: &str) -> Result<AsyncPgConnection, BreakGlassError> {
    AsyncPgConnection::establish(database_url)
        .await
        .map_err(|e| BreakGlassError::Database(e.to_string()))
}

async fn user(conn: &mut AsyncPgConnection, name: &str) -> Result<UserRow, BreakGlassError> {
    let name = name.trim().to_lowercase();
    model::find_by_username(conn, &name)
        .await
        .map_err(AppError::from)?
        .ok_or(BreakGlassError::NoSuchUser(name))
}

/// Unlocks a user and forgets its failed logins. Returns whether it was locked.
pub async fn unlock_user(
    database_url: &str,
    name: &str,
    clock: &Clock,
) -> Result<bool, BreakGlassError> {
    let mut conn = connect(database_url).await?;
    let found = user(&mut conn, name).await?;
    let meta = RequestMeta::startup();
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        model::unlock(conn, found.id).await?;
        AuditEvent::new(Action::UserUnlock)
            .by_unknown(CLI_ACTOR)
            .resource(found.id)
            .details(serde_json::json!({
                "was_locked": found.locked_at.is_some(),
                "via": "cli",
                "at": clock.now(),
            }))
            .record(conn, &meta)
            .await?;
        Ok(())
    })
    .await?;
    Ok(found.locked_at.is_some())
}

/// Gives a user a new random password (returned, to be shown once), unlocks it and ends all of
/// its sessions.
pub async fn reset_password(
    database_url: &str,
    name: &str,
    hasher: &Hasher,
) -> Result<String, BreakGlassError> {
    let mut conn = connect(database_url).await?;
    let found = user(&mut conn, name).await?;
    let password = random_password()?;
    let password_hash = hasher.hash(password.clone()).await?;
    let meta = RequestMeta::startup();
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        model::set_password(conn, found.id, &password_hash).await?;
        model::unlock(conn, found.id).await?;
        let revoked = tokens::revoke_user_sessions(conn, found.id, None).await?;
        AuditEvent::new(Action::UserPasswordReset)
            .by_unknown(CLI_ACTOR)
            .resource(found.id)
            .details(serde_json::json!({
                "sessions_revoked": revoked,
                "was_locked": found.locked_at.is_some(),
                "via": "cli",
            }))
            .record(conn, &meta)
            .await?;
        Ok(())
    })
    .await?;
    Ok(password)
}
