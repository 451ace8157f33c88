//! The `authenticate` middleware: verifies a bearer token once per request, finds its user (in
//! the credentials cache or the database) and checks the account is still active, for the
//! extractors to read; after the response, forgets cached credentials if the request may have
//! changed one (and cached people's details after any write, `personnel::cache`), and records
//! a denied request (403) in the audit trail.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::audit::{Action, AuditEvent};
use crate::db::enums::AuditOutcome;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::state::{AppData, AppState};
use crate::users::model as users;

use super::cache::{self, CredentialKey};
use super::extract::{Authentication, Caller, Denial, Principal};

fn bearer_token(value: &header::HeaderValue) -> Result<&str, AppError> {
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is unreadable".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(AppError::Unauthorized(
            "the Authorization header must be `Bearer <access token>`".into(),
        )),
    }
}

/// Verifies the token, then finds who it is: in the credentials cache, or else in one
/// statement that reads its user and whether its session is still live (and caches the
/// answer). A disabled or locked account, or a session ended by logout, password change or
/// re-use detection, stops its access tokens at once (`auth::cache` says how the cache keeps
/// to that).
async fn authenticate_token(state: &AppState, token: &str) -> Result<Caller, AppError> {
    let now = state.clock.now();
    if crate::api_keys::service::is_api_key(token) {
        let key = CredentialKey::ApiKey(crate::auth::tokens::digest(token));
        let miss = match state.credentials.get(&key, now) {
            Ok(caller) => return Ok(caller),
            Err(miss) => miss,
        };
        let mut conn = state.db().await?;
        let (caller, record_next) =
            crate::api_keys::service::authenticate(&mut conn, token, now).await?;
        // Kept only until its next use must be recorded, so `last_used_at` stays to the minute.
        state
            .credentials
            .put(miss, key, &caller, now, Some(record_next));
        return Ok(caller);
    }
    let claims = state.jwt.verify(token, now)?;
    let key = CredentialKey::Session(claims.sub, claims.sid);
    let miss = match state.credentials.get(&key, now) {
        Ok(caller) => return Ok(caller),
        Err(miss) => miss,
    };
    let mut conn = state.db().await?;
    let (user, session_ends) =
        match users::find_with_session(&mut conn, claims.sub, claims.sid, now).await {
            Ok(found) => found,
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::Unauthorized(
                    "the token's user does not exist".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        };
    if !user.is_active() {
        return Err(AppError::Unauthorized(
            "the account is disabled or locked".into(),
        ));
    }
    let Some(session_ends) = session_ends else {
        return Err(AppError::Unauthorized(
            "the session of this token has ended; log in again".into(),
        ));
    };
    let caller = Caller {
        principal: Principal::User {
            id: user.id,
            session: claims.sid,
        },
        name: user.username,
        roles: user.roles,
        personnel_id: user.personnel_id,
        partner_id: user.partner_id,
    };
    state
        .credentials
        .put(miss, key, &caller, now, Some(session_ends));
    Ok(caller)
}

/// Middleware: see the module docs.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<AppData>().cloned();
    if let (Some(state), Some(value)) = (&state, req.headers().get(header::AUTHORIZATION)) {
        let outcome = match bearer_token(value) {
            Ok(token) => authenticate_token(state, token).await,
            Err(error) => Err(error),
        };
        req.extensions_mut().insert(Authentication(outcome));
    }
    let response = next.call(req).await?;
    let request = response.request();
    if cache::changes_credentials(
        request.method(),
        request.match_pattern().as_deref(),
        response.status(),
    ) && let Some(state) = &state
    {
        // Before the response leaves, so its client never meets what it just changed.
        state.credentials.forget_all();
    }
    if crate::personnel::cache::changes(
        request.method(),
        request.match_pattern().as_deref(),
        response.status(),
    ) && let Some(state) = &state
    {
        // The same for people's details and roster pages, after any write but a few.
        state.personnel.forget_all();
    }
    if response.status() == StatusCode::LOCKED
        && let Some(state) = &state
    {
        // The request locked its caller's own account (wrong current passwords): forgotten
        // before the answer leaves, not when the notification arrives, so the caller's next
        // request is refused however soon it comes.
        let locked = match response.request().extensions().get::<Authentication>() {
            Some(Authentication(Ok(Caller {
                principal: Principal::User { id, .. },
                ..
            }))) => Some(*id),
            _ => None,
        };
        if let Some(id) = locked {
            state.credentials.forget_user(id);
        }
    }
    if response.status() == StatusCode::FORBIDDEN
        && let Some(state) = state
    {
        let denial = response.request().extensions().get::<Denial>().cloned();
        if let Some(denial) = denial {
            record_denial(&state, &response, denial).await;
        }
    }
    Ok(response)
}

async fn record_denial<B>(state: &AppState, response: &ServiceResponse<B>, denial: Denial) {
    let request = response.request();
    let meta = RequestMeta::of(request);
    let route = request
        .match_pattern()
        .unwrap_or_else(|| request.path().to_owned());
    let needed: Vec<&str> = denial.required.iter().map(|role| role.as_str()).collect();
    let event = AuditEvent::new(Action::AccessDenied)
        .by(&denial.user)
        .route(&route)
        .outcome(AuditOutcome::Denied)
        .details(serde_json::json!({
            "method": request.method().as_str(),
            "required_roles": needed,
        }));
    let recorded = match state.pool.get().await {
        Ok(mut conn) => event.record(&mut conn, &meta).await.map_err(AppError::from),
        Err(error) => Err(error.into()),
    };
    if let Err(error) = recorded {
        tracing::error!(%error, "could not record a denied request in the audit trail");
    }
}
