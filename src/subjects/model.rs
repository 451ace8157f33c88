//! Subject queries: each subject with its call counts, in one statement.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, BigInt, Bool, Date, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::http::pagination::PageRequest;
use crate::ids::{CallId, FollowUpId, PartnerId, ReferralId, SubjectId};

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

/// One event of a subject's timeline, of any kind (the columns of the other kinds are null).
#[derive(Debug, QueryableByName)]
pub struct EventRow {
    /// `call`, `referral` or `follow_up`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// When.
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    /// The call.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub call_id: Option<CallId>,
    /// A call's incident number.
    #[diesel(sql_type = Nullable<Text>)]
    pub incident_number: Option<String>,
    /// A mental-health call.
    #[diesel(sql_type = Nullable<Bool>)]
    pub mental_health: Option<bool>,
    /// CIT on scene.
    #[diesel(sql_type = Nullable<Bool>)]
    pub cit_on_scene: Option<bool>,
    /// A call's dispositions.
    #[diesel(sql_type = Array<Text>)]
    pub dispositions: Vec<String>,
    /// The referral.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub referral_id: Option<ReferralId>,
    /// A referral's partner.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<PartnerId>,
    /// A referral's status.
    #[diesel(sql_type = Nullable<Text>)]
    pub referral_status: Option<String>,
    /// When a referral engaged.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub engaged_at: Option<DateTime<Utc>>,
    /// The follow-up.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub follow_up_id: Option<FollowUpId>,
    /// A follow-up's status.
    #[diesel(sql_type = Nullable<Text>)]
    pub follow_up_status: Option<String>,
}

/// A subject's calls (at `received_at`), referrals (at `sent_at`) and follow-ups (at their due
/// time), in time order, a call before what it led to at the same instant: one statement.
pub async fn events_of(
    conn: &mut AsyncPgConnection,
    id: SubjectId,
) -> diesel::QueryResult<Vec<EventRow>> {
    diesel::sql_query(
        "SELECT kind, at, call_id, incident_number, mental_health, cit_on_scene, dispositions, \
                referral_id, partner_id, referral_status, engaged_at, follow_up_id, \
                follow_up_status \
           FROM (SELECT 0 AS rank, 'call' AS kind, received_at AS at, id AS call_id, \
                        incident_number, mental_health, cit_on_scene, \
                        dispositions::text[] AS dispositions, NULL::uuid AS referral_id, \
                        NULL::uuid AS partner_id, NULL::text AS referral_status, \
                        NULL::timestamptz AS engaged_at, NULL::uuid AS follow_up_id, \
                        NULL::text AS follow_up_status, id \
                   FROM calls WHERE subject_id = $1 \
                 UNION ALL \
                 SELECT 1, 'referral', sent_at, call_id, NULL, NULL, NULL, '{}', id, partner_id, \
                        status::text, engaged_at, NULL, NULL, id \
                   FROM referrals WHERE subject_id = $1 \
                 UNION ALL \
                 SELECT 2, 'follow_up', due_at, call_id, NULL, NULL, NULL, '{}', referral_id, \
                        NULL, NULL, NULL, id, status::text, id \
                   FROM follow_ups WHERE subject_id = $1) AS events \
          ORDER BY at, rank, id",
    )
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await
}
