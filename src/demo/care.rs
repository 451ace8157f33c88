//! The care that follows a crisis call: the referral a call leads to (which partner, consent,
//! how far it got by now) and what became of its follow-up. Pure, like the rest of the
//! generator.

use chrono::{DateTime, TimeDelta, Utc};

use crate::db::enums::{
    CloseReason, ConsentMethod, ConsentScope, CrisisType, FollowUpMethod, FollowUpStatus,
    ReferralStatus,
};
use crate::ids::{PersonnelId, UserId};

use super::rng::Rng;

/// A clinician's user account (it records referrals and works follow-ups).
#[derive(Debug, Clone)]
pub struct Clinician {
    /// The user.
    pub user_id: UserId,
    /// Its username.
    pub username: String,
    /// The person.
    pub personnel_id: PersonnelId,
    /// Their first day at work (noon of the hire date, in the city's zone).
    pub hired: DateTime<Utc>,
}

/// A referral planned for a call, written once the call has its id.
#[derive(Debug, Clone)]
pub struct PlannedReferral {
    /// Index of the partner (`partners::directory`).
    pub partner: usize,
    /// Index of its service.
    pub service: usize,
    /// What the person needs.
    pub need: &'static str,
    /// Consent.
    pub consent: (ConsentMethod, ConsentScope),
    /// The contact, when consent covers it: name, phone, best time.
    pub contact: Option<(String, String, &'static str)>,
    /// The officer who referred.
    pub referred_by: PersonnelId,
    /// The clinician who recorded it (and recorded its moves).
    pub clinician: usize,
    /// Sent at.
    pub sent_at: DateTime<Utc>,
    /// Moves that happened by now: to, when, close reason.
    pub moves: Vec<(ReferralStatus, DateTime<Utc>, Option<CloseReason>)>,
}

/// What became of a call's follow-up by now.
#[derive(Debug, Clone)]
pub struct FollowUpFate {
    /// The clinician it is assigned to.
    pub clinician: Option<usize>,
    /// How.
    pub method: FollowUpMethod,
    /// Moves that happened by now: to, when.
    pub moves: Vec<(FollowUpStatus, DateTime<Utc>)>,
}

/// The partner and service for a need: youth services for minors, substance-use intake, the
/// hospital or the crisis service for suicide and psychosis, NAMI for families.
pub fn plan_referral(
    rng: &mut Rng,
    crisis: &[CrisisType],
    young: bool,
    referred_by: PersonnelId,
    clinicians: &[Clinician],
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<PlannedReferral> {
    let (partner, service, need) = if young {
        (3, 0, "Youth and family crisis counselling")
    } else if crisis.contains(&CrisisType::Substance) {
        (0, 2, "Substance-use treatment intake")
    } else if crisis
        .iter()
        .any(|c| matches!(c, CrisisType::Suicide | CrisisType::Psychosis))
    {
        if rng.chance(0.5) {
            (2, 0, "Outpatient psychiatric assessment")
        } else {
            (0, 1, "Mobile crisis team follow-up visit")
        }
    } else if rng.chance(0.5) {
        (1, 0, "Family education and support")
    } else {
        (1, 1, "Peer support group")
    };
    let sent_at = after + TimeDelta::minutes(rng.between(30, 20 * 60));
    if sent_at >= now {
        return None;
    }
    let scope = if rng.chance(0.7) {
        ConsentScope::Contact
    } else {
        ConsentScope::NeedOnly
    };
    let method = *rng.weighted(&[
        (ConsentMethod::Verbal, 0.6),
        (ConsentMethod::Written, 0.3),
        (ConsentMethod::Electronic, 0.1),
    ]);
    let contact = (scope == ConsentScope::Contact).then(|| {
        (
            format!(
                "{} {}.",
                rng.pick(&[
                    "Alex", "Sam", "Jordan", "Chris", "Pat", "Robin", "Casey", "Terry"
                ]),
                rng.pick(&["A", "B", "D", "K", "M", "R", "S", "W"])
            ),
            format!("217-555-01{:02}", rng.below(100)),
            *rng.pick(&[
                "Weekday mornings",
                "Afternoons",
                "Evenings after 6",
                "Any time",
            ]),
        )
    });
    let mut moves = Vec::new();
    let mut at = sent_at;
    let mut step =
        |rng: &mut Rng, to: ReferralStatus, hours: (i64, i64), reason: Option<CloseReason>| {
            at += TimeDelta::hours(rng.between(hours.0, hours.1));
            let happened = at < now;
            if happened {
                moves.push((to, at, reason));
            }
            happened
        };
    let closing = |rng: &mut Rng| {
        *rng.weighted(&[
            (CloseReason::Declined, 0.35),
            (CloseReason::UnableToContact, 0.35),
            (CloseReason::Ineligible, 0.1),
            (CloseReason::NoCapacity, 0.1),
            (CloseReason::Withdrawn, 0.1),
        ])
    };
    if rng.chance(0.88) {
        if step(rng, ReferralStatus::Acknowledged, (4, 72), None) {
            if rng.chance(0.62) {
                if step(rng, ReferralStatus::Engaged, (48, 21 * 24), None) && rng.chance(0.7) {
                    step(
                        rng,
                        ReferralStatus::Closed,
                        (30 * 24, 120 * 24),
                        Some(CloseReason::Completed),
                    );
                }
            } else {
                let reason = closing(rng);
                step(rng, ReferralStatus::Closed, (7 * 24, 30 * 24), Some(reason));
            }
        }
    } else if rng.chance(0.8) {
        let reason = *rng.pick(&[CloseReason::UnableToContact, CloseReason::NoCapacity]);
        step(
            rng,
            ReferralStatus::Closed,
            (14 * 24, 45 * 24),
            Some(reason),
        );
    }
    Some(PlannedReferral {
        partner,
        service,
        need,
        consent: (method, scope),
        contact,
        referred_by,
        clinician: rng.below(clinicians.len()),
        sent_at,
        moves,
    })
}

/// A follow-up due at `due`: worked by a clinician unless it is still ahead, a few left
/// overdue, the recent ones in progress.
pub fn follow_up_fate(
    rng: &mut Rng,
    clinicians: &[Clinician],
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> FollowUpFate {
    let working: Vec<usize> = (0..clinicians.len())
        .filter(|&c| clinicians[c].hired <= due)
        .collect();
    // Older follow-ups have all been assigned; a few recent ones wait for a clinician.
    let settled = due < now - TimeDelta::days(10);
    let clinician =
        (!working.is_empty() && (settled || rng.chance(0.7))).then(|| *rng.pick(&working));
    let method = *rng.weighted(&[
        (FollowUpMethod::Phone, 0.6),
        (FollowUpMethod::Visit, 0.22),
        (FollowUpMethod::Joint, 0.12),
        (FollowUpMethod::Letter, 0.06),
    ]);
    let mut moves = Vec::new();
    if clinician.is_some() && due < now {
        let age_days = (now - due).num_days();
        let end = if age_days < 10 {
            *rng.weighted(&[
                (None, 0.4),
                (Some(FollowUpStatus::Attempted), 0.3),
                (Some(FollowUpStatus::Completed), 0.3),
            ])
        } else {
            *rng.weighted(&[
                (Some(FollowUpStatus::Completed), 0.62),
                (Some(FollowUpStatus::UnableToContact), 0.2),
                (Some(FollowUpStatus::Declined), 0.1),
                (Some(FollowUpStatus::Cancelled), 0.03),
                (Some(FollowUpStatus::Attempted), 0.03),
                (None, 0.02),
            ])
        };
        let mut at = due + TimeDelta::hours(rng.between(-24, 48));
        if let Some(end) = end {
            if end != FollowUpStatus::Cancelled
                && rng.chance(0.4)
                && end != FollowUpStatus::Attempted
            {
                moves.push((FollowUpStatus::Attempted, at.min(now)));
                at += TimeDelta::hours(rng.between(24, 96));
            }
            moves.push((end, at.min(now)));
        }
    }
    FollowUpFate {
        clinician,
        method,
        moves,
    }
}
