//! Follow-up care: the department's clinicians contact a person after a mental-health call or
//! a referral. A mental-health call with a subject schedules its follow-up itself, in the
//! ingest's transaction and once per call ([`model::schedule_for_calls`]); others are
//! scheduled by hand. Outcome notes are clinical: clinicians and admins only.

mod handlers;
pub mod lifecycle;
pub mod model;
pub mod payloads;
pub mod service;

/// Registers the follow-up endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_follow_ups)
        .service(handlers::create_follow_up)
        .service(handlers::find_follow_up)
        .service(handlers::update_follow_up)
        .service(handlers::transition_follow_up);
}
