//! The HSDS 3.0 read API: `/hsds/`, `/hsds/organizations[/{id}]`, `/hsds/services[/{id}]`.
//! Public, read-only, active partners and their live services only.

use actix_web::{HttpRequest, get, web};

use crate::error::AppError;
use crate::http::query::QueryParams;
use crate::ids::{PartnerId, ServiceId};
use crate::state::AppData;

use super::model::Filter;
use super::payloads::{
    HsdsInfo, HsdsOrganization, HsdsOrganizationBrief, HsdsPage, HsdsService, HsdsServiceListItem,
    OrganizationQuery, ServiceQuery,
};
use super::service::{self, Paging};

fn words(search: Option<String>) -> Option<String> {
    search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// What this API is: the HSDS version it serves and where its OpenAPI document is.
///
/// Public.
#[utoipa::path(
    tag = "hsds",
    responses((status = 200, description = "About this API", body = HsdsInfo)),
)]
#[get("/")]
pub async fn hsds_info(req: HttpRequest) -> web::Json<HsdsInfo> {
    // The host the client asked for (its `Host` header), never `X-Forwarded-*`, which any peer
    // could send (only `CIT_TRUSTED_PROXIES` are believed, and they are not consulted here).
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    web::Json(HsdsInfo {
        version: "3.0".into(),
        openapi_url: format!("{scheme}://{host}/api-docs/openapi.json"),
    })
}

/// The partners as HSDS organizations, by name, paged by `page` (from 1) and `per_page`;
/// `search` and `modified_after` narrow it.
///
/// Public.
#[utoipa::path(
    tag = "hsds",
    params(OrganizationQuery),
    responses((status = 200, description = "A page of organizations", body = HsdsPage<HsdsOrganizationBrief>)),
)]
#[get("/organizations")]
pub async fn hsds_organizations(
    state: AppData,
    query: QueryParams<OrganizationQuery>,
) -> Result<web::Json<HsdsPage<HsdsOrganizationBrief>>, AppError> {
    let query = query.into_inner();
    let paging = Paging::new(query.page, query.per_page)?;
    let mut conn = state.db().await?;
    let search = words(query.search);
    let filter = Filter {
        search: search.as_deref(),
        modified_after: query.modified_after,
        ..Filter::default()
    };
    let page = service::organizations(&mut conn, &filter, paging).await?;
    Ok(web::Json(page))
}

/// One organization with its phones, location and services.
///
/// Public.
#[utoipa::path(
    tag = "hsds",
    params(("id" = Uuid, Path, description = "Organization id (the partner's)")),
    responses((status = 200, description = "The organization", body = HsdsOrganization)),
)]
#[get("/organizations/{id}")]
pub async fn hsds_organization(
    state: AppData,
    id: web::Path<PartnerId>,
) -> Result<web::Json<HsdsOrganization>, AppError> {
    let mut conn = state.db().await?;
    Ok(web::Json(
        service::organization(&mut conn, id.into_inner()).await?,
    ))
}

/// The partners' services, by name, with their organization; filtered by `search`,
/// `organization_id`, `taxonomy_term_id` (a category), `taxonomy_id` and `modified_after`,
/// paged by `page` and `per_page`.
///
/// Public.
#[utoipa::path(
    tag = "hsds",
    params(ServiceQuery),
    responses((status = 200, description = "A page of services", body = HsdsPage<HsdsServiceListItem>)),
)]
#[get("/services")]
pub async fn hsds_services(
    state: AppData,
    query: QueryParams<ServiceQuery>,
) -> Result<web::Json<HsdsPage<HsdsServiceListItem>>, AppError> {
    let query = query.into_inner();
    let paging = Paging::new(query.page, query.per_page)?;
    let mut conn = state.db().await?;
    let search = words(query.search);
    let filter = Filter {
        search: search.as_deref(),
        modified_after: query.modified_after,
        organization: query.organization_id.map(PartnerId::from_uuid),
        category: None,
    };
    let page = service::services(
        &mut conn,
        filter,
        query.taxonomy_term_id,
        query.taxonomy_id,
        paging,
    )
    .await?;
    Ok(web::Json(page))
}

/// One service in full: its organization, phones, hours, location and categories.
///
/// Public.
#[utoipa::path(
    tag = "hsds",
    params(("id" = Uuid, Path, description = "Service id")),
    responses((status = 200, description = "The service", body = HsdsService)),
)]
#[get("/services/{id}")]
pub async fn hsds_service(
    state: AppData,
    id: web::Path<ServiceId>,
) -> Result<web::Json<HsdsService>, AppError> {
    let mut conn = state.db().await?;
    Ok(web::Json(
        service::service(&mut conn, id.into_inner()).await?,
    ))
}
