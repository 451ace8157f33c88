//! The rules of the training records, as pure functions: which status changes are legal, when a
//! certification is valid, and what its status is today.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::dates;
use crate::db::enums::{EnrollmentStatus, SessionStatus};

/// A certification's status, derived from its dates at read time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    /// Issued, not expired, not revoked.
    Active,
    /// Past its expiry date.
    Expired,
    /// Withdrawn; the record and its reason are kept.
    Revoked,
}

impl CertificationStatus {
    /// The label used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// The status of a certification on `today`: revoked from the city day of its revocation,
/// expired from its expiry date. The SQL twin is `certification_status_on` (migrations), and
/// one table of cases tests both.
pub fn certification_status(
    expires_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
    today: NaiveDate,
) -> CertificationStatus {
    if revoked_on.is_some_and(|revoked| revoked <= today) {
        CertificationStatus::Revoked
    } else if expires_on.is_some_and(|expires| expires <= today) {
        CertificationStatus::Expired
    } else {
        CertificationStatus::Active
    }
}

/// Whether a certification was valid on `day`: issued on or before it, not yet expired, and not
/// revoked on or before it (a later revocation does not rewrite earlier figures). `revoked_on`
/// is the revocation's day in the city's time zone. The SQL twin is `certification_valid_on`
/// (migrations), and one table of cases tests both.
pub fn valid_on(
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    issued_on <= day
        && expires_on.is_none_or(|expires| expires > day)
        && revoked_on.is_none_or(|revoked| revoked > day)
}

/// `issued_on` plus the type's validity; `None` (never expires) without one.
pub fn default_expiry(issued_on: NaiveDate, validity_months: Option<i32>) -> Option<NaiveDate> {
    let months = u32::try_from(validity_months?).ok()?;
    dates::add_months(issued_on, months)
}

/// Whether an enrollment may move from `from` to `to`.
pub fn enrollment_transition(from: EnrollmentStatus, to: EnrollmentStatus) -> Result<(), String> {
    use EnrollmentStatus::{Attended, Completed, Enrolled, Failed, NoShow, Withdrawn};
    let allowed = from == to
        || matches!(
            (from, to),
            (Enrolled, Attended | Completed | Failed | NoShow | Withdrawn)
                | (Attended, Completed | Failed)
                | (Withdrawn, Enrolled)
        );
    if allowed {
        Ok(())
    } else {
        Err(format!("an enrollment cannot go from {from} to {to}"))
    }
}

/// Whether a session may move from `from` to `to`.
pub fn session_transition(from: SessionStatus, to: SessionStatus) -> Result<(), String> {
    use SessionStatus::{Cancelled, Completed, Scheduled};
    let allowed = from == to
        || matches!(
            (from, to),
            (Scheduled, Completed | Cancelled) | (Cancelled, Scheduled)
        );
    if allowed {
        Ok(())
    } else {
        Err(format!("a session cannot go from {from} to {to}"))
    }
}

/// Whether an enrollment in this status holds a seat.
pub fn holds_seat(status: EnrollmentStatus) -> bool {
    status != EnrollmentStatus::Withdrawn
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrollmentStatus as E;
    use SessionStatus as S;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_certification_is_valid_from_issue_until_expiry_or_revocation() {
        let issued = d("2024-03-01");
        assert!(!valid_on(issued, None, None, d("2024-02-29")));
        assert!(valid_on(issued, None, None, d("2024-03-01")));
        assert!(valid_on(
            issued,
            Some(d("2026-03-01")),
            None,
            d("2026-02-28")
        ));
        assert!(!valid_on(
            issued,
            Some(d("2026-03-01")),
            None,
            d("2026-03-01")
        ));
        assert!(valid_on(
            issued,
            None,
            Some(d("2025-01-10")),
            d("2025-01-09")
        ));
        assert!(!valid_on(
            issued,
            None,
            Some(d("2025-01-10")),
            d("2025-01-10")
        ));
    }

    #[test]
    fn status_is_derived_from_dates_and_revocation() {
        let today = d("2026-06-01");
        assert_eq!(
            certification_status(None, None, today),
            CertificationStatus::Active
        );
        assert_eq!(
            certification_status(Some(d("2026-06-01")), None, today),
            CertificationStatus::Expired
        );
        assert_eq!(
            certification_status(Some(d("2027-01-01")), Some(today), today),
            CertificationStatus::Revoked
        );
        assert_eq!(
            certification_status(None, Some(d("2026-06-02")), today),
            CertificationStatus::Active,
            "a revocation counts from its own day"
        );
    }

    #[test]
    fn expiry_defaults_to_the_types_validity() {
        assert_eq!(
            default_expiry(d("2024-02-29"), Some(12)),
            Some(d("2025-02-28"))
        );
        assert_eq!(default_expiry(d("2024-02-29"), None), None);
    }

    #[test]
    fn enrollments_move_forward_and_a_withdrawal_can_be_undone() {
        assert!(enrollment_transition(E::Enrolled, E::Completed).is_ok());
        assert!(enrollment_transition(E::Attended, E::Failed).is_ok());
        assert!(enrollment_transition(E::Withdrawn, E::Enrolled).is_ok());
        assert!(enrollment_transition(E::Completed, E::Completed).is_ok());
        assert!(enrollment_transition(E::Completed, E::Failed).is_err());
        assert!(enrollment_transition(E::NoShow, E::Completed).is_err());
        assert!(enrollment_transition(E::Failed, E::Enrolled).is_err());
    }

    #[test]
    fn a_completed_session_is_final_and_a_cancelled_one_may_be_rescheduled() {
        assert!(session_transition(S::Scheduled, S::Cancelled).is_ok());
        assert!(session_transition(S::Cancelled, S::Scheduled).is_ok());
        assert!(session_transition(S::Completed, S::Scheduled).is_err());
        assert!(session_transition(S::Cancelled, S::Completed).is_err());
    }
}
