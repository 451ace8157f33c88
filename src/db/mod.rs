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
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
