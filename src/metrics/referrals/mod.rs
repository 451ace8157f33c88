//! `GET /api/v1/metrics/referrals`: whether referrals close the loop, overall and per partner.

pub mod handlers;
pub mod model;
pub mod payloads;
pub mod service;
