//! The referral funnel of a period of city days.

use diesel_async::AsyncPgConnection;

use crate::clock::CityDay;
use crate::error::AppError;

use super::model::{self, FunnelRow};
use super::payloads::{CloseReasonCounts, ReferralFunnel, ReferralMetrics, StatusCounts};

fn funnel(row: FunnelRow) -> ReferralFunnel {
    ReferralFunnel {
        partner_id: row.partner_id,
        partner_name: row.partner_name.filter(|_| !row.overall),
        sent: row.sent,
        acknowledged: row.acknowledged,
        engaged: row.engaged,
        closed: row.closed,
        current: StatusCounts {
            sent: row.now_sent,
            acknowledged: row.now_acknowledged,
            engaged: row.now_engaged,
            closed: row.closed,
        },
        close_reasons: CloseReasonCounts {
            completed: row.completed,
            declined: row.declined,
            ineligible: row.ineligible,
            no_capacity: row.no_capacity,
            unable_to_contact: row.unable_to_contact,
            withdrawn: row.withdrawn,
        },
        median_days_to_engaged: row.median_days,
    }
}

/// Referrals sent on the city days `from`..=`to`.
pub async fn referrals(
    conn: &mut AsyncPgConnection,
    from: CityDay,
    to: CityDay,
) -> Result<ReferralMetrics, AppError> {
    let rows = model::funnel(conn, from.start(), to.end()).await?;
    let mut overall = ReferralFunnel::default();
    let mut by_partner = Vec::new();
    for row in rows {
        if row.overall {
            overall = funnel(row);
        } else {
            by_partner.push(funnel(row));
        }
    }
    Ok(ReferralMetrics {
        from: from.date,
        to: to.date,
        time_zone: from.zone_name().to_owned(),
        overall,
        by_partner,
    })
}
