//! Rows and queries of certifications. Status is never stored: it is derived from the dates and
//! the revocation at read time.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::tx::Tx;
use crate::ids::{CertificationId, CertificationTypeId, EnrollmentId, PersonnelId, UserId};

use crate::clock::CityDay;
use crate::db::functions::{certification_status_on, certification_valid_on};
use crate::db::schema::certifications;
use crate::http::pagination::PageRequest;

use crate::training::lifecycle::CertificationStatus;

/// A row of `certifications`.
// Deserialize: also read from a `json` array of rows (`personnel::model::find_with_training`).
#[derive(Debug, Clone, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = certifications, check_for_backend(diesel::pg::Pg))]
pub struct CertificationRow {
    /// Id.
    pub id: CertificationId,
    /// Holder.
    pub personnel_id: PersonnelId,
    /// Type.
    pub certification_type_id: CertificationTypeId,
    /// Certificate number (unique per type).
    pub certificate_number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date, if any.
    pub expires_on: Option<NaiveDate>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why.
    pub revoked_reason: Option<String>,
    /// By whom.
    pub revoked_by: Option<UserId>,
    /// The enrollment whose completion issued it.
    pub enrollment_id: Option<EnrollmentId>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// A certification to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = certifications)]
pub struct NewCertification {
    /// Id.
    pub id: CertificationId,
    /// Holder.
    pub personnel_id: PersonnelId,
    /// Type.
    pub certification_type_id: CertificationTypeId,
    /// Number.
    pub certificate_number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Issuing enrollment.
    pub enrollment_id: Option<EnrollmentId>,
}

/// Filters of the certification list.
#[derive(Debug, Default)]
pub struct CertificationFilter {
    /// Held by.
    pub personnel_id: Option<PersonnelId>,
    /// Of type.
    pub certification_type_id: Option<CertificationTypeId>,
    /// Status today.
    pub status: Option<CertificationStatus>,
    /// Active and expiring within this many days.
    pub expiring_within_days: Option<u32>,
}

/// Lists certifications, newest first; statuses are judged on `today` by the shared rule
/// ([`crate::db::functions::certification_status_on`]).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CertificationFilter,
    page: &PageRequest<CertificationId>,
    today: CityDay,
) -> diesel::QueryResult<Vec<CertificationRow>> {
    let mut query = certifications::table
        .select(CertificationRow::as_select())
        .order(certifications::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(certifications::id.lt(after));
    }
    if let Some(personnel_id) = filter.personnel_id {
        query = query.filter(certifications::personnel_id.eq(personnel_id));
    }
    if let Some(type_id) = filter.certification_type_id {
        query = query.filter(certifications::certification_type_id.eq(type_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(
            certification_status_on(
                certifications::expires_on,
                certifications::revoked_at,
                today.date,
                today.zone_name(),
            )
            .eq(status.as_str()),
        );
    }
    if let Some(days) = filter.expiring_within_days {
        let horizon = today.date + chrono::Duration::days(i64::from(days));
        query = query
            .filter(certification_valid_on(
                certifications::issued_on,
                certifications::expires_on,
                certifications::revoked_at,
                today.date,
                today.zone_name(),
            ))
            .filter(certifications::expires_on.le(horizon));
    }
    query.load(conn).await
}

/// Finds a certification.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: CertificationId,
) -> diesel::QueryResult<CertificationRow> {
    certifications::table
        .find(id)
        .select(CertificationRow::as_select())
        .get_result(conn)
        .await
}

/// Locks a certification for an update.
pub async fn lock(tx: &mut Tx<'_>, id: CertificationId) -> diesel::QueryResult<CertificationRow> {
    let conn = tx.conn();
    certifications::table
        .find(id)
        .select(CertificationRow::as_select())
        .for_update()
        .get_result(conn)
        .await
}

/// Inserts a certification.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewCertification,
) -> diesel::QueryResult<CertificationRow> {
    diesel::insert_into(certifications::table)
        .values(new)
        .returning(CertificationRow::as_returning())
        .get_result(conn)
        .await
}

/// Revokes a certification at `at`, keeping the record and the reason.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: CertificationId,
    reason: &str,
    by: Option<UserId>,
    at: DateTime<Utc>,
) -> diesel::QueryResult<CertificationRow> {
    diesel::update(certifications::table.find(id))
        .set((
            certifications::revoked_at.eq(at),
            certifications::revoked_reason.eq(reason),
            certifications::revoked_by.eq(by),
        ))
        .returning(CertificationRow::as_returning())
        .get_result(conn)
        .await
}
