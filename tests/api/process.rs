//! The service as a process of its own (the binary `cargo test` built), and a PostgreSQL
//! cluster of a test's own (its own data directory and port), for the tests that kill, signal,
//! restart or double them. The shared server is never stopped or reconfigured.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::{JWT_SECRET, TestApp, TestDatabase};

/// Runs blocking work (a cluster's `pg_ctl`) off the test's single-threaded runtime, so the
/// requests in flight keep going.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running `cit-api serve`, its log written to a file.
pub struct Service {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Service {
    /// Starts the binary on `database_url` with the test admin and JWT secret (so tokens pass
    /// between instances) and `extra` settings, and waits until `/healthz` answers. It binds a
    /// port of the system's choosing and names it in its log, so no other test can take the
    /// port between a choice and the bind.
    pub async fn start(database_url: &str, extra: &[(&str, &str)]) -> Self {
        let log = std::env::temp_dir().join(format!("cit-api-{}.log", uuid::Uuid::now_v7()));
        let out = File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_cit-api"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("CIT_BIND", "127.0.0.1:0")
            .env("CIT_JWT_SECRET", JWT_SECRET)
            .env("CIT_ADMIN_USERNAME", crate::helpers::ADMIN)
            .env("CIT_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
            .env("CIT_WORKERS", "2")
            .env("CIT_DB_POOL_SIZE", "5")
            .env("CIT_TIME_ZONE", "America/Chicago")
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        let child = command.spawn().expect("start cit-api");
        let mut service = Self {
            child,
            base: String::new(),
            log,
        };
        service.wait_until_up().await;
        service
    }

    /// The port the process logged it listens on (its `listening` line, JSON).
    fn logged_port(&self) -> Option<u16> {
        self.log_text()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|line| {
                line["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("listening"))
            })
            .and_then(|line| line["port"].as_u64())
            .and_then(|port| u16::try_from(port).ok())
    }

    async fn wait_until_up(&mut self) {
        let client = awc::Client::default();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("cit-api exited with {status}: {}", self.log_text());
            }
            if self.base.is_empty()
                && let Some(port) = self.logged_port()
            {
                self.base = format!("http://127.0.0.1:{port}");
            }
            if !self.base.is_empty()
                && let Ok(response) = client.get(format!("{}/healthz", self.base)).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cit-api did not answer within 30 s: {}", self.log_text());
    }

    /// A test client of this instance, on `db`.
    pub fn app(&self, db: &Arc<TestDatabase>) -> TestApp {
        TestApp::at(self.base.clone(), db.clone())
    }

    /// Sends a Unix signal (`TERM`, `KILL`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -s {name}");
    }

    /// Waits for the process to end, at most `within`.
    pub async fn exited(&mut self, within: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Everything the process has logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A PostgreSQL cluster of the test's own: `initdb` into a temporary directory (or a replica
/// of another, `pg_basebackup`), its own port, trust authentication on the loopback interface.
/// Stopped and removed on drop.
pub struct Cluster {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
}

/// The directory of PostgreSQL's server programs: `PG_BINDIR`, or the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout).
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server programs (set PG_BINDIR)")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|path| {
        path.parent()
            .and_then(|p| p.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found
        .pop()
        .expect("initdb under /usr/lib/postgresql (set PG_BINDIR)")
}

/// Whether this process runs as root (PostgreSQL refuses to; its programs then run as the
/// `postgres` user).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

impl Cluster {
    /// Makes and starts a new cluster. Its port is chosen before PostgreSQL binds it, so a
    /// start that finds it taken tries another.
    pub fn start() -> Self {
        let cluster = Self::empty();
        let data = cluster.data();
        cluster
            .run(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        cluster.first_up()
    }

    /// A streaming replica of `primary` (a hot standby: `pg_basebackup -R`), started on a port
    /// of its own. `initdb`'s trust rules on the primary let it replicate.
    pub fn replica_of(primary: &Cluster) -> Self {
        let cluster = Self::empty();
        let data = cluster.data();
        let port = primary.port.to_string();
        cluster
            .run(
                "pg_basebackup",
                &[
                    "-D",
                    &data,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "--no-sync",
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        cluster.first_up()
    }

    /// A temporary directory the server's user owns, and a free port.
    fn empty() -> Self {
        let dir = std::env::temp_dir().join(format!("cit-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres", dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        Self {
            port: free_port(),
            dir,
            bin: bin_dir(),
        }
    }

    /// Starts the server for the first time, on another port when its own was taken meanwhile.
    fn first_up(mut self) -> Self {
        for attempt in 1.. {
            match self.try_up() {
                Ok(()) => break,
                Err(error) if attempt < 3 => {
                    eprintln!("cluster on port {}: {error}; another port", self.port);
                    self.port = free_port();
                }
                Err(error) => panic!("{error}"),
            }
        }
        self
    }

    fn data(&self) -> String {
        self.dir.join("data").to_str().unwrap().to_owned()
    }

    /// `postgres://postgres@127.0.0.1:<port>`.
    pub fn server(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// Starts the server again (on its port) and waits until it accepts connections.
    pub fn up(&self) {
        self.try_up().unwrap_or_else(|e| panic!("{e}"));
    }

    fn try_up(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=50",
            self.port,
            self.dir.to_str().unwrap()
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .map_err(|e| format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()))
    }

    /// Stops the server: `fast` ends every session at once, as a restart does.
    pub fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// One of PostgreSQL's programs, as the `postgres` user when this process is root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        command.current_dir(Path::new("/"));
        command
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let output = self
            .command(program)
            .args(args)
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {args:?}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
