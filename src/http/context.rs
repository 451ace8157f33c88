//! The request context: a request id on every request, log line and response, one access log
//! line per request, and the request metrics.

use std::net::IpAddr;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::{Ready, ready};
use tracing::Instrument;
use uuid::Uuid;

use crate::ops::metrics::Metrics;

/// The response (and accepted request) header carrying the request id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What the rest of a request's handling may want to know about it.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The request id.
    pub id: Uuid,
    /// The request path, without the query string.
    pub path: String,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// The context of the request being handled on this task, if any.
pub fn current() -> Option<RequestContext> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The request id and the client's address, for audit events and login throttling.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The request id.
    pub request_id: Uuid,
    /// The client: the peer address, or, when the peer is a trusted proxy
    /// (`CIT_TRUSTED_PROXIES`), the address its `X-Forwarded-For` names. From anyone else that
    /// header is ignored, since any client can send it.
    pub ip: Option<IpAddr>,
}

impl RequestMeta {
    /// Reads the meta of a request that went through [`observe`].
    pub fn of(req: &HttpRequest) -> Self {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map_or_else(Uuid::nil, |id| id.0);
        let peer = req.peer_addr().map(|addr| addr.ip());
        let trusted = req
            .app_data::<crate::state::AppData>()
            .map_or(&[][..], |state| state.trusted_proxies.as_slice());
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Self {
            request_id,
            ip: peer.map(|peer| client_address(peer, &forwarded, trusted)),
        }
    }
}

/// An `X-Forwarded-For` entry as an address: `203.0.113.9`, `203.0.113.9:4711`, `2001:db8::1`
/// or `[2001:db8::1]:4711`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address);
    }
    entry
        .parse::<std::net::SocketAddr>()
        .ok()
        .map(|socket| socket.ip())
        .or_else(|| {
            entry
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok()
        })
}

/// The client behind `peer`: walking `X-Forwarded-For` from the right (each proxy appends the
/// address it received from), the first address that is not a trusted proxy. An untrusted peer
/// is the client itself; a malformed entry stops the walk at the last trusted hop.
fn client_address(peer: IpAddr, forwarded: &str, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    if !trusted.contains(&peer) {
        return client;
    }
    for entry in forwarded
        .rsplit(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some(address) = forwarded_address(entry) else {
            break;
        };
        client = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    client
}

impl RequestMeta {
    /// The meta of work done at start-up, outside any request.
    pub fn startup() -> Self {
        Self {
            request_id: Uuid::now_v7(),
            ip: None,
        }
    }
}

impl FromRequest for RequestMeta {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

#[derive(Debug, Clone, Copy)]
struct RequestId(Uuid);

/// A caller-supplied id is kept only when it is a UUID, so nothing else reaches the logs.
fn request_id(req: &ServiceRequest) -> Uuid {
    req.headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .unwrap_or_else(Uuid::now_v7)
}

/// Middleware: gives the request its id and log span, writes one log line when it ends, records
/// its metrics and returns the id in `X-Request-Id`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let started = Instant::now();
    let context = RequestContext {
        id,
        path: path.clone(),
    };
    let mut response = CURRENT
        .scope(context, next.call(req).instrument(span.clone()))
        .await?;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            path = %path,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    if let Some(metrics) = metrics {
        metrics.observe_request(method_label(&method), &route, status, elapsed);
    }
    Ok(response)
}

/// Standard methods by name; anything a client invents is `OTHER`, so it cannot grow the label
/// set.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let proxy = ip("10.0.0.1");
        let trusted = [proxy];
        // Not from the proxy: the header is the client's own claim and ignored.
        assert_eq!(
            client_address(ip("198.51.100.4"), "203.0.113.9", &trusted),
            ip("198.51.100.4")
        );
        // From the proxy: the rightmost address it did not add itself.
        assert_eq!(
            client_address(proxy, "1.1.1.1, 203.0.113.9", &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(proxy, "203.0.113.9, 10.0.0.1", &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(proxy, "203.0.113.9:4711", &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(proxy, "[2001:db8::1]:4711", &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(proxy, "[2001:db8::1]", &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(client_address(proxy, "", &trusted), proxy);
        assert_eq!(client_address(proxy, "nonsense", &trusted), proxy);
    }

    #[test]
    fn invented_methods_share_one_label() {
        let custom = actix_web::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&custom), "OTHER");
        assert_eq!(method_label(&actix_web::http::Method::PATCH), "PATCH");
    }

    #[test]
    fn a_uuid_request_id_is_kept_and_anything_else_replaced() {
        let given = Uuid::now_v7();
        let req = TestRequest::default()
            .insert_header((REQUEST_ID_HEADER, given.to_string()))
            .to_srv_request();
        assert_eq!(request_id(&req), given);

        // Anything else (markup, a forged log field) is replaced by a fresh UUID v7 of ours.
        for forged in ["<script>", "abc\", \"admin\": true", ""] {
            let req = TestRequest::default()
                .insert_header((REQUEST_ID_HEADER, forged))
                .to_srv_request();
            let id = request_id(&req);
            assert_eq!(id.get_version_num(), 7, "{forged:?}");
            assert_ne!(id, given);
        }
    }
}
