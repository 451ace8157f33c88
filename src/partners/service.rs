//! Creating and changing partners and their services, and the two views of a partner: the
//! public directory's and the internal one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::Caller;
use crate::db::enums::MouStatus;
use crate::db::json::Json;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::{PartnerId, ServiceId};
use crate::validation::{self, Errors, not_null, optional_text};

use super::model::{self, NewPartner, PartnerChanges, PartnerRow, ServiceRow};
use super::payloads::{
    AddressBody, CreatePartner, PartnerBody, PhoneBody, ServiceBody, ServiceInput, UpdatePartner,
};
use super::validate;

/// Which fields of a partner a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The public directory: no MOU, no internal fields.
    Public,
    /// Admins, clinicians and coordinators: everything.
    Internal,
}

/// A partner with its live services, as `view` shows it.
pub fn body(row: PartnerRow, services: Vec<ServiceRow>, view: View) -> PartnerBody {
    let internal = view == View::Internal;
    PartnerBody {
        id: row.id,
        name: row.name,
        description: row.description,
        website: row.website,
        email: row.email,
        phones: row.phones.0,
        address: row.address.map(|a| a.0),
        services: services
            .into_iter()
            .filter(|s| s.withdrawn_at.is_none())
            .map(|s| ServiceBody {
                id: s.id,
                name: s.name,
                description: s.description,
                categories: s.categories,
                eligibility: s.eligibility,
                hours: s.hours,
                accepts_referrals: s.accepts_referrals,
            })
            .collect(),
        mou_status: internal.then_some(row.mou_status),
        active: internal.then_some(row.active),
        version: internal.then_some(row.version),
        created_at: internal.then_some(row.created_at),
        updated_at: internal.then_some(row.updated_at),
    }
}

/// One partner as `view` shows it; the public sees active partners only (another is a 404).
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: PartnerId,
    view: View,
) -> Result<PartnerBody, AppError> {
    let (row, services) = model::find_with_services(conn, id)
        .await
        .or_not_found("partner")?;
    if view == View::Public && !row.active {
        return Err(AppError::NotFound("no partner with this id".into()));
    }
    Ok(body(row, services.0, view))
}

fn optional(
    errors: &mut Errors,
    field: &str,
    value: Option<&str>,
    check: fn(&str) -> Result<String, String>,
) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| errors.check(field, check(v)))
}

fn phones(errors: &mut Errors, field: &str, raw: &[PhoneBody]) -> Vec<PhoneBody> {
    if raw.len() > 20 {
        errors.add(field, "at most 20 phones");
    }
    raw.iter()
        .enumerate()
        .filter_map(|(i, p)| errors.check(&format!("{field}[{i}]"), validate::phone(p)))
        .collect()
}

fn address(errors: &mut Errors, raw: &AddressBody) -> Option<AddressBody> {
    match validate::address(raw) {
        Ok(clean) => Some(clean),
        Err(found) => {
            for (part, message) in found {
                errors.add(&format!("address.{part}"), message);
            }
            None
        }
    }
}

/// A service as checked: its id (absent for a new one) and its fields.
struct CheckedService {
    id: Option<ServiceId>,
    name: String,
    description: String,
    categories: Vec<String>,
    eligibility: Option<String>,
    hours: Option<String>,
    accepts_referrals: bool,
}

fn services(errors: &mut Errors, raw: &[ServiceInput]) -> Vec<CheckedService> {
    if raw.len() > 100 {
        errors.add("services", "at most 100 services");
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let at = |name: &str| format!("services[{i}].{name}");
        if let Some(id) = s.id
            && !seen.insert(id)
        {
            errors.add(&at("id"), "this service is listed twice");
        }
        let name = errors.check(&at("name"), validation::text(&s.name, 200));
        let description = errors.check(
            &at("description"),
            optional_text(s.description.as_deref(), 4000),
        );
        let eligibility = errors.check(
            &at("eligibility"),
            optional_text(s.eligibility.as_deref(), 1000),
        );
        let hours = errors.check(&at("hours"), optional_text(s.hours.as_deref(), 500));
        let mut categories = Vec::new();
        for (j, c) in s.categories.iter().enumerate() {
            if let Some(c) = errors.check(&at(&format!("categories[{j}]")), validate::category(c)) {
                categories.push(c);
            }
        }
        categories.sort();
        categories.dedup();
        if let (Some(name), Some(description), Some(eligibility), Some(hours)) =
            (name, description, eligibility, hours)
        {
            clean.push(CheckedService {
                id: s.id,
                name,
                description: description.unwrap_or_default(),
                categories,
                eligibility,
                hours,
                accepts_referrals: s.accepts_referrals.unwrap_or(true),
            });
        }
    }
    clean
}

/// The service rows a list of services makes for a partner that has `current` (withdrawn ones
/// included): listed ones in their new places, new ones with fresh ids, unlisted live ones
/// withdrawn. Only rows that differ from what is stored are returned. An id the partner does
/// not have is an error at its index.
fn service_rows(
    partner: PartnerId,
    wanted: Vec<CheckedService>,
    current: &[ServiceRow],
    now: DateTime<Utc>,
) -> Result<Vec<ServiceRow>, AppError> {
    let known: HashMap<ServiceId, &ServiceRow> = current.iter().map(|s| (s.id, s)).collect();
    let mut errors = Errors::default();
    let mut rows = Vec::new();
    let mut listed = HashSet::new();
    for (position, s) in wanted.into_iter().enumerate() {
        let id = match s.id {
            Some(id) if known.contains_key(&id) => id,
            Some(_) => {
                errors.add(
                    &format!("services[{position}].id"),
                    "not a service of this partner (leave `id` out to add one)",
                );
                continue;
            }
            None => ServiceId::generate(),
        };
        listed.insert(id);
        let row = ServiceRow {
            id,
            partner_id: partner,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            name: s.name,
            description: s.description,
            categories: s.categories,
            eligibility: s.eligibility,
            hours: s.hours,
            accepts_referrals: s.accepts_referrals,
            withdrawn_at: None,
            updated_at: now,
        };
        let same = known.get(&id).is_some_and(|old| {
            ServiceRow {
                updated_at: old.updated_at,
                ..row.clone()
            } == **old
        });
        if !same {
            rows.push(row);
        }
    }
    errors.finish()?;
    for old in current {
        if old.withdrawn_at.is_none() && !listed.contains(&old.id) {
            rows.push(ServiceRow {
                withdrawn_at: Some(now),
                updated_at: now,
                ..old.clone()
            });
        }
    }
    Ok(rows)
}

/// Creates a partner with its services.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreatePartner,
    now: DateTime<Utc>,
) -> Result<(PartnerRow, Vec<ServiceRow>), AppError> {
    let mut errors = Errors::default();
    let name = errors.check("name", validation::text(&input.name, 200));
    let description = errors.check(
        "description",
        optional_text(input.description.as_deref(), 4000),
    );
    let website = optional(
        &mut errors,
        "website",
        input.website.as_deref(),
        validate::website,
    );
    let email = optional(
        &mut errors,
        "email",
        input.email.as_deref(),
        validate::email,
    );
    let phones = phones(&mut errors, "phones", &input.phones);
    let address = input.address.as_ref().and_then(|a| address(&mut errors, a));
    let services = services(&mut errors, &input.services);
    for (i, s) in services.iter().enumerate() {
        if s.id.is_some() {
            errors.add(
                &format!("services[{i}].id"),
                "a new partner's services get their ids here; leave `id` out",
            );
        }
    }
    let (Some(name), Some(description)) = (name, description) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let id = PartnerId::generate();
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = model::insert(
            conn,
            &NewPartner {
                id,
                name,
                description: description.unwrap_or_default(),
                website,
                email,
                phones: Json(phones),
                address: address.map(Json),
                mou_status: input.mou_status.unwrap_or(MouStatus::None),
                active: input.active.unwrap_or(true),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        let rows = service_rows(id, services, &[], now)?;
        model::upsert_services(conn, &rows).await?;
        AuditEvent::new(Action::PartnerCreate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "services": rows.len() }))
            .record(conn, meta)
            .await?;
        let mut rows = rows;
        rows.sort_by_key(|s| s.position);
        Ok((row, rows))
    })
    .await
}

/// Applies a merge patch to a partner (its services too, when `services` is sent).
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: PartnerId,
    if_match: IfMatch,
    patch: UpdatePartner,
    now: DateTime<Utc>,
) -> Result<(PartnerRow, Vec<ServiceRow>), AppError> {
    let mut errors = Errors::default();
    let name = not_null(&mut errors, "name", patch.name)
        .and_then(|v| errors.check("name", validation::text(&v, 200)));
    let description = patch.description.map(|d| {
        errors
            .check("description", optional_text(d.as_deref(), 4000))
            .flatten()
            .unwrap_or_default()
    });
    let website = patch
        .website
        .map(|w| optional(&mut errors, "website", w.as_deref(), validate::website));
    let email = patch
        .email
        .map(|e| optional(&mut errors, "email", e.as_deref(), validate::email));
    let phones =
        not_null(&mut errors, "phones", patch.phones).map(|p| phones(&mut errors, "phones", &p));
    let address = patch
        .address
        .map(|a| a.and_then(|a| address(&mut errors, &a)));
    let wanted =
        not_null(&mut errors, "services", patch.services).map(|s| services(&mut errors, &s));
    let mou_status = not_null(&mut errors, "mou_status", patch.mou_status);
    let active = not_null(&mut errors, "active", patch.active);
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id).await.or_not_found("partner")?;
        if_match.check(current.version)?;
        let stored = model::all_services_of(conn, id).await?;
        let service_changes = match wanted {
            Some(wanted) => service_rows(id, wanted, &stored, now)?,
            None => Vec::new(),
        };
        let changes = PartnerChanges {
            name: name.filter(|v| *v != current.name),
            description: description.filter(|v| *v != current.description),
            website: website.filter(|v| *v != current.website),
            email: email.filter(|v| *v != current.email),
            phones: phones.filter(|v| *v != current.phones.0).map(Json),
            address: address
                .filter(|v| v.as_ref() != current.address.as_ref().map(|a| &a.0))
                .map(|a| a.map(Json)),
            mou_status: mou_status.filter(|v| *v != current.mou_status),
            active: active.filter(|v| *v != current.active),
        };
        let mut fields = changes.fields();
        if !service_changes.is_empty() {
            fields.push("services");
        }
        if fields.is_empty() {
            let live = stored.into_iter().filter(|s| s.withdrawn_at.is_none());
            let mut live: Vec<ServiceRow> = live.collect();
            live.sort_by_key(|s| s.position);
            return Ok((current, live));
        }
        model::upsert_services(conn, &service_changes).await?;
        let row = model::update(conn, id, &changes, now).await?;
        AuditEvent::new(Action::PartnerUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields }))
            .record(conn, meta)
            .await?;
        let services = model::services_of(conn, &[id]).await?;
        Ok((row, services))
    })
    .await
}
