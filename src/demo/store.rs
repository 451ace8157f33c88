//! Writing the demo city: bulk inserts of a few statements per table (chunked under
//! PostgreSQL's 65,535 parameters), the calls through the real ingest, then the referrals and
//! the follow-ups' progress in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{ExpressionMethods, QueryDsl, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::db::json::Json;
use crate::db::schema::{certification_types, courses};
use crate::error::AppError;
use crate::follow_ups::payloads::FollowUpMove;
use crate::ids::{CallId, CertificationTypeId, CourseId, FollowUpId, ReferralId, SubjectId};
use crate::referrals::model::ReferralRow;
use crate::referrals::payloads::{ContactBody, TransitionBody};

use super::calls::{DemoCall, SOURCE};
use super::care::Clinician;
use super::people::id_at;
use super::rng::Rng;
use super::training::{Catalogue, REFRESHER_VALIDITY_MONTHS, TELECOM_VALIDITY_MONTHS};

/// Inserts rows in chunks that stay under the bind-parameter limit.
macro_rules! insert_chunked {
    ($conn:expr, $table:path, $rows:expr, $columns:expr) => {{
        for chunk in $rows.chunks((65_535 / $columns).max(1)) {
            diesel_async::RunQueryDsl::execute(
                diesel::insert_into($table).values(chunk),
                &mut *$conn,
            )
            .await
            .map_err($crate::error::AppError::from)?;
        }
    }};
}
pub(crate) use insert_chunked;

/// Rows of the tables the demo fills: more than none means the database holds data.
pub async fn existing_rows(conn: &mut AsyncPgConnection) -> Result<i64, AppError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT (SELECT count(*) FROM personnel) + (SELECT count(*) FROM calls) \
              + (SELECT count(*) FROM partners) + (SELECT count(*) FROM subjects) AS n",
    )
    .get_result(conn)
    .await?;
    Ok(count.n)
}

/// The catalogue entries by code; the demo city also sets its agency's validity for the
/// 8-hour certificates.
pub async fn catalogue(conn: &mut AsyncPgConnection) -> Result<Catalogue, AppError> {
    let types: HashMap<String, CertificationTypeId> = certification_types::table
        .select((certification_types::code, certification_types::id))
        .load::<(String, CertificationTypeId)>(conn)
        .await?
        .into_iter()
        .collect();
    let course_ids: HashMap<String, CourseId> = courses::table
        .select((courses::code, courses::id))
        .load::<(String, CourseId)>(conn)
        .await?
        .into_iter()
        .collect();
    let missing = |code: &str| AppError::Internal(format!("the catalogue has no `{code}`"));
    let kind = |code: &str| types.get(code).copied().ok_or_else(|| missing(code));
    let course = |code: &str| course_ids.get(code).copied().ok_or_else(|| missing(code));
    Ok(Catalogue {
        cit_basic: kind("CIT_BASIC")?,
        cit_telecom: kind("CIT_TELECOM")?,
        refresher: kind("CIT_REFRESHER")?,
        awareness: kind("MH_AWARENESS")?,
        cit_course: course("CIT-40")?,
        telecom_course: course("CIT-TC-8")?,
        refresher_course: course("CIT-REF-8")?,
    })
}

/// Sets the validity the demo agency gives its 8-hour certificates.
pub async fn set_validity(
    conn: &mut AsyncPgConnection,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for (id, months) in [
        (catalogue.cit_telecom, TELECOM_VALIDITY_MONTHS),
        (catalogue.refresher, REFRESHER_VALIDITY_MONTHS),
    ] {
        diesel::update(certification_types::table.find(id))
            .set((
                certification_types::validity_months.eq(i32::try_from(months).unwrap_or(i32::MAX)),
                certification_types::version.eq(certification_types::version + 1),
                certification_types::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The demo's mental-health calls with a subject, by incident number: one statement.
async fn crisis_calls(
    conn: &mut AsyncPgConnection,
) -> Result<HashMap<String, (CallId, SubjectId, Option<FollowUpId>)>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        incident_number: String,
        #[diesel(sql_type = SqlUuid)]
        id: CallId,
        #[diesel(sql_type = SqlUuid)]
        subject_id: SubjectId,
        #[diesel(sql_type = Nullable<SqlUuid>)]
        follow_up_id: Option<FollowUpId>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT c.incident_number, c.id, c.subject_id, f.id AS follow_up_id
           FROM calls c
           LEFT JOIN follow_ups f ON f.call_id = c.id AND f.scheduled_by_call
          WHERE c.source = $1 AND c.mental_health AND c.subject_id IS NOT NULL",
    )
    .bind::<Text, _>(SOURCE)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.incident_number, (r.id, r.subject_id, r.follow_up_id)))
        .collect())
}

/// What the aftermath wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Aftermath {
    /// Referrals written.
    pub referrals: usize,
    /// Follow-ups worked (assigned or moved).
    pub follow_ups: usize,
}

/// Writes the referrals and the follow-ups' progress, in one transaction: a read of the calls,
/// the referral inserts and one `unnest` update of the follow-ups.
pub async fn aftermath(
    conn: &mut AsyncPgConnection,
    rng: &Rng,
    calls: &[DemoCall],
    clinicians: &[Clinician],
    partners: &[(crate::ids::PartnerId, Vec<crate::ids::ServiceId>)],
    now: DateTime<Utc>,
) -> Result<Aftermath, AppError> {
    let mut rng = rng.fork("aftermath");
    conn.transaction::<_, AppError, _>(async |conn| {
        let stored = crisis_calls(conn).await?;
        let mut referrals = Vec::new();
        let mut by_call: HashMap<CallId, ReferralId> = HashMap::new();
        for call in calls {
            let (Some(plan), number) = (&call.referral, &call.incident_number) else {
                continue;
            };
            let Some(&(call_id, subject_id, _)) = stored.get(number) else {
                continue;
            };
            let clinician = &clinicians[plan.clinician];
            let (partner_id, services) = &partners[plan.partner];
            let id = ReferralId::from_uuid(id_at(&mut rng, plan.sent_at));
            by_call.insert(call_id, id);
            let mut status = crate::db::enums::ReferralStatus::Sent;
            let mut transitions = Vec::new();
            let (mut acknowledged_at, mut engaged_at, mut closed_at, mut close_reason) = (None, None, None, None);
            for (to, at, reason) in &plan.moves {
                transitions.push(TransitionBody {
                    from: status,
                    to: *to,
                    reason: *reason,
                    note: None,
                    actor_user_id: Some(clinician.user_id),
                    actor: clinician.username.clone(),
                    at: *at,
                });
                status = *to;
                match to {
                    crate::db::enums::ReferralStatus::Acknowledged => acknowledged_at = Some(*at),
                    crate::db::enums::ReferralStatus::Engaged => engaged_at = Some(*at),
                    crate::db::enums::ReferralStatus::Closed => {
                        closed_at = Some(*at);
                        close_reason = *reason;
                    }
                    crate::db::enums::ReferralStatus::Sent => {}
                }
            }
            let last = plan.moves.last().map_or(plan.sent_at, |(_, at, _)| *at);
            referrals.push(ReferralRow {
                id,
                subject_id,
                call_id: Some(call_id),
                partner_id: *partner_id,
                service_id: services.get(plan.service).copied(),
                need: plan.need.to_owned(),
                consent_method: plan.consent.0,
                consent_scope: plan.consent.1,
                contact: plan.contact.as_ref().map(|(name, phone, best)| {
                    Json(ContactBody {
                        name: name.clone(),
                        phone: Some(phone.clone()),
                        best_time: Some((*best).to_owned()),
                    })
                }),
                referred_by: plan.referred_by,
                status,
                sent_at: plan.sent_at,
                acknowledged_at,
                engaged_at,
                closed_at,
                close_reason,
                transitions: Json(transitions),
                created_by: clinician.user_id,
                version: i32::try_from(plan.moves.len() + 1).unwrap_or(1),
                created_at: plan.sent_at,
                updated_at: last,
            });
        }
        referrals.sort_by_key(|r| r.id);
        insert_chunked!(conn, crate::db::schema::referrals::table, &referrals, 21);

        // The follow-ups a clinician has worked: one `unnest` update, in id order.
        let mut worked: Vec<(FollowUpId, Option<ReferralId>, &super::care::FollowUpFate, Vec<FollowUpMove>)> = Vec::new();
        for call in calls {
            let (Some(fate), number) = (&call.follow_up, &call.incident_number) else {
                continue;
            };
            let Some(&(call_id, _, Some(follow_up_id))) = stored.get(number) else {
                continue;
            };
            let referral = by_call.get(&call_id).copied();
            if fate.clinician.is_none() && referral.is_none() {
                continue;
            }
            let mut from = crate::db::enums::FollowUpStatus::Scheduled;
            let moves = fate
                .moves
                .iter()
                .filter_map(|(to, at)| {
                    let clinician = &clinicians[fate.clinician?];
                    let step = FollowUpMove {
                        from,
                        to: *to,
                        actor_user_id: Some(clinician.user_id),
                        actor: clinician.username.clone(),
                        at: *at,
                    };
                    from = *to;
                    Some(step)
                })
                .collect();
            worked.push((follow_up_id, referral, fate, moves));
        }
        worked.sort_by_key(|w| w.0);
        let mut ids = Vec::new();
        let mut referral_ids = Vec::new();
        let mut assigned = Vec::new();
        let mut methods = Vec::new();
        let mut statuses = Vec::new();
        let mut transitions = Vec::new();
        let mut versions = Vec::new();
        let mut updated = Vec::new();
        for (id, referral, fate, moves) in &worked {
            ids.push(id.uuid());
            referral_ids.push(referral.map(ReferralId::uuid));
            assigned.push(fate.clinician.map(|c| clinicians[c].personnel_id.uuid()));
            methods.push(fate.method.as_str().to_owned());
            statuses.push(moves.last().map_or("scheduled", |m| m.to.as_str()).to_owned());
            versions.push(i32::try_from(moves.len() + 2).unwrap_or(2));
            updated.push(moves.last().map_or(now, |m| m.at));
            transitions.push(serde_json::to_value(moves).map_err(|e| AppError::Internal(format!("json: {e}")))?);
        }
        diesel::sql_query(
            "UPDATE follow_ups f
                SET referral_id = u.referral_id, assigned_to = u.assigned_to,
                    method = u.method::follow_up_method, status = u.status::follow_up_status,
                    transitions = u.transitions, version = u.version, updated_at = u.updated_at
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[],
                           $7::int4[], $8::timestamptz[])
                    AS u(id, referral_id, assigned_to, method, status, transitions, version, updated_at)
              WHERE f.id = u.id",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Nullable<SqlUuid>>, _>(&referral_ids)
        .bind::<Array<Nullable<SqlUuid>>, _>(&assigned)
        .bind::<Array<Text>, _>(&methods)
        .bind::<Array<Text>, _>(&statuses)
        .bind::<Array<Jsonb>, _>(&transitions)
        .bind::<Array<Int4>, _>(&versions)
        .bind::<Array<Timestamptz>, _>(&updated)
        .execute(conn)
        .await?;
        Ok(Aftermath {
            referrals: referrals.len(),
            follow_ups: worked.len(),
        })
    })
    .await
}
