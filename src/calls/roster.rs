//! The roster as responders are judged against it: who carries an employee number, and whether
//! they held an active CIT certification on a call's day. Read in one statement for any number
//! of people; the day rule is `training::lifecycle::valid_on`, the tested twin of the SQL rule.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use crate::db::tx::Tx;
use crate::ids::PersonnelId;
use crate::training::lifecycle;

/// A CIT certification's dates, the revocation's as a city day.
struct Validity {
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
}

/// People with the CIT certifications they hold.
#[derive(Default)]
pub struct Roster {
    by_number: HashMap<String, PersonnelId>,
    held: HashMap<PersonnelId, Vec<Validity>>,
}

/// A person with one of their CIT certifications (or none).
#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    employee_number: String,
    #[diesel(sql_type = SqlUuid)]
    personnel_id: PersonnelId,
    #[diesel(sql_type = Nullable<Date>)]
    issued_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    expires_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    revoked_at: Option<DateTime<Utc>>,
}

impl Roster {
    /// The people carrying `numbers` and the people `people`, with every certification of
    /// theirs of a type that counts as CIT (revocations read as days in `zone`). One statement.
    pub async fn read(
        tx: &mut Tx<'_>,
        numbers: &[String],
        people: &[PersonnelId],
        zone: Tz,
    ) -> diesel::QueryResult<Self> {
        let mut roster = Self::default();
        if numbers.is_empty() && people.is_empty() {
            return Ok(roster);
        }
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT p.employee_number, p.id AS personnel_id, c.issued_on, c.expires_on, \
                    c.revoked_at \
               FROM personnel p \
               LEFT JOIN (certifications c JOIN certification_types t \
                            ON t.id = c.certification_type_id AND t.counts_as_cit) \
                 ON c.personnel_id = p.id \
              WHERE p.employee_number = ANY ($1) OR p.id = ANY ($2)",
        )
        .bind::<Array<Text>, _>(numbers)
        .bind::<Array<SqlUuid>, _>(people)
        .load(tx.conn())
        .await?;
        for row in rows {
            roster
                .by_number
                .insert(row.employee_number, row.personnel_id);
            let held = roster.held.entry(row.personnel_id).or_default();
            if let Some(issued_on) = row.issued_on {
                held.push(Validity {
                    issued_on,
                    expires_on: row.expires_on,
                    revoked_on: row
                        .revoked_at
                        .map(|at| at.with_timezone(&zone).date_naive()),
                });
            }
        }
        Ok(roster)
    }

    /// Who carries `number` now, if anyone read does.
    pub fn person(&self, number: &str) -> Option<PersonnelId> {
        self.by_number.get(number).copied()
    }

    /// Whether `person` was read.
    pub fn has(&self, person: PersonnelId) -> bool {
        self.held.contains_key(&person)
    }

    /// Whether `person` held an active CIT certification on `day`.
    pub fn certified(&self, person: PersonnelId, day: NaiveDate) -> bool {
        self.held.get(&person).is_some_and(|held| {
            held.iter()
                .any(|v| lifecycle::valid_on(v.issued_on, v.expires_on, v.revoked_on, day))
        })
    }
}
