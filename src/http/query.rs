//! `QueryParams<T>`: the query-string extractor every list endpoint uses. A bad value or an
//! unknown parameter is a 400 problem naming the parameter.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A query string deserialized into `T`.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T> QueryParams<T> {
    /// The deserialized parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Deserializes a query string, naming the parameter that failed.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    // PostgreSQL text cannot hold NUL: refused here, for every parameter, with its name.
    if let Some((field, _)) = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, value)| key.contains('\0') || value.contains('\0'))
    {
        let field = field.replace('\0', "");
        return Err(AppError::invalid(field, crate::validation::NUL_MESSAGE));
    }
    let deserializer =
        serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let field = if path == "." {
            message
                .find('`')
                .and_then(|start| {
                    let rest = &message[start + 1..];
                    rest.find('`').map(|end| rest[..end].to_owned())
                })
                .unwrap_or_else(|| "(query)".to_owned())
        } else {
            path
        };
        let message = if message.starts_with("invalid") || message.starts_with("unknown variant") {
            message.find(", expected ").map_or(message.clone(), |i| {
                format!("expected {}", &message[i + 11..])
            })
        } else {
            message
        };
        AppError::BadRequest {
            detail: format!("invalid query parameter `{field}`"),
            errors: vec![FieldError::new(field, message)],
        }
    })
}

/// The `as_of` parameter of reports: the given day (default the city's today), within the
/// plausible range.
pub fn as_of(
    given: Option<chrono::NaiveDate>,
    clock: &crate::clock::Clock,
) -> Result<chrono::NaiveDate, AppError> {
    let day = given.unwrap_or_else(|| clock.today());
    crate::dates::plausible(day).map_err(|message| AppError::invalid("as_of", message))
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(QueryParams))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        limit: Option<u32>,
        outcome: Option<crate::db::enums::AuditOutcome>,
    }

    fn field(error: AppError) -> String {
        match error {
            AppError::BadRequest { errors, .. } | AppError::Validation(errors) => {
                errors[0].field.clone()
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_nul_character_is_refused_naming_the_parameter() {
        #[derive(Debug, Deserialize)]
        struct Search {
            #[allow(dead_code)]
            q: Option<String>,
        }
        let error = parse::<Search>("q=ab%00c").unwrap_err();
        assert!(matches!(error, AppError::Validation(_)), "a 422: {error:?}");
        assert_eq!(field(error), "q");
        assert!(parse::<Search>("q=abc").is_ok());
    }

    #[test]
    fn parses_known_parameters() {
        let params: Params = parse("limit=5&outcome=denied").unwrap();
        assert_eq!(params.limit, Some(5));
        assert_eq!(params.outcome, Some(crate::db::enums::AuditOutcome::Denied));
    }

    #[test]
    fn names_the_bad_parameter() {
        assert_eq!(field(parse::<Params>("limit=many").unwrap_err()), "limit");
        assert_eq!(
            field(parse::<Params>("outcome=maybe").unwrap_err()),
            "outcome"
        );
        assert_eq!(field(parse::<Params>("limt=5").unwrap_err()), "limt");
    }
}
