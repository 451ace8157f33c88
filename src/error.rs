//! One error type for the whole service, rendered as RFC 9457 `application/problem+json`.
//!
//! Every failure becomes an [`AppError`]: handler results, database errors (mapped once, here),
//! and actix's own rejections (see [`crate::http`]). A 5xx response never carries the cause; the
//! cause is logged with the request id instead.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::constraints::{self, Constraint};
use crate::http::context;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `password` or `location.latitude`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:cit-api:problem:<slug>`).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request path this problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `X-Request-Id` header); quote it when asking for help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The invalid fields, for 400 and 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every way a request can fail. Each variant has exactly one status.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// 400: the request is not well-formed (bad JSON, unknown field, bad query string).
    #[error("{detail}")]
    BadRequest {
        /// What is malformed.
        detail: String,
        /// The fields concerned, when known.
        errors: Vec<FieldError>,
    },
    /// 401: no token, or a token that is invalid, expired or no longer honoured; also wrong
    /// credentials at login. Sent with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but the caller's roles do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource (or one the caller may not know exists).
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method; carries the `Allow` header value.
    #[error("method not allowed")]
    MethodNotAllowed(String),
    /// 409: a duplicate key, an invalid state transition, a full session.
    #[error("{0}")]
    Conflict(String),
    /// 412: `If-Match` does not match the current version.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body is over the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not of a type this endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed, but some values are invalid.
    #[error("the request has invalid values")]
    Validation(Vec<FieldError>),
    /// 423: the account is locked after too many failed logins.
    #[error("{0}")]
    Locked(String),
    /// 429: too many attempts from this client; sent with `Retry-After` (seconds).
    #[error("{detail}")]
    TooManyRequests {
        /// What was refused.
        detail: String,
        /// Seconds until a new attempt may succeed.
        retry_after: u64,
    },
    /// 503: the database (or another dependency) is unavailable right now. The cause is logged,
    /// the body says only that.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure. The message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A 422 with one field error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A 400 with a detail and no field errors.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// The slug in the problem `type` URI.
    fn slug(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "bad-request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::PreconditionFailed(_) => "precondition-failed",
            Self::PayloadTooLarge(_) => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Validation(_) => "validation",
            Self::Locked(_) => "account-locked",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The problem document for this error, with the current request's id and path.
    pub fn to_problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            Self::BadRequest { detail, errors } => (detail.clone(), errors.clone()),
            Self::Validation(errors) => (
                "the request has invalid values; see errors".to_owned(),
                errors.clone(),
            ),
            Self::MethodNotAllowed(allow) => (
                format!("this path does not accept this method; it accepts: {allow}"),
                Vec::new(),
            ),
            Self::Internal(_) => (
                "an unexpected error occurred; it has been logged with the request id".to_owned(),
                Vec::new(),
            ),
            Self::Unavailable(_) => (
                "the database is unavailable, busy or not ready; try again shortly".to_owned(),
                Vec::new(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        let request = context::current();
        Problem {
            problem_type: format!("urn:cit-api:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            instance: request.as_ref().map(|r| r.path.clone()),
            request_id: request.map(|r| r.id.to_string()),
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Locked(_) => StatusCode::LOCKED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "dependency unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"cit-api\""));
            }
            Self::MethodNotAllowed(allow) => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            Self::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        match serde_json::to_vec(&self.to_problem()) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound("no such resource".into()),
            DieselError::DatabaseError(kind, info) => {
                let described = info.constraint_name().and_then(constraints::describe);
                match (kind, described) {
                    (_, Some(Constraint::Internal)) => Self::Internal(format!(
                        "constraint {} violated",
                        info.constraint_name().unwrap_or("?")
                    )),
                    (
                        DatabaseErrorKind::UniqueViolation,
                        Some(Constraint::Caller { message, .. }),
                    ) => Self::Conflict(message.into()),
                    (DatabaseErrorKind::UniqueViolation, None) => {
                        Self::Conflict("a record with the same key already exists".into())
                    }
                    (
                        DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::CheckViolation,
                        Some(Constraint::Caller { field, message }),
                    ) => Self::invalid(field, message),
                    // A reference the table does not know yet is still the caller's: name the
                    // column PostgreSQL names, never the value it quotes.
                    (DatabaseErrorKind::ForeignKeyViolation, None) => Self::invalid(
                        info.details()
                            .and_then(constraints::foreign_key_column)
                            .unwrap_or("reference"),
                        "refers to a record that does not exist",
                    ),
                    // A replica cancelled a read whose rows its replay had to remove
                    // (SQLSTATE 40001 too): nothing the caller did; the next try reads anew.
                    (_, _) if info.message().contains("conflict with recovery") => {
                        Self::Unavailable(format!("read replica: {}", info.message()))
                    }
                    (DatabaseErrorKind::SerializationFailure, _) => Self::Conflict(
                        "the record was changed by a concurrent request; retry".into(),
                    ),
                    (DatabaseErrorKind::ClosedConnection, _) => {
                        Self::Unavailable("the database connection was lost".into())
                    }
                    // diesel-async's kind for an error without a SQLSTATE: the statement or its
                    // answer never crossed the wire (a reset socket, a broken pipe, a server
                    // gone mid-read), whatever the words.
                    (DatabaseErrorKind::UnableToSendCommand, _) => {
                        Self::Unavailable(format!("database unreachable: {}", info.message()))
                    }
                    (_, _) if connection_lost(info.message()) => {
                        Self::Unavailable(format!("database: {}", info.message()))
                    }
                    // CIT_STATEMENT_TIMEOUT_MS: a runaway statement was cancelled, so the
                    // worker and the connection are free again.
                    (_, _) if timed_out(info.message()) => {
                        Self::Unavailable(format!("database: {}", info.message()))
                    }
                    // Only the message: `details` may quote row values.
                    (kind, _) => Self::Internal(format!("database {kind:?}: {}", info.message())),
                }
            }
            DieselError::BrokenTransactionManager => {
                Self::Unavailable("the database connection broke inside a transaction".into())
            }
            // A commit that failed and could not be rolled back either: judged by why the
            // commit failed (a lost server is a 503 like any other).
            DieselError::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

/// Whether a database error means the server went away (shut down, restarted, or this backend
/// was terminated) rather than that the request was wrong: SQLSTATE class 57 and 08 messages
/// as PostgreSQL and the client word them. diesel hands over the message, not the SQLSTATE, so
/// this and [`timed_out`] read PostgreSQL's English wording: a server with `lc_messages` in
/// another language turns these 503s into 500s (README, configuration).
fn connection_lost(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "connection closed",
        "server closed the connection",
        "connection reset",
    ];
    let message = message.to_ascii_lowercase();
    SIGNS.iter().any(|sign| message.contains(sign))
}

/// Whether PostgreSQL cancelled the statement for running past the statement timeout (SQLSTATE
/// 57014, which diesel does not expose; the message is PostgreSQL's own, in English).
fn timed_out(message: &str) -> bool {
    message.contains("canceling statement due to statement timeout")
}

/// Names the missing record in a 404: `users::find(conn, id).await.or_not_found("user")?`.
pub trait OrNotFound<T> {
    /// `NotFound` becomes "no {what} with this id"; other errors map as usual.
    fn or_not_found(self, what: &str) -> Result<T, AppError>;
}

impl<T> OrNotFound<T> for diesel::QueryResult<T> {
    fn or_not_found(self, what: &str) -> Result<T, AppError> {
        self.map_err(|error| match error {
            DieselError::NotFound => AppError::NotFound(format!("no {what} with this id")),
            other => other.into(),
        })
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        Self::Internal("a blocking task was cancelled".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn a_replica_cancelling_a_read_is_an_outage_and_a_write_race_a_conflict() {
        let error = |message: &str| {
            AppError::from(DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                Box::new(message.to_owned()),
            ))
        };
        assert!(matches!(
            error("canceling statement due to conflict with recovery"),
            AppError::Unavailable(_)
        ));
        assert!(matches!(
            error("could not serialize access due to concurrent update"),
            AppError::Conflict(_)
        ));
    }

    #[test]
    fn every_variant_renders_problem_json_with_its_status() {
        let cases = [
            (AppError::bad_request("x"), 400),
            (AppError::Unauthorized("x".into()), 401),
            (AppError::Forbidden("x".into()), 403),
            (AppError::NotFound("x".into()), 404),
            (AppError::MethodNotAllowed("GET".into()), 405),
            (AppError::Conflict("x".into()), 409),
            (AppError::PreconditionFailed("x".into()), 412),
            (AppError::PayloadTooLarge("x".into()), 413),
            (AppError::UnsupportedMediaType("x".into()), 415),
            (AppError::invalid("f", "m"), 422),
            (AppError::Locked("x".into()), 423),
            (
                AppError::TooManyRequests {
                    detail: "x".into(),
                    retry_after: 60,
                },
                429,
            ),
            (AppError::Unavailable("x".into()), 503),
            (AppError::Internal("x".into()), 500),
        ];
        for (error, status) in cases {
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE).unwrap(),
                PROBLEM_JSON
            );
        }
    }

    #[test]
    fn a_database_out_of_reach_is_unavailable_whatever_the_words() {
        use diesel::result::{DatabaseErrorKind, Error};
        let unreachable = || {
            Error::DatabaseError(
                DatabaseErrorKind::UnableToSendCommand,
                Box::new(
                    "error communicating with the server: Broken pipe (os error 32)".to_owned(),
                ),
            )
        };
        assert!(matches!(
            AppError::from(unreachable()),
            AppError::Unavailable(_)
        ));
        let failed_commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(unreachable()),
            commit_error: Box::new(unreachable()),
        };
        assert!(matches!(
            AppError::from(failed_commit),
            AppError::Unavailable(_)
        ));
        let refused = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("syntax error".to_owned()),
        );
        assert!(matches!(AppError::from(refused), AppError::Internal(_)));
    }

    #[test]
    fn an_internal_error_does_not_leak_its_cause() {
        let response = AppError::Internal("SELECT secret FROM table".into()).error_response();
        let body = response.into_body().try_into_bytes().unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("SELECT"), "{text}");
        assert!(text.contains("\"status\":500"), "{text}");
    }

    #[test]
    fn unauthorized_carries_a_bearer_challenge() {
        let response = AppError::Unauthorized("no token".into()).error_response();
        assert!(
            response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
}
