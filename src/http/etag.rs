//! Optimistic concurrency: responses carry `ETag: "<version>"`, and `PATCH` honours `If-Match`
//! (412 when it names another version).

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{Ready, ready};
use serde::Serialize;

use crate::error::AppError;

/// The `ETag` header value for a version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A JSON response for a versioned resource, with its `ETag`.
pub fn versioned<T: Serialize>(status: StatusCode, version: i32, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(version))
        .json(body)
}

/// `201 Created` with `Location` and `ETag`.
pub fn created<T: Serialize>(location: &str, version: i32, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header(etag(version))
        .json(body)
}

/// The `If-Match` precondition of a request: `None` when absent or `*`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(Option<i32>);

impl IfMatch {
    /// Passes when there is no precondition or it names `current`.
    pub fn check(&self, current: i32) -> Result<(), AppError> {
        match self.0 {
            Some(expected) if expected != current => Err(AppError::PreconditionFailed(format!(
                "If-Match names version {expected}, but the current version is {current}"
            ))),
            _ => Ok(()),
        }
    }
}

fn parse(value: &str) -> Result<Option<i32>, AppError> {
    let value = value.trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| AppError::bad_request("If-Match must be an ETag this API sent, e.g. \"3\""))
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Ok(None),
            Some(value) => value
                .to_str()
                .map_err(|_| AppError::bad_request("If-Match is not readable"))
                .and_then(parse),
        };
        ready(parsed.map(IfMatch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strong_weak_and_any() {
        assert_eq!(parse("\"3\"").unwrap(), Some(3));
        assert_eq!(parse("W/\"4\"").unwrap(), Some(4));
        assert_eq!(parse("*").unwrap(), None);
        assert!(parse("\"abc\"").is_err());
    }

    #[test]
    fn a_mismatch_is_412() {
        assert!(IfMatch(Some(2)).check(2).is_ok());
        assert!(IfMatch(None).check(7).is_ok());
        assert!(matches!(
            IfMatch(Some(1)).check(2),
            Err(AppError::PreconditionFailed(_))
        ));
    }
}
