//! Personnel endpoints: `/api/v1/personnel`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::policy::{PersonnelListers, Policy, TrainingReaders, TrainingWriters};
use crate::auth::{Caller, Require, Scope, forbid};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv::{self, CsvBody};
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::{Page, PageRequest};
use crate::http::query::QueryParams;
use crate::ids::PersonnelId;
use crate::state::{AppData, ReadFrom};

use super::import;
use super::model::{self, PersonnelFilter};
use super::payloads::{
    CreatePersonnel, ImportReport, PersonnelBody, PersonnelDetail, PersonnelListItem,
    PersonnelNumberBody, PersonnelQuery, UpdatePersonnel,
};
use super::service;

/// List personnel, newest first.
///
/// Integration callers (the records management system) get only `id`, `employee_number`,
/// `first_name` and `last_name`. Answers `Accept: text/csv` too: without `limit`, every
/// matching row, streamed.
#[utoipa::path(
    tag = "personnel",
    params(PersonnelQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(PersonnelListers::ROLES))),
    responses((status = 200, description = "A page of personnel", content(
        (Page<PersonnelListItem> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/personnel")]
pub async fn list_personnel(
    req: HttpRequest,
    state: AppData,
    caller: Require<PersonnelListers>,
    query: QueryParams<PersonnelQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = PersonnelFilter {
        department: query.department,
        role: query.role,
        status: query.status,
        shift: query.shift,
        designated_staff: query.designated_staff,
        cit_certified: query.cit_certified,
        q: query.q,
    };
    let numbers_only = !caller.has_any(TrainingReaders::ROLES);
    let today = state.clock.city_today();
    let filter = Rc::new(filter);
    let fetch = move |mut conn: crate::db::Conn, page: PageRequest<PersonnelId>| {
        let filter = Rc::clone(&filter);
        async move {
            let rows = model::list(&mut conn, &filter, &page, today).await?;
            Ok(page.page(
                rows,
                |(row, _)| row.id,
                |(row, certified)| {
                    if numbers_only {
                        PersonnelListItem::Numbers(PersonnelNumberBody {
                            id: row.id,
                            employee_number: row.employee_number,
                            first_name: row.first_name,
                            last_name: row.last_name,
                        })
                    } else {
                        PersonnelListItem::Full(PersonnelBody::new(row, certified))
                    }
                },
            ))
        }
    };
    // A JSON page, while lists read the primary, may be answered from the cache
    // (`personnel::cache`).
    if state
        .personnel
        .keeps_page(req.query_string(), csv::wants_csv(&req))
    {
        let request = PageRequest::new(query.limit, query.cursor.as_deref())?;
        let key = (numbers_only, req.query_string().to_owned(), today.date);
        return state
            .personnel
            .roster_page(key, async { fetch(state.db().await?, request).await })
            .await;
    }
    csv::list(
        &req,
        &state,
        ReadFrom::Replica,
        query.limit,
        query.cursor.as_deref(),
        fetch,
    )
    .await
}

/// Create a personnel record.
///
/// Audited as `personnel.create`.
#[utoipa::path(
    tag = "personnel",
    request_body = CreatePersonnel,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 201, description = "Created", body = PersonnelBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The employee number is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/personnel")]
pub async fn create_personnel(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: JsonBody<CreatePersonnel>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create(
        &mut conn,
        &caller,
        &meta,
        body.into_inner(),
        state.clock.zone_name(),
    )
    .await?;
    let location = format!("/api/v1/personnel/{}", row.id);
    let version = row.version;
    let certified = false;
    Ok(created(
        &location,
        version,
        &PersonnelBody::new(row, certified),
    ))
}

/// Import the HR roster (CSV), upserting by `employee_number`.
///
/// The body is `text/csv` (up to 16 MiB) with a header row. Required columns: `employee_number`,
/// `first_name`, `last_name`, `department`, `role`, `hire_date`; optional: `rank`, `shift`,
/// `separation_date`, `status`, `designated_staff`. Column order is free, names are
/// case-insensitive, other columns are ignored. Dates are `YYYY-MM-DD`; `designated_staff` is
/// true/false, yes/no or 1/0. A line with a separation date separates the person. People missing
/// from the file are left as they are.
///
/// Each line stands alone: a bad line is reported with its line number (the header is line 1)
/// and every good line is stored. Importing the same file again changes nothing. Audited as
/// `personnel.import`.
#[utoipa::path(
    tag = "personnel",
    request_body(content = String, content_type = "text/csv",
        example = "employee_number,first_name,last_name,department,role,shift,hire_date,designated_staff\nP-1001,Ana,Diaz,police,officer,B,2016-08-15,false\n"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses((status = 200, description = "What was created, updated, left alone and rejected", body = ImportReport)),
)]
#[post("/personnel/import")]
pub async fn import_personnel(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    body: CsvBody,
) -> Result<web::Json<ImportReport>, AppError> {
    // Up to 16 MiB of CSV: parsed on a blocking thread, not on the async workers.
    let roster = web::block(move || import::parse(&body.0)).await??;
    let mut conn = state.db().await?;
    service::import(&mut conn, &caller, &meta, roster, state.clock.zone_name())
        .await
        .map(web::Json)
}

/// Find a personnel record, with its certifications and enrollments.
///
/// A user linked to this record may read it too, whatever its roles (their own record).
#[utoipa::path(
    tag = "personnel",
    params(("id" = Uuid, Path, description = "Personnel id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingReaders::ROLES))),
    responses(
        (status = 200, description = "The record", body = PersonnelDetail, headers(("ETag" = String))),
    ),
)]
#[get("/personnel/{id}")]
pub async fn find_personnel(
    req: HttpRequest,
    state: AppData,
    caller: Caller,
    id: web::Path<PersonnelId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let scope = Scope::personnel::<TrainingReaders>(&req, &caller)?;
    if !scope.includes(id) {
        return Err(forbid(&req, &caller, TrainingReaders::ROLES));
    }
    let today = state.clock.city_today();
    state
        .personnel
        .detail((id, today.date), async {
            let mut conn = state.db().await?;
            let detail = service::detail(&mut conn, scope, id, today).await?;
            Ok((detail.person.version, detail))
        })
        .await
}

/// Change a personnel record (JSON merge patch).
///
/// Honours `If-Match`. Separation is recorded by setting `separation_date`; records are never
/// deleted. Audited as `personnel.update`.
#[utoipa::path(
    tag = "personnel",
    params(
        ("id" = Uuid, Path, description = "Personnel id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body(content = UpdatePersonnel, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(TrainingWriters::ROLES))),
    responses(
        (status = 200, description = "The changed record", body = PersonnelBody, headers(("ETag" = String))),
        (status = 409, description = "The employee number is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/personnel/{id}")]
pub async fn update_personnel(
    state: AppData,
    caller: Require<TrainingWriters>,
    meta: RequestMeta,
    id: web::Path<PersonnelId>,
    if_match: IfMatch,
    body: JsonBody<UpdatePersonnel>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let person = service::update(
        &mut conn,
        &caller,
        &meta,
        id.into_inner(),
        if_match,
        body.into_inner(),
        state.clock.city_today(),
    )
    .await?;
    Ok(versioned(StatusCode::OK, person.version, &person))
}
