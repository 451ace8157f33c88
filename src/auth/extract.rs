//! Extractors: [`AuthUser`] (any valid bearer token of an active user) and [`Require<P>`]
//! (such a user holding one of the roles of policy `P`; otherwise 403, recorded in the audit
//! trail).

use std::marker::PhantomData;
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::db::enums::{AuditOutcome, Role};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::state::AppData;
use crate::users::model as users;

use super::policy::Policy;

/// The caller, authenticated by a valid access token, whose account is enabled and unlocked
/// right now (checked on every request, so disabling or locking takes effect at once).
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: Uuid,
    /// Username.
    pub username: String,
    /// Current roles (read from the database, not from the token).
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<Uuid>,
    /// Linked partner organization.
    pub partner_id: Option<Uuid>,
    /// The login session (refresh-token family) of the token.
    pub session: Uuid,
}

impl AuthUser {
    /// Whether the user holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|role| roles.contains(role))
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, AppError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("this endpoint needs a bearer token".into()))?;
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is unreadable".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(AppError::Unauthorized(
            "the Authorization header must be `Bearer <access token>`".into(),
        )),
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<AppData>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Internal("application state is missing".into()))?;
            let claims = state.jwt.verify(&token?)?;
            let mut conn = state.pool.get().await?;
            let user = match users::find(&mut conn, claims.sub).await {
                Ok(user) => user,
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
            Ok(AuthUser {
                id: user.id,
                username: user.username,
                roles: user.roles,
                personnel_id: user.personnel_id,
                partner_id: user.partner_id,
                session: claims.sid,
            })
        })
    }
}

/// An [`AuthUser`] holding one of the roles of `P`.
#[derive(Debug)]
pub struct Require<P> {
    user: AuthUser,
    policy: PhantomData<P>,
}

impl<P> Require<P> {
    /// The authenticated caller.
    pub fn into_user(self) -> AuthUser {
        self.user
    }
}

impl<P> Deref for Require<P> {
    type Target = AuthUser;

    fn deref(&self) -> &AuthUser {
        &self.user
    }
}

impl<P: Policy + 'static> FromRequest for Require<P> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        let state = req.app_data::<AppData>().cloned();
        let meta = RequestMeta::of(req);
        let route = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
        let method = req.method().to_string();
        Box::pin(async move {
            let user = user.await?;
            if user.has_any(P::ROLES) {
                return Ok(Require {
                    user,
                    policy: PhantomData,
                });
            }
            let needed: Vec<&str> = P::ROLES.iter().map(|role| role.as_str()).collect();
            if let Some(state) = state {
                let mut conn = state.pool.get().await?;
                AuditEvent::new("access.denied", "route")
                    .by(&user)
                    .resource(&route)
                    .outcome(AuditOutcome::Denied)
                    .details(serde_json::json!({ "method": method, "required_roles": needed }))
                    .record(&mut conn, &meta)
                    .await?;
            }
            Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                needed.join(", ")
            )))
        })
    }
}
