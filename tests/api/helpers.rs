//! `TestApp`: the real server on port 0 against its own PostgreSQL database, cloned from a
//! template that holds the migrated schema. Typed helpers make fixtures read like prose.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::http::Method;
use awc::http::header::HeaderMap;
use cit_api::auth::password;
use cit_api::clock::{Clock, DEFAULT_TIME_ZONE};
use cit_api::config::{LogFormat, Secret, Settings};
use cit_api::db::enums::Role;
use cit_api::ids::{PartnerId, UserId};
use cit_api::startup::Application;
use cit_api::users::model::{self as users, NewUser};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The server the tests use; its `postgres` database is the maintenance database.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// The JWT secret of every test app (tests craft tokens with it).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";
/// The bootstrap admin of every test app.
pub const ADMIN: &str = "admin";
/// Its password.
pub const ADMIN_PASSWORD: &str = "first start passphrase 2026";
/// The password of every user made by `user_with`.
pub const PASSWORD: &str = "violet lantern harbor 42";

/// Seeded catalogue ids (see the training and goals migrations).
pub const CIT_BASIC: &str = "019b76da-a800-7000-8000-000000000001";
pub const CIT_TELECOM: &str = "019b76da-a800-7000-8000-000000000003";
pub const MH_AWARENESS: &str = "019b76da-a800-7000-8000-000000000004";
pub const COURSE_CIT_40: &str = "019b76da-a800-7000-8000-000000000005";
pub const COURSE_INTRO: &str = "019b76da-a800-7000-8000-000000000009";
pub const FIRST_GOAL: &str = "019b76da-a800-7000-8000-00000000000a";

/// The session time zone of every test database: far from the city's and from UTC, with an
/// odd offset, so a figure that leans on PostgreSQL's `TimeZone` instead of `CIT_TIME_ZONE`
/// shows up as a wrong date.
pub const DATABASE_TIME_ZONE: &str = "Asia/Kathmandu";

/// The city's date today (the tests' app runs on `America/Chicago`).
#[allow(clippy::disallowed_methods)]
pub fn today() -> chrono::NaiveDate {
    Clock::system(DEFAULT_TIME_ZONE).today()
}

/// The city's date `days` from today, as `YYYY-MM-DD`.
pub fn days_from_today(days: i64) -> String {
    (today() + chrono::Duration::days(days)).to_string()
}

/// A database made for one test and dropped after it.
pub struct TestDatabase {
    pub name: String,
    /// The server it lives on (the shared one, or a test's own cluster).
    pub server: String,
}

impl TestDatabase {
    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    /// A database on `server` that something else (the service, at start) creates.
    pub fn on(server: &str, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            server: server.to_owned(),
        }
    }

    /// A fresh database with the migrated schema.
    pub async fn create() -> Self {
        let template = ensure_template().await;
        let name = format!("cit_test_{}", Uuid::now_v7().simple());
        let mut conn = maintenance().await;
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        diesel::sql_query(format!(
            "ALTER DATABASE {name} SET timezone TO '{DATABASE_TIME_ZONE}'"
        ))
        .execute(&mut conn)
        .await
        .expect("set the test database's time zone");
        Self {
            name,
            server: server_url(),
        }
    }

    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url())
            .await
            .expect("connect to test database")
    }

    /// A session holding `table` in ACCESS EXCLUSIVE mode, so any statement on it waits; the
    /// lock goes with `COMMIT` (or the connection).
    pub async fn hold_table(&self, table: &str) -> AsyncPgConnection {
        use diesel_async::SimpleAsyncConnection;
        let mut holder = self.connect().await;
        holder
            .batch_execute(&format!(
                "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
            ))
            .await
            .expect("lock the table");
        holder
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let server = self.server.clone();
        // Drop runs outside async; give the drop its own thread and runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                // A test's own cluster may already be gone.
                let Ok(mut conn) =
                    AsyncPgConnection::establish(&format!("{server}/postgres")).await
                else {
                    return;
                };
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            });
        })
        .join();
    }
}

async fn maintenance() -> AsyncPgConnection {
    AsyncPgConnection::establish(&format!("{}/postgres", server_url()))
        .await
        .expect("connect to the maintenance database: is PostgreSQL running?")
}

/// The template's name follows the migrations' content, so a changed migration gets a new one.
fn template_name() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&root);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read migration"));
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("cit_template_{hex}")
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read migrations dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Creates the template once per migration set. nextest runs each test in its own process, so
/// the guard is a PostgreSQL advisory lock, not a process-local one. Only databases this run
/// made are ever dropped (each test's own, in `TestDatabase::drop`).
async fn ensure_template() -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    if let Some(name) = TEMPLATE.get() {
        return name.clone();
    }
    let name = template_name();
    let mut conn = maintenance().await;
    diesel::sql_query("SELECT pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await
        .expect("advisory lock");
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result(&mut conn)
            .await
            .expect("look for template");
    if !found.exists {
        // Built under a name of this process's own and renamed when complete, so no run ever
        // sees a half-migrated template, and no run touches a database it did not make (other
        // runs' templates, even of older migration sets, are theirs to keep).
        let building = format!("{name}_b_{}", &Uuid::now_v7().simple().to_string()[20..]);
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut conn)
            .await
            .expect("create template");
        let url = format!("{}/{building}", server_url());
        // A plain thread: the migration harness makes its own runtime there.
        std::thread::spawn(move || cit_api::db::migrations::run_migrations(&url))
            .join()
            .expect("migration thread")
            .expect("migrate template");
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut conn)
            .await
            .expect("publish template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await
        .expect("advisory unlock");
    let _ = TEMPLATE.set(name.clone());
    name
}

/// A user made for a test, logged in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: UserId,
    pub username: String,
    pub token: String,
    pub refresh_token: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(self.status, expected, "body: {}", self.text());
        self
    }

    /// Asserts an RFC 9457 problem with this status, and returns it.
    #[track_caller]
    pub fn problem(&self, expected: u16) -> Value {
        self.assert_status(expected);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let problem = self.json();
        assert_eq!(problem["status"], expected);
        assert!(
            problem["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:cit-api:problem:"))
        );
        assert!(problem["title"].is_string());
        assert!(problem["detail"].is_string());
        assert_eq!(
            problem["request_id"].as_str(),
            self.header("x-request-id").as_deref(),
            "the problem names the request id of the response"
        );
        problem
    }

    /// The `field` names of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The running app under test, with its database and its clock (fixed in tests that move time).
pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub db: Arc<TestDatabase>,
    pub clock: Clock,
}

/// A string field of every item of a page, in the page's order.
pub fn item_strings(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// The employee numbers of a personnel page, sorted.
pub fn employee_numbers(page: &Value) -> Vec<String> {
    let mut numbers = item_strings(page, "employee_number");
    numbers.sort();
    numbers
}

/// Test settings pointing at a database URL.
pub fn settings(database_url: String) -> Settings {
    Settings {
        database_url: Secret::new(database_url),
        migration_database_url: None,
        bind: "127.0.0.1:0".to_owned(),
        jwt_secret: Some(Secret::new(JWT_SECRET.to_owned())),
        admin_username: Some(ADMIN.to_owned()),
        admin_password: Some(Secret::new(ADMIN_PASSWORD.to_owned())),
        pool_size: 5,
        workers: Some(2),
        log_format: LogFormat::Json,
        time_zone: DEFAULT_TIME_ZONE,
        follow_up_hours: cit_api::config::DEFAULT_FOLLOW_UP_HOURS,
        trusted_proxies: Vec::new(),
        statement_timeout: std::time::Duration::from_millis(
            cit_api::config::DEFAULT_STATEMENT_TIMEOUT_MS,
        ),
        client_timeout: std::time::Duration::from_millis(
            cit_api::config::DEFAULT_CLIENT_TIMEOUT_MS,
        ),
        auth_cache: std::time::Duration::from_secs(cit_api::config::DEFAULT_AUTH_CACHE_SECONDS),
        read_cache: std::time::Duration::from_secs(cit_api::config::DEFAULT_READ_CACHE_SECONDS),
        cors_origins: Vec::new(),
        read_database_url: None,
        read_max_lag: std::time::Duration::from_millis(cit_api::config::DEFAULT_READ_MAX_LAG_MS),
    }
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .disable_redirects()
        .finish()
}

impl TestApp {
    /// Starts the app on a fresh database.
    pub async fn spawn() -> Self {
        let db = TestDatabase::create().await;
        let url = db.url();
        Self::spawn_with(db, settings(url)).await
    }

    /// Starts the app on a fresh database with its clock standing at `at` (move it with
    /// `app.clock.advance`).
    pub async fn spawn_at(at: chrono::DateTime<chrono::Utc>) -> Self {
        let db = TestDatabase::create().await;
        let settings = settings(db.url());
        let clock = Clock::fixed(settings.time_zone, at);
        Self::spawn_with_clock(db, settings, clock).await
    }

    /// Starts the app with these settings, owning `db`.
    pub async fn spawn_with(db: TestDatabase, settings: Settings) -> Self {
        let clock = Clock::system(settings.time_zone);
        Self::spawn_with_clock(db, settings, clock).await
    }

    /// Starts the app with these settings on this clock, owning `db`.
    pub async fn spawn_with_clock(db: TestDatabase, settings: Settings, clock: Clock) -> Self {
        let app = Application::build_with_clock(&settings, clock.clone())
            .await
            .expect("the application starts");
        let port = app.port();
        actix_rt::spawn(app.into_server());
        Self {
            address: format!("http://127.0.0.1:{port}"),
            client: client(),
            db: Arc::new(db),
            clock,
        }
    }

    /// Talks to a service running elsewhere (its own process, `crate::process::Service`) on
    /// `db`, on the system clock.
    pub fn at(address: String, db: Arc<TestDatabase>) -> Self {
        Self {
            address,
            client: client(),
            db,
            clock: Clock::system(DEFAULT_TIME_ZONE),
        }
    }

    /// Sends a request with an optional bearer token and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        self.try_send(method, path, token, headers, body)
            .await
            .expect("the request is answered")
    }

    /// [`send`](Self::send), for tests where the server may go away: the transport's error
    /// instead of a panic.
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<Response, String> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let mut response = match body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        }
        .map_err(|e| e.to_string())?;
        let body = response
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| e.to_string())?
            .to_vec();
        Ok(Response {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        })
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), &[], None).await
    }

    pub async fn get_anonymous(&self, path: &str) -> Response {
        self.send(Method::GET, path, None, &[], None).await
    }

    pub async fn get_csv(&self, path: &str, token: &str) -> Response {
        self.send(
            Method::GET,
            path,
            Some(token),
            &[("accept", "text/csv")],
            None,
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(
            Method::POST,
            path,
            token,
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut headers = vec![("content-type", "application/merge-patch+json")];
        if let Some(version) = if_match {
            headers.push(("if-match", version));
        }
        self.send(
            Method::PATCH,
            path,
            Some(token),
            &headers,
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Exchanges a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    /// The bootstrap admin, logged in.
    pub async fn admin(&self) -> TestUser {
        let response = self.login(ADMIN, ADMIN_PASSWORD).await;
        response.assert_status(200);
        let body = response.json();
        let mut conn = self.db.connect().await;
        let row = users::find_by_username(&mut conn, ADMIN)
            .await
            .unwrap()
            .unwrap();
        TestUser {
            id: row.id,
            username: ADMIN.to_owned(),
            token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A new user holding `roles`, with password [`PASSWORD`], logged in.
    pub async fn user_with(&self, roles: &[Role]) -> TestUser {
        let user = self.create_user(roles).await;
        self.log_in(&user).await
    }

    /// A new user holding `role`, logged in.
    pub async fn login_as(&self, role: Role) -> TestUser {
        self.user_with(&[role]).await
    }

    /// A new user holding `roles`, not logged in (token fields empty).
    pub async fn create_user(&self, roles: &[Role]) -> TestUser {
        let username = format!("user-{}", Uuid::now_v7().simple());
        let mut conn = self.db.connect().await;
        let partner_id = if roles.contains(&Role::Partner) {
            Some(self.insert_partner(&mut conn).await)
        } else {
            None
        };
        let row = users::insert(
            &mut conn,
            &NewUser {
                id: UserId::generate(),
                username: username.clone(),
                display_name: format!("Test {}", roles.first().map_or("user", |r| r.as_str())),
                password_hash: password_hash().to_owned(),
                roles: roles.to_vec(),
                personnel_id: None,
                partner_id,
            },
        )
        .await
        .expect("insert test user");
        TestUser {
            id: row.id,
            username,
            token: String::new(),
            refresh_token: String::new(),
        }
    }

    /// A partner organization stored directly (for partner users): its id.
    pub async fn insert_partner(&self, conn: &mut AsyncPgConnection) -> PartnerId {
        let id = PartnerId::generate();
        diesel::sql_query(
            "INSERT INTO partners (id, name, created_at, updated_at) VALUES ($1, $2, now(), now())",
        )
        .bind::<diesel::sql_types::Uuid, _>(id.uuid())
        .bind::<diesel::sql_types::Text, _>(format!("Partner {}", id.uuid().simple()))
        .execute(conn)
        .await
        .expect("insert test partner");
        id
    }

    /// A user of the partner role working for `partner`, logged in.
    pub async fn partner_user(&self, partner: PartnerId) -> TestUser {
        let username = format!("user-{}", Uuid::now_v7().simple());
        let mut conn = self.db.connect().await;
        let row = users::insert(
            &mut conn,
            &NewUser {
                id: UserId::generate(),
                username: username.clone(),
                display_name: "Partner staff".into(),
                password_hash: password_hash().to_owned(),
                roles: vec![Role::Partner],
                personnel_id: None,
                partner_id: Some(partner),
            },
        )
        .await
        .expect("insert partner user");
        self.log_in(&TestUser {
            id: row.id,
            username,
            token: String::new(),
            refresh_token: String::new(),
        })
        .await
    }

    /// Logs a user in with [`PASSWORD`].
    pub async fn log_in(&self, user: &TestUser) -> TestUser {
        let response = self.login(&user.username, PASSWORD).await;
        response.assert_status(200);
        let body = response.json();
        TestUser {
            token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
            ..user.clone()
        }
    }

    /// Sends a roster CSV to the import endpoint.
    pub async fn import_roster(&self, token: &str, csv: &str) -> Response {
        self.send(
            Method::POST,
            "/api/v1/personnel/import",
            Some(token),
            &[("content-type", "text/csv")],
            Some(csv.as_bytes().to_vec()),
        )
        .await
    }

    /// The id of the person with this employee number.
    pub async fn person_id(&self, employee_number: &str) -> Uuid {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        let mut conn = self.db.connect().await;
        diesel::sql_query("SELECT id FROM personnel WHERE employee_number = $1")
            .bind::<Text, _>(employee_number)
            .get_result::<Id>(&mut conn)
            .await
            .expect("person exists")
            .id
    }

    /// Creates a person through the API and returns the body.
    pub async fn create_person(&self, token: &str, body: &Value) -> Value {
        let response = self.post("/api/v1/personnel", Some(token), body).await;
        response.assert_status(201);
        response.json()
    }

    /// Audit events with this action, newest first, read straight from the database.
    pub async fn audit_events(&self, action: &str) -> Vec<AuditRecord> {
        let mut conn = self.db.connect().await;
        diesel::sql_query(
            "SELECT action, outcome::text AS outcome, actor_user_id, actor_username, resource_type, \
             resource_id, details::text AS details FROM audit_events WHERE action = $1 ORDER BY id DESC",
        )
        .bind::<Text, _>(action)
        .load(&mut conn)
        .await
        .expect("read audit events")
    }

    /// One unlabelled figure of `/metrics` (`personnel_cache_hits_total`).
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.get_anonymous("/metrics").await.text();
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics"))
    }

    /// Reads `path` (a person's detail or a roster page) until one read is answered from the
    /// cache (up to 5 s: the listener may not be listening yet, and a notification of an
    /// earlier write may still empty the cache); that answer.
    pub async fn until_cached(&self, path: &str, token: &str) -> Response {
        let metric = if path.contains('?') {
            "personnel_pages_cache_hits_total"
        } else {
            "personnel_cache_hits_total"
        };
        for _ in 0..500 {
            let hits = self.metric(metric).await;
            let response = self.get(path, token).await;
            response.assert_status(200);
            if self.metric(metric).await > hits {
                return response;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{path} was never answered from the cache");
    }

    /// Runs a statement on the app's database; returns rows affected.
    pub async fn execute(&self, sql: &str) -> Result<usize, diesel::result::Error> {
        let mut conn = self.db.connect().await;
        diesel::sql_query(sql).execute(&mut conn).await
    }

    /// The text of one value: `SELECT … AS value` (e.g. a call's subject id).
    pub async fn value(&self, sql: &str) -> Option<String> {
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
            value: Option<String>,
        }
        let mut conn = self.db.connect().await;
        diesel::sql_query(sql)
            .get_result::<Found>(&mut conn)
            .await
            .expect("one row")
            .value
    }

    /// Counts rows with a `SELECT count(*) AS count …` statement.
    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            count: i64,
        }
        let mut conn = self.db.connect().await;
        diesel::sql_query(sql)
            .get_result::<Count>(&mut conn)
            .await
            .expect("count")
            .count
    }
}

/// One audit row, as tests look at it.
#[derive(Debug, diesel::QueryableByName)]
pub struct AuditRecord {
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub actor_user_id: Option<UserId>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub actor_username: Option<String>,
    #[diesel(sql_type = Text)]
    pub resource_type: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub resource_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub details: String,
}

impl AuditRecord {
    pub fn details(&self) -> Value {
        serde_json::from_str(&self.details).unwrap()
    }
}

/// One argon2 hash of [`PASSWORD`] per test process.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
}

impl TestApp {
    /// A new API key named `name` holding `integration`, made by the admin; the key itself.
    pub async fn api_key(&self, admin_token: &str, name: &str) -> String {
        let response = self
            .post(
                "/api/v1/api-keys",
                Some(admin_token),
                &serde_json::json!({ "name": name, "roles": ["integration"] }),
            )
            .await;
        response.assert_status(201);
        response.json()["key"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// `PUT` with a JSON body.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(
            Method::PUT,
            path,
            Some(token),
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
        .await
    }
}
