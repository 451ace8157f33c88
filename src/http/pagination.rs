//! Cursor pagination: `?limit=` (default 50, at most 500) and an opaque `?cursor=`; a list body
//! is `{"items": [...], "next_cursor": "…" | null}`.
//!
//! Rows we create have UUID v7 ids, which sort by creation time, so "newest first" is
//! `ORDER BY id DESC` and the cursor is the last id handed out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::AppError;

/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 500;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, in the list's stable order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The key a list is ordered by and its cursor carries: a typed id (`crate::ids`).
pub trait Key: Copy {
    /// The key a cursor's UUID names.
    fn from_uuid(id: Uuid) -> Self;
    /// The UUID the cursor carries.
    fn uuid(self) -> Uuid;
}

#[cfg(test)]
impl Key for Uuid {
    fn from_uuid(id: Uuid) -> Self {
        id
    }

    fn uuid(self) -> Uuid {
        self
    }
}

/// A validated `limit` and decoded `cursor`, for a list ordered by keys of type `K`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<K> {
    /// How many items to return.
    pub limit: i64,
    /// Return items strictly after (older than) this key.
    pub after: Option<K>,
}

impl<K: Key> PageRequest<K> {
    /// Validates the raw query values.
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        // `?cursor=` (empty) is the first page, as if it were absent.
        let after = cursor
            .filter(|cursor| !cursor.is_empty())
            .map(decode_cursor)
            .transpose()?
            .map(K::from_uuid);
        Ok(Self { limit, after })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the fetched rows to the page and computes the next cursor from the last row kept.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> K,
        convert: impl FnMut(R) -> T,
    ) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|row| encode_cursor(id(row).uuid()))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(convert).collect(),
            next_cursor,
        }
    }
}

/// What every cursor looks like (base64url, no padding), stated in the document so a client
/// or a fuzzer knows one from noise; a string of this form that no page handed out is a 422.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]*$";

/// The opaque form of a cursor.
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<Uuid, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::invalid("cursor", "not a cursor this API handed out"))
}

/// Page parameters shared by the plain lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let id = Uuid::now_v7();
        let request = PageRequest::<Uuid>::new(Some(10), Some(&encode_cursor(id))).unwrap();
        assert_eq!(request.after, Some(id));
    }

    #[test]
    fn an_empty_cursor_is_the_first_page() {
        assert_eq!(
            PageRequest::<Uuid>::new(None, Some("")).unwrap().after,
            None
        );
        assert!(PageRequest::<Uuid>::new(None, Some("x")).is_err());
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        assert!(PageRequest::<Uuid>::new(Some(0), None).is_err());
        assert!(PageRequest::<Uuid>::new(Some(501), None).is_err());
        assert_eq!(
            PageRequest::<Uuid>::new(None, None).unwrap().limit,
            DEFAULT_LIMIT
        );
        assert!(PageRequest::<Uuid>::new(None, Some("not-a-cursor!")).is_err());
    }

    #[test]
    fn the_extra_row_becomes_the_next_cursor() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let request = PageRequest::<Uuid>::new(Some(2), None).unwrap();
        let page = request.page(ids.clone(), |id| *id, |id| id);
        assert_eq!(page.items, ids[..2]);
        assert_eq!(page.next_cursor, Some(encode_cursor(ids[1])));

        let last = request.page(ids[..2].to_vec(), |id| *id, |id| id);
        assert_eq!(last.next_cursor, None);
    }
}
