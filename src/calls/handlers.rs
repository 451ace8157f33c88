//! Call endpoints: `/api/v1/calls`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};

use crate::auth::policy::{CallReaders, CallWriters, Policy, SubjectReaders};
use crate::auth::{Caller, Require, forbid};
use crate::error::{AppError, FieldError};
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::versioned;
use crate::http::json::{self, BulkJsonBody, JsonBody};
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::CallId;
use crate::state::{AppData, ReadFrom};

use super::ingest::{self, Audit};
use super::model::CallFilter;
use super::payloads::{
    BatchReport, BatchWarning, CallBatch, CallBody, CallIngested, CallInput, CallQuery,
    RejectedCall,
};
use super::service;
use super::validate::{self, Key, ValidCall};

/// The most calls one batch may hold.
pub const MAX_BATCH: usize = 5000;

/// Store one call (idempotent upsert by source and incident number).
///
/// 201 when the call is new, 200 when it was stored already (`result` says `updated`, with the
/// version up by one, or `unchanged`, when nothing was written). Retries and concurrent
/// duplicates never make a second call. Each responder is matched to personnel by employee
/// number; an unknown number is kept and reported in `warnings`. Audited as `call.create` or
/// `call.update` (nothing for an unchanged call).
#[utoipa::path(
    tag = "calls",
    params(
        ("source" = String, Path, description = "The sending system, e.g. `rms`"),
        ("incident_number" = String, Path, description = "The incident number there"),
    ),
    request_body = CallInput,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(CallWriters::ROLES))),
    responses(
        (status = 201, description = "Created", body = CallIngested, headers(("Location" = String), ("ETag" = String))),
        (status = 200, description = "Updated or unchanged", body = CallIngested, headers(("ETag" = String))),
    ),
)]
#[put("/calls/{source}/{incident_number}")]
pub async fn put_call(
    state: AppData,
    caller: Require<CallWriters>,
    meta: RequestMeta,
    path: web::Path<(String, String)>,
    body: JsonBody<CallInput>,
) -> Result<HttpResponse, AppError> {
    let (source, incident_number) = path.into_inner();
    let key = Key {
        source: Some(&source),
        incident_number: Some(&incident_number),
    };
    let call = validate::call(body.into_inner(), &key).map_err(AppError::Validation)?;
    let mut conn = state.db().await?;
    let (done, row) = ingest::ingest_one(
        &mut conn,
        &caller,
        &meta,
        call,
        state.ingest,
        state.clock.now(),
    )
    .await?;
    // Without subjects: no statement more.
    let call = service::bodies(&mut conn, vec![row], false)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("a stored call without a body".into()))?;
    let status = if done.result == super::payloads::IngestResult::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let version = call.version;
    let location = format!("/api/v1/calls/{}", call.id);
    let mut response = versioned(
        status,
        version,
        &CallIngested {
            result: done.result,
            call,
            warnings: done.warnings,
        },
    );
    if status == StatusCode::CREATED
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&location)
    {
        response
            .headers_mut()
            .insert(actix_web::http::header::LOCATION, value);
    }
    Ok(response)
}

/// A batch once read: the checked calls with their index, and the rejected.
type Judged = (Vec<(usize, ValidCall)>, Vec<RejectedCall>);

/// Reads and checks a batch body; each call is judged alone.
fn judge(body: &[u8]) -> Result<Judged, AppError> {
    let batch: CallBatch = json::parse(body)?;
    if batch.calls.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "calls",
            format!(
                "a batch holds at most {MAX_BATCH} calls; send {} in several",
                batch.calls.len()
            ),
        ));
    }
    let key = Key {
        source: None,
        incident_number: None,
    };
    // Each call is checked alone, so a large batch is checked on every core at once.
    let check =
        |items: &[Box<serde_json::value::RawValue>]| -> Vec<Result<ValidCall, Vec<FieldError>>> {
            items
                .iter()
                .map(|item| {
                    json::from_raw::<CallInput>(item).and_then(|input| validate::call(input, &key))
                })
                .collect()
        };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = batch.calls.len().div_ceil(threads).max(500);
    let checked: Vec<Result<ValidCall, Vec<FieldError>>> = std::thread::scope(|scope| {
        let parts: Vec<_> = batch
            .calls
            .chunks(per_thread)
            .map(|part| {
                // A part no thread could be made for is checked here, when joined.
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || check(part))
                    .map_err(|_| part)
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| match part {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(part) => check(part),
            })
            .collect()
    });
    let mut valid: Vec<(usize, ValidCall)> = Vec::with_capacity(batch.calls.len());
    let mut rejected = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (index, (item, checked)) in batch.calls.iter().zip(checked).enumerate() {
        let incident_number = || {
            // Only for a rejected call, to name it in the report: read from the item alone.
            #[derive(serde::Deserialize)]
            struct Named {
                incident_number: Option<serde_json::Value>,
            }
            serde_json::from_str::<Named>(item.get())
                .ok()
                .and_then(|named| named.incident_number)
                .and_then(|v| {
                    v.as_str()
                        .map(|v| v.trim().chars().take(100).collect::<String>())
                })
        };
        match checked {
            Ok(call) => {
                let call_key = (call.source.clone(), call.incident_number.clone());
                if let Some(first) = seen.get(&call_key) {
                    rejected.push(RejectedCall {
                        index,
                        incident_number: Some(call.incident_number.clone()),
                        errors: vec![FieldError::new(
                            "incident_number",
                            format!("the same call is at index {first} of this batch"),
                        )],
                    });
                } else {
                    seen.insert(call_key, index);
                    valid.push((index, call));
                }
            }
            Err(errors) => rejected.push(RejectedCall {
                index,
                incident_number: incident_number(),
                errors,
            }),
        }
    }
    Ok((valid, rejected))
}

/// Store up to 5,000 calls at once (16 MiB).
///
/// Each call is judged alone: valid ones are stored (created, updated, or unchanged when stored
/// already exactly so), invalid ones come back in `errors` with their index, and the batch never
/// fails as a whole because one call was bad. Sending the same batch again changes nothing. The
/// whole batch costs a fixed number of statements. Audited as one `call.batch` with its counts.
#[utoipa::path(
    tag = "calls",
    request_body = CallBatch,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(CallWriters::ROLES))),
    responses((status = 200, description = "What was stored and what was refused", body = BatchReport)),
)]
#[post("/calls/batch")]
pub async fn post_batch(
    state: AppData,
    caller: Require<CallWriters>,
    meta: RequestMeta,
    body: BulkJsonBody,
) -> Result<web::Json<BatchReport>, AppError> {
    // Up to 16 MiB of JSON: parsed and checked on a blocking thread.
    let (valid, rejected) = web::block(move || judge(&body.0)).await??;
    let mut report = BatchReport {
        rejected: rejected.len(),
        errors: rejected,
        ..BatchReport::default()
    };
    let numbers: HashMap<usize, String> = valid
        .iter()
        .map(|(index, call)| (*index, call.incident_number.clone()))
        .collect();
    let mut conn = state.db().await?;
    let outcome = ingest::ingest(
        &mut conn,
        &caller,
        &meta,
        valid,
        state.ingest,
        state.clock.now(),
        Audit::Batch {
            rejected: report.rejected,
        },
    )
    .await?;
    for call in outcome {
        match call.result {
            super::payloads::IngestResult::Created => report.created += 1,
            super::payloads::IngestResult::Updated => report.updated += 1,
            super::payloads::IngestResult::Unchanged => report.unchanged += 1,
        }
        for warning in call.warnings {
            report.warnings.push(BatchWarning {
                index: call.index,
                incident_number: numbers.get(&call.index).cloned().unwrap_or_default(),
                field: warning.field,
                message: warning.message,
            });
        }
    }
    report.errors.sort_by_key(|e| e.index);
    report.warnings.sort_by_key(|w| w.index);
    Ok(web::Json(report))
}

/// List calls, newest stored first.
///
/// Filters: `from`/`to` (the call's day in the city's time zone), `mental_health`,
/// `cit_on_scene`, `disposition`, `beat`, and `subject_id` (clinician and admin only). Who a
/// call's subject is appears only for clinicians and admins, and every page that shows it is
/// audited (`call.list`). Answers `Accept: text/csv` too: without `limit`, every
/// matching row, streamed.
#[utoipa::path(
    tag = "calls",
    params(CallQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(CallReaders::ROLES))),
    responses((status = 200, description = "A page of calls", content(
        (Page<CallBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/calls")]
pub async fn list_calls(
    req: HttpRequest,
    state: AppData,
    caller: Require<CallReaders>,
    meta: RequestMeta,
    query: QueryParams<CallQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    if query.subject_id.is_some() && !caller.has_any(SubjectReaders::ROLES) {
        return Err(forbid(&req, &caller, SubjectReaders::ROLES));
    }
    let filter = CallFilter {
        from: query.from,
        to: query.to,
        mental_health: query.mental_health,
        cit_on_scene: query.cit_on_scene,
        disposition: query.disposition,
        subject_id: query.subject_id,
        beat: query.beat,
    };
    // A page that shows subjects is audited (a write), so it reads on the primary; anyone
    // else's reads the replica when one is fresh.
    let from = if service::sees_subjects(&caller) {
        ReadFrom::Primary
    } else {
        ReadFrom::Replica
    };
    let context = Rc::new((caller.clone(), meta, filter));
    csv::list(
        &req,
        &state,
        from,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| {
            let context = Rc::clone(&context);
            async move {
                let (caller, meta, filter) = &*context;
                service::list(&mut conn, caller, meta, filter, &page).await
            }
        },
    )
    .await
}

/// Find a call.
///
/// Its subject's identity appears only for clinicians and admins, and such a read is audited
/// (`call.read`).
#[utoipa::path(
    tag = "calls",
    params(("id" = Uuid, Path, description = "Call id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(CallReaders::ROLES))),
    responses(
        (status = 200, description = "The call", body = CallBody, headers(("ETag" = String))),
    ),
)]
#[get("/calls/{id}")]
pub async fn find_call(
    state: AppData,
    caller: Require<CallReaders>,
    meta: RequestMeta,
    id: web::Path<CallId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let caller: &Caller = &caller;
    let call = service::find(&mut conn, caller, &meta, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, call.version, &call))
}
