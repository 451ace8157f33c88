//! Response headers every answer carries: `X-Content-Type-Options: nosniff` everywhere, and
//! `Cache-Control: no-store` on every answer of the API or to a request that carried a token,
//! so no proxy or browser cache keeps personnel, call or token data.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Whether an answer to this request must not be stored: it was authenticated, or it is an
/// API answer (tokens from login and refresh, records, errors).
fn private(req: &ServiceRequest) -> bool {
    req.headers().contains_key(header::AUTHORIZATION) || req.path().starts_with("/api/")
}

/// Middleware: see the module docs.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let no_store = private(&req);
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
