//! The queries and bodies of the call metrics, and their CSV lines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::csv::CsvRow;

/// How a period series is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Calendar months.
    #[default]
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl Interval {
    /// The `date_trunc` unit.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// Months in one period.
    pub fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        }
    }
}

/// Query of `GET /api/v1/metrics/calls`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallMetricsQuery {
    /// First day (city time); default the first day of the month eleven months before `to`.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<NaiveDate>,
    /// Last day; default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<NaiveDate>,
    /// `month` (default), `quarter` or `year`.
    pub interval: Option<Interval>,
}

/// Query of `GET /api/v1/metrics/outcomes`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutcomeMetricsQuery {
    /// First day (city time); default the first day of the month eleven months before `to`.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<NaiveDate>,
    /// Last day; default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<NaiveDate>,
}

/// Query of `GET /api/v1/metrics/repeat-calls`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RepeatMetricsQuery {
    /// The window's last day (city time); default today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<NaiveDate>,
    /// The window's length in days (default 365).
    #[param(minimum = 1, maximum = 3660)]
    pub window_days: Option<i64>,
    /// Calls in the window that make a high utiliser (default 7).
    #[param(minimum = 2, maximum = 10000)]
    pub threshold: Option<i64>,
}

/// The counts of one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PeriodCounts {
    /// The period's first day.
    pub period: NaiveDate,
    /// All calls.
    pub calls: i64,
    /// Mental-health calls; the counts below are over these.
    pub mental_health_calls: i64,
    /// With a CIT-certified responder on scene.
    pub cit_on_scene: i64,
    /// Ending in arrest.
    pub arrests: i64,
    /// With force above verbal (hands on, restraint, weapon).
    pub uses_of_force: i64,
    /// With the subject or an officer injured.
    pub injuries: i64,
    /// Ending in an ER transport.
    pub er_transports: i64,
    /// Ending in an involuntary petition.
    pub involuntary_petitions: i64,
    /// Ending in a referral.
    pub referrals: i64,
}

impl CsvRow for PeriodCounts {
    const HEADER: &'static [&'static str] = &[
        "period",
        "calls",
        "mental_health_calls",
        "cit_on_scene",
        "arrests",
        "uses_of_force",
        "injuries",
        "er_transports",
        "involuntary_petitions",
        "referrals",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.period.to_string(),
            self.calls.to_string(),
            self.mental_health_calls.to_string(),
            self.cit_on_scene.to_string(),
            self.arrests.to_string(),
            self.uses_of_force.to_string(),
            self.injuries.to_string(),
            self.er_transports.to_string(),
            self.involuntary_petitions.to_string(),
            self.referrals.to_string(),
        ]
    }
}

/// `GET /api/v1/metrics/calls`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallMetrics {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// How periods are cut.
    pub interval: Interval,
    /// The time zone days are taken in.
    pub time_zone: String,
    /// Every period from `from` to `to`, empty ones included.
    pub periods: Vec<PeriodCounts>,
    /// The sums over all periods.
    pub total: PeriodCounts,
}

/// Outcomes of a group of mental-health calls.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OutcomeGroup {
    /// `with_cit` or `without_cit`.
    pub group: String,
    /// Mental-health calls in the group.
    pub calls: i64,
    /// Ending in arrest.
    pub arrests: i64,
    /// With force above verbal.
    pub uses_of_force: i64,
    /// With the subject injured.
    pub subject_injuries: i64,
    /// With an officer injured.
    pub officer_injuries: i64,
    /// Ending in an ER transport.
    pub er_transports: i64,
    /// Ending in an involuntary petition.
    pub involuntary_petitions: i64,
    /// arrests / calls (0 when there are none).
    pub arrest_rate: f64,
    /// uses_of_force / calls.
    pub use_of_force_rate: f64,
    /// subject_injuries / calls.
    pub subject_injury_rate: f64,
    /// officer_injuries / calls.
    pub officer_injury_rate: f64,
    /// er_transports / calls.
    pub er_transport_rate: f64,
    /// involuntary_petitions / calls.
    pub involuntary_petition_rate: f64,
}

impl CsvRow for OutcomeGroup {
    const HEADER: &'static [&'static str] = &[
        "group",
        "calls",
        "arrests",
        "uses_of_force",
        "subject_injuries",
        "officer_injuries",
        "er_transports",
        "involuntary_petitions",
        "arrest_rate",
        "use_of_force_rate",
        "subject_injury_rate",
        "officer_injury_rate",
        "er_transport_rate",
        "involuntary_petition_rate",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.group.clone(),
            self.calls.to_string(),
            self.arrests.to_string(),
            self.uses_of_force.to_string(),
            self.subject_injuries.to_string(),
            self.officer_injuries.to_string(),
            self.er_transports.to_string(),
            self.involuntary_petitions.to_string(),
            self.arrest_rate.to_string(),
            self.use_of_force_rate.to_string(),
            self.subject_injury_rate.to_string(),
            self.officer_injury_rate.to_string(),
            self.er_transport_rate.to_string(),
            self.involuntary_petition_rate.to_string(),
        ]
    }
}

/// `GET /api/v1/metrics/outcomes`: mental-health calls with a CIT responder vs without.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeMetrics {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Calls with a CIT-certified responder on scene.
    pub with_cit: OutcomeGroup,
    /// Calls without one.
    pub without_cit: OutcomeGroup,
}

/// Mental-health calls per subject before and after their referral first reached `engaged`
/// (at an instant E, counted even if the referral has since closed): calls received in
/// [E − window, E) and in (E, E + window], the latter cut at the end of `as_of`.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BeforeAfter {
    /// Subjects whose referral first reached `engaged` by the end of `as_of`.
    pub engaged_subjects: i64,
    /// Their mental-health calls in the window before.
    pub calls_before: i64,
    /// … in the window after.
    pub calls_after: i64,
    /// calls_before / engaged_subjects (0 when there are none).
    pub mean_calls_before: f64,
    /// calls_after / engaged_subjects.
    pub mean_calls_after: f64,
}

/// `GET /api/v1/metrics/repeat-calls`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepeatMetrics {
    /// The window's last day.
    pub as_of: NaiveDate,
    /// Its length in days.
    pub window_days: i64,
    /// Calls that make a high utiliser.
    pub threshold: i64,
    /// Subjects with a call in the window.
    pub subjects: i64,
    /// Of whom with two calls or more.
    pub repeat_subjects: i64,
    /// repeat_subjects / subjects (0 when there are none).
    pub repeat_share: f64,
    /// Of whom with `threshold` calls or more.
    pub high_utilisers: i64,
    /// Before and after engagement with a referral.
    pub before_after: BeforeAfter,
}

impl CsvRow for RepeatMetrics {
    const HEADER: &'static [&'static str] = &[
        "as_of",
        "window_days",
        "threshold",
        "subjects",
        "repeat_subjects",
        "repeat_share",
        "high_utilisers",
        "engaged_subjects",
        "calls_before",
        "calls_after",
        "mean_calls_before",
        "mean_calls_after",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.as_of.to_string(),
            self.window_days.to_string(),
            self.threshold.to_string(),
            self.subjects.to_string(),
            self.repeat_subjects.to_string(),
            self.repeat_share.to_string(),
            self.high_utilisers.to_string(),
            self.before_after.engaged_subjects.to_string(),
            self.before_after.calls_before.to_string(),
            self.before_after.calls_after.to_string(),
            self.before_after.mean_calls_before.to_string(),
            self.before_after.mean_calls_after.to_string(),
        ]
    }
}
