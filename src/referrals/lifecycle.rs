//! The referral's transition graph, in one pure function:
//!
//! ```text
//! sent → acknowledged → engaged → closed
//! sent ─────────────────────────→ closed
//!        acknowledged ──────────→ closed
//! ```
//!
//! A move to `closed` names its reason; no other move takes one. Everything else (staying put,
//! going back, leaving `closed`, skipping `acknowledged` on the way to `engaged`) is a 409.

use crate::db::enums::{CloseReason, ReferralStatus};

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an edge of the graph: 409.
    Illegal(String),
    /// An edge, but the reason is missing or not wanted: 422 on `reason`.
    Reason(&'static str),
}

/// Whether `to` may follow `from`; a move to `closed` needs a reason, no other takes one.
pub fn check(
    from: ReferralStatus,
    to: ReferralStatus,
    reason: Option<CloseReason>,
) -> Result<(), Refusal> {
    use ReferralStatus::{Acknowledged, Closed, Engaged, Sent};
    let edge = matches!(
        (from, to),
        (Sent, Acknowledged) | (Acknowledged, Engaged) | (Sent | Acknowledged | Engaged, Closed)
    );
    if !edge {
        let next = following(from);
        return Err(Refusal::Illegal(if next.is_empty() {
            format!("a {from} referral cannot move any more")
        } else {
            let names: Vec<&str> = next.iter().map(|s| s.as_str()).collect();
            format!(
                "a {from} referral cannot move to {to}; it may move to: {}",
                names.join(", ")
            )
        }));
    }
    match (to, reason) {
        (Closed, None) => Err(Refusal::Reason(
            "closing a referral needs a reason: completed, declined, ineligible, no_capacity, \
             unable_to_contact or withdrawn",
        )),
        (Closed, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(Refusal::Reason("only a move to closed takes a reason")),
    }
}

/// The statuses a referral in `from` may move to.
pub fn following(from: ReferralStatus) -> &'static [ReferralStatus] {
    use ReferralStatus::{Acknowledged, Closed, Engaged, Sent};
    match from {
        Sent => &[Acknowledged, Closed],
        Acknowledged => &[Engaged, Closed],
        Engaged => &[Closed],
        Closed => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::{Acknowledged, Closed, Engaged, Sent};

    #[test]
    fn every_pair_of_statuses_is_judged_by_the_graph() {
        let legal = [
            (Sent, Acknowledged),
            (Acknowledged, Engaged),
            (Engaged, Closed),
            (Sent, Closed),
            (Acknowledged, Closed),
        ];
        for &from in ReferralStatus::ALL {
            for &to in ReferralStatus::ALL {
                let reason = (to == Closed).then_some(CloseReason::Completed);
                let outcome = check(from, to, reason);
                if legal.contains(&(from, to)) {
                    assert_eq!(outcome, Ok(()), "{from} → {to}");
                    assert!(following(from).contains(&to));
                } else {
                    assert!(
                        matches!(outcome, Err(Refusal::Illegal(_))),
                        "{from} → {to}: {outcome:?}"
                    );
                    assert!(!following(from).contains(&to));
                }
            }
        }
    }

    #[test]
    fn closing_needs_a_reason_and_nothing_else_takes_one() {
        assert!(matches!(
            check(Engaged, Closed, None),
            Err(Refusal::Reason(_))
        ));
        for &reason in CloseReason::ALL {
            assert_eq!(check(Sent, Closed, Some(reason)), Ok(()));
        }
        assert!(matches!(
            check(Sent, Acknowledged, Some(CloseReason::Declined)),
            Err(Refusal::Reason(_))
        ));
    }

    #[test]
    fn a_closed_referral_says_it_cannot_move() {
        let Err(Refusal::Illegal(message)) = check(Closed, Engaged, None) else {
            panic!("closed is final");
        };
        assert!(message.contains("cannot move any more"), "{message}");
    }
}
