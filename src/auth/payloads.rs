//! Request and response bodies of the `/auth` endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::REDACTED;

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username (case-insensitive).
    #[schema(example = "admin")]
    pub username: String,
    /// Password.
    #[schema(example = "the password printed at first start")]
    pub password: String,
}

/// `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// A fresh pair of tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// JWT for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires (900).
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; exchange it at `/auth/refresh` before it idles out. Usable once.
    pub refresh_token: String,
    /// Seconds until the refresh token expires (at most 1800).
    #[schema(example = 1800)]
    pub refresh_expires_in: i64,
}

// Passwords and tokens never reach a log line through `Debug`.
impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &REDACTED)
            .finish()
    }
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &REDACTED)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &REDACTED)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_password_or_a_token() {
        let login: LoginRequest =
            serde_json::from_str(r#"{"username": "ana", "password": "hunter2 hunter2"}"#).unwrap();
        let refresh: RefreshRequest =
            serde_json::from_str(r#"{"refresh_token": "opaque-refresh"}"#).unwrap();
        let pair = TokenPair {
            access_token: "eyJ.secret.jwt".into(),
            token_type: "Bearer".into(),
            expires_in: 900,
            refresh_token: "opaque-refresh".into(),
            refresh_expires_in: 1800,
        };
        for printed in [
            format!("{login:?}"),
            format!("{refresh:?}"),
            format!("{pair:?}"),
        ] {
            for secret in ["hunter2", "opaque-refresh", "eyJ"] {
                assert!(!printed.contains(secret), "{printed}");
            }
            assert!(printed.contains("***"), "{printed}");
        }
        assert!(format!("{login:?}").contains("ana"));
    }
}
