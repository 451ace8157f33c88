//! Call, responder and subject rows, and the statements of an ingest: each handles any number
//! of calls at once (`unnest` over column arrays), so a batch costs the same few statements
//! whatever its size.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{
    Array, Bool, Bytea, Date, Float8, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{
    ExpressionMethods, QueryDsl, Queryable, QueryableByName, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::enums::{CallSource, CrisisType, Disposition, ForceLevel, Weapon};
use crate::db::json::Json;
use crate::db::schema::{calls, subjects};
use crate::db::tx::Tx;
use crate::ids::{CallId, PersonnelId, SubjectId};

use super::days::{self, Counted, DayCounts};
use super::payloads::ResponderBody;
use super::roster::Roster;
use super::validate::ValidCall;

/// A row of `calls`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calls, check_for_backend(diesel::pg::Pg))]
pub struct CallRow {
    /// Id.
    pub id: CallId,
    /// Sending system.
    pub source: String,
    /// Incident number.
    pub incident_number: String,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// The call's day in the city.
    pub received_on: NaiveDate,
    /// Dispatched.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Arrived.
    pub arrived_at: Option<DateTime<Utc>>,
    /// Cleared.
    pub cleared_at: Option<DateTime<Utc>>,
    /// CAD call type.
    pub call_type: Option<String>,
    /// Its description.
    pub call_type_description: Option<String>,
    /// CAD priority.
    pub priority: Option<String>,
    /// How it came in.
    pub call_source: Option<CallSource>,
    /// Address.
    pub address: Option<String>,
    /// Beat.
    pub beat: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Mental-health crisis.
    pub mental_health: bool,
    /// Crisis types.
    pub crisis_types: Vec<CrisisType>,
    /// CIT requested.
    pub cit_requested: Option<bool>,
    /// The person in crisis.
    pub subject_id: Option<SubjectId>,
    /// Dispositions.
    pub dispositions: Vec<Disposition>,
    /// Highest force.
    pub force_level: Option<ForceLevel>,
    /// Subject injured.
    pub subject_injured: Option<bool>,
    /// Officer injured.
    pub officer_injured: Option<bool>,
    /// Weapon.
    pub weapon_involved: Option<Weapon>,
    /// Any responder CIT-certified on the call's day.
    pub cit_on_scene: bool,
    /// Who answered, in the order sent.
    pub responders: Responders,
    /// Version.
    pub version: i32,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A call's responders as stored in its `responders` column (JSON, in the order sent).
#[derive(Debug, Clone, Default, diesel::deserialize::FromSqlRow)]
pub struct Responders(pub Vec<ResponderBody>);

impl diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for Responders {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        // Straight from the text into the typed list, with no `serde_json::Value` between
        // (that tree cost a tenth of a calls page's CPU).
        let Json(responders) = <Json<Vec<ResponderBody>> as diesel::deserialize::FromSql<
            diesel::sql_types::Jsonb,
            diesel::pg::Pg,
        >>::from_sql(value)?;
        Ok(Self(responders))
    }
}

impl Responders {
    /// The JSON text stored in the column.
    fn json(responders: &[ResponderBody]) -> diesel::QueryResult<String> {
        serde_json::to_string(responders)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
    }
}

/// A row of `subjects`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = subjects, check_for_backend(diesel::pg::Pg))]
pub struct SubjectRow {
    /// Id.
    pub id: SubjectId,
    /// Sending system.
    pub source: String,
    /// Pseudonymous id there.
    pub external_id: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Veteran.
    pub veteran: Option<bool>,
    /// First seen.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A subject's key and what was sent about it.
#[derive(Debug, Clone)]
pub struct SubjectUpsert {
    /// New id, used when the subject is new.
    pub id: SubjectId,
    /// Sending system.
    pub source: String,
    /// Pseudonymous id.
    pub external_id: String,
    /// Year of birth, when sent.
    pub year_of_birth: Option<i32>,
    /// Veteran, when sent.
    pub veteran: Option<bool>,
}

/// A subject as stored: its key, id and what is known of it.
#[derive(Debug, QueryableByName)]
struct StoredSubject {
    #[diesel(sql_type = SqlUuid)]
    id: SubjectId,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    external_id: String,
    #[diesel(sql_type = Nullable<Int4>)]
    year_of_birth: Option<i32>,
    #[diesel(sql_type = Nullable<Bool>)]
    veteran: Option<bool>,
}

/// Makes the subjects not seen before and fills in what is newly known of the others (a value
/// sent replaces the stored one; one not sent leaves it), and returns every subject's id by
/// key. Two statements whatever their number: the stored subjects read (no lock: a known
/// subject that does not change is neither written nor locked), then only the new and changed
/// ones upserted in key order, returning their ids (also for a subject a concurrent request
/// made in between).
pub async fn upsert_subjects(
    tx: &mut Tx<'_>,
    subjects: Vec<SubjectUpsert>,
    now: DateTime<Utc>,
) -> diesel::QueryResult<Vec<((String, String), SubjectId)>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let (sources, external_ids): (Vec<&str>, Vec<&str>) = subjects
        .iter()
        .map(|s| (s.source.as_str(), s.external_id.as_str()))
        .unzip();
    let stored: std::collections::HashMap<(String, String), StoredSubject> = diesel::sql_query(
        "SELECT s.id, s.source, s.external_id, s.year_of_birth, s.veteran FROM subjects s \
           JOIN unnest($1::text[], $2::text[]) AS k(source, external_id) \
             ON s.source = k.source AND s.external_id = k.external_id",
    )
    .bind::<Array<Text>, _>(sources)
    .bind::<Array<Text>, _>(external_ids)
    .load::<StoredSubject>(tx.conn())
    .await?
    .into_iter()
    .map(|s| ((s.source.clone(), s.external_id.clone()), s))
    .collect();
    let mut ids = Vec::with_capacity(subjects.len());
    let mut writes = Vec::new();
    for subject in subjects {
        let key = (subject.source.clone(), subject.external_id.clone());
        match stored.get(&key) {
            Some(known)
                if subject
                    .year_of_birth
                    .is_none_or(|y| known.year_of_birth == Some(y))
                    && subject.veteran.is_none_or(|v| known.veteran == Some(v)) =>
            {
                ids.push((key, known.id));
            }
            _ => writes.push(subject),
        }
    }
    if writes.is_empty() {
        return Ok(ids);
    }
    writes.sort_by(|a, b| (&a.source, &a.external_id).cmp(&(&b.source, &b.external_id)));
    let mut new_ids = Vec::new();
    let mut sources = Vec::new();
    let mut external_ids = Vec::new();
    let mut years = Vec::new();
    let mut veterans = Vec::new();
    for s in writes {
        new_ids.push(s.id);
        sources.push(s.source);
        external_ids.push(s.external_id);
        years.push(s.year_of_birth);
        veterans.push(s.veteran);
    }
    let written: Vec<StoredSubject> = diesel::sql_query(
        "INSERT INTO subjects AS s (id, source, external_id, year_of_birth, veteran, created_at, \
                                    updated_at) \
         SELECT id, source, external_id, year_of_birth, veteran, $6, $6 \
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::bool[]) \
                AS v(id, source, external_id, year_of_birth, veteran) \
         ON CONFLICT (source, external_id) DO UPDATE \
            SET year_of_birth = COALESCE(EXCLUDED.year_of_birth, s.year_of_birth), \
                veteran = COALESCE(EXCLUDED.veteran, s.veteran), \
                updated_at = CASE WHEN (s.year_of_birth, s.veteran) IS DISTINCT FROM \
                                       (COALESCE(EXCLUDED.year_of_birth, s.year_of_birth), \
                                        COALESCE(EXCLUDED.veteran, s.veteran)) \
                                  THEN EXCLUDED.updated_at ELSE s.updated_at END \
         RETURNING s.id, s.source, s.external_id, s.year_of_birth, s.veteran",
    )
    .bind::<Array<SqlUuid>, _>(&new_ids)
    .bind::<Array<Text>, _>(&sources)
    .bind::<Array<Text>, _>(&external_ids)
    .bind::<Array<Nullable<Int4>>, _>(years)
    .bind::<Array<Nullable<Bool>>, _>(veterans)
    .bind::<Timestamptz, _>(now)
    .load(tx.conn())
    .await?;
    ids.extend(
        written
            .into_iter()
            .map(|k| ((k.source, k.external_id), k.id)),
    );
    Ok(ids)
}

/// A call ready to be written: the checked call with what the ingest derived for it.
#[derive(Debug)]
pub struct CallWrite<'a> {
    /// Its id (a new one for a new call, the stored one for a changed call).
    pub id: CallId,
    /// The checked call.
    pub call: &'a ValidCall,
    /// Its day in the city.
    pub received_on: NaiveDate,
    /// Its subject.
    pub subject_id: Option<SubjectId>,
    /// Whether any responder was CIT-certified that day.
    pub cit_on_scene: bool,
    /// Its responders as matched to the roster, in the order sent.
    pub responders: &'a [ResponderBody],
    /// Digest of the checked call.
    pub digest: Vec<u8>,
}

/// A Postgres array literal of enum labels (`{suicide,psychosis}`), cast in SQL.
fn label_array<T: std::fmt::Display>(items: &[T]) -> String {
    let labels: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("{{{}}}", labels.join(","))
}

/// One array per column of `calls`, for `unnest`.
#[derive(Default)]
struct CallArrays {
    id: Vec<CallId>,
    source: Vec<String>,
    incident_number: Vec<String>,
    received_at: Vec<DateTime<Utc>>,
    received_on: Vec<NaiveDate>,
    dispatched_at: Vec<Option<DateTime<Utc>>>,
    arrived_at: Vec<Option<DateTime<Utc>>>,
    cleared_at: Vec<Option<DateTime<Utc>>>,
    call_type: Vec<Option<String>>,
    call_type_description: Vec<Option<String>>,
    priority: Vec<Option<String>>,
    call_source: Vec<Option<String>>,
    address: Vec<Option<String>>,
    beat: Vec<Option<String>>,
    district: Vec<Option<String>>,
    latitude: Vec<Option<f64>>,
    longitude: Vec<Option<f64>>,
    mental_health: Vec<bool>,
    crisis_types: Vec<String>,
    cit_requested: Vec<Option<bool>>,
    subject_id: Vec<Option<SubjectId>>,
    dispositions: Vec<String>,
    force_level: Vec<Option<String>>,
    subject_injured: Vec<Option<bool>>,
    officer_injured: Vec<Option<bool>>,
    weapon_involved: Vec<Option<String>>,
    cit_on_scene: Vec<bool>,
    content_digest: Vec<Vec<u8>>,
    responders: Vec<String>,
}

impl CallArrays {
    fn of(writes: &[CallWrite<'_>]) -> diesel::QueryResult<Self> {
        let mut a = Self::default();
        for w in writes {
            let c = w.call;
            a.id.push(w.id);
            a.source.push(c.source.clone());
            a.incident_number.push(c.incident_number.clone());
            a.received_at.push(c.received_at);
            a.received_on.push(w.received_on);
            a.dispatched_at.push(c.dispatched_at);
            a.arrived_at.push(c.arrived_at);
            a.cleared_at.push(c.cleared_at);
            a.call_type.push(c.call_type.clone());
            a.call_type_description
                .push(c.call_type_description.clone());
            a.priority.push(c.priority.clone());
            a.call_source.push(c.call_source.map(|v| v.to_string()));
            a.address.push(c.address.clone());
            a.beat.push(c.beat.clone());
            a.district.push(c.district.clone());
            a.latitude.push(c.latitude);
            a.longitude.push(c.longitude);
            a.mental_health.push(c.mental_health);
            a.crisis_types.push(label_array(&c.crisis_types));
            a.cit_requested.push(c.cit_requested);
            a.subject_id.push(w.subject_id);
            a.dispositions.push(label_array(&c.dispositions));
            a.force_level.push(c.force_level.map(|v| v.to_string()));
            a.subject_injured.push(c.subject_injured);
            a.officer_injured.push(c.officer_injured);
            a.weapon_involved
                .push(c.weapon_involved.map(|v| v.to_string()));
            a.cit_on_scene.push(w.cit_on_scene);
            a.content_digest.push(w.digest.clone());
            a.responders.push(Responders::json(w.responders)?);
        }
        Ok(a)
    }

    /// Runs `sql` with the arrays bound as `$1`…`$29` in [`CALL_UNNEST`]'s order and `now` as
    /// `$30`; returns the ids the statement returns.
    async fn run(
        self,
        conn: &mut AsyncPgConnection,
        sql: &str,
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<Vec<CallId>> {
        #[derive(QueryableByName)]
        struct Returned {
            #[diesel(sql_type = SqlUuid)]
            id: CallId,
        }
        let rows: Vec<Returned> = diesel::sql_query(sql)
            .bind::<Array<SqlUuid>, _>(self.id)
            .bind::<Array<Text>, _>(self.source)
            .bind::<Array<Text>, _>(self.incident_number)
            .bind::<Array<Timestamptz>, _>(self.received_at)
            .bind::<Array<Date>, _>(self.received_on)
            .bind::<Array<Nullable<Timestamptz>>, _>(self.dispatched_at)
            .bind::<Array<Nullable<Timestamptz>>, _>(self.arrived_at)
            .bind::<Array<Nullable<Timestamptz>>, _>(self.cleared_at)
            .bind::<Array<Nullable<Text>>, _>(self.call_type)
            .bind::<Array<Nullable<Text>>, _>(self.call_type_description)
            .bind::<Array<Nullable<Text>>, _>(self.priority)
            .bind::<Array<Nullable<Text>>, _>(self.call_source)
            .bind::<Array<Nullable<Text>>, _>(self.address)
            .bind::<Array<Nullable<Text>>, _>(self.beat)
            .bind::<Array<Nullable<Text>>, _>(self.district)
            .bind::<Array<Nullable<Float8>>, _>(self.latitude)
            .bind::<Array<Nullable<Float8>>, _>(self.longitude)
            .bind::<Array<Bool>, _>(self.mental_health)
            .bind::<Array<Text>, _>(self.crisis_types)
            .bind::<Array<Nullable<Bool>>, _>(self.cit_requested)
            .bind::<Array<Nullable<SqlUuid>>, _>(self.subject_id)
            .bind::<Array<Text>, _>(self.dispositions)
            .bind::<Array<Nullable<Text>>, _>(self.force_level)
            .bind::<Array<Nullable<Bool>>, _>(self.subject_injured)
            .bind::<Array<Nullable<Bool>>, _>(self.officer_injured)
            .bind::<Array<Nullable<Text>>, _>(self.weapon_involved)
            .bind::<Array<Bool>, _>(self.cit_on_scene)
            .bind::<Array<Bytea>, _>(self.content_digest)
            .bind::<Array<Text>, _>(self.responders)
            .bind::<Timestamptz, _>(now)
            .load(conn)
            .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }
}

/// The bound arrays as one row per call (text casts to the enum types happen in the select).
const CALL_UNNEST: &str = "unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], \
     $5::date[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[], \
     $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], \
     $16::float8[], $17::float8[], $18::bool[], $19::text[], $20::bool[], $21::uuid[], \
     $22::text[], $23::text[], $24::bool[], $25::bool[], $26::text[], $27::bool[], \
     $28::bytea[], $29::text[]) AS v(id, source, incident_number, received_at, \
     received_on, dispatched_at, arrived_at, cleared_at, call_type, call_type_description, \
     priority, call_source, address, beat, district, latitude, longitude, mental_health, crisis_types, cit_requested, \
     subject_id, dispositions, force_level, subject_injured, officer_injured, weapon_involved, \
     cit_on_scene, content_digest, responders)";

/// Inserts the calls whose key is new, in key order (so concurrent batches wait on each other
/// instead of deadlocking); a key stored already, or being stored by a concurrent request, is
/// skipped. Returns the ids inserted.
pub async fn insert_new(
    tx: &mut Tx<'_>,
    writes: &[CallWrite<'_>],
    now: DateTime<Utc>,
) -> diesel::QueryResult<Vec<CallId>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO calls (id, source, incident_number, received_at, received_on, \
             dispatched_at, arrived_at, cleared_at, call_type, call_type_description, priority, \
             call_source, address, beat, district, latitude, longitude, mental_health, \
             crisis_types, cit_requested, subject_id, dispositions, force_level, \
             subject_injured, officer_injured, weapon_involved, cit_on_scene, content_digest, \
             responders, version, created_at, updated_at) \
         SELECT id, source, incident_number, received_at, received_on, dispatched_at, \
             arrived_at, cleared_at, call_type, call_type_description, priority, \
             call_source::call_source, address, beat, district, latitude, longitude, \
             mental_health, crisis_types::crisis_type[], cit_requested, subject_id, \
             dispositions::disposition[], force_level::force_level, subject_injured, \
             officer_injured, weapon_involved::weapon, cit_on_scene, content_digest, \
             responders::jsonb, 1, $30, $30 \
           FROM {CALL_UNNEST} \
          ORDER BY source, incident_number \
         ON CONFLICT (source, incident_number) DO NOTHING \
         RETURNING id"
    );
    CallArrays::of(writes)?.run(tx.conn(), &sql, now).await
}

/// Overwrites changed calls (by id) with what was sent, bumping each version. One statement.
pub async fn overwrite(
    tx: &mut Tx<'_>,
    writes: &[CallWrite<'_>],
    now: DateTime<Utc>,
) -> diesel::QueryResult<Vec<CallId>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE calls c SET received_at = v.received_at, received_on = v.received_on, \
             dispatched_at = v.dispatched_at, arrived_at = v.arrived_at, \
             cleared_at = v.cleared_at, call_type = v.call_type, \
             call_type_description = v.call_type_description, priority = v.priority, \
             call_source = v.call_source::call_source, address = v.address, beat = v.beat, \
             district = v.district, latitude = v.latitude, longitude = v.longitude, \
             mental_health = v.mental_health, crisis_types = v.crisis_types::crisis_type[], \
             cit_requested = v.cit_requested, subject_id = v.subject_id, \
             dispositions = v.dispositions::disposition[], \
             force_level = v.force_level::force_level, subject_injured = v.subject_injured, \
             officer_injured = v.officer_injured, weapon_involved = v.weapon_involved::weapon, \
             cit_on_scene = v.cit_on_scene, content_digest = v.content_digest, \
             responders = v.responders::jsonb, version = c.version + 1, updated_at = $30 \
           FROM {CALL_UNNEST} WHERE c.id = v.id \
         RETURNING c.id"
    );
    CallArrays::of(writes)?.run(tx.conn(), &sql, now).await
}

/// One call.
pub async fn find(conn: &mut AsyncPgConnection, id: CallId) -> diesel::QueryResult<CallRow> {
    calls::table
        .find(id)
        .select(CallRow::as_select())
        .get_result(conn)
        .await
}

/// Subjects by id.
pub async fn subjects_by_id(
    conn: &mut AsyncPgConnection,
    ids: &[SubjectId],
) -> diesel::QueryResult<Vec<SubjectRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    subjects::table
        .filter(subjects::id.eq_any(ids))
        .select(SubjectRow::as_select())
        .load(conn)
        .await
}

/// The advisory-lock class of responders' employee numbers.
const NUMBER_LOCK_CLASS: i32 = 7;

/// How many locks the employee numbers share (a power of two): a number locks the bucket its
/// hash falls in, so a transaction holds at most this many, however many people it touches.
/// One lock per number made a 100,000-line roster import exhaust PostgreSQL's lock table
/// (`max_locks_per_transaction` 64 × `max_connections`: "out of shared memory", a 500); two
/// numbers in one bucket only ever wait for each other, never miss each other.
const NUMBER_LOCK_BUCKETS: i32 = 1024;

/// Takes the transaction's lock on these employee numbers, in one order: shared for an ingest
/// that derives CIT flags from the roster, exclusive (by the people's ids) for a writer that
/// changes what they derive from ([`refresh_cit_flags`]). So an ingest never commits a flag a
/// concurrent certification or roster change has already refreshed past, and a refresh never
/// misses the calls of an ingest still open: one waits for the other.
pub async fn lock_numbers_shared(tx: &mut Tx<'_>, numbers: &[String]) -> diesel::QueryResult<()> {
    if numbers.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "SELECT count(pg_advisory_xact_lock_shared($2, k)) FROM \
           (SELECT DISTINCT hashtext(n) & ($3 - 1) AS k FROM unnest($1::text[]) AS n \
             ORDER BY k) AS s",
    )
    .bind::<Array<Text>, _>(numbers)
    .bind::<Int4, _>(NUMBER_LOCK_CLASS)
    .bind::<Int4, _>(NUMBER_LOCK_BUCKETS)
    .execute(tx.conn())
    .await
    .map(drop)
}

/// Brings the CIT flags of every call answered by `people` up to date with their
/// certifications (after one was recorded, revoked or back-dated), and links responders whose
/// number was unknown to the people who now carry it, in the writer's transaction. Takes the
/// people's number locks (exclusive) and then their calls' rows in id order, as an ingest does,
/// so the two never deadlock; judges each responder as the ingest does ([`Roster`]). Five
/// statements; writes only the calls that change, and their days' counts.
pub async fn refresh_cit_flags(
    tx: &mut Tx<'_>,
    people: &[PersonnelId],
    zone: &str,
) -> Result<usize, crate::error::AppError> {
    if people.is_empty() {
        return Ok(0);
    }
    let zone: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| crate::error::AppError::Internal(format!("unknown time zone {zone}")))?;
    diesel::sql_query(
        "SELECT count(pg_advisory_xact_lock($2, k)) FROM \
           (SELECT DISTINCT hashtext(employee_number) & ($3 - 1) AS k FROM personnel \
             WHERE id = ANY ($1) ORDER BY k) AS s",
    )
    .bind::<Array<SqlUuid>, _>(people)
    .bind::<Int4, _>(NUMBER_LOCK_CLASS)
    .bind::<Int4, _>(NUMBER_LOCK_BUCKETS)
    .execute(tx.conn())
    .await?;
    #[derive(QueryableByName)]
    struct Answered {
        #[diesel(sql_type = SqlUuid)]
        id: CallId,
        #[diesel(embed)]
        counted: Counted,
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        responders: Responders,
    }
    // The calls they answered as matched, and those where their number is still unmatched:
    // one index probe per person and per number (a containment test per candidate row, so the
    // cost follows the calls found, not their product with the people).
    let answered: Vec<Answered> = diesel::sql_query(format!(
        "WITH keys AS ( \
           SELECT v.key FROM personnel p \
            CROSS JOIN LATERAL (VALUES \
              (jsonb_build_array(jsonb_build_object('personnel_id', p.id))), \
              (jsonb_build_array(jsonb_build_object('employee_number', p.employee_number))) \
            ) AS v(key) \
            WHERE p.id = ANY ($1)) \
         SELECT id, {counted}, responders FROM calls \
          WHERE id = ANY (ARRAY(SELECT c.id FROM keys CROSS JOIN LATERAL \
                                  (SELECT id FROM calls c WHERE c.responders @> keys.key) c)) \
          ORDER BY id FOR UPDATE",
        counted = Counted::COLUMNS,
    ))
    .bind::<Array<SqlUuid>, _>(people)
    .load(tx.conn())
    .await?;
    if answered.is_empty() {
        return Ok(0);
    }
    let roster = Roster::read(tx, &[], people, zone).await?;
    let mut changed: Vec<(CallId, Vec<ResponderBody>, bool)> = Vec::new();
    let mut deltas = std::collections::BTreeMap::new();
    for call in answered {
        let received_on = call.counted.received_on;
        let mut responders = call.responders.0.clone();
        for r in &mut responders {
            let person = match r.personnel_id {
                Some(id) if roster.has(id) => id,
                Some(_) => continue,
                None => match roster.person(&r.employee_number) {
                    Some(id) => id,
                    None => continue,
                },
            };
            r.personnel_id = Some(person);
            r.cit_certified_at_call = roster.certified(person, received_on);
        }
        if responders == call.responders.0 {
            continue;
        }
        let cit_on_scene = responders.iter().any(|r| r.cit_certified_at_call);
        if cit_on_scene != call.counted.cit_on_scene {
            // A mental-health call's outcomes move from one group to the other (any other
            // call's part is the same either way, and its zero delta is not written).
            let delta: &mut DayCounts = deltas.entry(received_on).or_default();
            delta.add(call.counted.as_stored(), -1);
            delta.add(call.counted.with_cit(cit_on_scene), 1);
        }
        changed.push((call.id, responders, cit_on_scene));
    }
    if changed.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "UPDATE calls c SET responders = v.responders::jsonb, cit_on_scene = v.cit_on_scene \
           FROM unnest($1::uuid[], $2::text[], $3::bool[]) AS v(id, responders, cit_on_scene) \
          WHERE c.id = v.id",
    )
    .bind::<Array<SqlUuid>, _>(changed.iter().map(|c| c.0).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(
        changed
            .iter()
            .map(|c| Responders::json(&c.1))
            .collect::<diesel::QueryResult<Vec<_>>>()?,
    )
    .bind::<Array<Bool>, _>(changed.iter().map(|c| c.2).collect::<Vec<_>>())
    .execute(tx.conn())
    .await?;
    days::apply(tx, deltas).await?;
    Ok(changed.len())
}

/// The filters of `GET /api/v1/calls`.
#[derive(Debug, Default)]
pub struct CallFilter {
    /// Received on or after (city day).
    pub from: Option<NaiveDate>,
    /// Received on or before (city day).
    pub to: Option<NaiveDate>,
    /// Mental-health calls or not.
    pub mental_health: Option<bool>,
    /// With or without a CIT responder.
    pub cit_on_scene: Option<bool>,
    /// With this disposition.
    pub disposition: Option<Disposition>,
    /// About this subject.
    pub subject_id: Option<SubjectId>,
    /// In this beat.
    pub beat: Option<String>,
}

/// Calls matching `filter`, newest stored first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CallFilter,
    page: &crate::http::pagination::PageRequest<CallId>,
) -> diesel::QueryResult<Vec<CallRow>> {
    use diesel::PgArrayExpressionMethods;
    let mut query = calls::table
        .select(CallRow::as_select())
        .order(calls::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(calls::id.lt(after));
    }
    if let Some(from) = filter.from {
        query = query.filter(calls::received_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(calls::received_on.le(to));
    }
    if let Some(mental_health) = filter.mental_health {
        query = query.filter(calls::mental_health.eq(mental_health));
    }
    if let Some(cit_on_scene) = filter.cit_on_scene {
        query = query.filter(calls::cit_on_scene.eq(cit_on_scene));
    }
    if let Some(disposition) = filter.disposition {
        query = query.filter(calls::dispositions.contains(vec![disposition]));
    }
    if let Some(subject_id) = filter.subject_id {
        query = query.filter(calls::subject_id.eq(subject_id));
    }
    if let Some(beat) = &filter.beat {
        query = query.filter(calls::beat.eq(beat));
    }
    query.load(conn).await
}
