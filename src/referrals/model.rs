//! Referral rows and their queries. Each takes the caller's [`Scope`]: a partner user's reaches
//! the referrals sent to its organization only, in the query itself.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Nullable, Uuid as SqlUuid};
use diesel::{ExpressionMethods, Insertable, QueryDsl, Queryable, Selectable, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::auth::Scope;
use crate::db::enums::{CloseReason, ConsentMethod, ConsentScope, ReferralStatus};
use crate::db::json::Json;
use crate::db::schema::{calls, referrals, subjects};
use crate::db::tx::Tx;
use crate::http::pagination::PageRequest;
use crate::ids::{CallId, PartnerId, PersonnelId, ReferralId, ServiceId, SubjectId, UserId};

use super::payloads::{ContactBody, TransitionBody};

/// A row of `referrals`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals, check_for_backend(diesel::pg::Pg))]
pub struct ReferralRow {
    /// Id.
    pub id: ReferralId,
    /// The person.
    pub subject_id: SubjectId,
    /// The call.
    pub call_id: Option<CallId>,
    /// The partner.
    pub partner_id: PartnerId,
    /// Its service.
    pub service_id: Option<ServiceId>,
    /// The need.
    pub need: String,
    /// How consent was given.
    pub consent_method: ConsentMethod,
    /// What it covers.
    pub consent_scope: ConsentScope,
    /// Contact details (scope `contact` only).
    pub contact: Option<Json<ContactBody>>,
    /// Who referred.
    pub referred_by: PersonnelId,
    /// Status.
    pub status: ReferralStatus,
    /// Sent at.
    pub sent_at: DateTime<Utc>,
    /// Acknowledged at.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Engaged at.
    pub engaged_at: Option<DateTime<Utc>>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Close reason.
    pub close_reason: Option<CloseReason>,
    /// Moves.
    pub transitions: Json<Vec<TransitionBody>>,
    /// The user who recorded it.
    pub created_by: UserId,
    /// Version.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

/// Which referrals a list shows.
#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    /// Status.
    pub status: Option<ReferralStatus>,
    /// Partner.
    pub partner_id: Option<PartnerId>,
    /// Person.
    pub subject_id: Option<SubjectId>,
}

/// A page of the referrals in scope, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope<PartnerId>,
    filter: &ReferralFilter,
    page: &PageRequest<ReferralId>,
) -> diesel::QueryResult<Vec<ReferralRow>> {
    let mut query = referrals::table
        .select(ReferralRow::as_select())
        .order(referrals::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(own) = scope.only() {
        query = query.filter(referrals::partner_id.eq(own));
    }
    if let Some(after) = page.after {
        query = query.filter(referrals::id.lt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(referrals::status.eq(status));
    }
    if let Some(partner) = filter.partner_id {
        query = query.filter(referrals::partner_id.eq(partner));
    }
    if let Some(subject) = filter.subject_id {
        query = query.filter(referrals::subject_id.eq(subject));
    }
    query.load(conn).await
}

/// One referral in scope (out of scope is not found).
pub async fn find(
    conn: &mut AsyncPgConnection,
    scope: Scope<PartnerId>,
    id: ReferralId,
) -> diesel::QueryResult<ReferralRow> {
    let mut query = referrals::table
        .find(id)
        .select(ReferralRow::as_select())
        .into_boxed();
    if let Some(own) = scope.only() {
        query = query.filter(referrals::partner_id.eq(own));
    }
    query.get_result(conn).await
}

/// Locks one referral in scope for a move (the scope is a condition of the statement, as in
/// the reads: a partner user never locks another partner's referral).
pub async fn lock(
    tx: &mut Tx<'_>,
    scope: Scope<PartnerId>,
    id: ReferralId,
) -> diesel::QueryResult<ReferralRow> {
    let own = scope.only();
    referrals::table
        .find(id)
        .filter(
            sql::<Bool>("(")
                .bind::<Nullable<SqlUuid>, _>(own)
                .sql("::uuid IS NULL OR referrals.partner_id = ")
                .bind::<Nullable<SqlUuid>, _>(own)
                .sql(")"),
        )
        .select(ReferralRow::as_select())
        .for_update()
        .get_result(tx.conn())
        .await
}

/// Inserts a referral.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &ReferralRow,
) -> diesel::QueryResult<ReferralRow> {
    diesel::insert_into(referrals::table)
        .values(row)
        .returning(ReferralRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores a move: the new status, its time, the reason, the move appended; version + 1.
pub async fn record_move(
    tx: &mut Tx<'_>,
    current: &ReferralRow,
    step: TransitionBody,
) -> diesel::QueryResult<ReferralRow> {
    let at = step.at;
    let to = step.to;
    let reason = step.reason;
    let mut transitions = current.transitions.0.clone();
    transitions.push(step);
    let stamp = |status: ReferralStatus, old: Option<DateTime<Utc>>| {
        if to == status { Some(at) } else { old }
    };
    diesel::update(referrals::table.find(current.id))
        .set((
            referrals::status.eq(to),
            referrals::acknowledged_at
                .eq(stamp(ReferralStatus::Acknowledged, current.acknowledged_at)),
            referrals::engaged_at.eq(stamp(ReferralStatus::Engaged, current.engaged_at)),
            referrals::closed_at.eq(stamp(ReferralStatus::Closed, current.closed_at)),
            referrals::close_reason.eq(reason.or(current.close_reason)),
            referrals::transitions.eq(Json(transitions)),
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(at),
        ))
        .returning(ReferralRow::as_returning())
        .get_result(tx.conn())
        .await
}

/// The subject a call concerns (`None`: the call has none); not found when no such call.
pub async fn subject_of_call(
    conn: &mut AsyncPgConnection,
    id: CallId,
) -> diesel::QueryResult<Option<SubjectId>> {
    calls::table
        .find(id)
        .select(calls::subject_id)
        .get_result::<Option<SubjectId>>(conn)
        .await
}

/// Whether a subject exists.
pub async fn subject_exists(
    conn: &mut AsyncPgConnection,
    id: SubjectId,
) -> diesel::QueryResult<bool> {
    diesel::select(diesel::dsl::exists(subjects::table.find(id)))
        .get_result(conn)
        .await
}
