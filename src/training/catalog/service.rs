//! Creating and changing certification types and courses.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent, ChangedFields};
use crate::auth::Caller;
use crate::calls::model::refresh_cit_flags;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::http::etag::IfMatch;
use crate::ids::{CertificationTypeId, CourseId};
use crate::validation::{self, Errors, not_null};

use crate::training::catalog::model::{
    self as catalog, CertificationTypeChanges, CertificationTypeRow, CourseChanges, CourseRow,
    NewCertificationType, NewCourse,
};
use crate::training::catalog::payloads::{
    CreateCertificationType, CreateCourse, UpdateCertificationType, UpdateCourse,
};

const TYPE_CODE_EXTRA: &str = "_";
const COURSE_CODE_EXTRA: &str = "-_";

fn validity(months: i32) -> Result<i32, String> {
    validation::within(months, 1..=600)
}

fn hours(value: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 && value <= 1000.0 {
        Ok(value)
    } else {
        Err("must be above 0 and at most 1000".into())
    }
}

/// Creates a certification type.
pub async fn create_type(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateCertificationType,
) -> Result<CertificationTypeRow, AppError> {
    let mut errors = Errors::default();
    let code = errors.check("code", validation::code(&input.code, TYPE_CODE_EXTRA, 32));
    let name = errors.check("name", validation::text(&input.name, 200));
    let issuer = errors.check("issuer", validation::text(&input.issuer, 200));
    let validity_months = input
        .validity_months
        .map(|m| errors.check("validity_months", validity(m)));
    let (Some(code), Some(name), Some(issuer)) = (code, name, issuer) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = catalog::insert_type(
            conn,
            &NewCertificationType {
                id: CertificationTypeId::generate(),
                code,
                name,
                issuer,
                counts_as_cit: input.counts_as_cit,
                validity_months: validity_months.flatten(),
            },
        )
        .await?;
        AuditEvent::new(Action::CertificationTypeCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "code": row.code }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Applies a merge patch to a certification type.
pub async fn update_type(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: CertificationTypeId,
    if_match: IfMatch,
    patch: UpdateCertificationType,
    zone: &str,
) -> Result<CertificationTypeRow, AppError> {
    let mut errors = Errors::default();
    let code = not_null(&mut errors, "code", patch.code)
        .and_then(|v| errors.check("code", validation::code(&v, TYPE_CODE_EXTRA, 32)));
    let name = not_null(&mut errors, "name", patch.name)
        .and_then(|v| errors.check("name", validation::text(&v, 200)));
    let issuer = not_null(&mut errors, "issuer", patch.issuer)
        .and_then(|v| errors.check("issuer", validation::text(&v, 200)));
    let counts_as_cit = not_null(&mut errors, "counts_as_cit", patch.counts_as_cit);
    let validity_months = match patch.validity_months {
        Some(Some(months)) => errors.check("validity_months", validity(months)).map(Some),
        other => other,
    };
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = catalog::find_type_for_update(conn, id)
            .await
            .or_not_found("certification type")?;
        if_match.check(current.version)?;
        let changes = CertificationTypeChanges {
            code: code.filter(|v| *v != current.code),
            name: name.filter(|v| *v != current.name),
            issuer: issuer.filter(|v| *v != current.issuer),
            counts_as_cit: counts_as_cit.filter(|v| *v != current.counts_as_cit),
            validity_months: validity_months.filter(|v| *v != current.validity_months),
        };
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok(current);
        }
        let row = catalog::update_type(conn, id, &changes).await?;
        if changes.counts_as_cit.is_some() {
            // Whether this type makes its holders CIT changed: so did the calls they answered.
            let holders = catalog::holders_of(conn, id).await?;
            refresh_cit_flags(conn, &holders, zone).await?;
        }
        AuditEvent::new(Action::CertificationTypeUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Creates a course.
pub async fn create_course(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateCourse,
) -> Result<CourseRow, AppError> {
    let mut errors = Errors::default();
    let code = errors.check("code", validation::code(&input.code, COURSE_CODE_EXTRA, 32));
    let title = errors.check("title", validation::text(&input.title, 200));
    let hours = errors.check("hours", hours(input.hours));
    let provider = errors.check("provider", validation::text(&input.provider, 200));
    let (Some(code), Some(title), Some(hours), Some(provider)) = (code, title, hours, provider)
    else {
        return Err(errors.into_error());
    };
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let row = catalog::insert_course(
            conn,
            &NewCourse {
                id: CourseId::generate(),
                code,
                title,
                hours,
                provider,
                certification_type_id: input.certification_type_id,
            },
        )
        .await?;
        AuditEvent::new(Action::CourseCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({ "code": row.code }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Applies a merge patch to a course.
pub async fn update_course(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: CourseId,
    if_match: IfMatch,
    patch: UpdateCourse,
) -> Result<CourseRow, AppError> {
    let mut errors = Errors::default();
    let code = not_null(&mut errors, "code", patch.code)
        .and_then(|v| errors.check("code", validation::code(&v, COURSE_CODE_EXTRA, 32)));
    let title = not_null(&mut errors, "title", patch.title)
        .and_then(|v| errors.check("title", validation::text(&v, 200)));
    let new_hours =
        not_null(&mut errors, "hours", patch.hours).and_then(|v| errors.check("hours", hours(v)));
    let provider = not_null(&mut errors, "provider", patch.provider)
        .and_then(|v| errors.check("provider", validation::text(&v, 200)));
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = catalog::find_course_for_update(conn, id)
            .await
            .or_not_found("course")?;
        if_match.check(current.version)?;
        let changes = CourseChanges {
            code: code.filter(|v| *v != current.code),
            title: title.filter(|v| *v != current.title),
            hours: new_hours.filter(|v| (*v - current.hours).abs() > f64::EPSILON),
            provider: provider.filter(|v| *v != current.provider),
            certification_type_id: patch
                .certification_type_id
                .filter(|v| *v != current.certification_type_id),
        };
        let fields = changes.fields();
        if fields.is_empty() {
            return Ok(current);
        }
        let row = catalog::update_course(conn, id, &changes).await?;
        AuditEvent::new(Action::CourseUpdate)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "changed": fields }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}
