//! Row-level scope: which rows of a kind a caller may reach, decided once from the caller and
//! its policy, then passed to the model queries, which filter by it. Access to rows lives in
//! the query, so a handler cannot forget it: a query that takes a `Scope` cannot be called
//! without one.
//!
//! Today: a user linked to a personnel record, without a role that reads personnel, reaches
//! that record only. Partner users ("only the referrals sent to my organization") and
//! subject-identity rules add their variants here and copy the same shape.

use actix_web::HttpRequest;
use uuid::Uuid;

use crate::error::AppError;

use super::extract::{AuthUser, forbid};
use super::policy::Policy;

/// The rows of one kind a caller may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every row: the caller holds one of the policy's roles.
    All,
    /// The one row with this id (e.g. the caller's own personnel record).
    Only(Uuid),
}

impl Scope {
    /// The personnel a caller reaches: all of them with a role of `P`, else only the record the
    /// caller is linked to; a caller with neither is refused (403, audited).
    pub fn personnel<P: Policy>(req: &HttpRequest, caller: &AuthUser) -> Result<Self, AppError> {
        if caller.has_any(P::ROLES) {
            return Ok(Self::All);
        }
        caller
            .personnel_id
            .map(Self::Only)
            .ok_or_else(|| forbid(req, caller, P::ROLES))
    }

    /// Whether the row `id` is in scope.
    pub fn includes(self, id: Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Only(own) => own == id,
        }
    }

    /// The one id the scope is limited to, if any: queries add `id = own` with it.
    pub fn only(self) -> Option<Uuid> {
        match self {
            Self::All => None,
            Self::Only(own) => Some(own),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_scope_includes_its_own_row_only() {
        let own = Uuid::now_v7();
        assert!(Scope::Only(own).includes(own));
        assert!(!Scope::Only(own).includes(Uuid::now_v7()));
        assert!(Scope::All.includes(own));
        assert_eq!(Scope::Only(own).only(), Some(own));
        assert_eq!(Scope::All.only(), None);
    }
}
