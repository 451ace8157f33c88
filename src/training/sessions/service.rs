//! Sessions and enrollments: scheduling, seats that hold under concurrent requests, and
//! completion that issues the course's certification in the same transaction.

use chrono::NaiveDate;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::Caller;
use crate::calls::model::refresh_cit_flags;
use crate::clock::CityDay;
use crate::dates;
use crate::db::enums::{EnrollmentStatus, PersonnelStatus, SessionStatus};
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::{
    CertificationId, CertificationTypeId, EnrollmentId, PersonnelId, TrainingSessionId,
};
use crate::personnel::model as personnel;
use crate::validation::{self, Errors, not_null};

use crate::training::catalog::model as catalog;
use crate::training::certifications::model::{
    self as certifications, CertificationRow, NewCertification,
};
use crate::training::lifecycle;
use crate::training::sessions::model::{
    self as sessions, EnrollmentChanges, EnrollmentRow, NewSession, SessionChanges, SessionRow,
    SessionWithSeats,
};
use crate::training::sessions::payloads::{CreateSession, UpdateEnrollment, UpdateSession};

fn capacity(value: i32) -> Result<i32, String> {
    validation::within(value, 1..=1000)
}

/// Schedules a session.
pub async fn create_session(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateSession,
) -> Result<SessionRow, AppError> {
    let mut errors = Errors::default();
    let location = errors.check("location", validation::text(&input.location, 200));
    let instructor = errors.check(
        "instructor",
        validation::optional_text(input.instructor.as_deref(), 200),
    );
    let capacity = errors.check("capacity", capacity(input.capacity));
    errors.check("starts_on", dates::plausible(input.starts_on));
    errors.check("ends_on", dates::plausible(input.ends_on));
    if input.ends_on < input.starts_on {
        errors.add("ends_on", "must be on or after starts_on");
    }
    let (Some(location), Some(instructor), Some(capacity)) = (location, instructor, capacity)
    else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = sessions::insert_session(
            conn,
            &NewSession {
                id: TrainingSessionId::generate(),
                course_id: input.course_id,
                starts_on: input.starts_on,
                ends_on: input.ends_on,
                location,
                instructor,
                capacity,
            },
        )
        .await?;
        AuditEvent::new(Action::TrainingSessionCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "course_id": row.course_id }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Applies a merge patch to a session: dates stay ordered, capacity never drops below the
/// seats taken, and status moves only along the session lifecycle.
pub async fn update_session(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: TrainingSessionId,
    if_match: IfMatch,
    patch: UpdateSession,
    today: NaiveDate,
) -> Result<SessionWithSeats, AppError> {
    let mut errors = Errors::default();
    let starts_on = not_null(&mut errors, "starts_on", patch.starts_on)
        .and_then(|d| errors.check("starts_on", dates::plausible(d)));
    let ends_on = not_null(&mut errors, "ends_on", patch.ends_on)
        .and_then(|d| errors.check("ends_on", dates::plausible(d)));
    let location = not_null(&mut errors, "location", patch.location)
        .and_then(|v| errors.check("location", validation::text(&v, 200)));
    // Outer `None`: leave alone (or invalid, which `finish` reports); `Some(None)`: clear.
    let instructor = match patch.instructor {
        Some(value) => errors.check(
            "instructor",
            validation::optional_text(value.as_deref(), 200),
        ),
        None => None,
    };
    let new_capacity = not_null(&mut errors, "capacity", patch.capacity)
        .and_then(|v| errors.check("capacity", capacity(v)));
    let status = not_null(&mut errors, "status", patch.status);
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = sessions::lock_session(conn, id)
            .await
            .or_not_found("training session")?;
        if_match.check(current.version)?;
        let seats = sessions::count_seats(conn, id).await?;
        let mut errors = Errors::default();
        if ends_on.unwrap_or(current.ends_on) < starts_on.unwrap_or(current.starts_on) {
            errors.add("ends_on", "must be on or after starts_on");
        }
        if new_capacity.is_some_and(|c| i64::from(c) < seats) {
            errors.add(
                "capacity",
                format!("must not be below the {seats} seats already taken"),
            );
        }
        errors.finish()?;
        if let Some(status) = status {
            lifecycle::session_transition(current.status, status).map_err(AppError::Conflict)?;
            let ends = ends_on.unwrap_or(current.ends_on);
            if status == SessionStatus::Completed && current.status != status && ends > today {
                return Err(AppError::Conflict(format!(
                    "the session ends on {ends}; it can be completed from that day on"
                )));
            }
        }
        let changes = SessionChanges {
            starts_on: starts_on.filter(|v| *v != current.starts_on),
            ends_on: ends_on.filter(|v| *v != current.ends_on),
            location: location.filter(|v| *v != current.location),
            instructor: instructor.filter(|v| *v != current.instructor),
            capacity: new_capacity.filter(|v| *v != current.capacity),
            status: status.filter(|v| *v != current.status),
        };
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok((current, seats));
        }
        let row = sessions::update_session(conn, id, &changes).await?;
        AuditEvent::new(Action::TrainingSessionUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields, "status": row.status }))
            .record(conn, meta)
            .await?;
        Ok((row, seats))
    })
    .await
}

/// Only a scheduled session takes enrollments.
fn check_open(session: &SessionRow) -> Result<(), AppError> {
    if session.status == SessionStatus::Scheduled {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "the session is {}; only a scheduled session takes enrollments",
            session.status
        )))
    }
}

/// Whether the (locked) session can take one more enrollment, and if not, why.
async fn check_seat(conn: &mut AsyncPgConnection, session: &SessionRow) -> Result<(), AppError> {
    check_open(session)?;
    let seats = sessions::count_seats(conn, session.id).await?;
    if seats >= i64::from(session.capacity) {
        return Err(AppError::Conflict(format!(
            "the session is full: {seats} of {} seats are taken",
            session.capacity
        )));
    }
    Ok(())
}

/// Enrolls a person. The session row is locked while seats are counted, so concurrent
/// enrollments never take more seats than there are.
pub async fn enroll(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    session_id: TrainingSessionId,
    personnel_id: PersonnelId,
) -> Result<EnrollmentRow, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let session = sessions::lock_session(conn, session_id)
            .await
            .or_not_found("training session")?;
        check_open(&session)?;
        let person = match personnel::lock(conn, personnel_id).await {
            Ok(person) => person,
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::invalid(
                    "personnel_id",
                    "no personnel record with this id",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        if person.status == PersonnelStatus::Separated {
            return Err(AppError::invalid(
                "personnel_id",
                "this person is separated and cannot be enrolled",
            ));
        }
        check_seat(conn, &session).await?;
        let row = sessions::insert_enrollment(conn, session_id, personnel_id).await?;
        AuditEvent::new(Action::EnrollmentCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "session_id": session_id, "personnel_id": personnel_id }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Changes an enrollment. Completing a certifying course issues the certification in the
/// same transaction: issued on the session's last day, expiring after the type's validity.
pub async fn update_enrollment(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: EnrollmentId,
    if_match: IfMatch,
    patch: UpdateEnrollment,
    today: CityDay,
) -> Result<(EnrollmentRow, Option<CertificationRow>), AppError> {
    let mut errors = Errors::default();
    let status = not_null(&mut errors, "status", patch.status);
    errors.finish()?;
    let session_id = sessions::find_enrollment(conn, id)
        .await
        .or_not_found("enrollment")?
        .session_id;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        // Session first, then enrollment: the order `enroll` takes its locks in.
        let session = sessions::lock_session(conn, session_id).await?;
        let current = sessions::lock_enrollment(conn, id).await?;
        if_match.check(current.version)?;
        let course = catalog::find_course(conn, session.course_id).await?;
        if let Some(Some(hours)) = patch.hours_credited
            && !(hours.is_finite() && (0.0..=course.hours).contains(&hours))
        {
            return Err(AppError::invalid(
                "hours_credited",
                format!("must be between 0 and the course's {} hours", course.hours),
            ));
        }
        let to = status.unwrap_or(current.status);
        lifecycle::enrollment_transition(current.status, to).map_err(AppError::Conflict)?;
        let moving = to != current.status;
        if moving && to != EnrollmentStatus::Withdrawn && session.status == SessionStatus::Cancelled
        {
            return Err(AppError::Conflict("the session is cancelled".into()));
        }
        if moving && to == EnrollmentStatus::Enrolled {
            check_seat(conn, &session).await?;
        }
        let completing = moving && to == EnrollmentStatus::Completed;
        if completing && session.ends_on > today.date {
            return Err(AppError::Conflict(format!(
                "the session ends on {}; completion can be recorded from that day on",
                session.ends_on
            )));
        }
        let hours_credited = match patch.hours_credited {
            Some(hours) => Some(hours),
            None if completing && current.hours_credited.is_none() => Some(Some(course.hours)),
            None => None,
        };
        let changes = EnrollmentChanges {
            status: moving.then_some(to),
            hours_credited: hours_credited.filter(|h| *h != current.hours_credited),
        };
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok((current, None));
        }
        let row = sessions::update_enrollment(conn, id, &changes).await?;
        AuditEvent::new(Action::EnrollmentUpdate)
            .by(actor)
            .resource(id)
            .details(
                serde_json::json!({ "changed": fields, "from": current.status, "to": row.status }),
            )
            .record(conn, meta)
            .await?;
        let issued = match (completing, course.certification_type_id) {
            (true, Some(type_id)) => {
                Some(issue_certificate(conn, actor, meta, &row, &session, type_id, today).await?)
            }
            _ => None,
        };
        Ok((row, issued))
    })
    .await
}

async fn issue_certificate(
    conn: &mut Tx<'_>,
    actor: &Caller,
    meta: &RequestMeta,
    enrollment: &EnrollmentRow,
    session: &SessionRow,
    type_id: CertificationTypeId,
    today: CityDay,
) -> Result<CertificationRow, AppError> {
    let kind = catalog::find_type(conn, type_id).await?;
    let issued_on = session.ends_on;
    let row = certifications::insert(
        conn,
        &NewCertification {
            id: CertificationId::generate(),
            personnel_id: enrollment.personnel_id,
            certification_type_id: type_id,
            certificate_number: format!("{}-{}", kind.code, enrollment.id),
            issued_on,
            expires_on: lifecycle::default_expiry(issued_on, kind.validity_months),
            enrollment_id: Some(enrollment.id),
        },
    )
    .await?;
    refresh_cit_flags(conn, &[row.personnel_id], today.zone_name()).await?;
    AuditEvent::new(Action::CertificationIssue)
        .by(actor)
        .resource(row.id)
        .details(serde_json::json!({
            "personnel_id": row.personnel_id,
            "certification_type_id": type_id,
            "enrollment_id": enrollment.id,
        }))
        .record(conn, meta)
        .await?;
    Ok(row)
}
