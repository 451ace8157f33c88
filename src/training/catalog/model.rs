//! Rows and queries of the catalogue: certification types and courses.

use chrono::{DateTime, Utc};
use diesel::{
    AsChangeset, ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{CertificationTypeId, CourseId, PersonnelId};

use crate::db::schema::{certification_types, courses};
use crate::http::pagination::PageRequest;

/// A row of `certification_types`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certification_types, check_for_backend(diesel::pg::Pg))]
pub struct CertificationTypeRow {
    /// Id.
    pub id: CertificationTypeId,
    /// Short upper-case code, e.g. `CIT_BASIC`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Who issues it.
    pub issuer: String,
    /// Whether holding it makes a person CIT-certified.
    pub counts_as_cit: bool,
    /// Months it stays valid; `None` = never expires.
    pub validity_months: Option<i32>,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A certification type to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = certification_types)]
pub struct NewCertificationType {
    /// Id.
    pub id: CertificationTypeId,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Issuer.
    pub issuer: String,
    /// Counts as CIT.
    pub counts_as_cit: bool,
    /// Validity in months.
    pub validity_months: Option<i32>,
}

/// Changes to a certification type.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = certification_types)]
pub struct CertificationTypeChanges {
    /// Code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// Counts as CIT.
    pub counts_as_cit: Option<bool>,
    /// Validity in months (`Some(None)` = never expires).
    pub validity_months: Option<Option<i32>>,
}

impl crate::audit::ChangedFields for CertificationTypeChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            code,
            name,
            issuer,
            counts_as_cit,
            validity_months,
        } = self;
        crate::audit::changed_fields(&[
            ("code", code.is_some()),
            ("name", name.is_some()),
            ("issuer", issuer.is_some()),
            ("counts_as_cit", counts_as_cit.is_some()),
            ("validity_months", validity_months.is_some()),
        ])
    }
}

/// A row of `courses`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = courses, check_for_backend(diesel::pg::Pg))]
pub struct CourseRow {
    /// Id.
    pub id: CourseId,
    /// Short code, e.g. `CIT-40`.
    pub code: String,
    /// Title.
    pub title: String,
    /// Length in hours.
    pub hours: f64,
    /// Who teaches it.
    pub provider: String,
    /// The certification completing it grants, if any.
    pub certification_type_id: Option<CertificationTypeId>,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A course to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = courses)]
pub struct NewCourse {
    /// Id.
    pub id: CourseId,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Hours.
    pub hours: f64,
    /// Provider.
    pub provider: String,
    /// Certification granted.
    pub certification_type_id: Option<CertificationTypeId>,
}

/// Changes to a course.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = courses)]
pub struct CourseChanges {
    /// Code.
    pub code: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Hours.
    pub hours: Option<f64>,
    /// Provider.
    pub provider: Option<String>,
    /// Certification granted (`Some(None)` = none).
    pub certification_type_id: Option<Option<CertificationTypeId>>,
}

impl crate::audit::ChangedFields for CourseChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            code,
            title,
            hours,
            provider,
            certification_type_id,
        } = self;
        crate::audit::changed_fields(&[
            ("code", code.is_some()),
            ("title", title.is_some()),
            ("hours", hours.is_some()),
            ("provider", provider.is_some()),
            ("certification_type_id", certification_type_id.is_some()),
        ])
    }
}

/// Lists certification types, newest first.
pub async fn list_types(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<CertificationTypeId>,
) -> diesel::QueryResult<Vec<CertificationTypeRow>> {
    let mut query = certification_types::table
        .select(CertificationTypeRow::as_select())
        .order(certification_types::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(certification_types::id.lt(after));
    }
    query.load(conn).await
}

/// Finds a certification type.
pub async fn find_type(
    conn: &mut AsyncPgConnection,
    id: CertificationTypeId,
) -> diesel::QueryResult<CertificationTypeRow> {
    certification_types::table
        .find(id)
        .select(CertificationTypeRow::as_select())
        .get_result(conn)
        .await
}

/// Everyone who holds (or held) a certification of type `id`.
pub async fn holders_of(
    conn: &mut AsyncPgConnection,
    id: CertificationTypeId,
) -> diesel::QueryResult<Vec<PersonnelId>> {
    use crate::db::schema::certifications;
    certifications::table
        .filter(certifications::certification_type_id.eq(id))
        .select(certifications::personnel_id)
        .distinct()
        .load(conn)
        .await
}

/// The certification types that count as CIT (`counts_as_cit`).
pub async fn cit_type_ids(
    conn: &mut AsyncPgConnection,
) -> diesel::QueryResult<Vec<CertificationTypeId>> {
    certification_types::table
        .filter(certification_types::counts_as_cit.eq(true))
        .select(certification_types::id)
        .order(certification_types::id)
        .load(conn)
        .await
}

/// Which of `ids` exist.
pub async fn existing_type_ids(
    conn: &mut AsyncPgConnection,
    ids: &[CertificationTypeId],
) -> diesel::QueryResult<Vec<CertificationTypeId>> {
    certification_types::table
        .filter(certification_types::id.eq_any(ids))
        .select(certification_types::id)
        .load(conn)
        .await
}

/// Inserts a certification type.
pub async fn insert_type(
    conn: &mut AsyncPgConnection,
    new: &NewCertificationType,
) -> diesel::QueryResult<CertificationTypeRow> {
    diesel::insert_into(certification_types::table)
        .values(new)
        .returning(CertificationTypeRow::as_returning())
        .get_result(conn)
        .await
}

/// Locks a certification type for an update.
pub async fn find_type_for_update(
    tx: &mut Tx<'_>,
    id: CertificationTypeId,
) -> diesel::QueryResult<CertificationTypeRow> {
    let conn = tx.conn();
    certification_types::table
        .find(id)
        .select(CertificationTypeRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update_type(
    conn: &mut AsyncPgConnection,
    id: CertificationTypeId,
    changes: &CertificationTypeChanges,
) -> diesel::QueryResult<CertificationTypeRow> {
    diesel::update(certification_types::table.find(id))
        .set((
            changes,
            certification_types::version.eq(certification_types::version + 1),
            certification_types::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CertificationTypeRow::as_returning())
        .get_result(conn)
        .await
}

/// Lists courses, newest first.
pub async fn list_courses(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<CourseId>,
) -> diesel::QueryResult<Vec<CourseRow>> {
    let mut query = courses::table
        .select(CourseRow::as_select())
        .order(courses::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(courses::id.lt(after));
    }
    query.load(conn).await
}

/// Finds a course.
pub async fn find_course(
    conn: &mut AsyncPgConnection,
    id: CourseId,
) -> diesel::QueryResult<CourseRow> {
    courses::table
        .find(id)
        .select(CourseRow::as_select())
        .get_result(conn)
        .await
}

/// Locks a course for an update.
pub async fn find_course_for_update(
    tx: &mut Tx<'_>,
    id: CourseId,
) -> diesel::QueryResult<CourseRow> {
    let conn = tx.conn();
    courses::table
        .find(id)
        .select(CourseRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Inserts a course.
pub async fn insert_course(
    conn: &mut AsyncPgConnection,
    new: &NewCourse,
) -> diesel::QueryResult<CourseRow> {
    diesel::insert_into(courses::table)
        .values(new)
        .returning(CourseRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update_course(
    conn: &mut AsyncPgConnection,
    id: CourseId,
    changes: &CourseChanges,
) -> diesel::QueryResult<CourseRow> {
    diesel::update(courses::table.find(id))
        .set((
            changes,
            courses::version.eq(courses::version + 1),
            courses::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CourseRow::as_returning())
        .get_result(conn)
        .await
}
