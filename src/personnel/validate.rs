//! The rules of a personnel record, shared by the JSON endpoints and the roster import.

use chrono::NaiveDate;

use crate::db::enums::PersonnelStatus;
use crate::ids::PersonnelId;
use crate::validation::{self, Errors};

use super::model::NewPersonnel;
use super::payloads::CreatePersonnel;

/// 1–32 characters of letters, digits and `- _ .`, kept as given.
pub fn employee_number(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let length = value.chars().count();
    if !(1..=32).contains(&length) {
        return Err("must be 1 to 32 characters".into());
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err("may hold only letters, digits and - _ .".into());
    }
    Ok(value.to_owned())
}

/// The status a record ends up with: a separation date means separated, and only then.
pub fn resolve_status(
    given: Option<PersonnelStatus>,
    separation_date: Option<NaiveDate>,
) -> Result<PersonnelStatus, (&'static str, &'static str)> {
    match (given, separation_date) {
        (None, None) => Ok(PersonnelStatus::Active),
        (None | Some(PersonnelStatus::Separated), Some(_)) => Ok(PersonnelStatus::Separated),
        (Some(PersonnelStatus::Separated), None) => Err((
            "separation_date",
            "is required when the status is separated",
        )),
        (Some(_), Some(_)) => Err((
            "status",
            "a person with a separation date is separated; clear the date to change the status",
        )),
        (Some(status), None) => Ok(status),
    }
}

/// Validates a whole record; every bad field is recorded in `errors`.
pub fn record(input: CreatePersonnel, errors: &mut Errors) -> Option<NewPersonnel> {
    let employee_number = errors.check("employee_number", employee_number(&input.employee_number));
    let first_name = errors.check("first_name", validation::text(&input.first_name, 100));
    let last_name = errors.check("last_name", validation::text(&input.last_name, 100));
    let rank = errors.check("rank", validation::optional_text(input.rank.as_deref(), 50));
    let shift = errors.check(
        "shift",
        validation::optional_text(input.shift.as_deref(), 50),
    );
    errors.check("hire_date", crate::dates::plausible(input.hire_date));
    if let Some(separated) = input.separation_date {
        errors.check("separation_date", crate::dates::plausible(separated));
    }
    if input
        .separation_date
        .is_some_and(|separated| separated < input.hire_date)
    {
        errors.add("separation_date", "must be on or after the hire date");
    }
    let status = match resolve_status(input.status, input.separation_date) {
        Ok(status) => Some(status),
        Err((field, message)) => {
            errors.add(field, message);
            None
        }
    };
    Some(NewPersonnel {
        id: PersonnelId::generate(),
        employee_number: employee_number?,
        first_name: first_name?,
        last_name: last_name?,
        department: input.department,
        role: input.role,
        rank: rank?,
        shift: shift?,
        hire_date: input.hire_date,
        separation_date: input.separation_date,
        status: status?,
        designated_staff: input.designated_staff,
    })
    .filter(|_| errors.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::enums::{Department, PersonnelRole};

    fn input() -> CreatePersonnel {
        CreatePersonnel {
            employee_number: " P-1001 ".into(),
            first_name: "Ana".into(),
            last_name: "Diaz".into(),
            department: Department::Police,
            role: PersonnelRole::Officer,
            rank: Some(" ".into()),
            shift: Some("B".into()),
            hire_date: "2015-06-01".parse().unwrap(),
            separation_date: None,
            status: None,
            designated_staff: false,
        }
    }

    #[test]
    fn a_good_record_is_normalized() {
        let mut errors = Errors::default();
        let record = record(input(), &mut errors).unwrap();
        assert_eq!(record.employee_number, "P-1001");
        assert_eq!(record.rank, None);
        assert_eq!(record.status, PersonnelStatus::Active);
    }

    #[test]
    fn a_separation_date_means_separated_and_must_follow_the_hire_date() {
        let mut errors = Errors::default();
        let separated = CreatePersonnel {
            separation_date: Some("2020-01-31".parse().unwrap()),
            ..input()
        };
        assert_eq!(
            record(separated, &mut errors).unwrap().status,
            PersonnelStatus::Separated
        );
        let early = CreatePersonnel {
            separation_date: Some("2010-01-31".parse().unwrap()),
            ..input()
        };
        assert!(record(early, &mut errors).is_none());
    }

    #[test]
    fn status_and_separation_date_agree() {
        assert_eq!(
            resolve_status(Some(PersonnelStatus::Leave), None),
            Ok(PersonnelStatus::Leave)
        );
        assert!(resolve_status(Some(PersonnelStatus::Separated), None).is_err());
        assert!(resolve_status(Some(PersonnelStatus::Active), "2020-01-01".parse().ok()).is_err());
    }

    #[test]
    fn employee_numbers_are_bounded() {
        assert!(employee_number("").is_err());
        assert!(employee_number("A 1").is_err());
        assert!(employee_number(&"9".repeat(33)).is_err());
    }
}
