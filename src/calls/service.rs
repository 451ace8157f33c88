//! Reading calls: rows assembled with their responders, and their subject's identity only for
//! a caller who may see it (clinician, admin), whose every such read is audited.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::auth::policy::{Policy, SubjectReaders};
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::pagination::{Page, PageRequest};
use crate::ids::CallId;

use super::model::{self, CallFilter, CallRow};
use super::payloads::{CallBody, LocationBody, SubjectRef};

/// Whether `caller` may see who a call's subject is.
pub fn sees_subjects(caller: &Caller) -> bool {
    caller.has_any(SubjectReaders::ROLES)
}

/// The bodies of `rows` (one more statement, for the subjects, when shown).
pub async fn bodies(
    conn: &mut AsyncPgConnection,
    rows: Vec<CallRow>,
    show_subjects: bool,
) -> Result<Vec<CallBody>, AppError> {
    let subjects: HashMap<_, _> = if show_subjects {
        let ids: Vec<_> = rows.iter().filter_map(|r| r.subject_id).collect();
        model::subjects_by_id(conn, &ids)
            .await?
            .into_iter()
            .map(|s| {
                (
                    s.id,
                    SubjectRef {
                        id: s.id,
                        external_id: s.external_id,
                        year_of_birth: s.year_of_birth,
                        veteran: s.veteran,
                    },
                )
            })
            .collect()
    } else {
        HashMap::new()
    };
    Ok(rows.into_iter().map(|row| body(row, &subjects)).collect())
}

fn body(row: CallRow, subjects: &HashMap<crate::ids::SubjectId, SubjectRef>) -> CallBody {
    let CallRow {
        id,
        source,
        incident_number,
        received_at,
        received_on,
        dispatched_at,
        arrived_at,
        cleared_at,
        call_type,
        call_type_description,
        priority,
        call_source,
        address,
        beat,
        district,
        latitude,
        longitude,
        mental_health,
        crisis_types,
        cit_requested,
        subject_id,
        dispositions,
        force_level,
        subject_injured,
        officer_injured,
        weapon_involved,
        cit_on_scene,
        responders,
        version,
        created_at,
        updated_at,
    } = row;
    CallBody {
        id,
        source,
        incident_number,
        received_at,
        received_on,
        dispatched_at,
        arrived_at,
        cleared_at,
        call_type,
        call_type_description,
        priority,
        call_source,
        location: LocationBody {
            address,
            beat,
            district,
            latitude,
            longitude,
        },
        mental_health,
        crisis_types,
        cit_requested,
        cit_on_scene,
        responders: responders.0,
        subject: subject_id.and_then(|s| subjects.get(&s).cloned()),
        has_subject: subject_id.is_some(),
        dispositions,
        force_level,
        subject_injured,
        officer_injured,
        weapon_involved,
        version,
        created_at,
        updated_at,
    }
}

/// One call as `caller` may see it; a read that shows a subject's identity is audited.
pub async fn find(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    meta: &RequestMeta,
    id: CallId,
) -> Result<CallBody, AppError> {
    let row = model::find(conn, id).await.or_not_found("call")?;
    let show = sees_subjects(caller);
    let body = bodies(conn, vec![row], show)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("a call read without a body".into()))?;
    if body.subject.is_some() {
        AuditEvent::new(Action::CallRead)
            .by(caller)
            .resource(id)
            .details(serde_json::json!({ "subject_ids": [body.subject.as_ref().map(|s| s.id)] }))
            .record(conn, meta)
            .await?;
    }
    Ok(body)
}

/// A page of calls as `caller` may see them; a page that shows subjects' identities is audited
/// with their ids.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    meta: &RequestMeta,
    filter: &CallFilter,
    page: &PageRequest<CallId>,
) -> Result<Page<CallBody>, AppError> {
    let rows = page.page(model::list(conn, filter, page).await?, |r| r.id, |r| r);
    let show = sees_subjects(caller);
    let bodies = bodies(conn, rows.items, show).await?;
    let shown: Vec<_> = bodies
        .iter()
        .filter_map(|b| b.subject.as_ref().map(|s| s.id))
        .collect();
    if !shown.is_empty() {
        AuditEvent::new(Action::CallList)
            .by(caller)
            .details(serde_json::json!({ "subject_ids": shown }))
            .record(conn, meta)
            .await?;
    }
    Ok(Page {
        items: bodies,
        next_cursor: rows.next_cursor,
    })
}
