//! Certifications: recorded when earned elsewhere or issued on completion; status derived from
//! dates at read time; revocation keeps the record and its reason.

pub(crate) mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
