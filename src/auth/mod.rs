//! Authentication and authorization: passwords, access and refresh tokens, login with lockout,
//! the extractors that put the role a handler needs into its signature, and the row-level
//! [`Scope`] that model queries take.

pub mod cache;
mod extract;
mod handlers;
pub mod jwt;
mod login;
pub mod middleware;
pub mod password;
mod payloads;
pub mod policy;
pub mod scope;
pub mod throttle;
pub mod tokens;

pub use extract::{AuthUser, Caller, MaybeCaller, Principal, Require, forbid};
pub use payloads::TokenPair;
pub use scope::Scope;

/// Registers the `/auth` endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout);
}
