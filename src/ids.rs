//! Typed ids: one newtype over a UUID per kind of record, so passing a user's id where a
//! personnel id belongs does not compile. Each is stored as `uuid` (diesel `Uuid`), travels as
//! the plain UUID string (serde), and appears in the OpenAPI document as `string, format uuid`:
//! `build.rs` tells utoipa that each name below is a `uuid::Uuid`. The ids deliberately do not
//! implement utoipa's `ToSchema`, so a name missing there fails the build instead of putting a
//! `$ref` into the document.
//!
//! A new kind of record adds its id to the list at the end of this file (`build.rs` reads the
//! names from it, one `NameId,` a line). utoipa matches the alias by the last name of a type's
//! path, so no other type may be called like an id.
//!
//! ```
//! use cit_api::ids::PersonnelId;
//! fn needs_a_person(_: PersonnelId) {}
//! needs_a_person(PersonnelId::generate());
//! ```
//!
//! and the same call with a user's id does not compile:
//!
//! ```compile_fail,E0308
//! use cit_api::ids::{PersonnelId, UserId};
//! fn needs_a_person(_: PersonnelId) {}
//! needs_a_person(UserId::generate());
//! ```

use std::fmt;
use std::str::FromStr;

use diesel::deserialize::{FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{Output, ToSql};
use diesel::sql_types;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares the typed ids.
macro_rules! typed_ids {
    ($( $(#[$meta:meta])* $name:ident, )+) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            Serialize, Deserialize, AsExpression, FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = sql_types::Uuid)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id: a UUIDv7, so ids sort by creation time.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id a UUID names. The caller says which kind of record it is.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID itself.
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl ToSql<sql_types::Uuid, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
                <Uuid as ToSql<sql_types::Uuid, Pg>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<sql_types::Uuid, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <Uuid as FromSql<sql_types::Uuid, Pg>>::from_sql(bytes).map(Self)
            }
        }

        impl crate::http::pagination::Key for $name {
            fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            fn uuid(self) -> Uuid {
                self.0
            }
        }
    )+};
}

typed_ids! {
    /// A user account (`users`).
    UserId,
    /// A signed-in session: one refresh-token family (`refresh_tokens.family_id`).
    SessionId,
    /// One refresh token of a session (`refresh_tokens`).
    RefreshTokenId,
    /// A person on the roster (`personnel`).
    PersonnelId,
    /// A community partner organization (`partners`).
    PartnerId,
    /// A kind of certification (`certification_types`).
    CertificationTypeId,
    /// A course (`courses`).
    CourseId,
    /// A scheduled offering of a course (`training_sessions`).
    TrainingSessionId,
    /// A person's seat in a training session (`enrollments`).
    EnrollmentId,
    /// A certification held by a person (`certifications`).
    CertificationId,
    /// A certification goal (`goals`).
    GoalId,
    /// An entry of the audit trail (`audit_events`).
    AuditEventId,
    /// A machine client's API key (`api_keys`).
    ApiKeyId,
    /// A call for service (`calls`).
    CallId,
    /// A person in crisis, known to the RMS by a pseudonymous id (`subjects`).
    SubjectId,
    /// A service a community partner offers (`partner_services`).
    ServiceId,
    /// A referral of a person to a community partner (`referrals`).
    ReferralId,
    /// A follow-up by the department's clinicians (`follow_ups`).
    FollowUpId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_travels_as_its_plain_uuid() {
        let uuid = Uuid::now_v7();
        let id = PersonnelId::from_uuid(uuid);
        assert_eq!(
            serde_json::to_value(id).unwrap(),
            serde_json::json!(uuid.to_string())
        );
        let back: PersonnelId =
            serde_json::from_value(serde_json::json!(uuid.to_string())).unwrap();
        assert_eq!(back, id);
        assert_eq!(id.to_string(), uuid.to_string());
        assert_eq!(uuid.to_string().parse::<PersonnelId>().unwrap(), id);
        assert!(serde_json::from_value::<PersonnelId>(serde_json::json!("not-a-uuid")).is_err());
    }

    #[test]
    fn new_ids_sort_by_creation() {
        let first = UserId::generate();
        let second = UserId::generate();
        assert!(first < second);
    }
}
