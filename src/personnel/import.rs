//! The HR roster: CSV with a header row, one person per line, upserted by `employee_number`.
//!
//! Columns (any order, names case-insensitive; other columns are ignored):
//! `employee_number`, `first_name`, `last_name`, `department`, `role`, `hire_date` (required);
//! `rank`, `shift`, `separation_date`, `status`, `designated_staff` (optional). Dates are
//! `YYYY-MM-DD`; `designated_staff` is `true/false`, `yes/no`, `1/0` or empty (false).
//! An optional column that is absent leaves that field of existing people alone; present but
//! empty, it clears it.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::enums::PersonnelStatus;
use crate::error::{AppError, FieldError};
use crate::validation::Errors;

use super::model::PersonnelRow;
use super::payloads::{CreatePersonnel, ImportLineError};

/// Columns a roster must have.
pub const REQUIRED: [&str; 6] = [
    "employee_number",
    "first_name",
    "last_name",
    "department",
    "role",
    "hire_date",
];
/// Columns a roster may have.
pub const OPTIONAL: [&str; 5] = [
    "rank",
    "shift",
    "separation_date",
    "status",
    "designated_staff",
];

/// Which optional columns the file has.
#[derive(Debug, Default, Clone, Copy)]
pub struct Columns {
    /// `rank`.
    pub rank: bool,
    /// `shift`.
    pub shift: bool,
    /// `separation_date`.
    pub separation_date: bool,
    /// `status`.
    pub status: bool,
    /// `designated_staff`.
    pub designated_staff: bool,
}

/// A readable line: the record it asks for, not yet validated.
#[derive(Debug)]
pub struct RosterLine {
    /// Line number (the header is line 1).
    pub line: u64,
    /// The values read.
    pub input: CreatePersonnel,
}

/// The readable lines of a roster and the unreadable ones.
#[derive(Debug, Default)]
pub struct Roster {
    /// The optional columns present.
    pub columns: Columns,
    /// Readable lines, each employee number once.
    pub lines: Vec<RosterLine>,
    /// Rejected lines.
    pub errors: Vec<ImportLineError>,
}

impl Columns {
    /// The record an existing person gets from a line: the line's values, except for optional
    /// columns the file lacks, which keep the current values. With neither `status` nor
    /// `separation_date` in the file, employment status stays as it is.
    pub fn merge(&self, current: &PersonnelRow, input: CreatePersonnel) -> CreatePersonnel {
        let status = if self.status {
            input.status
        } else if self.separation_date {
            None
        } else {
            Some(current.status)
        };
        CreatePersonnel {
            rank: if self.rank {
                input.rank
            } else {
                current.rank.clone()
            },
            shift: if self.shift {
                input.shift
            } else {
                current.shift.clone()
            },
            separation_date: if self.separation_date {
                input.separation_date
            } else {
                current.separation_date
            },
            status,
            designated_staff: if self.designated_staff {
                input.designated_staff
            } else {
                current.designated_staff
            },
            ..input
        }
    }
}

fn parse_enum<T: std::str::FromStr<Err = String>>(raw: &str) -> Result<T, String> {
    raw.trim().to_lowercase().replace([' ', '-'], "_").parse()
}

fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "is not a date in the form YYYY-MM-DD".to_owned())
}

fn parse_flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_lowercase().as_str() {
        "" | "false" | "no" | "n" | "0" => Ok(false),
        "true" | "yes" | "y" | "1" => Ok(true),
        _ => Err("expected true or false".into()),
    }
}

/// Reads a roster. A file-level problem (no header, a required column missing) is a 422; an
/// unreadable line is reported in [`Roster::errors`] and the other lines are kept. The
/// record rules are applied later, once each line is merged with the person it updates.
pub fn parse(bytes: &[u8]) -> Result<Roster, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|_| AppError::invalid("header", "the first line must be a CSV header row"))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(index, name)| (name.trim().to_lowercase(), index))
        .collect();
    let missing: Vec<FieldError> = REQUIRED
        .iter()
        .filter(|name| !columns.contains_key(**name))
        .map(|name| FieldError::new("header", format!("missing column `{name}`")))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Validation(missing));
    }

    let mut roster = Roster {
        columns: Columns {
            rank: columns.contains_key("rank"),
            shift: columns.contains_key("shift"),
            separation_date: columns.contains_key("separation_date"),
            status: columns.contains_key("status"),
            designated_staff: columns.contains_key("designated_staff"),
        },
        ..Roster::default()
    };
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for result in reader.records() {
        let (line, record) = match result {
            Ok(record) => (record.position().map_or(0, |p| p.line()), record),
            Err(error) => {
                roster.errors.push(ImportLineError {
                    line: error.position().map_or(0, |p| p.line()),
                    message: "the line is not readable CSV text".into(),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        if let Some(index) = record.iter().position(|cell| cell.contains('\0')) {
            let column = headers.get(index).unwrap_or("(column)").trim();
            roster.errors.push(ImportLineError {
                line,
                message: format!("{column}: {}", crate::validation::NUL_MESSAGE),
            });
            continue;
        }
        let field = |name: &str| {
            columns
                .get(name)
                .and_then(|index| record.get(*index))
                .unwrap_or_default()
        };
        let mut errors = Errors::default();
        let department = errors.check("department", parse_enum(field("department")));
        let role = errors.check("role", parse_enum(field("role")));
        let hire_date = errors.check("hire_date", parse_date(field("hire_date")));
        let separation_date = match field("separation_date") {
            "" => Some(None),
            raw => errors.check("separation_date", parse_date(raw).map(Some)),
        };
        let status = match field("status") {
            "" => Some(None),
            raw => errors
                .check("status", parse_enum::<PersonnelStatus>(raw))
                .map(Some),
        };
        let designated_staff =
            errors.check("designated_staff", parse_flag(field("designated_staff")));
        let input = match (
            department,
            role,
            hire_date,
            separation_date,
            status,
            designated_staff,
        ) {
            (
                Some(department),
                Some(role),
                Some(hire_date),
                Some(separation_date),
                Some(status),
                Some(designated_staff),
            ) => Some(CreatePersonnel {
                employee_number: field("employee_number").to_owned(),
                first_name: field("first_name").to_owned(),
                last_name: field("last_name").to_owned(),
                department,
                role,
                rank: Some(field("rank").to_owned()),
                shift: Some(field("shift").to_owned()),
                hire_date,
                separation_date,
                status,
                designated_staff,
            }),
            _ => None,
        };
        let number = field("employee_number").to_owned();
        match input {
            Some(input) => {
                if let Some(first) = first_line_of.get(&number) {
                    roster.errors.push(ImportLineError {
                        line,
                        message: format!("employee_number: repeats line {first}"),
                    });
                } else {
                    first_line_of.insert(number, line);
                    roster.lines.push(RosterLine { line, input });
                }
            }
            None => roster.errors.push(ImportLineError {
                line,
                message: describe(errors),
            }),
        }
    }
    Ok(roster)
}

/// "field: message; field: message" — names fields, never repeats values.
pub fn describe(errors: Errors) -> String {
    match errors.into_error() {
        AppError::Validation(list) => list
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::enums::{Department, PersonnelRole};

    #[test]
    fn reads_columns_in_any_order_and_reports_bad_lines() {
        let csv = "\u{feff}Last_Name,first_name,employee_number,department,role,hire_date,designated_staff,email\n\
                   Diaz,Ana,P-1,Police,officer,2015-06-01,,ana@example.org\n\
                   Ng,Bo,P-2,police,pilot,2015-13-01,maybe,\n\
                   Roe,Cy,D-3,communications,telecommunicator,2019-02-01,yes,\n\
                   Diaz,Al,P-1,police,officer,2016-01-01,no,\n";
        let roster = parse(csv.as_bytes()).unwrap();
        assert_eq!(roster.lines.len(), 2);
        let first = &roster.lines[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.input.last_name, "Diaz");
        assert_eq!(first.input.department, Department::Police);
        assert!(!first.input.designated_staff);
        assert_eq!(roster.lines[1].input.role, PersonnelRole::Telecommunicator);
        assert!(roster.lines[1].input.designated_staff);
        assert!(roster.columns.designated_staff && !roster.columns.rank);

        assert_eq!(roster.errors.len(), 2);
        assert_eq!(roster.errors[0].line, 3);
        assert!(roster.errors[0].message.contains("role:"));
        assert!(roster.errors[0].message.contains("hire_date:"));
        assert!(roster.errors[0].message.contains("designated_staff:"));
        assert!(
            !roster.errors[0].message.contains("Ng"),
            "no values in messages"
        );
        assert_eq!(roster.errors[1].line, 5);
        assert_eq!(roster.errors[1].message, "employee_number: repeats line 2");
    }

    #[test]
    fn a_missing_required_column_rejects_the_file() {
        let error = parse(b"employee_number,first_name\nP-1,Ana\n").unwrap_err();
        match error {
            AppError::Validation(errors) => assert_eq!(errors.len(), 4),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn absent_optional_columns_keep_the_current_values() {
        let csv = "employee_number,first_name,last_name,department,role,hire_date\n\
                   F-9,Jo,Lee,fire,firefighter,2010-01-01\n";
        let mut roster = parse(csv.as_bytes()).unwrap();
        let current = PersonnelRow {
            id: crate::ids::PersonnelId::generate(),
            employee_number: "F-9".into(),
            first_name: "Jo".into(),
            last_name: "Lee".into(),
            department: Department::Fire,
            role: PersonnelRole::Firefighter,
            rank: Some("Captain".into()),
            shift: Some("C".into()),
            hire_date: "2010-01-01".parse().unwrap(),
            separation_date: Some("2019-05-31".parse().unwrap()),
            status: PersonnelStatus::Separated,
            designated_staff: true,
            version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        let merged = roster.columns.merge(&current, roster.lines.remove(0).input);
        assert_eq!(merged.rank.as_deref(), Some("Captain"));
        assert_eq!(merged.shift.as_deref(), Some("C"));
        assert_eq!(merged.separation_date, current.separation_date);
        assert_eq!(merged.status, Some(PersonnelStatus::Separated));
        assert!(merged.designated_staff);
    }
}
