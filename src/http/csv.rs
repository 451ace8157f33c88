//! `Accept: text/csv` for lists and metrics: the same rows as the JSON, with a header row. A
//! list asked for without `limit` answers every matching row, streamed ([`list`]); with
//! `limit`, one page, the next page's cursor in the `X-Next-Cursor` header.

use actix_web::dev::Payload;
use actix_web::http::header::{self, Accept, Header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use std::future::Future;

use crate::db::Conn;
use crate::error::AppError;
use crate::http::json::{BULK_BODY_LIMIT, read_body};
use crate::http::pagination::{Key, Page, PageRequest};
use crate::state::{AppData, ReadFrom};

/// The CSV media type.
pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// A row type that has a CSV form.
pub trait CsvRow {
    /// The header row.
    const HEADER: &'static [&'static str];
    /// The row's cells, in header order.
    fn cells(&self) -> Vec<String>;
}

/// Whether the caller prefers CSV to JSON.
pub fn wants_csv(req: &HttpRequest) -> bool {
    let Ok(accept) = Accept::parse(req) else {
        return false;
    };
    accept
        .ranked()
        .into_iter()
        .find(|mime| {
            let essence = mime.essence_str();
            essence == "text/csv" || essence == "application/json" || essence == "*/*"
        })
        .is_some_and(|mime| mime.essence_str() == "text/csv")
}

/// Writes rows as CSV with a header.
pub fn to_csv<T: CsvRow>(rows: &[T]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    write_rows(&mut out, rows, true)?;
    Ok(out)
}

/// Answers a list in JSON or CSV, as the caller's `Accept` asks.
pub fn respond_page<T: CsvRow + Serialize>(
    req: &HttpRequest,
    page: Page<T>,
) -> Result<HttpResponse, AppError> {
    if !wants_csv(req) {
        return Ok(HttpResponse::Ok().json(page));
    }
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CONTENT_TYPE, TEXT_CSV));
    if let Some(cursor) = &page.next_cursor {
        response.insert_header(("X-Next-Cursor", cursor.as_str()));
    }
    Ok(response.body(to_csv(&page.items)?))
}

/// Rows per statement of a streamed export.
pub const EXPORT_CHUNK: i64 = crate::http::pagination::MAX_LIMIT;

/// Answers a list: a page in JSON, a page in CSV when `limit` is given, or, for `Accept:
/// text/csv` without `limit`, every matching row from `cursor` on, streamed: one statement (and
/// one pooled connection, held only for it) per [`EXPORT_CHUNK`] rows, so an export of a
/// million calls holds neither a connection nor the whole body in memory. The first chunk is
/// read before answering, so a refusal is still a problem+json; a failure later cuts the
/// stream short (the body then lacks its end, as a client sees from the transfer encoding).
/// `fetch` reads one page; it is called once per chunk, on a connection to where `from` says
/// (a list of rows that may lag the primary reads the replica when one is fresh).
pub async fn list<K, T, F, Fut>(
    req: &HttpRequest,
    state: &AppData,
    from: ReadFrom,
    limit: Option<i64>,
    cursor: Option<&str>,
    fetch: F,
) -> Result<HttpResponse, AppError>
where
    K: Key + 'static,
    T: CsvRow + Serialize + 'static,
    F: Fn(Conn, PageRequest<K>) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, AppError>> + 'static,
{
    if !(limit.is_none() && wants_csv(req)) {
        let page = PageRequest::new(limit, cursor)?;
        return respond_page(req, fetch(state.db_for(from).await?, page).await?);
    }
    let first = PageRequest::new(Some(EXPORT_CHUNK), cursor)?;
    let page = fetch(state.db_for(from).await?, first).await?;
    let mut body = Vec::new();
    write_rows(&mut body, &page.items, true)?;
    let start =
        futures_util::stream::once(
            async move { Ok::<_, actix_web::Error>(web::Bytes::from(body)) },
        );
    let state = state.clone();
    let rest = futures_util::stream::unfold(
        (page.next_cursor, state, fetch),
        move |(cursor, state, fetch)| async move {
            let cursor = cursor?;
            let chunk = async {
                let request = PageRequest::new(Some(EXPORT_CHUNK), Some(&cursor))?;
                let page = fetch(state.db_for(from).await?, request).await?;
                let mut body = Vec::new();
                write_rows(&mut body, &page.items, false)?;
                Ok::<_, AppError>((body, page.next_cursor))
            };
            match chunk.await {
                Ok((body, next)) => Some((Ok(web::Bytes::from(body)), (next, state, fetch))),
                Err(error) => {
                    tracing::error!(%error, "a CSV export stopped part way");
                    Some((Err(actix_web::Error::from(error)), (None, state, fetch)))
                }
            }
        },
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, TEXT_CSV))
        .streaming(futures_util::StreamExt::chain(start, rest)))
}

/// Appends rows (after a header row when `header`) as CSV.
fn write_rows<T: CsvRow>(out: &mut Vec<u8>, rows: &[T], header: bool) -> Result<(), AppError> {
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    let mut writer = csv::Writer::from_writer(out);
    if header {
        writer.write_record(T::HEADER).map_err(fail)?;
    }
    for row in rows {
        writer
            .write_record(row.cells().iter().map(|cell| neutralise(cell).into_owned()))
            .map_err(fail)?;
    }
    writer
        .flush()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

/// A `text/csv` request body of up to 16 MiB (imports).
#[derive(Debug)]
pub struct CsvBody(pub web::Bytes);

impl FromRequest for CsvBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let essence = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .map(|v| v.trim().to_ascii_lowercase());
            if !matches!(essence.as_deref(), Some("text/csv" | "application/csv")) {
                return Err(AppError::UnsupportedMediaType(
                    "send the roster as text/csv".into(),
                ));
            }
            read_body(&req, &mut payload, BULK_BODY_LIMIT)
                .await
                .map(CsvBody)
        })
    }
}

/// Answers one body in JSON, or its tabular part `rows` in CSV, as the caller's `Accept` asks.
pub fn respond<T: Serialize, R: CsvRow>(
    req: &HttpRequest,
    body: &T,
    rows: &[R],
) -> Result<HttpResponse, AppError> {
    if !wants_csv(req) {
        return Ok(HttpResponse::Ok().json(body));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, TEXT_CSV))
        .body(to_csv(rows)?))
}

/// A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so it shows as text (OWASP, CSV injection). Plain
/// numbers such as `-3` or `+1.5` are left alone.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Formats an optional value as a CSV cell (empty when absent).
pub fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    struct Row(&'static str, u32);

    impl CsvRow for Row {
        const HEADER: &'static [&'static str] = &["name", "count"];
        fn cells(&self) -> Vec<String> {
            vec![self.0.to_owned(), self.1.to_string()]
        }
    }

    #[test]
    fn writes_a_header_and_quotes_where_needed() {
        let bytes = to_csv(&[Row("a, b", 1), Row("c", 2)]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "name,count\n\"a, b\",1\nc,2\n"
        );
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_neutralised() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["Diaz", "-3", "+1.5", "0.25", "", "a=b"] {
            assert_eq!(neutralise(plain), plain);
        }
        let bytes = to_csv(&[Row("=1+1", 1)]).unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "name,count\n'=1+1,1\n");
    }

    #[test]
    fn csv_is_chosen_only_when_preferred() {
        let csv = TestRequest::default()
            .insert_header((header::ACCEPT, "text/csv"))
            .to_http_request();
        assert!(wants_csv(&csv));
        let json = TestRequest::default()
            .insert_header((header::ACCEPT, "application/json, text/csv;q=0.5"))
            .to_http_request();
        assert!(!wants_csv(&json));
        assert!(!wants_csv(&TestRequest::default().to_http_request()));
    }
}
