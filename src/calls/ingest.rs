//! Ingest: storing calls the RMS sends, idempotently. One transaction of a fixed number of
//! statements whatever the number of calls:
//!
//! 1. the digests of the calls stored already read: a call sent again exactly so is
//!    `unchanged`, and costs nothing more (the same read gives its unknown responders, to warn
//!    of again);
//! 2. for the others, the responders' numbers matched to the roster with each person's CIT
//!    certifications (one select, [`Roster`]), and the subjects made or filled in (a select,
//!    then an upsert of only the new and changed, in key order);
//! 3. new calls inserted, with their responders, in key order (`ON CONFLICT DO NOTHING`: a
//!    retry, or a concurrent duplicate, never makes a second row; a key stored meanwhile is
//!    judged against what was stored);
//! 4. changed calls locked in id order and overwritten, responders too (version + 1);
//! 5. the days' counts moved by what was written;
//! 6. a follow-up scheduled for each written mental-health call with a subject that has none
//!    (one statement; once per call, however often it is sent), kept in step with the call
//!    until a clinician works it;
//! 7. the audit row (one per batch; per `PUT` only when something was written).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bytea, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::db::tx::Tx;
use crate::error::AppError;
use crate::follow_ups::model::{self as follow_ups, CallFollowUp};
use crate::http::context::RequestMeta;
use crate::ids::{CallId, SubjectId};

use super::days::{self, Counted, DayCounts};
use super::model::{self, CallWrite, SubjectUpsert};
use super::payloads::{IngestResult, IngestWarning, ResponderBody};
use super::roster::Roster;
use super::validate::ValidCall;

/// What an ingest applies besides the calls themselves.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The city's zone: a call's day is `received_at`'s date there.
    pub zone: Tz,
    /// How long after a mental-health call with a subject was received its follow-up is due.
    pub follow_up_after: chrono::TimeDelta,
}

impl Rules {
    /// The rules the settings give.
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self {
            zone: settings.time_zone,
            follow_up_after: chrono::TimeDelta::hours(i64::from(settings.follow_up_hours)),
        }
    }
}

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
    rules: Rules,
    now: DateTime<Utc>,
    audit: Audit,
) -> Result<Vec<Ingested>, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let tx = &mut Tx::of(conn)?;
        let (outcome, scheduled) = store(tx, &calls, rules, now).await?;
        record(tx, actor, meta, &outcome, scheduled, audit).await?;
        Ok(outcome)
    })
    .await
}

/// Stores one call (`PUT`) and reads it back in the same transaction, so the answer shows what
/// this request stored, not what a later one did.
pub async fn ingest_one(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    call: ValidCall,
    rules: Rules,
    now: DateTime<Utc>,
) -> Result<(Ingested, model::CallRow), AppError> {
    let calls = [(0, call)];
    conn.transaction::<_, AppError, _>(async |conn| {
        let tx = &mut Tx::of(conn)?;
        let (mut outcome, scheduled) = store(tx, &calls, rules, now).await?;
        record(tx, actor, meta, &outcome, scheduled, Audit::Single).await?;
        let done = outcome
            .pop()
            .ok_or_else(|| AppError::Internal("an ingest of one call returned none".into()))?;
        let row = model::find(tx.conn(), done.id).await?;
        Ok((done, row))
    })
    .await
}

/// Stores the calls; returns what happened to each and how many follow-ups were scheduled.
async fn store(
    tx: &mut Tx<'_>,
    calls: &[(usize, ValidCall)],
    rules: Rules,
    now: DateTime<Utc>,
) -> Result<(Vec<Ingested>, usize), AppError> {
    let zone = rules.zone;
    let digests: Vec<Vec<u8>> = calls.iter().map(|(_, call)| call.digest()).collect();
    let key = |i: usize| {
        (
            calls[i].1.source.clone(),
            calls[i].1.incident_number.clone(),
        )
    };
    let mut ids: Vec<CallId> = calls.iter().map(|_| CallId::generate()).collect();
    let mut results: Vec<IngestResult> = vec![IngestResult::Created; calls.len()];

    // 1. What is stored already: a call sent again exactly so costs this one read.
    let stored = stored_digests(
        tx,
        (0..calls.len())
            .map(|i| (key(i), digests[i].clone()))
            .collect(),
    )
    .await?;
    let mut work: Vec<usize> = Vec::new();
    // An unchanged call's unknown responders, as stored, to warn of again.
    let mut unmatched: HashMap<usize, Vec<i32>> = HashMap::new();
    for i in 0..calls.len() {
        match stored.get(&key(i)) {
            Some(found) if found.digest == digests[i] => {
                ids[i] = found.id;
                results[i] = IngestResult::Unchanged;
                unmatched.insert(i, found.unmatched.clone());
            }
            Some(found) => {
                ids[i] = found.id;
                results[i] = IngestResult::Updated;
                work.push(i);
            }
            None => work.push(i),
        }
    }

    // 2. The roster and the subjects, for what will be written.
    let days: Vec<NaiveDate> = calls
        .iter()
        .map(|(_, call)| call.received_at.with_timezone(&zone).date_naive())
        .collect();
    let mut numbers: Vec<String> = work
        .iter()
        .flat_map(|&i| {
            calls[i]
                .1
                .responders
                .iter()
                .map(|r| r.employee_number.clone())
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    // Before reading the roster (in its own statement, so the read sees what a writer holding
    // the lock committed).
    model::lock_numbers_shared(tx, &numbers).await?;
    let roster = Roster::read(tx, &numbers, &[], zone).await?;
    let mut wanted: HashMap<(String, String), SubjectUpsert> = HashMap::new();
    for &i in &work {
        let call = &calls[i].1;
        if let Some(subject) = &call.subject {
            let entry = wanted
                .entry((call.source.clone(), subject.external_id.clone()))
                .or_insert_with(|| SubjectUpsert {
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
    let mut responders: HashMap<usize, Vec<ResponderBody>> = HashMap::new();
    for &i in &work {
        let matched: Vec<ResponderBody> = calls[i]
            .1
            .responders
            .iter()
            .map(|r| {
                let person = roster.person(&r.employee_number);
                ResponderBody {
                    employee_number: r.employee_number.clone(),
                    role: r.role,
                    personnel_id: person,
                    cit_certified_at_call: person.is_some_and(|p| roster.certified(p, days[i])),
                }
            })
            .collect();
        responders.insert(i, matched);
    }
    let cit_on_scene = |i: usize| {
        responders
            .get(&i)
            .is_some_and(|r| r.iter().any(|r| r.cit_certified_at_call))
    };
    let write = |i: usize, id: CallId| CallWrite {
        id,
        call: &calls[i].1,
        received_on: days[i],
        subject_id: calls[i].1.subject.as_ref().and_then(|s| {
            subjects
                .get(&(calls[i].1.source.clone(), s.external_id.clone()))
                .copied()
        }),
        cit_on_scene: cit_on_scene(i),
        responders: responders.get(&i).map_or(&[], Vec::as_slice),
        digest: digests[i].clone(),
    };

    // 3. New calls, in key order; a key a concurrent request stored meanwhile is skipped here
    // and judged against what that request stored.
    let new: Vec<usize> = work
        .iter()
        .copied()
        .filter(|&i| results[i] == IngestResult::Created)
        .collect();
    let inserted: std::collections::HashSet<CallId> = model::insert_new(
        tx,
        &new.iter().map(|&i| write(i, ids[i])).collect::<Vec<_>>(),
        now,
    )
    .await?
    .into_iter()
    .collect();
    let raced: Vec<usize> = new
        .iter()
        .copied()
        .filter(|&i| !inserted.contains(&ids[i]))
        .collect();
    if !raced.is_empty() {
        let stored = stored_digests(
            tx,
            raced
                .iter()
                .map(|&i| (key(i), digests[i].clone()))
                .collect(),
        )
        .await?;
        for &i in &raced {
            let Some(found) = stored.get(&key(i)) else {
                return Err(AppError::Internal(
                    "a call neither inserted nor found; retry".into(),
                ));
            };
            ids[i] = found.id;
            results[i] = if found.digest == digests[i] {
                IngestResult::Unchanged
            } else {
                IngestResult::Updated
            };
        }
    }

    // 4. Changed calls: locked in id order, overwritten.
    let changed: Vec<usize> = work
        .iter()
        .copied()
        .filter(|&i| results[i] == IngestResult::Updated)
        .collect();
    let mut changed = changed;
    let mut deltas: std::collections::BTreeMap<NaiveDate, DayCounts> =
        std::collections::BTreeMap::new();
    if !changed.is_empty() {
        let mut locked: Vec<CallId> = changed.iter().map(|&i| ids[i]).collect();
        locked.sort();
        // Judged again under the lock: a concurrent retry of the same change may have stored
        // it already (it is then unchanged here, not a second version).
        let current = lock(tx, &locked).await?;
        changed.retain(|&i| {
            if current.get(&ids[i]).map(|c| &c.digest) == Some(&digests[i]) {
                results[i] = IngestResult::Unchanged;
                false
            } else {
                true
            }
        });
        for &i in &changed {
            if let Some(old) = current.get(&ids[i]) {
                deltas.entry(old.day).or_default().add(old.counts, -1);
            }
        }
        let writes: Vec<CallWrite<'_>> = changed.iter().map(|&i| write(i, ids[i])).collect();
        model::overwrite(tx, &writes, now).await?;
    }
    // What the new and changed calls add to their days' counts.
    for &i in &work {
        if results[i] == IngestResult::Unchanged {
            continue;
        }
        let call = &calls[i].1;
        let counts = DayCounts::of(
            call.mental_health,
            cit_on_scene(i),
            &call.dispositions,
            call.force_level,
            call.subject_injured,
            call.officer_injured,
        );
        deltas.entry(days[i]).or_default().add(counts, 1);
    }
    days::apply(tx, deltas).await?;

    // 6. The follow-up of each written mental-health call with a subject (once per call); a
    // changed call that no longer is one has its untouched follow-up cancelled.
    let mut due: Vec<CallFollowUp> = Vec::new();
    let mut dropped: Vec<CallId> = Vec::new();
    for &i in &work {
        if results[i] == IngestResult::Unchanged {
            continue;
        }
        let subject_id = write(i, ids[i]).subject_id;
        match subject_id.filter(|_| calls[i].1.mental_health) {
            Some(subject_id) => due.push(CallFollowUp {
                call_id: ids[i],
                subject_id,
                due_at: calls[i].1.received_at + rules.follow_up_after,
            }),
            None if results[i] == IngestResult::Updated => dropped.push(ids[i]),
            None => {}
        }
    }
    let scheduled = follow_ups::schedule_for_calls(tx, due, dropped, now).await?;

    let outcome = (0..calls.len())
        .map(|i| Ingested {
            index: calls[i].0,
            id: ids[i],
            result: results[i],
            // Judged now, or (an unchanged call) as stored.
            warnings: responders
                .get(&i)
                .map(|matched| {
                    matched
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.personnel_id.is_none())
                        .map(|(position, _)| position)
                        .collect::<Vec<_>>()
                })
                .or_else(|| {
                    unmatched.get(&i).map(|positions| {
                        positions
                            .iter()
                            .filter_map(|&p| usize::try_from(p).ok())
                            .collect()
                    })
                })
                .unwrap_or_default()
                .into_iter()
                .map(|position| IngestWarning {
                    field: format!("responders[{position}].employee_number"),
                    message: "not on the personnel roster: kept, and linked when the person is \
                              added"
                        .into(),
                })
                .collect(),
        })
        .collect();
    Ok((outcome, scheduled))
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
    #[diesel(sql_type = Array<diesel::sql_types::Int4>)]
    unmatched: Vec<i32>,
}

/// A stored call as the first read sees it.
struct Stored {
    id: CallId,
    digest: Vec<u8>,
    /// The positions of its responders not on the roster.
    unmatched: Vec<i32>,
}

/// The ids and digests of the stored calls with these keys, and where the stored digest is the
/// one sent (the call is unchanged), the positions of its responders not on the roster (no
/// lock: most are unchanged).
async fn stored_digests(
    tx: &mut Tx<'_>,
    sent: Vec<((String, String), Vec<u8>)>,
) -> Result<HashMap<(String, String), Stored>, AppError> {
    if sent.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sources = Vec::with_capacity(sent.len());
    let mut incident_numbers = Vec::with_capacity(sent.len());
    let mut digests = Vec::with_capacity(sent.len());
    for ((source, incident_number), digest) in sent {
        sources.push(source);
        incident_numbers.push(incident_number);
        digests.push(digest);
    }
    let rows: Vec<Digest> = diesel::sql_query(
        "SELECT c.id, c.source, c.incident_number, c.content_digest, \
                CASE WHEN c.content_digest = k.digest THEN \
                  ARRAY(SELECT (e.n - 1)::int4 \
                          FROM jsonb_array_elements(c.responders) WITH ORDINALITY AS e(r, n) \
                         WHERE e.r -> 'personnel_id' = 'null') \
                ELSE '{}' END AS unmatched \
           FROM calls c \
           JOIN unnest($1::text[], $2::text[], $3::bytea[]) AS k(source, incident_number, digest) \
             ON c.source = k.source AND c.incident_number = k.incident_number",
    )
    .bind::<Array<diesel::sql_types::Text>, _>(sources)
    .bind::<Array<diesel::sql_types::Text>, _>(incident_numbers)
    .bind::<Array<Bytea>, _>(digests)
    .load(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let stored = Stored {
                id: r.id,
                digest: r.content_digest,
                unmatched: r.unmatched,
            };
            ((r.source, r.incident_number), stored)
        })
        .collect())
}

/// A stored call as locked: its digest, its day and its part in that day's counts.
struct Locked {
    digest: Vec<u8>,
    day: NaiveDate,
    counts: DayCounts,
}

/// Locks calls in id order before they are overwritten, so two batches changing the same calls
/// queue instead of deadlocking; returns what they are as of the lock.
async fn lock(tx: &mut Tx<'_>, ids: &[CallId]) -> Result<HashMap<CallId, Locked>, AppError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: CallId,
        #[diesel(sql_type = Bytea)]
        content_digest: Vec<u8>,
        #[diesel(embed)]
        counted: Counted,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT id, content_digest, {counted} \
           FROM calls WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        counted = Counted::COLUMNS,
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .load(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let locked = Locked {
                digest: r.content_digest,
                day: r.counted.received_on,
                counts: r.counted.as_stored(),
            };
            (r.id, locked)
        })
        .collect())
}

async fn record(
    tx: &mut Tx<'_>,
    actor: &Caller,
    meta: &RequestMeta,
    outcome: &[Ingested],
    scheduled: usize,
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
            let event = AuditEvent::new(action).by(actor).resource(call.id);
            let event = if scheduled > 0 {
                event.details(serde_json::json!({ "follow_ups_scheduled": scheduled }))
            } else {
                event
            };
            event.record(tx, meta).await?;
        }
        Audit::Batch { rejected } => {
            AuditEvent::new(Action::CallBatch)
                .by(actor)
                .details(serde_json::json!({
                    "created": count(IngestResult::Created),
                    "updated": count(IngestResult::Updated),
                    "unchanged": count(IngestResult::Unchanged),
                    "rejected": rejected,
                    "follow_ups_scheduled": scheduled,
                }))
                .record(tx, meta)
                .await?;
        }
    }
    Ok(())
}
