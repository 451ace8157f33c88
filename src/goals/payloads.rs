//! Request and response bodies of the goal endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{Department, PersonnelRole};
use crate::http::csv::CsvRow;
use crate::ids::{CertificationTypeId, GoalId};
use crate::validation::present;

use super::model::GoalRow;
use super::progress::{Population, Tally};

/// Who a goal counts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationBody {
    /// Departments counted; empty = any.
    #[serde(default)]
    pub departments: Vec<Department>,
    /// Roles counted; empty = any.
    #[serde(default)]
    pub roles: Vec<PersonnelRole>,
    /// Designated staff count whatever their department and role (default true).
    #[serde(default = "yes")]
    pub include_designated_staff: bool,
}

fn yes() -> bool {
    true
}

impl From<PopulationBody> for Population {
    fn from(body: PopulationBody) -> Self {
        Self {
            departments: body.departments,
            roles: body.roles,
            include_designated_staff: body.include_designated_staff,
        }
    }
}

/// A certification goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalBody {
    /// Id.
    pub id: GoalId,
    /// Name.
    pub name: String,
    /// Certification types any one of which counts.
    pub certification_type_ids: Vec<CertificationTypeId>,
    /// Who is counted.
    pub population: PopulationBody,
    /// The share to reach, above 0 and at most 1.
    pub target_share: f64,
    /// First day of the goal (the series starts in its month).
    pub start_date: NaiveDate,
    /// The day the target is due.
    pub deadline: NaiveDate,
    /// Version for `If-Match`.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
}

impl From<GoalRow> for GoalBody {
    fn from(row: GoalRow) -> Self {
        let GoalRow {
            id,
            name,
            certification_type_ids,
            departments,
            roles,
            include_designated_staff,
            target_share,
            start_date,
            deadline,
            version,
            created_at,
            updated_at: _,
        } = row;
        Self {
            id,
            name,
            certification_type_ids,
            population: PopulationBody {
                departments,
                roles,
                include_designated_staff,
            },
            target_share,
            start_date,
            deadline,
            version,
            created_at,
        }
    }
}

impl CsvRow for GoalBody {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "certification_type_ids",
        "departments",
        "roles",
        "include_designated_staff",
        "target_share",
        "start_date",
        "deadline",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        let join = |items: Vec<String>| items.join(" ");
        vec![
            self.id.to_string(),
            self.name.clone(),
            join(
                self.certification_type_ids
                    .iter()
                    .map(CertificationTypeId::to_string)
                    .collect(),
            ),
            join(
                self.population
                    .departments
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            join(
                self.population
                    .roles
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            self.population.include_designated_staff.to_string(),
            self.target_share.to_string(),
            self.start_date.to_string(),
            self.deadline.to_string(),
            self.version.to_string(),
        ]
    }
}

/// `POST /api/v1/goals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoal {
    /// Name.
    #[schema(example = "25% of patrol officers CIT-certified by 2028")]
    pub name: String,
    /// One or more certification types; any one counts.
    pub certification_type_ids: Vec<CertificationTypeId>,
    /// Who is counted.
    pub population: PopulationBody,
    /// Above 0 and at most 1.
    #[schema(example = 0.25)]
    pub target_share: f64,
    /// First day.
    #[schema(example = "2026-01-01")]
    pub start_date: NaiveDate,
    /// After `start_date`.
    #[schema(example = "2028-12-31")]
    pub deadline: NaiveDate,
}

/// `population` in a goal merge patch: absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationPatch {
    /// New departments.
    pub departments: Option<Vec<Department>>,
    /// New roles.
    pub roles: Option<Vec<PersonnelRole>>,
    /// Designated staff count.
    pub include_designated_staff: Option<bool>,
}

/// `PATCH /api/v1/goals/{id}` (merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGoal {
    /// New name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// New types.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub certification_type_ids: Option<Option<Vec<CertificationTypeId>>>,
    /// Changes to who is counted.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<PopulationPatch>)]
    pub population: Option<Option<PopulationPatch>>,
    /// New target.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub target_share: Option<Option<f64>>,
    /// New first day.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    /// New deadline.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub deadline: Option<Option<NaiveDate>>,
}

/// Query of `GET /api/v1/goals/{id}/progress`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The day to compute for (`YYYY-MM-DD`, 1900–2100); default the city's today.
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<NaiveDate>,
}

/// A department's share of the population.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentShare {
    /// Department.
    pub department: Department,
    /// People counted.
    pub population: u32,
    /// Of whom certified.
    pub certified: u32,
    /// certified / population.
    pub share: f64,
}

/// A shift's share of the population.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftShare {
    /// Shift; `unassigned` for people without one.
    pub shift: String,
    /// People counted.
    pub population: u32,
    /// Of whom certified.
    pub certified: u32,
    /// certified / population.
    pub share: f64,
}

/// One month of the series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPoint {
    /// `YYYY-MM`.
    #[schema(example = "2026-03")]
    pub month: String,
    /// The day computed on: the month's last day, or `as_of` for the last point.
    pub date: NaiveDate,
    /// People counted.
    pub population: u32,
    /// Of whom certified.
    pub certified: u32,
    /// certified / population.
    pub share: f64,
}

impl SeriesPoint {
    /// A point from its day and tally.
    pub fn new(date: NaiveDate, tally: Tally) -> Self {
        Self {
            month: date.format("%Y-%m").to_string(),
            date,
            population: tally.population,
            certified: tally.certified,
            share: tally.share(),
        }
    }
}

impl CsvRow for SeriesPoint {
    const HEADER: &'static [&'static str] = &["month", "date", "population", "certified", "share"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.month.clone(),
            self.date.to_string(),
            self.population.to_string(),
            self.certified.to_string(),
            self.share.to_string(),
        ]
    }
}

/// Progress toward a goal as of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressBody {
    /// The goal.
    pub goal_id: GoalId,
    /// The day computed for.
    pub as_of: NaiveDate,
    /// People counted that day.
    pub population: u32,
    /// Of whom certified.
    pub certified: u32,
    /// certified / population (0 for an empty population).
    pub share: f64,
    /// The goal's target.
    pub target_share: f64,
    /// max(0, ⌈target × population⌉ − certified).
    pub needed: u32,
    /// Whether the projected share at the deadline reaches the target (after the deadline:
    /// whether the share on the deadline did).
    pub on_track: bool,
    /// The trend of the last 12 monthly shares extended to the deadline (after the deadline:
    /// the share on the deadline).
    pub projected_share_at_deadline: f64,
    /// The population and certified count by department, as of the day.
    pub by_department: Vec<DepartmentShare>,
    /// The population and certified count by shift, as of the day.
    pub by_shift: Vec<ShiftShare>,
    /// One point per month from the goal's start to the day.
    pub series: Vec<SeriesPoint>,
}
