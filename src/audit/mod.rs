//! The audit trail (CJIS): who did what to which record, when, from where, and how it ended.
//!
//! Features record events through [`AuditEvent`], inside the same transaction as the change they
//! describe, so a change is never committed without its event. The table is append-only in
//! PostgreSQL itself. Details carry ids and field names, never health data.

mod handlers;
pub mod model;
mod payloads;
pub mod vocabulary;

pub use model::AuditEvent;
pub use vocabulary::{Action, Resource};

/// A change struct (`…Changes`, `None` = untouched) that can name the fields it touches, for
/// an event's `details.changed`. Implementations destructure every field, so a column added to
/// the struct cannot silently drop out of the trail.
pub trait ChangedFields {
    /// The touched fields' names, in declaration order.
    fn fields(&self) -> Vec<&'static str>;
}

/// The names of the fields a change touched, for an event's `details`: the values stay out of
/// the trail.
pub fn changed_fields(fields: &[(&'static str, bool)]) -> Vec<&'static str> {
    fields
        .iter()
        .filter_map(|(name, changed)| changed.then_some(*name))
        .collect()
}

/// Registers the audit endpoints.
pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    config.service(handlers::list_audit_events);
}
