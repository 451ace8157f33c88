//! The one connection each instance keeps `LISTEN`ing, for the caches that PostgreSQL's
//! notifications keep true: who a credential is (`auth::cache`) and people's details and
//! roster pages (`personnel::cache`). Triggers notify a cache's channel when what it holds changes, whoever
//! changed it (any instance, a command, plain SQL), and the notification is delivered at
//! commit, only if the transaction commits.
//!
//! A cache serves nothing while this connection is down, and forgets everything whenever it
//! (re)connects, since notifications sent meanwhile were lost. The listener notifies itself
//! every 2 s; having heard nothing for 5 s it takes the connection as lost (a half-open
//! connection, a proxy that drops notifications, a failover it has not noticed) and
//! reconnects.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};

/// A cache that forgets what its channel's notifications name.
pub trait Invalidated: Send + Sync {
    /// The channel its triggers notify.
    fn channel(&self) -> &'static str;
    /// Whether it caches at all (a lifetime is set); the listener runs if any does.
    fn enabled(&self) -> bool;
    /// Forgets what `payload` names (anything it cannot read: everything).
    fn forget(&self, payload: &str);
    /// Listening (everything known before is forgotten: notifications may have been missed)
    /// or lost (nothing is cached or served until it is back).
    fn set_listening(&self, listening: bool);
}

/// The payload of the listener's own heartbeat, which forgets nothing.
const HEARTBEAT: &str = "heartbeat";

/// How often the listener notifies itself, to prove it still hears its channels.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// A listener that has heard nothing (not even a heartbeat) for this long is taken as lost.
const SILENCE: Duration = Duration::from_secs(5);

/// The listening session's `application_name`, as `pg_stat_activity` shows it.
pub const APPLICATION_NAME: &str = "cit-api cache listener";

/// Why a listening connection was given up.
#[derive(Debug, thiserror::Error)]
enum ListenerLost {
    #[error(transparent)]
    Database(#[from] tokio_postgres::Error),
    #[error("no notification, not even its own heartbeat, for {0:?}")]
    Silent(Duration),
}

/// The caches one connection listens for.
struct Caches(Vec<Arc<dyn Invalidated>>);

impl Caches {
    fn set_listening(&self, listening: bool) {
        for cache in &self.0 {
            cache.set_listening(listening);
        }
    }

    fn forget(&self, channel: &str, payload: &str) {
        if payload == HEARTBEAT {
            return;
        }
        for cache in self.0.iter().filter(|cache| cache.channel() == channel) {
            cache.forget(payload);
        }
    }
}

/// Turns caching off if the listener's task ends in any way (a panic included).
impl Drop for Caches {
    fn drop(&mut self) {
        self.set_listening(false);
    }
}

/// Keeps a connection listening on every enabled cache's channel for as long as the process
/// runs, reconnecting after a loss (nothing is cached meanwhile), and hands each notification
/// to the caches of its channel.
pub async fn listen(caches: Vec<Arc<dyn Invalidated>>, database_url: String) {
    let caches = Caches(caches.into_iter().filter(|c| c.enabled()).collect());
    let Some(first) = caches.0.first() else {
        return;
    };
    let heartbeat = format!("NOTIFY {}, '{HEARTBEAT}'", first.channel());
    let mut config = match database_url.parse::<tokio_postgres::Config>() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "the cache listener cannot read DATABASE_URL; no caching");
            return;
        }
    };
    config.application_name(APPLICATION_NAME);
    let mut delay = Duration::from_millis(100);
    loop {
        let mut listened = false;
        match listen_once(&caches, &config, &heartbeat, &mut listened).await {
            Ok(()) => tracing::warn!("the cache listener's connection closed"),
            Err(error) => tracing::warn!(%error, "the cache listener's connection was lost"),
        }
        if listened {
            // It had been listening: a fresh loss, retried soon.
            delay = Duration::from_millis(100);
        }
        caches.set_listening(false);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

async fn listen_once(
    caches: &Caches,
    config: &tokio_postgres::Config,
    heartbeat: &str,
    listened: &mut bool,
) -> Result<(), ListenerLost> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    // The connection is polled here, not spawned, so its notifications arrive in order and
    // its end is seen at once; the client's statements are sent by the same polling.
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx)).boxed();
    let listen: String = caches
        .0
        .iter()
        .map(|cache| format!("LISTEN {};", cache.channel()))
        .collect();
    let mut pending = Some(client.batch_execute(&listen).boxed());
    let mut heard = tokio::time::Instant::now();
    let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(Ok(tokio_postgres::AsyncMessage::Notification(notification))) => {
                    heard = tokio::time::Instant::now();
                    caches.forget(notification.channel(), notification.payload());
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.into()),
                None => return Ok(()),
            },
            done = async {
                match pending.as_mut() {
                    Some(statement) => statement.await,
                    None => std::future::pending().await,
                }
            }, if pending.is_some() => {
                pending = None;
                done?;
                if !*listened {
                    *listened = true;
                    caches.set_listening(true);
                    tracing::info!("the cache listener is listening");
                }
            }
            _ = beat.tick(), if *listened => {
                if heard.elapsed() > SILENCE {
                    return Err(ListenerLost::Silent(heard.elapsed()));
                }
                if pending.is_none() {
                    pending = Some(client.batch_execute(heartbeat).boxed());
                }
            }
        }
    }
}

/// What a cache kept true by notifications holds, and the rules both caches share: nothing is
/// served or stored while the listener is not listening; a read that missed stores its answer
/// only if nothing was forgotten since it looked ([`Miss`], a generation count), so a change
/// that commits while a request is reading cannot be overwritten by the older answer; an
/// answer is not served at or after its end, and ended answers are dropped every
/// [`SWEEP_EVERY`] stores (so yesterday's do not stay resident); past `capacity` answers, the
/// ended ones are dropped and, if still full, new ones are not stored.
pub struct Notified<K, V, T> {
    capacity: usize,
    inner: Mutex<Entries<K, V, T>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Entries<K, V, T> {
    /// Each answer and the instant it is not served from.
    map: HashMap<K, (V, T)>,
    /// Bumped whenever anything is forgotten.
    generation: u64,
    /// Whether the listener is connected and listening.
    listening: bool,
    /// Answers stored since the last sweep of ended ones.
    stored: usize,
}

/// How many stores pass between two sweeps of ended answers.
const SWEEP_EVERY: usize = 256;

/// A miss: hand it back with the answer read from the database.
#[derive(Debug, Clone, Copy)]
pub struct Miss {
    generation: u64,
}

impl<K: Eq + Hash, V: Clone, T: PartialOrd + Copy> Notified<K, V, T> {
    /// An empty cache of at most `capacity` answers, not listening yet.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Entries {
                map: HashMap::new(),
                generation: 0,
                listening: false,
                stored: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries<K, V, T>> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters: the worst is an answer forgotten.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer for `key` at `now`, or a [`Miss`] to store the database's answer with.
    pub fn get(&self, key: &K, now: T) -> Result<V, Miss> {
        let inner = self.lock();
        let found = match inner.map.get(key) {
            Some((value, until)) if inner.listening && now < *until => Ok(value.clone()),
            _ => Err(Miss {
                generation: inner.generation,
            }),
        };
        drop(inner);
        let counter = if found.is_ok() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `value` for `key`, read at `now` after `miss` and served until `until`, unless
    /// something was forgotten since or the listener is not listening.
    pub fn put(&self, miss: Miss, key: K, value: V, now: T, until: T) {
        let mut inner = self.lock();
        if !inner.listening || inner.generation != miss.generation {
            return;
        }
        inner.stored += 1;
        if inner.stored >= SWEEP_EVERY || inner.map.len() >= self.capacity {
            inner.stored = 0;
            inner.map.retain(|_, (_, until)| now < *until);
            if inner.map.len() >= self.capacity {
                return;
            }
        }
        inner.map.insert(key, (value, until));
    }

    /// Forgets the answers `forget` picks (and voids every read in flight).
    pub fn forget_where(&self, mut forget: impl FnMut(&V) -> bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.map.retain(|_, (value, _)| !forget(value));
    }

    /// Forgets every answer.
    pub fn forget_all(&self) {
        self.forget_where(|_| true);
    }

    /// Listening or lost: either way everything known is forgotten (notifications may have
    /// been missed), and while lost nothing is stored or served.
    pub fn set_listening(&self, listening: bool) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.generation += 1;
        inner.listening = listening;
    }

    /// Whether the listener is listening.
    pub fn listening(&self) -> bool {
        self.lock().listening
    }

    /// `<prefix>_on` (`on`), `<prefix>_hits_total` and `<prefix>_misses_total` in Prometheus
    /// text format, for `/metrics`; `what` names what is cached ("Requests authenticated").
    pub fn exposition(&self, prefix: &str, on: bool, hits: &str, misses: &str) -> String {
        let mut out = String::new();
        for (name, kind, help, value) in [
            (
                format!("{prefix}_on"),
                "gauge",
                "1 while the cache serves (its listener is up), else 0.",
                u64::from(on),
            ),
            (
                format!("{prefix}_hits_total"),
                "counter",
                hits,
                self.hits.load(Ordering::Relaxed),
            ),
            (
                format!("{prefix}_misses_total"),
                "counter",
                misses,
                self.misses.load(Ordering::Relaxed),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ended_answers_are_swept_as_new_ones_are_stored_and_none_past_capacity() {
        let cache: Notified<u32, u32, u32> = Notified::new(SWEEP_EVERY * 2);
        cache.set_listening(true);
        let store = |key: u32, now: u32, until: u32| {
            let miss = cache.get(&key, now).unwrap_err();
            cache.put(miss, key, key, now, until);
        };
        // Answers that end at 10, stored at 0.
        for key in 0..10 {
            store(key, 0, 10);
        }
        assert_eq!(cache.lock().map.len(), 10);
        // Stores at 20 sweep them once enough have passed.
        for key in 100..100 + SWEEP_EVERY as u32 {
            store(key, 20, 30);
        }
        let kept = cache.lock().map.len();
        assert!(kept <= SWEEP_EVERY, "ended answers kept: {kept}");
        assert!((0..10).all(|key| !cache.lock().map.contains_key(&key)));
        // Full of live answers: a new one is not stored.
        for key in 1_000..1_000 + 2 * SWEEP_EVERY as u32 {
            store(key, 20, 30);
        }
        assert_eq!(cache.lock().map.len(), 2 * SWEEP_EVERY);
        assert!(
            cache
                .get(&(1_000 + 2 * SWEEP_EVERY as u32 - 1), 20)
                .is_err()
        );
    }
}
