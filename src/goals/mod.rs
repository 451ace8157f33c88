//! Certification goals ("20% of officers and designated staff CIT-certified by a deadline")
//! and their progress as of any date.

mod handlers;
pub mod model;
pub mod payloads;
pub mod progress;
pub mod service;

/// Registers the goal endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::list_goals)
        .service(handlers::create_goal)
        .service(handlers::find_goal)
        .service(handlers::update_goal)
        .service(handlers::goal_progress);
}
