//! Logins per client address: after [`LIMIT`] attempts within [`WINDOW`] from one address,
//! its logins answer 429 with `Retry-After` until the oldest attempt leaves the window, before
//! any password is checked. The per-account lockout stops guessing one password; this stops one
//! client from spraying guesses over many accounts (it can still lock four accounts a window;
//! `cit-api unlock-user` is the way back).
//!
//! An attempt counts from the moment it is let through, so parallel guesses cannot all slip
//! past while argon2 checks them, and is taken back when its password was right: what stays
//! are the failures. The count lives in the database (`login_addresses`, one row per address,
//! locked by `admit_login`), so every instance of the service sees the same attempts and two
//! replicas behind a load balancer throttle an address exactly as one does. An attempt whose
//! instance died before it could take it back counts as a failure until it ages out. An
//! address with nothing left in the window is forgotten (each admission deletes a few such
//! rows; a right password that leaves none deletes its own), so the table stays the size of
//! the window's traffic, however many addresses have ever tried.
//! The address is the peer's, or for a configured trusted proxy the client it names
//! (`RequestMeta`).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::data_types::PgInterval;
use diesel::sql_types::{Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::functions::admit_login;
use crate::error::AppError;

/// Login attempts an address may make within the window (successful ones are taken back).
pub const LIMIT: i32 = 20;
/// The window.
pub const WINDOW: Duration = Duration::minutes(15);

/// A login let through by [`admit`]: it counts against its address as a failure unless
/// [`passed`](Self::passed) takes it back.
#[derive(Debug)]
#[must_use = "a login that passed must be taken back, or it counts as a failure"]
pub struct Admission {
    ip: Option<String>,
    at: DateTime<Utc>,
}

/// Lets a login from `ip` go ahead at `now`, or answers 429 when the address already has
/// [`LIMIT`] attempts (failed, or still being checked anywhere) within the window. One
/// statement. A request with no peer address (a Unix socket) is not throttled.
pub async fn admit(
    conn: &mut AsyncPgConnection,
    ip: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Admission, AppError> {
    let Some(ip) = ip.map(|ip| ip.to_string()) else {
        return Ok(Admission { ip: None, at: now });
    };
    let window = PgInterval::from_microseconds(WINDOW.num_microseconds().unwrap_or(i64::MAX));
    let free_at: Option<DateTime<Utc>> = diesel::select(admit_login(&ip, now, window, LIMIT))
        .get_result(conn)
        .await?;
    match free_at {
        None => Ok(Admission {
            ip: Some(ip),
            at: now,
        }),
        Some(free_at) => Err(AppError::TooManyRequests {
            detail: "too many failed logins from this address; try again later".into(),
            retry_after: (free_at - now).num_seconds().max(1).unsigned_abs(),
        }),
    }
}

impl Admission {
    /// The password was right: the attempt no longer counts against its address.
    pub async fn passed(self, conn: &mut AsyncPgConnection) -> Result<(), AppError> {
        let Some(ip) = self.ip else { return Ok(()) };
        diesel::sql_query("SELECT release_login($1, $2)")
            .bind::<Text, _>(ip)
            .bind::<Timestamptz, _>(self.at)
            .execute(conn)
            .await?;
        Ok(())
    }
}
