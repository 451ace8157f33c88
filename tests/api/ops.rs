//! Health, readiness (also while the database is down), metrics, documentation, start-up.

use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{TestApp, TestDatabase, server_url, settings};

#[actix_web::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    let health = app.get_anonymous("/healthz").await;
    health.assert_status(200);
    assert_eq!(health.json()["status"], "ok");
    app.get_anonymous("/readyz").await.assert_status(200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get(&format!("/api/v1/users/{}", admin.id), &admin.token)
        .await
        .assert_status(200);
    app.get_anonymous("/api/v1/nothing").await.problem(404);
    let metrics = app.get_anonymous("/metrics").await;
    metrics.assert_status(200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(
        r#"http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1"#
    ));
    assert!(text.contains(r#"route="unmatched",status="404"} 1"#));
    assert!(text.contains(r#"http_request_duration_seconds_count{route="/api/v1/users/{id}"} 1"#));
    assert!(text.contains("db_pool_max_size 5"));
}

#[actix_web::test]
async fn the_document_and_swagger_ui_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let document = app.get_anonymous("/api-docs/openapi.json").await;
    document.assert_status(200);
    assert_eq!(document.text(), cit_api::openapi::document_json());
    assert_eq!(document.json()["openapi"], "3.1.0");

    let redirect = app.get_anonymous("/swagger-ui").await;
    redirect.assert_status(301);
    assert_eq!(redirect.header("location").as_deref(), Some("/swagger-ui/"));
    let page = app.get_anonymous("/swagger-ui/").await;
    page.assert_status(200);
    assert!(page.text().contains("swagger-ui-bundle.js"));
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let response = app.get_anonymous(&format!("/swagger-ui/{asset}")).await;
        response.assert_status(200);
        assert!(response.body.len() > 100, "{asset}");
    }
    let initializer = app
        .get_anonymous("/swagger-ui/swagger-initializer.js")
        .await
        .text();
    assert!(initializer.contains("/api-docs/openapi.json"));
    assert!(
        initializer.contains(r#""validatorUrl": "none""#),
        "{initializer}"
    );
    assert!(!initializer.contains("https://"), "no outside requests");
}

/// A TCP proxy in front of PostgreSQL that a test can cut and restore, to play a database
/// outage without touching the shared server.
struct Proxy {
    port: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(port: u16) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(format!("127.0.0.1:{port}").parse().unwrap())
            .unwrap();
        let listener: TcpListener = socket.listen(64).unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let upstream = url_host_port(&server_url());
        let registry = tasks.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let handle = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                registry.lock().unwrap().push(handle);
            }
        });
        tasks.lock().unwrap().push(acceptor);
        Self { port, tasks }
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

fn url_host_port(url: &str) -> String {
    let after_scheme = url.split("://").nth(1).unwrap();
    let host = after_scheme.rsplit('@').next().unwrap();
    host.split('/').next().unwrap().to_owned()
}

#[actix_web::test]
async fn readyz_is_503_while_the_database_is_down_and_recovers_without_a_restart() {
    let db = TestDatabase::create().await;
    let proxy = Proxy::start(0).await;
    let url = format!("postgres://postgres@127.0.0.1:{}/{}", proxy.port, db.name);
    let app = TestApp::spawn_with(db, settings(url)).await;
    app.get_anonymous("/readyz").await.assert_status(200);

    proxy.cut();
    let down = app.get_anonymous("/readyz").await;
    let problem = down.problem(503);
    assert!(
        !problem["detail"].as_str().unwrap().contains("127.0.0.1"),
        "no internals"
    );
    app.get_anonymous("/healthz").await.assert_status(200);

    let _restored = Proxy::start(proxy.port).await;
    let mut status = 0;
    for _ in 0..50 {
        status = app.get_anonymous("/readyz").await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn requests_answer_503_never_500_when_the_database_goes_away() {
    let db = TestDatabase::create().await;
    let name = db.name.clone();
    let proxy = Proxy::start(0).await;
    let url = format!("postgres://postgres@127.0.0.1:{}/{}", proxy.port, db.name);
    let app = TestApp::spawn_with(db, settings(url)).await;
    let admin = app.admin().await;
    app.get("/api/v1/users", &admin.token)
        .await
        .assert_status(200);

    // The server ends every session of the service (a restart, an operator): the pooled
    // connections are dead when the next requests take them.
    app.execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .await
    .unwrap();
    for _ in 0..3 {
        let response = app.get("/api/v1/users", &admin.token).await;
        assert_ne!(response.status, 500, "{}", response.text());
        if response.status != 200 {
            response.problem(503);
        }
    }

    // The network to the database is cut while the app holds connections.
    proxy.cut();
    for path in ["/api/v1/users", "/api/v1/personnel", "/api/v1/me"] {
        let response = app.get(path, &admin.token).await;
        let problem = response.problem(503);
        assert!(!problem["detail"].as_str().unwrap().contains("127.0.0.1"));
    }
}

#[test]
fn an_unreachable_database_stops_the_binary_with_one_clear_line() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cit-api"))
        .env("DATABASE_URL", "postgres://cit:s3cret@127.0.0.1:1/cit")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(
            "cit-api: error: cannot connect to PostgreSQL at postgres://cit:***@127.0.0.1:1/cit"
        ),
        "{stderr}"
    );
    assert!(lines[0].contains("pg_ctlcluster"), "{stderr}");
    assert!(
        !stderr.contains("s3cret") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn the_openapi_subcommand_prints_the_document_without_a_database() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cit-api"))
        .arg("openapi")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        cit_api::openapi::document_json()
    );
}
