//! Admin user management: `/api/v1/users`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::Require;
use crate::auth::policy::{Admins, Policy};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::etag::{IfMatch, created, versioned};
use crate::http::json::JsonBody;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::ids::UserId;
use crate::state::{AppData, ReadFrom};

use super::model::{self, UserFilter};
use super::payloads::{CreateUser, SetPassword, UpdateUser, UserBody, UserQuery};
use super::service;

/// List users, newest first.
///
/// Answers `Accept: text/csv` too.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses((status = 200, description = "A page of users", content(
        (Page<UserBody> = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    state: AppData,
    _caller: Require<Admins>,
    query: QueryParams<UserQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = UserFilter {
        q: query.q,
        role: query.role,
        disabled: query.disabled,
        locked: query.locked,
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
                Ok(page.page(rows, |row| row.id, UserBody::from))
            }
        },
    )
    .await
}

/// Create a user.
///
/// Audited as `user.create`.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 201, description = "Created", body = UserBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The username is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/users")]
pub async fn create_user(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let user = service::prepare(&state.passwords, &state.hasher, body.into_inner()).await?;
    let row = service::create(&mut *state.db().await?, &caller, &meta, &user).await?;
    let location = format!("/api/v1/users/{}", row.id);
    let version = row.version;
    Ok(created(&location, version, &UserBody::from(row)))
}

/// Find a user.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 200, description = "The user", body = UserBody, headers(("ETag" = String))),
    ),
)]
#[get("/users/{id}")]
pub async fn find_user(
    state: AppData,
    _caller: Require<Admins>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = model::find(&mut conn, id.into_inner())
        .await
        .or_not_found("user")?;
    Ok(versioned(StatusCode::OK, row.version, &UserBody::from(row)))
}

/// Change a user (JSON merge patch).
///
/// Honours `If-Match` (412 when the version moved on). Disabling a user ends their sessions and
/// their access tokens stop working at once. A change that would leave no enabled admin is refused
/// (409). Audited as `user.update` with the names of changed fields.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read, e.g. \"3\""),
    ),
    request_body(content = UpdateUser, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 200, description = "The changed user", body = UserBody, headers(("ETag" = String))),
        (status = 409, description = "Would leave no enabled admin", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    id: web::Path<UserId>,
    if_match: IfMatch,
    body: JsonBody<UpdateUser>,
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
    Ok(versioned(StatusCode::OK, row.version, &UserBody::from(row)))
}

/// Unlock a user locked by failed logins.
///
/// Audited as `user.unlock`.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 200, description = "The unlocked user", body = UserBody, headers(("ETag" = String))),
    ),
)]
#[post("/users/{id}/unlock")]
pub async fn unlock_user(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    id: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.db().await?;
    let row = service::unlock(&mut conn, &caller, &meta, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, row.version, &UserBody::from(row)))
}

/// Set a user's password.
///
/// Ends every session of the user. Audited as `user.password_reset`.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = SetPassword,
    security(("bearer" = [])),
    extensions(("x-roles" = json!(Admins::ROLES))),
    responses(
        (status = 204, description = "Password set"),
    ),
)]
#[post("/users/{id}/password")]
pub async fn set_user_password(
    state: AppData,
    caller: Require<Admins>,
    meta: RequestMeta,
    id: web::Path<UserId>,
    body: JsonBody<SetPassword>,
) -> Result<HttpResponse, AppError> {
    let SetPassword { new_password } = body.into_inner();
    service::set_password(&state, &caller, &meta, id.into_inner(), new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
