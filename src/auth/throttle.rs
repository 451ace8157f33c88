//! Failed logins per client address: after [`LIMIT`] failures within [`WINDOW`] from one
//! address, its logins answer 429 with `Retry-After` until the oldest failure leaves the window,
//! before any password is checked. The per-account lockout stops guessing one password; this
//! stops one client from spraying guesses over many accounts, or from locking out every admin.
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

/// The failures of each address within the window.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
}

impl LoginThrottle {
    /// 429 when `ip` already failed [`LIMIT`] times within the window before `now`.
    pub fn check(&self, ip: Option<IpAddr>, now: DateTime<Utc>) -> Result<(), AppError> {
        let Some(ip) = ip else { return Ok(()) };
        let mut failures = self.lock();
        let Some(times) = failures.get_mut(&ip) else {
            return Ok(());
        };
        forget_before(times, now - WINDOW);
        if times.len() < LIMIT {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        let retry_after = (oldest + WINDOW - now).num_seconds().max(1);
        Err(AppError::TooManyRequests {
            detail: "too many failed logins from this address; try again later".into(),
            retry_after: retry_after.unsigned_abs(),
        })
    }

    /// Counts a failed login of `ip` at `now`.
    pub fn record_failure(&self, ip: Option<IpAddr>, now: DateTime<Utc>) {
        let Some(ip) = ip else { return };
        let mut failures = self.lock();
        if failures.len() >= MAX_ADDRESSES && !failures.contains_key(&ip) {
            let start = now - WINDOW;
            failures.retain(|_, times| {
                forget_before(times, start);
                !times.is_empty()
            });
        }
        let times = failures.entry(ip).or_default();
        forget_before(times, now - WINDOW);
        times.push_back(now);
        // No more than needed to answer `check`.
        while times.len() > LIMIT {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, VecDeque<DateTime<Utc>>>> {
        // A panic while holding the lock leaves counts that are still counts.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
            assert!(throttle.check(ip, at(0)).is_ok(), "failure {i}");
            throttle.record_failure(ip, at(i64::try_from(i).unwrap() / 4));
        }
        let Err(AppError::TooManyRequests { retry_after, .. }) = throttle.check(ip, at(5)) else {
            panic!("held back");
        };
        assert_eq!(
            retry_after,
            10 * 60,
            "the first failure leaves the window at minute 15"
        );
        assert!(throttle.check(ip, at(15)).is_ok());
        let other: Option<IpAddr> = "192.0.2.8".parse().ok();
        assert!(throttle.check(other, at(5)).is_ok(), "per address");
    }
}
