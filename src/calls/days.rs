//! The per-day counts of calls (`call_days`), the definitions of the call metrics: what a call
//! adds to its day, and the one statement that adds a write's deltas. Every writer of calls
//! keeps them (the ingest, and the CIT refresh after a certification or roster change), so a
//! year of metrics reads 365 rows instead of a year of calls; a test holds them to the plain
//! SQL over `calls`, and `rebuild_call_days()` recomputes them after a bulk load.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable};
use diesel_async::RunQueryDsl;

use crate::db::enums::{Disposition, ForceLevel};
use crate::db::schema::sql_types;
use crate::db::tx::Tx;

/// Declares the counts once: the struct's fields are `call_days`' columns after `day`, in
/// order, so a new count cannot be left out of the statement that adds them, nor of `add`.
macro_rules! day_counts {
    ($($(#[doc = $doc:literal])+ $field:ident,)+) => {
        /// A call's part in its day's counts, or the sum of several calls' parts.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct DayCounts {
            $($(#[doc = $doc])+ pub $field: i64,)+
        }

        impl DayCounts {
            /// The columns of `call_days` after `day`, in the fields' order.
            const COLUMNS: &[&str] = &[$(stringify!($field),)+];

            /// Adds `other` times `sign` (+1 a call counted, −1 a call's old form taken away).
            pub fn add(&mut self, other: Self, sign: i64) {
                $(self.$field += sign * other.$field;)+
            }

            /// The counts in the columns' order.
            fn values(&self) -> Vec<i64> {
                vec![$(self.$field,)+]
            }
        }
    };
}

day_counts! {
    /// All calls.
    calls,
    /// Mental-health calls; the counts below are over these.
    mental_health_calls,
    /// With CIT on scene.
    cit_on_scene,
    /// Ending in arrest.
    arrests,
    /// With force above verbal.
    uses_of_force,
    /// With the subject or an officer injured.
    injuries,
    /// ER transports.
    er_transports,
    /// Involuntary petitions.
    involuntary_petitions,
    /// Referrals.
    referrals,
    /// With the subject injured.
    subject_injuries,
    /// With an officer injured.
    officer_injuries,
    /// With CIT on scene and ending in arrest (without CIT: `arrests` less these).
    cit_arrests,
    /// With CIT on scene and force above verbal.
    cit_uses_of_force,
    /// With CIT on scene and the subject injured.
    cit_subject_injuries,
    /// With CIT on scene and an officer injured.
    cit_officer_injuries,
    /// With CIT on scene and an ER transport.
    cit_er_transports,
    /// With CIT on scene and an involuntary petition.
    cit_involuntary_petitions,
}

impl DayCounts {
    /// What one call adds.
    pub fn of(
        mental_health: bool,
        cit_on_scene: bool,
        dispositions: &[Disposition],
        force_level: Option<ForceLevel>,
        subject_injured: Option<bool>,
        officer_injured: Option<bool>,
    ) -> Self {
        let mh = i64::from(mental_health);
        let cit = mh * i64::from(cit_on_scene);
        let has = |d: Disposition| mh * i64::from(dispositions.contains(&d));
        let force = mh
            * i64::from(matches!(
                force_level,
                Some(ForceLevel::HandsOn | ForceLevel::Restraint | ForceLevel::Weapon)
            ));
        let subject_injured = subject_injured.unwrap_or(false);
        let officer_injured = officer_injured.unwrap_or(false);
        let subject = mh * i64::from(subject_injured);
        let officer = mh * i64::from(officer_injured);
        Self {
            calls: 1,
            mental_health_calls: mh,
            cit_on_scene: cit,
            arrests: has(Disposition::Arrest),
            uses_of_force: force,
            injuries: mh * i64::from(subject_injured || officer_injured),
            er_transports: has(Disposition::ErTransport),
            involuntary_petitions: has(Disposition::InvoluntaryPetition),
            referrals: has(Disposition::Referral),
            subject_injuries: subject,
            officer_injuries: officer,
            cit_arrests: cit * has(Disposition::Arrest),
            cit_uses_of_force: cit * force,
            cit_subject_injuries: cit * subject,
            cit_officer_injuries: cit * officer,
            cit_er_transports: cit * has(Disposition::ErTransport),
            cit_involuntary_petitions: cit * has(Disposition::InvoluntaryPetition),
        }
    }
}

/// A stored call as its day's counts see it: read back (with [`Counted::COLUMNS`]) when a
/// write changes it, so its old part can be taken away.
#[derive(Debug, QueryableByName)]
pub struct Counted {
    /// Its day.
    #[diesel(sql_type = Date)]
    pub received_on: NaiveDate,
    #[diesel(sql_type = Bool)]
    mental_health: bool,
    /// Whether a CIT-certified responder was on scene.
    #[diesel(sql_type = Bool)]
    pub cit_on_scene: bool,
    #[diesel(sql_type = Array<sql_types::Disposition>)]
    dispositions: Vec<Disposition>,
    #[diesel(sql_type = Nullable<sql_types::ForceLevel>)]
    force_level: Option<ForceLevel>,
    #[diesel(sql_type = Nullable<Bool>)]
    subject_injured: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    officer_injured: Option<bool>,
}

impl Counted {
    /// The select list a [`Counted`] is read from: unqualified columns of `calls`.
    pub const COLUMNS: &str = "received_on, mental_health, cit_on_scene, dispositions, \
         force_level, subject_injured, officer_injured";

    /// What it adds to its day as stored.
    pub fn as_stored(&self) -> DayCounts {
        self.with_cit(self.cit_on_scene)
    }

    /// What it would add with CIT on scene or not.
    pub fn with_cit(&self, cit_on_scene: bool) -> DayCounts {
        DayCounts::of(
            self.mental_health,
            cit_on_scene,
            &self.dispositions,
            self.force_level,
            self.subject_injured,
            self.officer_injured,
        )
    }
}

/// Adds per-day deltas to `call_days`, in day order (so concurrent writers queue, never
/// deadlock). One statement.
pub async fn apply(
    tx: &mut Tx<'_>,
    deltas: BTreeMap<NaiveDate, DayCounts>,
) -> diesel::QueryResult<()> {
    let deltas: Vec<(NaiveDate, DayCounts)> = deltas
        .into_iter()
        .filter(|(_, d)| *d != DayCounts::default())
        .collect();
    if deltas.is_empty() {
        return Ok(());
    }
    let columns = DayCounts::COLUMNS;
    let width = columns.len();
    // The counts travel as one array, a day's after another's: one bind, however many counts.
    let picks: Vec<String> = (1..=width)
        .map(|i| format!("$2[(v.n - 1) * {width} + {i}]"))
        .collect();
    let sets: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = d.{c} + EXCLUDED.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO call_days AS d (day, {columns}) \
         SELECT v.day, {picks} FROM unnest($1::date[]) WITH ORDINALITY AS v(day, n) \
          ORDER BY 1 \
         ON CONFLICT (day) DO UPDATE SET {sets}",
        columns = columns.join(", "),
        picks = picks.join(", "),
        sets = sets.join(", "),
    );
    let days: Vec<NaiveDate> = deltas.iter().map(|(day, _)| *day).collect();
    let values: Vec<i64> = deltas.iter().flat_map(|(_, d)| d.values()).collect();
    diesel::sql_query(sql)
        .bind::<Array<Date>, _>(days)
        .bind::<Array<BigInt>, _>(values)
        .execute(tx.conn())
        .await
        .map(drop)
}
