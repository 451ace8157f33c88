//! Calls for service: pushed by the records management system (RMS) one by one (`PUT`) or in
//! batches, stored idempotently by `(source, incident_number)`, each responder matched to the
//! roster with whether they were CIT-certified on the call's day; read by program staff, with
//! the person in crisis identified only to clinicians and admins.

mod days;
mod handlers;
pub mod import;
pub mod ingest;
pub mod model;
pub mod payloads;
pub mod roster;
pub mod service;
pub mod validate;

/// Registers the call endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::post_batch)
        .service(handlers::put_call)
        .service(handlers::list_calls)
        .service(handlers::find_call);
}
