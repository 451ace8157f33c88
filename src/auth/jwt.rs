//! Access tokens: HS256 JWTs, 15 minutes, with `sub`, `roles`, `iat`, `exp`, `iss`, `aud`,
//! `jti` and `sid` (the refresh-token family that minted it). The algorithm is pinned; `alg` and
//! `kid` from a token are never trusted (RFC 8725).

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::enums::Role;
use crate::error::AppError;
use crate::ids::{SessionId, UserId};

/// `iss` and `aud` of every token.
pub const ISSUER: &str = "cit-api";
/// How long an access token lives, in seconds.
pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
/// Clock skew tolerated on `exp`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: UserId,
    /// The user's roles when the token was made (the server re-reads them on every request).
    pub roles: Vec<Role>,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Not before, seconds since the epoch (never set by us; honoured when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Token id.
    pub jti: Uuid,
    /// The refresh-token family (login session) this token belongs to.
    pub sid: SessionId,
}

/// The signing and verifying keys, made once at start.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    /// Keys for an HS256 secret.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Time claims are judged against the service's clock (see `verify`), not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs an access token for a user and session, valid from `now`.
    pub fn issue(
        &self,
        user_id: UserId,
        roles: &[Role],
        session: SessionId,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let claims = Claims {
            sub: user_id,
            roles: roles.to_vec(),
            iat: now.timestamp(),
            exp: now.timestamp() + ACCESS_TTL_SECONDS,
            iss: ISSUER.to_owned(),
            aud: ISSUER.to_owned(),
            nbf: None,
            jti: Uuid::now_v7(),
            sid: session,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("jwt encode: {e}")))
    }

    /// Verifies signature, algorithm, `iss` and `aud`, and `exp`, `nbf` and `iat` against `now`
    /// (with a small leeway for clock skew), and returns the claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, AppError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the access token has expired",
                    ErrorKind::InvalidSignature => "the access token's signature is invalid",
                    ErrorKind::InvalidAlgorithm => "the access token uses another algorithm",
                    ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                        "the access token was not issued for this service"
                    }
                    _ => "the access token is malformed",
                };
                AppError::Unauthorized(why.into())
            })?;
        let now = now.timestamp();
        let leeway = LEEWAY_SECONDS.cast_signed();
        if claims.exp <= now - leeway {
            return Err(AppError::Unauthorized(
                "the access token has expired".into(),
            ));
        }
        if claims.nbf.is_some_and(|nbf| nbf > now + leeway) || claims.iat > now + leeway {
            return Err(AppError::Unauthorized(
                "the access token is not valid yet".into(),
            ));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[allow(clippy::disallowed_methods)]
    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_token_round_trips() {
        let user = UserId::generate();
        let session = SessionId::generate();
        let token = keys().issue(user, &[Role::Admin], session, now()).unwrap();
        let claims = keys().verify(&token, now()).unwrap();
        assert_eq!(claims.sub, user);
        assert_eq!(claims.sid, session);
        assert_eq!(claims.roles, vec![Role::Admin]);
        assert_eq!(claims.exp - claims.iat, ACCESS_TTL_SECONDS);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let issued = now() - chrono::Duration::minutes(20);
        let token = keys()
            .issue(UserId::generate(), &[], SessionId::generate(), issued)
            .unwrap();
        assert!(keys().verify(&token, now()).is_err());
        assert!(
            keys().verify(&token, issued).is_ok(),
            "judged by the given clock"
        );
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let later = now() + chrono::Duration::minutes(5);
        let token = keys()
            .issue(UserId::generate(), &[], SessionId::generate(), later)
            .unwrap();
        assert!(keys().verify(&token, now()).is_err(), "iat in the future");

        let mut claims = keys().verify(&token, later).unwrap();
        claims.iat = now().timestamp();
        claims.nbf = Some(later.timestamp());
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert!(keys().verify(&token, now()).is_err(), "nbf in the future");
        assert!(keys().verify(&token, later).is_ok());
    }

    #[test]
    fn another_key_or_alg_none_is_refused() {
        let token = keys()
            .issue(
                UserId::generate(),
                &[Role::Admin],
                SessionId::generate(),
                now(),
            )
            .unwrap();
        let other = JwtKeys::new(b"another secret of thirty-two bytes!!");
        assert!(other.verify(&token, now()).is_err());

        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{none_header}.{payload}."), now())
                .is_err()
        );
    }
}
