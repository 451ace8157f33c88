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

    /// The 422 for what was recorded.
    pub fn into_error(self) -> AppError {
        AppError::Validation(self.0)
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
