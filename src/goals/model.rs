//! Goal rows and their queries, and the load of people and certificates progress needs.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    AsChangeset, ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{CertificationTypeId, GoalId, PersonnelId};

use crate::clock::CityDay;
use crate::db::enums::{Department, PersonnelRole};
use crate::db::schema::{certifications, goals, personnel};
use crate::http::pagination::PageRequest;

use super::progress::{Member, Validity};

/// A row of `goals`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = goals, check_for_backend(diesel::pg::Pg))]
pub struct GoalRow {
    /// Id.
    pub id: GoalId,
    /// Name.
    pub name: String,
    /// Certification types that count.
    pub certification_type_ids: Vec<CertificationTypeId>,
    /// Departments counted; empty = any.
    pub departments: Vec<Department>,
    /// Roles counted; empty = any.
    pub roles: Vec<PersonnelRole>,
    /// Designated staff count too.
    pub include_designated_staff: bool,
    /// Target share, 0..1.
    pub target_share: f64,
    /// First day.
    pub start_date: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A goal to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = goals)]
pub struct NewGoal {
    /// Id.
    pub id: GoalId,
    /// Name.
    pub name: String,
    /// Types.
    pub certification_type_ids: Vec<CertificationTypeId>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Roles.
    pub roles: Vec<PersonnelRole>,
    /// Designated staff.
    pub include_designated_staff: bool,
    /// Target.
    pub target_share: f64,
    /// First day.
    pub start_date: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
}

/// Changes to a goal.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = goals)]
pub struct GoalChanges {
    /// Name.
    pub name: Option<String>,
    /// Types.
    pub certification_type_ids: Option<Vec<CertificationTypeId>>,
    /// Departments.
    pub departments: Option<Vec<Department>>,
    /// Roles.
    pub roles: Option<Vec<PersonnelRole>>,
    /// Designated staff.
    pub include_designated_staff: Option<bool>,
    /// Target.
    pub target_share: Option<f64>,
    /// First day.
    pub start_date: Option<NaiveDate>,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
}

impl crate::audit::ChangedFields for GoalChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            name,
            certification_type_ids,
            departments,
            roles,
            include_designated_staff,
            target_share,
            start_date,
            deadline,
        } = self;
        crate::audit::changed_fields(&[
            ("name", name.is_some()),
            ("certification_type_ids", certification_type_ids.is_some()),
            ("population.departments", departments.is_some()),
            ("population.roles", roles.is_some()),
            (
                "population.include_designated_staff",
                include_designated_staff.is_some(),
            ),
            ("target_share", target_share.is_some()),
            ("start_date", start_date.is_some()),
            ("deadline", deadline.is_some()),
        ])
    }
}

/// Lists goals, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<GoalId>,
) -> diesel::QueryResult<Vec<GoalRow>> {
    let mut query = goals::table
        .select(GoalRow::as_select())
        .order(goals::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(goals::id.lt(after));
    }
    query.load(conn).await
}

/// Finds a goal.
pub async fn find(conn: &mut AsyncPgConnection, id: GoalId) -> diesel::QueryResult<GoalRow> {
    goals::table
        .find(id)
        .select(GoalRow::as_select())
        .get_result(conn)
        .await
}

/// Locks a goal for an update.
pub async fn lock(tx: &mut Tx<'_>, id: GoalId) -> diesel::QueryResult<GoalRow> {
    let conn = tx.conn();
    goals::table
        .find(id)
        .select(GoalRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Inserts a goal.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewGoal) -> diesel::QueryResult<GoalRow> {
    diesel::insert_into(goals::table)
        .values(new)
        .returning(GoalRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: GoalId,
    changes: &GoalChanges,
) -> diesel::QueryResult<GoalRow> {
    diesel::update(goals::table.find(id))
        .set((
            changes,
            goals::version.eq(goals::version + 1),
            goals::updated_at.eq(diesel::dsl::now),
        ))
        .returning(GoalRow::as_returning())
        .get_result(conn)
        .await
}

type PersonTuple = (
    PersonnelId,
    Department,
    PersonnelRole,
    Option<String>,
    NaiveDate,
    Option<NaiveDate>,
    bool,
);

/// Holder, issued on, expires on, revoked at.
type CertificateTuple = (
    PersonnelId,
    NaiveDate,
    Option<NaiveDate>,
    Option<DateTime<Utc>>,
);

/// Everyone hired on or before `as_of`, with their certificates of `type_ids` issued on or
/// before it: all that progress on any day up to `as_of` can depend on. A revocation's day is
/// its date in the city's time zone.
pub async fn load_members(
    conn: &mut AsyncPgConnection,
    type_ids: &[CertificationTypeId],
    as_of: CityDay,
) -> diesel::QueryResult<Vec<Member>> {
    let zone = as_of;
    let as_of = as_of.date;
    let people: Vec<PersonTuple> = personnel::table
        .filter(personnel::hire_date.le(as_of))
        .select((
            personnel::id,
            personnel::department,
            personnel::role,
            personnel::shift,
            personnel::hire_date,
            personnel::separation_date,
            personnel::designated_staff,
        ))
        .load(conn)
        .await?;
    let certificates: Vec<CertificateTuple> = certifications::table
        .filter(certifications::certification_type_id.eq_any(type_ids))
        .filter(certifications::issued_on.le(as_of))
        .select((
            certifications::personnel_id,
            certifications::issued_on,
            certifications::expires_on,
            certifications::revoked_at,
        ))
        .load(conn)
        .await?;
    let mut held: HashMap<PersonnelId, Vec<Validity>> = HashMap::new();
    for (person, issued_on, expires_on, revoked_at) in certificates {
        held.entry(person).or_default().push(Validity {
            issued_on,
            expires_on,
            revoked_on: revoked_at.map(|at| zone.date_of(at)),
        });
    }
    Ok(people
        .into_iter()
        .map(
            |(id, department, role, shift, hire_date, separation_date, designated_staff)| Member {
                department,
                role,
                shift,
                hire_date,
                separation_date,
                designated_staff,
                certificates: held.remove(&id).unwrap_or_default(),
            },
        )
        .collect())
}
