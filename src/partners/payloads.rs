//! Request and response bodies of the partner endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::MouStatus;
use crate::http::csv::{CsvRow, cell};
use crate::ids::{PartnerId, ServiceId};
use crate::validation::present;

/// A telephone number of a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneBody {
    /// The number as dialled, e.g. `988` or `+1 217 555 0100`.
    #[schema(example = "+1 217 555 0100")]
    pub number: String,
    /// What the number is for, e.g. `24-hour crisis line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A partner's street address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    /// Street and number.
    #[schema(example = "200 S Main St")]
    pub address_1: String,
    /// City.
    #[schema(example = "Springfield")]
    pub city: String,
    /// State or province.
    #[schema(example = "IL")]
    pub state_province: String,
    /// Postal code.
    #[schema(example = "62701")]
    pub postal_code: String,
    /// ISO 3166-1 two-letter country code.
    #[schema(example = "US")]
    pub country: String,
}

/// A service a partner offers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceBody {
    /// Service id (also its id in the HSDS API).
    pub id: ServiceId,
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Categories, e.g. `crisis`, `housing`, `substance_use`.
    pub categories: Vec<String>,
    /// Who may use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<String>,
    /// When it is open, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// Whether it takes referrals from the program.
    pub accepts_referrals: bool,
}

/// A community partner. The public (no token, or a role that does not edit partners) sees the
/// directory fields only; `mou_status`, `active`, `version` and the times are shown to admins,
/// clinicians and coordinators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerBody {
    /// Partner id (also its organization id in the HSDS API).
    pub id: PartnerId,
    /// Name.
    pub name: String,
    /// What the organization does.
    pub description: String,
    /// Web site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone numbers.
    pub phones: Vec<PhoneBody>,
    /// Street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressBody>,
    /// Services offered (withdrawn ones left out).
    pub services: Vec<ServiceBody>,
    /// Internal: the memorandum of understanding's state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mou_status: Option<MouStatus>,
    /// Internal: whether the partner is in the public directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Internal: version for `If-Match`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// Internal: made at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Internal: last changed at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl CsvRow for PartnerBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "description",
        "website",
        "email",
        "phones",
        "address",
        "services",
        "mou_status",
        "active",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        let phones: Vec<String> = self.phones.iter().map(|p| p.number.clone()).collect();
        let services: Vec<String> = self.services.iter().map(|s| s.name.clone()).collect();
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.description.clone(),
            cell(self.website.as_ref()),
            cell(self.email.as_ref()),
            phones.join("; "),
            self.address.as_ref().map_or_else(String::new, |a| {
                format!(
                    "{}, {}, {} {}, {}",
                    a.address_1, a.city, a.state_province, a.postal_code, a.country
                )
            }),
            services.join("; "),
            cell(self.mou_status),
            cell(self.active),
            cell(self.version),
        ]
    }
}

/// A service as sent: with the `id` of one the partner offers already to change it, without
/// to add a new one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// The service to change; absent for a new one.
    pub id: Option<ServiceId>,
    /// Name.
    #[schema(example = "24-hour crisis line")]
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// Categories (lower-case words, e.g. `crisis`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Who may use it.
    #[serde(default)]
    pub eligibility: Option<String>,
    /// When it is open, in words.
    #[serde(default)]
    pub hours: Option<String>,
    /// Whether it takes referrals (default true).
    #[serde(default)]
    pub accepts_referrals: Option<bool>,
}

/// `POST /api/v1/partners`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePartner {
    /// Name (unique).
    #[schema(example = "County Crisis Line")]
    pub name: String,
    /// What the organization does.
    #[serde(default)]
    pub description: Option<String>,
    /// Web site (`http` or `https`).
    #[serde(default)]
    pub website: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone numbers.
    #[serde(default)]
    pub phones: Vec<PhoneBody>,
    /// Street address.
    #[serde(default)]
    pub address: Option<AddressBody>,
    /// Services offered.
    #[serde(default)]
    pub services: Vec<ServiceInput>,
    /// The memorandum of understanding's state (default `none`).
    #[serde(default)]
    pub mou_status: Option<MouStatus>,
    /// In the public directory (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// `PATCH /api/v1/partners/{id}` (JSON merge patch). `phones` and `services` replace the lists:
/// a service sent with its `id` is changed, one without is added, and one left out is withdrawn
/// (kept for the referrals that name it, gone from every list).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePartner {
    /// Name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Description; `null` empties it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Web site, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Email, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The whole list of phones.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<PhoneBody>>)]
    pub phones: Option<Option<Vec<PhoneBody>>>,
    /// Address, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AddressBody>)]
    pub address: Option<Option<AddressBody>>,
    /// The whole list of services.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<ServiceInput>>)]
    pub services: Option<Option<Vec<ServiceInput>>>,
    /// MOU status.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<MouStatus>)]
    pub mou_status: Option<Option<MouStatus>>,
    /// In the public directory.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

/// Query of `GET /api/v1/partners`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// Words in the name, the description or a service's name or category.
    #[param(pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Partners offering a service of this category.
    pub category: Option<String>,
    /// Admins, clinicians and coordinators only: `false` lists the inactive partners
    /// (default: active ones; the public always sees active ones only).
    pub active: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
