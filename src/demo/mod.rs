//! `cit-api seed-demo`: a living demo city. Fills an empty database with synthetic but
//! believable data for a mid-sized city (DOMAIN.md's figures at scale 1): about 180 sworn
//! officers and the dispatchers, clinicians and fire personnel beside them, hired over 25
//! years; CIT classes from 2016 on, certificates earned, lapsed and revoked; about 25,000 calls a
//! year since 2020, about 1,000 of them mental-health calls, with a long tail of people called
//! on again and again; referrals to the partners of DOMAIN.md moving through their states; and
//! the follow-ups the ingest schedules, worked or left overdue.
//!
//! Deterministic for a seed (ids too, except the calls' and follow-ups', which the ingest
//! makes): the generator draws from one [`rng::Rng`], forked per part. The calls go through the
//! same checks and the same ingest as the API, so CIT on scene, the day counts and the
//! follow-ups are what the service itself would have made of them; everything else is bulk
//! inserts of a few statements per table.

pub mod calls;
pub mod care;
pub mod partners;
pub mod people;
pub mod rng;
pub mod rows;
pub mod store;
pub mod training;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::try_join_all;

use crate::audit::{Action, AuditEvent};
use crate::auth::Caller;
use crate::calls::ingest::{self, Audit, Rules};
use crate::calls::validate::{self, Key};
use crate::error::AppError;
use crate::http::context::RequestMeta;
use crate::ids::{PartnerId, ServiceId, UserId};
use crate::partners::model::ServiceRow;
use crate::personnel::{self, model::NewPersonnel};
use crate::users::model::NewUser;

use self::care::Clinician;
use self::rng::Rng;
use self::store::insert_chunked;

/// Calls stored per ingest transaction (the batch endpoint's limit).
const CHUNK: usize = 5000;

/// What to make.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The seed: the same seed makes the same city.
    pub seed: u64,
    /// 1 is a mid-sized city; 10 and up for benchmarks; below 1 for tests.
    pub scale: f64,
    /// Seed even when the database holds data already.
    pub force: bool,
}

/// Where the seeding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The city is being made up.
    Generating,
    /// People, training and partners written.
    Staff,
    /// Calls stored so far, of all.
    Calls(usize, usize),
    /// Referrals and follow-ups.
    Aftermath,
}

/// What was made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Everyone ever employed.
    pub personnel: usize,
    /// Certifications.
    pub certifications: usize,
    /// Calls.
    pub calls: usize,
    /// Mental-health calls.
    pub mental_health_calls: usize,
    /// People in crisis.
    pub subjects: usize,
    /// Referrals.
    pub referrals: usize,
    /// Follow-ups a clinician has worked.
    pub follow_ups_worked: usize,
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database holds data and `force` was not given.
    #[error(
        "the database already holds data ({0} rows of personnel, calls, partners and subjects); seed an empty one, or pass --force to add the demo city beside it"
    )]
    NotEmpty(i64),
    /// Anything else.
    #[error("{0}")]
    Failed(String),
}

impl From<AppError> for SeedError {
    fn from(error: AppError) -> Self {
        Self::Failed(match error {
            AppError::Internal(detail) => detail,
            other => other.to_string(),
        })
    }
}

/// Seeds through `conns` (two or more store call chunks side by side). `today` and `now` are
/// the city's, from the clock.
#[allow(clippy::too_many_lines)]
pub async fn seed(
    mut conns: Vec<AsyncPgConnection>,
    options: Options,
    rules: Rules,
    today: NaiveDate,
    now: DateTime<Utc>,
    progress: impl Fn(Progress),
) -> Result<Summary, SeedError> {
    let Some(conn) = conns.first_mut() else {
        return Err(SeedError::Failed("no database connection".into()));
    };
    let existing = store::existing_rows(conn).await?;
    if existing > 0 && !options.force {
        return Err(SeedError::NotEmpty(existing));
    }
    let catalogue = store::catalogue(conn).await?;
    progress(Progress::Generating);
    let root = Rng::new(options.seed);
    let zone = rules.zone;
    let scale = options.scale;
    let generated = tokio::task::spawn_blocking(move || {
        let staff = training::staff(&root, scale, today, now, zone, &catalogue);
        let clinicians = clinician_users(&root, &staff.members, zone);
        let mut calls = calls::generate(
            &root,
            scale,
            today,
            now,
            zone,
            &staff.members,
            &clinicians,
            rules.follow_up_after,
        );
        // Every call passes the API's checks, on this blocking thread.
        let mut checked = Vec::with_capacity(calls.calls.len());
        for (index, call) in calls.calls.iter_mut().enumerate() {
            let input = std::mem::take(&mut call.input);
            let valid = validate::call(
                input,
                &Key {
                    source: None,
                    incident_number: None,
                },
            )
            .map_err(|errors| format!("call {index} fails its checks: {errors:?}"))?;
            checked.push((index, valid));
        }
        Ok::<_, String>((root, staff, clinicians, calls, checked))
    })
    .await
    .map_err(|e| SeedError::Failed(format!("generator: {e}")))?
    .map_err(SeedError::Failed)?;
    let (root, staff, clinicians, calls, checked) = generated;
    let (partners, services) = partners::directory(&root, now);

    // People, training, partners and the clinicians' accounts: one transaction.
    let actor = Caller::operator();
    let meta = RequestMeta::startup();
    let hash = crate::auth::password::Hasher::for_cores()
        .hash(uuid::Uuid::new_v4().to_string())
        .await?;
    let conn = conns
        .first_mut()
        .ok_or_else(|| SeedError::Failed("no connection".into()))?;
    conn.transaction::<_, AppError, _>(async |conn| {
        store::set_validity(conn, &catalogue, now).await?;
        let people: Vec<NewPersonnel> = staff.members.iter().map(|m| m.person.clone()).collect();
        personnel::model::insert_all(conn, &people).await?;
        let users: Vec<NewUser> = clinicians
            .iter()
            .map(|c| NewUser {
                id: c.user_id,
                username: c.username.clone(),
                display_name: c.username.clone(),
                password_hash: hash.clone(),
                roles: vec![crate::db::enums::Role::Clinician],
                personnel_id: Some(c.personnel_id),
                partner_id: None,
            })
            .collect();
        diesel_async::RunQueryDsl::execute(
            diesel::insert_into(crate::db::schema::users::table).values(&users),
            conn,
        )
        .await?;
        // The demo's clinician accounts are records' authors, not logins: an admin enables one
        // and sets its password to use it.
        let ids: Vec<UserId> = clinicians.iter().map(|c| c.user_id).collect();
        diesel_async::RunQueryDsl::execute(
            diesel::update(crate::db::schema::users::table)
                .filter(diesel::ExpressionMethods::eq_any(
                    crate::db::schema::users::id,
                    &ids,
                ))
                .set(diesel::ExpressionMethods::eq(
                    crate::db::schema::users::disabled,
                    true,
                )),
            conn,
        )
        .await?;
        insert_chunked!(
            conn,
            crate::db::schema::training_sessions::table,
            &staff.sessions,
            10
        );
        insert_chunked!(
            conn,
            crate::db::schema::enrollments::table,
            &staff.enrollments,
            7
        );
        insert_chunked!(
            conn,
            crate::db::schema::certifications::table,
            &staff.certifications,
            10
        );
        insert_chunked!(conn, crate::db::schema::partners::table, &partners, 11);
        let all_services: Vec<ServiceRow> = services.iter().flatten().cloned().collect();
        insert_chunked!(
            conn,
            crate::db::schema::partner_services::table,
            &all_services,
            10
        );
        AuditEvent::new(Action::DemoSeed)
            .by(&actor)
            .details(serde_json::json!({
                "seed": options.seed,
                "scale": options.scale,
                "personnel": staff.members.len(),
                "certifications": staff.certifications.len(),
                "partners": partners.len(),
                "calls": checked.len(),
            }))
            .record(conn, &meta)
            .await?;
        Ok(())
    })
    .await?;
    progress(Progress::Staff);

    // Calls through the ingest, a chunk per connection at a time.
    let total = checked.len();
    let mut stored = 0;
    let mut chunks = checked.chunks(CHUNK).peekable();
    while chunks.peek().is_some() {
        let round: Vec<_> = conns
            .iter_mut()
            .zip(chunks.by_ref())
            .map(|(conn, chunk)| {
                let (actor, meta) = (&actor, &meta);
                let chunk = chunk.to_vec();
                async move {
                    let n = chunk.len();
                    ingest::ingest(
                        conn,
                        actor,
                        meta,
                        chunk,
                        rules,
                        now,
                        Audit::Batch { rejected: 0 },
                    )
                    .await
                    .map(|_| n)
                }
            })
            .collect();
        stored += try_join_all(round).await?.into_iter().sum::<usize>();
        progress(Progress::Calls(stored, total));
    }

    progress(Progress::Aftermath);
    let directory: Vec<(PartnerId, Vec<ServiceId>)> = partners
        .iter()
        .zip(&services)
        .map(|(p, s)| (p.id, s.iter().map(|s| s.id).collect()))
        .collect();
    let conn = conns
        .first_mut()
        .ok_or_else(|| SeedError::Failed("no connection".into()))?;
    let done = store::aftermath(conn, &root, &calls.calls, &clinicians, &directory, now).await?;
    diesel_async::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), conn)
        .await
        .map_err(AppError::from)?;
    Ok(Summary {
        personnel: staff.members.len(),
        certifications: staff.certifications.len(),
        calls: total,
        mental_health_calls: calls.calls.iter().filter(|c| c.mental_health).count(),
        subjects: calls.subjects,
        referrals: done.referrals,
        follow_ups_worked: done.follow_ups,
    })
}

/// A user account for each clinician on the roster.
fn clinician_users(root: &Rng, members: &[people::Member], zone: Tz) -> Vec<Clinician> {
    let mut rng = root.fork("users");
    members
        .iter()
        .filter(|m| m.person.role == crate::db::enums::PersonnelRole::Clinician)
        .map(|m| Clinician {
            user_id: UserId::from_uuid(people::id_at(
                &mut rng,
                people::noon(m.person.hire_date, zone),
            )),
            username: format!(
                "demo.{}.{}",
                m.person.first_name.to_lowercase(),
                m.person.employee_number.to_lowercase()
            ),
            personnel_id: m.person.id,
            hired: people::noon(m.person.hire_date, zone),
        })
        .collect()
}
