//! Referral endpoints: `/api/v1/referrals`. Clinicians and admins send and read all of them; a
//! partner user reads and moves only those sent to its organization (any other is a 404).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::auth::policy::{Clinicians, Policy, ReferralHandlers};
use crate::auth::{Require, Scope, forbid};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::ReferralId;
use crate::state::{AppData, ReadFrom};

use super::model::ReferralFilter;
use super::payloads::{CreateReferral, ReferralBody, ReferralQuery, TransitionInput};
use super::service;

/// Refer a person to a partner, with their consent.
///
/// The referral starts `sent`. Consent must have been obtained (else 422); `contact` is kept
/// only when its scope is `contact`. `referred_by` defaults to the caller's personnel record.
/// The call, when named, must concern the same person; the partner must be active and the
/// service one of its own that accepts referrals. Audited as `referral.create`.
#[utoipa::path(
    tag = "referrals",
    request_body = CreateReferral,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Clinicians::ROLES))),
    responses((status = 201, description = "Sent", body = ReferralBody,
        headers(("Location" = String), ("ETag" = String)))),
)]
#[post("/referrals")]
pub async fn create_referral(
    state: AppData,
    caller: Require<Clinicians>,
    meta: RequestMeta,
    body: JsonBody<CreateReferral>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::create(
        &mut conn,
        &caller,
        &meta,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    let location = format!("/api/v1/referrals/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &service::body(row, Scope::All)))
}

/// List referrals, newest first.
///
/// Partner users see those sent to their organization only, with the partner's fields
/// (`subject_id` is not a filter for them). Audited as `referral.list` with the ids shown.
/// Answers `Accept: text/csv` (without the need and the contact); without `limit`, every
/// matching row, streamed.
#[utoipa::path(
    tag = "referrals",
    params(ReferralQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ReferralHandlers::ROLES))),
    responses((status = 200, description = "A page of referrals", content(
        (Page<ReferralBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/referrals")]
pub async fn list_referrals(
    req: HttpRequest,
    state: AppData,
    caller: Require<ReferralHandlers>,
    meta: RequestMeta,
    query: QueryParams<ReferralQuery>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::referrals::<Clinicians>(&req, &caller)?;
    let query = query.into_inner();
    if query.subject_id.is_some() && scope != Scope::All {
        return Err(forbid(&req, &caller, Clinicians::ROLES));
    }
    let filter = ReferralFilter {
        status: query.status,
        partner_id: query.partner_id,
        subject_id: query.subject_id,
    };
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
                service::list(&mut conn, caller, meta, scope, filter, &page).await
            }
        },
    )
    .await
}

/// Find a referral.
///
/// A partner user finds only those sent to its organization (any other is a 404) and sees the
/// partner's fields. Audited as `referral.read`.
#[utoipa::path(
    tag = "referrals",
    params(("id" = Uuid, Path, description = "Referral id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ReferralHandlers::ROLES))),
    responses((status = 200, description = "The referral", body = ReferralBody, headers(("ETag" = String)))),
)]
#[get("/referrals/{id}")]
pub async fn find_referral(
    req: HttpRequest,
    state: AppData,
    caller: Require<ReferralHandlers>,
    meta: RequestMeta,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::referrals::<Clinicians>(&req, &caller)?;
    let mut conn = state.db().await?;
    let row = service::find(&mut conn, &caller, &meta, scope, id.into_inner()).await?;
    let version = row.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &service::body(row, scope),
    ))
}

/// Move a referral: `sent → acknowledged → engaged → closed`, or `sent|acknowledged → closed`.
///
/// Closing names a `reason` (`completed`, `declined`, `ineligible`, `no_capacity`,
/// `unable_to_contact`, `withdrawn`); any other move is a 409. Partner users move the referrals
/// sent to their organization. Honours `If-Match`. Each move is kept with who, when, the
/// reason and the note, and audited as `referral.transition`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = Uuid, Path, description = "Referral id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = TransitionInput,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(ReferralHandlers::ROLES))),
    responses((status = 200, description = "The moved referral", body = ReferralBody, headers(("ETag" = String)))),
)]
#[post("/referrals/{id}/transitions")]
pub async fn transition_referral(
    req: HttpRequest,
    state: AppData,
    caller: Require<ReferralHandlers>,
    meta: RequestMeta,
    id: web::Path<ReferralId>,
    if_match: IfMatch,
    body: JsonBody<TransitionInput>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::referrals::<Clinicians>(&req, &caller)?;
    let mut conn = state.db().await?;
    let row = service::transition(
        &mut conn,
        &caller,
        &meta,
        (scope, id.into_inner()),
        if_match,
        body.into_inner(),
        state.clock.now(),
    )
    .await?;
    let version = row.version;
    Ok(versioned(
        StatusCode::OK,
        version,
        &service::body(row, scope),
    ))
}
