//! Follow-up rows and their queries, and the one statement by which the calls ingest schedules
//! the follow-up of each mental-health call with a subject.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Timestamptz, Uuid as SqlUuid};
use diesel::{
    AsChangeset, BoolExpressionMethods, ExpressionMethods, Insertable, QueryDsl, Queryable,
    QueryableByName, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::enums::{FollowUpMethod, FollowUpStatus};
use crate::db::json::Json;
use crate::db::schema::{follow_ups, referrals};
use crate::db::tx::Tx;
use crate::http::pagination::PageRequest;
use crate::ids::{CallId, FollowUpId, PersonnelId, ReferralId, SubjectId};

use super::payloads::FollowUpMove;

/// The statuses of an open follow-up.
const OPEN: [FollowUpStatus; 2] = [FollowUpStatus::Scheduled, FollowUpStatus::Attempted];

/// A row of `follow_ups`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = follow_ups, check_for_backend(diesel::pg::Pg))]
pub struct FollowUpRow {
    /// Id.
    pub id: FollowUpId,
    /// The person.
    pub subject_id: SubjectId,
    /// The call.
    pub call_id: Option<CallId>,
    /// The referral.
    pub referral_id: Option<ReferralId>,
    /// Who does it.
    pub assigned_to: Option<PersonnelId>,
    /// Due.
    pub due_at: DateTime<Utc>,
    /// How.
    pub method: FollowUpMethod,
    /// Status.
    pub status: FollowUpStatus,
    /// Outcome note.
    pub outcome_note: Option<String>,
    /// Scheduled by a call.
    pub scheduled_by_call: bool,
    /// Status changes.
    pub transitions: Json<Vec<FollowUpMove>>,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// Changes to a follow-up.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = follow_ups)]
pub struct FollowUpChanges {
    /// Who does it.
    pub assigned_to: Option<Option<PersonnelId>>,
    /// Due.
    pub due_at: Option<DateTime<Utc>>,
    /// How.
    pub method: Option<FollowUpMethod>,
    /// Outcome note.
    pub outcome_note: Option<Option<String>>,
}

impl crate::audit::ChangedFields for FollowUpChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            assigned_to,
            due_at,
            method,
            outcome_note,
        } = self;
        crate::audit::changed_fields(&[
            ("assigned_to", assigned_to.is_some()),
            ("due_at", due_at.is_some()),
            ("method", method.is_some()),
            ("outcome_note", outcome_note.is_some()),
        ])
    }
}

/// Which follow-ups the work list shows.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    /// Assigned to this person.
    pub assigned_to: Option<PersonnelId>,
    /// Only unassigned ones.
    pub unassigned: bool,
    /// In this status.
    pub status: Option<FollowUpStatus>,
    /// Open and past due (`true`), or not (`false`), as of `now`.
    pub overdue: Option<bool>,
    /// The person's.
    pub subject_id: Option<SubjectId>,
}

/// A page of follow-ups, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &FollowUpFilter,
    now: DateTime<Utc>,
    page: &PageRequest<FollowUpId>,
) -> diesel::QueryResult<Vec<FollowUpRow>> {
    let mut query = follow_ups::table
        .select(FollowUpRow::as_select())
        .order(follow_ups::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(follow_ups::id.lt(after));
    }
    if let Some(person) = filter.assigned_to {
        query = query.filter(follow_ups::assigned_to.eq(person));
    }
    if filter.unassigned {
        query = query.filter(follow_ups::assigned_to.is_null());
    }
    if let Some(status) = filter.status {
        query = query.filter(follow_ups::status.eq(status));
    }
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(follow_ups::status.eq_any(OPEN))
                .filter(follow_ups::due_at.lt(now));
        }
        Some(false) => {
            query = query.filter(
                follow_ups::status
                    .ne_all(OPEN)
                    .or(follow_ups::due_at.ge(now)),
            );
        }
        None => {}
    }
    if let Some(subject) = filter.subject_id {
        query = query.filter(follow_ups::subject_id.eq(subject));
    }
    query.load(conn).await
}

/// Finds a follow-up.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: FollowUpId,
) -> diesel::QueryResult<FollowUpRow> {
    follow_ups::table
        .find(id)
        .select(FollowUpRow::as_select())
        .get_result(conn)
        .await
}

/// Locks a follow-up for a change.
pub async fn lock(tx: &mut Tx<'_>, id: FollowUpId) -> diesel::QueryResult<FollowUpRow> {
    follow_ups::table
        .find(id)
        .select(FollowUpRow::as_select())
        .for_update()
        .get_result(tx.conn())
        .await
}

/// Inserts a follow-up.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &FollowUpRow,
) -> diesel::QueryResult<FollowUpRow> {
    diesel::insert_into(follow_ups::table)
        .values(row)
        .returning(FollowUpRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update(
    tx: &mut Tx<'_>,
    id: FollowUpId,
    changes: &FollowUpChanges,
    now: DateTime<Utc>,
) -> diesel::QueryResult<FollowUpRow> {
    diesel::update(follow_ups::table.find(id))
        .set((
            changes,
            follow_ups::version.eq(follow_ups::version + 1),
            follow_ups::updated_at.eq(now),
        ))
        .returning(FollowUpRow::as_returning())
        .get_result(tx.conn())
        .await
}

/// Stores a change of status (and the outcome note, when given), the move appended;
/// version + 1.
pub async fn record_move(
    tx: &mut Tx<'_>,
    current: &FollowUpRow,
    step: FollowUpMove,
    outcome_note: Option<String>,
) -> diesel::QueryResult<FollowUpRow> {
    let at = step.at;
    let to = step.to;
    let mut transitions = current.transitions.0.clone();
    transitions.push(step);
    diesel::update(follow_ups::table.find(current.id))
        .set((
            follow_ups::status.eq(to),
            follow_ups::outcome_note.eq(outcome_note.or_else(|| current.outcome_note.clone())),
            follow_ups::transitions.eq(Json(transitions)),
            follow_ups::version.eq(follow_ups::version + 1),
            follow_ups::updated_at.eq(at),
        ))
        .returning(FollowUpRow::as_returning())
        .get_result(tx.conn())
        .await
}

/// The subject a referral concerns.
pub async fn subject_of_referral(
    conn: &mut AsyncPgConnection,
    id: ReferralId,
) -> diesel::QueryResult<SubjectId> {
    referrals::table
        .find(id)
        .select(referrals::subject_id)
        .get_result(conn)
        .await
}

/// What the ingest schedules: one follow-up per stored mental-health call with a subject.
#[derive(Debug, Clone, Copy)]
pub struct CallFollowUp {
    /// The call.
    pub call_id: CallId,
    /// Its subject.
    pub subject_id: SubjectId,
    /// `received_at` + the configured delay.
    pub due_at: DateTime<Utc>,
}

/// Keeps the follow-ups the calls schedule in step with the calls, in two statements at most,
/// in call order (the calls are locked already):
///
/// - each call of `due` gets its follow-up (the unique index on `call_id` of call-scheduled
///   follow-ups makes a re-sent, changed or imported call, or two concurrent ingests of it,
///   schedule it once); one nobody has worked yet (`version` 1, `scheduled` or cancelled by
///   this rule) follows a change of the call's subject or received time, or comes back;
/// - each call of `dropped` (changed, and no longer a mental-health call with a subject) has
///   its untouched follow-up cancelled.
///
/// A follow-up a clinician has changed is theirs: it is never rewritten. Returns how many
/// follow-ups were made.
pub async fn schedule_for_calls(
    tx: &mut Tx<'_>,
    mut due: Vec<CallFollowUp>,
    mut dropped: Vec<CallId>,
    now: DateTime<Utc>,
) -> diesel::QueryResult<usize> {
    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        inserted: bool,
    }
    let mut made = 0;
    if !due.is_empty() {
        due.sort_by_key(|d| d.call_id);
        due.dedup_by_key(|d| d.call_id);
        let ids: Vec<FollowUpId> = due.iter().map(|_| FollowUpId::generate()).collect();
        let calls: Vec<CallId> = due.iter().map(|d| d.call_id).collect();
        let subjects: Vec<SubjectId> = due.iter().map(|d| d.subject_id).collect();
        let times: Vec<DateTime<Utc>> = due.iter().map(|d| d.due_at).collect();
        let written: Vec<Written> = diesel::sql_query(
            "INSERT INTO follow_ups (id, subject_id, call_id, due_at, method, status, \
                                     scheduled_by_call, created_at, updated_at) \
             SELECT id, subject_id, call_id, due_at, 'phone', 'scheduled', true, $5, $5 \
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[]) \
                    AS f(id, call_id, subject_id, due_at) \
              ORDER BY call_id \
             ON CONFLICT (call_id) WHERE scheduled_by_call DO UPDATE \
                SET subject_id = excluded.subject_id, due_at = excluded.due_at, \
                    status = 'scheduled', updated_at = excluded.updated_at \
              WHERE follow_ups.version = 1 \
                AND follow_ups.status IN ('scheduled', 'cancelled') \
                AND (follow_ups.subject_id, follow_ups.due_at, follow_ups.status) \
                    IS DISTINCT FROM (excluded.subject_id, excluded.due_at, 'scheduled') \
             RETURNING (xmax = 0) AS inserted",
        )
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<SqlUuid>, _>(calls)
        .bind::<Array<SqlUuid>, _>(subjects)
        .bind::<Array<Timestamptz>, _>(times)
        .bind::<Timestamptz, _>(now)
        .load(tx.conn())
        .await?;
        made = written.iter().filter(|w| w.inserted).count();
    }
    if !dropped.is_empty() {
        dropped.sort();
        diesel::sql_query(
            "UPDATE follow_ups SET status = 'cancelled', updated_at = $2 \
              WHERE scheduled_by_call AND call_id = ANY($1) \
                AND status = 'scheduled' AND version = 1",
        )
        .bind::<Array<SqlUuid>, _>(dropped)
        .bind::<Timestamptz, _>(now)
        .execute(tx.conn())
        .await?;
    }
    Ok(made)
}
