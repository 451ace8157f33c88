//! `GET /api/v1/metrics/calls`, `/metrics/outcomes` and `/metrics/repeat-calls`: what the calls
//! say about the program, counted over the call's day in the city's time zone. Each figure is a
//! plain SQL count over the same rows (tests hold them to it).

pub(crate) mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
