//! Bodies of `GET /api/v1/metrics/referrals`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::csv::{CsvRow, cell};
use crate::ids::PartnerId;

/// Query of `GET /api/v1/metrics/referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralMetricsQuery {
    /// First day a referral was sent (city time); default the first day of the month eleven
    /// months before `to`.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<NaiveDate>,
    /// Last day; default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<NaiveDate>,
}

/// How many referrals are in each status now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusCounts {
    /// Sent, not yet acknowledged.
    pub sent: i64,
    /// Acknowledged.
    pub acknowledged: i64,
    /// Engaged.
    pub engaged: i64,
    /// Closed.
    pub closed: i64,
}

/// How many closed referrals closed for each reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CloseReasonCounts {
    /// Completed.
    pub completed: i64,
    /// Declined.
    pub declined: i64,
    /// Ineligible.
    pub ineligible: i64,
    /// No capacity.
    pub no_capacity: i64,
    /// Unable to contact.
    pub unable_to_contact: i64,
    /// Withdrawn.
    pub withdrawn: i64,
}

/// The funnel of a group of referrals (all of them, or one partner's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ReferralFunnel {
    /// The partner (absent for the overall figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<PartnerId>,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<String>,
    /// Referrals sent in the period (every referral starts `sent`).
    pub sent: i64,
    /// Of them, how many ever reached `acknowledged`.
    pub acknowledged: i64,
    /// … ever reached `engaged`.
    pub engaged: i64,
    /// … were closed.
    pub closed: i64,
    /// How many are in each status now.
    pub current: StatusCounts,
    /// Why the closed ones closed.
    pub close_reasons: CloseReasonCounts,
    /// The median time from sent to engaged, in days (null when none engaged).
    pub median_days_to_engaged: Option<f64>,
}

/// `GET /api/v1/metrics/referrals`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralMetrics {
    /// First day (city time).
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The zone the days are read in.
    pub time_zone: String,
    /// Every referral sent in the period.
    pub overall: ReferralFunnel,
    /// The same per partner, by name.
    pub by_partner: Vec<ReferralFunnel>,
}

impl CsvRow for ReferralFunnel {
    const HEADER: &'static [&'static str] = &[
        "partner_id",
        "partner_name",
        "sent",
        "acknowledged",
        "engaged",
        "closed",
        "now_sent",
        "now_acknowledged",
        "now_engaged",
        "now_closed",
        "closed_completed",
        "closed_declined",
        "closed_ineligible",
        "closed_no_capacity",
        "closed_unable_to_contact",
        "closed_withdrawn",
        "median_days_to_engaged",
    ];

    fn cells(&self) -> Vec<String> {
        let r = &self.close_reasons;
        vec![
            cell(self.partner_id),
            self.partner_name.clone().unwrap_or_else(|| "(all)".into()),
            self.sent.to_string(),
            self.acknowledged.to_string(),
            self.engaged.to_string(),
            self.closed.to_string(),
            self.current.sent.to_string(),
            self.current.acknowledged.to_string(),
            self.current.engaged.to_string(),
            self.current.closed.to_string(),
            r.completed.to_string(),
            r.declined.to_string(),
            r.ineligible.to_string(),
            r.no_capacity.to_string(),
            r.unable_to_contact.to_string(),
            r.withdrawn.to_string(),
            cell(self.median_days_to_engaged),
        ]
    }
}
