//! Subjects: the people in crisis the calls concern, one per `(source, external_id)` of the
//! sending system. Who they are is visible only to clinicians and admins, and every read of it
//! (list, detail, timeline, in JSON or CSV) is audited with the ids shown.

mod handlers;
pub mod model;
pub mod payloads;
pub mod service;

/// Registers the subject endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_subjects)
        .service(handlers::find_subject)
        .service(handlers::subject_timeline);
}
