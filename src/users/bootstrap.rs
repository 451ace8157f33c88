//! The first admin: made at start when no user holds the admin role, from
//! `CIT_ADMIN_USERNAME`/`CIT_ADMIN_PASSWORD`, or as `admin` with a random password that the
//! caller prints once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel_async::AsyncConnection;

use crate::audit::{Action, AuditEvent};
use crate::db::enums::Role;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::ids::UserId;
use crate::state::AppState;

use super::model::{self, NewUser};
use super::validate;

/// What start-up found or made.
#[derive(Debug)]
pub enum FirstAdmin {
    /// An admin exists; nothing was done.
    AlreadyThere,
    /// An admin was made.
    Created {
        /// Its username.
        username: String,
        /// The random password, when none was configured: print it once.
        generated_password: Option<String>,
    },
}

/// Why the first admin could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The configured username breaks the username rules.
    #[error("CIT_ADMIN_USERNAME {0}")]
    Username(String),
    /// The configured password breaks the password rules.
    #[error("CIT_ADMIN_PASSWORD {0}")]
    Password(String),
    /// The configured username belongs to a user without the admin role.
    #[error("CIT_ADMIN_USERNAME names an existing user who is not an admin; choose another name")]
    Taken,
    /// The database failed.
    #[error("{0}")]
    Failed(#[from] AppError),
}

/// 24 random URL-safe characters (144 bits).
pub(crate) fn random_password() -> Result<String, AppError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Makes the first admin when there is none.
pub async fn ensure_admin(
    state: &AppState,
    username: Option<&str>,
    configured_password: Option<&str>,
) -> Result<FirstAdmin, BootstrapError> {
    let mut conn = state.pool.get().await.map_err(AppError::from)?;
    if model::any_admin(&mut conn).await.map_err(AppError::from)? {
        return Ok(FirstAdmin::AlreadyThere);
    }
    let username =
        validate::username(username.unwrap_or("admin")).map_err(BootstrapError::Username)?;
    let (password, generated) = match configured_password {
        Some(password) => {
            state
                .passwords
                .check(password, &username)
                .map_err(BootstrapError::Password)?;
            (password.to_owned(), false)
        }
        None => (random_password()?, true),
    };
    if model::find_by_username(&mut conn, &username)
        .await
        .map_err(AppError::from)?
        .is_some()
    {
        return Err(BootstrapError::Taken);
    }
    let password_hash = state.hasher.hash(password.clone()).await?;
    let meta = RequestMeta::startup();
    let created = conn
        .transaction::<_, AppError, _>(async |conn| {
            let conn = &mut Tx::of(conn)?;
            let row = model::insert(
                conn,
                &NewUser {
                    id: UserId::generate(),
                    username: username.clone(),
                    display_name: "Administrator".to_owned(),
                    password_hash,
                    roles: vec![Role::Admin],
                    personnel_id: None,
                    partner_id: None,
                },
            )
            .await?;
            AuditEvent::new(Action::UserBootstrapAdmin)
                .resource(row.id)
                .details(serde_json::json!({ "username": row.username, "generated_password": generated }))
                .record(conn, &meta)
                .await?;
            Ok(())
        })
        .await;
    match created {
        Ok(()) => Ok(FirstAdmin::Created {
            username,
            generated_password: generated.then_some(password),
        }),
        // Another instance made it at the same moment.
        Err(AppError::Conflict(_)) => Ok(FirstAdmin::AlreadyThere),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_password_passes_the_rules() {
        let policy = crate::auth::password::PasswordPolicy::new();
        let generated = random_password().unwrap();
        assert_eq!(generated.len(), 24);
        assert!(policy.check(&generated, "admin").is_ok());
    }
}
