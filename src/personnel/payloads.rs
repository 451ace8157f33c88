//! Request and response bodies of the personnel endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::enums::{Department, PersonnelRole, PersonnelStatus};
use crate::http::csv::{CsvRow, cell};
use crate::ids::PersonnelId;
use crate::training::certifications::payloads::CertificationBody;
use crate::training::sessions::payloads::EnrollmentBody;
use crate::validation::present;

use super::model::PersonnelRow;

/// A person, as those who manage training see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonnelBody {
    /// Id.
    pub id: PersonnelId,
    /// HR's employee number; unique.
    pub employee_number: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Department.
    pub department: Department,
    /// Job.
    pub role: PersonnelRole,
    /// Rank.
    pub rank: Option<String>,
    /// Shift.
    pub shift: Option<String>,
    /// First day employed.
    pub hire_date: NaiveDate,
    /// Set when the person left; they are not employed from this day.
    pub separation_date: Option<NaiveDate>,
    /// Status (`separated` exactly when there is a separation date).
    pub status: PersonnelStatus,
    /// A civilian chosen to count in the certification goal's population.
    pub designated_staff: bool,
    /// Holds a certification of a type that counts as CIT, valid today.
    pub cit_certified: bool,
    /// Version for `If-Match`.
    pub version: i32,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Changed at.
    pub updated_at: DateTime<Utc>,
}

impl PersonnelBody {
    /// A row and its derived certification flag.
    pub fn new(row: PersonnelRow, cit_certified: bool) -> Self {
        let PersonnelRow {
            id,
            employee_number,
            first_name,
            last_name,
            department,
            role,
            rank,
            shift,
            hire_date,
            separation_date,
            status,
            designated_staff,
            version,
            created_at,
            updated_at,
        } = row;
        Self {
            id,
            employee_number,
            first_name,
            last_name,
            department,
            role,
            rank,
            shift,
            hire_date,
            separation_date,
            status,
            designated_staff,
            cit_certified,
            version,
            created_at,
            updated_at,
        }
    }
}

/// A person as the records management system sees them: enough to match responders.
/// (`deny_unknown_fields` only tells the document that nothing else is in it, so a full record
/// matches exactly one branch of the list's `oneOf`.)
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonnelNumberBody {
    /// Id.
    pub id: PersonnelId,
    /// Employee number.
    pub employee_number: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
}

/// An item of the personnel list: the full record, or for `integration` callers only ids,
/// numbers and names.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PersonnelListItem {
    /// For admin, coordinator and supervisor.
    Full(PersonnelBody),
    /// For integration.
    Numbers(PersonnelNumberBody),
}

impl CsvRow for PersonnelListItem {
    const HEADER: &'static [&'static str] = &[
        "id",
        "employee_number",
        "first_name",
        "last_name",
        "department",
        "role",
        "rank",
        "shift",
        "hire_date",
        "separation_date",
        "status",
        "designated_staff",
        "cit_certified",
        "version",
    ];

    fn cells(&self) -> Vec<String> {
        match self {
            Self::Full(p) => vec![
                p.id.to_string(),
                p.employee_number.clone(),
                p.first_name.clone(),
                p.last_name.clone(),
                p.department.to_string(),
                p.role.to_string(),
                cell(p.rank.as_ref()),
                cell(p.shift.as_ref()),
                p.hire_date.to_string(),
                cell(p.separation_date),
                p.status.to_string(),
                p.designated_staff.to_string(),
                p.cit_certified.to_string(),
                p.version.to_string(),
            ],
            Self::Numbers(p) => {
                let mut cells = vec![
                    p.id.to_string(),
                    p.employee_number.clone(),
                    p.first_name.clone(),
                    p.last_name.clone(),
                ];
                cells.resize(Self::HEADER.len(), String::new());
                cells
            }
        }
    }
}

/// A person with their certifications and enrollments.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonnelDetail {
    /// The record.
    #[serde(flatten)]
    pub person: PersonnelBody,
    /// Every certification, newest first, with its status today.
    pub certifications: Vec<CertificationBody>,
    /// Every enrollment, newest first.
    pub enrollments: Vec<EnrollmentBody>,
}

/// `POST /api/v1/personnel`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonnel {
    /// 1–32 characters of letters, digits and `- _ .`; unique.
    #[schema(example = "P-10442")]
    pub employee_number: String,
    /// First name.
    #[schema(example = "Ana")]
    pub first_name: String,
    /// Last name.
    #[schema(example = "Diaz")]
    pub last_name: String,
    /// Department.
    pub department: Department,
    /// Job.
    pub role: PersonnelRole,
    /// Rank.
    #[schema(example = "Patrol Officer")]
    pub rank: Option<String>,
    /// Shift.
    #[schema(example = "B")]
    pub shift: Option<String>,
    /// First day employed.
    #[schema(example = "2016-08-15")]
    pub hire_date: NaiveDate,
    /// When the person left; implies `status: separated`.
    pub separation_date: Option<NaiveDate>,
    /// `active` (default), `leave`, or `separated` (needs `separation_date`).
    pub status: Option<PersonnelStatus>,
    /// Counts in the goal population as designated staff (default false).
    #[serde(default)]
    pub designated_staff: bool,
}

/// `PATCH /api/v1/personnel/{id}` (merge patch). Setting `separation_date` separates the
/// person; clearing it makes them active again unless `status` says otherwise.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonnel {
    /// New employee number.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub employee_number: Option<Option<String>>,
    /// New first name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Option<String>>,
    /// New last name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    /// New department.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Department>)]
    pub department: Option<Option<Department>>,
    /// New job.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<PersonnelRole>)]
    pub role: Option<Option<PersonnelRole>>,
    /// New rank; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub rank: Option<Option<String>>,
    /// New shift; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub shift: Option<Option<String>>,
    /// New hire date.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub hire_date: Option<Option<NaiveDate>>,
    /// New separation date; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub separation_date: Option<Option<NaiveDate>>,
    /// New status.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<PersonnelStatus>)]
    pub status: Option<Option<PersonnelStatus>>,
    /// Designated staff or not.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub designated_staff: Option<Option<bool>>,
}

/// Query of `GET /api/v1/personnel`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonnelQuery {
    /// Department.
    pub department: Option<Department>,
    /// Job.
    pub role: Option<PersonnelRole>,
    /// Status.
    pub status: Option<PersonnelStatus>,
    /// Shift (exact).
    pub shift: Option<String>,
    /// Designated staff or not.
    pub designated_staff: Option<bool>,
    /// CIT-certified today or not.
    pub cit_certified: Option<bool>,
    /// Part of a first or last name, or of the employee number (case-insensitive).
    #[param(pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One rejected roster line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportLineError {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong with it, field by field.
    pub message: String,
}

/// What a roster import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// New people.
    pub created: usize,
    /// People whose record changed.
    pub updated: usize,
    /// People whose record already matched.
    pub unchanged: usize,
    /// Lines not stored; every other line was.
    pub errors: Vec<ImportLineError>,
}
