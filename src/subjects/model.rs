//! Subject queries: each subject with its call counts, in one statement.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Bool, Date, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{ExpressionMethods, QueryDsl, QueryableByName, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::calls::model::CallRow;
use crate::db::schema::calls;
use crate::http::pagination::PageRequest;
use crate::ids::SubjectId;

/// A subject with its calls counted.
#[derive(Debug, QueryableByName)]
pub struct SubjectStats {
    /// Id.
    #[diesel(sql_type = SqlUuid)]
    pub id: SubjectId,
    /// Sending system.
    #[diesel(sql_type = Text)]
    pub source: String,
    /// Pseudonymous id.
    #[diesel(sql_type = Text)]
    pub external_id: String,
    /// Year of birth.
    #[diesel(sql_type = Nullable<Int4>)]
    pub year_of_birth: Option<i32>,
    /// Veteran.
    #[diesel(sql_type = Nullable<Bool>)]
    pub veteran: Option<bool>,
    /// All calls.
    #[diesel(sql_type = BigInt)]
    pub calls: i64,
    /// Calls received on a day in the window.
    #[diesel(sql_type = BigInt)]
    pub calls_in_window: i64,
    /// First call's day.
    #[diesel(sql_type = Nullable<Date>)]
    pub first_call_on: Option<NaiveDate>,
    /// Latest call's day.
    #[diesel(sql_type = Nullable<Date>)]
    pub last_call_on: Option<NaiveDate>,
    /// First seen.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const STATS: &str = "SELECT s.id, s.source, s.external_id, s.year_of_birth, s.veteran, \
        count(c.id) AS calls, \
        count(c.id) FILTER (WHERE c.received_on > $1 AND c.received_on <= $2) AS calls_in_window, \
        min(c.received_on) AS first_call_on, max(c.received_on) AS last_call_on, s.created_at \
   FROM subjects s LEFT JOIN calls c ON c.subject_id = s.id";

/// Subjects with at least `min_calls` calls on the days in (`from`, `to`], newest first.
pub async fn repeat_callers(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
    min_calls: i64,
    page: &PageRequest<SubjectId>,
) -> diesel::QueryResult<Vec<SubjectStats>> {
    let after = page.after.map(|id| id.uuid());
    diesel::sql_query(format!(
        "{STATS} WHERE ($4::uuid IS NULL OR s.id < $4) \
          GROUP BY s.id \
         HAVING count(c.id) FILTER (WHERE c.received_on > $1 AND c.received_on <= $2) >= $3 \
          ORDER BY s.id DESC LIMIT $5"
    ))
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<BigInt, _>(min_calls)
    .bind::<Nullable<SqlUuid>, _>(after)
    .bind::<BigInt, _>(page.fetch())
    .load(conn)
    .await
}

/// One subject with its counts, the window being the days in (`from`, `to`].
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: SubjectId,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<SubjectStats> {
    diesel::sql_query(format!("{STATS} WHERE s.id = $3 GROUP BY s.id"))
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
}

/// The calls about a subject, oldest first.
pub async fn calls_of(
    conn: &mut AsyncPgConnection,
    id: SubjectId,
) -> diesel::QueryResult<Vec<CallRow>> {
    calls::table
        .filter(calls::subject_id.eq(id))
        .select(CallRow::as_select())
        .order((calls::received_at, calls::id))
        .load(conn)
        .await
}
