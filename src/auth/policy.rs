//! Who may call what: one marker type per role set, used as `Require<Admins>` in handler
//! signatures. The sets follow API.md; each later feature adds the sets it needs here.

use crate::db::enums::Role;

/// A set of roles, any one of which lets a caller through.
pub trait Policy {
    /// The roles allowed.
    const ROLES: &'static [Role];
}

/// Administrators only.
#[derive(Debug)]
pub struct Admins;

impl Policy for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Readers of the audit trail.
#[derive(Debug)]
pub struct AuditReaders;

impl Policy for AuditReaders {
    const ROLES: &'static [Role] = &[Role::Auditor, Role::Admin];
}

/// Who lists personnel: training managers and readers, and the records management system
/// (which sees only ids, numbers and names).
#[derive(Debug)]
pub struct PersonnelListers;

impl Policy for PersonnelListers {
    const ROLES: &'static [Role] = &[
        Role::Admin,
        Role::Coordinator,
        Role::Supervisor,
        Role::Integration,
    ];
}

/// Who reads personnel and training records.
#[derive(Debug)]
pub struct TrainingReaders;

impl Policy for TrainingReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Coordinator, Role::Supervisor];
}

/// Who writes personnel and training records and goals.
#[derive(Debug)]
pub struct TrainingWriters;

impl Policy for TrainingWriters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Coordinator];
}

/// Who reads goals, progress and metrics.
#[derive(Debug)]
pub struct MetricsReaders;

impl Policy for MetricsReaders {
    const ROLES: &'static [Role] = &[
        Role::Admin,
        Role::Coordinator,
        Role::Supervisor,
        Role::Analyst,
    ];
}

/// Who pushes calls: the records management system (with its API key) and admins.
#[derive(Debug)]
pub struct CallWriters;

impl Policy for CallWriters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Integration];
}

/// Who reads calls (subject identities only with [`SubjectReaders`]).
#[derive(Debug)]
pub struct CallReaders;

impl Policy for CallReaders {
    const ROLES: &'static [Role] = &[
        Role::Admin,
        Role::Coordinator,
        Role::Supervisor,
        Role::Clinician,
    ];
}

/// Who may see who a person in crisis is: subjects, and the subject of a call.
#[derive(Debug)]
pub struct SubjectReaders;

impl Policy for SubjectReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Clinician];
}

/// Who edits the partner directory and sees its internal fields (MOU status).
#[derive(Debug)]
pub struct PartnerWriters;

impl Policy for PartnerWriters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Clinician, Role::Coordinator];
}

/// Who refers people to partners and works follow-ups: clinical staff.
#[derive(Debug)]
pub struct Clinicians;

impl Policy for Clinicians {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Clinician];
}

/// Who reads and moves referrals: clinical staff (all of them), and partner users (those sent
/// to their organization; `Scope::referrals`).
#[derive(Debug)]
pub struct ReferralHandlers;

impl Policy for ReferralHandlers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Clinician, Role::Partner];
}
