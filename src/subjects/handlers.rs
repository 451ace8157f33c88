//! Subject endpoints: `/api/v1/subjects`.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::auth::Require;
use crate::auth::policy::{Policy, SubjectReaders};
use crate::error::{AppError, FieldError};
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv::{self, respond};
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::SubjectId;
use crate::state::{AppData, ReadFrom};

use super::payloads::{SubjectBody, SubjectQuery, TimelineBody};
use super::service;

fn bounded(field: &str, value: Option<i64>, default: i64, max: i64) -> Result<i64, AppError> {
    let value = value.unwrap_or(default);
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::BadRequest {
            detail: format!("invalid query parameter `{field}`"),
            errors: vec![FieldError::new(
                field,
                format!("must be between 1 and {max}"),
            )],
        })
    }
}

/// The repeat-call list: subjects with at least `min_calls` calls (default 2) in the last
/// `window_days` days (default 365, today included, city time), newest subject first.
///
/// Shows who each person is: every page is audited (`subject.list`) with the ids it showed.
/// Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "subjects",
    params(SubjectQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(SubjectReaders::ROLES))),
    responses((status = 200, description = "A page of subjects", content(
        (Page<SubjectBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/subjects")]
pub async fn list_subjects(
    req: HttpRequest,
    state: AppData,
    caller: Require<SubjectReaders>,
    meta: RequestMeta,
    query: QueryParams<SubjectQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let min_calls = bounded("min_calls", query.min_calls, 2, 10_000)?;
    let window_days = bounded("window_days", query.window_days, 365, 3660)?;
    let today = state.clock.city_today();
    let context = Rc::new((caller.clone(), meta));
    csv::list(
        &req,
        &state,
        ReadFrom::Primary,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| {
            let context = Rc::clone(&context);
            async move {
                let (caller, meta) = &*context;
                let days = window_days.unsigned_abs();
                service::repeat_callers(&mut conn, caller, meta, today, days, min_calls, &page)
                    .await
            }
        },
    )
    .await
}

/// Find a subject, with their calls counted (all, and the last 365 days).
///
/// Audited (`subject.read`).
#[utoipa::path(
    tag = "subjects",
    params(("id" = Uuid, Path, description = "Subject id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(SubjectReaders::ROLES))),
    responses((status = 200, description = "The subject", body = SubjectBody)),
)]
#[get("/subjects/{id}")]
pub async fn find_subject(
    state: AppData,
    caller: Require<SubjectReaders>,
    meta: RequestMeta,
    id: web::Path<SubjectId>,
) -> Result<web::Json<SubjectBody>, AppError> {
    let mut conn = state.db().await?;
    let subject = service::find(
        &mut conn,
        &caller,
        &meta,
        state.clock.city_today(),
        id.into_inner(),
    )
    .await?;
    Ok(web::Json(subject))
}

/// A subject's timeline: their calls, referrals and follow-ups in time order (a call at its
/// `received_at`, a referral at `sent_at`, a follow-up at its due time).
///
/// Audited (`subject.timeline`). Answers `Accept: text/csv` with one line per event.
#[utoipa::path(
    tag = "subjects",
    params(("id" = Uuid, Path, description = "Subject id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(SubjectReaders::ROLES))),
    responses((status = 200, description = "The timeline", content(
        (TimelineBody = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/subjects/{id}/timeline")]
pub async fn subject_timeline(
    req: HttpRequest,
    state: AppData,
    caller: Require<SubjectReaders>,
    meta: RequestMeta,
    id: web::Path<SubjectId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let timeline = service::timeline(
        &mut conn,
        &caller,
        &meta,
        state.clock.city_today(),
        id.into_inner(),
    )
    .await?;
    respond(&req, &timeline, &timeline.events)
}
