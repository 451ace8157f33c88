//! Catalogue endpoints: `/api/v1/certification-types` and `/api/v1/courses`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::Require;
use crate::auth::policy::{Policy, TrainingReaders, TrainingWriters};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::{CertificationTypeId, CourseId};
use crate::state::{AppData, ReadFrom};

use super::service;
use crate::http::pagination::PageQuery;
use crate::training::catalog::model as catalog;
use crate::training::catalog::payloads::{
    CertificationTypeBody, CourseBody, CreateCertificationType, CreateCourse,
    UpdateCertificationType, UpdateCourse,
};

/// List certification types, newest first.
///
/// A fresh database holds the standard types: `CIT_BASIC` and `CIT_TELECOM` (count as CIT),
/// `CIT_REFRESHER`, `MH_AWARENESS`; none expires.
#[utoipa::path(
    tag = "training",
    params(PageQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses((status = 200, description = "A page of types", content(
        (Page<CertificationTypeBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/certification-types")]
pub async fn list_certification_types(
    req: HttpRequest,
    state: AppData,
    _caller: Require<TrainingReaders>,
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
            let rows = catalog::list_types(&mut conn, &page).await?;
            Ok(page.page(rows, |r| r.id, CertificationTypeBody::from))
        },
    )
    .await
}

/// Create a certification type.
///
/// Audited as `certification_type.create`.
#[utoipa::path(
    tag = "training",
    request_body = CreateCertificationType,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 201, description = "Created", body = CertificationTypeBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The code is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/certification-types")]
pub async fn create_certification_type(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreateCertificationType>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create_type(&mut conn, &caller, &meta, body.into_inner()).await?;
    let location = format!("/api/v1/certification-types/{}", row.id);
    let version = row.version;
    Ok(created(
        &location,
        version,
        &CertificationTypeBody::from(row),
    ))
}

/// Find a certification type.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Certification type id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The type", body = CertificationTypeBody, headers(("ETag" = String))),
    ),
)]
#[get("/certification-types/{id}")]
pub async fn find_certification_type(
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<CertificationTypeId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = catalog::find_type(&mut conn, id.into_inner())
        .await
        .or_not_found("certification type")?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &CertificationTypeBody::from(row),
    ))
}

/// Change a certification type (JSON merge patch).
///
/// Honours `If-Match`. A new `validity_months` applies to certificates issued from now on. Audited
/// as `certification_type.update`.
#[utoipa::path(
    tag = "training",
    params(
        ("id" = Uuid, Path, description = "Certification type id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateCertificationType, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed type", body = CertificationTypeBody, headers(("ETag" = String))),
        (status = 409, description = "The code is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/certification-types/{id}")]
pub async fn update_certification_type(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<CertificationTypeId>,
    if_match: IfMatch,
    body: JsonBody<UpdateCertificationType>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::update_type(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        state.clock.zone_name(),
    )
    .await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &CertificationTypeBody::from(row),
    ))
}

/// List courses, newest first.
///
/// A fresh database holds the standard courses: `CIT-40` (40-hour basic, grants `CIT_BASIC`),
/// `CIT-REF-8`, `CIT-TC-8` (telecommunicators, grants `CIT_TELECOM`), `MHA-8` and `CIT-INTRO` (no
/// certificate).
#[utoipa::path(
    tag = "training",
    params(PageQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses((status = 200, description = "A page of courses", content(
        (Page<CourseBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/courses")]
pub async fn list_courses(
    req: HttpRequest,
    state: AppData,
    _caller: Require<TrainingReaders>,
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
            let rows = catalog::list_courses(&mut conn, &page).await?;
            Ok(page.page(rows, |r| r.id, CourseBody::from))
        },
    )
    .await
}

/// Create a course.
///
/// Audited as `course.create`.
#[utoipa::path(
    tag = "training",
    request_body = CreateCourse,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 201, description = "Created", body = CourseBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The code is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/courses")]
pub async fn create_course(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreateCourse>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create_course(&mut conn, &caller, &meta, body.into_inner()).await?;
    let location = format!("/api/v1/courses/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &CourseBody::from(row)))
}

/// Find a course.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Course id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The course", body = CourseBody, headers(("ETag" = String))),
    ),
)]
#[get("/courses/{id}")]
pub async fn find_course(
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<CourseId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = catalog::find_course(&mut conn, id.into_inner())
        .await
        .or_not_found("course")?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &CourseBody::from(row),
    ))
}

/// Change a course (JSON merge patch).
///
/// Honours `If-Match`. Audited as `course.update`.
#[utoipa::path(
    tag = "training",
    params(
        ("id" = Uuid, Path, description = "Course id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdateCourse, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed course", body = CourseBody, headers(("ETag" = String))),
        (status = 409, description = "The code is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/courses/{id}")]
pub async fn update_course(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<CourseId>,
    if_match: IfMatch,
    body: JsonBody<UpdateCourse>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::update_course(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
    )
    .await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        &CourseBody::from(row),
    ))
}
