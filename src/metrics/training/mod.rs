//! `GET /api/v1/metrics/training`: CIT coverage by department, role and shift, and the
//! certifications about to expire.

pub(crate) mod handlers;
mod model;
pub mod payloads;
pub mod service;
