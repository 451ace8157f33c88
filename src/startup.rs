//! Building and starting the server: prepare the database, make the shared state, register the
//! routes, add error handling and middleware, bind.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::{Hasher, PasswordPolicy};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::migrations::{self, SetupError};
use crate::http::cors::{self, AllowedOrigins};
use crate::http::rejections::{self, RouteTable};
use crate::http::{context, security};
use crate::ops::metrics::Metrics;
use crate::state::AppState;
use crate::users::bootstrap::{self, BootstrapError, FirstAdmin};
use crate::{
    api_keys, audit, auth, calls, db, follow_ups, goals, hsds, metrics, openapi, ops, partners,
    personnel, referrals, subjects, training, users,
};

/// Every route of the service. The OpenAPI document is generated from this same function.
pub fn routes(config: &mut ServiceConfig<'_>) {
    config.service(
        scope("/api/v1")
            .configure(auth::configure)
            .configure(users::configure)
            .configure(api_keys::configure)
            .configure(calls::configure)
            .configure(subjects::configure)
            .configure(partners::configure)
            .configure(referrals::configure)
            .configure(follow_ups::configure)
            .configure(audit::configure)
            .configure(personnel::configure)
            .configure(training::configure)
            .configure(goals::configure)
            .configure(metrics::configure),
    );
    ops::configure(config);
    hsds::configure(config);
    crate::dashboard::configure(config);
    config
        .service(openapi::get_openapi_document)
        .service(openapi::swagger_ui_redirect);
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be reached, created or migrated.
    #[error(transparent)]
    Database(#[from] SetupError),
    /// The first admin could not be made.
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    /// The pool could not be built.
    #[error("database pool: {0}")]
    Pool(String),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {reason}")]
    Bind {
        /// `CIT_BIND`.
        address: String,
        /// The OS's reason.
        reason: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Creates the database when missing and applies pending migrations; returns how many ran.
pub async fn prepare_database(database_url: &str) -> Result<usize, SetupError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        migrations::create_database_if_missing(&url)?;
        migrations::run_migrations(&url)
    })
    .await
    .map_err(|e| SetupError::Failed(format!("migration task: {e}")))?
}

/// Fails unless the database has applied every migration of this binary; changes nothing. For
/// commands that must not alter the schema as a side effect (the break-glass commands).
pub async fn check_schema_current(database_url: &str) -> Result<(), SetupError> {
    let url = database_url.to_owned();
    let pending = tokio::task::spawn_blocking(move || migrations::pending_migrations(&url))
        .await
        .map_err(|e| SetupError::Failed(format!("migration check task: {e}")))??;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(SetupError::Behind { pending })
    }
}

/// When requests run as the derived service role over a URL with a password, the role gets that
/// password (as the owner), so it logs in under password authentication too.
async fn give_service_role_its_password(
    owner_url: &str,
    request_url: &str,
) -> Result<(), SetupError> {
    // The URL holds it percent-encoded; the server is given what the driver will send.
    let Some(password) = url::Url::parse(request_url).ok().and_then(|url| {
        url.password().map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .into_owned()
        })
    }) else {
        return Ok(());
    };
    let owner_url = owner_url.to_owned();
    tokio::task::spawn_blocking(move || {
        migrations::set_role_password(&owner_url, crate::config::SERVICE_ROLE, &password)
    })
    .await
    .map_err(|e| SetupError::Failed(format!("role task: {e}")))?
}

/// The SQL rules read instants in the city's zone with PostgreSQL's own zone data: a name the
/// binary knows but the server does not would fail every certification query, so it stops the
/// start instead.
async fn check_zone_known(pool: &db::Pool, zone: &str) -> Result<(), StartupError> {
    use diesel_async::RunQueryDsl;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| StartupError::Pool(e.to_string()))?;
    diesel::sql_query("SELECT now() AT TIME ZONE $1")
        .bind::<diesel::sql_types::Text, _>(zone)
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(|_| {
            StartupError::Other(format!(
                "CIT_TIME_ZONE {zone:?} is unknown to PostgreSQL; update the server's time-zone data or choose another zone"
            ))
        })
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    /// What start-up did about the first admin.
    pub first_admin: FirstAdmin,
}

impl Application {
    /// Prepares everything and binds the listener, on the system clock.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Clock::system(settings.time_zone)).await
    }

    /// [`build`](Self::build) with a given clock (tests fix the instant).
    pub async fn build_with_clock(settings: &Settings, clock: Clock) -> Result<Self, StartupError> {
        let owner_url = settings.migration_url();
        let applied = prepare_database(owner_url).await?;
        if applied > 0 {
            tracing::info!(applied, "applied database migrations");
        }
        let (request_url, derived) = settings.request_database_url();
        if derived {
            give_service_role_its_password(owner_url, request_url.expose()).await?;
            tracing::info!(
                role = crate::config::SERVICE_ROLE,
                "requests run as the service role"
            );
        }
        let request_url =
            db::with_statement_timeout(request_url.expose(), settings.statement_timeout)
                .ok_or_else(|| {
                    StartupError::Other(
                        "DATABASE_URL must be a URL (postgres://user@host:port/database)".into(),
                    )
                })?;
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        });
        let pool = db::Pools::build(&request_url, settings.pool_size, workers)
            .map_err(|e| StartupError::Pool(e.to_string()))?;
        check_zone_known(pool.current(), settings.time_zone.name()).await?;
        let replica = match settings.read_request_url() {
            None => None,
            Some(url) => {
                let url = db::with_statement_timeout(url.expose(), settings.statement_timeout)
                    .ok_or_else(|| {
                        StartupError::Other(
                            "CIT_READ_DATABASE_URL must be a URL (postgres://user@host:port/database)"
                                .into(),
                        )
                    })?;
                let pools = db::Pools::build(&url, settings.pool_size, workers)
                    .map_err(|e| StartupError::Pool(e.to_string()))?;
                let replica = Arc::new(db::replica::Replica::new(pools, settings.read_max_lag));
                tokio::spawn(db::replica::watch(
                    replica.clone(),
                    request_url.clone(),
                    url,
                ));
                tracing::info!(
                    max_lag_ms = settings.read_max_lag.as_millis() as u64,
                    "reports and lists read from the replica while it is fresh"
                );
                Some(replica)
            }
        };

        let secret = match &settings.jwt_secret {
            Some(secret) => secret.expose().as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "CIT_JWT_SECRET is not set: using a random key, so tokens die with this process"
                );
                random_secret()?
            }
        };
        let credentials = Arc::new(auth::cache::CredentialsCache::new(settings.auth_cache));
        let personnel = Arc::new(crate::personnel::cache::PersonnelCache::new(
            settings.read_cache,
            settings.read_database_url.is_none(),
        ));
        let hasher = Hasher::for_cores();
        let dummy_hash = hasher
            .hash(URL_SAFE_NO_PAD.encode(random_secret()?))
            .await
            .map_err(|e| StartupError::Other(e.to_string()))?;
        let state = web::Data::new(AppState {
            pool,
            clock,
            jwt: JwtKeys::new(&secret),
            passwords: PasswordPolicy::new(),
            hasher,
            ingest: crate::calls::ingest::Rules::of(settings),
            trusted_proxies: settings.trusted_proxies.clone(),
            dummy_hash,
            credentials: credentials.clone(),
            personnel: personnel.clone(),
            dashboard: crate::dashboard::Cache::default(),
            replica,
        });
        tokio::spawn(db::listener::listen(
            vec![credentials, personnel],
            request_url.clone(),
        ));
        let first_admin = bootstrap::ensure_admin(
            &state,
            settings.admin_username.as_deref(),
            settings
                .admin_password
                .as_ref()
                .map(|p| p.expose().as_str()),
        )
        .await?;
        // Start-up's statements ran on this runtime, so the connection they opened is driven
        // from its threads: a worker's request on it would cross to them and back for every
        // statement. Closed, so each worker's pool holds only connections its worker opened.
        state.pool.close_idle();

        let listener = TcpListener::bind(&settings.bind).map_err(|e| StartupError::Bind {
            address: settings.bind.clone(),
            reason: e.to_string(),
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Other(e.to_string()))?
            .port();

        let document = openapi::document();
        let document_json = web::Data::new(openapi::document_json());
        let route_table = web::Data::new(RouteTable::from_openapi(&document));
        let metrics = web::Data::new(Metrics::default());
        let cors_origins = web::Data::new(AllowedOrigins(settings.cors_origins.clone()));
        let server = HttpServer::new(move || {
            // Runs on each worker's thread: its requests take connections opened there.
            db::claim_worker();
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(routes)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(route_table.clone())
                .app_data(document_json.clone())
                .app_data(cors_origins.clone())
                .app_data(web::PathConfig::default().error_handler(rejections::path_error))
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}").config(
                        utoipa_swagger_ui::Config::new(["/api-docs/openapi.json"])
                            .validator_url("none")
                            .persist_authorization(true)
                            .try_it_out_enabled(true),
                    ),
                )
                .default_service(web::to(rejections::no_route))
                .wrap(from_fn(rejections::head_as_get))
                .wrap(from_fn(auth::middleware::authenticate))
                .wrap(from_fn(rejections::problem_fallback))
                .wrap(from_fn(cors::cors))
                .wrap(from_fn(security::headers))
                .wrap(from_fn(context::observe))
        })
        .listen(listener)
        .map_err(|e| StartupError::Bind {
            address: settings.bind.clone(),
            reason: e.to_string(),
        })?
        .shutdown_timeout(10)
        .client_request_timeout(settings.client_timeout)
        .workers(workers);
        Ok(Self {
            port,
            server: server.run(),
            first_admin,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until stopped (SIGINT/SIGTERM stop it gracefully).
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for callers that spawn it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

fn random_secret() -> Result<Vec<u8>, StartupError> {
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StartupError::Other(format!("getrandom: {e}")))?;
    Ok(bytes)
}
