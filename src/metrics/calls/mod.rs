//! `GET /api/v1/metrics/calls`, `/metrics/outcomes` and `/metrics/repeat-calls`: what the calls
//! say about the program, counted over the call's day in the city's time zone. The per-period
//! counts and the outcomes are read from the per-day counts every writer of calls keeps
//! (`call_days`), repeat calls from the calls themselves; tests hold each figure to the plain
//! SQL count over the calls.

pub(crate) mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
