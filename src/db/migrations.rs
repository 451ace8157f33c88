//! Migrations embedded in the binary, applied at start and by `cit-api migrate`, and the
//! creation of the database itself when it is missing.

use diesel::Connection;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration under `migrations/`, compiled in.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Why the database could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// PostgreSQL did not accept a connection.
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Connect {
        /// The URL with its password hidden.
        url: String,
        /// The driver's one-line reason.
        reason: String,
    },
    /// The URL does not parse or names no database.
    #[error("DATABASE_URL is not a usable PostgreSQL URL: {0}")]
    BadUrl(String),
    /// A statement failed while creating the database or migrating it.
    #[error("preparing the database failed: {0}")]
    Failed(String),
    /// The database has not applied every migration this binary holds.
    #[error(
        "the database schema is behind this binary ({} migration(s) pending, the first {}); \
         run `cit-api migrate` first",
        pending.len(),
        pending.first().map_or("?", String::as_str)
    )]
    Behind {
        /// The pending migrations, oldest first.
        pending: Vec<String>,
    },
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact_url(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            // Only fails for URLs that cannot carry a password, which this one just did.
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "<unparseable DATABASE_URL>".to_owned(),
    }
}

/// Splits a URL into the server's maintenance-database URL and the database name.
fn maintenance_url(database_url: &str) -> Result<(String, String), SetupError> {
    let mut url = url::Url::parse(database_url).map_err(|e| SetupError::BadUrl(e.to_string()))?;
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() {
        return Err(SetupError::BadUrl("the URL names no database".into()));
    }
    url.set_path("/postgres");
    Ok((url.to_string(), name))
}

fn connect_error(database_url: &str, e: &diesel::ConnectionError) -> SetupError {
    SetupError::Connect {
        url: redact_url(database_url),
        reason: e
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

/// Creates the database named by the URL when it does not exist yet.
///
/// Blocking: call it from a blocking thread.
pub fn create_database_if_missing(database_url: &str) -> Result<(), SetupError> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{Bool, Text};

    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }

    let (admin_url, name) = maintenance_url(database_url)?;
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&admin_url)
        .map_err(|e| connect_error(database_url, &e))?;
    let exists = |conn: &mut AsyncConnectionWrapper<AsyncPgConnection>| {
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result::<Exists>(conn)
            .map(|row| row.exists)
            .map_err(|e| SetupError::Failed(e.to_string()))
    };
    if exists(&mut conn)? {
        return Ok(());
    }
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    match diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut conn) {
        Ok(_) => {
            tracing::info!(database = %name, "created the database");
            Ok(())
        }
        // Another process may have created it between our check and our CREATE.
        Err(_) if exists(&mut conn)? => Ok(()),
        Err(e) => Err(SetupError::Failed(e.to_string())),
    }
}

/// Gives `role` the password of the request URL, connecting as the owner, so a derived request
/// URL (same password as the owner's) logs in wherever the server asks for passwords. Only a
/// SCRAM verifier made here is sent: the password never reaches the server or its log.
///
/// Blocking: call it from a blocking thread.
pub fn set_role_password(owner_url: &str, role: &str, password: &str) -> Result<(), SetupError> {
    use diesel::RunQueryDsl;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| SetupError::Failed(format!("getrandom: {e}")))?;
    let verifier = super::scram::verifier(password, &salt)
        .ok_or_else(|| SetupError::Failed("computing the service role's verifier".into()))?;
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(owner_url)
        .map_err(|e| connect_error(owner_url, &e))?;
    // ALTER ROLE takes no bind parameters: quote the identifier; the verifier is base64 and `$`.
    let role = format!("\"{}\"", role.replace('"', "\"\""));
    diesel::sql_query(format!("ALTER ROLE {role} PASSWORD '{verifier}'"))
        .execute(&mut conn)
        .map(drop)
        .map_err(|e| SetupError::Failed(format!("setting the service role's password: {e}")))
}

/// Applies every pending migration and returns how many ran.
///
/// Blocking: it drives diesel-async's connection through the sync migration harness, so call it
/// from a blocking thread (the harness panics on a current-thread runtime otherwise).
pub fn run_migrations(database_url: &str) -> Result<usize, SetupError> {
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(database_url)
        .map_err(|e| connect_error(database_url, &e))?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| SetupError::Failed(e.to_string()))?;
    Ok(applied.len())
}

/// The migrations compiled into this binary that the database has not applied, oldest first.
/// Reads only: not even diesel's bookkeeping table is made. Blocking, like [`run_migrations`].
pub fn pending_migrations(database_url: &str) -> Result<Vec<String>, SetupError> {
    use diesel::migration::MigrationSource;
    use diesel::sql_types::{Bool, Text};

    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }

    let failed = |e: diesel::result::Error| SetupError::Failed(e.to_string());
    let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(database_url)
        .map_err(|e| connect_error(database_url, &e))?;
    let tracked = diesel::RunQueryDsl::get_result::<Exists>(
        diesel::sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS exists"),
        &mut conn,
    )
    .map_err(failed)?;
    let applied: Vec<String> = if tracked.exists {
        diesel::RunQueryDsl::load::<Version>(
            diesel::sql_query("SELECT version FROM __diesel_schema_migrations"),
            &mut conn,
        )
        .map_err(failed)?
        .into_iter()
        .map(|v| v.version)
        .collect()
    } else {
        Vec::new()
    };
    let compiled: Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>> =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
            .map_err(|e| SetupError::Failed(e.to_string()))?;
    let mut pending: Vec<String> = compiled
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .map(|m| m.name().to_string())
        .collect();
    pending.sort();
    Ok(pending)
}

/// The newest migration compiled into this binary, as diesel records it.
pub fn latest_version() -> Option<String> {
    use diesel::migration::MigrationSource;
    let migrations: Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>> =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).ok()?;
    migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_password_and_keeps_the_rest() {
        assert_eq!(
            redact_url("postgres://cit:s3cret@db:5432/cit"),
            "postgres://cit:***@db:5432/cit"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/cit"),
            "postgres://postgres@127.0.0.1:5432/cit"
        );
    }

    #[test]
    fn maintenance_url_points_at_the_postgres_database() {
        let (url, name) = maintenance_url("postgres://u:p@h:1/cit_dev?sslmode=disable").unwrap();
        assert_eq!(url, "postgres://u:p@h:1/postgres?sslmode=disable");
        assert_eq!(name, "cit_dev");
        assert!(maintenance_url("postgres://u@h:1").is_err());
    }

    #[test]
    fn the_latest_migration_is_known() {
        assert!(latest_version().is_some());
    }
}
