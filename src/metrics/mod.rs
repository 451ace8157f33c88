//! Metrics for the program's readers (JSON and CSV). This issue brings the training metrics;
//! calls, outcomes, repeat calls and referrals follow with their features.

mod training;

/// Registers the metric endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config.service(training::handlers::training_metrics);
}
