//! What actix would otherwise answer in plain text: unknown paths (404), known paths with the
//! wrong method (405), malformed path parameters, and any other error response that is not
//! already problem+json.

use std::collections::BTreeSet;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, ResponseError, web};

use crate::error::{AppError, PROBLEM_JSON};

/// The documented paths and their methods, from the OpenAPI document, so the fallback service
/// can tell a wrong method (405 with `Allow`) from an unknown path (404).
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, BTreeSet<String>)>,
}

impl RouteTable {
    /// Builds the table from the generated document.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(name, _)| name.to_owned())
                .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods the path accepts, or `None` when no documented path matches. A fixed route
    /// spelled exactly like the path wins over parameterised ones (`/personnel/import` is not
    /// `/personnel/{id}`).
    pub fn allowed(&self, path: &str) -> Option<String> {
        if let Some(methods) = self.literal(path) {
            return Some(methods);
        }
        let wanted: Vec<&str> = path.split('/').collect();
        let mut methods = BTreeSet::new();
        for (segments, route_methods) in &self.routes {
            let matches = segments.len() == wanted.len()
                && segments
                    .iter()
                    .zip(&wanted)
                    .all(|(s, w)| s == w || (s.starts_with('{') && !w.is_empty()));
            if matches {
                methods.extend(route_methods.iter().cloned());
            }
        }
        (!methods.is_empty()).then(|| methods.into_iter().collect::<Vec<_>>().join(", "))
    }

    /// The methods of a documented route spelled exactly `path` (no parameter in it), or `None`.
    pub fn literal(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(segments, _)| {
                segments
                    .iter()
                    .map(String::as_str)
                    .eq(wanted.iter().copied())
            })
            .map(|(_, methods)| methods.iter().cloned().collect::<Vec<_>>().join(", "))
    }
}

/// Middleware: answers `HEAD` wherever `GET` is served. The request is routed as a GET;
/// actix-http already noted at decoding time that it was a HEAD and sends no body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// The app's default service: 405 for a known path with another method, else 404.
pub async fn no_route(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, AppError> {
    Err(match table.allowed(req.path()) {
        Some(allow) => AppError::MethodNotAllowed(allow),
        None => AppError::NotFound(format!("there is nothing at {}", req.path())),
    })
}

/// actix's rejection of a malformed path parameter (e.g. an id that is not a UUID). When the
/// path is really a fixed route that a parameterised one swallowed (`PATCH /personnel/import`
/// reaching `PATCH /personnel/{id}`), the method is what is wrong: 405 with that route's `Allow`.
pub fn path_error(error: actix_web::error::PathError, req: &HttpRequest) -> Error {
    let literal = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|table| table.literal(req.path()));
    match literal {
        Some(allow) => AppError::MethodNotAllowed(allow).into(),
        None => AppError::bad_request(format!("invalid path parameter: {error}")).into(),
    }
}

/// Middleware: any error response that is not problem+json yet (actix's own 413 from a payload
/// limit, Swagger UI's 404, a panic turned 500) is replaced by one that is.
pub async fn problem_fallback(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if status.as_u16() < 400 || is_problem {
        return Ok(response.map_into_left_body());
    }
    let error = match status.as_u16() {
        400 => AppError::bad_request("the request could not be read"),
        401 => AppError::Unauthorized("authentication is required".into()),
        403 => AppError::Forbidden("not allowed".into()),
        404 => AppError::NotFound("there is nothing at this path".into()),
        405 => AppError::MethodNotAllowed(String::new()),
        413 => AppError::PayloadTooLarge("the body is over the limit".into()),
        415 => AppError::UnsupportedMediaType("unsupported content type".into()),
        code if code >= 500 => AppError::Internal(format!("status {code} without a problem body")),
        _ => AppError::bad_request(status.canonical_reason().unwrap_or("bad request")),
    };
    let (req, _) = response.into_parts();
    Ok(ServiceResponse::new(req, error.error_response()).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    fn table() -> RouteTable {
        let paths = PathsBuilder::new()
            .path(
                "/api/v1/users",
                PathItem::new(HttpMethod::Get, OperationBuilder::new()),
            )
            .path(
                "/api/v1/users/{id}",
                PathItem::new(HttpMethod::Patch, OperationBuilder::new()),
            )
            .path(
                "/api/v1/users/import",
                PathItem::new(HttpMethod::Post, OperationBuilder::new()),
            )
            .build();
        let doc = utoipa::openapi::OpenApiBuilder::new().paths(paths).build();
        RouteTable::from_openapi(&doc)
    }

    #[test]
    fn a_known_path_lists_its_methods() {
        assert_eq!(
            table().allowed("/api/v1/users").as_deref(),
            Some("GET, HEAD")
        );
        assert_eq!(
            table().allowed("/api/v1/users/abc").as_deref(),
            Some("PATCH")
        );
    }

    #[test]
    fn a_fixed_route_is_told_from_a_parameter() {
        assert_eq!(
            table().literal("/api/v1/users/import").as_deref(),
            Some("POST")
        );
        assert_eq!(table().literal("/api/v1/users/abc"), None);
        assert_eq!(
            table().allowed("/api/v1/users/import").as_deref(),
            Some("POST")
        );
    }

    #[test]
    fn an_unknown_path_matches_nothing() {
        assert_eq!(table().allowed("/api/v1/nothing"), None);
        assert_eq!(table().allowed("/api/v1/users/"), None);
        assert_eq!(table().allowed("/api/v1/users/a/b"), None);
    }
}
