//! `GET /api/v1/metrics/training`: CIT coverage by department, role and shift, and the
//! certifications about to expire.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get};
use chrono::NaiveDate;
use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Require;
use crate::auth::policy::MetricsReaders;
use crate::clock::CityDay;
use crate::db::enums::{Department, PersonnelRole};
use crate::db::functions::certification_valid_on;
use crate::db::schema::{certification_types, certifications, personnel};
use crate::error::AppError;
use crate::goals::model::load_members;
use crate::goals::progress::{Member, Population, Tally, tally_by, tally_on};
use crate::http::csv::{CsvRow, cell, respond};
use crate::http::query::{QueryParams, as_of};
use crate::state::AppData;

/// The windows certifications are counted in, in days.
const WINDOWS: [i64; 3] = [30, 60, 90];

/// Query of the training metrics.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingMetricsQuery {
    /// The day (`YYYY-MM-DD`, 1900–2100); default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<NaiveDate>,
}

/// A group's CIT coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    /// The group: a department, role or shift (`unassigned` for none); `all` for the total.
    pub group: String,
    /// People employed on the day.
    pub population: u32,
    /// Of whom holding a certification that counts as CIT, valid that day.
    pub certified: u32,
    /// certified / population.
    pub share: f64,
}

impl Coverage {
    fn new(group: String, tally: Tally) -> Self {
        Self {
            group,
            population: tally.population,
            certified: tally.certified,
            share: tally.share(),
        }
    }
}

/// Certifications of one type expiring soon.
#[derive(Debug, Serialize, ToSchema)]
pub struct Expiring {
    /// The type.
    pub certification_type_id: Uuid,
    /// Its code.
    pub code: String,
    /// Valid on the day and expiring within 30 days after it.
    pub within_30_days: u32,
    /// … within 60 days.
    pub within_60_days: u32,
    /// … within 90 days.
    pub within_90_days: u32,
}

/// Training metrics as of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingMetrics {
    /// The day.
    pub as_of: NaiveDate,
    /// Everyone employed.
    pub total: Coverage,
    /// By department.
    pub by_department: Vec<Coverage>,
    /// By role.
    pub by_role: Vec<Coverage>,
    /// By shift.
    pub by_shift: Vec<Coverage>,
    /// Certifications held by employed people that expire soon, by type (types with none are
    /// left out).
    pub expiring: Vec<Expiring>,
}

/// One CSV line of the metrics.
#[derive(Debug)]
pub struct MetricLine {
    section: &'static str,
    group: String,
    population: Option<u32>,
    certified: Option<u32>,
    share: Option<f64>,
    within_days: Option<i64>,
    expiring: Option<u32>,
}

impl CsvRow for MetricLine {
    const HEADER: &'static [&'static str] = &[
        "section",
        "group",
        "population",
        "certified",
        "share",
        "within_days",
        "expiring",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.section.to_owned(),
            self.group.clone(),
            cell(self.population),
            cell(self.certified),
            cell(self.share),
            cell(self.within_days),
            cell(self.expiring),
        ]
    }
}

impl TrainingMetrics {
    fn lines(&self) -> Vec<MetricLine> {
        let coverage = |section, c: &Coverage| MetricLine {
            section,
            group: c.group.clone(),
            population: Some(c.population),
            certified: Some(c.certified),
            share: Some(c.share),
            within_days: None,
            expiring: None,
        };
        let mut lines = vec![coverage("total", &self.total)];
        lines.extend(self.by_department.iter().map(|c| coverage("department", c)));
        lines.extend(self.by_role.iter().map(|c| coverage("role", c)));
        lines.extend(self.by_shift.iter().map(|c| coverage("shift", c)));
        for e in &self.expiring {
            for (days, count) in
                WINDOWS
                    .iter()
                    .zip([e.within_30_days, e.within_60_days, e.within_90_days])
            {
                lines.push(MetricLine {
                    section: "expiring",
                    group: e.code.clone(),
                    population: None,
                    certified: None,
                    share: None,
                    within_days: Some(*days),
                    expiring: Some(count),
                });
            }
        }
        lines
    }
}

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

/// Certifications valid on `day` (the rule all figures share) and held by people employed then,
/// counted by how soon they expire.
async fn expiring(
    conn: &mut AsyncPgConnection,
    day: CityDay,
) -> diesel::QueryResult<Vec<Expiring>> {
    let as_of = day.date;
    let horizon = as_of + chrono::Duration::days(WINDOWS[WINDOWS.len() - 1]);
    let rows: Vec<(Uuid, String, Option<NaiveDate>)> = certifications::table
        .inner_join(personnel::table)
        .inner_join(certification_types::table)
        .filter(certification_valid_on(
            certifications::issued_on,
            certifications::expires_on,
            certifications::revoked_at,
            as_of,
            day.zone_name(),
        ))
        .filter(certifications::expires_on.le(horizon))
        .filter(personnel::hire_date.le(as_of))
        .filter(
            personnel::separation_date
                .is_null()
                .or(personnel::separation_date.gt(as_of)),
        )
        .select((
            certification_types::id,
            certification_types::code,
            certifications::expires_on,
        ))
        .load(conn)
        .await?;
    let mut by_type: BTreeMap<(String, Uuid), [u32; 3]> = BTreeMap::new();
    for (type_id, code, expires_on) in rows {
        let Some(expires_on) = expires_on else {
            continue;
        };
        let days = (expires_on - as_of).num_days();
        let counts = by_type.entry((code, type_id)).or_default();
        for (count, window) in counts.iter_mut().zip(WINDOWS) {
            if days <= window {
                *count += 1;
            }
        }
    }
    Ok(by_type
        .into_iter()
        .map(
            |((code, certification_type_id), [d30, d60, d90])| Expiring {
                certification_type_id,
                code,
                within_30_days: d30,
                within_60_days: d60,
                within_90_days: d90,
            },
        )
        .collect())
}

/// Training metrics: CIT coverage and expiring certifications, as of a day (default today).
///
/// Roles: admin, coordinator, supervisor, analyst. Coverage counts everyone employed on the day
/// (hired on or before it, not separated on or before it); certified are those holding a
/// certification of a type that counts as CIT (`counts_as_cit`), valid that day. Expiring
/// counts certifications valid on the day, held by employed people, whose `expires_on` falls
/// within 30, 60 or 90 days after it (the windows nest). Answers `Accept: text/csv` with one
/// line per group (`section` = total, department, role, shift or expiring).
#[utoipa::path(
    tag = "metrics",
    params(TrainingMetricsQuery),
    security(("bearer" = [])),
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
    let mut conn = state.pool.get().await?;
    let cit_types: Vec<Uuid> = certification_types::table
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
