//! `GET /api/v1/metrics/referrals`.

use actix_web::{HttpRequest, HttpResponse, get};

use crate::auth::Require;
use crate::auth::policy::{MetricsReaders, Policy};
use crate::error::AppError;
use crate::http::csv::respond;
use crate::http::query::QueryParams;
use crate::state::AppData;

use super::payloads::{ReferralMetrics, ReferralMetricsQuery};
use super::service;

/// The referral funnel: for referrals sent on the days `from`..`to` (city time; default the
/// twelve months up to today), how many ever reached each status, how many are in each status
/// now, why the closed ones closed, and the median days from sent to engaged; overall and per
/// partner.
///
/// Aggregates only: no subject, call or need. Answers `Accept: text/csv` with the overall line
/// first, then one line per partner.
#[utoipa::path(
    tag = "metrics",
    params(ReferralMetricsQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "Referral metrics", content(
        (ReferralMetrics = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/metrics/referrals")]
pub async fn referral_metrics(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<ReferralMetricsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (from, to) = super::super::calls::handlers::range(query.from, query.to, &state.clock)?;
    let mut conn = state.read_db().await?;
    let metrics = service::referrals(
        &mut conn,
        state.clock.city_day(from),
        state.clock.city_day(to),
    )
    .await?;
    let mut rows = vec![metrics.overall.clone()];
    rows.extend(metrics.by_partner.iter().cloned());
    respond(&req, &metrics, &rows)
}
