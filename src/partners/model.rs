//! Partner and service rows and their queries. A page of partners and their services is two
//! statements; a write locks the partner row first, then writes its services by `unnest`.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{
    AsChangeset, BoolExpressionMethods, ExpressionMethods, Insertable, PgTextExpressionMethods,
    QueryDsl, Queryable, QueryableByName, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::enums::MouStatus;
use crate::db::escape_like;
use crate::db::json::Json;
use crate::db::schema::{partner_services, partners};
use crate::db::tx::Tx;
use crate::http::pagination::PageRequest;
use crate::ids::{PartnerId, ServiceId};

use super::payloads::{AddressBody, PhoneBody};

/// A row of `partners`.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = partners, check_for_backend(diesel::pg::Pg))]
pub struct PartnerRow {
    /// Id.
    pub id: PartnerId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Web site.
    pub website: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phones.
    pub phones: Json<Vec<PhoneBody>>,
    /// Address.
    pub address: Option<Json<AddressBody>>,
    /// MOU status.
    pub mou_status: MouStatus,
    /// In the public directory.
    pub active: bool,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A row of `partner_services` (also read from JSON: a partner's live services come with it,
/// [`LiveServices`]).
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable, serde::Deserialize,
)]
#[diesel(table_name = partner_services, check_for_backend(diesel::pg::Pg))]
pub struct ServiceRow {
    /// Id.
    pub id: ServiceId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Place in the partner's list.
    pub position: i32,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Categories.
    pub categories: Vec<String>,
    /// Eligibility.
    pub eligibility: Option<String>,
    /// Hours.
    pub hours: Option<String>,
    /// Takes referrals.
    pub accepts_referrals: bool,
    /// Withdrawn at (gone from every list).
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// A partner to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = partners)]
pub struct NewPartner {
    /// Id.
    pub id: PartnerId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Web site.
    pub website: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phones.
    pub phones: Json<Vec<PhoneBody>>,
    /// Address.
    pub address: Option<Json<AddressBody>>,
    /// MOU status.
    pub mou_status: MouStatus,
    /// Active.
    pub active: bool,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// Changes to a partner's own fields (its services are written separately).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = partners)]
pub struct PartnerChanges {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Web site.
    pub website: Option<Option<String>>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phones.
    pub phones: Option<Json<Vec<PhoneBody>>>,
    /// Address.
    pub address: Option<Option<Json<AddressBody>>>,
    /// MOU status.
    pub mou_status: Option<MouStatus>,
    /// Active.
    pub active: Option<bool>,
}

impl crate::audit::ChangedFields for PartnerChanges {
    fn fields(&self) -> Vec<&'static str> {
        // Exhaustive: a new column must be named here, or this does not compile.
        let Self {
            name,
            description,
            website,
            email,
            phones,
            address,
            mou_status,
            active,
        } = self;
        crate::audit::changed_fields(&[
            ("name", name.is_some()),
            ("description", description.is_some()),
            ("website", website.is_some()),
            ("email", email.is_some()),
            ("phones", phones.is_some()),
            ("address", address.is_some()),
            ("mou_status", mou_status.is_some()),
            ("active", active.is_some()),
        ])
    }
}

/// A partner's live services in list order, read in the partner's own statement.
pub type LiveServices = Json<Vec<ServiceRow>>;

/// The select expression of a partner's live services, as a JSON array of their rows.
fn live_services() -> diesel::expression::SqlLiteral<diesel::sql_types::Jsonb> {
    sql::<diesel::sql_types::Jsonb>(
        "coalesce((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.position) FROM partner_services s \
                    WHERE s.partner_id = partners.id AND s.withdrawn_at IS NULL), '[]')",
    )
}

/// Which partners a list shows.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Active ones (`Some(true)`), inactive ones, or both (`None`).
    pub active: Option<bool>,
    /// Words in the name, description, or a live service's name or category.
    pub q: Option<String>,
    /// Partners with a live service of this category.
    pub category: Option<String>,
}

/// A page of partners with their live services, newest first: one statement.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &PartnerFilter,
    page: &PageRequest<PartnerId>,
) -> diesel::QueryResult<Vec<(PartnerRow, LiveServices)>> {
    let mut query = partners::table
        .select((PartnerRow::as_select(), live_services()))
        .order(partners::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(partners::id.lt(after));
    }
    if let Some(active) = filter.active {
        query = query.filter(partners::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        let in_services = partner_services::table
            .filter(partner_services::withdrawn_at.is_null())
            .filter(
                partner_services::name
                    .ilike(pattern.clone())
                    .or(sql::<Bool>(
                    "EXISTS (SELECT 1 FROM unnest(partner_services.categories) AS c WHERE c ILIKE ",
                )
                .bind::<Text, _>(pattern.clone())
                .sql(")")),
            )
            .select(partner_services::partner_id);
        query = query.filter(
            partners::name
                .ilike(pattern.clone())
                .or(partners::description.ilike(pattern))
                .or(partners::id.eq_any(in_services)),
        );
    }
    if let Some(category) = &filter.category {
        let with_category = partner_services::table
            .filter(partner_services::withdrawn_at.is_null())
            .filter(
                sql::<Bool>("")
                    .bind::<Text, _>(category.clone())
                    .sql(" = ANY (partner_services.categories)"),
            )
            .select(partner_services::partner_id);
        query = query.filter(partners::id.eq_any(with_category));
    }
    query.load(conn).await
}

/// Finds a partner with its live services: one statement.
pub async fn find_with_services(
    conn: &mut AsyncPgConnection,
    id: PartnerId,
) -> diesel::QueryResult<(PartnerRow, LiveServices)> {
    partners::table
        .find(id)
        .select((PartnerRow::as_select(), live_services()))
        .get_result(conn)
        .await
}

/// Finds a partner.
pub async fn find(conn: &mut AsyncPgConnection, id: PartnerId) -> diesel::QueryResult<PartnerRow> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .get_result(conn)
        .await
}

/// Locks a partner for a change (its services are changed under the same lock). `FOR NO KEY
/// UPDATE`: the key never changes, so referrals and users naming the partner are not held up
/// by their foreign-key checks.
pub async fn lock(tx: &mut Tx<'_>, id: PartnerId) -> diesel::QueryResult<PartnerRow> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .for_no_key_update()
        .get_result(tx.conn())
        .await
}

/// The live (not withdrawn) services of these partners, in list order.
pub async fn services_of(
    conn: &mut AsyncPgConnection,
    ids: &[PartnerId],
) -> diesel::QueryResult<Vec<ServiceRow>> {
    partner_services::table
        .filter(partner_services::partner_id.eq_any(ids))
        .filter(partner_services::withdrawn_at.is_null())
        .select(ServiceRow::as_select())
        .order((partner_services::partner_id, partner_services::position))
        .load(conn)
        .await
}

/// Every service of a partner, withdrawn ones too (a change may bring one back).
pub async fn all_services_of(
    conn: &mut AsyncPgConnection,
    id: PartnerId,
) -> diesel::QueryResult<Vec<ServiceRow>> {
    partner_services::table
        .filter(partner_services::partner_id.eq(id))
        .select(ServiceRow::as_select())
        .order(partner_services::id)
        .load(conn)
        .await
}

/// The partners of these ids.
pub async fn find_all(
    conn: &mut AsyncPgConnection,
    ids: &[PartnerId],
) -> diesel::QueryResult<Vec<PartnerRow>> {
    partners::table
        .filter(partners::id.eq_any(ids))
        .select(PartnerRow::as_select())
        .load(conn)
        .await
}

/// Finds one service.
pub async fn find_service(
    conn: &mut AsyncPgConnection,
    id: ServiceId,
) -> diesel::QueryResult<ServiceRow> {
    partner_services::table
        .find(id)
        .select(ServiceRow::as_select())
        .get_result(conn)
        .await
}

/// Inserts a partner.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewPartner,
) -> diesel::QueryResult<PartnerRow> {
    diesel::insert_into(partners::table)
        .values(new)
        .returning(PartnerRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes and bumps the version (also when only its services changed).
pub async fn update(
    tx: &mut Tx<'_>,
    id: PartnerId,
    changes: &PartnerChanges,
    now: DateTime<Utc>,
) -> diesel::QueryResult<PartnerRow> {
    let target = diesel::update(partners::table.find(id));
    let bump = (
        partners::version.eq(partners::version + 1),
        partners::updated_at.eq(now),
    );
    // An empty changeset is an error in diesel: the version alone moves then.
    if crate::audit::ChangedFields::fields(changes).is_empty() {
        return target
            .set(bump)
            .returning(PartnerRow::as_returning())
            .get_result(tx.conn())
            .await;
    }
    target
        .set((changes, bump))
        .returning(PartnerRow::as_returning())
        .get_result(tx.conn())
        .await
}

/// Writes a partner's services in one statement (`unnest`, in id order): new ones inserted,
/// known ones overwritten; the caller holds the partner's lock.
pub async fn upsert_services(tx: &mut Tx<'_>, rows: &[ServiceRow]) -> diesel::QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| r.id);
    let ids: Vec<ServiceId> = rows.iter().map(|r| r.id).collect();
    let partner_ids: Vec<PartnerId> = rows.iter().map(|r| r.partner_id).collect();
    let positions: Vec<i32> = rows.iter().map(|r| r.position).collect();
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let descriptions: Vec<String> = rows.iter().map(|r| r.description.clone()).collect();
    // Arrays of arrays must be rectangular in SQL: categories travel as JSON text.
    let categories: Vec<String> = rows
        .iter()
        .map(|r| serde_json::to_string(&r.categories).unwrap_or_else(|_| "[]".into()))
        .collect();
    let eligibility: Vec<Option<String>> = rows.iter().map(|r| r.eligibility.clone()).collect();
    let hours: Vec<Option<String>> = rows.iter().map(|r| r.hours.clone()).collect();
    let accepts: Vec<bool> = rows.iter().map(|r| r.accepts_referrals).collect();
    let withdrawn: Vec<Option<DateTime<Utc>>> = rows.iter().map(|r| r.withdrawn_at).collect();
    let updated: Vec<DateTime<Utc>> = rows.iter().map(|r| r.updated_at).collect();
    diesel::sql_query(
        "INSERT INTO partner_services (id, partner_id, position, name, description, categories, \
                eligibility, hours, accepts_referrals, withdrawn_at, updated_at) \
         SELECT id, partner_id, position, name, description, \
                ARRAY(SELECT jsonb_array_elements_text(categories::jsonb)), \
                eligibility, hours, accepts_referrals, withdrawn_at, updated_at \
           FROM unnest($1::uuid[], $2::uuid[], $3::int4[], $4::text[], $5::text[], $6::text[], \
                       $7::text[], $8::text[], $9::bool[], $10::timestamptz[], $11::timestamptz[]) \
                AS s(id, partner_id, position, name, description, categories, eligibility, hours, \
                     accepts_referrals, withdrawn_at, updated_at) \
         ON CONFLICT (id) DO UPDATE SET \
                position = excluded.position, name = excluded.name, \
                description = excluded.description, categories = excluded.categories, \
                eligibility = excluded.eligibility, hours = excluded.hours, \
                accepts_referrals = excluded.accepts_referrals, \
                withdrawn_at = excluded.withdrawn_at, updated_at = excluded.updated_at",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<SqlUuid>, _>(partner_ids)
    .bind::<Array<Integer>, _>(positions)
    .bind::<Array<Text>, _>(names)
    .bind::<Array<Text>, _>(descriptions)
    .bind::<Array<Text>, _>(categories)
    .bind::<Array<Nullable<Text>>, _>(eligibility)
    .bind::<Array<Nullable<Text>>, _>(hours)
    .bind::<Array<Bool>, _>(accepts)
    .bind::<Array<Nullable<Timestamptz>>, _>(withdrawn)
    .bind::<Array<Timestamptz>, _>(updated)
    .execute(tx.conn())
    .await
    .map(|_| ())
}
