//! cit-api: the system of record for a city's Crisis Intervention Team (CIT) program.
//!
//! Module map:
//! - [`config`]: settings from the environment (the only reader of env vars)
//! - [`startup`]: the server, its routes and middleware; [`openapi`]: the generated document
//! - [`error`]: `AppError` → RFC 9457 problem+json; [`http`]: extractors, pagination, CSV,
//!   ETags, the request context and the rejections actix would otherwise make in plain text
//! - [`db`]: pool, embedded migrations, schema, Postgres enums
//! - [`auth`]: passwords, JWTs, refresh tokens, login with lockout, role extractors
//! - [`users`], [`audit`], [`ops`], [`personnel`], [`training`], [`goals`], [`metrics`]:
//!   the features
//! - [`clock`]: the one source of "now" and "today", in the city's time zone
//! - [`dates`]: date bounds, months and month ends
//! - [`ids`]: typed ids, one per kind of record

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod dates;
pub mod db;
pub mod demo;
pub mod error;
pub mod follow_ups;
pub mod goals;
pub mod hsds;
pub mod http;
pub mod ids;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod partners;
pub mod personnel;
pub mod referrals;
pub mod startup;
pub mod state;
pub mod subjects;
pub mod telemetry;
pub mod training;
pub mod users;
pub mod validation;
