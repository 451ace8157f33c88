//! Personnel: officers and designated staff, their employment dates (separation is a status
//! with a date, never a deletion), the HR roster import, and each person's derived
//! `cit_certified`.

pub mod cache;
mod handlers;
pub mod import;
pub mod model;
pub mod payloads;
pub mod service;
pub mod validate;

/// Registers the personnel endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_personnel)
        .service(handlers::create_personnel)
        .service(handlers::import_personnel)
        .service(handlers::find_personnel)
        .service(handlers::update_personnel);
}
