//! The reads behind the HSDS API: a page of active partners or of their live services, each
//! with the list's total, in one statement.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
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

/// A page of active partners by name: `limit` from `offset`, with the total.
pub async fn partners_page(
    conn: &mut AsyncPgConnection,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<Vec<PagedPartner>> {
    let pattern = search.map(|s| format!("%{}%", escape_like(s)));
    diesel::sql_query(
        "SELECT *, count(*) OVER () AS total FROM partners \
          WHERE active AND ($1::text IS NULL OR name ILIKE $1 OR description ILIKE $1) \
          ORDER BY name, id LIMIT $2 OFFSET $3",
    )
    .bind::<Nullable<Text>, _>(pattern)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await
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

/// A page of the live services of active partners by name, with the total.
pub async fn services_page(
    conn: &mut AsyncPgConnection,
    search: Option<&str>,
    organization: Option<PartnerId>,
    category: Option<&str>,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<Vec<PagedService>> {
    let pattern = search.map(|s| format!("%{}%", escape_like(s)));
    diesel::sql_query(
        "SELECT s.*, count(*) OVER () AS total \
           FROM partner_services s JOIN partners p ON p.id = s.partner_id \
          WHERE p.active AND s.withdrawn_at IS NULL \
            AND ($1::text IS NULL OR s.name ILIKE $1 OR s.description ILIKE $1) \
            AND ($2::uuid IS NULL OR s.partner_id = $2) \
            AND ($3::text IS NULL OR $3 = ANY (s.categories)) \
          ORDER BY s.name, s.id LIMIT $4 OFFSET $5",
    )
    .bind::<Nullable<Text>, _>(pattern)
    .bind::<Nullable<SqlUuid>, _>(organization)
    .bind::<Nullable<Text>, _>(category)
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)
    .await
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
