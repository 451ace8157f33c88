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
