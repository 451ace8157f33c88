//! The catalogue: certification types (which count as CIT, how long they are valid) and
//! courses (which certificate, if any, completing them grants).

pub(crate) mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
