//! Ingest: storing calls the RMS sends, idempotently. One transaction of a fixed number of
//! statements whatever the number of calls:
//!
//! 1. the responders' numbers matched to the roster, with whether each person was CIT-certified
//!    on the call's day (one select);
//! 2. the subjects made or filled in (an upsert and a select, in key order);
//! 3. new calls inserted in key order (`ON CONFLICT DO NOTHING`: a retry, or a concurrent
//!    duplicate, never makes a second row);
//! 4. the digests of the calls stored already read; those that differ locked in id order and
//!    overwritten (version + 1); the same call sent again writes nothing;
//! 5. the responders of new and changed calls replaced;
//! 6. the audit row (one per batch; per `PUT` only when something was written).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bytea, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::db::enums::ResponderRole;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::ids::{CallId, PersonnelId, SubjectId};

use super::model::{self, CallWrite, ResponderWrite, SubjectUpsert};
use super::payloads::{IngestResult, IngestWarning};
use super::validate::ValidCall;

/// A responder as sent, with the person and CIT status the roster gave for the call's day.
type Matched = (String, ResponderRole, Option<(PersonnelId, bool)>);

/// How the audit trail hears of an ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audit {
    /// One call by `PUT`: `call.create` or `call.update`, nothing when unchanged.
    Single,
    /// A batch: one `call.batch` row with the counts, `rejected` of them refused before.
    Batch {
        /// Calls of the batch refused by validation.
        rejected: usize,
    },
}

/// What happened to one call.
#[derive(Debug)]
pub struct Ingested {
    /// Its position in what was sent.
    pub index: usize,
    /// Its id.
    pub id: CallId,
    /// Created, updated or unchanged.
    pub result: IngestResult,
    /// Responders not on the roster, and the like.
    pub warnings: Vec<IngestWarning>,
}

/// Stores checked calls (each with its index in what was sent; keys unique among them).
pub async fn ingest(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    calls: Vec<(usize, ValidCall)>,
    zone: Tz,
    now: DateTime<Utc>,
    audit: Audit,
) -> Result<Vec<Ingested>, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let tx = &mut Tx::of(conn)?;
        let outcome = store(tx, &calls, zone, now).await?;
        record(tx, actor, meta, &outcome, audit).await?;
        Ok(outcome)
    })
    .await
}

async fn store(
    tx: &mut Tx<'_>,
    calls: &[(usize, ValidCall)],
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<Ingested>, AppError> {
    let days: Vec<NaiveDate> = calls
        .iter()
        .map(|(_, call)| call.received_at.with_timezone(&zone).date_naive())
        .collect();

    // 1. The roster, once for every (number, day).
    let mut numbers = Vec::new();
    let mut number_days = Vec::new();
    for ((_, call), day) in calls.iter().zip(&days) {
        for responder in &call.responders {
            numbers.push(responder.employee_number.clone());
            number_days.push(*day);
        }
    }
    let roster: HashMap<(String, NaiveDate), (PersonnelId, bool)> =
        model::match_roster(tx, numbers, number_days, zone.name())
            .await?
            .into_iter()
            .map(|m| ((m.employee_number, m.day), (m.personnel_id, m.certified)))
            .collect();

    // 2. Subjects.
    let mut wanted: HashMap<(String, String), SubjectUpsert> = HashMap::new();
    for (_, call) in calls {
        if let Some(subject) = &call.subject {
            let key = (call.source.clone(), subject.external_id.clone());
            let entry = wanted.entry(key).or_insert_with(|| SubjectUpsert {
                id: SubjectId::generate(),
                source: call.source.clone(),
                external_id: subject.external_id.clone(),
                year_of_birth: None,
                veteran: None,
            });
            entry.year_of_birth = subject.year_of_birth.or(entry.year_of_birth);
            entry.veteran = subject.veteran.or(entry.veteran);
        }
    }
    let subjects: HashMap<(String, String), SubjectId> =
        model::upsert_subjects(tx, wanted.into_values().collect(), now)
            .await?
            .into_iter()
            .collect();

    // What each call will be written as.
    let mut writes: Vec<CallWrite<'_>> = Vec::with_capacity(calls.len());
    let mut responders: Vec<Vec<Matched>> = Vec::with_capacity(calls.len());
    for ((_, call), day) in calls.iter().zip(&days) {
        let matched: Vec<_> = call
            .responders
            .iter()
            .map(|r| {
                let found = roster.get(&(r.employee_number.clone(), *day)).copied();
                (r.employee_number.clone(), r.role, found)
            })
            .collect();
        let cit_on_scene = matched
            .iter()
            .any(|(_, _, found)| found.is_some_and(|f| f.1));
        let subject_id = call.subject.as_ref().and_then(|s| {
            subjects
                .get(&(call.source.clone(), s.external_id.clone()))
                .copied()
        });
        writes.push(CallWrite {
            id: CallId::generate(),
            call,
            received_on: *day,
            subject_id,
            cit_on_scene,
            digest: call.digest(),
        });
        responders.push(matched);
    }

    // 3. New calls.
    let created: Vec<CallId> = model::insert_new(tx, &writes, now).await?;
    let created: std::collections::HashSet<CallId> = created.into_iter().collect();

    // 4. Calls stored already: unchanged, or changed and overwritten.
    let existing: Vec<usize> = (0..writes.len())
        .filter(|&i| !created.contains(&writes[i].id))
        .collect();
    let stored = stored_digests(
        tx,
        existing
            .iter()
            .map(|&i| writes[i].call.source.clone())
            .collect(),
        existing
            .iter()
            .map(|&i| writes[i].call.incident_number.clone())
            .collect(),
    )
    .await?;
    let mut results: Vec<IngestResult> = vec![IngestResult::Created; writes.len()];
    let mut changed: Vec<usize> = Vec::new();
    for &i in &existing {
        let key = (
            writes[i].call.source.clone(),
            writes[i].call.incident_number.clone(),
        );
        let Some((id, digest)) = stored.get(&key) else {
            return Err(AppError::Internal(
                "a call neither inserted nor found; retry".into(),
            ));
        };
        writes[i].id = *id;
        if *digest == writes[i].digest {
            results[i] = IngestResult::Unchanged;
        } else {
            results[i] = IngestResult::Updated;
            changed.push(i);
        }
    }
    if !changed.is_empty() {
        let mut ids: Vec<CallId> = changed.iter().map(|&i| writes[i].id).collect();
        ids.sort();
        lock(tx, &ids).await?;
        let changed_writes: Vec<CallWrite<'_>> = changed
            .iter()
            .map(|&i| CallWrite {
                id: writes[i].id,
                call: writes[i].call,
                received_on: writes[i].received_on,
                subject_id: writes[i].subject_id,
                cit_on_scene: writes[i].cit_on_scene,
                digest: writes[i].digest.clone(),
            })
            .collect();
        model::overwrite(tx, &changed_writes, now).await?;
    }

    // 5. Responders of what was written.
    let written: Vec<usize> = (0..writes.len())
        .filter(|&i| results[i] != IngestResult::Unchanged)
        .collect();
    let mut rows = Vec::new();
    for &i in &written {
        for (position, (number, role, found)) in responders[i].iter().enumerate() {
            rows.push(ResponderWrite {
                call_id: writes[i].id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                employee_number: number.clone(),
                role: *role,
                personnel_id: found.map(|f| f.0),
                cit_certified_at_call: found.is_some_and(|f| f.1),
            });
        }
    }
    let written_ids: Vec<CallId> = written.iter().map(|&i| writes[i].id).collect();
    model::replace_responders(tx, &written_ids, rows).await?;

    Ok((0..writes.len())
        .map(|i| Ingested {
            index: calls[i].0,
            id: writes[i].id,
            result: results[i],
            warnings: responders[i]
                .iter()
                .enumerate()
                .filter(|(_, (_, _, found))| found.is_none())
                .map(|(position, _)| IngestWarning {
                    field: format!("responders[{position}].employee_number"),
                    message: "not on the personnel roster: kept, and linked when the person is \
                              added"
                        .into(),
                })
                .collect(),
        })
        .collect())
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = SqlUuid)]
    id: CallId,
    #[diesel(sql_type = diesel::sql_types::Text)]
    source: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    incident_number: String,
    #[diesel(sql_type = Bytea)]
    content_digest: Vec<u8>,
}

/// The ids and digests of the stored calls with these keys (no lock: most are unchanged).
async fn stored_digests(
    tx: &mut Tx<'_>,
    sources: Vec<String>,
    incident_numbers: Vec<String>,
) -> Result<HashMap<(String, String), (CallId, Vec<u8>)>, AppError> {
    if sources.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Digest> = diesel::sql_query(
        "SELECT c.id, c.source, c.incident_number, c.content_digest FROM calls c \
           JOIN unnest($1::text[], $2::text[]) AS k(source, incident_number) \
             ON c.source = k.source AND c.incident_number = k.incident_number",
    )
    .bind::<Array<diesel::sql_types::Text>, _>(sources)
    .bind::<Array<diesel::sql_types::Text>, _>(incident_numbers)
    .load(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.source, r.incident_number), (r.id, r.content_digest)))
        .collect())
}

/// Locks calls in id order before they are overwritten, so two batches changing the same calls
/// queue instead of deadlocking.
async fn lock(tx: &mut Tx<'_>, ids: &[CallId]) -> Result<(), AppError> {
    diesel::sql_query("SELECT id FROM calls WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind::<Array<SqlUuid>, _>(ids)
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn record(
    tx: &mut Tx<'_>,
    actor: &Caller,
    meta: &RequestMeta,
    outcome: &[Ingested],
    audit: Audit,
) -> Result<(), AppError> {
    let count = |result| outcome.iter().filter(|o| o.result == result).count();
    match audit {
        Audit::Single => {
            let Some(call) = outcome.first() else {
                return Ok(());
            };
            let action = match call.result {
                IngestResult::Created => Action::CallCreate,
                IngestResult::Updated => Action::CallUpdate,
                IngestResult::Unchanged => return Ok(()),
            };
            AuditEvent::new(action)
                .by(actor)
                .resource(call.id)
                .record(tx, meta)
                .await?;
        }
        Audit::Batch { rejected } => {
            AuditEvent::new(Action::CallBatch)
                .by(actor)
                .details(serde_json::json!({
                    "created": count(IngestResult::Created),
                    "updated": count(IngestResult::Updated),
                    "unchanged": count(IngestResult::Unchanged),
                    "rejected": rejected,
                }))
                .record(tx, meta)
                .await?;
        }
    }
    Ok(())
}
