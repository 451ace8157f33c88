//! Follow-up endpoints: `/api/v1/follow-ups`, the clinicians' work list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::Require;
use crate::auth::policy::{Clinicians, Policy};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::FollowUpId;
use crate::state::{AppData, ReadFrom};

use super::model::FollowUpFilter;
use super::payloads::{
    CreateFollowUp, FollowUpBody, FollowUpQuery, FollowUpTransition, UpdateFollowUp,
};
use super::service;

/// The follow-up work list, newest first.
///
/// `overdue=true` gives the open ones (`scheduled` or `attempted`) past their due time. A
/// mental-health call with a subject schedules one follow-up by itself, due a set time after
/// the call was received (72 hours unless `CIT_FOLLOW_UP_HOURS` says otherwise). Audited as
/// `follow_up.list` with the ids shown. Answers `Accept: text/csv` too: without `limit`, every
/// matching row, streamed.
#[utoipa::path(
    tag = "follow-ups",
    params(FollowUpQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 200, description = "A page of follow-ups", content(
        (Page<FollowUpBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    req: HttpRequest,
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    query: QueryParams<FollowUpQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = FollowUpFilter {
        assigned_to: query.assigned_to,
        unassigned: query.unassigned.unwrap_or(false),
        status: query.status,
        overdue: query.overdue,
        subject_id: query.subject_id,
    };
    // One instant for the whole export, so "overdue" means the same on every chunk.
    let now = state.clock.now();
    let context = Rc::new((caller.clone(), meta, filter));
    csv::list(
        &req,
        &state,
        ReadFrom::Primary,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| {
            let context = Rc::clone(&context);
            async move {
                let (caller, meta, filter) = &*context;
                service::list(&mut conn, caller, meta, filter, now, &page).await
            }
        },
    )
    .await
}

/// Schedule a follow-up by hand.
///
/// `due_at` may not be in the past; `assigned_to` defaults to the caller's personnel record.
/// Audited as `follow_up.create`.
#[utoipa::path(
    tag = "follow-ups",
    request_body = CreateFollowUp,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 201, description = "Scheduled", body = FollowUpBody,
        headers(("Location" = String), ("ETag" = String)))),
)]
#[post("/follow-ups")]
pub async fn create_follow_up(
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    body: JsonBody<CreateFollowUp>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let row = service::create(&mut conn, &caller, &meta, body.into_inner(), now).await?;
    let location = format!("/api/v1/follow-ups/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &service::body(row, now)))
}

/// Find a follow-up.
///
/// Audited as `follow_up.read`.
#[utoipa::path(
    tag = "follow-ups",
    params(("id" = Uuid, Path, description = "Follow-up id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 200, description = "The follow-up", body = FollowUpBody, headers(("ETag" = String)))),
)]
#[get("/follow-ups/{id}")]
pub async fn find_follow_up(
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    id: web::Path<FollowUpId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::find(&mut conn, &caller, &meta, id.into_inner()).await?;
    let version = row.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &service::body(row, state.clock.now()),
    ))
}

/// Work a follow-up (JSON merge patch): assign it, reschedule it (not into the past), change
/// the method, write the outcome note.
///
/// An ended follow-up (`completed`, `unable_to_contact`, `declined`, `cancelled`) keeps its
/// assignment, time and method (409); its outcome note may still be corrected. The status moves
/// by `POST /api/v1/follow-ups/{id}/transitions`. Honours `If-Match`. Audited as
/// `follow_up.update` with the changed fields.
#[utoipa::path(
    tag = "follow-ups",
    params(
        ("id" = Uuid, Path, description = "Follow-up id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateFollowUp, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 200, description = "The follow-up", body = FollowUpBody, headers(("ETag" = String)))),
)]
#[patch("/follow-ups/{id}")]
pub async fn update_follow_up(
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    id: web::Path<FollowUpId>,
    if_match: IfMatch,
    body: JsonBody<UpdateFollowUp>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let row = service::update(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        now,
    )
    .await?;
    let version = row.version;
    Ok(versioned(StatusCode::OK, version, &service::body(row, now)))
}

/// Move a follow-up: an open one (`scheduled`, `attempted`) to `attempted` (again),
/// `completed`, `unable_to_contact`, `declined` or `cancelled`; an ended one moves no more
/// (409).
///
/// `outcome_note`, when given, replaces the note. Each move is kept on the follow-up with who
/// and when. Honours `If-Match`. Audited as `follow_up.transition`.
#[utoipa::path(
    tag = "follow-ups",
    params(
        ("id" = Uuid, Path, description = "Follow-up id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = FollowUpTransition,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 200, description = "The follow-up", body = FollowUpBody, headers(("ETag" = String)))),
)]
#[post("/follow-ups/{id}/transitions")]
pub async fn transition_follow_up(
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    id: web::Path<FollowUpId>,
    if_match: IfMatch,
    body: JsonBody<FollowUpTransition>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let mut conn = state.db().await?;
    let row = service::transition(
        &mut conn,
        &caller,
        &meta,
        (id.into_inner(), if_match),
        body.into_inner(),
        now,
    )
    .await?;
    let version = row.version;
    Ok(versioned(StatusCode::OK, version, &service::body(row, now)))
}
