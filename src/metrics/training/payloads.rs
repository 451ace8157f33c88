//! The query and the body of the training metrics, and their CSV lines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::goals::progress::Tally;
use crate::http::csv::{CsvRow, cell};
use crate::ids::CertificationTypeId;

use super::model::WINDOWS;

/// Query of the training metrics.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingMetricsQuery {
    /// The day (`YYYY-MM-DD`, 1900–2100); default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<NaiveDate>,
}

/// A group's CIT coverage.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    /// The group: a department, role or shift (`unassigned` for none); `all` for the total.
    pub group: String,
    /// People employed on the day.
    pub population: u32,
    /// Of whom holding a certification that counts as CIT, valid that day.
    pub certified: u32,
    /// certified / population.
    pub share: f64,
}

impl Coverage {
    /// A group's coverage from its tally.
    pub(super) fn new(group: String, tally: Tally) -> Self {
        Self {
            group,
            population: tally.population,
            certified: tally.certified,
            share: tally.share(),
        }
    }
}

/// Certifications of one type expiring soon.
#[derive(Debug, Serialize, ToSchema)]
pub struct Expiring {
    /// The type.
    pub certification_type_id: CertificationTypeId,
    /// Its code.
    pub code: String,
    /// Valid on the day and expiring within 30 days after it.
    pub within_30_days: u32,
    /// … within 60 days.
    pub within_60_days: u32,
    /// … within 90 days.
    pub within_90_days: u32,
}

/// Training metrics as of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingMetrics {
    /// The day.
    pub as_of: NaiveDate,
    /// Everyone employed.
    pub total: Coverage,
    /// By department.
    pub by_department: Vec<Coverage>,
    /// By role.
    pub by_role: Vec<Coverage>,
    /// By shift.
    pub by_shift: Vec<Coverage>,
    /// Certifications held by employed people that expire soon, by type (types with none are
    /// left out).
    pub expiring: Vec<Expiring>,
}

/// One CSV line of the metrics.
#[derive(Debug)]
pub struct MetricLine {
    section: &'static str,
    group: String,
    population: Option<u32>,
    certified: Option<u32>,
    share: Option<f64>,
    within_days: Option<i64>,
    expiring: Option<u32>,
}

impl CsvRow for MetricLine {
    const HEADER: &'static [&'static str] = &[
        "section",
        "group",
        "population",
        "certified",
        "share",
        "within_days",
        "expiring",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.section.to_owned(),
            self.group.clone(),
            cell(self.population),
            cell(self.certified),
            cell(self.share),
            cell(self.within_days),
            cell(self.expiring),
        ]
    }
}

impl TrainingMetrics {
    /// One CSV line per group.
    pub(super) fn lines(&self) -> Vec<MetricLine> {
        let coverage = |section, c: &Coverage| MetricLine {
            section,
            group: c.group.clone(),
            population: Some(c.population),
            certified: Some(c.certified),
            share: Some(c.share),
            within_days: None,
            expiring: None,
        };
        let mut lines = vec![coverage("total", &self.total)];
        lines.extend(self.by_department.iter().map(|c| coverage("department", c)));
        lines.extend(self.by_role.iter().map(|c| coverage("role", c)));
        lines.extend(self.by_shift.iter().map(|c| coverage("shift", c)));
        for e in &self.expiring {
            for (days, count) in
                WINDOWS
                    .iter()
                    .zip([e.within_30_days, e.within_60_days, e.within_90_days])
            {
                lines.push(MetricLine {
                    section: "expiring",
                    group: e.code.clone(),
                    population: None,
                    certified: None,
                    share: None,
                    within_days: Some(*days),
                    expiring: Some(count),
                });
            }
        }
        lines
    }
}
