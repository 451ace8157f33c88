//! Closed-loop referrals: a clinician refers a person in crisis to a community partner with
//! their consent; the partner's own staff acknowledge it, record the person's engagement and
//! close it with a reason. The graph is [`lifecycle`]; every move is kept on the referral.

mod handlers;
pub mod lifecycle;
pub mod model;
pub mod payloads;
pub mod service;

/// Registers the referral endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::create_referral)
        .service(handlers::list_referrals)
        .service(handlers::find_referral)
        .service(handlers::transition_referral);
}
