//! The caller's own account: `/api/v1/me`.

use actix_web::{HttpResponse, get, post, web};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::http::json::JsonBody;
use crate::state::AppData;

use super::model;
use super::payloads::{ChangePassword, MeBody};
use super::service;

/// Who am I.
///
/// Any authenticated user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's account", body = MeBody)),
)]
#[get("/me")]
pub async fn find_me(state: AppData, caller: AuthUser) -> Result<web::Json<MeBody>, AppError> {
    let mut conn = state.db().await?;
    let row = model::find(&mut conn, caller.id).await?;
    Ok(web::Json(MeBody::from(row)))
}

/// Change my password.
///
/// Any authenticated user. Ends the caller's other sessions (this one stays). A wrong current
/// password is a 422 and counts towards the lockout like a failed login. Audited as
/// `auth.password_change`.
#[utoipa::path(
    tag = "users",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Password changed"),
        (status = 423, description = "Too many wrong current passwords: the account is locked", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/password")]
pub async fn change_my_password(
    state: AppData,
    caller: AuthUser,
    meta: RequestMeta,
    body: JsonBody<ChangePassword>,
) -> Result<HttpResponse, AppError> {
    service::change_own_password(&state, &caller, &meta, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
