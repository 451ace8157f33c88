//! Failed logins per client address: after [`LIMIT`] failures within [`WINDOW`] from one
//! address, its logins answer 429 with `Retry-After` until the oldest failure leaves the window,
//! before any password is checked. The per-account lockout stops guessing one password; this
//! stops one client from spraying guesses over many accounts (it can still lock four accounts
//! a window; `cit-api unlock-user` is the way back). Logins still being checked count too,
//! so parallel guesses cannot all slip past.
//! The address is the peer's, or for a configured trusted proxy the client it names
//! (`RequestMeta`). Kept in memory per instance: it bounds the work one instance does.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::error::AppError;

/// Failed logins an address may make within the window.
pub const LIMIT: usize = 20;
/// The window.
pub const WINDOW: Duration = Duration::minutes(15);
/// Addresses remembered at most; past it, the quietest are forgotten first.
const MAX_ADDRESSES: usize = 100_000;

/// What is known of one address: its failures within the window, and its logins being
/// checked right now (each may yet fail).
#[derive(Debug, Default)]
struct Address {
    failures: VecDeque<DateTime<Utc>>,
    in_flight: usize,
}

/// The failures of each address within the window.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    addresses: Mutex<HashMap<IpAddr, Address>>,
}

/// A login let through by [`LoginThrottle::admit`]: it counts against its address until it
/// ends, so parallel guesses cannot all slip past the check while argon2 is busy with them.
/// Call [`failed`](Self::failed) when the password was wrong; dropping it otherwise lets it go.
#[derive(Debug)]
pub struct Admission<'t> {
    throttle: &'t LoginThrottle,
    ip: Option<IpAddr>,
}

impl Admission<'_> {
    /// The login failed at `now`: it now counts as a failure of its address.
    pub fn failed(self, now: DateTime<Utc>) {
        if let Some(ip) = self.ip {
            let mut addresses = self.throttle.lock();
            let address = addresses.entry(ip).or_default();
            forget_before(&mut address.failures, now - WINDOW);
            address.failures.push_back(now);
            while address.failures.len() > LIMIT {
                address.failures.pop_front();
            }
        }
        // `Drop` ends the in-flight count.
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        let Some(ip) = self.ip else { return };
        let mut addresses = self.throttle.lock();
        if let Some(address) = addresses.get_mut(&ip) {
            address.in_flight = address.in_flight.saturating_sub(1);
        }
    }
}

impl LoginThrottle {
    /// Lets a login from `ip` go ahead, or answers 429 when the address's failures within the
    /// window, with its logins still in flight, already reach [`LIMIT`].
    pub fn admit(&self, ip: Option<IpAddr>, now: DateTime<Utc>) -> Result<Admission<'_>, AppError> {
        let Some(ip) = ip else {
            return Ok(Admission { throttle: self, ip });
        };
        let mut addresses = self.lock();
        if addresses.len() >= MAX_ADDRESSES && !addresses.contains_key(&ip) {
            evict(&mut addresses, now);
        }
        let address = addresses.entry(ip).or_default();
        forget_before(&mut address.failures, now - WINDOW);
        if address.failures.len() + address.in_flight >= LIMIT {
            // With only logins in flight (no failure yet to age out), a second will do.
            let retry_after = address
                .failures
                .front()
                .map_or(1, |oldest| (*oldest + WINDOW - now).num_seconds().max(1));
            return Err(AppError::TooManyRequests {
                detail: "too many failed logins from this address; try again later".into(),
                retry_after: retry_after.unsigned_abs(),
            });
        }
        address.in_flight += 1;
        Ok(Admission {
            throttle: self,
            ip: Some(ip),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Address>> {
        // A panic while holding the lock leaves counts that are still counts.
        self.addresses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Makes room for a new address: drops those with nothing left in the window, then, if the
/// map is still full, the idle addresses whose last failure is oldest.
fn evict(addresses: &mut HashMap<IpAddr, Address>, now: DateTime<Utc>) {
    let start = now - WINDOW;
    addresses.retain(|_, address| {
        forget_before(&mut address.failures, start);
        !address.failures.is_empty() || address.in_flight > 0
    });
    if addresses.len() < MAX_ADDRESSES {
        return;
    }
    let mut idle: Vec<(DateTime<Utc>, IpAddr)> = addresses
        .iter()
        .filter(|(_, address)| address.in_flight == 0)
        .filter_map(|(ip, address)| address.failures.back().map(|last| (*last, *ip)))
        .collect();
    idle.sort_unstable();
    for (_, ip) in idle.into_iter().take(MAX_ADDRESSES / 10) {
        addresses.remove(&ip);
    }
}

fn forget_before(times: &mut VecDeque<DateTime<Utc>>, start: DateTime<Utc>) {
    while times.front().is_some_and(|at| *at <= start) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minute)
    }

    #[test]
    fn an_address_is_held_back_after_the_limit_until_its_oldest_failure_ages_out() {
        let throttle = LoginThrottle::default();
        let ip: Option<IpAddr> = "192.0.2.7".parse().ok();
        for i in 0..LIMIT {
            let when = at(i64::try_from(i).unwrap() / 4);
            throttle.admit(ip, when).expect("admitted").failed(when);
        }
        let Err(AppError::TooManyRequests { retry_after, .. }) = throttle.admit(ip, at(5)) else {
            panic!("held back");
        };
        assert_eq!(
            retry_after,
            10 * 60,
            "the first failure leaves the window at minute 15"
        );
        assert!(throttle.admit(ip, at(15)).is_ok());
        let other: Option<IpAddr> = "192.0.2.8".parse().ok();
        assert!(throttle.admit(other, at(5)).is_ok(), "per address");
    }

    #[test]
    fn logins_in_flight_count_until_they_end() {
        let throttle = LoginThrottle::default();
        let ip: Option<IpAddr> = "192.0.2.9".parse().ok();
        let pending: Vec<_> = (0..LIMIT)
            .map(|_| throttle.admit(ip, at(0)).unwrap())
            .collect();
        assert!(
            throttle.admit(ip, at(0)).is_err(),
            "parallel guesses cannot all pass the check"
        );
        drop(pending);
        assert!(
            throttle.admit(ip, at(0)).is_ok(),
            "successes leave no trace"
        );
    }
}
