//! `JsonBody<T>`: the request-body extractor every JSON endpoint uses.
//!
//! Unlike actix's `web::Json`, every rejection is our problem+json: 415 for another content
//! type, 413 over the limit, 400 for malformed JSON or an unknown field, 422 for a missing field
//! or a value of the wrong type — with the path of the offending field (`location.latitude`).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
use crate::validation::NUL_MESSAGE;

/// The body limit of ordinary endpoints: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The body limit of batch and import endpoints: 16 MiB.
pub const BULK_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A body limit other than the default, set as app data on a resource or scope.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, deserialized into `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The deserialized body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// `application/json` or any `application/*+json` (e.g. `application/merge-patch+json`).
fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    let too_large = || AppError::PayloadTooLarge(format!("the body is over {limit} bytes"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::bad_request("the body could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The limit that applies to this request.
pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .map_or(DEFAULT_BODY_LIMIT, |limit| limit.0)
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(&req) {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let body = read_body(&req, &mut payload, body_limit(&req)).await?;
            let value = parse(&body)?;
            if let Some(field) = nul_path(&body) {
                return Err(AppError::invalid(field, NUL_MESSAGE));
            }
            Ok(JsonBody(value))
        })
    }
}

/// A JSON body of up to 16 MiB (batch endpoints), unparsed: the handler parses it on a blocking
/// thread, since a large document would hold an async worker.
#[derive(Debug)]
pub struct BulkJsonBody(pub web::Bytes);

impl FromRequest for BulkJsonBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(&req) {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            read_body(&req, &mut payload, BULK_BODY_LIMIT)
                .await
                .map(BulkJsonBody)
        })
    }
}

/// Deserializes a JSON document, turning serde's error into our problem with a field path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        reject(&path, error.into_inner())
    })?;
    deserializer.end().map_err(|_| {
        AppError::bad_request("malformed JSON: trailing characters after the value")
    })?;
    Ok(value)
}

/// Deserializes one item of a batch (its JSON text, as the batch's parse left it), as [`parse`]
/// does a body: the field errors name the offending path and never quote the value.
pub fn from_raw<T: DeserializeOwned>(
    raw: &serde_json::value::RawValue,
) -> Result<T, Vec<FieldError>> {
    // Most items are good: read them without tracking paths, and again with, to say where an
    // item is wrong.
    if let Ok(value) = serde_json::from_str(raw.get()) {
        return match nul_path(raw.get().as_bytes()) {
            None => Ok(value),
            Some(field) => Err(vec![FieldError::new(field, NUL_MESSAGE)]),
        };
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        match reject(&path, error.into_inner()) {
            AppError::Validation(errors) | AppError::BadRequest { errors, .. }
                if !errors.is_empty() =>
            {
                errors
            }
            other => vec![FieldError::new("(item)", other.to_string())],
        }
    })
}

/// PostgreSQL's text cannot hold U+0000 and JSON can (`\u0000`): the path of the first string
/// in the document that holds one (`services[0].name`), so it is refused as 422 before it
/// reaches the database. The document is walked only when its text has such an escape.
pub fn nul_path(bytes: &[u8]) -> Option<String> {
    if !has_escaped_nul(bytes) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    find_nul(&value, "")
}

/// Whether the text holds `\u0000` whose backslash is not itself escaped (`\\u0000` is the
/// six characters, not a NUL).
fn has_escaped_nul(bytes: &[u8]) -> bool {
    const ESCAPE: &[u8] = b"\\u0000";
    bytes.windows(ESCAPE.len()).enumerate().any(|(at, window)| {
        window == ESCAPE
            && bytes[..at]
                .iter()
                .rev()
                .take_while(|byte| **byte == b'\\')
                .count()
                % 2
                == 0
    })
}

fn find_nul(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) if text.contains('\0') => Some(if path.is_empty() {
            "(body)".to_owned()
        } else {
            path.to_owned()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_nul(item, &format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(key, member)| {
            let key = key.replace('\0', "");
            find_nul(
                member,
                &join(if path.is_empty() { "." } else { path }, &key),
            )
        }),
        _ => None,
    }
}

/// Joins a serde path (`.` for the root) and a field name.
fn join(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The text between the first pair of backticks, as serde quotes field names.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// Drops serde's " at line L column C" suffix.
fn without_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

fn reject(path: &str, error: serde_json::Error) -> AppError {
    use serde_json::error::Category;
    let message = without_position(&error.to_string()).to_owned();
    if !matches!(error.classify(), Category::Data) {
        return AppError::bad_request(format!("malformed JSON: {error}"));
    }
    if message.starts_with("unknown field") {
        // serde_path_to_error's path already ends with the unknown field.
        let field = if path == "." {
            quoted(&message).unwrap_or_default().to_owned()
        } else {
            path.to_owned()
        };
        return AppError::BadRequest {
            detail: format!("unknown field `{field}`"),
            errors: vec![FieldError::new(field, message)],
        };
    }
    if message.starts_with("missing field") {
        let field = join(path, quoted(&message).unwrap_or_default());
        return AppError::invalid(field, "is required");
    }
    let field = if path == "." { "(body)" } else { path };
    AppError::invalid(field, sanitize(&message))
}

/// serde quotes the offending value ("invalid type: string \"Jane Doe\", expected …"); keep only
/// what was expected, so a value never travels into an error body or a log.
fn sanitize(message: &str) -> String {
    let is_value_error = [
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix));
    match message.find(", expected ") {
        Some(i) if is_value_error => format!("invalid value: expected {}", &message[i + 11..]),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_by_its_path_and_an_escaped_backslash_is_not_one() {
        let path = |text: &str| nul_path(text.as_bytes());
        assert_eq!(
            path(r#"{"display_name": "a\u0000b"}"#).as_deref(),
            Some("display_name")
        );
        assert_eq!(
            path(r#"{"services": [{"name": "ok"}, {"name": "\u0000"}]}"#).as_deref(),
            Some("services[1].name")
        );
        assert_eq!(path(r#""\u0000""#).as_deref(), Some("(body)"));
        assert_eq!(path(r#"{"note": "C:\\u0000 is a path"}"#), None);
        assert_eq!(path(r#"{"note": "\\\u0000"}"#).as_deref(), Some("note"));
        assert_eq!(path(r#"{"note": "plain"}"#), None);
    }
    use actix_web::ResponseError;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        latitude: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        location: Inner,
    }

    fn field_errors(error: &AppError) -> Vec<FieldError> {
        match error {
            AppError::Validation(errors) | AppError::BadRequest { errors, .. } => errors.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_nested_type_error_names_its_path_and_hides_the_value() {
        let error =
            parse::<Outer>(br#"{"name": "x", "location": {"latitude": "Jane Doe"}}"#).unwrap_err();
        assert_eq!(error.status_code().as_u16(), 422);
        let errors = field_errors(&error);
        assert_eq!(errors[0].field, "location.latitude");
        assert!(!errors[0].message.contains("Jane"), "{}", errors[0].message);
    }

    #[test]
    fn a_missing_field_is_422_with_the_field_named() {
        let error = parse::<Outer>(br#"{"location": {"latitude": 1.0}}"#).unwrap_err();
        assert_eq!(error.status_code().as_u16(), 422);
        assert_eq!(field_errors(&error)[0].field, "name");
    }

    #[test]
    fn an_unknown_field_is_400() {
        let error =
            parse::<Outer>(br#"{"name": "x", "location": {"latitude": 1, "lat": 2}}"#).unwrap_err();
        assert_eq!(error.status_code().as_u16(), 400);
        assert_eq!(field_errors(&error)[0].field, "location.lat");
    }

    #[test]
    fn malformed_json_and_trailing_garbage_are_400() {
        for body in [
            &b"{\"name\": "[..],
            &b"{\"name\": \"x\", \"location\": {\"latitude\": 1}} x"[..],
        ] {
            assert_eq!(
                parse::<Outer>(body).unwrap_err().status_code().as_u16(),
                400
            );
        }
    }
}
