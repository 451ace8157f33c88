//! The credentials cache: who a credential was, the last time the database said so, for a
//! short while, so that most requests are authenticated without a statement.
//!
//! A cached answer must never outlive what made it true, because a disabled or locked user's
//! tokens, a logged-out session's and a revoked key's "stop working at once" (API.md §1). Three
//! things forget answers:
//! - **The database says so**: triggers on `users`, `refresh_tokens` and `api_keys` (migration
//!   000018) `NOTIFY cit_credentials` with the user's or key's id when a change could end or
//!   alter a credential, whoever made it (any instance, `cit-api unlock-user`, plain SQL). Each
//!   instance `LISTEN`s on a connection of its own ([`listen`]) and forgets that principal. While
//!   that connection is down nothing is cached or served from the cache.
//! - **This instance wrote it**: a successful write under `/auth/logout`, `/me`, `/users`,
//!   `/api-keys` ([`changes_credentials`]) forgets everything before its response leaves, so
//!   its own client never races the notification.
//! - **The listener goes quiet**: it notifies itself every 2 s; heard nothing for 5 s, it is
//!   taken as lost (a half-open connection, a proxy that drops notifications) and reconnects.
//! - **Time**: an answer is kept at most `CIT_AUTH_CACHE_SECONDS` (and never past its session's
//!   absolute end); an API key's is kept at most a minute, so its `last_used_at` is still
//!   written once a minute.
//!
//! A lookup that missed and then read the database stores its answer only if nothing was
//! forgotten in between (a generation count), so a revocation that commits while a request is
//! reading cannot be overwritten by the older answer.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{FutureExt, StreamExt};

use crate::ids::{ApiKeyId, SessionId, UserId};

use super::extract::{Caller, Principal};

/// The channel the triggers notify.
pub const CHANNEL: &str = "cit_credentials";

/// How many answers are kept at most; past it, new answers are not stored.
const CAPACITY: usize = 50_000;

/// How long an API key's answer is kept at most: its use is recorded once a minute.
const API_KEY_TTL: Duration = Duration::from_secs(60);

/// What a cached answer is found by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CredentialKey {
    /// An access token's user and session.
    Session(UserId, SessionId),
    /// An API key's digest.
    ApiKey(Vec<u8>),
}

struct Entry {
    caller: Caller,
    /// Not served at or after this instant.
    until: DateTime<Utc>,
}

struct Inner {
    entries: HashMap<CredentialKey, Entry>,
    /// Bumped whenever anything is forgotten.
    generation: u64,
    /// Whether the listener is connected and listening; nothing is cached while it is not.
    listening: bool,
}

/// See the module docs.
pub struct CredentialsCache {
    ttl: Duration,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// A miss: hand it back with the answer read from the database.
#[derive(Debug, Clone, Copy)]
pub struct Miss {
    generation: u64,
}

impl CredentialsCache {
    /// A cache keeping answers at most `ttl`; zero turns it off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                generation: 0,
                listening: false,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters: the worst is an answer forgotten.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached caller for `key` at `now`, or a [`Miss`] to store the database's answer with.
    pub fn get(&self, key: &CredentialKey, now: DateTime<Utc>) -> Result<Caller, Miss> {
        let inner = self.lock();
        let miss = Miss {
            generation: inner.generation,
        };
        let found = match inner.entries.get(key) {
            Some(entry) if inner.listening && now < entry.until => Ok(entry.caller.clone()),
            _ => Err(miss),
        };
        let counter = if found.is_ok() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores the database's answer for `key`, read at `now` after `miss`, unless something
    /// was forgotten since. `ends` is when the credential ends regardless (a session's end).
    pub fn put(
        &self,
        miss: Miss,
        key: CredentialKey,
        caller: &Caller,
        now: DateTime<Utc>,
        ends: Option<DateTime<Utc>>,
    ) {
        let ttl = match key {
            CredentialKey::Session(..) => self.ttl,
            CredentialKey::ApiKey(_) => self.ttl.min(API_KEY_TTL),
        };
        let Ok(ttl) = chrono::Duration::from_std(ttl) else {
            return;
        };
        if ttl.is_zero() {
            return;
        }
        let until = ends.map_or(now + ttl, |ends| ends.min(now + ttl));
        let mut inner = self.lock();
        if !inner.listening || inner.generation != miss.generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.retain(|_, entry| now < entry.until);
            if inner.entries.len() >= CAPACITY {
                return;
            }
        }
        inner.entries.insert(
            key,
            Entry {
                caller: caller.clone(),
                until,
            },
        );
    }

    /// Forgets every answer.
    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
    }

    /// Forgets the answers about one user.
    pub fn forget_user(&self, id: UserId) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(
            |_, entry| !matches!(entry.caller.principal, Principal::User { id: user, .. } if user == id),
        );
    }

    /// Forgets the answers about one user (`user:<id>`) or API key (`key:<id>`), as the
    /// triggers name them; anything else (`all`, after a `TRUNCATE`) forgets everything.
    pub fn forget(&self, payload: &str) {
        let principal = payload.split_once(':').and_then(|(kind, id)| {
            let id = uuid::Uuid::parse_str(id).ok()?;
            match kind {
                "user" => Some(Principal::User {
                    id: UserId::from_uuid(id),
                    session: SessionId::from_uuid(uuid::Uuid::nil()),
                }),
                "key" => Some(Principal::ApiKey {
                    id: ApiKeyId::from_uuid(id),
                }),
                _ => None,
            }
        });
        if let Some(Principal::User { id, .. }) = principal {
            return self.forget_user(id);
        }
        let mut inner = self.lock();
        inner.generation += 1;
        match principal {
            Some(Principal::ApiKey { id }) => inner.entries.retain(|_, entry| {
                !matches!(entry.caller.principal, Principal::ApiKey { id: key } if key == id)
            }),
            _ => inner.entries.clear(),
        }
    }

    /// Marks the listener connected (everything known before is forgotten: notifications
    /// may have been missed) or lost (nothing is cached until it is back).
    fn set_listening(&self, listening: bool) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.generation += 1;
        inner.listening = listening;
    }

    fn listening(&self) -> bool {
        self.lock().listening
    }

    /// Whether answers are being cached (the listener is up and a lifetime is set).
    pub fn is_on(&self) -> bool {
        !self.ttl.is_zero() && self.listening()
    }

    /// The cache's figures in Prometheus text format, for `/metrics`.
    pub fn exposition(&self) -> String {
        let mut out = String::new();
        for (name, kind, help, value) in [
            (
                "auth_cache_on",
                "gauge",
                "1 while credentials are cached (the listener is up), else 0.",
                u64::from(self.is_on()),
            ),
            (
                "auth_cache_hits_total",
                "counter",
                "Requests authenticated from the cache.",
                self.hits.load(Ordering::Relaxed),
            ),
            (
                "auth_cache_misses_total",
                "counter",
                "Requests authenticated by the database.",
                self.misses.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}

/// Whether a request, answered with `status`, changed who a credential is or whether it still
/// works: a successful write on a route (its matched pattern, so no spelling of the path
/// escapes) that manages users, sessions or keys. Such a request forgets this instance's cache
/// before its response leaves. Login and refresh are left to the notification: their
/// failures change a credential only by locking or revoking it, which the triggers announce,
/// and forgetting on every login would let anyone empty the cache.
pub fn changes_credentials(
    method: &actix_web::http::Method,
    pattern: Option<&str>,
    status: actix_web::http::StatusCode,
) -> bool {
    const PREFIXES: [&str; 4] = [
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/api-keys",
    ];
    status.is_success()
        && !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS")
        && pattern.is_some_and(|pattern| PREFIXES.iter().any(|prefix| pattern.starts_with(prefix)))
}

/// The payload of the listener's own heartbeat, which forgets nothing.
const HEARTBEAT: &str = "heartbeat";

/// How often each listener notifies the channel itself, to prove it still hears it.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// A listener that has heard nothing (not even a heartbeat) for this long is taken as lost:
/// a half-open connection, a proxy that drops notifications, a failover it has not noticed.
const SILENCE: Duration = Duration::from_secs(5);

/// Why a listening connection was given up.
#[derive(Debug, thiserror::Error)]
enum ListenerLost {
    #[error(transparent)]
    Database(#[from] tokio_postgres::Error),
    #[error("no notification, not even its own heartbeat, for {0:?}")]
    Silent(Duration),
}

/// Turns caching off if the listener's task ends in any way (a panic included).
struct OffWhenDropped<'a>(&'a CredentialsCache);

impl Drop for OffWhenDropped<'_> {
    fn drop(&mut self) {
        self.0.set_listening(false);
    }
}

/// Keeps a connection listening on [`CHANNEL`] for as long as the process runs, reconnecting
/// after a loss (nothing is cached meanwhile), and forgets what each notification names.
pub async fn listen(cache: std::sync::Arc<CredentialsCache>, database_url: String) {
    if cache.ttl.is_zero() {
        return;
    }
    let mut config = match database_url.parse::<tokio_postgres::Config>() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "the credentials listener cannot read DATABASE_URL; no caching");
            return;
        }
    };
    config.application_name("cit-api credentials listener");
    let _off = OffWhenDropped(&cache);
    let mut delay = Duration::from_millis(100);
    loop {
        match listen_once(&cache, &config).await {
            Ok(()) => tracing::warn!("the credentials listener's connection closed"),
            Err(error) => tracing::warn!(%error, "the credentials listener's connection was lost"),
        }
        if cache.listening() {
            // It had been listening: a fresh loss, retried soon.
            delay = Duration::from_millis(100);
        }
        cache.set_listening(false);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

async fn listen_once(
    cache: &CredentialsCache,
    config: &tokio_postgres::Config,
) -> Result<(), ListenerLost> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    // The connection is polled here, not spawned, so its notifications arrive in order and
    // its end is seen at once; the client's statements are sent by the same polling.
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx)).boxed();
    let listen = format!("LISTEN {CHANNEL}");
    let heartbeat = format!("NOTIFY {CHANNEL}, '{HEARTBEAT}'");
    let mut pending = Some(client.batch_execute(&listen).boxed());
    let mut listening = false;
    let mut heard = tokio::time::Instant::now();
    let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(Ok(tokio_postgres::AsyncMessage::Notification(notification))) => {
                    heard = tokio::time::Instant::now();
                    if notification.payload() != HEARTBEAT {
                        cache.forget(notification.payload());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.into()),
                None => return Ok(()),
            },
            done = async {
                match pending.as_mut() {
                    Some(statement) => statement.await,
                    None => std::future::pending().await,
                }
            }, if pending.is_some() => {
                pending = None;
                done?;
                if !listening {
                    listening = true;
                    cache.set_listening(true);
                    tracing::info!("the credentials listener is listening");
                }
            }
            _ = beat.tick(), if listening => {
                if heard.elapsed() > SILENCE {
                    return Err(ListenerLost::Silent(heard.elapsed()));
                }
                if pending.is_none() {
                    pending = Some(client.batch_execute(&heartbeat).boxed());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::enums::Role;

    fn caller(user: UserId) -> Caller {
        Caller {
            principal: Principal::User {
                id: user,
                session: SessionId::from_uuid(uuid::Uuid::now_v7()),
            },
            name: "someone".into(),
            roles: vec![Role::Analyst],
            personnel_id: None,
            partner_id: None,
        }
    }

    fn key(caller: &Caller) -> CredentialKey {
        match caller.principal {
            Principal::User { id, session } => CredentialKey::Session(id, session),
            _ => unreachable!(),
        }
    }

    #[test]
    fn answers_are_kept_only_while_listening_and_within_their_lifetime() {
        let cache = CredentialsCache::new(Duration::from_secs(60));
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let alice = caller(UserId::from_uuid(uuid::Uuid::now_v7()));
        let miss = cache.get(&key(&alice), now).unwrap_err();
        cache.put(miss, key(&alice), &alice, now, None);
        assert!(cache.get(&key(&alice), now).is_err(), "not listening yet");

        cache.set_listening(true);
        let miss = cache.get(&key(&alice), now).unwrap_err();
        cache.put(
            miss,
            key(&alice),
            &alice,
            now,
            Some(now + chrono::Duration::seconds(10)),
        );
        assert_eq!(cache.get(&key(&alice), now).unwrap().name, "someone");
        let later = now + chrono::Duration::seconds(10);
        assert!(cache.get(&key(&alice), later).is_err(), "the session ended");

        cache.set_listening(false);
        assert!(
            cache.get(&key(&alice), now).is_err(),
            "the listener was lost"
        );
    }

    #[test]
    fn a_notification_forgets_its_principal_and_voids_reads_in_flight() {
        let cache = CredentialsCache::new(Duration::from_secs(60));
        cache.set_listening(true);
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let alice = caller(UserId::from_uuid(uuid::Uuid::now_v7()));
        let bob = caller(UserId::from_uuid(uuid::Uuid::now_v7()));
        for someone in [&alice, &bob] {
            let miss = cache.get(&key(someone), now).unwrap_err();
            cache.put(miss, key(someone), someone, now, None);
        }
        let Principal::User { id, .. } = alice.principal else {
            unreachable!()
        };
        // A read of Alice that began before the notification…
        let in_flight = cache
            .get(&key(&alice), now + chrono::Duration::hours(1))
            .unwrap_err();
        cache.forget(&format!("user:{id}"));
        assert!(cache.get(&key(&alice), now).is_err());
        assert!(
            cache.get(&key(&bob), now).is_ok(),
            "only Alice is forgotten"
        );
        // …cannot store what it read.
        cache.put(in_flight, key(&alice), &alice, now, None);
        assert!(cache.get(&key(&alice), now).is_err());

        cache.forget("garbled");
        assert!(
            cache.get(&key(&bob), now).is_err(),
            "anything unreadable forgets all"
        );
    }

    #[test]
    fn successful_writes_to_the_credential_routes_forget() {
        use actix_web::http::{Method, StatusCode};
        let ok = StatusCode::OK;
        let done = StatusCode::NO_CONTENT;
        let refused = StatusCode::UNPROCESSABLE_ENTITY;
        for (method, pattern, status, expected) in [
            (Method::POST, Some("/api/v1/auth/logout"), done, true),
            (Method::POST, Some("/api/v1/me/password"), done, true),
            (Method::PATCH, Some("/api/v1/users/{id}"), ok, true),
            (Method::POST, Some("/api/v1/api-keys/{id}/revoke"), ok, true),
            (Method::PATCH, Some("/api/v1/users/{id}"), refused, false),
            (Method::POST, Some("/api/v1/auth/login"), ok, false),
            (Method::POST, Some("/api/v1/auth/refresh"), ok, false),
            (Method::GET, Some("/api/v1/users"), ok, false),
            (Method::POST, Some("/api/v1/personnel"), ok, false),
            (Method::POST, None, ok, false),
        ] {
            assert_eq!(
                changes_credentials(&method, pattern, status),
                expected,
                "{method} {pattern:?} {status}"
            );
        }
    }
}
