//! Request and response bodies of the catalogue endpoints (certification types, courses).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::csv::{CsvRow, cell};
use crate::ids::{CertificationTypeId, CourseId};
use crate::validation::present;

use crate::training::catalog::model::{CertificationTypeRow, CourseRow};

/// A certification type.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationTypeBody {
    /// Id.
    pub id: CertificationTypeId,
    /// Upper-case code, e.g. `CIT_BASIC`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Issuer, e.g. `ILETSB`.
    pub issuer: String,
    /// Whether holding it makes a person CIT-certified (`cit_certified`, training metrics).
    pub counts_as_cit: bool,
    /// Months a certificate stays valid; `null` = never expires. Changing it does not move the
    /// expiry of certificates already issued.
    pub validity_months: Option<i32>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl From<CertificationTypeRow> for CertificationTypeBody {
    fn from(row: CertificationTypeRow) -> Self {
        let CertificationTypeRow {
            id,
            code,
            name,
            issuer,
            counts_as_cit,
            validity_months,
            version,
            created_at: _,
            updated_at: _,
        } = row;
        Self {
            id,
            code,
            name,
            issuer,
            counts_as_cit,
            validity_months,
            version,
        }
    }
}

impl CsvRow for CertificationTypeBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "issuer",
        "counts_as_cit",
        "validity_months",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.name.clone(),
            self.issuer.clone(),
            self.counts_as_cit.to_string(),
            cell(self.validity_months),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/certification-types`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCertificationType {
    /// 2–32 characters of `A-Z 0-9 _`, starting with a letter; unique.
    #[schema(example = "CIT_JUVENILE")]
    pub code: String,
    /// Name.
    #[schema(example = "CIT for juvenile encounters (24-hour)")]
    pub name: String,
    /// Issuer.
    #[schema(example = "ILETSB")]
    pub issuer: String,
    /// Whether it makes the holder CIT-certified (default false).
    #[serde(default)]
    pub counts_as_cit: bool,
    /// 1–600 months; omit or `null` for no expiry.
    #[schema(minimum = 1, maximum = 600)]
    pub validity_months: Option<i32>,
}

/// `PATCH /api/v1/certification-types/{id}` (merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCertificationType {
    /// New code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    /// New name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// New issuer.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub issuer: Option<Option<String>>,
    /// Counts as CIT.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub counts_as_cit: Option<Option<bool>>,
    /// New validity; `null` = never expires.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub validity_months: Option<Option<i32>>,
}

/// A course.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourseBody {
    /// Id.
    pub id: CourseId,
    /// Code, e.g. `CIT-40`.
    pub code: String,
    /// Title.
    pub title: String,
    /// Length in hours.
    pub hours: f64,
    /// Who teaches it.
    pub provider: String,
    /// The certification completing it grants; `null` = none.
    pub certification_type_id: Option<CertificationTypeId>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl From<CourseRow> for CourseBody {
    fn from(row: CourseRow) -> Self {
        let CourseRow {
            id,
            code,
            title,
            hours,
            provider,
            certification_type_id,
            version,
            created_at: _,
            updated_at: _,
        } = row;
        Self {
            id,
            code,
            title,
            hours,
            provider,
            certification_type_id,
            version,
        }
    }
}

impl CsvRow for CourseBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "title",
        "hours",
        "provider",
        "certification_type_id",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.title.clone(),
            self.hours.to_string(),
            self.provider.clone(),
            cell(self.certification_type_id),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/courses`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    /// 2–32 characters of `A-Z 0-9 - _`; unique.
    #[schema(example = "CIT-JUV-24")]
    pub code: String,
    /// Title.
    #[schema(example = "CIT for juvenile encounters")]
    pub title: String,
    /// Length in hours, above 0 and at most 1000.
    #[schema(example = 24)]
    pub hours: f64,
    /// Who teaches it.
    pub provider: String,
    /// The certification completing it grants.
    pub certification_type_id: Option<CertificationTypeId>,
}

/// `PATCH /api/v1/courses/{id}` (merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourse {
    /// New code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    /// New title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// New length in hours.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub hours: Option<Option<f64>>,
    /// New provider.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub provider: Option<Option<String>>,
    /// New certification granted; `null` = none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub certification_type_id: Option<Option<CertificationTypeId>>,
}
