//! Reads on a streaming replica (`CIT_READ_DATABASE_URL`), for reports and lists.
//!
//! A PostgreSQL hot standby holds what the primary held a moment ago. Reports and lists may
//! read it ([`crate::state::AppState::read_db`]); writes and every read that must see its own
//! write (a record just created, a row about to be locked) stay on the primary. How stale the
//! replica may be is bounded: [`watch`] measures it several times a second, and a replica
//! further behind than `CIT_READ_MAX_LAG_MS`, unreachable, no longer a standby, or a standby of
//! another cluster (its system identifier differs) serves nothing until it is fresh again; its
//! reads go to the primary meanwhile. `/metrics` reports
//! the lag, whether the replica is in use, and how many reads each side served.
//!
//! The lag is measured the way a client would see it, as time, on any primary, busy or idle:
//! every tick reads the primary's WAL insert position (everything it has written so far,
//! commits with `synchronous_commit = off` included), then the
//! replica's replayed position. The replica holds every commit made before the newest tick
//! whose primary position it has replayed, so its staleness is at most the time since that
//! tick's start. (`now() - pg_last_xact_replay_timestamp()` grows on an idle primary, and
//! `pg_stat_replication.replay_lag` needs monitoring rights on the primary and goes empty
//! when idle.)

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use tokio_postgres::error::SqlState;

use super::{Conn, Pools};

/// How often the lag is measured.
pub const TICK: Duration = Duration::from_millis(250);

/// The longest a tick's connecting or measuring may take before the replica is taken as
/// unreachable (a silent network would otherwise hold the watcher, and the last answer, forever).
const MEASURE_WITHIN: Duration = Duration::from_secs(2);

/// The longest a read waits for a replica connection to come free before it goes to the
/// primary instead (making a new one is not cut short: a cold pool must be able to warm up).
const WAIT_FOR_CONNECTION: Duration = Duration::from_millis(100);

/// How many ticks of the primary's positions are kept: ten minutes, far past any bound.
const SAMPLES: usize = 2_400;

/// `u64::MAX` in a lag figure: not known (the replica or the primary cannot be reached).
const UNKNOWN: u64 = u64::MAX;

/// The replica's pools and what the watcher last saw of it.
pub struct Replica {
    pools: Pools,
    max_lag: Duration,
    /// When the process started measuring; deadlines are microseconds after it.
    epoch: Instant,
    /// Until when (microseconds after `epoch`) a read may go to the replica: the start of the
    /// newest tick it was seen to hold, plus the bound. Checked at every read, so a watcher that
    /// stops hearing from either server cannot leave the replica in use past the bound.
    fresh_until: AtomicU64,
    /// Whether the last measurement found it within the bound (for the log's transitions).
    fresh: AtomicBool,
    lag_micros: AtomicU64,
    lag_bytes: AtomicU64,
    served: AtomicU64,
    passed_on: AtomicU64,
}

impl Replica {
    /// The replica's pools (one per worker, like the primary's). Nothing is served from it
    /// until [`watch`] has found it fresh.
    pub fn new(pools: Pools, max_lag: Duration) -> Self {
        Self {
            pools,
            max_lag,
            epoch: Instant::now(),
            fresh_until: AtomicU64::new(0),
            fresh: AtomicBool::new(false),
            lag_micros: AtomicU64::new(UNKNOWN),
            lag_bytes: AtomicU64::new(UNKNOWN),
            served: AtomicU64::new(0),
            passed_on: AtomicU64::new(0),
        }
    }

    /// Microseconds from `epoch` to `at`.
    fn micros(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_micros()).unwrap_or(UNKNOWN)
    }

    /// Whether a read now may go to the replica: within the bound as last measured.
    fn is_fresh(&self) -> bool {
        self.micros(Instant::now()) < self.fresh_until.load(Ordering::Acquire)
    }

    /// A replica connection when the replica is fresh and one comes free within
    /// [`WAIT_FOR_CONNECTION`]; `None` sends the read to the primary. A failure to connect
    /// marks it stale until the watcher finds it fresh again; a busy pool only sends this read
    /// to the primary.
    pub async fn get(&self) -> Option<Conn> {
        if self.is_fresh() {
            match self.pools.get_within(WAIT_FOR_CONNECTION).await {
                Ok(conn) => {
                    self.served.fetch_add(1, Ordering::Relaxed);
                    return Some(conn);
                }
                Err(deadpool::managed::PoolError::Timeout(
                    deadpool::managed::TimeoutType::Wait,
                )) => {}
                Err(error) => {
                    if self.fresh_until.swap(0, Ordering::AcqRel) != 0 {
                        tracing::warn!(%error, "no replica connection; reading from the primary");
                    }
                }
            }
        }
        self.passed_on.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Records one measurement: the lag, or `None` when it could not be taken.
    fn observe(&self, lag: Option<(Duration, u64)>) {
        let fresh = lag.is_some_and(|(time, _)| time <= self.max_lag);
        let until = match lag {
            // The tick it holds began `time` ago; reads may use it until that start + the bound.
            Some((time, _)) if fresh => self.micros(Instant::now()).saturating_add(
                u64::try_from((self.max_lag - time).as_micros()).unwrap_or(UNKNOWN),
            ),
            _ => 0,
        };
        self.fresh_until.store(until, Ordering::Release);
        let (micros, bytes) = lag.map_or((UNKNOWN, UNKNOWN), |(time, bytes)| {
            (u64::try_from(time.as_micros()).unwrap_or(UNKNOWN), bytes)
        });
        self.lag_micros.store(micros, Ordering::Relaxed);
        self.lag_bytes.store(bytes, Ordering::Relaxed);
        let was = self.fresh.swap(fresh, Ordering::AcqRel);
        if was != fresh {
            match lag {
                Some((time, bytes)) if fresh => tracing::info!(
                    lag_ms = time.as_millis() as u64,
                    lag_bytes = bytes,
                    "the read replica is fresh; reports read from it"
                ),
                Some((time, bytes)) => tracing::warn!(
                    lag_ms = time.as_millis() as u64,
                    lag_bytes = bytes,
                    max_lag_ms = self.max_lag.as_millis() as u64,
                    "the read replica is behind; reports read from the primary"
                ),
                None => {
                    tracing::warn!("the read replica is unreachable; reports read from the primary")
                }
            }
        }
        if lag.is_none() {
            // Its pooled connections are broken or about to be: make fresh ones when it returns.
            self.pools.close_idle();
        }
    }

    /// The replica's figures in Prometheus text format, for `/metrics`.
    pub fn exposition(&self) -> String {
        let seconds = |micros: u64| {
            if micros == UNKNOWN {
                "NaN".to_owned()
            } else {
                format!("{}", micros as f64 / 1e6)
            }
        };
        let bytes = match self.lag_bytes.load(Ordering::Relaxed) {
            UNKNOWN => "NaN".to_owned(),
            n => n.to_string(),
        };
        let mut out = String::new();
        for (name, kind, help, value) in [
            (
                "read_replica_in_use",
                "gauge",
                "1 while reports and lists read from the replica (reachable and within the bound), else 0.",
                u8::from(self.is_fresh()).to_string(),
            ),
            (
                "read_replica_lag_seconds",
                "gauge",
                "At most how far behind the primary the replica is, as last measured (NaN: unreachable).",
                seconds(self.lag_micros.load(Ordering::Relaxed)),
            ),
            (
                "read_replica_max_lag_seconds",
                "gauge",
                "The bound (CIT_READ_MAX_LAG_MS): a replica further behind serves nothing.",
                seconds(u64::try_from(self.max_lag.as_micros()).unwrap_or(UNKNOWN)),
            ),
            (
                "read_replica_lag_bytes",
                "gauge",
                "WAL the primary has written that the replica has not replayed, as last measured.",
                bytes,
            ),
            (
                "read_replica_reads_total",
                "counter",
                "Reads served by the replica.",
                self.served.load(Ordering::Relaxed).to_string(),
            ),
            (
                "read_replica_passed_on_total",
                "counter",
                "Reads meant for the replica that the primary served (stale or unreachable).",
                self.passed_on.load(Ordering::Relaxed).to_string(),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}

/// The primary's positions over the last ticks, and the replica's staleness from them.
#[derive(Default)]
struct Positions {
    /// (when a tick began, the primary's WAL insert position read in it), oldest first.
    ticks: VecDeque<(Instant, u64)>,
}

impl Positions {
    /// Adds a tick's primary position and answers how stale a replica that has replayed up to
    /// `replayed` is at `now`: the time since the newest tick whose position it holds (the
    /// time since the oldest kept tick, a lower bound, when it holds none).
    fn staleness(&mut self, began: Instant, primary: u64, replayed: u64, now: Instant) -> Duration {
        self.ticks.push_back((began, primary));
        if self.ticks.len() > SAMPLES {
            self.ticks.pop_front();
        }
        match self.ticks.iter().rposition(|&(_, lsn)| lsn <= replayed) {
            Some(held) => {
                self.ticks.drain(..held);
                now.saturating_duration_since(self.ticks[0].0)
            }
            None => now.saturating_duration_since(self.ticks[0].0),
        }
    }
}

/// Measures the replica's lag every [`TICK`] for as long as the process runs, on a connection
/// of its own to each server, reconnecting after a loss.
pub async fn watch(replica: Arc<Replica>, primary_url: String, replica_url: String) {
    let config = |url: &str, name: &str| {
        let mut config = url.parse::<tokio_postgres::Config>().ok()?;
        config.application_name(name);
        config.connect_timeout(Duration::from_secs(2));
        Some(config)
    };
    let (Some(primary), Some(standby)) = (
        config(&primary_url, "cit-api replica watcher"),
        config(&replica_url, "cit-api replica watcher"),
    ) else {
        tracing::error!(
            "the replica watcher cannot read a database URL; reports read from the primary"
        );
        return;
    };
    let mut positions = Positions::default();
    let mut clients: Option<(tokio_postgres::Client, tokio_postgres::Client)> = None;
    let mut warned_not_standby = false;
    let mut warned_elsewhere = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if clients
            .as_ref()
            .is_none_or(|(p, r)| p.is_closed() || r.is_closed())
        {
            clients = match (connect(&primary).await, connect(&standby).await) {
                (Ok(p), Ok(r)) => Some((p, r)),
                (p, r) => {
                    if let Err(error) = p.and(r) {
                        tracing::debug!(%error, "the replica watcher cannot connect");
                    }
                    replica.observe(None);
                    continue;
                }
            };
        }
        let Some((on_primary, on_replica)) = &clients else {
            continue;
        };
        let began = Instant::now();
        // Each server's system identifier with its position, every tick: a standby of another
        // cluster (a wrong port, a name that now leads elsewhere) has positions unrelated to the
        // primary's, which could pass for fresh.
        let measured = async {
            let row = on_primary
                .query_one(
                    "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8, \
                            (SELECT system_identifier FROM pg_control_system())",
                    &[],
                )
                .await?;
            let (written, cluster): (i64, i64) = (row.get(0), row.get(1));
            let row = on_replica
                .query_one(
                    "SELECT pg_is_in_recovery(), \
                            (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8, \
                            (SELECT system_identifier FROM pg_control_system())",
                    &[],
                )
                .await?;
            Ok::<_, tokio_postgres::Error>(Measured {
                written,
                standby: row.get(0),
                replayed: row.get(1),
                same_cluster: row.get::<_, i64>(2) == cluster,
            })
        };
        let Ok(measured) = tokio::time::timeout(MEASURE_WITHIN, measured).await else {
            tracing::debug!("the replica watcher's measurement timed out");
            clients = None;
            replica.observe(None);
            continue;
        };
        match measured {
            Ok(Measured {
                same_cluster: false,
                ..
            }) => {
                if !warned_elsewhere {
                    warned_elsewhere = true;
                    tracing::error!(
                        "CIT_READ_DATABASE_URL is a standby of another cluster (its system \
                         identifier is not the primary's); reports read from the primary"
                    );
                }
                replica.observe(None);
            }
            Ok(Measured {
                written,
                standby: true,
                replayed: Some(replayed),
                ..
            }) => {
                let (written, replayed) = (written.max(0) as u64, replayed.max(0) as u64);
                let stale = positions.staleness(began, written, replayed, Instant::now());
                replica.observe(Some((stale, written.saturating_sub(replayed))));
            }
            Ok(_) => {
                // A primary of its own (promoted, or the wrong URL): nothing tells how its data
                // relates to ours, so it serves nothing.
                if !warned_not_standby {
                    warned_not_standby = true;
                    tracing::error!(
                        "CIT_READ_DATABASE_URL is not a standby; reports read from the primary"
                    );
                }
                replica.observe(None);
            }
            Err(error) if error.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
                // Without the identifiers the replica cannot be told from a stranger's: it is
                // never used, and measuring again would only fail again.
                tracing::error!(
                    %error,
                    "the replica watcher may not read pg_control_system() (GRANT EXECUTE ON \
                     FUNCTION pg_control_system() TO the service's role); reports read from the \
                     primary"
                );
                replica.observe(None);
                return;
            }
            Err(error) => {
                tracing::debug!(%error, "the replica watcher lost a connection");
                clients = None;
                replica.observe(None);
            }
        }
    }
}

/// One tick's reading of both servers.
struct Measured {
    /// The primary's WAL insert position.
    written: i64,
    /// Whether the replica is in recovery (a standby).
    standby: bool,
    /// The replica's replayed position (none on a primary).
    replayed: Option<i64>,
    /// Whether both have the same system identifier: a standby made from the primary (by
    /// `pg_basebackup` or any base backup) keeps the primary's.
    same_cluster: bool,
}

async fn connect(
    config: &tokio_postgres::Config,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_is_the_time_since_the_newest_tick_the_replica_holds() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut positions = Positions::default();
        // (tick began, primary's position, replica's replayed position, now) → staleness
        let steps = [
            // Caught up: the replica holds the tick just taken.
            (0, 100, 100, 2, 2),
            // An idle primary: the position stays, so the replica stays fresh.
            (250, 100, 100, 252, 2),
            // Replay paused at 100 while the primary moves on.
            (500, 180, 100, 503, 253),
            (750, 260, 100, 751, 501),
            // It replays up to 180 (the tick at 500), not yet 260.
            (1000, 260, 180, 1001, 501),
            // Caught up again.
            (1250, 260, 260, 1251, 1),
        ];
        for (began, primary, replayed, now, stale) in steps {
            assert_eq!(
                positions.staleness(at(began), primary, replayed, at(now)),
                Duration::from_millis(stale),
                "tick at {began} ms"
            );
        }
        assert_eq!(positions.ticks.len(), 1);
    }

    #[test]
    fn a_replica_behind_every_kept_tick_is_at_least_as_stale_as_the_oldest() {
        let start = Instant::now();
        let mut positions = Positions::default();
        positions.staleness(start, 500, 10, start);
        let stale = positions.staleness(
            start + Duration::from_secs(3),
            600,
            10,
            start + Duration::from_secs(3),
        );
        assert_eq!(stale, Duration::from_secs(3));
    }

    #[test]
    fn without_a_new_measurement_the_replica_goes_stale_when_its_bound_runs_out() {
        let pools = Pools::build("postgres://nobody@127.0.0.1:1/none", 1, 1).unwrap();
        let replica = Replica::new(pools, Duration::from_millis(500));
        // Measured 495 ms behind: fresh for 5 ms more, then stale with no word from the watcher.
        replica.observe(Some((Duration::from_millis(495), 0)));
        assert!(replica.is_fresh());
        std::thread::sleep(Duration::from_millis(20));
        assert!(!replica.is_fresh());
        assert!(replica.exposition().contains("read_replica_in_use 0\n"));
    }

    #[test]
    fn the_bound_decides_whether_reads_go_to_the_replica() {
        let pools = Pools::build("postgres://nobody@127.0.0.1:1/none", 1, 1).unwrap();
        let replica = Replica::new(pools, Duration::from_millis(500));
        assert!(!replica.is_fresh(), "nothing served before a measurement");
        replica.observe(Some((Duration::from_millis(20), 0)));
        assert!(replica.is_fresh());
        assert!(replica.exposition().contains("read_replica_in_use 1\n"));
        assert!(
            replica
                .exposition()
                .contains("read_replica_lag_seconds 0.02\n")
        );
        replica.observe(Some((Duration::from_millis(501), 4096)));
        assert!(!replica.is_fresh());
        assert!(
            replica
                .exposition()
                .contains("read_replica_lag_bytes 4096\n")
        );
        replica.observe(None);
        assert!(!replica.is_fresh());
        assert!(
            replica
                .exposition()
                .contains("read_replica_lag_seconds NaN\n")
        );
    }
}
