//! Goal endpoints: `/api/v1/goals`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::Require;
use crate::auth::policy::{MetricsReaders, Policy, TrainingWriters};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::csv::{self, respond};
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::pagination::PageQuery;
use crate::http::query::{QueryParams, as_of};
use crate::ids::GoalId;
use crate::state::{AppData, ReadFrom};

use super::model;
use super::payloads::{CreateGoal, GoalBody, ProgressBody, ProgressQuery, UpdateGoal};
use super::service;

/// List goals, newest first.
///
/// A fresh database holds the program's first goal: 20% of officers and designated staff holding
/// `CIT_BASIC` or `CIT_TELECOM`.
#[utoipa::path(
    tag = "goals",
    params(PageQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "A page of goals", content(
        (Page<GoalBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/goals")]
pub async fn list_goals(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    csv::list(
        &req,
        &state,
        ReadFrom::Primary,
        query.limit,
        query.cursor.as_deref(),
        |mut conn, page| async move {
            let rows = model::list(&mut conn, &page).await?;
            Ok(page.page(rows, |r| r.id, GoalBody::from))
        },
    )
    .await
}

/// Create a goal.
///
/// Audited as `goal.create`.
#[utoipa::path(
    tag = "goals",
    request_body = CreateGoal,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses((status = 201, description = "Created", body = GoalBody,
        headers(("Location" = String), ("ETag" = String)))),
)]
#[post("/goals")]
pub async fn create_goal(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreateGoal>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create(&mut conn, &caller, &meta, body.into_inner()).await?;
    let location = format!("/api/v1/goals/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &GoalBody::from(row)))
}

/// Find a goal.
#[utoipa::path(
    tag = "goals",
    params(("id" = Uuid, Path, description = "Goal id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses(
        (status = 200, description = "The goal", body = GoalBody, headers(("ETag" = String))),
    ),
)]
#[get("/goals/{id}")]
pub async fn find_goal(
    state: AppData,
    _caller: Require<MetricsReaders>,
    id: web::Path<GoalId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = model::find(&mut conn, id.into_inner())
        .await
        .or_not_found("goal")?;
    Ok(versioned(StatusCode::OK, row.version, &GoalBody::from(row)))
}

/// Change a goal (JSON merge patch; `population` merges field by field).
///
/// Honours `If-Match`. Audited as `goal.update`.
#[utoipa::path(
    tag = "goals",
    params(
        ("id" = Uuid, Path, description = "Goal id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateGoal, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed goal", body = GoalBody, headers(("ETag" = String))),
    ),
)]
#[patch("/goals/{id}")]
pub async fn update_goal(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<GoalId>,
    if_match: IfMatch,
    body: JsonBody<UpdateGoal>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::update(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
    )
    .await?;
    Ok(versioned(StatusCode::OK, row.version, &GoalBody::from(row)))
}

/// Progress toward a goal as of a day (default today).
///
/// On a day D the **population** is everyone employed on D (`hire_date <= D` and no
/// `separation_date` or one after D) whose department and role are in the goal's lists (an
/// empty list matches any), plus, when the goal includes designated staff, every employed
/// person with `designated_staff`. **Certified** are those of them holding a certification of
/// one of the goal's types valid on D: issued on or before D, `expires_on` empty or after D,
/// and not revoked on or before D (a later revocation does not rewrite past figures).
/// **needed** = max(0, ⌈target_share × population⌉ − certified). The **series** has one point
/// per month from the goal's start to D, computed on each month's last day (D for the last).
///
/// **Projection**: an ordinary least-squares line is fitted to the share of the last 12 points
/// of the series against their day number, and read off at the deadline, clamped to 0..1 (with
/// fewer than two points the current share stands). `on_track` is whether that projection
/// reaches the target. Once D is on or after the deadline, both use the actual share on the
/// deadline instead. Answers `Accept: text/csv` with the series.
#[utoipa::path(
    tag = "goals",
    params(("id" = Uuid, Path, description = "Goal id"), ProgressQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses(
        (status = 200, description = "Progress", content(
            (ProgressBody = "application/json"),
            (String = "text/csv"),
        )),
    ),
)]
#[get("/goals/{id}/progress")]
pub async fn goal_progress(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    id: web::Path<GoalId>,
    query: QueryParams<ProgressQuery>,
) -> Result<HttpResponse, AppError> {
    let as_of = as_of(query.into_inner().as_of, &state.clock)?;
    let mut conn = state.db().await?;
    let as_of = state.clock.city_day(as_of);
    let progress = service::progress(&mut conn, id.into_inner(), as_of).await?;
    respond(&req, &progress, &progress.series)
}
