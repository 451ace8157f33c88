//! Database access: the connection pool, embedded migrations, the generated schema and the
//! Postgres enums shared by several features.

pub mod constraints;
pub mod enums;
pub mod fragment;
pub mod functions;
pub mod json;
pub mod listener;
pub mod migrations;
pub mod replica;
#[allow(missing_docs)]
pub mod schema;
pub mod scram;
pub mod tx;

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{BuildError, Object, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};

/// The pool every request borrows its connection from.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// How long a request waits for a connection, or for a new one to be made, before it gets a 503.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits on its worker's own pool before it looks for an idle connection
/// in another worker's ([`Pools::get`]).
const BORROW_AFTER: Duration = Duration::from_millis(20);

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

/// The service's connections: one pool per server worker, each a share of `CIT_DB_POOL_SIZE`.
///
/// A connection's socket is driven by a task on the runtime that opened it, and each actix
/// worker is a runtime on a thread of its own. With one shared pool, a request on worker A
/// often borrowed a connection opened on worker B, so every statement crossed threads twice
/// (hand the query to B's task, wake A with the answer): 40 µs of the personnel read's
/// 174 µs of service CPU (BENCHMARKS.md). A worker takes a pool of its own when it builds
/// its app ([`claim_worker`]); any other thread (startup, the CLI) uses the
/// first. The choice rides on a thread-local worker number because the pools are reached
/// through the shared `AppState` everywhere; it only picks which of a `Pools`' pools a thread
/// prefers, the same index in the primary's and the replica's ([`replica`]). (A worker
/// restarted after a panic takes the next number in turn, so two workers may then share a
/// pool: slower, never wrong.)
pub struct Pools {
    pools: Vec<Pool>,
}

/// The next worker number [`claim_worker`] hands out.
static NEXT_WORKER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

thread_local! {
    /// This thread's worker number (0 on any thread that is not a server worker).
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Gives the calling thread (a server worker building its app) the next worker number, which
/// picks its pool in every [`Pools`].
pub fn claim_worker() {
    let next = NEXT_WORKER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    WORKER.with(|worker| worker.set(next));
}

impl Pools {
    /// `count` pools sharing `max_size` connections (each at least one). No connection is made
    /// until the first request asks for one.
    pub fn build(database_url: &str, max_size: usize, count: usize) -> Result<Self, BuildError> {
        let count = count.clamp(1, max_size.max(1));
        let pools = (0..count)
            .map(|index| {
                // The first pools take the remainder: 10 over 3 workers is 4, 3, 3.
                let share = max_size / count + usize::from(index < max_size % count);
                build_pool(database_url, share.max(1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { pools })
    }

    /// The calling thread's pool.
    pub fn current(&self) -> &Pool {
        let index = WORKER.with(std::cell::Cell::get);
        &self.pools[index % self.pools.len()]
    }

    /// Closes every idle connection: a replica that went away leaves only broken ones, and
    /// start-up's were opened on the main runtime, not on the workers that will use them.
    pub fn close_idle(&self) {
        for pool in &self.pools {
            pool.retain(|_, _| false);
        }
    }

    /// A connection from the calling thread's pool; when that pool has none free for
    /// [`BORROW_AFTER`] (its connections held by slow requests), an idle one of another
    /// worker's pool, since crossing threads beats waiting while another pool sits idle; else
    /// it waits on its own pool as long as the pool allows.
    pub async fn get(&self) -> Result<Conn, PoolError> {
        let own = self.current();
        if self.pools.len() == 1 {
            return own.get().await;
        }
        let mut quick = own.timeouts();
        quick.wait = Some(BORROW_AFTER);
        match own.timeout_get(&quick).await {
            Err(deadpool::managed::PoolError::Timeout(deadpool::managed::TimeoutType::Wait)) => {}
            other => return other,
        }
        let mut at_once = quick;
        at_once.wait = Some(Duration::ZERO);
        for other in self.pools.iter().filter(|pool| !std::ptr::eq(*pool, own)) {
            if other.status().available > 0
                && let Ok(conn) = other.timeout_get(&at_once).await
            {
                return Ok(conn);
            }
        }
        own.get().await
    }

    /// A connection from the calling thread's pool, waiting at most `wait` for one to come
    /// free; making a new one takes as long as the pool allows (a cold pool still warms up).
    pub async fn get_within(&self, wait: Duration) -> Result<Conn, PoolError> {
        let own = self.current();
        let mut timeouts = own.timeouts();
        timeouts.wait = Some(wait);
        own.timeout_get(&timeouts).await
    }

    /// The pools' state summed: what `/metrics` reports.
    pub fn status(&self) -> deadpool::Status {
        let mut total = deadpool::Status {
            max_size: 0,
            size: 0,
            available: 0,
            waiting: 0,
        };
        for status in self.pools.iter().map(Pool::status) {
            total.max_size += status.max_size;
            total.size += status.size;
            total.available += status.available;
            total.waiting += status.waiting;
        }
        total
    }
}

/// Builds one pool. No connection is made until the first request asks for one.
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
