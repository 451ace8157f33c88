//! `cit-api import-calls FILE --mapping MAPPING`: a CSV export of calls, streamed through the
//! same checks and the same ingest as `POST /api/v1/calls/batch`, in chunks, so a file of
//! millions of rows needs little memory and a re-run changes nothing.
//!
//! The mapping (TOML) says which column feeds which field, which fields are constant, how the
//! file's codes map onto ours, and the time zone of local times. See `mappings/` and the
//! README ("Importing calls").

use std::collections::HashMap;
use std::io::Read;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db::enums::{CallSource, CrisisType, Disposition, ForceLevel, ResponderRole, Weapon};
use crate::error::FieldError;

use super::payloads::{CallInput, LocationInput, ResponderInput, SubjectInput};
use super::validate::{self, Key, ValidCall};

/// The fields a column can feed.
pub const FIELDS: &[&str] = &[
    "source",
    "incident_number",
    "received_at",
    "dispatched_at",
    "arrived_at",
    "cleared_at",
    "call_type",
    "call_type_description",
    "priority",
    "call_source",
    "address",
    "beat",
    "district",
    "latitude",
    "longitude",
    "mental_health",
    "crisis_types",
    "cit_requested",
    "responders",
    "subject_external_id",
    "subject_year_of_birth",
    "subject_veteran",
    "dispositions",
    "force_level",
    "subject_injured",
    "officer_injured",
    "weapon_involved",
];

/// A mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The time zone of local times in the file (`received` date and hour, instants without an
    /// offset); default the service's `CIT_TIME_ZONE`.
    pub time_zone: Option<String>,
    /// Field → the column that feeds it.
    #[serde(default)]
    pub columns: HashMap<String, String>,
    /// A local date column and an optional hour or time column that together give
    /// `received_at`, read in `time_zone` (a missing hour is 00:00).
    pub received: Option<Received>,
    /// Field → a value for every row (as it would be written in the file, after codes).
    #[serde(default)]
    pub constants: HashMap<String, String>,
    /// Field → the file's value → ours. A list field (`crisis_types`, `dispositions`) maps to
    /// labels separated by spaces (empty for none). A value not listed is refused for its row.
    #[serde(default)]
    pub codes: HashMap<String, HashMap<String, String>>,
    /// Words meaning yes and no in yes/no columns (besides true/false, yes/no, y/n, 1/0).
    #[serde(default)]
    pub booleans: Booleans,
    /// Cell values meaning "no value" besides the empty cell, e.g. `NA`.
    #[serde(default)]
    pub missing: Vec<String>,
}

/// A local date and time split over columns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    /// The `YYYY-MM-DD` column.
    pub date: String,
    /// An hour column (0–23).
    pub hour: Option<String>,
    /// An `HH:MM` or `HH:MM:SS` column.
    pub time: Option<String>,
}

/// Extra words for yes and no.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booleans {
    /// Meaning yes.
    #[serde(default)]
    pub yes: Vec<String>,
    /// Meaning no.
    #[serde(default)]
    pub no: Vec<String>,
}

/// Why a mapping cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The TOML does not parse or has unknown keys.
    #[error("the mapping does not parse: {0}")]
    Parse(String),
    /// A field name we do not have.
    #[error("the mapping names a field cit-api does not have: `{0}` (fields: {list})", list = FIELDS.join(", "))]
    UnknownField(String),
    /// A column the file does not have.
    #[error("the mapping names a column the file does not have: `{0}` (the file has: {1})")]
    MissingColumn(String, String),
    /// Nothing gives a required field.
    #[error("the mapping gives no `{0}`: name a column or a constant for it")]
    Missing(&'static str),
    /// An unknown time zone.
    #[error("the mapping's time_zone is not an IANA zone: `{0}`")]
    Zone(String),
}

impl Mapping {
    /// Parses a mapping.
    pub fn parse(text: &str) -> Result<Self, MappingError> {
        let mapping: Self = toml::from_str(text).map_err(|e| MappingError::Parse(e.to_string()))?;
        for field in mapping
            .columns
            .keys()
            .chain(mapping.constants.keys())
            .chain(mapping.codes.keys())
        {
            if !FIELDS.contains(&field.as_str()) {
                return Err(MappingError::UnknownField(field.clone()));
            }
        }
        if let Some(zone) = &mapping.time_zone {
            crate::clock::parse_zone(zone).map_err(|_| MappingError::Zone(zone.clone()))?;
        }
        for required in ["source", "incident_number", "mental_health"] {
            if !mapping.gives(required) {
                return Err(MappingError::Missing(required));
            }
        }
        if !mapping.gives("received_at") && mapping.received.is_none() {
            return Err(MappingError::Missing("received_at"));
        }
        Ok(mapping)
    }

    fn gives(&self, field: &str) -> bool {
        self.columns.contains_key(field) || self.constants.contains_key(field)
    }

    /// Binds the mapping to a file's header: every column it names must be there.
    pub fn bind(&self, header: &csv::StringRecord, city: Tz) -> Result<Bound, MappingError> {
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim().to_lowercase(), i))
            .collect();
        let find = |column: &str| {
            index
                .get(&column.trim().to_lowercase())
                .copied()
                .ok_or_else(|| {
                    MappingError::MissingColumn(
                        column.to_owned(),
                        header.iter().collect::<Vec<_>>().join(", "),
                    )
                })
        };
        let mut columns = HashMap::new();
        let mut named: Vec<(&String, &String)> = self.columns.iter().collect();
        named.sort();
        for (field, column) in named {
            columns.insert(field.clone(), find(column)?);
        }
        let received = match &self.received {
            Some(r) => Some((
                find(&r.date)?,
                r.hour.as_deref().map(find).transpose()?,
                r.time.as_deref().map(find).transpose()?,
            )),
            None => None,
        };
        let zone = match &self.time_zone {
            Some(name) => {
                crate::clock::parse_zone(name).map_err(|_| MappingError::Zone(name.clone()))?
            }
            None => city,
        };
        Ok(Bound {
            mapping: self.clone(),
            columns,
            received,
            zone,
        })
    }
}

/// A mapping bound to a file's columns.
#[derive(Debug)]
pub struct Bound {
    mapping: Mapping,
    columns: HashMap<String, usize>,
    received: Option<(usize, Option<usize>, Option<usize>)>,
    zone: Tz,
}

type RowErrors = Vec<FieldError>;

impl Bound {
    /// The raw value of `field` in `row`: its column's (through its codes) or its constant.
    fn raw(&self, row: &csv::StringRecord, field: &str, errors: &mut RowErrors) -> Option<String> {
        let value = match self.columns.get(field) {
            Some(&i) => self.cell(row, i).to_owned(),
            None => self.mapping.constants.get(field)?.clone(),
        };
        if value.contains('\0') {
            errors.push(FieldError::new(field, crate::validation::NUL_MESSAGE));
            return None;
        }
        if let Some(codes) = self.mapping.codes.get(field) {
            if value.is_empty() {
                return None;
            }
            return match codes.get(&value) {
                Some(ours) => Some(ours.clone()),
                None => {
                    errors.push(FieldError::new(
                        field,
                        "a code the mapping does not list (add it under [codes])",
                    ));
                    None
                }
            };
        }
        (!value.is_empty()).then_some(value)
    }

    /// A cell, trimmed; a missing-value marker reads as empty.
    fn cell<'r>(&self, row: &'r csv::StringRecord, i: usize) -> &'r str {
        let value = row.get(i).map(str::trim).unwrap_or_default();
        if self.mapping.missing.iter().any(|m| m == value) {
            ""
        } else {
            value
        }
    }

    fn text(&self, row: &csv::StringRecord, field: &str, errors: &mut RowErrors) -> Option<String> {
        self.raw(row, field, errors)
    }

    fn boolean(
        &self,
        row: &csv::StringRecord,
        field: &str,
        errors: &mut RowErrors,
    ) -> Option<bool> {
        let value = self.raw(row, field, errors)?.to_lowercase();
        let yes = ["true", "yes", "y", "1"];
        let no = ["false", "no", "n", "0"];
        let b = &self.mapping.booleans;
        if yes.contains(&value.as_str()) || b.yes.iter().any(|w| w.to_lowercase() == value) {
            Some(true)
        } else if no.contains(&value.as_str()) || b.no.iter().any(|w| w.to_lowercase() == value) {
            Some(false)
        } else {
            errors.push(FieldError::new(field, "must be yes or no"));
            None
        }
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        row: &csv::StringRecord,
        field: &str,
        errors: &mut RowErrors,
        what: &str,
    ) -> Option<T> {
        let value = self.raw(row, field, errors)?;
        match value.parse() {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                errors.push(FieldError::new(field, format!("must be {what}")));
                None
            }
        }
    }

    fn labels<T: std::str::FromStr>(
        &self,
        row: &csv::StringRecord,
        field: &str,
        errors: &mut RowErrors,
    ) -> Vec<T> {
        let Some(value) = self.raw(row, field, errors) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for label in value.split(|c: char| c.is_whitespace() || c == ';' || c == '|' || c == ',') {
            if label.is_empty() {
                continue;
            }
            match label.parse() {
                Ok(parsed) => out.push(parsed),
                Err(_) => errors.push(FieldError::new(field, "a value cit-api does not have")),
            }
        }
        out
    }

    /// An instant: RFC 3339 with an offset, or a local date-time read in the mapping's zone.
    fn instant(
        &self,
        row: &csv::StringRecord,
        field: &str,
        errors: &mut RowErrors,
    ) -> Option<String> {
        let value = self.raw(row, field, errors)?;
        if chrono::DateTime::parse_from_rfc3339(&value).is_ok() {
            return Some(value);
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(local) = chrono::NaiveDateTime::parse_from_str(&value, format) {
                return self.local(local, field, errors);
            }
        }
        errors.push(FieldError::new(field, "must be a date and time"));
        None
    }

    fn local(
        &self,
        local: chrono::NaiveDateTime,
        field: &str,
        errors: &mut RowErrors,
    ) -> Option<String> {
        // In the autumn's repeated hour the earlier instant; in the spring's missing hour the
        // instant just after the gap.
        match self.zone.from_local_datetime(&local).earliest() {
            Some(at) => Some(at.to_rfc3339()),
            None => match self
                .zone
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
            {
                Some(at) => Some(at.to_rfc3339()),
                None => {
                    errors.push(FieldError::new(field, "a local time that does not exist"));
                    None
                }
            },
        }
    }

    fn received_at(&self, row: &csv::StringRecord, errors: &mut RowErrors) -> Option<String> {
        let Some((date, hour, time)) = self.received else {
            return self.instant(row, "received_at", errors);
        };
        let cell = |i: usize| self.cell(row, i);
        let Ok(day) = NaiveDate::parse_from_str(cell(date), "%Y-%m-%d") else {
            errors.push(FieldError::new(
                "received_at",
                "the date column must be YYYY-MM-DD",
            ));
            return None;
        };
        let mut at = NaiveTime::MIN;
        if let Some(i) = hour.filter(|&i| !cell(i).is_empty()) {
            match cell(i)
                .parse::<u32>()
                .ok()
                .and_then(|h| NaiveTime::from_hms_opt(h, 0, 0))
            {
                Some(t) => at = t,
                None => {
                    errors.push(FieldError::new(
                        "received_at",
                        "the hour column must be 0 to 23",
                    ));
                    return None;
                }
            }
        }
        if let Some(i) = time.filter(|&i| !cell(i).is_empty()) {
            match NaiveTime::parse_from_str(cell(i), "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(cell(i), "%H:%M"))
            {
                Ok(t) => at = t,
                Err(_) => {
                    errors.push(FieldError::new(
                        "received_at",
                        "the time column must be HH:MM",
                    ));
                    return None;
                }
            }
        }
        self.local(day.and_time(at), "received_at", errors)
    }

    fn responders(&self, row: &csv::StringRecord, errors: &mut RowErrors) -> Vec<ResponderInput> {
        let Some(value) = self.raw(row, "responders", errors) else {
            return Vec::new();
        };
        value
            .split_whitespace()
            .map(|entry| {
                let (number, role) = entry.split_once(':').unwrap_or((entry, "primary"));
                let role = role.parse::<ResponderRole>().ok();
                if role.is_none() {
                    errors.push(FieldError::new(
                        "responders",
                        "a role cit-api does not have",
                    ));
                }
                ResponderInput {
                    employee_number: Some(number.to_owned()),
                    role,
                }
            })
            .collect()
    }

    /// One row as a call, checked: every problem named.
    pub fn call(&self, row: &csv::StringRecord) -> Result<ValidCall, RowErrors> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let latitude = self.parsed::<f64>(row, "latitude", e, "a number");
        let longitude = self.parsed::<f64>(row, "longitude", e, "a number");
        let location = LocationInput {
            address: self.text(row, "address", e),
            beat: self.text(row, "beat", e),
            district: self.text(row, "district", e),
            latitude,
            longitude,
        };
        let subject = self
            .text(row, "subject_external_id", e)
            .map(|external_id| SubjectInput {
                external_id: Some(external_id),
                year_of_birth: None,
                veteran: None,
            });
        let subject = subject.map(|mut s| {
            s.year_of_birth = self.parsed::<i32>(row, "subject_year_of_birth", e, "a year");
            s.veteran = self.boolean(row, "subject_veteran", e);
            s
        });
        let input = CallInput {
            source: self.text(row, "source", e),
            incident_number: self.text(row, "incident_number", e),
            received_at: self.received_at(row, e),
            dispatched_at: self.instant(row, "dispatched_at", e),
            arrived_at: self.instant(row, "arrived_at", e),
            cleared_at: self.instant(row, "cleared_at", e),
            call_type: self.text(row, "call_type", e),
            call_type_description: self.text(row, "call_type_description", e),
            priority: self.text(row, "priority", e),
            call_source: self.parsed::<CallSource>(row, "call_source", e, "a call source"),
            location: Some(location),
            mental_health: self.boolean(row, "mental_health", e),
            crisis_types: self.labels::<CrisisType>(row, "crisis_types", e),
            cit_requested: self.boolean(row, "cit_requested", e),
            responders: self.responders(row, e),
            subject,
            dispositions: self.labels::<Disposition>(row, "dispositions", e),
            force_level: self.parsed::<ForceLevel>(row, "force_level", e, "a force level"),
            subject_injured: self.boolean(row, "subject_injured", e),
            officer_injured: self.boolean(row, "officer_injured", e),
            weapon_involved: self.parsed::<Weapon>(row, "weapon_involved", e, "a weapon"),
        };
        let checked = validate::call(
            input,
            &Key {
                source: None,
                incident_number: None,
            },
        );
        match checked {
            Ok(call) if errors.is_empty() => Ok(call),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Rows read.
    pub rows: usize,
    /// Calls stored new.
    pub created: usize,
    /// Stored calls that changed.
    pub updated: usize,
    /// Calls stored already, exactly so.
    pub unchanged: usize,
    /// Rows refused.
    pub rejected_count: usize,
    /// The first [`KEPT_REJECTIONS`] rows refused: their line in the file (the header is line
    /// 1) and why.
    pub rejected: Vec<(u64, Vec<FieldError>)>,
}

/// How many refused rows an import keeps the reasons of (a bad file must not fill memory).
pub const KEPT_REJECTIONS: usize = 1000;

impl Summary {
    fn reject(&mut self, line: u64, errors: Vec<FieldError>) {
        self.rejected_count += 1;
        if self.rejected.len() < KEPT_REJECTIONS {
            self.rejected.push((line, errors));
        }
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {0}")]
    File(String),
    /// The mapping does not fit the file.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// Storing failed (nothing of the failed chunk was kept).
    #[error("storing failed: {0}")]
    Store(String),
}

/// Streams the CSV at `path` through `mapping` into the database, `chunk` rows a transaction
/// (each audited as one `call.batch` by `cli`); `progress` is told of every chunk stored. Rows
/// are read and checked on a thread of their own, a chunk or two ahead of the database, and
/// chunks are stored on each of `conns` at once, so reading and storing overlap and memory
/// stays flat. (Concurrent chunks never deadlock: each takes its locks in key order, subjects,
/// then calls, then days, and no key is in two chunks.)
pub async fn import(
    conns: Vec<diesel_async::AsyncPgConnection>,
    path: &std::path::Path,
    mapping: &Mapping,
    rules: super::ingest::Rules,
    chunk: usize,
    mut progress: impl FnMut(&Summary, u64),
) -> Result<Summary, ImportError> {
    use futures_util::StreamExt;
    use futures_util::stream::FuturesUnordered;

    use super::ingest::{self, Audit};
    use super::payloads::IngestResult;

    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(Counted::new(std::io::BufReader::new(file), read.clone()));
    let header = reader
        .headers()
        .map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?
        .clone();
    let bound = mapping.bind(&header, rules.zone)?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Chunk>(conns.len().max(1));
    let reading = tokio::task::spawn_blocking(move || {
        read_chunks(reader, header.len(), &bound, chunk, &read, &sender);
    });
    let actor = crate::auth::Caller::operator();
    let meta = crate::http::context::RequestMeta {
        request_id: uuid::Uuid::now_v7(),
        ip: None,
    };
    let store = |mut conn: diesel_async::AsyncPgConnection, part: Chunk, rejected: usize| {
        let (actor, meta) = (&actor, &meta);
        async move {
            let done = ingest::ingest(
                &mut conn,
                actor,
                meta,
                part.calls,
                rules,
                crate::clock::Clock::system(rules.zone).now(),
                Audit::Batch { rejected },
            )
            .await;
            (conn, part.read, done)
        }
    };
    let mut summary = Summary::default();
    let mut idle = conns;
    let mut storing = FuturesUnordered::new();
    let mut more = true;
    // Bytes read as of the last chunk stored (chunks may finish out of order).
    let mut read_so_far = 0;
    loop {
        tokio::select! {
            // A chunk for an idle connection, while the chunks being stored go on.
            part = receiver.recv(), if more && !idle.is_empty() => {
                let Some(mut part) = part else {
                    more = false;
                    continue;
                };
                let Some(conn) = idle.pop() else { continue };
                summary.rows += part.rows;
                let rejected = part.rejected.len();
                for (line, errors) in part.rejected.drain(..) {
                    summary.reject(line, errors);
                }
                storing.push(store(conn, part, rejected));
            }
            Some((conn, read, done)) = storing.next(), if !storing.is_empty() => {
                for call in done.map_err(|e| ImportError::Store(e.to_string()))? {
                    match call.result {
                        IngestResult::Created => summary.created += 1,
                        IngestResult::Updated => summary.updated += 1,
                        IngestResult::Unchanged => summary.unchanged += 1,
                    }
                }
                read_so_far = read_so_far.max(read);
                progress(&summary, read_so_far);
                idle.push(conn);
            }
            else => break,
        }
    }
    reading
        .await
        .map_err(|e| ImportError::File(format!("{}: reading stopped: {e}", path.display())))?;
    Ok(summary)
}

/// Rows read and checked, handed from the reading thread to the database.
struct Chunk {
    /// The good rows, each with its line.
    calls: Vec<(usize, ValidCall)>,
    /// The refused rows: line and why.
    rejected: Vec<(u64, RowErrors)>,
    /// Rows read.
    rows: usize,
    /// Bytes of the file read so far.
    read: u64,
}

/// Reads `reader` in chunks of `chunk` good rows and sends them on until the file ends or the
/// receiver is gone (the import stopped). Every key seen is kept as a 64-bit hash with its
/// line, so a second row for a call anywhere in the file is refused (8 bytes and a line a row,
/// not the keys themselves).
fn read_chunks<R: Read>(
    mut reader: csv::Reader<R>,
    width: usize,
    bound: &Bound,
    chunk: usize,
    read: &std::sync::atomic::AtomicU64,
    sender: &tokio::sync::mpsc::Sender<Chunk>,
) {
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut records = reader.records();
    loop {
        let mut part = Chunk {
            calls: Vec::with_capacity(chunk),
            rejected: Vec::new(),
            rows: 0,
            read: 0,
        };
        while part.calls.len() < chunk {
            let Some(record) = records.next() else { break };
            part.rows += 1;
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    part.rejected.push((
                        line,
                        vec![FieldError::new("(row)", "not a readable CSV row")],
                    ));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != width {
                part.rejected.push((
                    line,
                    vec![FieldError::new(
                        "(row)",
                        format!("{} cells where the header has {width}", record.len()),
                    )],
                ));
                continue;
            }
            match bound.call(&record) {
                Ok(call) => {
                    let key = key_hash(&(call.source.clone(), call.incident_number.clone()));
                    if let Some(first) = seen.get(&key) {
                        part.rejected.push((
                            line,
                            vec![FieldError::new(
                                "incident_number",
                                format!("the same call is on line {first}"),
                            )],
                        ));
                    } else {
                        seen.insert(key, line);
                        part.calls
                            .push((usize::try_from(line).unwrap_or(usize::MAX), call));
                    }
                }
                Err(errors) => part.rejected.push((line, errors)),
            }
        }
        if part.rows == 0 {
            return;
        }
        part.read = read.load(std::sync::atomic::Ordering::Relaxed);
        if sender.blocking_send(part).is_err() {
            return;
        }
    }
}

/// A call's key as a 64-bit hash.
fn key_hash(key: &(String, String)) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// A reader over a CSV file that counts the bytes read, for a progress bar.
pub struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R> Counted<R> {
    /// Wraps `inner`; `read` grows with every byte read.
    pub fn new(inner: R, read: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Self {
        Self { inner, read }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TORONTO: &str = include_str!("../../mappings/toronto-persons-in-crisis.toml");
    const CANONICAL: &str = include_str!("../../mappings/canonical.toml");

    fn record(fields: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(fields.to_vec())
    }

    fn toronto() -> Bound {
        let header = record(&[
            "objectid",
            "event_id",
            "event_date",
            "event_year",
            "event_month",
            "event_dow",
            "event_hour",
            "event_type",
            "division",
            "occurrence_created",
            "apprehension_made",
            "hood_158",
            "neighbourhood_158",
        ]);
        Mapping::parse(TORONTO)
            .unwrap()
            .bind(&header, chrono_tz::America::Chicago)
            .unwrap()
    }

    #[test]
    fn a_toronto_row_becomes_a_call_in_toronto_time() {
        let row = record(&[
            "2",
            "1255246",
            "2014-01-01",
            "2014",
            "January",
            "Wednesday",
            "11",
            "Suicide-related",
            "D13",
            "Yes",
            "Yes",
            "092",
            "Corso Italia-Davenport (92)",
        ]);
        let call = toronto().call(&row).unwrap();
        assert_eq!(call.source, "tps");
        assert_eq!(call.incident_number, "1255246");
        assert_eq!(call.received_at.to_rfc3339(), "2014-01-01T16:00:00+00:00");
        assert!(call.mental_health);
        assert_eq!(call.crisis_types, vec![CrisisType::Suicide]);
        assert_eq!(call.dispositions, vec![Disposition::InvoluntaryPetition]);
        assert_eq!(call.district.as_deref(), Some("D13"));
        assert_eq!(call.beat.as_deref(), Some("Corso Italia-Davenport (92)"));
        assert_eq!(call.call_type.as_deref(), Some("Suicide-related"));
    }

    #[test]
    fn a_missing_hour_is_midnight_and_an_unknown_code_is_named() {
        let mut row = vec![
            "3",
            "1255486",
            "2014-07-01",
            "2014",
            "July",
            "Tuesday",
            "NA",
            "Person in Crisis",
            "D52",
            "No",
            "No",
            "078",
            "Kensington-Chinatown (78)",
        ];
        let call = toronto().call(&record(&row)).unwrap();
        assert_eq!(call.received_at.to_rfc3339(), "2014-07-01T04:00:00+00:00");
        assert!(call.crisis_types.is_empty() && call.dispositions.is_empty());
        row[7] = "Robbery";
        let errors = toronto().call(&record(&row)).unwrap_err();
        assert_eq!(errors[0].field, "crisis_types");
    }

    #[test]
    fn a_mapping_must_name_real_fields_and_columns() {
        assert!(matches!(
            Mapping::parse("[columns]\nsubject_name = \"name\""),
            Err(MappingError::UnknownField(_))
        ));
        assert!(matches!(
            Mapping::parse("[columns]\nincident_number = \"id\""),
            Err(MappingError::Missing("source"))
        ));
        let header = record(&["event_id", "event_date"]);
        let error = Mapping::parse(TORONTO)
            .unwrap()
            .bind(&header, chrono_tz::America::Chicago)
            .unwrap_err();
        // Fields are bound in name order: `beat` comes first.
        assert!(
            matches!(&error, MappingError::MissingColumn(column, _) if column == "neighbourhood_158"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("the file has: event_id, event_date")
        );
    }

    #[test]
    fn the_canonical_layout_reads_every_field() {
        let mapping = Mapping::parse(CANONICAL).unwrap();
        let header = record(FIELDS);
        let bound = mapping.bind(&header, chrono_tz::America::Chicago).unwrap();
        let row = record(&[
            "rms",
            "24-1",
            "2026-03-02T14:05:00-06:00",
            "2026-03-02 14:07:00",
            "",
            "",
            "PIC",
            "Person in crisis",
            "2",
            "911",
            "100 BLOCK MAIN ST",
            "B1",
            "D1",
            "41.88",
            "-87.63",
            "yes",
            "suicide psychosis",
            "no",
            "P-1:primary P-2:backup",
            "S-1",
            "1980",
            "no",
            "mobile_crisis referral",
            "verbal",
            "no",
            "no",
            "none",
        ]);
        let call = bound.call(&row).unwrap();
        assert_eq!(
            call.dispatched_at.unwrap().to_rfc3339(),
            "2026-03-02T20:07:00+00:00"
        );
        assert_eq!(call.responders.len(), 2);
        assert_eq!(call.responders[1].role, ResponderRole::Backup);
        assert_eq!(call.subject.unwrap().year_of_birth, Some(1980));
        assert_eq!(call.call_source, Some(CallSource::E911));
        assert_eq!(
            call.crisis_types,
            vec![CrisisType::Suicide, CrisisType::Psychosis]
        );
        assert_eq!(call.latitude, Some(41.88));
    }
}
