//! Where a follow-up may go: open while `scheduled` or `attempted` (an attempt that did not
//! reach the person keeps it open); `completed`, `unable_to_contact`, `declined` and
//! `cancelled` end it. An ended follow-up keeps its status; only its outcome note may still be
//! written.

use crate::db::enums::FollowUpStatus;

/// Whether a follow-up in `status` is still to be done.
pub fn is_open(status: FollowUpStatus) -> bool {
    matches!(
        status,
        FollowUpStatus::Scheduled | FollowUpStatus::Attempted
    )
}

/// Whether a follow-up may move from `from` to `to` (`Err` holds the 409's message).
pub fn check(from: FollowUpStatus, to: FollowUpStatus) -> Result<(), String> {
    use FollowUpStatus::{Attempted, Scheduled};
    if from == to && from == Attempted {
        // Another attempt: still attempted.
        return Ok(());
    }
    if !is_open(from) {
        return Err(format!(
            "a {from} follow-up is over; its status cannot change"
        ));
    }
    if to == Scheduled || from == to {
        return Err(format!("a {from} follow-up cannot move to {to}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use FollowUpStatus::*;

    #[test]
    fn open_follow_ups_move_forward_and_ended_ones_stay() {
        for &from in FollowUpStatus::ALL {
            for &to in FollowUpStatus::ALL {
                let expected = matches!(
                    (from, to),
                    (
                        Scheduled | Attempted,
                        Attempted | Completed | UnableToContact | Declined | Cancelled
                    )
                );
                assert_eq!(check(from, to).is_ok(), expected, "{from} → {to}");
            }
        }
        assert!(is_open(Scheduled) && is_open(Attempted));
        assert!(!is_open(Completed) && !is_open(Cancelled));
    }
}
