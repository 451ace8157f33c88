//! Open Referral HSDS 3.0 objects, with the specification's field names. An absent value is
//! left out, never `null` (the published schemas do not allow `null`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `GET /hsds/`: what this API is.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsInfo {
    /// The HSDS version served.
    #[schema(example = "3.0")]
    pub version: String,
    /// Where this API's OpenAPI document is.
    pub openapi_url: String,
}

/// A page of an HSDS list (the specification's `Page`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsPage<T> {
    /// How many items the whole list holds.
    pub total_items: i64,
    /// How many pages of `size` that makes.
    pub total_pages: i64,
    /// This page's number, from 1.
    pub page_number: i64,
    /// The page size asked for (`per_page`).
    pub size: i64,
    /// This is the first page.
    pub first_page: bool,
    /// This is the last page.
    pub last_page: bool,
    /// This page holds nothing.
    pub empty: bool,
    /// The items.
    pub contents: Vec<T>,
}

/// An organization as listed (one-to-one fields only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HsdsOrganizationBrief {
    /// Id (the partner's id).
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Web site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// An organization with its phones, location and services (`GET /hsds/organizations/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsOrganization {
    /// The one-to-one fields.
    #[serde(flatten)]
    pub brief: HsdsOrganizationBrief,
    /// Telephone numbers.
    pub phones: Vec<HsdsPhone>,
    /// Where it is (its street address, when known).
    pub locations: Vec<HsdsLocation>,
    /// Its services, as listed.
    pub services: Vec<HsdsServiceBrief>,
}

/// A telephone number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HsdsPhone {
    /// Id (derived from the organization and the number's place; stable while the list is).
    pub id: Uuid,
    /// Its organization.
    pub organization_id: Uuid,
    /// The number.
    pub number: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A physical location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HsdsLocation {
    /// Id (derived from the organization).
    pub id: Uuid,
    /// Always `physical`.
    pub location_type: String,
    /// Its organization.
    pub organization_id: Uuid,
    /// Its address.
    pub addresses: Vec<HsdsAddress>,
}

/// A postal address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HsdsAddress {
    /// Id (derived from the organization).
    pub id: Uuid,
    /// Its location.
    pub location_id: Uuid,
    /// Street.
    pub address_1: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state_province: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// Always `physical`.
    pub address_type: String,
}

/// A service as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HsdsServiceBrief {
    /// Id (the service's id in cit-api).
    pub id: Uuid,
    /// Its organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `active`.
    pub status: String,
    /// Who may use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility_description: Option<String>,
    /// When it last changed.
    pub last_modified: DateTime<Utc>,
}

/// A service in the `GET /hsds/services` list: with its organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsServiceListItem {
    /// The service.
    #[serde(flatten)]
    pub service: HsdsServiceBrief,
    /// Its organization.
    pub organization: HsdsOrganizationBrief,
}

/// A service in full (`GET /hsds/services/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsService {
    /// The service.
    #[serde(flatten)]
    pub service: HsdsServiceBrief,
    /// Its organization, with phones and location.
    pub organization: HsdsOrganizationBrief,
    /// The organization's phones.
    pub phones: Vec<HsdsPhone>,
    /// Its hours, in words.
    pub schedules: Vec<HsdsSchedule>,
    /// Where it is given.
    pub service_at_locations: Vec<HsdsServiceAtLocation>,
    /// Its categories, as taxonomy terms of the `cit-api` taxonomy.
    pub attributes: Vec<HsdsAttribute>,
}

/// Opening hours in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsSchedule {
    /// Id (derived from the service).
    pub id: Uuid,
    /// Its service.
    pub service_id: Uuid,
    /// The hours.
    pub description: String,
}

/// A service given at a location.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsServiceAtLocation {
    /// Id (derived from the service).
    pub id: Uuid,
    /// The service.
    pub service_id: Uuid,
    /// The location.
    pub location_id: Uuid,
    /// The location itself.
    pub location: HsdsLocation,
}

/// A category of a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsAttribute {
    /// Id (derived from the service and the category).
    pub id: Uuid,
    /// The service.
    pub link_id: Uuid,
    /// `service`.
    pub link_type: String,
    /// `service`.
    pub link_entity: String,
    /// The term's id.
    pub taxonomy_term_id: Uuid,
    /// The term.
    pub taxonomy_term: HsdsTaxonomyTerm,
}

/// A term of the `cit-api` taxonomy (the partners' service categories).
#[derive(Debug, Serialize, ToSchema)]
pub struct HsdsTaxonomyTerm {
    /// Id (derived from the code: the same category has the same id everywhere).
    pub id: Uuid,
    /// The category, e.g. `substance_use`.
    pub code: String,
    /// In words.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// `cit-api`.
    pub taxonomy: String,
    /// The `cit-api` taxonomy's id (`taxonomy_id` of `/hsds/services`).
    pub taxonomy_id: Uuid,
}

/// Paging and search of `GET /hsds/organizations`, with the parameters of the HSDS 3.0 API.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
    /// Words in the name or description.
    #[param(pattern = r"^[^\u0000]*$")]
    pub search: Option<String>,
    /// Only organizations changed after this instant (RFC 3339).
    pub modified_after: Option<DateTime<Utc>>,
    /// `json`, the only format served.
    pub format: Option<HsdsFormat>,
    /// Accepted for HSDS clients; the list always gives the one-to-one fields.
    pub full: Option<bool>,
    /// Accepted for HSDS clients; the list always gives the one-to-one fields.
    pub full_service: Option<bool>,
}

/// Paging, search and filters of `GET /hsds/services`, with the parameters of the HSDS 3.0 API.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
    /// Words in the service's name or description.
    #[param(pattern = r"^[^\u0000]*$")]
    pub search: Option<String>,
    /// Only this organization's services.
    pub organization_id: Option<Uuid>,
    /// Only services of this category (a taxonomy term id from `attributes`).
    pub taxonomy_term_id: Option<Uuid>,
    /// Only services with terms of this taxonomy (`cit-api`'s id, from `attributes`).
    pub taxonomy_id: Option<Uuid>,
    /// Only services changed (or whose organization changed) after this instant (RFC 3339).
    pub modified_after: Option<DateTime<Utc>>,
    /// `json`, the only format served.
    pub format: Option<HsdsFormat>,
    /// Accepted for HSDS clients; the list always gives the one-to-one fields.
    pub minimal: Option<bool>,
    /// Accepted for HSDS clients; the list always gives the one-to-one fields.
    pub full: Option<bool>,
}

/// The formats an HSDS list is served in.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum HsdsFormat {
    /// JSON.
    #[serde(rename = "json")]
    Json,
}
