//! Users: the admin's user management, the caller's own account (`/me`), the first admin
//! made at start, and the operator's break-glass commands.

pub mod bootstrap;
pub mod break_glass;
mod handlers;
mod me;
pub mod model;
mod payloads;
pub mod service;
pub mod validate;

pub use payloads::UserBody;

/// Registers the user endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(me::find_me)
        .service(me::change_my_password)
        .service(handlers::list_users)
        .service(handlers::create_user)
        .service(handlers::find_user)
        .service(handlers::update_user)
        .service(handlers::unlock_user)
        .service(handlers::set_user_password);
}
