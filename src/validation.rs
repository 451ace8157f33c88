//! Collecting field errors, so one 422 lists every invalid field at once; and the JSON
//! merge-patch helper that tells an absent field from an explicit `null`.

use serde::{Deserialize, Deserializer};

use crate::error::{AppError, FieldError};

/// Field errors gathered while converting a request into domain values.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Keeps the value of a successful check, or records its message against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Records an error.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// How many errors were recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was recorded, else the 422.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }

    /// What was recorded, for a report that is not a 422 (one item of a batch).
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// The 422 for what was recorded.
    pub fn into_error(self) -> AppError {
        AppError::Validation(self.0)
    }
}

/// Why text holding U+0000 is refused: PostgreSQL's text cannot store it. Every way text comes
/// in checks for it before the database sees it (JSON bodies, queries, CSV cells), so it is a
/// 422 naming the field rather than a 500.
pub const NUL_MESSAGE: &str = "must not contain a NUL character";

/// Required text: trimmed, 1 to `max` characters.
pub fn text(raw: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    match value.chars().count() {
        0 => Err("must not be empty".into()),
        n if n > max => Err(format!("must be at most {max} characters")),
        _ => Ok(value.to_owned()),
    }
}

/// Optional text: trimmed, at most `max` characters; empty becomes `None`.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => text(value, max).map(Some),
    }
}

/// A code: `min`–`max` characters of upper-case letters, digits and the `extra` characters,
/// starting with a letter; lower case is raised.
pub fn code(raw: &str, extra: &str, max: usize) -> Result<String, String> {
    let value = raw.trim().to_uppercase();
    let length = value.chars().count();
    if !(2..=max).contains(&length) {
        return Err(format!("must be 2 to {max} characters"));
    }
    let mut chars = value.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    if !starts_with_letter
        || !chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || extra.contains(c))
    {
        return Err(format!(
            "must start with a letter and hold only A-Z, 0-9 and {}",
            extra
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    Ok(value)
}

/// A whole number within `range`.
pub fn within<T: PartialOrd + std::fmt::Display + Copy>(
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "must be between {} and {}",
            range.start(),
            range.end()
        ))
    }
}

/// `#[serde(default, deserialize_with = "present")]` on an `Option<Option<T>>`: absent is
/// `None`, `null` is `Some(None)`, a value is `Some(Some(v))` (JSON merge patch, RFC 7396).
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A merge-patch field that may be changed but not cleared.
pub fn not_null<T>(errors: &mut Errors, field: &str, value: Option<Option<T>>) -> Option<T> {
    match value {
        Some(None) => {
            errors.add(field, "cannot be null");
            None
        }
        Some(Some(v)) => Some(v),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "present")]
        link: Option<Option<u32>>,
    }

    #[test]
    fn absent_null_and_value_are_told_apart() {
        let absent: Patch = serde_json::from_str("{}").unwrap();
        let null: Patch = serde_json::from_str(r#"{"link": null}"#).unwrap();
        let value: Patch = serde_json::from_str(r#"{"link": 4}"#).unwrap();
        assert_eq!(absent.link, None);
        assert_eq!(null.link, Some(None));
        assert_eq!(value.link, Some(Some(4)));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  Academy ", 10).unwrap(), "Academy");
        assert!(text("   ", 10).is_err());
        assert!(text("abcdefghijk", 10).is_err());
        assert_eq!(optional_text(Some("  "), 10).unwrap(), None);
    }

    #[test]
    fn codes_are_raised_and_checked() {
        assert_eq!(code("cit_juv", "_", 32).unwrap(), "CIT_JUV");
        assert!(code("9LIVES", "_", 32).is_err());
        assert!(code("CIT-40", "_", 32).is_err());
        assert_eq!(code("cit-40", "-_", 32).unwrap(), "CIT-40");
        assert!(within(0, 1..=10).is_err());
        assert_eq!(within(2.5, 0.1..=10.0).unwrap(), 2.5);
    }

    #[test]
    fn errors_accumulate_into_one_422() {
        let mut errors = Errors::default();
        assert_eq!(errors.check("a", Ok::<_, String>(1)), Some(1));
        assert_eq!(errors.check::<u8>("b", Err("bad".into())), None);
        assert_eq!(not_null::<u8>(&mut errors, "c", Some(None)), None);
        match errors.finish() {
            Err(AppError::Validation(list)) => assert_eq!(list.len(), 2),
            other => panic!("{other:?}"),
        }
    }
}
