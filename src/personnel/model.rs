//! Personnel rows and their queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::Json as SqlJson;
use diesel::{
    AsChangeset, BoolExpressionMethods, ExpressionMethods, Insertable, PgTextExpressionMethods,
    QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;

use crate::db::tx::Tx;
use crate::ids::{CertificationId, PersonnelId};

use crate::auth::Scope;
use crate::clock::CityDay;
use crate::db::enums::{Department, PersonnelRole, PersonnelStatus};
use crate::db::escape_like;
use crate::db::fragment::static_sql;
use crate::db::functions::cit_certified_on;
use crate::db::json::Json;
use crate::db::schema::personnel;
use crate::http::pagination::PageRequest;
use crate::training::certifications::model::CertificationRow;
use crate::training::lifecycle;
use crate::training::sessions::model::EnrollmentRow;

/// A row of `personnel`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = personnel, check_for_backend(diesel::pg::Pg))]
pub struct PersonnelRow {
    /// Id.
    pub id: PersonnelId,
    /// HR's employee number; unique.
    pub employee_number: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Department.
    pub department: Department,
    /// Job.
    pub role: PersonnelRole,
    /// Rank, free text.
    pub rank: Option<String>,
    /// Shift, free text (e.g. `A`, `days`).
    pub shift: Option<String>,
    /// First day employed.
    pub hire_date: NaiveDate,
    /// Last day employed is the day before this.
    pub separation_date: Option<NaiveDate>,
    /// Status.
    pub status: PersonnelStatus,
    /// Civilian chosen to count in the goal's population.
    pub designated_staff: bool,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A person to insert.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = personnel)]
pub struct NewPersonnel {
    /// Id.
    pub id: PersonnelId,
    /// Employee number.
    pub employee_number: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Department.
    pub department: Department,
    /// Job.
    pub role: PersonnelRole,
    /// Rank.
    pub rank: Option<String>,
    /// Shift.
    pub shift: Option<String>,
    /// Hire date.
    pub hire_date: NaiveDate,
    /// Separation date.
    pub separation_date: Option<NaiveDate>,
    /// Status.
    pub status: PersonnelStatus,
    /// Designated staff.
    pub designated_staff: bool,
}

/// Changes to a person; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = personnel)]
pub struct PersonnelChanges {
    /// Employee number.
    pub employee_number: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Department.
    pub department: Option<Department>,
    /// Job.
    pub role: Option<PersonnelRole>,
    /// Rank.
    pub rank: Option<Option<String>>,
    /// Shift.
    pub shift: Option<Option<String>>,
    /// Hire date.
    pub hire_date: Option<NaiveDate>,
    /// Separation date.
    pub separation_date: Option<Option<NaiveDate>>,
    /// Status.
    pub status: Option<PersonnelStatus>,
    /// Designated staff.
    pub designated_staff: Option<bool>,
}

impl crate::audit::ChangedFields for PersonnelChanges {
    fn fields(&self) -> Vec<&'static str> {
        let Self {
            employee_number,
            first_name,
            last_name,
            department,
            role,
            rank,
            shift,
            hire_date,
            separation_date,
            status,
            designated_staff,
        } = self;
        crate::audit::changed_fields(&[
            ("employee_number", employee_number.is_some()),
            ("first_name", first_name.is_some()),
            ("last_name", last_name.is_some()),
            ("department", department.is_some()),
            ("role", role.is_some()),
            ("rank", rank.is_some()),
            ("shift", shift.is_some()),
            ("hire_date", hire_date.is_some()),
            ("separation_date", separation_date.is_some()),
            ("status", status.is_some()),
            ("designated_staff", designated_staff.is_some()),
        ])
    }
}

impl PersonnelChanges {
    /// What would change if `current` took the values of `wanted`.
    pub fn between(current: &PersonnelRow, wanted: &NewPersonnel) -> Self {
        fn differ<T: PartialEq + Clone>(current: &T, wanted: &T) -> Option<T> {
            (current != wanted).then(|| wanted.clone())
        }
        Self {
            employee_number: differ(&current.employee_number, &wanted.employee_number),
            first_name: differ(&current.first_name, &wanted.first_name),
            last_name: differ(&current.last_name, &wanted.last_name),
            department: differ(&current.department, &wanted.department),
            role: differ(&current.role, &wanted.role),
            rank: differ(&current.rank, &wanted.rank),
            shift: differ(&current.shift, &wanted.shift),
            hire_date: differ(&current.hire_date, &wanted.hire_date),
            separation_date: differ(&current.separation_date, &wanted.separation_date),
            status: differ(&current.status, &wanted.status),
            designated_staff: differ(&current.designated_staff, &wanted.designated_staff),
        }
    }
}

/// Filters of the personnel list.
#[derive(Debug, Default)]
pub struct PersonnelFilter {
    /// Department.
    pub department: Option<Department>,
    /// Job.
    pub role: Option<PersonnelRole>,
    /// Status.
    pub status: Option<PersonnelStatus>,
    /// Shift (exact).
    pub shift: Option<String>,
    /// Designated staff or not.
    pub designated_staff: Option<bool>,
    /// CIT-certified today or not.
    pub cit_certified: Option<bool>,
    /// Part of a name or the employee number.
    pub q: Option<String>,
}

/// Lists personnel, newest first, each with whether they are CIT-certified on `today`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &PersonnelFilter,
    page: &PageRequest<PersonnelId>,
    today: CityDay,
) -> diesel::QueryResult<Vec<(PersonnelRow, bool)>> {
    let mut query = personnel::table
        .select((
            PersonnelRow::as_select(),
            cit_certified_on(personnel::id, today.date, today.zone_name()),
        ))
        .order(personnel::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(personnel::id.lt(after));
    }
    if let Some(department) = filter.department {
        query = query.filter(personnel::department.eq(department));
    }
    if let Some(role) = filter.role {
        query = query.filter(personnel::role.eq(role));
    }
    if let Some(status) = filter.status {
        query = query.filter(personnel::status.eq(status));
    }
    if let Some(shift) = &filter.shift {
        query = query.filter(personnel::shift.eq(shift));
    }
    if let Some(designated) = filter.designated_staff {
        query = query.filter(personnel::designated_staff.eq(designated));
    }
    match filter.cit_certified {
        Some(true) => {
            query = query.filter(cit_certified_on(
                personnel::id,
                today.date,
                today.zone_name(),
            ))
        }
        Some(false) => {
            query = query.filter(diesel::dsl::not(cit_certified_on(
                personnel::id,
                today.date,
                today.zone_name(),
            )))
        }
        None => {}
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q.trim()));
        query = query.filter(
            personnel::first_name
                .ilike(pattern.clone())
                .or(personnel::last_name.ilike(pattern.clone()))
                .or(personnel::employee_number.ilike(pattern)),
        );
    }
    query.load(conn).await
}

/// Finds a person in `scope` with whether they are CIT-certified on `today`; one out of scope
/// is `NotFound`. On a shared connection, so it can be pipelined with other reads.
pub async fn find(
    mut conn: &AsyncPgConnection,
    scope: Scope<PersonnelId>,
    id: PersonnelId,
    today: CityDay,
) -> diesel::QueryResult<(PersonnelRow, bool)> {
    let mut query = personnel::table
        .find(id)
        .select((
            PersonnelRow::as_select(),
            cit_certified_on(personnel::id, today.date, today.zone_name()),
        ))
        .into_boxed();
    if let Some(own) = scope.only() {
        query = query.filter(personnel::id.eq(own));
    }
    query.get_result(&mut conn).await
}

/// What the personnel detail shows: the person, whether CIT-certified on `today`, and their
/// certifications and enrollments (newest first).
pub type PersonWithTraining = (
    PersonnelRow,
    bool,
    Json<Vec<CertificationRow>>,
    Json<Vec<EnrollmentRow>>,
);

/// A person's certifications as the detail reads them: all of them, newest first, and the ids of
/// those whose type counts as CIT (the day rule is applied in Rust, as for the ingest's roster).
#[derive(Debug, Deserialize)]
struct Certifications {
    list: Vec<CertificationRow>,
    cit: Vec<CertificationId>,
}

/// Finds a person with their certifications and enrollments in **one** statement (each child
/// list a `json` array built by a correlated subquery), within `scope`. Whether the person is
/// CIT-certified on `today` is judged here from the certifications read, with
/// `training::lifecycle::valid_on` (the tested twin of `certification_valid_on`), as
/// `cit_certified_on` judges it in SQL: calling that function cost the database one more index
/// probe and a PL/pgSQL call per read. `json`, not `jsonb`: PostgreSQL then only appends text,
/// where `jsonb` builds a binary tree that is turned back into the same text on the way out
/// (~20% of the statement for a person with five certificates and five enrollments).
pub async fn find_with_training(
    conn: &mut AsyncPgConnection,
    scope: Scope<PersonnelId>,
    id: PersonnelId,
    today: CityDay,
) -> diesel::QueryResult<PersonWithTraining> {
    let mut query = personnel::table
        .find(id)
        .select((
            PersonnelRow::as_select(),
            static_sql::<SqlJson>(
                "(SELECT json_build_object(\
                     'list', coalesce(json_agg(c ORDER BY c.id DESC), '[]'), \
                     'cit', coalesce(json_agg(c.id) FILTER (WHERE t.counts_as_cit), '[]')) \
                    FROM certifications c \
                    JOIN certification_types t ON t.id = c.certification_type_id \
                   WHERE c.personnel_id = personnel.id)",
            ),
            static_sql::<SqlJson>(
                "(SELECT coalesce(json_agg(e ORDER BY e.id DESC), '[]') \
                    FROM enrollments e WHERE e.personnel_id = personnel.id)",
            ),
        ))
        .into_boxed();
    if let Some(own) = scope.only() {
        query = query.filter(personnel::id.eq(own));
    }
    let (row, Json(certifications), enrollments): (
        PersonnelRow,
        Json<Certifications>,
        Json<Vec<EnrollmentRow>>,
    ) = query.get_result(conn).await?;
    let certified = certifications.list.iter().any(|c| {
        certifications.cit.contains(&c.id)
            && lifecycle::valid_on(
                c.issued_on,
                c.expires_on,
                c.revoked_at.map(|at| today.date_of(at)),
                today.date,
            )
    });
    Ok((row, certified, Json(certifications.list), enrollments))
}

/// Finds a person and locks the row.
pub async fn lock(tx: &mut Tx<'_>, id: PersonnelId) -> diesel::QueryResult<PersonnelRow> {
    let conn = tx.conn();
    personnel::table
        .find(id)
        .select(PersonnelRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// The people with these employee numbers, locked for an upsert.
pub async fn lock_by_employee_numbers(
    tx: &mut Tx<'_>,
    numbers: &[String],
) -> diesel::QueryResult<Vec<PersonnelRow>> {
    let conn = tx.conn();
    // In key order, so two imports touching the same people wait for each other instead of
    // deadlocking.
    personnel::table
        .filter(personnel::employee_number.eq_any(numbers))
        .select(PersonnelRow::as_select())
        .order(personnel::id)
        .for_update()
        .load(conn)
        .await
}

/// The columns of many records, one array each, for `unnest` (one statement for any count).
#[derive(Default)]
struct ColumnArrays {
    id: Vec<PersonnelId>,
    employee_number: Vec<String>,
    first_name: Vec<String>,
    last_name: Vec<String>,
    department: Vec<String>,
    role: Vec<String>,
    rank: Vec<Option<String>>,
    shift: Vec<Option<String>>,
    hire_date: Vec<NaiveDate>,
    separation_date: Vec<Option<NaiveDate>>,
    status: Vec<String>,
    designated_staff: Vec<bool>,
}

impl ColumnArrays {
    fn push(&mut self, id: PersonnelId, person: &NewPersonnel) {
        let NewPersonnel {
            id: _,
            employee_number,
            first_name,
            last_name,
            department,
            role,
            rank,
            shift,
            hire_date,
            separation_date,
            status,
            designated_staff,
        } = person;
        self.id.push(id);
        self.employee_number.push(employee_number.clone());
        self.first_name.push(first_name.clone());
        self.last_name.push(last_name.clone());
        self.department.push(department.as_str().to_owned());
        self.role.push(role.as_str().to_owned());
        self.rank.push(rank.clone());
        self.shift.push(shift.clone());
        self.hire_date.push(*hire_date);
        self.separation_date.push(*separation_date);
        self.status.push(status.as_str().to_owned());
        self.designated_staff.push(*designated_staff);
    }

    /// Binds the arrays as `$1`…`$12` of `query`, in [`UNNEST`]'s order.
    async fn execute(self, conn: &mut AsyncPgConnection, sql: &str) -> diesel::QueryResult<usize> {
        use diesel::sql_types::{Array, Bool, Date, Nullable, Text, Uuid as SqlUuid};
        diesel::sql_query(sql)
            .bind::<Array<SqlUuid>, _>(self.id)
            .bind::<Array<Text>, _>(self.employee_number)
            .bind::<Array<Text>, _>(self.first_name)
            .bind::<Array<Text>, _>(self.last_name)
            .bind::<Array<Text>, _>(self.department)
            .bind::<Array<Text>, _>(self.role)
            .bind::<Array<Nullable<Text>>, _>(self.rank)
            .bind::<Array<Nullable<Text>>, _>(self.shift)
            .bind::<Array<Date>, _>(self.hire_date)
            .bind::<Array<Nullable<Date>>, _>(self.separation_date)
            .bind::<Array<Text>, _>(self.status)
            .bind::<Array<Bool>, _>(self.designated_staff)
            .execute(conn)
            .await
    }
}

/// The bound arrays as one row per record.
const UNNEST: &str = "unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], \
     $6::text[], $7::text[], $8::text[], $9::date[], $10::date[], $11::text[], $12::bool[]) \
     AS v(id, employee_number, first_name, last_name, department, role, rank, shift, \
     hire_date, separation_date, status, designated_staff)";

/// Inserts any number of people in one statement.
pub async fn insert_all(
    conn: &mut AsyncPgConnection,
    people: &[NewPersonnel],
) -> diesel::QueryResult<usize> {
    if people.is_empty() {
        return Ok(0);
    }
    let mut arrays = ColumnArrays::default();
    for person in people {
        arrays.push(person.id, person);
    }
    let sql = format!(
        "INSERT INTO personnel (id, employee_number, first_name, last_name, department, role, \
         rank, shift, hire_date, separation_date, status, designated_staff) \
         SELECT id, employee_number, first_name, last_name, department::department, \
         role::personnel_role, rank, shift, hire_date, separation_date, \
         status::personnel_status, designated_staff FROM {UNNEST}"
    );
    arrays.execute(conn, &sql).await
}

/// Overwrites any number of people (by id, with their whole merged record) in one statement,
/// bumping each version, in the transaction that locked them ([`lock_by_employee_numbers`]).
pub async fn overwrite_all(
    conn: &mut Tx<'_>,
    people: &[(PersonnelId, NewPersonnel)],
) -> diesel::QueryResult<usize> {
    if people.is_empty() {
        return Ok(0);
    }
    let mut arrays = ColumnArrays::default();
    for (id, person) in people {
        arrays.push(*id, person);
    }
    let sql = format!(
        "UPDATE personnel p SET employee_number = v.employee_number, \
         first_name = v.first_name, last_name = v.last_name, \
         department = v.department::department, role = v.role::personnel_role, \
         rank = v.rank, shift = v.shift, hire_date = v.hire_date, \
         separation_date = v.separation_date, status = v.status::personnel_status, \
         designated_staff = v.designated_staff, version = p.version + 1, updated_at = now() \
         FROM {UNNEST} WHERE p.id = v.id"
    );
    arrays.execute(conn, &sql).await
}

/// Inserts people.
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    people: &[NewPersonnel],
) -> diesel::QueryResult<Vec<PersonnelRow>> {
    diesel::insert_into(personnel::table)
        .values(people)
        .returning(PersonnelRow::as_returning())
        .get_results(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: PersonnelId,
    changes: &PersonnelChanges,
) -> diesel::QueryResult<PersonnelRow> {
    diesel::update(personnel::table.find(id))
        .set((
            changes,
            personnel::version.eq(personnel::version + 1),
            personnel::updated_at.eq(diesel::dsl::now),
        ))
        .returning(PersonnelRow::as_returning())
        .get_result(conn)
        .await
}
