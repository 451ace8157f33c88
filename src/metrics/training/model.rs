//! The query behind the expiring counts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::clock::CityDay;
use crate::db::functions::certification_valid_on;
use crate::db::schema::{certification_types, certifications, personnel};
use crate::ids::CertificationTypeId;

use super::payloads::Expiring;

/// The windows certifications are counted in, in days.
pub(super) const WINDOWS: [i64; 3] = [30, 60, 90];

/// Certifications valid on `day` (the rule all figures share) and held by people employed then,
/// counted by how soon they expire.
pub async fn expiring(
    conn: &mut AsyncPgConnection,
    day: CityDay,
) -> diesel::QueryResult<Vec<Expiring>> {
    let as_of = day.date;
    let horizon = as_of + chrono::Duration::days(WINDOWS[WINDOWS.len() - 1]);
    let rows: Vec<(CertificationTypeId, String, Option<NaiveDate>)> = certifications::table
        .inner_join(personnel::table)
        .inner_join(certification_types::table)
        .filter(certification_valid_on(
            certifications::issued_on,
            certifications::expires_on,
            certifications::revoked_at,
            as_of,
            day.zone_name(),
        ))
        .filter(certifications::expires_on.le(horizon))
        .filter(personnel::hire_date.le(as_of))
        .filter(
            personnel::separation_date
                .is_null()
                .or(personnel::separation_date.gt(as_of)),
        )
        .select((
            certification_types::id,
            certification_types::code,
            certifications::expires_on,
        ))
        .load(conn)
        .await?;
    let mut by_type: BTreeMap<(String, CertificationTypeId), [u32; 3]> = BTreeMap::new();
    for (type_id, code, expires_on) in rows {
        let Some(expires_on) = expires_on else {
            continue;
        };
        let days = (expires_on - as_of).num_days();
        let counts = by_type.entry((code, type_id)).or_default();
        for (count, window) in counts.iter_mut().zip(WINDOWS) {
            if days <= window {
                *count += 1;
            }
        }
    }
    Ok(by_type
        .into_iter()
        .map(
            |((code, certification_type_id), [d30, d60, d90])| Expiring {
                certification_type_id,
                code,
                within_30_days: d30,
                within_60_days: d60,
                within_90_days: d90,
            },
        )
        .collect())
}
