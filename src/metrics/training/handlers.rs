//! `GET /api/v1/metrics/training`.

use actix_web::{HttpRequest, HttpResponse, get};

use crate::auth::Require;
use crate::auth::policy::{MetricsReaders, Policy};
use crate::error::AppError;
use crate::http::csv::respond;
use crate::http::query::{QueryParams, as_of};
use crate::state::AppData;

use super::payloads::{TrainingMetrics, TrainingMetricsQuery};
use super::service;

/// Training metrics: CIT coverage and expiring certifications, as of a day (default today).
///
/// Coverage counts everyone employed on the day (hired on or before it, not separated on or before
/// it); certified are those holding a certification of a type that counts as CIT (`counts_as_cit`),
/// valid that day. Expiring counts certifications valid on the day, held by employed people, whose
/// `expires_on` falls within 30, 60 or 90 days after it (the windows nest). Answers `Accept:
/// text/csv` with one line per group (`section` = total, department, role, shift or expiring).
#[utoipa::path(
    tag = "metrics",
    params(TrainingMetricsQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "Training metrics", content(
        (TrainingMetrics = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/metrics/training")]
pub async fn training_metrics(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<TrainingMetricsQuery>,
) -> Result<HttpResponse, AppError> {
    let as_of = as_of(query.into_inner().as_of, &state.clock)?;
    let mut conn = state.read_db().await?;
    let metrics = service::training(&mut conn, state.clock.city_day(as_of)).await?;
    respond(&req, &metrics, &metrics.lines())
}
