//! From what the RMS sent to a call we store: every field checked, every problem named (a
//! batch reports them per call), and a canonical form whose digest tells a re-sent call from a
//! changed one. Pure: no database, no clock.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dates;
use crate::db::enums::{CallSource, CrisisType, Disposition, ForceLevel, ResponderRole, Weapon};
use crate::error::FieldError;
use crate::validation::{Errors, optional_text, text};

use super::payloads::{CallInput, LocationInput, ResponderInput, SubjectInput};

/// The most responders one call may list.
pub const MAX_RESPONDERS: usize = 50;

/// A call that passed every check, in canonical form (sets sorted, text trimmed, instants in
/// UTC), so equal calls serialize, and digest, equally.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidCall {
    /// Sending system.
    pub source: String,
    /// Incident number.
    pub incident_number: String,
    /// Received.
    pub received_at: DateTime<Utc>,
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
    /// Block address.
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
    /// Crisis types, sorted, once each.
    pub crisis_types: Vec<CrisisType>,
    /// CIT requested.
    pub cit_requested: Option<bool>,
    /// Responders, in the order sent.
    pub responders: Vec<ValidResponder>,
    /// The person in crisis.
    pub subject: Option<ValidSubject>,
    /// Dispositions, sorted, once each.
    pub dispositions: Vec<Disposition>,
    /// Highest force.
    pub force_level: Option<ForceLevel>,
    /// Subject injured.
    pub subject_injured: Option<bool>,
    /// Officer injured.
    pub officer_injured: Option<bool>,
    /// Weapon.
    pub weapon_involved: Option<Weapon>,
    /// SHA-256 of all of the above, taken once when the call passed (on the thread that checked
    /// it, not in the ingest).
    #[serde(skip)]
    digest: [u8; 32],
}

/// A checked responder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidResponder {
    /// Employee number, trimmed.
    pub employee_number: String,
    /// Part on the call.
    pub role: ResponderRole,
}

/// A checked subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSubject {
    /// Pseudonymous id in the sending system.
    pub external_id: String,
    /// Year of birth.
    pub year_of_birth: Option<i32>,
    /// Veteran.
    pub veteran: Option<bool>,
}

impl ValidCall {
    /// SHA-256 of the canonical form: equal for a re-sent call, different for any change.
    pub fn digest(&self) -> Vec<u8> {
        self.digest.to_vec()
    }

    /// Takes the digest: the canonical JSON streamed into SHA-256.
    fn sealed(mut self) -> Self {
        struct Hasher(Sha256);
        impl std::io::Write for Hasher {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.update(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut hasher = Hasher(Sha256::new());
        // Serializing plain data into a hasher cannot fail; were it to, the digest of what was
        // written would only make the call look changed.
        let _ = serde_json::to_writer(&mut hasher, &self);
        self.digest = hasher.0.finalize().into();
        self
    }
}

/// An instant: RFC 3339 with an offset, in a plausible year.
fn instant(raw: &str) -> Result<DateTime<Utc>, String> {
    let parsed = DateTime::parse_from_rfc3339(raw.trim()).map_err(|_| {
        "must be an RFC 3339 instant with an offset, e.g. 2026-03-02T14:05:00-06:00".to_owned()
    })?;
    let utc = parsed.with_timezone(&Utc);
    dates::plausible(utc.date_naive())?;
    Ok(utc)
}

fn optional_instant(errors: &mut Errors, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
    raw.and_then(|raw| errors.check(field, instant(raw)))
}

fn sorted_set<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

/// The identity of a call: where the path or the item says it comes from. In a `PUT` the path
/// gives both and the body may only repeat them.
pub struct Key<'a> {
    /// From the path, when a `PUT`.
    pub source: Option<&'a str>,
    /// From the path, when a `PUT`.
    pub incident_number: Option<&'a str>,
}

fn key_part(
    errors: &mut Errors,
    field: &str,
    path: Option<&str>,
    body: Option<&str>,
    max: usize,
) -> Option<String> {
    match (path, body) {
        (Some(path), Some(body)) if path.trim() != body.trim() => {
            errors.add(field, "must equal the path's, or be left out");
            None
        }
        (Some(value), _) | (None, Some(value)) => errors.check(field, text(value, max)),
        (None, None) => {
            errors.add(field, "is required");
            None
        }
    }
}

/// Checks one call; every problem is reported, with the field it concerns.
pub fn call(input: CallInput, key: &Key<'_>) -> Result<ValidCall, Vec<FieldError>> {
    let mut errors = Errors::default();
    let source = key_part(
        &mut errors,
        "source",
        key.source,
        input.source.as_deref(),
        50,
    );
    let incident_number = key_part(
        &mut errors,
        "incident_number",
        key.incident_number,
        input.incident_number.as_deref(),
        100,
    );
    let received_at = match input.received_at.as_deref() {
        Some(raw) => errors.check("received_at", instant(raw)),
        None => {
            errors.add("received_at", "is required");
            None
        }
    };
    let dispatched_at =
        optional_instant(&mut errors, "dispatched_at", input.dispatched_at.as_deref());
    let arrived_at = optional_instant(&mut errors, "arrived_at", input.arrived_at.as_deref());
    let cleared_at = optional_instant(&mut errors, "cleared_at", input.cleared_at.as_deref());
    let mental_health = input.mental_health;
    if mental_health.is_none() {
        errors.add("mental_health", "is required");
    }
    let call_type = errors
        .check("call_type", optional_text(input.call_type.as_deref(), 50))
        .flatten();
    let call_type_description = errors
        .check(
            "call_type_description",
            optional_text(input.call_type_description.as_deref(), 200),
        )
        .flatten();
    let priority = errors
        .check("priority", optional_text(input.priority.as_deref(), 20))
        .flatten();
    let location = location(&mut errors, input.location.unwrap_or_default());
    let responders = responders(&mut errors, input.responders);
    let subject = input
        .subject
        .and_then(|subject| self::subject(&mut errors, subject));
    let (
        Some(source),
        Some(incident_number),
        Some(received_at),
        Some(mental_health),
        Some((address, beat, district, latitude, longitude)),
        Some(responders),
    ) = (
        source,
        incident_number,
        received_at,
        mental_health,
        location,
        responders,
    )
    else {
        return Err(errors.into_vec());
    };
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok(ValidCall {
        source,
        incident_number,
        received_at,
        dispatched_at,
        arrived_at,
        cleared_at,
        call_type,
        call_type_description,
        priority,
        call_source: input.call_source,
        address,
        beat,
        district,
        latitude,
        longitude,
        mental_health,
        crisis_types: sorted_set(input.crisis_types),
        cit_requested: input.cit_requested,
        responders,
        subject,
        dispositions: sorted_set(input.dispositions),
        force_level: input.force_level,
        subject_injured: input.subject_injured,
        officer_injured: input.officer_injured,
        weapon_involved: input.weapon_involved,
        digest: [0; 32],
    }
    .sealed())
}

type Location = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

fn location(errors: &mut Errors, input: LocationInput) -> Option<Location> {
    let before = errors.len();
    let address = errors
        .check(
            "location.address",
            optional_text(input.address.as_deref(), 200),
        )
        .flatten();
    let beat = errors
        .check("location.beat", optional_text(input.beat.as_deref(), 50))
        .flatten();
    let district = errors
        .check(
            "location.district",
            optional_text(input.district.as_deref(), 50),
        )
        .flatten();
    let in_range = |value: f64, limit: f64| value.is_finite() && (-limit..=limit).contains(&value);
    if input.latitude.is_some_and(|v| !in_range(v, 90.0)) {
        errors.add("location.latitude", "must be between -90 and 90");
    }
    if input.longitude.is_some_and(|v| !in_range(v, 180.0)) {
        errors.add("location.longitude", "must be between -180 and 180");
    }
    if input.latitude.is_some() != input.longitude.is_some() {
        errors.add(
            "location",
            "latitude and longitude go together: give both or neither",
        );
    }
    (errors.len() == before).then_some((address, beat, district, input.latitude, input.longitude))
}

fn responders(errors: &mut Errors, input: Vec<ResponderInput>) -> Option<Vec<ValidResponder>> {
    let before = errors.len();
    if input.len() > MAX_RESPONDERS {
        errors.add(
            "responders",
            format!("at most {MAX_RESPONDERS} responders a call"),
        );
        return None;
    }
    let mut valid: Vec<ValidResponder> = Vec::with_capacity(input.len());
    for (i, responder) in input.into_iter().enumerate() {
        let field = format!("responders[{i}].employee_number");
        let number = match responder.employee_number.as_deref() {
            Some(raw) => errors.check(&field, text(raw, 50)),
            None => {
                errors.add(&field, "is required");
                None
            }
        };
        if responder.role.is_none() {
            errors.add(&format!("responders[{i}].role"), "is required");
        }
        if let Some(number) = &number
            && valid.iter().any(|r| &r.employee_number == number)
        {
            errors.add(&field, "this employee number is listed twice");
            continue;
        }
        if let (Some(employee_number), Some(role)) = (number, responder.role) {
            valid.push(ValidResponder {
                employee_number,
                role,
            });
        }
    }
    (errors.len() == before).then_some(valid)
}

fn subject(errors: &mut Errors, input: SubjectInput) -> Option<ValidSubject> {
    let external_id = match input.external_id.as_deref() {
        Some(raw) => errors.check("subject.external_id", text(raw, 100)),
        None => {
            errors.add("subject.external_id", "is required with a subject");
            None
        }
    };
    if input
        .year_of_birth
        .is_some_and(|year| !(1900..=2100).contains(&year))
    {
        errors.add("subject.year_of_birth", "must be between 1900 and 2100");
        return None;
    }
    Some(ValidSubject {
        external_id: external_id?,
        year_of_birth: input.year_of_birth,
        veteran: input.veteran,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> CallInput {
        serde_json::from_value(json).unwrap()
    }

    fn batch_key() -> Key<'static> {
        Key {
            source: None,
            incident_number: None,
        }
    }

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "source": "rms",
            "incident_number": "24-1",
            "received_at": "2026-03-02T14:05:00-06:00",
            "mental_health": true,
        })
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_minimal_call_passes_and_its_instant_is_kept_in_utc() {
        let call = call(input(minimal()), &batch_key()).unwrap();
        assert_eq!(call.received_at.to_rfc3339(), "2026-03-02T20:05:00+00:00");
        assert!(call.responders.is_empty() && call.subject.is_none());
    }

    #[test]
    fn the_digest_is_that_of_the_canonical_json_as_stored_calls_were_digested() {
        // Calls stored before the digest was taken at validation were digested as the SHA-256
        // of `serde_json::to_vec(&call)`: the same bytes must give the same digest, or every
        // re-sent call would look changed.
        let call = call(input(minimal()), &batch_key()).unwrap();
        let canonical = serde_json::to_vec(&call).unwrap();
        assert!(!String::from_utf8_lossy(&canonical).contains("digest"));
        assert_eq!(call.digest(), Sha256::digest(&canonical).to_vec());
    }

    #[test]
    fn the_same_call_in_another_spelling_has_the_same_digest() {
        let a = call(input(minimal()), &batch_key()).unwrap();
        let mut other = minimal();
        other["received_at"] = "2026-03-02T20:05:00Z".into();
        other["incident_number"] = " 24-1 ".into();
        other["crisis_types"] = serde_json::json!(["psychosis", "suicide", "psychosis"]);
        let mut first = minimal();
        first["crisis_types"] = serde_json::json!(["suicide", "psychosis"]);
        let b = call(input(other), &batch_key()).unwrap();
        let a2 = call(input(first), &batch_key()).unwrap();
        assert_eq!(b.digest(), a2.digest());
        assert_ne!(a.digest(), a2.digest(), "a change changes the digest");
    }

    #[test]
    fn every_problem_is_named() {
        let errors = call(
            input(serde_json::json!({
                "received_at": "2026-03-02T14:05:00",
                "location": {"latitude": 91.0},
                "responders": [{"employee_number": "P-1", "role": "primary"},
                               {"employee_number": "P-1", "role": "backup"},
                               {"role": "backup"}],
                "subject": {"year_of_birth": 1850},
            })),
            &batch_key(),
        )
        .unwrap_err();
        assert_eq!(
            fields(errors),
            vec![
                "source",
                "incident_number",
                "received_at",
                "mental_health",
                "location.latitude",
                "location",
                "responders[1].employee_number",
                "responders[2].employee_number",
                "subject.external_id",
                "subject.year_of_birth",
            ]
        );
    }

    #[test]
    fn a_put_takes_its_key_from_the_path() {
        let key = Key {
            source: Some("rms"),
            incident_number: Some("24-9"),
        };
        let mut body = minimal();
        body.as_object_mut().unwrap().remove("source");
        body["incident_number"] = "24-9".into();
        let call = call(input(body), &key).unwrap();
        assert_eq!(
            (call.source.as_str(), call.incident_number.as_str()),
            ("rms", "24-9")
        );
        let errors = self::call(input(minimal()), &key).unwrap_err();
        assert_eq!(fields(errors), vec!["incident_number"]);
    }
}
