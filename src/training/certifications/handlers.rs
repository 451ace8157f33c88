//! Certification endpoints: `/api/v1/certifications`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::auth::Require;
use crate::auth::policy::{Policy, TrainingReaders, TrainingWriters};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::CertificationId;
use crate::state::{AppData, ReadFrom};

use super::service;
use crate::training::certifications::model::{self as certifications, CertificationFilter};
use crate::training::certifications::payloads::{
    CertificationBody, CertificationQuery, CreateCertification, RevokeCertification,
};

/// List certifications, newest first.
///
/// `status` is judged today: `revoked` when revoked, else `expired` when `expires_on` has come,
/// else `active`. `expiring_within_days=N` keeps active ones whose `expires_on` falls within the
/// next N days. Answers `Accept: text/csv`; without `limit`, every matching row, streamed.
#[utoipa::path(
    tag = "training",
    params(CertificationQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses((status = 200, description = "A page of certifications", content(
        (Page<CertificationBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/certifications")]
pub async fn list_certifications(
    req: HttpRequest,
    state: AppData,
    _caller: Require<TrainingReaders>,
    query: QueryParams<CertificationQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    if query
        .expiring_within_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        return Err(AppError::invalid(
            "expiring_within_days",
            "must be between 1 and 3650",
        ));
    }
    let filter = CertificationFilter {
        personnel_id: query.personnel_id,
        certification_type_id: query.certification_type_id,
        status: query.status,
        expiring_within_days: query.expiring_within_days,
    };
    let today = state.clock.city_today();
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
                let rows = certifications::list(&mut conn, &filter, &page, today).await?;
                Ok(page.page(rows, |r| r.id, |r| CertificationBody::new(r, today)))
            }
        },
    )
    .await
}

/// Record a certificate earned elsewhere (e.g. another agency's academy).
///
/// `expires_on` defaults to `issued_on` plus the type's validity (no expiry when the type has
/// none). Audited as `certification.create`.
#[utoipa::path(
    tag = "training",
    request_body = CreateCertification,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 201, description = "Recorded", body = CertificationBody,
            headers(("Location" = String))),
        (status = 409, description = "This certificate number is already recorded for the type", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/certifications")]
pub async fn create_certification(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreateCertification>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.city_today();
    let mut conn = state.db().await?;
    let row = service::record(&mut conn, &caller, &meta, body.into_inner(), today).await?;
    let location = format!("/api/v1/certifications/{}", row.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(CertificationBody::new(row, today)))
}

/// Find a certification.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Certification id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The certification", body = CertificationBody),
    ),
)]
#[get("/certifications/{id}")]
pub async fn find_certification(
    state: AppData,
    _caller: Require<TrainingReaders>,
    id: web::Path<CertificationId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = certifications::find(&mut conn, id.into_inner())
        .await
        .or_not_found("certification")?;
    Ok(HttpResponse::build(StatusCode::OK)
        .json(CertificationBody::new(row, state.clock.city_today())))
}

/// Revoke a certification. The record stays, with the reason, who and when.
///
/// 409 when already revoked. Progress figures for days before the revocation still count it.
/// Audited as `certification.revoke`.
#[utoipa::path(
    tag = "training",
    params(("id" = Uuid, Path, description = "Certification id")),
    request_body = RevokeCertification,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "Revoked", body = CertificationBody),
        (status = 409, description = "Already revoked", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/certifications/{id}/revoke")]
pub async fn revoke_certification(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<CertificationId>,
    body: JsonBody<RevokeCertification>,
) -> Result<web::Json<CertificationBody>, AppError> {
    let mut conn = state.db().await?;
    let row = service::revoke(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        &body.into_inner().reason,
        state.clock.now(),
        state.clock.zone_name(),
    )
    .await?;
    Ok(web::Json(CertificationBody::new(
        row,
        state.clock.city_today(),
    )))
}
