//! Creating and changing goals, and computing their progress.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::Caller;
use crate::clock::CityDay;
use crate::dates;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::{CertificationTypeId, GoalId};
use crate::training::catalog::model as catalog;
use crate::validation::{self, Errors, not_null};

use super::model::{self, GoalChanges, GoalRow, NewGoal};
use super::payloads::{
    CreateGoal, DepartmentShare, ProgressBody, SeriesPoint, ShiftShare, UpdateGoal,
};
use super::progress::{self, Population};

fn target(value: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err("must be above 0 and at most 1".into())
    }
}

fn dedup<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

/// Checks the type ids exist; each unknown one is an error at its index.
async fn check_types(
    conn: &mut AsyncPgConnection,
    ids: &[CertificationTypeId],
    errors: &mut Errors,
) -> Result<(), AppError> {
    if ids.is_empty() {
        errors.add(
            "certification_type_ids",
            "at least one certification type is required",
        );
        return Ok(());
    }
    let known = catalog::existing_type_ids(conn, ids).await?;
    for (index, id) in ids.iter().enumerate() {
        if !known.contains(id) {
            errors.add(
                &format!("certification_type_ids[{index}]"),
                "no certification type with this id",
            );
        }
    }
    Ok(())
}

/// Creates a goal.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateGoal,
) -> Result<GoalRow, AppError> {
    let mut errors = Errors::default();
    let name = errors.check("name", validation::text(&input.name, 200));
    let target_share = errors.check("target_share", target(input.target_share));
    errors.check("start_date", dates::plausible(input.start_date));
    errors.check("deadline", dates::plausible(input.deadline));
    if input.deadline <= input.start_date {
        errors.add("deadline", "must be after start_date");
    }
    check_types(conn, &input.certification_type_ids, &mut errors).await?;
    let (Some(name), Some(target_share)) = (name, target_share) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = model::insert(
            conn,
            &NewGoal {
                id: GoalId::generate(),
                name,
                certification_type_ids: dedup(input.certification_type_ids),
                departments: dedup(input.population.departments),
                roles: dedup(input.population.roles),
                include_designated_staff: input.population.include_designated_staff,
                target_share,
                start_date: input.start_date,
                deadline: input.deadline,
            },
        )
        .await?;
        AuditEvent::new(Action::GoalCreate)
            .by(actor)
            .resource(row.id)
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Applies a merge patch to a goal.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: GoalId,
    if_match: IfMatch,
    patch: UpdateGoal,
) -> Result<GoalRow, AppError> {
    let mut errors = Errors::default();
    let name = not_null(&mut errors, "name", patch.name)
        .and_then(|v| errors.check("name", validation::text(&v, 200)));
    let type_ids = not_null(
        &mut errors,
        "certification_type_ids",
        patch.certification_type_ids,
    );
    let population = not_null(&mut errors, "population", patch.population).unwrap_or_default();
    let target_share = not_null(&mut errors, "target_share", patch.target_share)
        .and_then(|v| errors.check("target_share", target(v)));
    let start_date = not_null(&mut errors, "start_date", patch.start_date)
        .and_then(|d| errors.check("start_date", dates::plausible(d)));
    let deadline = not_null(&mut errors, "deadline", patch.deadline)
        .and_then(|d| errors.check("deadline", dates::plausible(d)));
    if let Some(ids) = &type_ids {
        check_types(conn, ids, &mut errors).await?;
    }
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = model::lock(conn, id).await.or_not_found("goal")?;
        if_match.check(current.version)?;
        if deadline.unwrap_or(current.deadline) <= start_date.unwrap_or(current.start_date) {
            return Err(AppError::invalid("deadline", "must be after start_date"));
        }
        let changes = GoalChanges {
            name: name.filter(|v| *v != current.name),
            certification_type_ids: type_ids
                .map(dedup)
                .filter(|v| *v != current.certification_type_ids),
            departments: population
                .departments
                .map(dedup)
                .filter(|v| *v != current.departments),
            roles: population.roles.map(dedup).filter(|v| *v != current.roles),
            include_designated_staff: population
                .include_designated_staff
                .filter(|v| *v != current.include_designated_staff),
            target_share: target_share.filter(|v| (*v - current.target_share).abs() > f64::EPSILON),
            start_date: start_date.filter(|v| *v != current.start_date),
            deadline: deadline.filter(|v| *v != current.deadline),
        };
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok(current);
        }
        let row = model::update(conn, id, &changes).await?;
        AuditEvent::new(Action::GoalUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Progress of a goal as of a city day: two statements, then arithmetic in memory.
pub async fn progress(
    conn: &mut AsyncPgConnection,
    id: GoalId,
    as_of: CityDay,
) -> Result<ProgressBody, AppError> {
    let goal = model::find(conn, id).await.or_not_found("goal")?;
    let members = model::load_members(conn, &goal.certification_type_ids, as_of).await?;
    let as_of = as_of.date;

    let population = Population {
        departments: goal.departments,
        roles: goal.roles,
        include_designated_staff: goal.include_designated_staff,
    };
    let now = progress::tally_on(&members, &population, as_of);
    let points = progress::series(&members, &population, goal.start_date, as_of);
    let projected = if as_of >= goal.deadline {
        progress::tally_on(&members, &population, goal.deadline).share()
    } else {
        progress::projected_share(&points, goal.deadline)
    };
    let by_department = progress::tally_by(&members, &population, as_of, |m| m.department)
        .into_iter()
        .map(|(department, tally)| DepartmentShare {
            department,
            population: tally.population,
            certified: tally.certified,
            share: tally.share(),
        })
        .collect();
    let by_shift = progress::tally_by(&members, &population, as_of, |m| {
        m.shift.clone().unwrap_or_else(|| "unassigned".to_owned())
    })
    .into_iter()
    .map(|(shift, tally)| ShiftShare {
        shift,
        population: tally.population,
        certified: tally.certified,
        share: tally.share(),
    })
    .collect();
    Ok(ProgressBody {
        goal_id: goal.id,
        as_of,
        population: now.population,
        certified: now.certified,
        share: now.share(),
        target_share: goal.target_share,
        needed: now.needed(goal.target_share),
        on_track: projected >= goal.target_share,
        projected_share_at_deadline: projected,
        by_department,
        by_shift,
        series: points
            .into_iter()
            .map(|p| SeriesPoint::new(p.day, p.tally))
            .collect(),
    })
}
