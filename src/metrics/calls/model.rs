//! The call metrics' SQL: one grouped statement each.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Date, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The counts of one period, as SQL gives them.
#[derive(Debug, QueryableByName)]
pub struct PeriodRow {
    /// The period's first day.
    #[diesel(sql_type = Date)]
    pub period: NaiveDate,
    /// All calls.
    #[diesel(sql_type = BigInt)]
    pub calls: i64,
    /// Mental-health calls.
    #[diesel(sql_type = BigInt)]
    pub mental_health_calls: i64,
    /// … with CIT on scene.
    #[diesel(sql_type = BigInt)]
    pub cit_on_scene: i64,
    /// … ending in arrest.
    #[diesel(sql_type = BigInt)]
    pub arrests: i64,
    /// … with force.
    #[diesel(sql_type = BigInt)]
    pub uses_of_force: i64,
    /// … with an injury.
    #[diesel(sql_type = BigInt)]
    pub injuries: i64,
    /// … ER transport.
    #[diesel(sql_type = BigInt)]
    pub er_transports: i64,
    /// … involuntary petition.
    #[diesel(sql_type = BigInt)]
    pub involuntary_petitions: i64,
    /// … referral.
    #[diesel(sql_type = BigInt)]
    pub referrals: i64,
}

/// Calls per period (`unit` of `date_trunc`) over the days `from`..=`to`, from the per-day
/// counts every writer of calls keeps (`call_days`; a test holds them to the plain SQL over
/// `calls`): a year reads 365 rows.
pub async fn per_period(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
    unit: &str,
) -> diesel::QueryResult<Vec<PeriodRow>> {
    diesel::sql_query(
        "SELECT date_trunc($3, day)::date AS period, \
                sum(calls)::int8 AS calls, \
                sum(mental_health_calls)::int8 AS mental_health_calls, \
                sum(cit_on_scene)::int8 AS cit_on_scene, sum(arrests)::int8 AS arrests, \
                sum(uses_of_force)::int8 AS uses_of_force, sum(injuries)::int8 AS injuries, \
                sum(er_transports)::int8 AS er_transports, \
                sum(involuntary_petitions)::int8 AS involuntary_petitions, \
                sum(referrals)::int8 AS referrals \
           FROM call_days WHERE day BETWEEN $1 AND $2 \
          GROUP BY 1 HAVING sum(calls) > 0 ORDER BY 1",
    )
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Text, _>(unit)
    .load(conn)
    .await
}

/// Outcomes of one group of mental-health calls, as SQL gives them.
#[derive(Debug, QueryableByName)]
pub struct OutcomeRow {
    /// With a CIT responder on scene.
    #[diesel(sql_type = Bool)]
    pub cit_on_scene: bool,
    /// Calls.
    #[diesel(sql_type = BigInt)]
    pub calls: i64,
    /// Arrests.
    #[diesel(sql_type = BigInt)]
    pub arrests: i64,
    /// Force.
    #[diesel(sql_type = BigInt)]
    pub uses_of_force: i64,
    /// Subject injured.
    #[diesel(sql_type = BigInt)]
    pub subject_injuries: i64,
    /// Officer injured.
    #[diesel(sql_type = BigInt)]
    pub officer_injuries: i64,
    /// ER transports.
    #[diesel(sql_type = BigInt)]
    pub er_transports: i64,
    /// Involuntary petitions.
    #[diesel(sql_type = BigInt)]
    pub involuntary_petitions: i64,
}

/// Mental-health calls of the days `from`..=`to`, with and without a CIT responder, from the
/// per-day counts (those without are the totals less those with): a year reads 365 rows.
pub async fn outcomes(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<Vec<OutcomeRow>> {
    let sums = [
        "mental_health_calls",
        "cit_on_scene",
        "arrests",
        "cit_arrests",
        "uses_of_force",
        "cit_uses_of_force",
        "subject_injuries",
        "cit_subject_injuries",
        "officer_injuries",
        "cit_officer_injuries",
        "er_transports",
        "cit_er_transports",
        "involuntary_petitions",
        "cit_involuntary_petitions",
    ]
    .map(|c| format!("coalesce(sum({c}), 0)::int8 AS {c}"))
    .join(", ");
    diesel::sql_query(format!(
        "SELECT g.* FROM (SELECT {sums} FROM call_days WHERE day BETWEEN $1 AND $2) AS s \
          CROSS JOIN LATERAL (VALUES \
            (true, s.cit_on_scene, s.cit_arrests, s.cit_uses_of_force, s.cit_subject_injuries, \
             s.cit_officer_injuries, s.cit_er_transports, s.cit_involuntary_petitions), \
            (false, s.mental_health_calls - s.cit_on_scene, s.arrests - s.cit_arrests, \
             s.uses_of_force - s.cit_uses_of_force, \
             s.subject_injuries - s.cit_subject_injuries, \
             s.officer_injuries - s.cit_officer_injuries, \
             s.er_transports - s.cit_er_transports, \
             s.involuntary_petitions - s.cit_involuntary_petitions) \
          ) AS g(cit_on_scene, calls, arrests, uses_of_force, subject_injuries, \
                 officer_injuries, er_transports, involuntary_petitions)"
    ))
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await
}

/// Subjects with calls in a window, how many of them called often, and the mental-health
/// calls of engaged subjects before and after their engagement.
#[derive(Debug, QueryableByName)]
pub struct RepeatRow {
    /// Subjects with a call in the window.
    #[diesel(sql_type = BigInt)]
    pub subjects: i64,
    /// … with two or more.
    #[diesel(sql_type = BigInt)]
    pub repeat_subjects: i64,
    /// … with `threshold` or more.
    #[diesel(sql_type = BigInt)]
    pub high_utilisers: i64,
    /// Subjects whose referral first reached `engaged` before the end of the window.
    #[diesel(sql_type = BigInt)]
    pub engaged_subjects: i64,
    /// Their mental-health calls in the window before that moment.
    #[diesel(sql_type = BigInt)]
    pub calls_before: i64,
    /// … and in the window after it (up to the end of the window's last day).
    #[diesel(sql_type = BigInt)]
    pub calls_after: i64,
}

/// Subjects by their number of calls on the days in (`after`, `to`], and before/after: for
/// each subject whose referral first reached `engaged` at an instant E before `end` (the end of
/// `to`), the mental-health calls received in [E − `window_days`, E) and in
/// (E, min(E + `window_days`, `end`)), a day being 24 hours (an interval of days would be
/// read in the session's time zone). One statement.
pub async fn repeats(
    conn: &mut AsyncPgConnection,
    after: NaiveDate,
    to: NaiveDate,
    threshold: i64,
    window_days: i64,
    end: DateTime<Utc>,
) -> diesel::QueryResult<RepeatRow> {
    diesel::sql_query(
        "SELECT r.subjects, r.repeat_subjects, r.high_utilisers, \
                b.engaged_subjects, b.calls_before, b.calls_after \
           FROM (SELECT count(*) AS subjects, \
                        count(*) FILTER (WHERE n >= 2) AS repeat_subjects, \
                        count(*) FILTER (WHERE n >= $3) AS high_utilisers \
                   FROM (SELECT subject_id, count(*) AS n FROM calls \
                          WHERE subject_id IS NOT NULL AND received_on > $1 AND received_on <= $2 \
                          GROUP BY subject_id) AS per_subject) AS r, \
                (SELECT count(*) AS engaged_subjects, \
                        coalesce(sum(c.before), 0)::int8 AS calls_before, \
                        coalesce(sum(c.after), 0)::int8 AS calls_after \
                   FROM (SELECT subject_id, min(engaged_at) AS engaged_at FROM referrals \
                          WHERE engaged_at < $5 GROUP BY subject_id) AS e \
                   CROSS JOIN LATERAL ( \
                        SELECT count(*) FILTER (WHERE received_at < e.engaged_at) AS before, \
                               count(*) FILTER (WHERE received_at > e.engaged_at) AS after \
                          FROM calls \
                         WHERE subject_id = e.subject_id AND mental_health \
                           AND received_at >= e.engaged_at - make_interval(hours => 24 * $4) \
                           AND received_at <= e.engaged_at + make_interval(hours => 24 * $4) \
                           AND received_at < $5) AS c) AS b",
    )
    .bind::<Date, _>(after)
    .bind::<Date, _>(to)
    .bind::<BigInt, _>(threshold)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(window_days).unwrap_or(i32::MAX))
    .bind::<diesel::sql_types::Timestamptz, _>(end)
    .get_result(conn)
    .await
}
