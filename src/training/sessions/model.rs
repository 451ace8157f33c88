//! Rows and queries of training sessions and enrollments.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    AsChangeset, ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{CourseId, EnrollmentId, PersonnelId, TrainingSessionId};

use crate::db::enums::{EnrollmentStatus, SessionStatus};
use crate::db::schema::{enrollments, training_sessions};
use crate::http::pagination::PageRequest;

/// A row of `training_sessions`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = training_sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    /// Id.
    pub id: TrainingSessionId,
    /// The course taught.
    pub course_id: CourseId,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Where.
    pub location: String,
    /// Who teaches.
    pub instructor: Option<String>,
    /// Seats.
    pub capacity: i32,
    /// Status.
    pub status: SessionStatus,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A session to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = training_sessions)]
pub struct NewSession {
    /// Id.
    pub id: TrainingSessionId,
    /// Course.
    pub course_id: CourseId,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Where.
    pub location: String,
    /// Who teaches.
    pub instructor: Option<String>,
    /// Seats.
    pub capacity: i32,
}

/// Changes to a session.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = training_sessions)]
pub struct SessionChanges {
    /// First day.
    pub starts_on: Option<NaiveDate>,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Where.
    pub location: Option<String>,
    /// Who teaches (`Some(None)` clears).
    pub instructor: Option<Option<String>>,
    /// Seats.
    pub capacity: Option<i32>,
    /// Status.
    pub status: Option<SessionStatus>,
}

impl crate::audit::ChangedFields for SessionChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            starts_on,
            ends_on,
            location,
            instructor,
            capacity,
            status,
        } = self;
        crate::audit::changed_fields(&[
            ("starts_on", starts_on.is_some()),
            ("ends_on", ends_on.is_some()),
            ("location", location.is_some()),
            ("instructor", instructor.is_some()),
            ("capacity", capacity.is_some()),
            ("status", status.is_some()),
        ])
    }
}

/// Filters of the session list.
#[derive(Debug, Default)]
pub struct SessionFilter {
    /// Of this course.
    pub course_id: Option<CourseId>,
    /// Starting on or after.
    pub from: Option<NaiveDate>,
    /// Starting on or before.
    pub to: Option<NaiveDate>,
    /// In this status.
    pub status: Option<SessionStatus>,
}

/// A row of `enrollments`.
// Deserialize: also read from a `json` array of rows (`personnel::model::find_with_training`).
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = enrollments, check_for_backend(diesel::pg::Pg))]
pub struct EnrollmentRow {
    /// Id.
    pub id: EnrollmentId,
    /// Session.
    pub session_id: TrainingSessionId,
    /// Person.
    pub personnel_id: PersonnelId,
    /// Status.
    pub status: EnrollmentStatus,
    /// Hours credited.
    pub hours_credited: Option<f64>,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// Changes to an enrollment.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = enrollments)]
pub struct EnrollmentChanges {
    /// Status.
    pub status: Option<EnrollmentStatus>,
    /// Hours credited (`Some(None)` clears).
    pub hours_credited: Option<Option<f64>>,
}

impl crate::audit::ChangedFields for EnrollmentChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            status,
            hours_credited,
        } = self;
        crate::audit::changed_fields(&[
            ("status", status.is_some()),
            ("hours_credited", hours_credited.is_some()),
        ])
    }
}

/// A session and the number of seats taken.
pub type SessionWithSeats = (SessionRow, i64);

fn seats_taken() -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    // Every enrollment but a withdrawn one holds a seat.
    diesel::dsl::sql(
        "(SELECT count(*) FROM enrollments e \
          WHERE e.session_id = training_sessions.id AND e.status <> 'withdrawn')",
    )
}

/// Lists sessions with their seats taken, newest first.
pub async fn list_sessions(
    conn: &mut AsyncPgConnection,
    filter: &SessionFilter,
    page: &PageRequest<TrainingSessionId>,
) -> diesel::QueryResult<Vec<SessionWithSeats>> {
    let mut query = training_sessions::table
        .select((SessionRow::as_select(), seats_taken()))
        .order(training_sessions::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(training_sessions::id.lt(after));
    }
    if let Some(course_id) = filter.course_id {
        query = query.filter(training_sessions::course_id.eq(course_id));
    }
    if let Some(from) = filter.from {
        query = query.filter(training_sessions::starts_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(training_sessions::starts_on.le(to));
    }
    if let Some(status) = filter.status {
        query = query.filter(training_sessions::status.eq(status));
    }
    query.load(conn).await
}

/// Finds a session with its seats taken.
pub async fn find_session(
    conn: &mut AsyncPgConnection,
    id: TrainingSessionId,
) -> diesel::QueryResult<SessionWithSeats> {
    training_sessions::table
        .find(id)
        .select((SessionRow::as_select(), seats_taken()))
        .get_result(conn)
        .await
}

/// Locks a session row; enrollments that count seats take this lock first, so two requests
/// cannot both take the last seat.
pub async fn lock_session(
    tx: &mut Tx<'_>,
    id: TrainingSessionId,
) -> diesel::QueryResult<SessionRow> {
    let conn = tx.conn();
    training_sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Seats taken in a session.
pub async fn count_seats(
    conn: &mut AsyncPgConnection,
    session_id: TrainingSessionId,
) -> diesel::QueryResult<i64> {
    enrollments::table
        .filter(enrollments::session_id.eq(session_id))
        .filter(enrollments::status.ne(EnrollmentStatus::Withdrawn))
        .count()
        .get_result(conn)
        .await
}

/// Inserts a session.
pub async fn insert_session(
    conn: &mut AsyncPgConnection,
    new: &NewSession,
) -> diesel::QueryResult<SessionRow> {
    diesel::insert_into(training_sessions::table)
        .values(new)
        .returning(SessionRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update_session(
    conn: &mut AsyncPgConnection,
    id: TrainingSessionId,
    changes: &SessionChanges,
) -> diesel::QueryResult<SessionRow> {
    diesel::update(training_sessions::table.find(id))
        .set((
            changes,
            training_sessions::version.eq(training_sessions::version + 1),
            training_sessions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SessionRow::as_returning())
        .get_result(conn)
        .await
}

/// Lists a session's enrollments, oldest first (enrollment order).
pub async fn list_enrollments(
    conn: &mut AsyncPgConnection,
    session_id: TrainingSessionId,
    page: &PageRequest<EnrollmentId>,
) -> diesel::QueryResult<Vec<EnrollmentRow>> {
    let mut query = enrollments::table
        .filter(enrollments::session_id.eq(session_id))
        .select(EnrollmentRow::as_select())
        .order(enrollments::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(enrollments::id.gt(after));
    }
    query.load(conn).await
}

/// Inserts an enrollment.
pub async fn insert_enrollment(
    conn: &mut AsyncPgConnection,
    session_id: TrainingSessionId,
    personnel_id: PersonnelId,
) -> diesel::QueryResult<EnrollmentRow> {
    diesel::insert_into(enrollments::table)
        .values((
            enrollments::id.eq(EnrollmentId::generate()),
            enrollments::session_id.eq(session_id),
            enrollments::personnel_id.eq(personnel_id),
        ))
        .returning(EnrollmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Finds an enrollment.
pub async fn find_enrollment(
    conn: &mut AsyncPgConnection,
    id: EnrollmentId,
) -> diesel::QueryResult<EnrollmentRow> {
    enrollments::table
        .find(id)
        .select(EnrollmentRow::as_select())
        .get_result(conn)
        .await
}

/// Locks an enrollment for an update.
pub async fn lock_enrollment(
    tx: &mut Tx<'_>,
    id: EnrollmentId,
) -> diesel::QueryResult<EnrollmentRow> {
    let conn = tx.conn();
    enrollments::table
        .find(id)
        .select(EnrollmentRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version.
pub async fn update_enrollment(
    conn: &mut AsyncPgConnection,
    id: EnrollmentId,
    changes: &EnrollmentChanges,
) -> diesel::QueryResult<EnrollmentRow> {
    diesel::update(enrollments::table.find(id))
        .set((
            changes,
            enrollments::version.eq(enrollments::version + 1),
            enrollments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(EnrollmentRow::as_returning())
        .get_result(conn)
        .await
}
