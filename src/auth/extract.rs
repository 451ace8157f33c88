//! Extractors: [`AuthUser`] (any valid bearer token of an active user) and [`Require<P>`]
//! (such a user holding one of the roles of policy `P`, else 403).
//!
//! Both only read what the [`authenticate`](super::middleware::authenticate) middleware
//! stored, so they resolve at once; list them before body and query extractors and a caller
//! without the right to ask learns nothing about their request's validity.

use std::marker::PhantomData;
use std::ops::Deref;

use crate::db::enums::Role;
use crate::error::AppError;
use crate::ids::{PartnerId, PersonnelId, SessionId, UserId};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{Ready, ready};

use super::policy::Policy;

/// The caller, authenticated by a valid access token, whose account is enabled and unlocked
/// right now (checked on every request, so disabling or locking takes effect at once).
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Current roles (read from the database, not from the token).
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<PersonnelId>,
    /// Linked partner organization.
    pub partner_id: Option<PartnerId>,
    /// The login session (refresh-token family) of the token.
    pub session: SessionId,
}

impl AuthUser {
    /// Whether the user holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|role| roles.contains(role))
    }
}

/// What the middleware concluded about the request's bearer token.
#[derive(Debug, Clone)]
pub(super) struct Authentication(pub(super) Result<AuthUser, AppError>);

/// Left by [`Require`] when it refuses, so the middleware can audit the denial.
#[derive(Debug, Clone)]
pub(super) struct Denial {
    pub(super) user: AuthUser,
    pub(super) required: &'static [Role],
}

fn authenticated(req: &HttpRequest) -> Result<AuthUser, AppError> {
    match req.extensions().get::<Authentication>() {
        Some(Authentication(outcome)) => outcome.clone(),
        None => Err(AppError::Unauthorized(
            "this endpoint needs a bearer token".into(),
        )),
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticated(req))
    }
}

/// Refuses a request from `user`, who holds none of `required`, after a check the handler made
/// itself (e.g. "these roles, or the person's own record"); the denial is audited like a
/// [`Require`] refusal.
pub fn forbid(req: &HttpRequest, user: &AuthUser, required: &'static [Role]) -> AppError {
    req.extensions_mut().insert(Denial {
        user: user.clone(),
        required,
    });
    let needed: Vec<&str> = required.iter().map(|role| role.as_str()).collect();
    AppError::Forbidden(format!(
        "this needs one of the roles: {}",
        needed.join(", ")
    ))
}

/// An [`AuthUser`] holding one of the roles of `P`.
#[derive(Debug)]
pub struct Require<P> {
    user: AuthUser,
    policy: PhantomData<P>,
}

impl<P> Deref for Require<P> {
    type Target = AuthUser;

    fn deref(&self) -> &AuthUser {
        &self.user
    }
}

impl<P: Policy> FromRequest for Require<P> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = authenticated(req).and_then(|user| {
            if user.has_any(P::ROLES) {
                return Ok(Require {
                    user,
                    policy: PhantomData,
                });
            }
            Err(forbid(req, &user, P::ROLES))
        });
        ready(outcome)
    }
}
