//! Training metrics as of a city day: three statements (the CIT types, everyone with their CIT
//! certificates, the expiring counts), then arithmetic in memory.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;

use crate::clock::CityDay;
use crate::db::enums::{Department, PersonnelRole};
use crate::error::AppError;
use crate::goals::model::load_members;
use crate::goals::progress::{Member, Population, tally_by, tally_on};
use crate::training::catalog::model::cit_type_ids;

use super::model::expiring;
use super::payloads::{Coverage, TrainingMetrics};

/// Coverage by department, role and shift, and the certifications about to expire, on `day`.
pub async fn training(
    conn: &mut AsyncPgConnection,
    day: CityDay,
) -> Result<TrainingMetrics, AppError> {
    let cit_types = cit_type_ids(conn).await?;
    let members = load_members(conn, &cit_types, day).await?;
    let expiring = expiring(conn, day).await?;
    let as_of = day.date;
    let everyone = Population::default();
    Ok(TrainingMetrics {
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
    })
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
