//! Operations endpoints at the root: liveness, readiness, Prometheus metrics.

mod handlers;
pub mod metrics;

/// Registers `/healthz`, `/readyz` and `/metrics`.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config
        .service(handlers::healthz)
        .service(handlers::readyz)
        .service(handlers::metrics);
}
