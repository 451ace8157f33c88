//! The partner directory as Open Referral HSDS 3.0 (Human Services Data Specification): the
//! read API any HSDS consumer (a 211 directory, a resource finder) understands, at `/hsds`.
//! Field names, UUID ids and the `Page` wrapper are the specification's; the output is held to
//! its published JSON schemas by `tests/api/hsds.rs`.

mod handlers;
pub mod model;
pub mod payloads;
pub mod service;

/// Registers the HSDS endpoints under `/hsds`.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config.service(
        utoipa_actix_web::scope::scope("/hsds")
            .service(handlers::hsds_info)
            .service(handlers::hsds_organizations)
            .service(handlers::hsds_organization)
            .service(handlers::hsds_services)
            .service(handlers::hsds_service),
    );
}
