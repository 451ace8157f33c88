//! Recording certificates earned elsewhere, and revoking certificates.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::calls::model::refresh_cit_flags;
use crate::clock::CityDay;
use crate::db::tx::Tx;
use crate::error::{AppError, OrNotFound};
use crate::http::context::RequestMeta;
use crate::ids::CertificationId;
use crate::validation::{self, Errors};

use crate::training::catalog::model as catalog;
use crate::training::certifications::model::{
    self as certifications, CertificationRow, NewCertification,
};
use crate::training::certifications::payloads::CreateCertification;
use crate::training::lifecycle;

/// Records a certificate earned outside our own sessions.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    input: CreateCertification,
    today: CityDay,
) -> Result<CertificationRow, AppError> {
    let mut errors = Errors::default();
    let number = errors.check(
        "certificate_number",
        validation::text(&input.certificate_number, 64),
    );
    errors.check("issued_on", crate::dates::plausible(input.issued_on));
    if let Some(expires) = input.expires_on {
        errors.check("expires_on", crate::dates::plausible(expires));
    }
    if input.issued_on > today.date {
        errors.add("issued_on", "must not be in the future");
    }
    if input.expires_on.is_some_and(|e| e <= input.issued_on) {
        errors.add("expires_on", "must be after issued_on");
    }
    let Some(number) = number else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let kind = match catalog::find_type(conn, input.certification_type_id).await {
            Ok(kind) => kind,
            Err(diesel::result::Error::NotFound) => {
                return Err(AppError::invalid(
                    "certification_type_id",
                    "no certification type with this id",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        let expires_on = input
            .expires_on
            .or_else(|| lifecycle::default_expiry(input.issued_on, kind.validity_months));
        let row = certifications::insert(
            conn,
            &NewCertification {
                id: CertificationId::generate(),
                personnel_id: input.personnel_id,
                certification_type_id: kind.id,
                certificate_number: number,
                issued_on: input.issued_on,
                expires_on,
                enrollment_id: None,
            },
        )
        .await?;
        // Calls this person answered on the days it covers now count as CIT on scene.
        refresh_cit_flags(conn, &[row.personnel_id], today.zone_name()).await?;
        AuditEvent::new(Action::CertificationCreate)
            .by(actor)
            .resource(row.id)
            .details(serde_json::json!({
                "personnel_id": row.personnel_id,
                "certification_type_id": row.certification_type_id,
            }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}

/// Revokes a certificate; the record and the reason stay.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    actor: &Caller,
    meta: &RequestMeta,
    id: CertificationId,
    reason: &str,
    now: DateTime<Utc>,
    zone: &str,
) -> Result<CertificationRow, AppError> {
    let reason =
        validation::text(reason, 500).map_err(|message| AppError::invalid("reason", message))?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let conn = &mut Tx::of(conn)?;
        let current = certifications::lock(conn, id)
            .await
            .or_not_found("certification")?;
        if current.revoked_at.is_some() {
            return Err(AppError::Conflict(
                "the certification is already revoked".into(),
            ));
        }
        let row = certifications::revoke(conn, id, &reason, actor.user_id(), now).await?;
        refresh_cit_flags(conn, &[row.personnel_id], zone).await?;
        AuditEvent::new(Action::CertificationRevoke)
            .by(actor)
            .resource(id)
            .details(serde_json::json!({ "personnel_id": row.personnel_id }))
            .record(conn, meta)
            .await?;
        Ok(row)
    })
    .await
}
