//! `/healthz`, `/readyz`, `/metrics`.

use actix_web::{HttpResponse, get, web};
use diesel::sql_types::Text;
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::migrations;
use crate::error::AppError;
use crate::state::AppData;

use super::metrics::{Metrics, PoolState};

/// Liveness and readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: 200 while the process runs.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)),
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
    })
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Readiness: 200 when the database answers and this binary's migrations are applied, else
/// 503. Recovers by itself when the database comes back.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable or not migrated", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/readyz")]
pub async fn readyz(state: AppData) -> Result<web::Json<Health>, AppError> {
    let mut conn = state.db().await?;
    let applied: Option<Version> = diesel::sql_query(
        "SELECT version FROM __diesel_schema_migrations ORDER BY version DESC LIMIT 1",
    )
    .get_result(&mut conn)
    .await
    .optional()
    .map_err(|e| AppError::Unavailable(format!("readiness query: {e}")))?;
    let expected = migrations::latest_version();
    if applied.map(|row| row.version) < expected {
        return Err(AppError::Unavailable(
            "the database lacks this version's migrations; run `cit-api migrate`".into(),
        ));
    }
    Ok(web::Json(Health {
        status: "ok".into(),
    }))
}

/// Prometheus metrics: requests by route and status, a latency histogram, the pool's state, the
/// credentials cache's, and the read replica's lag and use when one is set.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
)]
#[get("/metrics")]
pub async fn metrics(state: AppData, metrics: web::Data<Metrics>) -> HttpResponse {
    let status = state.pool.status();
    let mut text = metrics.render(PoolState {
        max_size: status.max_size,
        size: status.size,
        available: status.available,
        waiting: status.waiting,
    });
    text.push_str(&state.credentials.exposition());
    text.push_str(&state.personnel.exposition());
    if let Some(replica) = &state.replica {
        text.push_str(&replica.exposition());
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}
