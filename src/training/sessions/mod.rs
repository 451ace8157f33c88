//! Training sessions with their seats (capacity holds under concurrent enrollments), and
//! enrollments with their lifecycle; completing a certifying course issues its certificate in
//! the same transaction.

pub(crate) mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
