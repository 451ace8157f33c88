//! `GET /api/v1/metrics/calls`, `/metrics/outcomes`, `/metrics/repeat-calls`.

use actix_web::{HttpRequest, HttpResponse, get};
use chrono::{Months, NaiveDate};

use crate::auth::Require;
use crate::auth::policy::{MetricsReaders, Policy};
use crate::clock::Clock;
use crate::error::AppError;
use crate::http::csv::respond;
use crate::http::query::{QueryParams, as_of};
use crate::state::AppData;

use super::payloads::{
    CallMetrics, CallMetricsQuery, OutcomeMetrics, OutcomeMetricsQuery, RepeatMetrics,
    RepeatMetricsQuery,
};
use super::service;

/// `from` and `to`, defaulted (twelve months up to today) and checked.
pub(in crate::metrics) fn range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    clock: &Clock,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let to = to.unwrap_or_else(|| clock.today());
    crate::dates::plausible(to).map_err(|m| AppError::invalid("to", m))?;
    let from = match from {
        Some(from) => from,
        None => service::period_start(to, super::payloads::Interval::Month)
            .checked_sub_months(Months::new(11))
            .unwrap_or(to),
    };
    crate::dates::plausible(from).map_err(|m| AppError::invalid("from", m))?;
    if from > to {
        return Err(AppError::invalid("from", "must be on or before `to`"));
    }
    Ok((from, to))
}

fn bounded(
    field: &str,
    value: Option<i64>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, AppError> {
    let value = value.unwrap_or(default);
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::invalid(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}

/// Calls per month (or quarter, year): all calls, mental-health calls, and over mental-health
/// calls those with a CIT responder on scene, arrests, uses of force (above verbal), injuries
/// (subject or officer), ER transports, involuntary petitions and referrals.
///
/// A call's period is its day in the city's time zone. Every period from `from` to `to` is
/// listed, empty ones with zeros. Answers `Accept: text/csv` with one line per period.
#[utoipa::path(
    tag = "metrics",
    params(CallMetricsQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "Call metrics", content(
        (CallMetrics = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/metrics/calls")]
pub async fn call_metrics(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<CallMetricsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (from, to) = range(query.from, query.to, &state.clock)?;
    let mut conn = state.read_db().await?;
    let metrics = service::calls(
        &mut conn,
        from,
        to,
        query.interval.unwrap_or_default(),
        state.clock.zone_name(),
    )
    .await?;
    respond(&req, &metrics, &metrics.periods)
}

/// Mental-health calls with a CIT-certified responder on scene vs without: counts and rates of
/// arrest, use of force, subject and officer injury, ER transport and involuntary petition.
///
/// Answers `Accept: text/csv` with one line per group.
#[utoipa::path(
    tag = "metrics",
    params(OutcomeMetricsQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "Outcome metrics", content(
        (OutcomeMetrics = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/metrics/outcomes")]
pub async fn outcome_metrics(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<OutcomeMetricsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (from, to) = range(query.from, query.to, &state.clock)?;
    let mut conn = state.read_db().await?;
    let metrics = service::outcomes(&mut conn, from, to).await?;
    let groups = [metrics.with_cit.clone(), metrics.without_cit.clone()];
    respond(&req, &metrics, &groups)
}

/// Repeat calls: subjects with calls in the window (`window_days` days up to `as_of`, default
/// 365 up to today), repeat subjects (two calls or more), the repeat share, and high utilisers
/// (`threshold` calls or more, default 7).
///
/// `before_after` compares, over the subjects whose referral first reached `engaged` at an
/// instant E by the end of `as_of` (even if it has closed since), their mental-health calls
/// received in [E − window, E) with those in (E, E + window] (cut at the end of `as_of`): the
/// totals and the means per subject. Answers `Accept: text/csv` with one line.
#[utoipa::path(
    tag = "metrics",
    params(RepeatMetricsQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(MetricsReaders::ROLES))),
    responses((status = 200, description = "Repeat-call metrics", content(
        (RepeatMetrics = "application/json"),
        (String = "text/csv"),
    ))),
)]
#[get("/metrics/repeat-calls")]
pub async fn repeat_metrics(
    req: HttpRequest,
    state: AppData,
    _caller: Require<MetricsReaders>,
    query: QueryParams<RepeatMetricsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let day = as_of(query.as_of, &state.clock)?;
    let window_days = bounded("window_days", query.window_days, 365, 1, 3660)?;
    let threshold = bounded("threshold", query.threshold, 7, 2, 10_000)?;
    let mut conn = state.read_db().await?;
    let metrics =
        service::repeats(&mut conn, state.clock.city_day(day), window_days, threshold).await?;
    respond(&req, &metrics, std::slice::from_ref(&metrics))
}
