//! API-key endpoints: `/api/v1/api-keys`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::auth::Require;
use crate::auth::policy::{Admins, Policy};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::csv;
use crate::http::json::JsonBody;
use crate::http::pagination::{Page, PageQuery};
use crate::http::query::QueryParams;
use crate::ids::ApiKeyId;
use crate::state::{AppData, ReadFrom};

use super::model;
use super::payloads::{ApiKeyBody, CreateApiKey, CreatedApiKey};
use super::service;

/// List API keys, newest first.
///
/// Revoked keys are listed too. Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "api-keys",
    params(PageQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses((status = 200, description = "A page of keys", content(
        (Page<ApiKeyBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    req: HttpRequest,
    state: AppData,
    _caller: Require<Admins>,
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
            Ok(page.page(rows, |row| row.id, ApiKeyBody::from))
        },
    )
    .await
}

/// Create an API key for a machine client.
///
/// The answer holds the key itself, shown this once: send it as `Authorization: Bearer <key>`.
/// Only its digest is kept. Audited as `api_key.create`.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKey,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 201, description = "Created; the key is in `key`", body = CreatedApiKey,
            headers(("Location" = String))),
        (status = 409, description = "A live key has this name", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    body: JsonBody<CreateApiKey>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let (row, key) = service::create(
        &mut conn,
        &caller,
        &meta,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/api-keys/{}", row.id),
        ))
        .json(CreatedApiKey {
            body: ApiKeyBody::from(row),
            key,
        }))
}

/// Find an API key.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "API key id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses((status = 200, description = "The key (never the key itself)", body = ApiKeyBody)),
)]
#[get("/api-keys/{id}")]
pub async fn find_api_key(
    state: AppData,
    _caller: Require<Admins>,
    id: web::Path<ApiKeyId>,
) -> Result<web::Json<ApiKeyBody>, AppError> {
    let mut conn = state.db().await?;
    let row = model::find(&mut conn, id.into_inner())
        .await
        .or_not_found("API key")?;
    Ok(web::Json(ApiKeyBody::from(row)))
}

/// Revoke an API key.
///
/// Requests with it are refused (401) from now on; 409 when it is already revoked. Audited as
/// `api_key.revoke`.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "API key id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 200, description = "The revoked key", body = ApiKeyBody),
        (status = 409, description = "The key is revoked already", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-keys/{id}/revoke")]
pub async fn revoke_api_key(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    id: web::Path<ApiKeyId>,
) -> Result<web::Json<ApiKeyBody>, AppError> {
    let mut conn = state.db().await?;
    let row = service::revoke(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(ApiKeyBody::from(row)))
}
