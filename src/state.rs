//! What every handler shares: the pool, the city's clock, the JWT keys, the password rules.

use actix_web::web;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::{Hasher, PasswordPolicy};
use crate::clock::Clock;
use crate::db::Pools;

/// Shared application state, built once at start.
pub struct AppState {
    /// The database pools, one per server worker.
    pub pool: Pools,
    /// The one source of "now" and "today", in the city's time zone.
    pub clock: Clock,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Password rules.
    pub passwords: PasswordPolicy,
    /// argon2, bounded to the cores and off the async workers.
    pub hasher: Hasher,
    /// What the calls ingest applies besides the call itself: the city's zone and when a
    /// mental-health call's follow-up is due.
    pub ingest: crate::calls::ingest::Rules,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`CIT_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A real argon2id hash of a random password: unknown usernames are verified against it so
    /// they take as long as wrong passwords.
    pub dummy_hash: String,
    /// Who each recently seen credential is (`auth::cache`), shared with its listener.
    pub credentials: std::sync::Arc<crate::auth::cache::CredentialsCache>,
    /// People's details as last rendered (`personnel::cache`), shared with its listener.
    pub personnel: std::sync::Arc<crate::personnel::cache::PersonnelCache>,
    /// The public dashboard's last rendering.
    pub dashboard: crate::dashboard::Cache,
    /// The streaming replica reports and lists read from, when `CIT_READ_DATABASE_URL` is set.
    pub replica: Option<std::sync::Arc<crate::db::replica::Replica>>,
}

impl AppState {
    /// A pooled connection for one request's work; services take it (or a transaction on it)
    /// rather than reaching for the pool themselves, so their steps compose.
    pub async fn db(&self) -> Result<crate::db::Conn, crate::error::AppError> {
        Ok(self.pool.get().await?)
    }

    /// A connection for a read that may lag the primary by up to `CIT_READ_MAX_LAG_MS`
    /// (reports, lists): the replica's while it is fresh, else the primary's. Nothing written
    /// on it, and nothing read on it that the same request has just written.
    pub async fn read_db(&self) -> Result<crate::db::Conn, crate::error::AppError> {
        if let Some(replica) = &self.replica
            && let Some(conn) = replica.get().await
        {
            return Ok(conn);
        }
        self.db().await
    }

    /// [`read_db`](Self::read_db) or [`db`](Self::db), as `from` says.
    pub async fn db_for(&self, from: ReadFrom) -> Result<crate::db::Conn, crate::error::AppError> {
        match from {
            ReadFrom::Primary => self.db().await,
            ReadFrom::Replica => self.read_db().await,
        }
    }
}

/// Where a read may be served: the primary, or the replica when one is fresh
/// ([`AppState::read_db`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// Reads that write (an audited read) or must see their own request's writes.
    Primary,
    /// Reports and lists, which may lag by the replica's bound.
    Replica,
}

/// The extractor form of the state.
pub type AppData = web::Data<AppState>;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}
