//! Black-box tests of cit-api through HTTP against a real PostgreSQL: one binary, one module
//! per feature.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
// Tests of an app on the system clock compare with the wall clock.
#![allow(clippy::disallowed_methods)]

mod access;
mod api_keys;
mod audit;
mod auth;
mod call_metrics;
mod calls;
mod care_metrics;
mod clock;
mod csv;
mod dashboard;
mod demo;
mod errors;
mod faults;
mod follow_ups;
mod goals;
mod helpers;
mod hsds;
mod import;
mod instances;
mod limits;
mod metrics;
mod openapi;
mod ops;
mod partners;
mod personnel;
mod process;
mod referrals;
mod replica;
mod subjects;
mod trail;
mod training;
mod users;
