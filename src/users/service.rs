//! What the user endpoints do, between parsing and the database: validation, the last-admin
//! guard, session revocation and the audit events.
//!
//! Steps that touch the database take the caller's connection (or transaction). Argon2 never
//! runs while a pooled connection is held, so creating a user is two steps (`prepare` hashes,
//! `create` stores), and the two password flows (`set_password`, `change_own_password`) take
//! the state and borrow a connection only around their statements.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::password::{Hasher, PasswordPolicy};
use crate::auth::{AuthUser, Caller, tokens};
use crate::db::enums::{AuditOutcome, Role};
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::UserId;
use crate::state::AppState;
use crate::validation::{Errors, not_null};

use super::model::{self, NewUser, UserChanges, UserRow};
use super::payloads::{ChangePassword, CreateUser, UpdateUser};
use super::validate;

/// Checks a new user and hashes its password (no connection needed or held): the row
/// [`create`] stores.
pub async fn prepare(
    passwords: &PasswordPolicy,
    hasher: &Hasher,
    input: CreateUser,
) -> Result<NewUser, AppError> {
    let mut errors = Errors::default();
    let username = errors.check("username", validate::username(&input.username));
    let display_name = errors.check("display_name", validate::display_name(&input.display_name));
    let roles = errors.check("roles", validate::roles(input.roles));
    if let Some(roles) = &roles {
        errors.check(
            "partner_id",
            validate::partner_link(roles, input.partner_id),
        );
    }
    let policy_name = username
        .clone()
        .unwrap_or_else(|| input.username.to_lowercase());
    errors.check("password", passwords.check(&input.password, &policy_name));
    let (Some(username), Some(display_name), Some(roles)) = (username, display_name, roles) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    Ok(NewUser {
        id: UserId::generate(),
        username,
        display_name,
        password_hash: hasher.hash(input.password).await?,
        roles,
        personnel_id: input.personnel_id,
        partner_id: input.partner_id,
    })
}

/// Stores a user [`prepare`] made, with its audit row.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    user: &NewUser,
) -> Result<UserRow, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = model::insert(conn, user).await?;
        AuditEvent::new(Action::UserCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "username": row.username, "roles": row.roles }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Applies a merge patch to a user.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: UserId,
    if_match: IfMatch,
    patch: UpdateUser,
) -> Result<UserRow, AppError> {
    let mut errors = Errors::default();
    let display_name = not_null(&mut errors, "display_name", patch.display_name)
        .and_then(|name| errors.check("display_name", validate::display_name(&name)));
    let roles = not_null(&mut errors, "roles", patch.roles)
        .and_then(|roles| errors.check("roles", validate::roles(roles)));
    let disabled = not_null(&mut errors, "disabled", patch.disabled);
    errors.finish()?;

    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        // Roles or the disabled flag may take away an admin: lock the admin set first (key
        // order, before the target row), so the rule below reads a set nobody else can change.
        let admins = if roles.is_some() || disabled.is_some() {
            Some(model::lock_enabled_admins(conn).await?)
        } else {
            None
        };
        let current = model::find_for_update(conn, id)
            .await
            .or_not_found("user")?;
        if_match.check(current.version)?;

        let roles_after = roles.as_deref().unwrap_or(&current.roles);
        let partner_after = patch.partner_id.unwrap_or(current.partner_id);
        validate::partner_link(roles_after, partner_after)
            .map_err(|message| AppError::invalid("partner_id", message))?;
        let admin_before = current.roles.contains(&Role::Admin) && !current.disabled;
        let admin_after =
            roles_after.contains(&Role::Admin) && !disabled.unwrap_or(current.disabled);
        let others = admins.as_deref().map_or(0, |admins| {
            admins.iter().filter(|admin| **admin != id).count()
        });
        if admin_before && !admin_after && others == 0 {
            return Err(AppError::Conflict(
                "this change would leave no enabled admin".into(),
            ));
        }

        let changes = UserChanges {
            display_name: display_name.filter(|name| *name != current.display_name),
            roles: roles.filter(|roles| *roles != current.roles),
            personnel_id: patch
                .personnel_id
                .filter(|link| *link != current.personnel_id),
            partner_id: patch.partner_id.filter(|link| *link != current.partner_id),
            disabled: disabled.filter(|flag| *flag != current.disabled),
        };
        let changed = changes.fields();
        if changed.is_empty() {
            return Ok(current);
        }
        let row = model::update(conn, id, &changes).await?;
        if changes.disabled == Some(true) {
            tokens::revoke_user_sessions(conn, id, None).await?;
        }
        AuditEvent::new(Action::UserUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": changed }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Unlocks a locked user.
pub async fn unlock(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: UserId,
) -> Result<UserRow, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::find_for_update(conn, id)
            .await
            .or_not_found("user")?;
        let row = model::unlock(conn, id).await?;
        AuditEvent::new(Action::UserUnlock)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "was_locked": current.locked_at.is_some() }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// An admin sets a user's password; every session of that user ends.
pub async fn set_password(
    state: &AppState,
    actor: &Caller,
    meta: &RequestMeta,
    id: UserId,
    new_password: String,
) -> Result<(), AppError> {
    let user = model::find(&mut *state.db().await?, id)
        .await
        .or_not_found("user")?;
    state
        .passwords
        .check(&new_password, &user.username)
        .map_err(|message| AppError::invalid("new_password", message))?;
    // No pooled connection is held while argon2 runs.
    let password_hash = state.hasher.hash(new_password).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        model::set_password(conn, id, &password_hash).await?;
        let revoked = tokens::revoke_user_sessions(conn, id, None).await?;
        AuditEvent::new(Action::UserPasswordReset)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "sessions_revoked": revoked }))
            .record(conn, meta)
            .await?;
        Ok(())
    })
    .await?;
    Ok(())
}

/// The caller changes their own password; their other sessions end. A wrong current password
/// counts as a failed login towards the lockout.
pub async fn change_own_password(
    state: &AppState,
    caller: &AuthUser,
    meta: &RequestMeta,
    input: ChangePassword,
) -> Result<(), AppError> {
    let user = model::find(&mut *state.db().await?, caller.id).await?;
    let mut errors = Errors::default();
    errors.check(
        "new_password",
        state.passwords.check(&input.new_password, &user.username),
    );
    if input.new_password == input.current_password {
        errors.add("new_password", "must differ from the current password");
    }
    errors.finish()?;

    // No pooled connection is held while argon2 runs.
    let matches = state
        .hasher
        .verify(input.current_password, user.password_hash.clone())
        .await?;
    let event = AuditEvent::new(Action::AuthPasswordChange)
        .by(&caller.caller())
        .resource(caller.id);
    if !matches {
        let now_locked = state
            .pool
            .get()
            .await?
            .transaction::<_, AppError, _>(async |conn| {
                let conn = &mut Tx::of(conn)?;
                let now_locked = model::record_login_failure(conn, caller.id, state.clock.now()).await?;
                event
                    .outcome(AuditOutcome::Failed)
                    .details(serde_json::json!({ "reason": "wrong_current_password", "locked": now_locked }))
                    .record(conn, meta)
                    .await?;
                Ok(now_locked)
            })
            .await?;
        return Err(if now_locked {
            AppError::Locked("the account is locked after too many failed attempts".into())
        } else {
            AppError::invalid("current_password", "does not match the password in use")
        });
    }

    let password_hash = state.hasher.hash(input.new_password).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        model::set_password(conn, caller.id, &password_hash).await?;
        model::clear_login_failures(conn, caller.id).await?;
        let revoked = tokens::revoke_user_sessions(conn, caller.id, Some(caller.session)).await?;
        event
            .details(serde_json::json!({ "other_sessions_revoked": revoked }))
            .record(conn, meta)
            .await?;
        Ok(())
    })
    .await?;
    Ok(())
}
