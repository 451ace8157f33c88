//! Reading subjects: every read shows who a person in crisis is, so every read is audited with
//! the ids it showed.

use chrono::Days;
use diesel_async::AsyncPgConnection;

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::clock::CityDay;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::pagination::{Page, PageRequest};
use crate::ids::SubjectId;

use super::model::{self, SubjectStats};
use super::payloads::{EventKind, SubjectBody, TimelineBody, TimelineEvent};

/// The window a subject's detail counts calls in.
const DETAIL_WINDOW_DAYS: u64 = 365;

impl From<SubjectStats> for SubjectBody {
    fn from(s: SubjectStats) -> Self {
        Self {
            id: s.id,
            source: s.source,
            external_id: s.external_id,
            year_of_birth: s.year_of_birth,
            veteran: s.veteran,
            calls: s.calls,
            calls_in_window: s.calls_in_window,
            first_call_on: s.first_call_on,
            last_call_on: s.last_call_on,
            created_at: s.created_at,
        }
    }
}

/// The days before `today` a window of `days` starts after.
fn window_start(today: CityDay, days: u64) -> chrono::NaiveDate {
    today
        .date
        .checked_sub_days(Days::new(days))
        .unwrap_or(chrono::NaiveDate::MIN)
}

/// Subjects with at least `min_calls` calls in the last `window_days` days (today included).
pub async fn repeat_callers(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    meta: &RequestMeta,
    today: CityDay,
    window_days: u64,
    min_calls: i64,
    page: &PageRequest<SubjectId>,
) -> Result<Page<SubjectBody>, AppError> {
    let from = window_start(today, window_days);
    let rows = model::repeat_callers(conn, from, today.date, min_calls, page).await?;
    let page = page.page(rows, |s| s.id, SubjectBody::from);
    let shown: Vec<SubjectId> = page.items.iter().map(|s| s.id).collect();
    AuditEvent::new(Action::SubjectList)
        .by(caller)
        .details(serde_json::json!({
            "subject_ids": shown,
            "min_calls": min_calls,
            "window_days": window_days,
        }))
        .record(conn, meta)
        .await?;
    Ok(page)
}

/// One subject, with calls counted over the last 365 days.
pub async fn find(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    meta: &RequestMeta,
    today: CityDay,
    id: SubjectId,
) -> Result<SubjectBody, AppError> {
    let from = window_start(today, DETAIL_WINDOW_DAYS);
    let subject = model::find(conn, id, from, today.date)
        .await
        .or_not_found("subject")?;
    AuditEvent::new(Action::SubjectRead)
        .by(caller)
        .resource(id)
        .record(conn, meta)
        .await?;
    Ok(subject.into())
}

/// A subject and its calls, oldest first.
pub async fn timeline(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    meta: &RequestMeta,
    today: CityDay,
    id: SubjectId,
) -> Result<TimelineBody, AppError> {
    let from = window_start(today, DETAIL_WINDOW_DAYS);
    let subject = model::find(conn, id, from, today.date)
        .await
        .or_not_found("subject")?;
    let events: Vec<TimelineEvent> = model::events_of(conn, id)
        .await?
        .into_iter()
        .map(|e| TimelineEvent {
            kind: match e.kind.as_str() {
                "referral" => EventKind::Referral,
                "follow_up" => EventKind::FollowUp,
                _ => EventKind::Call,
            },
            at: e.at,
            call_id: e.call_id,
            incident_number: e.incident_number,
            mental_health: e.mental_health,
            cit_on_scene: e.cit_on_scene,
            dispositions: e
                .dispositions
                .iter()
                .filter_map(|d| d.parse().ok())
                .collect(),
            referral_id: e.referral_id,
            partner_id: e.partner_id,
            referral_status: e.referral_status.and_then(|s| s.parse().ok()),
            engaged_at: e.engaged_at,
            follow_up_id: e.follow_up_id,
            follow_up_status: e.follow_up_status.and_then(|s| s.parse().ok()),
        })
        .collect();
    AuditEvent::new(Action::SubjectTimeline)
        .by(caller)
        .resource(id)
        .record(conn, meta)
        .await?;
    Ok(TimelineBody {
        subject: subject.into(),
        events,
    })
}
