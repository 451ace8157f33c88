//! Extractors: [`Caller`] (any valid credential: a signed-in user's access token or a machine
//! client's API key), [`Require<P>`] (such a caller holding one of the roles of policy `P`,
//! else 403) and [`AuthUser`] (a signed-in user only: their own account and session).
//!
//! Both only read what the [`authenticate`](super::middleware::authenticate) middleware
//! stored, so they resolve at once; list them before body and query extractors and a caller
//! without the right to ask learns nothing about their request's validity.

use std::marker::PhantomData;
use std::ops::Deref;

use crate::db::enums::Role;
use crate::error::AppError;
use crate::ids::{ApiKeyId, PartnerId, PersonnelId, SessionId, UserId};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{Ready, ready};

use super::policy::Policy;

/// Who is calling: a person signed in with an access token, or a machine client (the records
/// management system) with an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A user, in one login session.
    User {
        /// The user.
        id: UserId,
        /// The login session (refresh-token family) of the token.
        session: SessionId,
    },
    /// An API key.
    ApiKey {
        /// The key.
        id: ApiKeyId,
    },
    /// The operator of the machine, through a command (`cit-api import-calls`); audited as
    /// `cli`.
    Operator,
}

/// The caller, authenticated by a valid credential that is still good right now (an enabled,
/// unlocked user in a live session, or an unrevoked API key; checked on every request).
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who it is.
    pub principal: Principal,
    /// The username, or the API key's name.
    pub name: String,
    /// Current roles (read from the database, not from the token).
    pub roles: Vec<Role>,
    /// Linked personnel record (users only).
    pub personnel_id: Option<PersonnelId>,
    /// Linked partner organization (users only).
    pub partner_id: Option<PartnerId>,
}

impl Caller {
    /// Whether the caller holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|role| roles.contains(role))
    }

    /// The user, when a person is calling.
    pub fn user_id(&self) -> Option<UserId> {
        match self.principal {
            Principal::User { id, .. } => Some(id),
            Principal::ApiKey { .. } | Principal::Operator => None,
        }
    }
}

/// A signed-in user (not an API key): for what only a person has, their own account, password
/// and session.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Current roles.
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<PersonnelId>,
    /// The login session (refresh-token family) of the token.
    pub session: SessionId,
}

impl Caller {
    /// The machine's operator, running a command with the database URL: may do what an admin
    /// may, audited as `cli`.
    pub fn operator() -> Self {
        Self {
            principal: Principal::Operator,
            name: "cli".to_owned(),
            roles: vec![Role::Admin],
            personnel_id: None,
            partner_id: None,
        }
    }
}

impl AuthUser {
    /// The same caller, as any principal.
    pub fn caller(&self) -> Caller {
        Caller {
            principal: Principal::User {
                id: self.id,
                session: self.session,
            },
            name: self.username.clone(),
            roles: self.roles.clone(),
            personnel_id: self.personnel_id,
            partner_id: None,
        }
    }
}

/// What the middleware concluded about the request's bearer token.
#[derive(Debug, Clone)]
pub(super) struct Authentication(pub(super) Result<Caller, AppError>);

/// Left by [`Require`] when it refuses, so the middleware can audit the denial.
#[derive(Debug, Clone)]
pub(super) struct Denial {
    pub(super) user: Caller,
    pub(super) required: &'static [Role],
}

fn authenticated(req: &HttpRequest) -> Result<Caller, AppError> {
    match req.extensions().get::<Authentication>() {
        Some(Authentication(outcome)) => outcome.clone(),
        None => Err(AppError::Unauthorized(
            "this endpoint needs a bearer token".into(),
        )),
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticated(req))
    }
}

/// The caller when the request carries a credential, else `None`: for public routes that show
/// more to some roles (the partner directory). A credential that is sent but bad is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl MaybeCaller {
    /// Whether there is a caller and it holds one of the roles of `P`.
    pub fn holds<P: Policy>(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|caller| caller.has_any(P::ROLES))
    }
}

impl FromRequest for MaybeCaller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let outcome = match req.extensions().get::<Authentication>() {
            Some(Authentication(outcome)) => outcome.clone().map(|caller| Self(Some(caller))),
            None => Ok(Self(None)),
        };
        ready(outcome)
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            authenticated(req).and_then(|caller| match caller.principal {
                Principal::User { id, session } => Ok(AuthUser {
                    id,
                    username: caller.name,
                    roles: caller.roles,
                    personnel_id: caller.personnel_id,
                    session,
                }),
                Principal::ApiKey { .. } | Principal::Operator => Err(AppError::Forbidden(
                    "this endpoint is for signed-in users; an API key cannot call it".into(),
                )),
            }),
        )
    }
}

/// Refuses a request from `user`, who holds none of `required`, after a check the handler made
/// itself (e.g. "these roles, or the person's own record"); the denial is audited like a
/// [`Require`] refusal.
pub fn forbid(req: &HttpRequest, user: &Caller, required: &'static [Role]) -> AppError {
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

/// A [`Caller`] holding one of the roles of `P`.
#[derive(Debug)]
pub struct Require<P> {
    user: Caller,
    policy: PhantomData<P>,
}

impl<P> Deref for Require<P> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
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
