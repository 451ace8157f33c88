//! Partners and services as HSDS 3.0 objects. Records that HSDS names but cit-api keeps on
//! the partner (phones, the address as a location, hours as a schedule, categories as taxonomy
//! terms) get ids derived from their owner's id and their place, so a consumer syncing the
//! directory sees the same id for the same thing on every read.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, OrNotFound};
use crate::ids::{PartnerId, ServiceId};
use crate::partners::model::{self as partners, PartnerRow, ServiceRow};

use super::model;
use super::payloads::{
    HsdsAddress, HsdsAttribute, HsdsLocation, HsdsOrganization, HsdsOrganizationBrief, HsdsPage,
    HsdsPhone, HsdsSchedule, HsdsService, HsdsServiceAtLocation, HsdsServiceBrief,
    HsdsServiceListItem, HsdsTaxonomyTerm,
};

/// The taxonomy the partners' categories form.
const TAXONOMY: &str = "cit-api";

/// A stable id for a record HSDS names that cit-api keeps inside another: a UUIDv8 of the
/// SHA-256 of the owner's id and what the record is.
pub fn derived_id(owner: Uuid, what: &str) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(owner.as_bytes());
    hash.update(what.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::new_v8(bytes)
}

/// The id of the `cit-api` taxonomy (its terms are the partners' service categories).
pub fn taxonomy_id() -> Uuid {
    derived_id(Uuid::nil(), TAXONOMY)
}

/// The taxonomy term id of a category (the same everywhere).
pub fn term_id(category: &str) -> Uuid {
    derived_id(Uuid::nil(), &format!("{TAXONOMY}:category:{category}"))
}

/// A page request: page from 1, `per_page` 1–500.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// Page number, from 1.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

impl Paging {
    /// Checks `page` and `per_page` (422 naming the parameter).
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Result<Self, AppError> {
        let bad = |field: &str, message: &str| AppError::invalid(field, message);
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if !(1..=1_000_000).contains(&page) {
            return Err(bad("page", "must be between 1 and 1000000"));
        }
        if !(1..=500).contains(&per_page) {
            return Err(bad("per_page", "must be between 1 and 500"));
        }
        Ok(Self { page, per_page })
    }

    fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    fn wrap<T>(self, total: i64, contents: Vec<T>) -> HsdsPage<T> {
        let total_pages = (total + self.per_page - 1) / self.per_page;
        HsdsPage {
            total_items: total,
            total_pages,
            page_number: self.page,
            size: self.per_page,
            first_page: self.page == 1,
            last_page: self.page >= total_pages,
            empty: contents.is_empty(),
            contents,
        }
    }
}

fn brief(p: &PartnerRow) -> HsdsOrganizationBrief {
    HsdsOrganizationBrief {
        id: p.id.uuid(),
        name: p.name.clone(),
        description: p.description.clone(),
        email: p.email.clone(),
        website: p.website.clone(),
    }
}

fn phones(p: &PartnerRow) -> Vec<HsdsPhone> {
    p.phones
        .0
        .iter()
        .enumerate()
        .map(|(i, phone)| HsdsPhone {
            id: derived_id(p.id.uuid(), &format!("phone:{i}")),
            organization_id: p.id.uuid(),
            number: phone.number.clone(),
            description: phone.description.clone(),
        })
        .collect()
}

fn location(p: &PartnerRow) -> Option<HsdsLocation> {
    let address = p.address.as_ref()?;
    let id = derived_id(p.id.uuid(), "location");
    Some(HsdsLocation {
        id,
        location_type: "physical".into(),
        organization_id: p.id.uuid(),
        addresses: vec![HsdsAddress {
            id: derived_id(p.id.uuid(), "address"),
            location_id: id,
            address_1: address.0.address_1.clone(),
            city: address.0.city.clone(),
            state_province: address.0.state_province.clone(),
            postal_code: address.0.postal_code.clone(),
            country: address.0.country.clone(),
            address_type: "physical".into(),
        }],
    })
}

fn service_brief(s: &ServiceRow, p: &PartnerRow) -> HsdsServiceBrief {
    HsdsServiceBrief {
        id: s.id.uuid(),
        organization_id: s.partner_id.uuid(),
        name: s.name.clone(),
        description: Some(s.description.clone()).filter(|d| !d.is_empty()),
        status: "active".into(),
        eligibility_description: s.eligibility.clone(),
        last_modified: s.updated_at.max(p.updated_at),
    }
}

/// A page of active partners.
pub async fn organizations(
    conn: &mut AsyncPgConnection,
    filter: &model::Filter<'_>,
    paging: Paging,
) -> Result<HsdsPage<HsdsOrganizationBrief>, AppError> {
    let (rows, total) =
        model::partners_page(conn, filter, paging.per_page, paging.offset()).await?;
    let contents = rows.iter().map(|r| brief(&r.partner)).collect();
    Ok(paging.wrap(total, contents))
}

/// One active partner with its phones, location and services.
pub async fn organization(
    conn: &mut AsyncPgConnection,
    id: PartnerId,
) -> Result<HsdsOrganization, AppError> {
    let (partner, services) = partners::find_with_services(conn, id)
        .await
        .or_not_found("organization")?;
    if !partner.active {
        return Err(AppError::NotFound("no organization with this id".into()));
    }
    let services = services.0;
    Ok(HsdsOrganization {
        brief: brief(&partner),
        phones: phones(&partner),
        locations: location(&partner).into_iter().collect(),
        services: services
            .iter()
            .map(|s| service_brief(s, &partner))
            .collect(),
    })
}

/// A page of the live services of active partners; `term` (a category's taxonomy term id)
/// and `taxonomy` (the taxonomy's id) narrow it.
pub async fn services(
    conn: &mut AsyncPgConnection,
    filter: model::Filter<'_>,
    term: Option<Uuid>,
    taxonomy: Option<Uuid>,
    paging: Paging,
) -> Result<HsdsPage<HsdsServiceListItem>, AppError> {
    if taxonomy.is_some_and(|id| id != taxonomy_id()) {
        // Only the `cit-api` taxonomy exists here.
        return Ok(paging.wrap(0, Vec::new()));
    }
    let category = match term {
        None => None,
        Some(term) => {
            let known = model::categories(conn).await?;
            match known.into_iter().find(|c| term_id(c) == term) {
                Some(category) => Some(category),
                // No service has this category: an empty page.
                None => return Ok(paging.wrap(0, Vec::new())),
            }
        }
    };
    let filter = model::Filter {
        category: category.as_deref(),
        ..filter
    };
    let (rows, total) =
        model::services_page(conn, &filter, paging.per_page, paging.offset()).await?;
    let mut ids: Vec<PartnerId> = rows.iter().map(|r| r.service.partner_id).collect();
    ids.sort();
    ids.dedup();
    let owners: HashMap<PartnerId, PartnerRow> = if ids.is_empty() {
        HashMap::new()
    } else {
        partners::find_all(conn, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let contents = rows
        .iter()
        .filter_map(|r| {
            let owner = owners.get(&r.service.partner_id)?;
            Some(HsdsServiceListItem {
                service: service_brief(&r.service, owner),
                organization: brief(owner),
            })
        })
        .collect();
    Ok(paging.wrap(total, contents))
}

/// One live service of an active partner, in full.
pub async fn service(conn: &mut AsyncPgConnection, id: ServiceId) -> Result<HsdsService, AppError> {
    let gone = || AppError::NotFound("no service with this id".into());
    let found = partners::find_service(conn, id)
        .await
        .or_not_found("service")?;
    let partner = partners::find(conn, found.partner_id).await?;
    if found.withdrawn_at.is_some() || !partner.active {
        return Err(gone());
    }
    let at = location(&partner);
    Ok(HsdsService {
        service: service_brief(&found, &partner),
        organization: brief(&partner),
        phones: phones(&partner),
        schedules: found
            .hours
            .iter()
            .map(|hours| HsdsSchedule {
                id: derived_id(id.uuid(), "schedule"),
                service_id: id.uuid(),
                description: hours.clone(),
            })
            .collect(),
        service_at_locations: at
            .into_iter()
            .map(|location| HsdsServiceAtLocation {
                id: derived_id(id.uuid(), "service_at_location"),
                service_id: id.uuid(),
                location_id: location.id,
                location,
            })
            .collect(),
        attributes: found
            .categories
            .iter()
            .map(|category| HsdsAttribute {
                id: derived_id(id.uuid(), &format!("category:{category}")),
                link_id: id.uuid(),
                link_type: "service".into(),
                link_entity: "service".into(),
                taxonomy_term_id: term_id(category),
                taxonomy_term: HsdsTaxonomyTerm {
                    id: term_id(category),
                    code: category.clone(),
                    name: category.replace('_', " "),
                    description: format!("Services of the category {}", category.replace('_', " ")),
                    taxonomy: TAXONOMY.into(),
                    taxonomy_id: taxonomy_id(),
                },
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_version_8_uuids() {
        let owner = Uuid::now_v7();
        assert_eq!(derived_id(owner, "phone:0"), derived_id(owner, "phone:0"));
        assert_ne!(derived_id(owner, "phone:0"), derived_id(owner, "phone:1"));
        assert_eq!(derived_id(owner, "location").get_version_num(), 8);
        assert_eq!(term_id("crisis"), term_id("crisis"));
    }

    #[test]
    fn pages_count_from_one() {
        let paging = Paging::new(Some(2), Some(10)).unwrap();
        let page = paging.wrap(25, vec![1; 10]);
        assert_eq!(
            (page.total_pages, page.first_page, page.last_page),
            (3, false, false)
        );
        let last = Paging::new(Some(3), Some(10)).unwrap().wrap(25, vec![1; 5]);
        assert!(last.last_page);
        let none = Paging::new(None, None).unwrap().wrap::<i32>(0, vec![]);
        assert!(none.empty && none.first_page && none.last_page);
        assert_eq!(none.total_pages, 0);
        assert!(Paging::new(Some(0), None).is_err());
        assert!(Paging::new(None, Some(501)).is_err());
    }
}
