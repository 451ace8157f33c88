//! HTTP plumbing shared by every feature: the request context middleware, our own body and
//! query extractors (so malformed input gets a problem+json with field paths), rejections of
//! unknown routes and methods, pagination, CSV negotiation, ETags, the security headers and CORS
//! for configured origins.

pub mod context;
pub mod cors;
pub mod csv;
pub mod etag;
pub mod json;
pub mod pagination;
pub mod query;
pub mod rejections;
pub mod security;
