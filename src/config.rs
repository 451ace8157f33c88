//! Typed settings from the environment. This is the only module that reads environment
//! variables; everything else receives a [`Settings`] built once in `main`.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use chrono_tz::Tz;

use crate::clock;

/// The database used when `DATABASE_URL` is unset: the local PostgreSQL, database `cit`.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/cit";
/// The address used when `CIT_BIND` is unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The database role requests run as when the service derives their URL (see
/// [`Settings::request_database_url`]); the migrations make it.
pub const SERVICE_ROLE: &str = "cit_app";
/// Pool size used when `CIT_DB_POOL_SIZE` is unset: two connections per core (the PostgreSQL
/// wiki's rule of thumb, taking the database to share this host's cores, as with
/// `docker compose`). More connections than the database has cores to run them only queue
/// inside PostgreSQL: on the 2-core bench machine 10 connections gave the personnel read a p99
/// of 13–90 ms, 4 gave 6.6–7.3 ms for up to 15% less throughput (BENCHMARKS.md).
pub fn default_pool_size() -> usize {
    std::thread::available_parallelism().map_or(4, |cores| cores.get() * 2)
}

/// Hours from a mental-health call to its follow-up when `CIT_FOLLOW_UP_HOURS` is unset.
pub const DEFAULT_FOLLOW_UP_HOURS: u32 = 72;

/// The longest one SQL statement of a request may run before PostgreSQL cancels it (and the
/// request answers 503), in milliseconds.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 10_000;

/// How long a client has to send a request's head, in milliseconds, before it gets 408 and
/// its connection is closed (a slow client cannot hold a connection open by trickling bytes).
pub const DEFAULT_CLIENT_TIMEOUT_MS: u64 = 5_000;

/// `CIT_AUTH_CACHE_SECONDS` when unset.
pub const DEFAULT_AUTH_CACHE_SECONDS: u64 = 60;

/// The most `CIT_AUTH_CACHE_SECONDS` (or `CIT_READ_CACHE_SECONDS`) may be: the bound on a
/// change the notifications miss.
pub const MAX_CACHE_SECONDS: u64 = 300;

/// `CIT_READ_CACHE_SECONDS` when unset.
pub const DEFAULT_READ_CACHE_SECONDS: u64 = 60;

/// `CIT_READ_MAX_LAG_MS` when unset.
pub const DEFAULT_READ_MAX_LAG_MS: u64 = 2_000;

/// What `Debug` prints in place of a secret.
pub const REDACTED: &str = "***";

/// A value that must not reach logs; `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself; call at the point of use only.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Everything the service can be told from outside.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: the PostgreSQL database requests use; created when missing.
    pub database_url: Secret<String>,
    /// `CIT_MIGRATION_DATABASE_URL`: the owner's connection, for creating the database and
    /// migrating it; default `DATABASE_URL`.
    pub migration_database_url: Option<Secret<String>>,
    /// `CIT_BIND`: the address and port to listen on (port 0 picks a free one).
    pub bind: String,
    /// `CIT_JWT_SECRET`: the HS256 signing key; when `None` a random one is made at start.
    pub jwt_secret: Option<Secret<String>>,
    /// `CIT_ADMIN_USERNAME`: name of the first admin, made when no admin exists.
    pub admin_username: Option<String>,
    /// `CIT_ADMIN_PASSWORD`: password of the first admin; when unset a random one is printed.
    pub admin_password: Option<Secret<String>>,
    /// `CIT_DB_POOL_SIZE`: the most connections the service holds, shared out among the workers
    /// (`db::Pools`).
    pub pool_size: usize,
    /// `CIT_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `CIT_LOG_FORMAT`: `json` (default) or `text` for a terminal.
    pub log_format: LogFormat,
    /// `CIT_TIME_ZONE`: the city's IANA time zone (default `America/Chicago`); every date taken
    /// from an instant is taken there.
    pub time_zone: Tz,
    /// `CIT_FOLLOW_UP_HOURS`: how long after a mental-health call with a subject was received
    /// its follow-up is due (default 72, at most 720).
    pub follow_up_hours: u32,
    /// `CIT_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` names the client; from any other peer the header is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// `CIT_STATEMENT_TIMEOUT_MS`: the longest a request's SQL statement may run (default
    /// 10,000); a runaway query is cancelled by PostgreSQL and answers 503 instead of holding a
    /// worker and a connection. The command-line tools (imports, the demo seed) are not bound.
    pub statement_timeout: Duration,
    /// `CIT_CLIENT_TIMEOUT_MS`: how long a client has to send a request's head (default 5,000);
    /// a slower one gets 408 and is disconnected.
    pub client_timeout: Duration,
    /// `CIT_AUTH_CACHE_SECONDS`: the longest a credential's check is reused without asking the
    /// database (default 60; 0 asks on every request). Changes reach the cache at once by
    /// `LISTEN`/`NOTIFY` (`auth::cache`); this bounds the rest.
    pub auth_cache: Duration,
    /// `CIT_READ_CACHE_SECONDS`: the longest a person's detail (`GET /personnel/{id}`) or a
    /// roster page is served from memory without asking the database (default 60, at most
    /// 300; 0 always asks). Changes reach the cache at once by `LISTEN`/`NOTIFY`
    /// (`personnel::cache`).
    pub read_cache: Duration,
    /// `CIT_CORS_ORIGINS`: comma-separated origins (`https://intranet.example.gov`) whose
    /// browser pages may call the API; none by default, so no CORS header is ever sent.
    pub cors_origins: Vec<String>,
    /// `CIT_READ_DATABASE_URL`: a PostgreSQL streaming replica of `DATABASE_URL`'s server;
    /// reports and lists read there while it is fresh (`db::replica`). Unset: everything reads
    /// the primary.
    pub read_database_url: Option<Secret<String>>,
    /// `CIT_READ_MAX_LAG_MS`: the furthest behind the primary the replica may be and still
    /// serve reads (default 2,000); past it, its reads go to the primary until it catches up.
    pub read_max_lag: Duration,
}

impl Settings {
    /// The owner's URL: creates the database and runs the migrations.
    pub fn migration_url(&self) -> &str {
        self.migration_database_url
            .as_ref()
            .unwrap_or(&self.database_url)
            .expose()
    }

    /// The URL report reads use on the replica, when one is set: like
    /// [`request_database_url`](Self::request_database_url), the service role in place of
    /// the owner (roles live on the primary and replicate with everything else).
    pub fn read_request_url(&self) -> Option<Secret<String>> {
        let given = self.read_database_url.as_ref()?;
        let user = |text: &str| url::Url::parse(text).ok().map(|u| u.username().to_owned());
        let (_, derived) = self.request_database_url();
        if !derived || user(given.expose()) != user(self.migration_url()) {
            return Some(given.clone());
        }
        let mut url = url::Url::parse(given.expose()).ok()?;
        url.set_username(SERVICE_ROLE).ok()?;
        Some(Secret::new(url.to_string()))
    }

    /// The URL requests use, and whether the service derived it. When `DATABASE_URL` logs in
    /// as the same user as the migrations (one URL for both, as in development), requests run
    /// as [`SERVICE_ROLE`] instead: same server, database and password, a role that may append
    /// to the audit trail but never alter or empty it. A separate `DATABASE_URL` user is used
    /// as given.
    pub fn request_database_url(&self) -> (Secret<String>, bool) {
        let given = self.database_url.expose();
        let user = |text: &str| url::Url::parse(text).ok().map(|u| u.username().to_owned());
        let own = user(given);
        if own != user(self.migration_url()) || own.as_deref() == Some(SERVICE_ROLE) {
            return (self.database_url.clone(), false);
        }
        let Ok(mut url) = url::Url::parse(given) else {
            return (self.database_url.clone(), false);
        };
        match url.set_username(SERVICE_ROLE) {
            Ok(()) => (Secret::new(url.to_string()), true),
            Err(()) => (self.database_url.clone(), false),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (the default; what log shippers want).
    Json,
    /// Human-readable lines for a terminal.
    Text,
}

/// A variable that is set but unusable.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    /// The environment variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds settings from any lookup function (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let parse_count = |name: &'static str| -> Result<Option<usize>, ConfigError> {
            get(name)
                .map(|v| match v.trim().parse::<usize>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(ConfigError {
                        name,
                        message: format!("expected a whole number above 0, got {v:?}"),
                    }),
                })
                .transpose()
        };
        let parse_number = |name: &'static str| -> Result<Option<u64>, ConfigError> {
            get(name)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| ConfigError {
                        name,
                        message: format!("expected a whole number, got {v:?}"),
                    })
                })
                .transpose()
        };
        let jwt_secret = get("CIT_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            return Err(ConfigError {
                name: "CIT_JWT_SECRET",
                message: "must be at least 32 characters".into(),
            });
        }
        let log_format = match get("CIT_LOG_FORMAT").as_deref() {
            None | Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some(other) => {
                return Err(ConfigError {
                    name: "CIT_LOG_FORMAT",
                    message: format!("expected json or text, got {other:?}"),
                });
            }
        };
        let time_zone = match get("CIT_TIME_ZONE") {
            None => clock::DEFAULT_TIME_ZONE,
            Some(name) => clock::parse_zone(&name).map_err(|message| ConfigError {
                name: "CIT_TIME_ZONE",
                message,
            })?,
        };
        let follow_up_hours = match parse_count("CIT_FOLLOW_UP_HOURS")? {
            None => DEFAULT_FOLLOW_UP_HOURS,
            Some(hours) if hours <= 720 => u32::try_from(hours).unwrap_or(DEFAULT_FOLLOW_UP_HOURS),
            Some(hours) => {
                return Err(ConfigError {
                    name: "CIT_FOLLOW_UP_HOURS",
                    message: format!("expected 1 to 720 hours, got {hours}"),
                });
            }
        };
        let trusted_proxies = get("CIT_TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| {
                        item.parse::<IpAddr>().map_err(|_| ConfigError {
                            name: "CIT_TRUSTED_PROXIES",
                            message: format!(
                                "expected IP addresses separated by commas, got {item:?}"
                            ),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let millis = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            let value = parse_count(name)?.map_or(default, |n| n as u64);
            Ok(Duration::from_millis(value))
        };
        let cache_seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match parse_number(name)? {
                None => Ok(Duration::from_secs(default)),
                Some(seconds) if seconds <= MAX_CACHE_SECONDS => Ok(Duration::from_secs(seconds)),
                Some(seconds) => Err(ConfigError {
                    name,
                    message: format!("at most {MAX_CACHE_SECONDS}, got {seconds}"),
                }),
            }
        };
        let cors_origins = get("CIT_CORS_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| match url::Url::parse(item) {
                        Ok(url)
                            if matches!(url.scheme(), "http" | "https")
                                && url.host().is_some()
                                && item.trim_end_matches('/') == url.origin().ascii_serialization() =>
                        {
                            Ok(url.origin().ascii_serialization())
                        }
                        _ => Err(ConfigError {
                            name: "CIT_CORS_ORIGINS",
                            message: format!(
                                "expected origins such as https://intranet.example.gov separated by commas, got {item:?}"
                            ),
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            database_url: Secret::new(
                get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            ),
            migration_database_url: get("CIT_MIGRATION_DATABASE_URL").map(Secret::new),
            bind: get("CIT_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            jwt_secret: jwt_secret.map(Secret::new),
            admin_username: get("CIT_ADMIN_USERNAME"),
            admin_password: get("CIT_ADMIN_PASSWORD").map(Secret::new),
            pool_size: parse_count("CIT_DB_POOL_SIZE")?.unwrap_or_else(default_pool_size),
            workers: parse_count("CIT_WORKERS")?,
            log_format,
            time_zone,
            follow_up_hours,
            trusted_proxies,
            statement_timeout: millis("CIT_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS)?,
            client_timeout: millis("CIT_CLIENT_TIMEOUT_MS", DEFAULT_CLIENT_TIMEOUT_MS)?,
            auth_cache: cache_seconds("CIT_AUTH_CACHE_SECONDS", DEFAULT_AUTH_CACHE_SECONDS)?,
            read_cache: cache_seconds("CIT_READ_CACHE_SECONDS", DEFAULT_READ_CACHE_SECONDS)?,
            cors_origins,
            read_database_url: get("CIT_READ_DATABASE_URL").map(Secret::new),
            read_max_lag: millis("CIT_READ_MAX_LAG_MS", DEFAULT_READ_MAX_LAG_MS)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_point_at_the_local_database() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(s.bind, DEFAULT_BIND);
        assert!(s.jwt_secret.is_none());
        assert_eq!(s.pool_size, default_pool_size());
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let err = settings(&[("CIT_JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(err.name, "CIT_JWT_SECRET");
    }

    #[test]
    fn a_bad_pool_size_names_the_variable() {
        let err = settings(&[("CIT_DB_POOL_SIZE", "lots")]).unwrap_err();
        assert_eq!(err.name, "CIT_DB_POOL_SIZE");
        assert!(settings(&[("CIT_DB_POOL_SIZE", "0")]).is_err());
        assert_eq!(settings(&[("CIT_DB_POOL_SIZE", "3")]).unwrap().pool_size, 3);
    }

    #[test]
    fn the_follow_up_delay_defaults_to_72_hours_and_is_bounded() {
        assert_eq!(settings(&[]).unwrap().follow_up_hours, 72);
        let day = settings(&[("CIT_FOLLOW_UP_HOURS", "24")]).unwrap();
        assert_eq!(day.follow_up_hours, 24);
        for bad in ["0", "721", "soon"] {
            assert!(settings(&[("CIT_FOLLOW_UP_HOURS", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_city_time_zone_defaults_to_chicago_and_must_be_known() {
        assert_eq!(settings(&[]).unwrap().time_zone.name(), "America/Chicago");
        let berlin = settings(&[("CIT_TIME_ZONE", "Europe/Berlin")]).unwrap();
        assert_eq!(berlin.time_zone.name(), "Europe/Berlin");
        let err = settings(&[("CIT_TIME_ZONE", "Central Time")]).unwrap_err();
        assert_eq!(err.name, "CIT_TIME_ZONE");
        assert!(err.message.contains("unknown time zone"), "{}", err.message);
    }

    #[test]
    fn a_read_replica_is_optional_and_read_as_the_service_role() {
        let none = settings(&[]).unwrap();
        assert!(none.read_request_url().is_none());
        assert_eq!(none.read_max_lag, Duration::from_millis(2_000));
        let one = settings(&[
            ("DATABASE_URL", "postgres://postgres:pw@db:5432/cit"),
            (
                "CIT_READ_DATABASE_URL",
                "postgres://postgres:pw@replica:5432/cit",
            ),
            ("CIT_READ_MAX_LAG_MS", "500"),
        ])
        .unwrap();
        assert_eq!(
            one.read_request_url().unwrap().expose(),
            "postgres://cit_app:pw@replica:5432/cit"
        );
        assert_eq!(one.read_max_lag, Duration::from_millis(500));
        let given = settings(&[
            ("DATABASE_URL", "postgres://cit_app:a@db/cit"),
            ("CIT_MIGRATION_DATABASE_URL", "postgres://owner:b@db/cit"),
            ("CIT_READ_DATABASE_URL", "postgres://reader:c@replica/cit"),
        ])
        .unwrap();
        assert_eq!(
            given.read_request_url().unwrap().expose(),
            "postgres://reader:c@replica/cit"
        );
        let err = settings(&[("CIT_READ_MAX_LAG_MS", "0")]).unwrap_err();
        assert_eq!(err.name, "CIT_READ_MAX_LAG_MS");
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let s = settings(&[("CIT_TRUSTED_PROXIES", "10.0.0.1, ::1")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(settings(&[]).unwrap().trusted_proxies.is_empty());
        let err = settings(&[("CIT_TRUSTED_PROXIES", "proxy.local")]).unwrap_err();
        assert_eq!(err.name, "CIT_TRUSTED_PROXIES");
    }

    #[test]
    fn requests_run_as_the_service_role_unless_told_otherwise() {
        let one = settings(&[("DATABASE_URL", "postgres://postgres:pw@db:5432/cit")]).unwrap();
        assert_eq!(one.migration_url(), "postgres://postgres:pw@db:5432/cit");
        let (url, derived) = one.request_database_url();
        assert!(derived);
        assert_eq!(url.expose(), "postgres://cit_app:pw@db:5432/cit");

        let two = settings(&[
            ("DATABASE_URL", "postgres://cit_app:a@db/cit"),
            ("CIT_MIGRATION_DATABASE_URL", "postgres://owner:b@db/cit"),
        ])
        .unwrap();
        assert_eq!(two.migration_url(), "postgres://owner:b@db/cit");
        let (url, derived) = two.request_database_url();
        assert!(!derived);
        assert_eq!(url.expose(), "postgres://cit_app:a@db/cit");

        let app_only = settings(&[("DATABASE_URL", "postgres://cit_app:a@db/cit")]).unwrap();
        let (url, derived) = app_only.request_database_url();
        assert!(!derived, "already the service role: used as given");
        assert_eq!(url.expose(), "postgres://cit_app:a@db/cit");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[("DATABASE_URL", "postgres://u:pw@h/db")]).unwrap();
        assert!(!format!("{s:?}").contains("pw@"));
    }

    #[test]
    fn limits_default_and_cors_origins_must_be_origins() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.statement_timeout, Duration::from_secs(10));
        assert_eq!(s.client_timeout, Duration::from_secs(5));
        assert_eq!(s.auth_cache, Duration::from_secs(60));
        assert!(settings(&[("CIT_AUTH_CACHE_SECONDS", "301")]).is_err());
        assert_eq!(s.read_cache, Duration::from_secs(60));
        assert!(settings(&[("CIT_READ_CACHE_SECONDS", "301")]).is_err());
        assert_eq!(
            settings(&[("CIT_READ_CACHE_SECONDS", "0")])
                .unwrap()
                .read_cache,
            Duration::ZERO
        );
        assert_eq!(
            settings(&[("CIT_AUTH_CACHE_SECONDS", "0")])
                .unwrap()
                .auth_cache,
            Duration::ZERO
        );
        assert!(s.cors_origins.is_empty(), "no CORS unless configured");
        let s = settings(&[
            ("CIT_STATEMENT_TIMEOUT_MS", "250"),
            (
                "CIT_CORS_ORIGINS",
                "https://intranet.example.gov/, http://localhost:5173",
            ),
        ])
        .unwrap();
        assert_eq!(s.statement_timeout, Duration::from_millis(250));
        assert_eq!(
            s.cors_origins,
            ["https://intranet.example.gov", "http://localhost:5173"]
        );
        for bad in [
            "*",
            "intranet.example.gov",
            "https://a.example/app",
            "ftp://a.example",
        ] {
            let err = settings(&[("CIT_CORS_ORIGINS", bad)]).unwrap_err();
            assert_eq!(err.name, "CIT_CORS_ORIGINS", "{bad}");
        }
        let err = settings(&[("CIT_CLIENT_TIMEOUT_MS", "0")]).unwrap_err();
        assert_eq!(err.name, "CIT_CLIENT_TIMEOUT_MS");
    }
}
