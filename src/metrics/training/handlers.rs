//! `GET /api/v1/metrics/training`.

use actix_web::{HttpRequest, HttpResponse, get};
use chrono::NaiveDate;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;

use crate::auth::Require;
use crate::auth::policy::{MetricsReaders, Policy};
use crate::db::enums::{Department, PersonnelRole};
use crate::db::schema::certification_types;
use crate::error::AppError;
use crate::goals::model::load_members;
use crate::goals::progress::{Member, Population, tally_by, tally_on};
use crate::http::csv::respond;
use crate::http::query::{QueryParams, as_of};
use crate::ids::CertificationTypeId;
use crate::state::AppData;

use super::model::expiring;
use super::payloads::{Coverage, TrainingMetrics, TrainingMetricsQuery};

fn groups<K: Ord>(
    members: &[Member],
    day: NaiveDate,
    key: impl Fn(&Member) -> K,
    label: impl Fn(K) -> String,
) -> Vec<Coverage> {
    tally_by(members, &Population::default(), day, key)
        .into_iter()
        .map(|(k, tally)| Coverage::new(label(k), tally))
        .collect()
}

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
    let mut conn = state.db().await?;
    let cit_types: Vec<CertificationTypeId> = certification_types::table
        .filter(certification_types::counts_as_cit.eq(true))
        .select(certification_types::id)
        .load(&mut conn)
        .await?;
    let day = state.clock.city_day(as_of);
    let members = load_members(&mut conn, &cit_types, day).await?;
    let expiring = expiring(&mut conn, day).await?;
    drop(conn);
    let everyone = Population::default();
    let metrics = TrainingMetrics {
        as_of,
        total: Coverage::new("all".into(), tally_on(&members, &everyone, as_of)),
        by_department: groups(
            &members,
            as_of,
            |m| m.department,
            |d: Department| d.to_string(),
        ),
        by_role: groups(
            &members,
            as_of,
            |m| m.role,
            |r: PersonnelRole| r.to_string(),
        ),
        by_shift: groups(
            &members,
            as_of,
            |m| m.shift.clone().unwrap_or_else(|| "unassigned".into()),
            |s| s,
        ),
        expiring,
    };
    respond(&req, &metrics, &metrics.lines())
}
