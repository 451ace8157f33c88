//! Each person's detail (`GET /personnel/{id}`) and each roster page (`GET /personnel`, in
//! JSON) as the database last answered them, rendered, so a read made recently costs no
//! statement. They are kept true the way the credentials cache is (`auth::cache`):
//! - **The database says so**: statement triggers on `personnel`, `certifications`,
//!   `certification_types` and `enrollments` (migration 000019) `NOTIFY cit_personnel` at the
//!   commit of any change to them, whoever made it (any instance, an import, plain SQL), and
//!   every instance forgets every detail and page (`db::listener`). Such changes are rare
//!   beside reads, and one notification a statement costs nothing however many rows it
//!   touched. While the listening connection is down nothing is cached or served from it.
//! - **This instance wrote it**: a successful request with a method that writes forgets
//!   everything before its response leaves ([`changes`]), so its client never races the
//!   notification; only routes known to write no person (the calls ingest, sign-in,
//!   referrals, follow-ups) keep the details and pages.
//! - **Time**: an answer is kept at most `CIT_READ_CACHE_SECONDS`, and only for the city day
//!   it was judged on (the key holds the day): certificates' statuses and the CIT flag depend
//!   on it.
//!
//! A page is found by what shapes it: whether the caller sees numbers only (an integration
//! key) or whole records, the query string (filters, limit, cursor) and the day. Pages are
//! cached only while lists read the primary (no `CIT_READ_DATABASE_URL`): a replica may not
//! have replayed a change yet when its notification arrives, and would store the older page.
//! Only pages up to [`PAGE_BYTES`] are kept, at most [`PAGE_CAPACITY`] of them, and none for
//! a query string longer than 256 bytes.
//!
//! A read that missed stores what it read only if nothing was forgotten since it looked
//! (`db::listener::Notified`), so a change that commits while a read is in flight cannot be
//! overwritten by the older answer. Who may read a person or the roster is decided before the
//! cache is asked, as it was before the statement was sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use chrono::NaiveDate;

use crate::db::listener::{Miss, Notified};
use crate::error::AppError;
use crate::http::etag::etag;
use crate::ids::PersonnelId;

/// The channel the triggers notify.
pub const CHANNEL: &str = "cit_personnel";

/// How many details are kept at most; past it, new ones are not stored. A detail is a few
/// kilobytes, so this bounds them near 20 MiB.
const CAPACITY: usize = 10_000;

/// How many roster pages are kept at most.
pub const PAGE_CAPACITY: usize = 512;

/// The largest roster page kept (a page of 50 whole records is about 15 KB), so pages hold
/// at most 16 MiB.
pub const PAGE_BYTES: usize = 32 * 1024;

/// An answer as it is sent: its JSON, and its version (the `ETag`) if it is one record's.
#[derive(Debug)]
pub struct Rendered {
    version: Option<i32>,
    body: Bytes,
}

impl Rendered {
    /// Renders `body`, a record at `version` or a page (`None`).
    pub fn new<T: serde::Serialize>(version: Option<i32>, body: &T) -> serde_json::Result<Self> {
        Ok(Self {
            version,
            body: Bytes::from(serde_json::to_vec(body)?),
        })
    }

    /// `200 OK` (with its `ETag`), as `http::etag::versioned` and a JSON page answer.
    pub fn respond(&self) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        if let Some(version) = self.version {
            response.insert_header(etag(version));
        }
        response
            .content_type(ContentType::json())
            .body(self.body.clone())
    }
}

/// What a detail is found by: the person and the city day it was judged on.
pub type Key = (PersonnelId, NaiveDate);

/// What a roster page is found by: numbers only (else whole records), the query string, and
/// the city day.
pub type PageKey = (bool, String, NaiveDate);

/// The longest query string whose page is kept: a longer one is a search no one repeats.
const PAGE_QUERY_BYTES: usize = 256;

/// See the module docs.
pub struct PersonnelCache {
    ttl: Duration,
    /// Whether roster pages are cached (lists read the primary).
    cache_pages: bool,
    details: Notified<Key, Arc<Rendered>, Instant>,
    pages: Notified<PageKey, Arc<Rendered>, Instant>,
}

impl PersonnelCache {
    /// A cache keeping details, and pages if `cache_pages` (no read replica), at most `ttl`;
    /// zero turns it off.
    pub fn new(ttl: Duration, cache_pages: bool) -> Self {
        Self {
            ttl,
            cache_pages,
            details: Notified::new(CAPACITY),
            pages: Notified::new(PAGE_CAPACITY),
        }
    }

    /// Whether a roster page with this query string may be answered from the cache: pages are
    /// cached (no replica), it is not CSV (`csv`), and the query string is short.
    pub fn keeps_page(&self, query: &str, csv: bool) -> bool {
        self.cache_pages && !csv && query.len() <= PAGE_QUERY_BYTES
    }

    /// The cached detail for `key` at `now`, or a [`Miss`] to store the database's answer with.
    fn get(&self, key: &Key, now: Instant) -> Result<Arc<Rendered>, Miss> {
        self.details.get(key, now)
    }

    /// Stores the detail read for `key` after `miss` (looked up at `now`), unless something
    /// was forgotten since.
    fn put(&self, miss: Miss, key: Key, rendered: Arc<Rendered>, now: Instant) {
        if !self.ttl.is_zero() {
            self.details.put(miss, key, rendered, now, now + self.ttl);
        }
    }

    /// The cached roster page for `key` at `now`, or a [`Miss`].
    fn page(&self, key: &PageKey, now: Instant) -> Result<Arc<Rendered>, Miss> {
        self.pages.get(key, now)
    }

    /// Stores the page read for `key` after `miss`, unless something was forgotten since or
    /// it is larger than [`PAGE_BYTES`].
    fn put_page(&self, miss: Miss, key: PageKey, rendered: Arc<Rendered>, now: Instant) {
        if !self.ttl.is_zero() && self.cache_pages && rendered.body.len() <= PAGE_BYTES {
            self.pages.put(miss, key, rendered, now, now + self.ttl);
        }
    }

    /// Answers a person's detail from the cache, or else with what `read` reads (its version
    /// and body), storing it.
    pub async fn detail<T: serde::Serialize>(
        &self,
        key: Key,
        read: impl Future<Output = Result<(i32, T), AppError>>,
    ) -> Result<HttpResponse, AppError> {
        let now = Instant::now();
        let miss = match self.get(&key, now) {
            Ok(rendered) => return Ok(rendered.respond()),
            Err(miss) => miss,
        };
        let (version, body) = read.await?;
        let rendered = Arc::new(Rendered::new(Some(version), &body).map_err(rendering)?);
        self.put(miss, key, rendered.clone(), now);
        Ok(rendered.respond())
    }

    /// Answers a roster page from the cache, or else with the page `read` reads, storing it.
    pub async fn roster_page<T: serde::Serialize>(
        &self,
        key: PageKey,
        read: impl Future<Output = Result<T, AppError>>,
    ) -> Result<HttpResponse, AppError> {
        let now = Instant::now();
        let miss = match self.page(&key, now) {
            Ok(rendered) => return Ok(rendered.respond()),
            Err(miss) => miss,
        };
        let rendered = Arc::new(Rendered::new(None, &read.await?).map_err(rendering)?);
        self.put_page(miss, key, rendered.clone(), now);
        Ok(rendered.respond())
    }

    /// Forgets every detail and page.
    pub fn forget_all(&self) {
        self.details.forget_all();
        self.pages.forget_all();
    }

    /// Whether answers are being cached (the listener is up and a lifetime is set).
    pub fn is_on(&self) -> bool {
        !self.ttl.is_zero() && self.details.listening()
    }

    /// The cache's figures in Prometheus text format, for `/metrics`.
    pub fn exposition(&self) -> String {
        let mut text = self.details.exposition(
            "personnel_cache",
            self.is_on(),
            "Personnel details answered from the cache.",
            "Personnel details read from the database.",
        );
        text.push_str(&self.pages.exposition(
            "personnel_pages_cache",
            self.is_on() && self.cache_pages,
            "Roster pages answered from the cache.",
            "Roster pages read from the database.",
        ));
        text
    }
}

impl crate::db::listener::Invalidated for PersonnelCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn forget(&self, _payload: &str) {
        self.forget_all();
    }

    fn set_listening(&self, listening: bool) {
        self.details.set_listening(listening);
        self.pages.set_listening(listening);
    }
}

/// A body that could not be rendered as JSON (the error names no value).
fn rendering(error: serde_json::Error) -> AppError {
    AppError::Internal(format!("rendering a personnel answer: {error}"))
}

/// Whether a request answered with `status` may have changed a person's detail: a successful
/// request whose method writes, unless its route (the matched pattern, so no spelling of the
/// path escapes) is one of [`WRITES_NO_PERSON`]. Such a request forgets this instance's details
/// before its response leaves. The list names what may keep them, not what must forget, so a
/// new route forgets until it is named here; and were a named route ever to write a person,
/// the triggers' notification would still reach every instance within milliseconds.
pub fn changes(
    method: &actix_web::http::Method,
    pattern: Option<&str>,
    status: actix_web::http::StatusCode,
) -> bool {
    status.is_success()
        && !method.is_safe()
        && !pattern.is_some_and(|pattern| {
            WRITES_NO_PERSON
                .iter()
                .any(|prefix| pattern.starts_with(prefix))
        })
}

/// The routes whose writes never touch `personnel`, `certifications`, `certification_types`
/// or `enrollments`: the records management system's calls (all day, in bulk), sign-in, and
/// the clinicians' referrals and follow-ups.
const WRITES_NO_PERSON: [&str; 5] = [
    "/api/v1/calls/",
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/follow-ups",
    "/api/v1/referrals",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::listener::Invalidated;
    use actix_web::http::{Method, StatusCode};

    fn key() -> Key {
        (
            PersonnelId::from_uuid(uuid::Uuid::now_v7()),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        )
    }

    fn rendered(version: i32) -> Arc<Rendered> {
        Arc::new(Rendered::new(Some(version), &serde_json::json!({"version": version})).unwrap())
    }

    #[test]
    fn details_are_kept_only_while_listening_and_within_their_lifetime() {
        let cache = PersonnelCache::new(Duration::from_secs(60), true);
        let now = Instant::now();
        let alice = key();
        let miss = cache.get(&alice, now).unwrap_err();
        cache.put(miss, alice, rendered(1), now);
        assert!(cache.get(&alice, now).is_err(), "not listening yet");

        cache.set_listening(true);
        let miss = cache.get(&alice, now).unwrap_err();
        cache.put(miss, alice, rendered(1), now);
        assert_eq!(cache.get(&alice, now).unwrap().version, Some(1));
        let tomorrow = (alice.0, alice.1.succ_opt().unwrap());
        assert!(cache.get(&tomorrow, now).is_err(), "judged on another day");
        assert!(
            cache.get(&alice, now + Duration::from_secs(60)).is_err(),
            "its lifetime ended"
        );

        cache.set_listening(false);
        assert!(cache.get(&alice, now).is_err(), "the listener was lost");
        assert!(!cache.is_on());
    }

    #[test]
    fn a_notification_forgets_everything_and_voids_reads_in_flight() {
        let cache = PersonnelCache::new(Duration::from_secs(60), true);
        cache.set_listening(true);
        let now = Instant::now();
        let (alice, bob) = (key(), key());
        let miss = cache.get(&alice, now).unwrap_err();
        cache.put(miss, alice, rendered(1), now);
        // A read of Bob that began before the notification…
        let in_flight = cache.get(&bob, now).unwrap_err();
        cache.forget("all");
        assert!(cache.get(&alice, now).is_err());
        // …cannot store what it read.
        cache.put(in_flight, bob, rendered(1), now);
        assert!(cache.get(&bob, now).is_err());
        assert!(
            cache
                .exposition()
                .contains("personnel_cache_hits_total 0\n"),
            "{}",
            cache.exposition()
        );
    }

    #[test]
    fn pages_are_kept_only_without_a_replica_for_short_json_queries() {
        let cache = PersonnelCache::new(Duration::from_secs(60), true);
        assert!(cache.keeps_page("limit=50&department=police", false));
        assert!(!cache.keeps_page("limit=50", true), "CSV");
        assert!(!cache.keeps_page(&"q=a".repeat(100), false), "a long query");
        let replicated = PersonnelCache::new(Duration::from_secs(60), false);
        replicated.set_listening(true);
        assert!(!replicated.keeps_page("limit=50", false));
        assert!(
            replicated
                .exposition()
                .contains("personnel_pages_cache_on 0\n")
        );
        assert!(replicated.exposition().contains("personnel_cache_on 1\n"));
    }

    #[test]
    fn a_zero_lifetime_caches_nothing() {
        let cache = PersonnelCache::new(Duration::ZERO, true);
        assert!(!cache.enabled());
        cache.set_listening(true);
        let now = Instant::now();
        let alice = key();
        let miss = cache.get(&alice, now).unwrap_err();
        cache.put(miss, alice, rendered(1), now);
        assert!(cache.get(&alice, now).is_err());
    }

    #[test]
    fn a_rendered_detail_answers_as_a_versioned_json_body() {
        let response = rendered(7).respond();
        assert_eq!(response.status(), StatusCode::OK);
        let header = |name| response.headers().get(name).unwrap().to_str().unwrap();
        assert_eq!(header("etag"), "\"7\"");
        assert_eq!(header("content-type"), "application/json");
    }

    #[test]
    fn successful_writes_forget_unless_their_route_writes_no_person() {
        let (ok, done) = (StatusCode::OK, StatusCode::NO_CONTENT);
        for (method, pattern, status, expected) in [
            (
                Method::POST,
                Some("/api/v1/certifications"),
                StatusCode::CREATED,
                true,
            ),
            (Method::PATCH, Some("/api/v1/personnel/{id}"), ok, true),
            (
                Method::PUT,
                Some("/api/v1/certification-types/{id}"),
                ok,
                true,
            ),
            (
                Method::POST,
                Some("/api/v1/training-sessions/{id}/enrollments"),
                ok,
                true,
            ),
            (Method::POST, Some("/api/v1/auth/logout"), done, true),
            (Method::DELETE, None, ok, true),
            (
                Method::POST,
                Some("/api/v1/personnel"),
                StatusCode::CONFLICT,
                false,
            ),
            (Method::GET, Some("/api/v1/personnel/{id}"), ok, false),
            (Method::HEAD, Some("/api/v1/personnel/{id}"), ok, false),
            (Method::OPTIONS, Some("/api/v1/personnel"), ok, false),
            (Method::POST, Some("/api/v1/calls/batch"), ok, false),
            (
                Method::PUT,
                Some("/api/v1/calls/{source}/{incident_number}"),
                ok,
                false,
            ),
            (Method::POST, Some("/api/v1/auth/login"), ok, false),
            (
                Method::POST,
                Some("/api/v1/referrals/{id}/transitions"),
                ok,
                false,
            ),
            (Method::PATCH, Some("/api/v1/follow-ups/{id}"), ok, false),
        ] {
            assert_eq!(
                changes(&method, pattern, status),
                expected,
                "{method} {pattern:?} {status}"
            );
        }
    }
}
