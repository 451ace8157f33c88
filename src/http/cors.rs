//! Cross-origin access for the browser pages of the origins an operator names
//! (`CIT_CORS_ORIGINS`), and for no one else: with no origins configured, or from an origin not
//! on the list, no `Access-Control-*` header is ever sent, so a browser keeps other sites'
//! scripts away from the API. Tokens travel in `Authorization`, never in cookies, so
//! credentials are not allowed (`Access-Control-Allow-Credentials` is never sent).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

/// The origins allowed, exactly as a browser sends them in `Origin` (`scheme://host[:port]`).
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(pub Vec<String>);

/// The methods a page may use (every method the API answers).
const METHODS: &str = "GET, HEAD, POST, PUT, PATCH";
/// The request headers a page may send.
const REQUEST_HEADERS: &str = "authorization, content-type, accept, if-match, x-request-id";
/// The response headers a page may read beyond the simple ones.
const EXPOSED_HEADERS: &str = "etag, location, retry-after, x-next-cursor, x-request-id";
/// How long a browser may keep a preflight's answer, in seconds.
const MAX_AGE: &str = "600";

/// Middleware: answers a preflight from an allowed origin with 204 before authentication, and
/// marks every other answer to an allowed origin as readable by it.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let origin = allowed_origin(&req);
    let Some(origin) = origin else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let response = HttpResponse::build(StatusCode::NO_CONTENT)
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, REQUEST_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, MAX_AGE))
            .insert_header((header::VARY, "Origin"))
            .finish();
        return Ok(req.into_response(response).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    Ok(response.map_into_left_body())
}

/// The request's `Origin` when it is on the configured list.
fn allowed_origin(req: &ServiceRequest) -> Option<HeaderValue> {
    let allowed = req.app_data::<web::Data<AllowedOrigins>>()?;
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    allowed
        .0
        .iter()
        .any(|listed| listed.eq_ignore_ascii_case(text))
        .then(|| origin.clone())
}
