//! Partner endpoints: `/api/v1/partners`. Reading is public (the resource directory); a caller
//! who edits partners also sees the internal fields.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::policy::{PartnerWriters, Policy};
use crate::auth::{MaybeCaller, Require};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::PartnerId;
use crate::state::{AppData, ReadFrom};

use super::model::{self, PartnerFilter};
use super::payloads::{CreatePartner, PartnerBody, PartnerQuery, UpdatePartner};
use super::service::{self, View};

fn view_of(caller: &MaybeCaller) -> View {
    if caller.holds::<PartnerWriters>() {
        View::Internal
    } else {
        View::Public
    }
}

/// The community partner directory, newest first.
///
/// Public: no token needed. The public sees active partners and their directory fields only;
/// admins, clinicians and coordinators (with their token) also see `mou_status`, `active`,
/// `version` and the times, and may list inactive partners with `active=false`. Also as
/// Open Referral HSDS 3.0 at `/hsds/organizations`. Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "partners",
    params(PartnerQuery),
    security((), ("bearer" = [])),
    responses((status = 200, description = "A page of partners", content(
        (Page<PartnerBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/partners")]
pub async fn list_partners(
    req: HttpRequest,
    state: AppData,
    caller: MaybeCaller,
    query: QueryParams<PartnerQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let view = view_of(&caller);
    let filter = PartnerFilter {
        active: match view {
            View::Public => Some(true),
            View::Internal => Some(query.active.unwrap_or(true)),
        },
        q: query
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty()),
        category: query.category.map(|c| c.trim().to_lowercase()),
    };
    let filter = Rc::new(filter);
    csv::list(
        &req,
        &state,
        ReadFrom::Primary,
        query.limit,
        query.cursor.as_deref(),
        move |mut conn, page| {
            let filter = Rc::clone(&filter);
            async move {
                let rows = model::list(&mut conn, &filter, &page).await?;
                Ok(page.page(
                    rows,
                    |(row, _)| row.id,
                    |(row, services)| service::body(row, services.0, view),
                ))
            }
        },
    )
    .await
}

/// Find a partner, with its services.
///
/// Public: no token needed (an inactive partner is a 404 to the public). Admins, clinicians
/// and coordinators also see the internal fields, and get an `ETag`.
#[utoipa::path(
    tag = "partners",
    params(("id" = Uuid, Path, description = "Partner id")),
    security((), ("bearer" = [])),
    responses((status = 200, description = "The partner", body = PartnerBody)),
)]
#[get("/partners/{id}")]
pub async fn find_partner(
    state: AppData,
    caller: MaybeCaller,
    id: web::Path<PartnerId>,
) -> Result<HttpResponse, AppError> {
    let view = view_of(&caller);
    let mut conn = state.db().await?;
    let partner = service::find(&mut conn, id.into_inner(), view).await?;
    Ok(match partner.version {
        Some(version) => versioned(StatusCode::OK, version, &partner),
        None => HttpResponse::Ok().json(&partner),
    })
}

/// Add a partner, with its services.
///
/// Audited as `partner.create`.
#[utoipa::path(
    tag = "partners",
    request_body = CreatePartner,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(PartnerWriters::ROLES))),
    responses(
        (status = 201, description = "Created", body = PartnerBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "A partner of this name exists", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/partners")]
pub async fn create_partner(
    state: AppData,
    caller: Require<PartnerWriters>,
    meta: RequestMeta,
    body: JsonBody<CreatePartner>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let (row, services) = service::create(
        &mut conn,
        &caller,
        &meta,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    let location = format!("/api/v1/partners/{}", row.id);
    let version = row.version;
    Ok(created(
        &location,
        version,
        &service::body(row, services, View::Internal),
    ))
}

/// Change a partner (JSON merge patch).
///
/// `phones` and `services` replace their lists: a service sent with its `id` is changed, one
/// without an `id` is added, and one left out is withdrawn (it leaves every list but stays for
/// the referrals that name it). Honours `If-Match`. Audited as `partner.update` with the
/// changed fields.
#[utoipa::path(
    tag = "partners",
    params(
        ("id" = Uuid, Path, description = "Partner id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdatePartner, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(PartnerWriters::ROLES))),
    responses(
        (status = 200, description = "The changed partner", body = PartnerBody, headers(("ETag" = String))),
        (status = 409, description = "A partner of this name exists", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    state: AppData,
    caller: Require<PartnerWriters>,
    meta: RequestMeta,
    id: web::Path<PartnerId>,
    if_match: IfMatch,
    body: JsonBody<UpdatePartner>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let (row, services) = service::update(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    let version = row.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &service::body(row, services, View::Internal),
    ))
}
