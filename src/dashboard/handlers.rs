//! `GET /dashboard`.

use actix_web::http::header;
use actix_web::{HttpResponse, get};

use crate::error::AppError;
use crate::state::AppData;

use super::{CACHE_SECONDS, figures, page};

/// The public performance dashboard.
///
/// One HTML page, no token: the certification goal against its target and deadline with the
/// projection, certified staff per shift, mental-health calls per month, the share with a CIT
/// responder on scene, outcomes with and without CIT, repeat calls and engagement with care,
/// and the referral funnel. Charts are inline SVG with a text alternative and a data table;
/// aggregates only, counts under 5 shown as "<5". Cached for a minute.
#[utoipa::path(
    tag = "dashboard",
    security(()),
    responses((status = 200, description = "The dashboard page.", content_type = "text/html", body = String)),
)]
#[get("/dashboard")]
pub async fn dashboard(state: AppData) -> Result<HttpResponse, AppError> {
    let page = state
        .dashboard
        .get_or_render(async || {
            let mut conn = state.read_db().await?;
            let figures = figures::load(&mut conn, &state.clock).await?;
            drop(conn);
            Ok::<_, AppError>(page::render(&figures).into())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={CACHE_SECONDS}"),
        ))
        // Nothing but the page itself and its inline styles: no script, no outside request.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ))
        .body(page))
}
