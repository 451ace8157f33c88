//! API keys for machine clients (`/api/v1/api-keys`): the records management system pushes
//! calls with a key an admin made for it. A key is shown once; only its digest is kept; it
//! authenticates like a bearer token (`Authorization: Bearer citk_…`), holds the roles it was
//! given (only `integration` for now), records when it was last used, and can be revoked at
//! once. Creation and revocation are audited, and every write made with a key is audited with
//! the key as its actor.

mod handlers;
pub mod model;
pub mod payloads;
pub mod service;

/// Registers the API-key endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_api_keys)
        .service(handlers::create_api_key)
        .service(handlers::find_api_key)
        .service(handlers::revoke_api_key);
}
