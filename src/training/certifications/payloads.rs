//! Request and response bodies of the certification endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::clock::CityDay;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{CertificationId, CertificationTypeId, EnrollmentId, PersonnelId};

use crate::training::certifications::model::CertificationRow;
use crate::training::lifecycle::{CertificationStatus, certification_status};

/// A certification held by a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationBody {
    /// Id.
    pub id: CertificationId,
    /// Holder.
    pub personnel_id: PersonnelId,
    /// Type.
    pub certification_type_id: CertificationTypeId,
    /// Certificate number.
    pub certificate_number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date; `null` = never expires.
    pub expires_on: Option<NaiveDate>,
    /// Status today, derived from the dates and any revocation.
    pub status: CertificationStatus,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    pub revoked_reason: Option<String>,
    /// The enrollment whose completion issued it; `null` for certificates earned elsewhere.
    pub enrollment_id: Option<EnrollmentId>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl CertificationBody {
    /// A row, with its status judged on `today` (a revocation counts from its city day).
    pub fn new(row: CertificationRow, today: CityDay) -> Self {
        let CertificationRow {
            id,
            personnel_id,
            certification_type_id,
            certificate_number,
            issued_on,
            expires_on,
            revoked_at,
            revoked_reason,
            revoked_by: _,
            enrollment_id,
            created_at,
        } = row;
        Self {
            id,
            personnel_id,
            certification_type_id,
            certificate_number,
            issued_on,
            expires_on,
            status: certification_status(
                expires_on,
                revoked_at.map(|at| today.date_of(at)),
                today.date,
            ),
            revoked_at,
            revoked_reason,
            enrollment_id,
            created_at,
        }
    }
}

impl CsvRow for CertificationBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "personnel_id",
        "certification_type_id",
        "certificate_number",
        "issued_on",
        "expires_on",
        "status",
        "revoked_at",
        "revoked_reason",
        "enrollment_id",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.personnel_id.to_string(),
            self.certification_type_id.to_string(),
            self.certificate_number.clone(),
            self.issued_on.to_string(),
            cell(self.expires_on),
            self.status.as_str().to_owned(),
            cell(self.revoked_at.map(|at| at.to_rfc3339())),
            cell(self.revoked_reason.as_ref()),
            cell(self.enrollment_id),
        ]
    }
}

/// `POST /api/v1/certifications`: a certificate earned elsewhere.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCertification {
    /// The holder.
    pub personnel_id: PersonnelId,
    /// The type.
    pub certification_type_id: CertificationTypeId,
    /// Issue date; not in the future.
    #[schema(example = "2025-10-17")]
    pub issued_on: NaiveDate,
    /// The certificate's number; unique per type.
    #[schema(example = "ILETSB-CIT-2025-0042")]
    pub certificate_number: String,
    /// Expiry date after the issue date; defaults to the issue date plus the type's validity.
    pub expires_on: Option<NaiveDate>,
}

/// `POST /api/v1/certifications/{id}/revoke`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeCertification {
    /// Why, 1–500 characters (kept with the record; no health information).
    #[schema(example = "issued in error: duplicate of an earlier certificate")]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Query of `GET /api/v1/certifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificationQuery {
    /// Held by this person.
    pub personnel_id: Option<PersonnelId>,
    /// Of this type.
    pub certification_type_id: Option<CertificationTypeId>,
    /// With this status today.
    pub status: Option<CertificationStatus>,
    /// Active and expiring within this many days (1–3650).
    #[param(minimum = 1, maximum = 3650)]
    pub expiring_within_days: Option<u32>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
