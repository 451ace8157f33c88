//! SCRAM-SHA-256 password verifiers (RFC 5802, RFC 7677), made here so a role's password is
//! set with `ALTER ROLE … PASSWORD 'SCRAM-SHA-256$…'` and the password itself never reaches
//! the server, nor its statement log.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// PostgreSQL's default iteration count.
const ITERATIONS: u32 = 4096;

/// HMAC-SHA256 (it takes keys of any length, so `None` never happens in practice).
fn hmac(key: &[u8], message: &[u8]) -> Option<[u8; 32]> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().into())
}

/// PBKDF2-HMAC-SHA256 with one 32-byte block: SCRAM's `Hi()`.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> Option<[u8; 32]> {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &first)?;
    let mut result = u;
    for _ in 1..iterations {
        u = hmac(password, &u)?;
        for (r, x) in result.iter_mut().zip(u) {
            *r ^= x;
        }
    }
    Some(result)
}

/// The verifier PostgreSQL stores for `password` with this `salt`.
pub fn verifier(password: &str, salt: &[u8]) -> Option<String> {
    let salted = salted_password(password.as_bytes(), salt, ITERATIONS)?;
    let client_key = hmac(&salted, b"Client Key")?;
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key")?;
    Some(format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_matches_an_independent_implementation() {
        // Python's hashlib.pbkdf2_hmac and hmac over the same inputs.
        let salt: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            verifier("correct horse battery staple", &salt).as_deref(),
            Some(
                "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$ONYbSJBXtKl6bP6PVqw8pm9e7EiacprLnoUQPFS80Hw=:IPOtHuGJ2HifEQg74W2XXqqCrCyQG55GbPRHa6g6n9w="
            )
        );
    }
}
