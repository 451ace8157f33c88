//! Audit endpoints.

use actix_web::{HttpRequest, HttpResponse, get};

use crate::auth::Require;
use crate::auth::policy::{AuditReaders, Policy};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use std::rc::Rc;

use crate::http::csv;
use crate::http::pagination::Page;
use crate::http::query::QueryParams;
use crate::state::{AppData, ReadFrom};

use super::model::{self, AuditEvent, AuditFilter};
use super::payloads::{AuditEventBody, AuditQuery};
use super::vocabulary::Action;

/// List audit events, newest first.
///
/// Reading the trail is itself recorded (`audit.list`). Answers `Accept: text/csv` with the same
/// columns; without `limit`, every matching event, streamed.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(AuditReaders::ROLES))),
    responses(
        (status = 200, description = "A page of events", content(
            (Page<AuditEventBody> = "application/json"),
            (String = "text/csv"),
        )),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    req: HttpRequest,
    state: AppData,
    caller: Require<AuditReaders>,
    meta: RequestMeta,
    query: QueryParams<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = AuditFilter {
        actor: query.actor,
        action: query.action,
        resource_type: query.resource_type,
        resource_id: query.resource_id,
        outcome: query.outcome,
        from: query.from,
        to: query.to,
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
                let rows = model::list(&mut conn, filter, &page).await?;
                let events = page.page(rows, |row| row.id, AuditEventBody::from);
                AuditEvent::new(Action::AuditList)
                    .by(caller)
                    .details(serde_json::json!({ "returned": events.items.len() }))
                    .record(&mut conn, meta)
                    .await?;
                Ok(events)
            }
        },
    )
    .await
}
