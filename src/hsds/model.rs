//! The reads behind the HSDS API: a page of active partners or of their live services, each
//! with the list's total, in one statement.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::escape_like;
use crate::ids::PartnerId;
use crate::partners::model::{PartnerRow, ServiceRow};

/// A partner on a page, with the list's total.
#[derive(Debug, QueryableByName)]
pub struct PagedPartner {
    /// The partner.
    #[diesel(embed)]
    pub partner: PartnerRow,
    /// Items in the whole list.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// The active partners matching the filters: `$1` words, `$2` changed after.
const PARTNERS: &str = "FROM partners \
     WHERE active AND ($1::text IS NULL OR name ILIKE $1 OR description ILIKE $1) \
       AND ($2::timestamptz IS NULL OR updated_at > $2)";

/// What the HSDS lists filter by.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    /// Words in a name or description.
    pub search: Option<&'a str>,
    /// Changed after this instant.
    pub modified_after: Option<DateTime<Utc>>,
    /// Services: of this partner.
    pub organization: Option<PartnerId>,
    /// Services: of this category.
    pub category: Option<&'a str>,
}

impl Filter<'_> {
    fn pattern(&self) -> Option<String> {
        self.search.map(|s| format!("%{}%", escape_like(s)))
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// A page of active partners by name: `limit` from `offset`, with the total (one statement;
/// a second counts only when the page is past the end and holds no row to carry it).
pub async fn partners_page(
    conn: &mut AsyncPgConnection,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<(Vec<PagedPartner>, i64)> {
    let rows: Vec<PagedPartner> = diesel::sql_query(format!(
        "SELECT *, count(*) OVER () AS total {PARTNERS} ORDER BY name, id LIMIT $3 OFFSET $4"
    ))
    .bind::<Nullable<Text>, _>(filter.pattern())
    .bind::<Nullable<Timestamptz>, _>(filter.modified_after)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    let total = match rows.as_slice().first() {
        Some(row) => row.total,
        None if offset == 0 => 0,
        None => {
            diesel::sql_query(format!("SELECT count(*) AS total {PARTNERS}"))
                .bind::<Nullable<Text>, _>(filter.pattern())
                .bind::<Nullable<Timestamptz>, _>(filter.modified_after)
                .get_result::<Count>(conn)
                .await?
                .total
        }
    };
    Ok((rows, total))
}

/// A service on a page, with the list's total.
#[derive(Debug, QueryableByName)]
pub struct PagedService {
    /// The service.
    #[diesel(embed)]
    pub service: ServiceRow,
    /// Items in the whole list.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// The live services of active partners matching the filters: `$1` words, `$2` changed
/// after, `$3` partner, `$4` category.
const SERVICES: &str = "FROM partner_services s JOIN partners p ON p.id = s.partner_id \
     WHERE p.active AND s.withdrawn_at IS NULL \
       AND ($1::text IS NULL OR s.name ILIKE $1 OR s.description ILIKE $1) \
       AND ($2::timestamptz IS NULL OR greatest(s.updated_at, p.updated_at) > $2) \
       AND ($3::uuid IS NULL OR s.partner_id = $3) \
       AND ($4::text IS NULL OR $4 = ANY (s.categories))";

/// A page of the live services of active partners by name, with the total (as
/// [`partners_page`]).
pub async fn services_page(
    conn: &mut AsyncPgConnection,
    filter: &Filter<'_>,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<(Vec<PagedService>, i64)> {
    let rows: Vec<PagedService> = diesel::sql_query(format!(
        "SELECT s.*, count(*) OVER () AS total {SERVICES} ORDER BY s.name, s.id LIMIT $5 OFFSET $6"
    ))
    .bind::<Nullable<Text>, _>(filter.pattern())
    .bind::<Nullable<Timestamptz>, _>(filter.modified_after)
    .bind::<Nullable<SqlUuid>, _>(filter.organization)
    .bind::<Nullable<Text>, _>(filter.category)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await?;
    let total = match rows.as_slice().first() {
        Some(row) => row.total,
        None if offset == 0 => 0,
        None => {
            diesel::sql_query(format!("SELECT count(*) AS total {SERVICES}"))
                .bind::<Nullable<Text>, _>(filter.pattern())
                .bind::<Nullable<Timestamptz>, _>(filter.modified_after)
                .bind::<Nullable<SqlUuid>, _>(filter.organization)
                .bind::<Nullable<Text>, _>(filter.category)
                .get_result::<Count>(conn)
                .await?
                .total
        }
    };
    Ok((rows, total))
}

/// Every category of a live service of an active partner (few: a taxonomy term id names one).
pub async fn categories(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Category {
        #[diesel(sql_type = Text)]
        category: String,
    }
    let rows: Vec<Category> = diesel::sql_query(
        "SELECT DISTINCT c AS category \
           FROM partner_services s JOIN partners p ON p.id = s.partner_id, \
                unnest(s.categories) AS c \
          WHERE p.active AND s.withdrawn_at IS NULL",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.category).collect())
}
