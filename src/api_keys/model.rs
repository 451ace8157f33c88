//! API-key rows and queries.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{ExpressionMethods, Insertable, QueryDsl, Queryable, QueryableByName, Selectable};
use diesel::{OptionalExtension, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::enums::Role;
use crate::db::schema::api_keys;
use crate::db::schema::sql_types::UserRole;
use crate::db::tx::Tx;
use crate::http::pagination::PageRequest;
use crate::ids::{ApiKeyId, UserId};

/// A row of `api_keys`, without its digest.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKeyRow {
    /// Id (UUID v7).
    pub id: ApiKeyId,
    /// What the key is for, e.g. `rms`.
    pub name: String,
    /// The key's first characters, to tell keys apart (`citk_1a2b3c4d`).
    pub prefix: String,
    /// The roles the key holds.
    pub roles: Vec<Role>,
    /// The admin who made it.
    pub created_by: Option<UserId>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The admin who revoked it.
    pub revoked_by: Option<UserId>,
}

/// A key to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Name.
    pub name: String,
    /// Prefix.
    pub prefix: String,
    /// SHA-256 of the whole key.
    pub digest: Vec<u8>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Maker.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Inserts a key.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    key: &NewApiKey,
) -> diesel::QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await
}

/// Keys, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<ApiKeyId>,
) -> diesel::QueryResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(api_keys::id.lt(after));
    }
    query.load(conn).await
}

/// One key.
pub async fn find(conn: &mut AsyncPgConnection, id: ApiKeyId) -> diesel::QueryResult<ApiKeyRow> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .get_result(conn)
        .await
}

/// One key, locked for the rest of the transaction.
pub async fn lock(tx: &mut Tx<'_>, id: ApiKeyId) -> diesel::QueryResult<ApiKeyRow> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .for_update()
        .get_result(tx.conn())
        .await
}

/// Revokes a key at `at`.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: ApiKeyId,
    by: Option<UserId>,
    at: DateTime<Utc>,
) -> diesel::QueryResult<ApiKeyRow> {
    diesel::update(api_keys::table.find(id))
        .set((api_keys::revoked_at.eq(at), api_keys::revoked_by.eq(by)))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await
}

/// What authenticating a key finds.
#[derive(Debug, QueryableByName)]
pub struct KeyHolder {
    /// The key.
    #[diesel(sql_type = SqlUuid)]
    pub id: ApiKeyId,
    /// Its name.
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Its roles.
    #[diesel(sql_type = Array<UserRole>)]
    pub roles: Vec<Role>,
    /// When it was revoked, if it was.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Its last use on record, this one included when it was recorded.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// How often a key's use is recorded at most, so a busy client does not write on every
/// request.
pub const RECORD_USE_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// The key with this digest, in one statement that also records its use at `now` (at most
/// once per [`RECORD_USE_EVERY`]).
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    digest: &[u8],
    now: DateTime<Utc>,
) -> diesel::QueryResult<Option<KeyHolder>> {
    diesel::sql_query(
        "WITH key AS ( \
             SELECT id, name, roles, revoked_at, last_used_at FROM api_keys WHERE digest = $1 \
         ), touched AS ( \
             UPDATE api_keys SET last_used_at = $2 FROM key \
              WHERE api_keys.id = key.id AND api_keys.revoked_at IS NULL \
                AND (api_keys.last_used_at IS NULL \
                     OR api_keys.last_used_at < $2 - interval '1 minute') \
         ) \
         SELECT id, name, roles, revoked_at, \
                CASE WHEN revoked_at IS NULL \
                      AND (last_used_at IS NULL OR last_used_at < $2 - interval '1 minute') \
                     THEN $2 ELSE last_used_at END AS last_used_at \
           FROM key",
    )
    .bind::<Bytea, _>(digest)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()
}
