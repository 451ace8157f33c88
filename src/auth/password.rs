//! Passwords: argon2id hashing (19 MiB, 2 passes, 1 lane — the OWASP/NIST floor) on blocking
//! threads, and the password rules of NIST SP 800-63B: length over composition, not the
//! username, not a common password.

use std::collections::HashSet;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;

/// The shortest password accepted.
pub const MIN_LEN: usize = 12;
/// The longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string. CPU-heavy: call through [`hash_blocking`].
pub fn hash(password: &str) -> Result<String, AppError> {
    hasher()?
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("argon2 hash: {e}")))
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    hasher().is_ok_and(|h| h.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Runs argon2 off the async workers, on blocking threads, at most one hash per core at a
/// time: each takes 19 MiB and a core for tens of milliseconds, so a burst of logins queues
/// here instead of starving every other request and growing memory with the blocking pool.
/// Callers hold no database connection while they wait or hash.
#[derive(Debug)]
pub struct Hasher {
    permits: tokio::sync::Semaphore,
}

impl Hasher {
    /// At most `concurrent` hashes at once (at least one).
    pub fn new(concurrent: usize) -> Self {
        Self {
            permits: tokio::sync::Semaphore::new(concurrent.max(1)),
        }
    }

    /// One hash at a time per core of the machine.
    pub fn for_cores() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// [`hash`], bounded.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.acquire().await?;
        actix_web::web::block(move || hash(&password)).await?
    }

    /// [`verify`], bounded.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, AppError> {
        let _permit = self.acquire().await?;
        Ok(actix_web::web::block(move || verify(&password, &phc)).await?)
    }

    async fn acquire(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal("the password hasher is closed".into()))
    }
}

/// The password rules, with the bundled list of common passwords loaded once at start.
#[derive(Debug)]
pub struct PasswordPolicy {
    common: HashSet<&'static str>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordPolicy {
    /// Loads the bundled list.
    pub fn new() -> Self {
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        Self { common }
    }

    /// Checks a new password; the error is the message for the `password` field.
    pub fn check(&self, password: &str, username: &str) -> Result<(), String> {
        let length = password.chars().count();
        if length < MIN_LEN {
            return Err(format!("must be at least {MIN_LEN} characters"));
        }
        if length > MAX_LEN {
            return Err(format!("must be at most {MAX_LEN} characters"));
        }
        let lower = password.to_lowercase();
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err("must not contain the username".into());
        }
        let mut chars = lower.chars();
        if let Some(first) = chars.next()
            && chars.all(|c| c == first)
        {
            return Err("must not be one character repeated".into());
        }
        if self.is_common(&lower) {
            return Err("is too common; choose a longer phrase that others would not".into());
        }
        Ok(())
    }

    /// A listed password, or one padded with digits and symbols, or repeated.
    fn is_common(&self, lower: &str) -> bool {
        if self.common.contains(lower) {
            return true;
        }
        let core = lower.trim_matches(|c: char| !c.is_alphabetic());
        if core.chars().count() >= 6 && core.len() * 2 >= lower.len() && self.common.contains(core)
        {
            return true;
        }
        // "passwordpassword", "qwerty123qwerty123"
        (1..=lower.len() / 2).any(|size| {
            lower.len().is_multiple_of(size)
                && lower.is_char_boundary(size)
                && lower[..size].repeat(lower.len() / size) == lower
                && (size < 6 || self.common.contains(&lower[..size]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[tokio::test]
    async fn the_hasher_runs_no_more_than_its_permits_at_once() {
        let hasher = std::sync::Arc::new(Hasher::new(1));
        let busy = hasher.permits.acquire().await.unwrap();
        assert_eq!(hasher.permits.available_permits(), 0);
        let waiting = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.hash("correct horse battery staple".into()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "waits for the permit");
        drop(busy);
        let phc = waiting.await.unwrap().unwrap();
        assert!(
            hasher
                .verify("correct horse battery staple".into(), phc)
                .await
                .unwrap()
        );
        assert_eq!(hasher.permits.available_permits(), 1);
    }

    #[test]
    fn length_is_bounded_both_ways() {
        let policy = PasswordPolicy::new();
        assert!(policy.check("short pass", "bob").is_err());
        assert!(policy.check(&"x1".repeat(65), "bob").is_err());
        assert!(policy.check("violet lantern harbor", "bob").is_ok());
    }

    #[test]
    fn the_username_and_common_passwords_are_refused() {
        let policy = PasswordPolicy::new();
        assert!(
            policy
                .check("dispatcher-jones-2026", "Dispatcher-Jones")
                .is_err()
        );
        assert!(policy.check("qwertyuiop123", "bob").is_err(), "listed");
        assert!(policy.check("password1234", "bob").is_err(), "padded");
        assert!(
            policy.check("Password!2024", "bob").is_err(),
            "padded, any case"
        );
        assert!(policy.check("monkeymonkey", "bob").is_err(), "repeated");
        assert!(
            policy.check("aaaaaaaaaaaaaa", "bob").is_err(),
            "one character"
        );
        assert!(
            policy.check("abcabcabcabc", "bob").is_err(),
            "short unit repeated"
        );
    }
}
