//! Session and enrollment endpoints: `/api/v1/training-sessions`, `/api/v1/enrollments`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Require;
use crate::auth::policy::{Policy, TrainingReaders, TrainingWriters};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::{EnrollmentId, TrainingSessionId};
use crate::state::{AppData, ReadFrom};

use super::service;
use crate::http::pagination::PageQuery;
use crate::training::certifications::payloads::CertificationBody;
use crate::training::sessions::model::{self as sessions, SessionFilter};
use crate::training::sessions::payloads::{
    CreateEnrollment, CreateSession, EnrollmentBody, SessionBody, SessionQuery, UpdateEnrollment,
    UpdateSession,
};

/// List training sessions, newest first.
///
/// `from`/`to` bound the first day. Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "training",
    params(SessionQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses((status = 200, description = "A page of sessions", content(
        (Page<SessionBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/training-sessions")]
pub async fn list_training_sessions(
    req: HttpRequest,
    state: AppData,
    _caller: Require<TrainingReaders>,
    query: QueryParams<SessionQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = SessionFilter {
        course_id: query.course_id,
        from: query.from,
        to: query.to,
        status: query.status,
    };
    let filter = Rc::new(filter);
    csv::list(
        &req,
        &state,
        ReadFrom::Replica,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| {
            let filter = Rc::clone(&filter);
            async move {
                let rows = sessions::list_sessions(&mut conn, &filter, &page).await?;
                Ok(page.page(rows, |(r, _)| r.id, |(r, seats)| SessionBody::new(r, seats)))
            }
        },
    )
    .await
}

/// Schedule a training session.
///
/// Audited as `training_session.create`.
#[utoipa::path(
    tag = "training",
    request_body = CreateSession,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses((status = 201, description = "Scheduled", body = SessionBody,
        headers(("Location" = String), ("ETag" = String)))),
)]
#[post("/training-sessions")]
pub async fn create_training_session(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreateSession>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create_session(&mut conn, &caller, &meta, body.into_inner()).await?;
    let location = format!("/api/v1/training-sessions/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &SessionBody::new(row, 0)))
}

/// Find a training session.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Session id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The session", body = SessionBody, headers(("ETag" = String))),
    ),
)]
#[get("/training-sessions/{id}")]
pub async fn find_training_session(
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<TrainingSessionId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let (row, seats) = sessions::find_session(&mut conn, id.into_inner())
        .await
        .or_not_found("training session")?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &SessionBody::new(row, seats),
    ))
}

/// Change a training session (JSON merge patch).
///
/// Honours `If-Match`. `ends_on` stays on or after `starts_on` and `capacity` never drops below the
/// seats taken (422). `status` moves `scheduled → completed | cancelled` and `cancelled →
/// scheduled`; a session can be completed from its last day on; anything else is 409. Audited as
/// `training_session.update`.
#[utoipa::path(
    tag = "training",
    params(
        ("id" = Uuid, Path, description = "Session id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateSession, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed session", body = SessionBody, headers(("ETag" = String))),
        (status = 409, description = "Not a legal status change", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/training-sessions/{id}")]
pub async fn update_training_session(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<TrainingSessionId>,
    if_match: IfMatch,
    body: JsonBody<UpdateSession>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let (row, seats) = service::update_session(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        state.clock.today(),
    )
    .await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &SessionBody::new(row, seats),
    ))
}

/// List a session's enrollments, in enrollment order.
///
/// Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Session id"), PageQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "A page of enrollments", content(
            (Page<EnrollmentBody> = "application/json"),
            (String = "text/csv"),
        )),
    ),
)]
#[get("/training-sessions/{id}/enrollments")]
pub async fn list_enrollments(
    req: HttpRequest,
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<TrainingSessionId>,
    query: QueryParams<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let id = id.into_inner();
    let mut conn = state.db().await?;
    sessions::find_session(&mut conn, id)
        .await
        .or_not_found("training session")?;
    drop(conn);
    csv::list(
        &req,
        &state,
        ReadFrom::Primary,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| async move {
            let rows = sessions::list_enrollments(&mut conn, id, &page).await?;
            Ok(page.page(rows, |r| r.id, EnrollmentBody::from))
        },
    )
    .await
}

/// Enroll a person in a session.
///
/// 409 when the person is already enrolled, the session is full or not scheduled; the capacity
/// holds under concurrent requests. 422 for an unknown or separated person. Audited as
/// `enrollment.create`.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Session id")),
    request_body = CreateEnrollment,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 201, description = "Enrolled", body = EnrollmentBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "Already enrolled, session full or not scheduled", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/training-sessions/{id}/enrollments")]
pub async fn create_enrollment(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<TrainingSessionId>,
    body: JsonBody<CreateEnrollment>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::enroll(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        body.into_inner().personnel_id,
    )
    .await?;
    let location = format!("/api/v1/enrollments/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &EnrollmentBody::from(row)))
}

/// Find an enrollment.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Enrollment id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The enrollment", body = EnrollmentBody, headers(("ETag" = String))),
    ),
)]
#[get("/enrollments/{id}")]
pub async fn find_enrollment(
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<EnrollmentId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = sessions::find_enrollment(&mut conn, id.into_inner())
        .await
        .or_not_found("enrollment")?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &EnrollmentBody::from(row),
    ))
}

/// An enrollment after a change, with the certification its completion issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentUpdated {
    /// The enrollment.
    #[serde(flatten)]
    pub enrollment: EnrollmentBody,
    /// The certification issued by this change (completing a certifying course), else `null`.
    pub issued_certification: Option<CertificationBody>,
}

/// Change an enrollment's status or hours (JSON merge patch).
///
/// Honours `If-Match`. Status moves `enrolled → attended | completed | failed | no_show |
/// withdrawn`, `attended → completed | failed`, `withdrawn → enrolled` (needs a free seat);
/// anything else is 409. Completion can be recorded from the session's last day on; when the course
/// grants a certification it is issued in the same transaction (issued on the session's last day,
/// expiring after the type's validity) and returned as `issued_certification`. Audited as
/// `enrollment.update` (and `certification.issue`).
#[utoipa::path(
    tag = "training",
    params(
        ("id" = Uuid, Path, description = "Enrollment id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateEnrollment, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed enrollment", body = EnrollmentUpdated, headers(("ETag" = String))),
        (status = 409, description = "Not a legal status change now", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/enrollments/{id}")]
pub async fn update_enrollment(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<EnrollmentId>,
    if_match: IfMatch,
    body: JsonBody<UpdateEnrollment>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.city_today();
    let mut conn = state.db().await?;
    let (row, issued) = service::update_enrollment(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        today,
    )
    .await?;
    let version = row.version;
    let body = EnrollmentUpdated {
        enrollment: EnrollmentBody::from(row),
        issued_certification: issued.map(|c| CertificationBody::new(c, today)),
    };
    Ok(versioned(StatusCode::OK, version, &body))
}
