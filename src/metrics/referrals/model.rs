//! The referral funnel in one statement: overall and per partner (`GROUPING SETS`), with the
//! median days from sent to engaged computed by PostgreSQL.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::ids::PartnerId;

/// One group's counts.
#[derive(Debug, QueryableByName)]
pub struct FunnelRow {
    /// The overall row (not one partner's).
    #[diesel(sql_type = Bool)]
    pub overall: bool,
    /// The partner.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub partner_id: Option<PartnerId>,
    /// Its name.
    #[diesel(sql_type = Nullable<Text>)]
    pub partner_name: Option<String>,
    /// Sent.
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
    /// Ever acknowledged.
    #[diesel(sql_type = BigInt)]
    pub acknowledged: i64,
    /// Ever engaged.
    #[diesel(sql_type = BigInt)]
    pub engaged: i64,
    /// Closed.
    #[diesel(sql_type = BigInt)]
    pub closed: i64,
    /// Now sent.
    #[diesel(sql_type = BigInt)]
    pub now_sent: i64,
    /// Now acknowledged.
    #[diesel(sql_type = BigInt)]
    pub now_acknowledged: i64,
    /// Now engaged.
    #[diesel(sql_type = BigInt)]
    pub now_engaged: i64,
    /// Closed: completed.
    #[diesel(sql_type = BigInt)]
    pub completed: i64,
    /// Closed: declined.
    #[diesel(sql_type = BigInt)]
    pub declined: i64,
    /// Closed: ineligible.
    #[diesel(sql_type = BigInt)]
    pub ineligible: i64,
    /// Closed: no capacity.
    #[diesel(sql_type = BigInt)]
    pub no_capacity: i64,
    /// Closed: unable to contact.
    #[diesel(sql_type = BigInt)]
    pub unable_to_contact: i64,
    /// Closed: withdrawn.
    #[diesel(sql_type = BigInt)]
    pub withdrawn: i64,
    /// Median days sent → engaged.
    #[diesel(sql_type = Nullable<Double>)]
    pub median_days: Option<f64>,
}

/// The referrals sent in [`from`, `until`): overall and per partner.
pub async fn funnel(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> diesel::QueryResult<Vec<FunnelRow>> {
    diesel::sql_query(
        "SELECT GROUPING(r.partner_id) = 1 AS overall, r.partner_id, min(p.name) AS partner_name, \
                count(*) AS sent, count(r.acknowledged_at) AS acknowledged, \
                count(r.engaged_at) AS engaged, count(r.closed_at) AS closed, \
                count(*) FILTER (WHERE r.status = 'sent') AS now_sent, \
                count(*) FILTER (WHERE r.status = 'acknowledged') AS now_acknowledged, \
                count(*) FILTER (WHERE r.status = 'engaged') AS now_engaged, \
                count(*) FILTER (WHERE r.close_reason = 'completed') AS completed, \
                count(*) FILTER (WHERE r.close_reason = 'declined') AS declined, \
                count(*) FILTER (WHERE r.close_reason = 'ineligible') AS ineligible, \
                count(*) FILTER (WHERE r.close_reason = 'no_capacity') AS no_capacity, \
                count(*) FILTER (WHERE r.close_reason = 'unable_to_contact') AS unable_to_contact, \
                count(*) FILTER (WHERE r.close_reason = 'withdrawn') AS withdrawn, \
                percentile_cont(0.5) WITHIN GROUP \
                    (ORDER BY extract(epoch FROM r.engaged_at - r.sent_at) / 86400) \
                    FILTER (WHERE r.engaged_at IS NOT NULL) AS median_days \
           FROM referrals r JOIN partners p ON p.id = r.partner_id \
          WHERE r.sent_at >= $1 AND r.sent_at < $2 \
          GROUP BY GROUPING SETS ((), (r.partner_id)) \
          ORDER BY overall DESC, partner_name, r.partner_id",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await
}
