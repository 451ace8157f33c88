//! The SQL functions the migrations define, declared for diesel. Each rule that Rust also
//! applies has its twin named in its docs, and one table of cases tests both
//! (`tests/api/clock.rs`).

use diesel::sql_types::{Date, Integer, Interval, Nullable, Text, Timestamptz, Uuid};

#[diesel::declare_sql_function]
extern "SQL" {
    /// Whether a certification is valid on `day`: issued on or before it, not expired, and not
    /// revoked on or before it, the revocation's day read in `zone`. Twin of
    /// [`crate::training::lifecycle::valid_on`].
    fn certification_valid_on(
        issued_on: Date,
        expires_on: Nullable<Date>,
        revoked_at: Nullable<Timestamptz>,
        day: Date,
        zone: Text,
    ) -> Bool;

    /// `active`, `expired` or `revoked` on `day`. Twin of
    /// [`crate::training::lifecycle::certification_status`].
    fn certification_status_on(
        expires_on: Nullable<Date>,
        revoked_at: Nullable<Timestamptz>,
        day: Date,
        zone: Text,
    ) -> Text;

    /// Whether a person holds a certification of a type that counts as CIT, valid on `day`
    /// (by `certification_valid_on`).
    fn cit_certified_on(person: Uuid, day: Date, zone: Text) -> Bool;

    /// Lets one login from `address` go ahead at `at`, or refuses it when the address already
    /// has `attempt_limit` attempts within `period`: NULL when let through, else the instant
    /// its oldest attempt leaves the period (`auth::throttle`).
    fn admit_login(
        address: Text,
        at: Timestamptz,
        period: Interval,
        attempt_limit: Integer,
    ) -> Nullable<Timestamptz>;
}
