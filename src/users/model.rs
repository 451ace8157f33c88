//! User rows and their queries. Every query takes a connection, so callers can run several in
//! one transaction.

use chrono::{DateTime, Utc};
use diesel::{
    AsChangeset, BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension,
    PgArrayExpressionMethods, PgTextExpressionMethods, QueryDsl, Queryable, Selectable,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{PartnerId, PersonnelId, SessionId, UserId};

use crate::db::enums::Role;
use crate::db::escape_like;
use crate::db::schema::{login_failures, refresh_tokens, users};
use crate::http::pagination::PageRequest;

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    /// Id (UUID v7).
    pub id: UserId,
    /// Login name, lower case.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// argon2id PHC string; never leaves the service.
    pub password_hash: String,
    /// One or more roles.
    pub roles: Vec<Role>,
    /// The personnel record of this user, if any.
    pub personnel_id: Option<PersonnelId>,
    /// The community partner this user works for (partner role).
    pub partner_id: Option<PartnerId>,
    /// A disabled user can neither log in nor use a token.
    pub disabled: bool,
    /// Set when too many logins failed; cleared by an admin.
    pub locked_at: Option<DateTime<Utc>>,
    /// When the password was last set.
    pub password_changed_at: DateTime<Utc>,
    /// When the user was made.
    pub created_at: DateTime<Utc>,
    /// When the user was last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i32,
}

impl UserRow {
    /// Whether the user may use the service now.
    pub fn is_active(&self) -> bool {
        !self.disabled && self.locked_at.is_none()
    }
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    /// Id (UUID v7).
    pub id: UserId,
    /// Login name, lower case.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// One or more roles.
    pub roles: Vec<Role>,
    /// Linked personnel record.
    pub personnel_id: Option<PersonnelId>,
    /// Linked partner organization.
    pub partner_id: Option<PartnerId>,
}

/// Changes to a user; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// New roles.
    pub roles: Option<Vec<Role>>,
    /// New personnel link.
    pub personnel_id: Option<Option<PersonnelId>>,
    /// New partner link.
    pub partner_id: Option<Option<PartnerId>>,
    /// Disable or enable.
    pub disabled: Option<bool>,
}

impl crate::audit::ChangedFields for UserChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            display_name,
            roles,
            personnel_id,
            partner_id,
            disabled,
        } = self;
        crate::audit::changed_fields(&[
            ("display_name", display_name.is_some()),
            ("roles", roles.is_some()),
            ("personnel_id", personnel_id.is_some()),
            ("partner_id", partner_id.is_some()),
            ("disabled", disabled.is_some()),
        ])
    }
}

/// Filters of the user list.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Part of the username or display name.
    pub q: Option<String>,
    /// Holds this role.
    pub role: Option<Role>,
    /// Disabled or not.
    pub disabled: Option<bool>,
    /// Locked or not.
    pub locked: Option<bool>,
}

/// Inserts a user.
pub async fn insert(conn: &mut AsyncPgConnection, user: &NewUser) -> diesel::QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Finds a user by id.
pub async fn find(conn: &mut AsyncPgConnection, id: UserId) -> diesel::QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .await
}

/// Finds a user by id, with when the login session `session` ends if it is live at `now` (not
/// revoked, not past its absolute end; `None` when it is not): one statement, for
/// authenticating a request.
pub async fn find_with_session(
    conn: &mut AsyncPgConnection,
    id: UserId,
    session: SessionId,
    now: DateTime<Utc>,
) -> diesel::QueryResult<(UserRow, Option<DateTime<Utc>>)> {
    let ends = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(session))
        .filter(refresh_tokens::user_id.eq(id))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::family_expires_at.gt(now))
        .select(diesel::dsl::max(refresh_tokens::family_expires_at))
        .single_value();
    users::table
        .find(id)
        .select((UserRow::as_select(), ends))
        .get_result(conn)
        .await
}

/// Finds a user by id and locks the row for the rest of the transaction.
pub async fn find_for_update(tx: &mut Tx<'_>, id: UserId) -> diesel::QueryResult<UserRow> {
    let conn = tx.conn();
    users::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Finds a user by (lower-case) username.
pub async fn find_by_username(
    conn: &mut AsyncPgConnection,
    username: &str,
) -> diesel::QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .get_result(conn)
        .await
        .optional()
}

/// Lists users, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    page: &PageRequest<UserId>,
) -> diesel::QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(users::id.lt(after));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        query = query.filter(
            users::username
                .ilike(pattern.clone())
                .or(users::display_name.ilike(pattern)),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(users::roles.contains(vec![role]));
    }
    if let Some(disabled) = filter.disabled {
        query = query.filter(users::disabled.eq(disabled));
    }
    match filter.locked {
        Some(true) => query = query.filter(users::locked_at.is_not_null()),
        Some(false) => query = query.filter(users::locked_at.is_null()),
        None => {}
    }
    query.load(conn).await
}

/// Applies changes and bumps the version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: UserId,
    changes: &UserChanges,
) -> diesel::QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Sets a new password hash and bumps the version.
pub async fn set_password(
    conn: &mut AsyncPgConnection,
    id: UserId,
    password_hash: &str,
) -> diesel::QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::password_changed_at.eq(diesel::dsl::now),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Locks every enabled admin, in key order, and returns their ids. The "at least one enabled
/// admin" rule reads this set, so two admins demoting each other at once serialise here
/// instead of both passing the check (write skew). Lock it before any other user row.
pub async fn lock_enabled_admins(tx: &mut Tx<'_>) -> diesel::QueryResult<Vec<UserId>> {
    let conn = tx.conn();
    users::table
        .filter(users::roles.contains(vec![Role::Admin]))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .order(users::id)
        .for_update()
        .load(conn)
        .await
}

/// Whether any user holds the admin role.
pub async fn any_admin(conn: &mut AsyncPgConnection) -> diesel::QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::roles.contains(vec![Role::Admin])),
    ))
    .get_result(conn)
    .await
}

/// How many failed logins count towards a lockout.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// The window in which they must fall, in minutes.
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;

/// Records a failed login at `now`; locks the user when it is the fifth within the window.
/// Returns whether this failure locked the account.
pub async fn record_login_failure(
    tx: &mut Tx<'_>,
    user_id: UserId,
    now: DateTime<Utc>,
) -> diesel::QueryResult<bool> {
    // Serialises concurrent failures of one user, so the fifth is counted exactly once.
    let user = find_for_update(tx, user_id).await?;
    let conn = tx.conn();
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::user_id.eq(user_id),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)
        .await?;
    let window_start = now - chrono::Duration::minutes(LOCKOUT_WINDOW_MINUTES);
    let recent: i64 = login_failures::table
        .filter(login_failures::user_id.eq(user_id))
        .filter(login_failures::failed_at.gt(window_start))
        .count()
        .get_result(conn)
        .await?;
    if recent < LOCKOUT_THRESHOLD || user.locked_at.is_some() {
        return Ok(false);
    }
    diesel::update(users::table.find(user_id))
        .set(users::locked_at.eq(now))
        .execute(conn)
        .await?;
    Ok(true)
}

/// Forgets the failed logins of a user (after a success, or on unlock).
pub async fn clear_login_failures(
    conn: &mut AsyncPgConnection,
    user_id: UserId,
) -> diesel::QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::user_id.eq(user_id)))
        .execute(conn)
        .await
        .map(drop)
}

/// Unlocks a user and forgets its failed logins.
pub async fn unlock(conn: &mut AsyncPgConnection, user_id: UserId) -> diesel::QueryResult<UserRow> {
    clear_login_failures(conn, user_id).await?;
    diesel::update(users::table.find(user_id))
        .set((
            users::locked_at.eq(None::<DateTime<Utc>>),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}
