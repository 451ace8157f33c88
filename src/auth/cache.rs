//! The credentials cache: who a credential was, the last time the database said so, for a
//! short while, so that most requests are authenticated without a statement.
//!
//! A cached answer must never outlive what made it true, because a disabled or locked user's
//! tokens, a logged-out session's and a revoked key's "stop working at once" (API.md §1). Three
//! things forget answers:
//! - **The database says so**: triggers on `users`, `refresh_tokens` and `api_keys` (migration
//!   000018) `NOTIFY cit_credentials` with the user's or key's id when a change could end or
//!   alter a credential, whoever made it (any instance, `cit-api unlock-user`, plain SQL). Each
//!   instance `LISTEN`s on a connection of its own (`db::listener`) and forgets that principal.
//!   While that connection is down nothing is cached or served from the cache.
//! - **This instance wrote it**: a successful write under `/auth/logout`, `/me`, `/users`,
//!   `/api-keys` ([`changes_credentials`]) forgets everything before its response leaves, so
//!   its own client never races the notification.
//! - **The listener goes quiet**: it notifies itself every 2 s; heard nothing for 5 s, it is
//!   taken as lost (a half-open connection, a proxy that drops notifications) and reconnects
//!   (`db::listener`).
//! - **Time**: an answer is kept at most `CIT_AUTH_CACHE_SECONDS` (and never past its session's
//!   absolute end); an API key's is kept at most a minute, so its `last_used_at` is still
//!   written once a minute.
//!
//! A lookup that missed and then read the database stores its answer only if nothing was
//! forgotten in between (a generation count), so a revocation that commits while a request is
//! reading cannot be overwritten by the older answer.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::db::listener::{Miss, Notified};
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

/// See the module docs.
pub struct CredentialsCache {
    ttl: Duration,
    entries: Notified<CredentialKey, Caller, DateTime<Utc>>,
}

impl CredentialsCache {
    /// A cache keeping answers at most `ttl`; zero turns it off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Notified::new(CAPACITY),
        }
    }

    /// The cached caller for `key` at `now`, or a [`Miss`] to store the database's answer with.
    pub fn get(&self, key: &CredentialKey, now: DateTime<Utc>) -> Result<Caller, Miss> {
        self.entries.get(key, now)
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
        self.entries.put(miss, key, caller.clone(), now, until);
    }

    /// Forgets every answer.
    pub fn forget_all(&self) {
        self.entries.forget_all();
    }

    /// Forgets the answers about one user.
    pub fn forget_user(&self, id: UserId) {
        self.entries.forget_where(
            |caller| matches!(caller.principal, Principal::User { id: user, .. } if user == id),
        );
    }

    /// Forgets the answers about one user (`user:<id>`) or API key (`key:<id>`), as the
    /// triggers name them; anything else (`all`, after a `TRUNCATE`) forgets everything.
    pub fn forget(&self, payload: &str) {
        let id = payload
            .split_once(':')
            .and_then(|(kind, id)| Some((kind, uuid::Uuid::parse_str(id).ok()?)));
        match id {
            Some(("user", id)) => self.forget_user(UserId::from_uuid(id)),
            Some(("key", id)) => {
                let id = ApiKeyId::from_uuid(id);
                self.entries.forget_where(
                    |caller| matches!(caller.principal, Principal::ApiKey { id: key } if key == id),
                );
            }
            _ => self.forget_all(),
        }
    }

    /// Whether answers are being cached (the listener is up and a lifetime is set).
    pub fn is_on(&self) -> bool {
        !self.ttl.is_zero() && self.entries.listening()
    }

    /// The cache's figures in Prometheus text format, for `/metrics`.
    pub fn exposition(&self) -> String {
        self.entries.exposition(
            "auth_cache",
            self.is_on(),
            "Requests authenticated from the cache.",
            "Requests authenticated by the database.",
        )
    }
}

impl crate::db::listener::Invalidated for CredentialsCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn forget(&self, payload: &str) {
        CredentialsCache::forget(self, payload);
    }

    fn set_listening(&self, listening: bool) {
        self.entries.set_listening(listening);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::enums::Role;
    use crate::db::listener::Invalidated;

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
