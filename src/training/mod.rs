//! Training and certification: the catalogue (certification types, courses), sessions with
//! their seats, enrollments and their lifecycle, and certifications — issued on completion of a
//! certifying course, or recorded when earned elsewhere; expiry and status derived from dates;
//! revocation keeps the record and its reason. The rules all three share are in
//! [`lifecycle`].

pub mod catalog;
pub mod certifications;
pub mod lifecycle;
pub mod sessions;

/// Registers the training endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(catalog::handlers::list_certification_types)
        .service(catalog::handlers::create_certification_type)
        .service(catalog::handlers::find_certification_type)
        .service(catalog::handlers::update_certification_type)
        .service(catalog::handlers::list_courses)
        .service(catalog::handlers::create_course)
        .service(catalog::handlers::find_course)
        .service(catalog::handlers::update_course)
        .service(sessions::handlers::list_training_sessions)
        .service(sessions::handlers::create_training_session)
        .service(sessions::handlers::find_training_session)
        .service(sessions::handlers::update_training_session)
        .service(sessions::handlers::list_enrollments)
        .service(sessions::handlers::create_enrollment)
        .service(sessions::handlers::find_enrollment)
        .service(sessions::handlers::update_enrollment)
        .service(certifications::handlers::list_certifications)
        .service(certifications::handlers::create_certification)
        .service(certifications::handlers::find_certification)
        .service(certifications::handlers::revoke_certification);
}
