//! Refresh tokens: opaque random strings, stored only as SHA-256 digests, grouped in families
//! (one per login). Each refresh rotates: the presented token dies and a new one is born in the
//! same family. Presenting a rotated token again means it was stolen or replayed, so the whole
//! family is revoked. A token idles out 30 minutes after it was issued and no family outlives
//! 12 hours.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel::{
    ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable, Selectable,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{RefreshTokenId, SessionId, UserId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::schema::refresh_tokens;
use crate::error::AppError;
use crate::users::model::{self as users, UserRow};

use super::jwt::{ACCESS_TTL_SECONDS, JwtKeys};
use super::payloads::TokenPair;

/// A refresh token dies this long after it was issued unless used (CJIS: re-authenticate after
/// 30 minutes idle).
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// No login session outlives this.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(diesel::pg::Pg))]
struct RefreshRow {
    id: RefreshTokenId,
    family_id: SessionId,
    user_id: UserId,
    expires_at: DateTime<Utc>,
    family_expires_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken {
    id: RefreshTokenId,
    family_id: SessionId,
    user_id: UserId,
    token_hash: Vec<u8>,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    family_expires_at: DateTime<Utc>,
}

/// 32 random bytes, base64url: a refresh token or the secret part of an API key.
pub(crate) fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a secret: its SHA-256.
pub(crate) fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Issues an access token and a refresh token in `family`.
async fn mint(
    conn: &mut AsyncPgConnection,
    jwt: &JwtKeys,
    user: &UserRow,
    family_id: SessionId,
    family_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<TokenPair, AppError> {
    let refresh_token = random_token()?;
    let expires_at = (now + IDLE_TIMEOUT).min(family_expires_at);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: RefreshTokenId::generate(),
            family_id,
            user_id: user.id,
            token_hash: digest(&refresh_token),
            issued_at: now,
            expires_at,
            family_expires_at,
        })
        .execute(conn)
        .await?;
    Ok(TokenPair {
        access_token: jwt.issue(user.id, &user.roles, family_id, now)?,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TTL_SECONDS,
        refresh_token,
        refresh_expires_in: (expires_at - now).num_seconds(),
    })
}

/// Starts a login session at `now`: a new family and its first pair.
pub async fn start_session(
    conn: &mut AsyncPgConnection,
    jwt: &JwtKeys,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<TokenPair, AppError> {
    mint(
        conn,
        jwt,
        user,
        SessionId::generate(),
        now + ABSOLUTE_TIMEOUT,
        now,
    )
    .await
}

/// What a refresh attempt came to.
#[derive(Debug)]
pub enum Refresh {
    /// A new pair; the presented token is dead.
    Rotated {
        /// The new pair.
        pair: TokenPair,
        /// Whose it is.
        user: Box<UserRow>,
        /// The session.
        family_id: SessionId,
    },
    /// A rotated token came back: the family is now revoked.
    Reused {
        /// Whose it was.
        user_id: UserId,
        /// The revoked session.
        family_id: SessionId,
    },
    /// Unknown, expired, revoked, or of a user who may not log in.
    Rejected {
        /// Whose it was, when known.
        user_id: Option<UserId>,
        /// Why, for the audit trail.
        reason: &'static str,
    },
}

/// Rotates a refresh token, in the caller's transaction: the token row is locked so that two
/// concurrent refreshes with one token yield one rotation and one re-use.
pub async fn rotate(
    tx: &mut Tx<'_>,
    jwt: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Refresh, AppError> {
    let conn = tx.conn();
    let row: Option<RefreshRow> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select(RefreshRow::as_select())
        .for_update()
        .get_result(conn)
        .await
        .optional()?;
    let Some(row) = row else {
        return Ok(Refresh::Rejected {
            user_id: None,
            reason: "unknown_token",
        });
    };
    let rejected = |reason| {
        Ok(Refresh::Rejected {
            user_id: Some(row.user_id),
            reason,
        })
    };
    if row.revoked_at.is_some() {
        return rejected("revoked");
    }
    if row.rotated_at.is_some() {
        revoke_family(conn, row.family_id).await?;
        return Ok(Refresh::Reused {
            user_id: row.user_id,
            family_id: row.family_id,
        });
    }
    if row.expires_at <= now {
        return rejected("expired");
    }
    let user = users::find(conn, row.user_id).await?;
    if !user.is_active() {
        revoke_family(conn, row.family_id).await?;
        return rejected("account_inactive");
    }
    diesel::update(refresh_tokens::table.find(row.id))
        .set(refresh_tokens::rotated_at.eq(now))
        .execute(conn)
        .await?;
    let pair = mint(conn, jwt, &user, row.family_id, row.family_expires_at, now).await?;
    Ok(Refresh::Rotated {
        pair,
        user: Box::new(user),
        family_id: row.family_id,
    })
}

/// Revokes every token of a family.
pub async fn revoke_family(
    conn: &mut AsyncPgConnection,
    family_id: SessionId,
) -> diesel::QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(drop)
}

/// Revokes every live token of a user, except those of `keep` (the caller's own session).
pub async fn revoke_user_sessions(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
    keep: Option<SessionId>,
) -> diesel::QueryResult<usize> {
    // Families are UUID v7, so the nil UUID matches none of them.
    let keep = keep.unwrap_or(SessionId::from_uuid(Uuid::nil()));
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::family_id.ne(keep))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// The family of a refresh token, when it belongs to `user_id`.
pub async fn family_of(
    conn: &mut AsyncPgConnection,
    token: &str,
    user_id: UserId,
) -> diesel::QueryResult<Option<SessionId>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .filter(refresh_tokens::user_id.eq(user_id))
        .select(refresh_tokens::family_id)
        .get_result(conn)
        .await
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_digests_are_kept() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a).len(), 32);
        assert_ne!(digest(&a), digest(&b));
    }
}
