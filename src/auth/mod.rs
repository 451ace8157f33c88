//! Authentication and authorization: passwords, access and refresh tokens, login with lockout,
//! and the extractors that put the role a handler needs into its signature.

mod extract;
mod handlers;
pub mod jwt;
mod login;
pub mod middleware;
pub mod password;
mod payloads;
pub mod policy;
pub mod tokens;

pub use extract::{AuthUser, Require, forbid};
pub use payloads::TokenPair;

/// Registers the `/auth` endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout);
}
