//! Community partners: the organizations the program refers people to (a crisis line, NAMI's
//! affiliate, a behavioural health hospital), with their services, phones, address and MOU
//! status. The directory is public, here and as Open Referral HSDS 3.0 (`crate::hsds`); the
//! MOU and other internal fields are for admins, clinicians and coordinators.

mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
pub mod validate;

/// Registers the partner endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_partners)
        .service(handlers::create_partner)
        .service(handlers::find_partner)
        .service(handlers::update_partner);
}
