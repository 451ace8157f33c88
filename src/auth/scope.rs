//! Row-level scope: which rows of a kind a caller may reach, decided once from the caller and
//! its policy, then passed to the model queries, which filter by it. Access to rows lives in
//! the query, so a handler cannot forget it: a query that takes a `Scope` cannot be called
//! without one.
//!
//! Today: a user linked to a personnel record, without a role that reads personnel, reaches
//! that record only; a partner user reaches the referrals sent to its organization only.

use actix_web::HttpRequest;

use crate::db::enums::Role;
use crate::error::AppError;
use crate::ids::{PartnerId, PersonnelId};

use super::extract::{Caller, forbid};
use super::policy::Policy;

/// The rows of one kind a caller may reach, by the typed id `Id` the rule is about (e.g.
/// `Scope<PersonnelId>`, or `Scope<PartnerId>` over referrals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<Id> {
    /// Every row: the caller holds one of the policy's roles.
    All,
    /// The rows of this id only (e.g. the caller's own personnel record).
    Only(Id),
}

impl Scope<PersonnelId> {
    /// The personnel a caller reaches: all of them with a role of `P`, else only the record the
    /// caller is linked to; a caller with neither is refused (403, audited).
    pub fn personnel<P: Policy>(req: &HttpRequest, caller: &Caller) -> Result<Self, AppError> {
        if caller.has_any(P::ROLES) {
            return Ok(Self::All);
        }
        caller
            .personnel_id
            .map(Self::Only)
            .ok_or_else(|| forbid(req, caller, P::ROLES))
    }
}

impl Scope<PartnerId> {
    /// The referrals a caller reaches: all of them with a role of `P` (clinical staff), else
    /// a partner user's those sent to its organization; anyone else is refused (403, audited).
    pub fn referrals<P: Policy>(req: &HttpRequest, caller: &Caller) -> Result<Self, AppError> {
        if caller.has_any(P::ROLES) {
            return Ok(Self::All);
        }
        match caller.partner_id {
            Some(own) if caller.has_any(&[Role::Partner]) => Ok(Self::Only(own)),
            _ => Err(forbid(req, caller, P::ROLES)),
        }
    }
}

impl<Id: Copy + PartialEq> Scope<Id> {
    /// Whether the row `id` is in scope.
    pub fn includes(self, id: Id) -> bool {
        match self {
            Self::All => true,
            Self::Only(own) => own == id,
        }
    }

    /// The one id the scope is limited to, if any: queries add `id = own` with it.
    pub fn only(self) -> Option<Id> {
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
        let own = PersonnelId::generate();
        assert!(Scope::Only(own).includes(own));
        assert!(!Scope::Only(own).includes(PersonnelId::generate()));
        assert!(Scope::<PersonnelId>::All.includes(own));
        assert_eq!(Scope::Only(own).only(), Some(own));
        assert_eq!(Scope::<PersonnelId>::All.only(), None);
    }
}
