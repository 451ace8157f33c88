//! Database access: the connection pool, embedded migrations, the generated schema and the
//! Postgres enums shared by several features.

pub mod constraints;
pub mod enums;
pub mod functions;
pub mod json;
pub mod migrations;
#[allow(missing_docs)]
pub mod schema;
pub mod scram;
pub mod tx;

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{BuildError, Object};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};

/// The pool every request borrows its connection from.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// How long a request waits for a connection, or for a new one to be made, before it gets a 503.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// Escapes `%`, `_` and `\` for a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `url` with a statement timeout every session it opens starts with (PostgreSQL's startup
/// `options`, so it costs no round trip). Options already in the URL are kept. `None` when
/// `url` is not a URL (a libpq `key=value` string): the service then refuses to start rather
/// than run without the timeout.
pub fn with_statement_timeout(url: &str, timeout: Duration) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    let mut options = format!("-c statement_timeout={}", timeout.as_millis());
    let mut query = Vec::new();
    for (key, value) in parsed.query_pairs() {
        if key == "options" {
            options = format!("{value} {options}");
        } else {
            query.push(format!("{}={}", encode(&key), encode(&value)));
        }
    }
    query.push(format!("options={}", encode(&options)));
    parsed.set_query(Some(&query.join("&")));
    Some(parsed.to_string())
}

/// Percent-encodes a query value the way libpq and tokio-postgres decode it (a space is `%20`;
/// they do not read `+` as a space).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Builds the pool. No connection is made until the first request asks for one.
pub fn build_pool(database_url: &str, max_size: usize) -> Result<Pool, BuildError> {
    let mut config = ManagerConfig::default();
    // A closed socket is noticed without a round trip (`is_broken` checks it), so the cheap
    // recycle check is enough; a broken connection is dropped and a fresh one made.
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_timeout_rides_on_the_url() {
        let timeout = Duration::from_millis(2_500);
        assert_eq!(
            with_statement_timeout("postgres://cit_app:p%40ss@db:5432/cit", timeout).unwrap(),
            "postgres://cit_app:p%40ss@db:5432/cit?options=-c%20statement_timeout%3D2500"
        );
        assert_eq!(
            with_statement_timeout(
                "postgres://u@h/d?sslmode=require&options=-c%20search_path%3Dx",
                timeout
            )
            .unwrap(),
            "postgres://u@h/d?sslmode=require&options=-c%20search_path%3Dx%20-c%20statement_timeout%3D2500"
        );
        assert_eq!(with_statement_timeout("host=db dbname=cit", timeout), None);
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
