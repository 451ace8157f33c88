//! Metrics for the program's readers (JSON and CSV): training coverage, and what the calls say
//! (per month, CIT vs non-CIT outcomes, repeat calls and before/after engagement), and the
//! referral funnel.

pub mod calls;
pub mod referrals;
mod training;

/// Registers the metric endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(training::handlers::training_metrics)
        .service(calls::handlers::call_metrics)
        .service(calls::handlers::outcome_metrics)
        .service(calls::handlers::repeat_metrics)
        .service(referrals::handlers::referral_metrics);
}
