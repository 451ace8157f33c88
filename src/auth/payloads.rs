//! Request and response bodies of the `/auth` endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, ToSchema)]
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
