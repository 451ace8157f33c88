//! Training and certification: the catalogue (certification types, courses), sessions with
//! their seats, enrollments and their lifecycle, and certifications — issued on completion of a
//! certifying course, or recorded when earned elsewhere; expiry and status derived from dates;
//! revocation keeps the record and its reason.

pub mod catalog;
mod catalog_handlers;
mod catalog_service;
mod certification_handlers;
mod certification_service;
pub mod certifications;
pub mod lifecycle;
pub mod payloads;
mod session_handlers;
mod session_service;
pub mod sessions;

/// Registers the training endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(catalog_handlers::list_certification_types)
        .service(catalog_handlers::create_certification_type)
        .service(catalog_handlers::find_certification_type)
        .service(catalog_handlers::update_certification_type)
        .service(catalog_handlers::list_courses)
        .service(catalog_handlers::create_course)
        .service(catalog_handlers::find_course)
        .service(catalog_handlers::update_course)
        .service(session_handlers::list_training_sessions)
        .service(session_handlers::create_training_session)
        .service(session_handlers::find_training_session)
        .service(session_handlers::update_training_session)
        .service(session_handlers::list_enrollments)
        .service(session_handlers::create_enrollment)
        .service(session_handlers::find_enrollment)
        .service(session_handlers::update_enrollment)
        .service(certification_handlers::list_certifications)
        .service(certification_handlers::create_certification)
        .service(certification_handlers::find_certification)
        .service(certification_handlers::revoke_certification);
}
