//! Login with lockout: five failed attempts within 15 minutes lock the account until an admin
//! unlocks it. An unknown username costs the same argon2 verification as a wrong password, and
//! both get the same answer.

use diesel_async::AsyncConnection;

use crate::audit::{Action, AuditEvent};
use crate::db::enums::AuditOutcome;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::state::AppState;
use crate::users::model as users;

use super::payloads::TokenPair;
use super::{throttle, tokens};

fn invalid_credentials() -> AppError {
    AppError::Unauthorized("the username or password is wrong".into())
}

fn locked() -> AppError {
    AppError::Locked(
        "the account is locked after too many failed logins; an administrator must unlock it"
            .into(),
    )
}

/// Checks the credentials and starts a session.
pub async fn login(
    state: &AppState,
    meta: &RequestMeta,
    username: &str,
    password_given: String,
) -> Result<TokenPair, AppError> {
    let username = username.trim().to_lowercase();
    // A client past its failures (counting its logins still being checked) gets 429 before
    // any password work.
    let (admission, user) = {
        let mut conn = state.db().await?;
        let admission = throttle::admit(&mut conn, meta.ip, state.clock.now()).await?;
        (
            admission,
            users::find_by_username(&mut conn, &username).await?,
        )
    };
    let stored = user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    // The connection went back to the pool: argon2 must not hold one while it runs.
    let matches = state.hasher.verify(password_given, stored).await?;
    let mut conn = state.db().await?;
    let event = AuditEvent::new(Action::AuthLogin);

    if matches {
        admission.passed(&mut conn).await?;
    }
    let Some(user) = user else {
        event
            .by_unknown(&username)
            .outcome(AuditOutcome::Failed)
            .details(serde_json::json!({ "reason": "unknown_user" }))
            .record(&mut conn, meta)
            .await?;
        return Err(invalid_credentials());
    };
    let event = event.by_user(user.id, &user.username).resource(user.id);

    if user.locked_at.is_some() {
        event
            .outcome(AuditOutcome::Denied)
            .details(serde_json::json!({ "reason": "locked" }))
            .record(&mut conn, meta)
            .await?;
        return Err(locked());
    }

    if !matches {
        let now_locked = conn
            .transaction::<_, AppError, _>(async |conn| {
                let conn = &mut Tx::of(conn)?;
                let now_locked =
                    users::record_login_failure(conn, user.id, state.clock.now()).await?;
                event
                    .outcome(AuditOutcome::Failed)
                    .details(serde_json::json!({ "reason": "wrong_password" }))
                    .record(conn, meta)
                    .await?;
                if now_locked {
                    AuditEvent::new(Action::AuthLockout)
                        .by_user(user.id, &user.username)
                        .resource(user.id)
                        .details(serde_json::json!({
                            "failures": users::LOCKOUT_THRESHOLD,
                            "window_minutes": users::LOCKOUT_WINDOW_MINUTES,
                        }))
                        .record(conn, meta)
                        .await?;
                }
                Ok(now_locked)
            })
            .await?;
        return Err(if now_locked {
            locked()
        } else {
            invalid_credentials()
        });
    }

    if user.disabled {
        event
            .outcome(AuditOutcome::Denied)
            .details(serde_json::json!({ "reason": "disabled" }))
            .record(&mut conn, meta)
            .await?;
        return Err(invalid_credentials());
    }

    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        users::clear_login_failures(conn, user.id).await?;
        let pair = tokens::start_session(conn, &state.jwt, &user, state.clock.now()).await?;
        event.record(conn, meta).await?;
        Ok(pair)
    })
    .await
}
