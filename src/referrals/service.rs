//! Sending referrals (with consent), moving them along the graph of [`lifecycle`], and the two
//! views of a referral: the clinical one and a partner's.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent};
use crate::auth::{Caller, Scope};
use crate::db::enums::ConsentScope;
use crate::db::json::Json;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::http::pagination::{Page, PageRequest};
use crate::ids::{CallId, PartnerId, ReferralId, SubjectId};
use crate::partners::model as partners;
use crate::validation::{self, Errors, optional_text};

use super::lifecycle::{self, Refusal};
use super::model::{self, ReferralFilter, ReferralRow};
use super::payloads::{
    ConsentBody, ContactBody, CreateReferral, ReferralBody, TransitionBody, TransitionInput,
};

/// A referral as `scope` shows it: all of it to clinical staff (`Scope::All`), the partner's
/// fields to a partner user.
pub fn body(row: ReferralRow, scope: Scope<PartnerId>) -> ReferralBody {
    let clinical = scope == Scope::All;
    ReferralBody {
        id: row.id,
        partner_id: row.partner_id,
        service_id: row.service_id,
        need: row.need,
        status: row.status,
        sent_at: row.sent_at,
        acknowledged_at: row.acknowledged_at,
        engaged_at: row.engaged_at,
        closed_at: row.closed_at,
        close_reason: row.close_reason,
        contact: row
            .contact
            .filter(|_| row.consent_scope == ConsentScope::Contact)
            .map(|c| c.0),
        version: row.version,
        subject_id: clinical.then_some(row.subject_id),
        call_id: row.call_id.filter(|_| clinical),
        consent: clinical.then_some(ConsentBody {
            obtained: true,
            method: row.consent_method,
            scope: row.consent_scope,
        }),
        referred_by: clinical.then_some(row.referred_by),
        transitions: clinical.then_some(row.transitions.0),
    }
}

fn contact(errors: &mut Errors, raw: &ContactBody) -> Option<ContactBody> {
    let name = errors.check("contact.name", validation::text(&raw.name, 200));
    let phone = errors.check("contact.phone", optional_text(raw.phone.as_deref(), 40));
    let best_time = errors.check(
        "contact.best_time",
        optional_text(raw.best_time.as_deref(), 200),
    );
    Some(ContactBody {
        name: name?,
        phone: phone?,
        best_time: best_time?,
    })
}

/// Checks that `subject` exists (an error on `subject_id` otherwise) and that `call`, when
/// named, exists and concerns that person (an error on `call_id`): what a referral or a
/// follow-up came from is about the same person. One statement each.
pub async fn check_subject_and_call(
    conn: &mut AsyncPgConnection,
    errors: &mut Errors,
    subject: SubjectId,
    call: Option<CallId>,
) -> Result<(), AppError> {
    if !model::subject_exists(conn, subject).await? {
        errors.add("subject_id", "no subject with this id");
        return Ok(());
    }
    let Some(call) = call else { return Ok(()) };
    match model::subject_of_call(conn, call).await {
        Ok(Some(found)) if found == subject => {}
        Ok(_) => errors.add("call_id", "this call does not concern this subject"),
        Err(diesel::result::Error::NotFound) => errors.add("call_id", "no call with this id"),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// Sends a referral: checks consent, the person, the call, the partner and its service, then
/// stores it `sent` with its audit row.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateReferral,
    now: DateTime<Utc>,
) -> Result<ReferralRow, AppError> {
    let created_by = actor
        .user_id()
        .ok_or_else(|| AppError::Forbidden("referrals are recorded by signed-in people".into()))?;
    let mut errors = Errors::default();
    let need = errors.check("need", validation::text(&input.need, 2000));
    if !input.consent.obtained {
        errors.add(
            "consent.obtained",
            "a referral is sent only with the person's consent; record it first",
        );
    }
    // Contact details are kept only when the person agreed to be contacted.
    let contact = match (input.consent.scope, &input.contact) {
        (ConsentScope::Contact, Some(raw)) => contact(&mut errors, raw),
        _ => None,
    };
    let referred_by = input.referred_by.or(actor.personnel_id);
    if referred_by.is_none() {
        errors.add(
            "referred_by",
            "required: your account is linked to no personnel record",
        );
    }
    // The records it names: a missing one is an error on its field, not a 404.
    match partners::find(conn, input.partner_id).await {
        Ok(partner) if !partner.active => {
            errors.add("partner_id", "this partner is inactive");
        }
        Ok(_) => {}
        Err(diesel::result::Error::NotFound) => errors.add("partner_id", "no partner with this id"),
        Err(other) => return Err(other.into()),
    }
    if let Some(service) = input.service_id {
        match partners::find_service(conn, service).await {
            Ok(found) if found.partner_id != input.partner_id => {
                errors.add("service_id", "not a service of this partner");
            }
            Ok(found) if found.withdrawn_at.is_some() => {
                errors.add("service_id", "this service has been withdrawn");
            }
            Ok(found) if !found.accepts_referrals => {
                errors.add("service_id", "this service does not accept referrals");
            }
            Ok(_) => {}
            Err(diesel::result::Error::NotFound) => {
                errors.add("service_id", "no service with this id");
            }
            Err(other) => return Err(other.into()),
        }
    }
    check_subject_and_call(conn, &mut errors, input.subject_id, input.call_id).await?;
    let (Some(need), Some(referred_by)) = (need, referred_by) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let row = ReferralRow {
        id: ReferralId::generate(),
        subject_id: input.subject_id,
        call_id: input.call_id,
        partner_id: input.partner_id,
        service_id: input.service_id,
        need,
        consent_method: input.consent.method,
        consent_scope: input.consent.scope,
        contact: contact.map(Json),
        referred_by,
        status: crate::db::enums::ReferralStatus::Sent,
        sent_at: now,
        acknowledged_at: None,
        engaged_at: None,
        closed_at: None,
        close_reason: None,
        transitions: Json(Vec::new()),
        created_by,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        // A subject or person that does not exist fails the foreign key: a 422 on its field.
        let row = model::insert(conn, &row).await?;
        AuditEvent::new(Action::ReferralCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({
                "subject_id": row.subject_id,
                "partner_id": row.partner_id,
                "consent_scope": row.consent_scope,
            }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Moves the referral `id`, when in `scope`, along the graph; kept with who, when, the reason and the note.
pub async fn transition(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    (scope, id): (Scope<PartnerId>, ReferralId),
    if_match: IfMatch,
    input: TransitionInput,
    now: DateTime<Utc>,
) -> Result<ReferralRow, AppError> {
    let note = optional_text(input.note.as_deref(), 2000)
        .map_err(|message| AppError::invalid("note", message))?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, scope, id)
            .await
            .or_not_found("referral")?;
        if_match.check(current.version)?;
        match lifecycle::check(current.status, input.to, input.reason) {
            Ok(()) => {}
            Err(Refusal::Illegal(message)) => return Err(AppError::Conflict(message)),
            Err(Refusal::Reason(message)) => return Err(AppError::invalid("reason", message)),
        }
        let step = TransitionBody {
            from: current.status,
            to: input.to,
            reason: input.reason,
            note,
            actor_user_id: actor.user_id(),
            actor: actor.name.clone(),
            at: now,
        };
        let row = model::record_move(conn, &current, step).await?;
        AuditEvent::new(Action::ReferralTransition)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({
                "from": current.status,
                "to": input.to,
                "reason": input.reason,
            }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// A page of the referrals in scope; the read is audited with the ids shown.
pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    scope: Scope<PartnerId>,
    filter: &ReferralFilter,
    page: &PageRequest<ReferralId>,
) -> Result<Page<ReferralBody>, AppError> {
    let rows = model::list(conn, scope, filter, page).await?;
    let page = page.page(rows, |r| r.id, |r| body(r, scope));
    let shown: Vec<ReferralId> = page.items.iter().map(|r| r.id).collect();
    AuditEvent::new(Action::ReferralList)
        .by(actor)
        .details(serde_json::json!({ "referral_ids": shown }))
        .record(conn, meta)
        .await?;
    Ok(page)
}

/// One referral in scope; the read is audited.
pub async fn find(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    scope: Scope<PartnerId>,
    id: ReferralId,
) -> Result<ReferralRow, AppError> {
    let row = model::find(conn, scope, id)
        .await
        .or_not_found("referral")?;
    AuditEvent::new(Action::ReferralRead)
        .by(actor)
        .resource(id)
        .record(conn, meta)
        .await?;
    Ok(row)
}
