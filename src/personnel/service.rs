//! Creating, changing and importing personnel records.

use std::collections::HashMap;

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::{Caller, Scope};
use crate::calls::model::refresh_cit_flags;
use crate::clock::CityDay;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::PersonnelId;
use crate::training::certifications::payloads::CertificationBody;
use crate::training::sessions::payloads::EnrollmentBody;
use crate::validation::{Errors, not_null};

use super::import::{self, Roster, RosterLine};
use super::model::{self, NewPersonnel, PersonnelChanges, PersonnelRow};
use super::payloads::{
    CreatePersonnel, ImportLineError, ImportReport, PersonnelBody, PersonnelDetail, UpdatePersonnel,
};
use super::validate;

/// Creates a person.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreatePersonnel,
    zone: &str,
) -> Result<PersonnelRow, AppError> {
    let mut errors = Errors::default();
    let Some(person) = validate::record(input, &mut errors) else {
        return Err(errors.into_error());
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = model::insert_many(conn, std::slice::from_ref(&person))
            .await?
            .pop()
            .ok_or_else(|| AppError::Internal("insert returned no row".into()))?;
        // Calls that named this employee number before the person was on the roster.
        refresh_cit_flags(conn, &[row.id], zone).await?;
        AuditEvent::new(Action::PersonnelCreate)
            .by(actor)
            .resource(row.id)
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// The record `current` would become under `patch`, before validation.
fn merged(current: &PersonnelRow, patch: UpdatePersonnel, errors: &mut Errors) -> CreatePersonnel {
    let separation_date = patch.separation_date.unwrap_or(current.separation_date);
    // A new (or cleared) separation date decides the status unless the patch names one.
    let status = match not_null(errors, "status", patch.status) {
        Some(status) => Some(status),
        None if separation_date != current.separation_date => None,
        None => Some(current.status),
    };
    CreatePersonnel {
        employee_number: not_null(errors, "employee_number", patch.employee_number)
            .unwrap_or_else(|| current.employee_number.clone()),
        first_name: not_null(errors, "first_name", patch.first_name)
            .unwrap_or_else(|| current.first_name.clone()),
        last_name: not_null(errors, "last_name", patch.last_name)
            .unwrap_or_else(|| current.last_name.clone()),
        department: not_null(errors, "department", patch.department).unwrap_or(current.department),
        role: not_null(errors, "role", patch.role).unwrap_or(current.role),
        rank: patch.rank.unwrap_or_else(|| current.rank.clone()),
        shift: patch.shift.unwrap_or_else(|| current.shift.clone()),
        hire_date: not_null(errors, "hire_date", patch.hire_date).unwrap_or(current.hire_date),
        separation_date,
        status,
        designated_staff: not_null(errors, "designated_staff", patch.designated_staff)
            .unwrap_or(current.designated_staff),
    }
}

/// A person in `scope` with their certifications and enrollments, statuses judged on `today`.
pub async fn detail(
    conn: &mut AsyncPgConnection,
    scope: Scope<PersonnelId>,
    id: PersonnelId,
    today: CityDay,
) -> Result<PersonnelDetail, AppError> {
    let (row, certified, certifications, enrollments) =
        model::find_with_training(conn, scope, id, today)
            .await
            .or_not_found("personnel record")?;
    let (certifications, enrollments) = (certifications.0, enrollments.0);
    Ok(PersonnelDetail {
        person: PersonnelBody::new(row, certified),
        certifications: certifications
            .into_iter()
            .map(|c| CertificationBody::new(c, today))
            .collect(),
        enrollments: enrollments.into_iter().map(EnrollmentBody::from).collect(),
    })
}

/// Applies a merge patch; the merged record must pass the same rules as a new one. Returns the
/// record with whether the person is CIT-certified on `today`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: PersonnelId,
    if_match: IfMatch,
    patch: UpdatePersonnel,
    today: CityDay,
) -> Result<PersonnelBody, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id)
            .await
            .or_not_found("personnel record")?;
        if_match.check(current.version)?;
        let mut errors = Errors::default();
        let wanted = merged(&current, patch, &mut errors);
        let Some(wanted) = validate::record(wanted, &mut errors) else {
            return Err(errors.into_error());
        };
        let changes = PersonnelChanges::between(&current, &wanted);
        let fields = changes.fields();
        if !fields.is_empty() {
            model::update(conn, id, &changes).await?;
            refresh_cit_flags(conn, &[id], today.zone_name()).await?;
            AuditEvent::new(Action::PersonnelUpdate)
                .by(actor)
                .resource(id)
                .details(serde_json::json!({ "changed": fields }))
                .record(conn, meta)
                .await?;
        }
        let (row, certified) = model::find(conn, Scope::All, id, today).await?;
        Ok(PersonnelBody::new(row, certified))
    })
    .await
}

/// Upserts the lines of a roster by employee number, in one transaction of a constant number
/// of statements: lock the people the file names (in key order), then one insert and one
/// update for all lines. Each line is checked against the record rules after merging with the
/// person it updates (on a blocking thread: a roster can hold 100,000 lines); a line that
/// fails is reported and the others are stored.
pub async fn import(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    roster: Roster,
    zone: &str,
) -> Result<ImportReport, AppError> {
    let numbers: Vec<String> = roster
        .lines
        .iter()
        .map(|l| l.input.employee_number.trim().to_owned())
        .collect();
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let existing = model::lock_by_employee_numbers(conn, &numbers).await?;
        let plan = actix_web::web::block(move || plan_import(roster, existing)).await?;
        model::insert_all(conn, &plan.create).await?;
        model::overwrite_all(conn, &plan.update).await?;
        // Calls that named these employee numbers before the people were on the roster.
        let people: Vec<PersonnelId> = plan
            .create
            .iter()
            .map(|p| p.id)
            .chain(plan.update.iter().map(|(id, _)| *id))
            .collect();
        refresh_cit_flags(conn, &people, zone).await?;
        let ImportPlan {
            create,
            update,
            unchanged,
            mut errors,
        } = plan;
        errors.sort_by_key(|e| e.line);
        let report = ImportReport {
            created: create.len(),
            updated: update.len(),
            unchanged,
            errors,
        };
        AuditEvent::new(Action::PersonnelImport)
            .by(actor)
            .details(serde_json::json!({
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected_lines": report.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            }))
            .record(conn, meta)
            .await?;
        Ok(report)
    })
    .await
}

/// What an import will write: decided in memory from the file and the locked rows.
struct ImportPlan {
    create: Vec<NewPersonnel>,
    update: Vec<(PersonnelId, NewPersonnel)>,
    unchanged: usize,
    errors: Vec<ImportLineError>,
}

/// Merges each line with the person it names (absent columns keep their values), checks the
/// result and sorts it into new, changed and unchanged people. CPU only: runs on a blocking
/// thread.
fn plan_import(roster: Roster, existing: Vec<PersonnelRow>) -> ImportPlan {
    let Roster {
        columns,
        lines,
        errors,
    } = roster;
    let existing: HashMap<String, PersonnelRow> = existing
        .into_iter()
        .map(|row| (row.employee_number.clone(), row))
        .collect();
    let mut plan = ImportPlan {
        create: Vec::new(),
        update: Vec::new(),
        unchanged: 0,
        errors,
    };
    // `import::parse` already reported a number's second line, so each person appears once.
    for RosterLine { line, input } in lines {
        let current = existing.get(input.employee_number.trim());
        let input = match current {
            Some(current) => columns.merge(current, input),
            None => input,
        };
        let mut problems = Errors::default();
        let Some(person) = validate::record(input, &mut problems) else {
            plan.errors.push(ImportLineError {
                line,
                message: import::describe(problems),
            });
            continue;
        };
        match current {
            None => plan.create.push(person),
            Some(current)
                if PersonnelChanges::between(current, &person)
                    .fields()
                    .is_empty() =>
            {
                plan.unchanged += 1;
            }
            Some(current) => plan.update.push((current.id, person)),
        }
    }
    // New people go in in key order too, so two imports that add the same employee numbers
    // wait on each other's unique-index entries in one order instead of deadlocking.
    plan.create
        .sort_by(|a, b| a.employee_number.cmp(&b.employee_number));
    plan
}
