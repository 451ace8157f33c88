//! `/auth` endpoints: login, refresh, logout.

use actix_web::{HttpResponse, post, web};
use diesel_async::AsyncConnection;

use crate::audit::{Action, AuditEvent};
use crate::db::enums::AuditOutcome;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::http::json::JsonBody;
use crate::state::AppData;

use super::extract::AuthUser;
use super::login as service;
use super::payloads::{LoginRequest, RefreshRequest, TokenPair};
use super::tokens::{self, Refresh};

/// Log in with a username and password.
///
/// Anyone may call it. A wrong username and a wrong password get the same 401 in about the
/// same time. Five failed attempts within 15 minutes lock the account (423) until an admin
/// unlocks it. Twenty failed attempts from one client address within 15 minutes hold that
/// address back (429 with `Retry-After`). Every attempt is audited (`auth.login`,
/// `auth.lockout`).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        (status = 401, description = "Wrong username or password", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 423, description = "The account is locked", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins from this address", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until logins from this address are taken again"))),
        (status = 503, description = "Every password hashing thread stayed busy for 10 s (a login flood, or saturated cores), or the database is unavailable", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: AppData,
    meta: RequestMeta,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<TokenPair>, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    service::login(&state, &meta, &username, password)
        .await
        .map(web::Json)
}

/// Exchange a refresh token for a new pair.
///
/// Anyone holding a refresh token may call it. The presented token dies; presenting it again
/// revokes the whole session (401). Refresh tokens idle out after 30 minutes and no session
/// outlives 12 hours. Audited as `auth.refresh`.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 401, description = "Unknown, expired, revoked or re-used token", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: AppData,
    meta: RequestMeta,
    body: JsonBody<RefreshRequest>,
) -> Result<web::Json<TokenPair>, AppError> {
    let token = body.into_inner().refresh_token;
    let mut conn = state.db().await?;
    // The outcome is committed whatever it is: a detected re-use must stay revoked.
    let outcome = conn
        .transaction::<_, AppError, _>(async |conn| {
            let conn = &mut Tx::of(conn)?;
            let outcome = tokens::rotate(conn, &state.jwt, &token, state.clock.now()).await?;
            let event = AuditEvent::new(Action::AuthRefresh);
            match &outcome {
                Refresh::Rotated {
                    user, family_id, ..
                } => {
                    event
                        .by_user(user.id, &user.username)
                        .resource(*family_id)
                        .record(conn, &meta)
                        .await?;
                }
                Refresh::Reused { user_id, family_id } => {
                    event
                        .resource(*family_id)
                        .outcome(AuditOutcome::Denied)
                        .details(serde_json::json!({ "reason": "reused", "user_id": user_id, "family_revoked": true }))
                        .record(conn, &meta)
                        .await?;
                }
                Refresh::Rejected { user_id, reason } => {
                    event
                        .outcome(AuditOutcome::Failed)
                        .details(serde_json::json!({ "reason": reason, "user_id": user_id }))
                        .record(conn, &meta)
                        .await?;
                }
            }
            Ok(outcome)
        })
        .await?;
    match outcome {
        Refresh::Rotated { pair, .. } => Ok(web::Json(pair)),
        Refresh::Reused { .. } => Err(AppError::Unauthorized(
            "this refresh token was already used; the session has been revoked, log in again"
                .into(),
        )),
        Refresh::Rejected { .. } => Err(AppError::Unauthorized(
            "the refresh token is unknown, expired or revoked; log in again".into(),
        )),
    }
}

/// Log out: revoke the session the refresh token belongs to.
///
/// Any authenticated user. Ends the session of the bearer token (its access tokens stop at
/// once), and the session of the given refresh token when it is another of the caller's; a
/// token that is unknown or not the caller's changes nothing more. Audited as `auth.logout`.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out")),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: AppData,
    caller: AuthUser,
    meta: RequestMeta,
    body: JsonBody<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let token = body.into_inner().refresh_token;
    let mut conn = state.db().await?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let named = tokens::family_of(conn, &token, caller.id).await?;
        tokens::revoke_family(conn, caller.session).await?;
        let other = named.filter(|family| *family != caller.session);
        if let Some(family) = other {
            tokens::revoke_family(conn, family).await?;
        }
        AuditEvent::new(Action::AuthLogout)
            .by(&caller.caller())
            .resource(caller.session)
            .details(serde_json::json!({ "revoked": true, "also_revoked": other }))
            .record(conn, &meta)
            .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
