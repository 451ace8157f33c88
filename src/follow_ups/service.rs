//! Scheduling follow-ups by hand, working them, and reading the work list (every read shows a
//! person's care, so every read is audited with the ids shown).

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::Caller;
use crate::db::enums::FollowUpStatus;
use crate::db::json::Json;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::http::pagination::{Page, PageRequest};
use crate::ids::FollowUpId;
use crate::referrals::service::check_subject_and_call;
use crate::validation::{Errors, not_null, optional_text};

use super::lifecycle;
use super::model::{self, FollowUpChanges, FollowUpFilter, FollowUpRow};
use super::payloads::{
    CreateFollowUp, FollowUpBody, FollowUpMove, FollowUpTransition, UpdateFollowUp,
};

/// A follow-up as shown, `overdue` judged at `now`.
pub fn body(row: FollowUpRow, now: DateTime<Utc>) -> FollowUpBody {
    FollowUpBody {
        overdue: lifecycle::is_open(row.status) && row.due_at < now,
        id: row.id,
        subject_id: row.subject_id,
        call_id: row.call_id,
        referral_id: row.referral_id,
        assigned_to: row.assigned_to,
        due_at: row.due_at,
        method: row.method,
        status: row.status,
        outcome_note: row.outcome_note,
        scheduled_by_call: row.scheduled_by_call,
        transitions: row.transitions.0,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn not_past(errors: &mut Errors, due_at: DateTime<Utc>, now: DateTime<Utc>) {
    // A minute's grace for the clocks of the caller and the service.
    if due_at < now - chrono::TimeDelta::minutes(1) {
        errors.add("due_at", "must not be in the past");
    }
}

/// Schedules a follow-up by hand.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateFollowUp,
    now: DateTime<Utc>,
) -> Result<FollowUpRow, AppError> {
    let mut errors = Errors::default();
    not_past(&mut errors, input.due_at, now);
    check_subject_and_call(conn, &mut errors, input.subject_id, input.call_id).await?;
    if let Some(referral) = input.referral_id {
        match model::subject_of_referral(conn, referral).await {
            Ok(subject) if subject == input.subject_id => {}
            Ok(_) => errors.add("referral_id", "this referral does not concern this subject"),
            Err(diesel::result::Error::NotFound) => {
                errors.add("referral_id", "no referral with this id");
            }
            Err(other) => return Err(other.into()),
        }
    }
    errors.finish()?;
    let row = FollowUpRow {
        id: FollowUpId::generate(),
        subject_id: input.subject_id,
        call_id: input.call_id,
        referral_id: input.referral_id,
        assigned_to: input.assigned_to.or(actor.personnel_id),
        due_at: input.due_at,
        method: input.method,
        status: FollowUpStatus::Scheduled,
        outcome_note: None,
        scheduled_by_call: false,
        transitions: Json(Vec::new()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        // An unknown subject or person fails its foreign key: a 422 on its field.
        let row = model::insert(conn, &row).await?;
        AuditEvent::new(Action::FollowUpCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "subject_id": row.subject_id }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Works a follow-up (JSON merge patch): assign, reschedule, change the method or the outcome
/// note.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: FollowUpId,
    if_match: IfMatch,
    patch: UpdateFollowUp,
    now: DateTime<Utc>,
) -> Result<FollowUpRow, AppError> {
    let mut errors = Errors::default();
    let due_at = not_null(&mut errors, "due_at", patch.due_at);
    let method = not_null(&mut errors, "method", patch.method);
    let outcome_note = patch.outcome_note.map(|note| {
        errors
            .check("outcome_note", optional_text(note.as_deref(), 4000))
            .flatten()
    });
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id).await.or_not_found("follow-up")?;
        if_match.check(current.version)?;
        let changes = FollowUpChanges {
            assigned_to: patch.assigned_to.filter(|v| *v != current.assigned_to),
            due_at: due_at.filter(|v| *v != current.due_at),
            method: method.filter(|v| *v != current.method),
            outcome_note: outcome_note.filter(|v| *v != current.outcome_note),
        };
        let open = lifecycle::is_open(current.status);
        if !open
            && (changes.assigned_to.is_some()
                || changes.due_at.is_some()
                || changes.method.is_some())
        {
            return Err(AppError::Conflict(format!(
                "a {} follow-up is over; only its outcome note may change",
                current.status
            )));
        }
        if let Some(due) = changes.due_at {
            let mut errors = Errors::default();
            not_past(&mut errors, due, now);
            errors.finish()?;
        }
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok(current);
        }
        let row = model::update(conn, id, &changes, now).await?;
        AuditEvent::new(Action::FollowUpUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Moves a follow-up to another status (with the outcome note, when given); the move is kept
/// with who and when.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    (id, if_match): (FollowUpId, IfMatch),
    input: FollowUpTransition,
    now: DateTime<Utc>,
) -> Result<FollowUpRow, AppError> {
    let note = optional_text(input.outcome_note.as_deref(), 4000)
        .map_err(|message| AppError::invalid("outcome_note", message))?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id).await.or_not_found("follow-up")?;
        if_match.check(current.version)?;
        lifecycle::check(current.status, input.to).map_err(AppError::Conflict)?;
        let step = FollowUpMove {
            from: current.status,
            to: input.to,
            actor_user_id: actor.user_id(),
            actor: actor.name.clone(),
            at: now,
        };
        let with_note = note.is_some();
        let row = model::record_move(conn, &current, step, note).await?;
        AuditEvent::new(Action::FollowUpTransition)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({
                "from": current.status,
                "to": input.to,
                "outcome_note": with_note,
            }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// A page of the work list; audited with the ids shown.
pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    filter: &FollowUpFilter,
    now: DateTime<Utc>,
    page: &PageRequest<FollowUpId>,
) -> Result<Page<FollowUpBody>, AppError> {
    let rows = model::list(conn, filter, now, page).await?;
    let page = page.page(rows, |r| r.id, |r| body(r, now));
    let shown: Vec<FollowUpId> = page.items.iter().map(|f| f.id).collect();
    AuditEvent::new(Action::FollowUpList)
        .by(actor)
        .details(serde_json::json!({ "follow_up_ids": shown }))
        .record(conn, meta)
        .await?;
    Ok(page)
}

/// One follow-up; audited.
pub async fn find(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: FollowUpId,
) -> Result<FollowUpRow, AppError> {
    let row = model::find(conn, id).await.or_not_found("follow-up")?;
    AuditEvent::new(Action::FollowUpRead)
        .by(actor)
        .resource(id)
        .record(conn, meta)
        .await?;
    Ok(row)
}
