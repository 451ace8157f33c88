//! Reads on a streaming replica (`CIT_READ_DATABASE_URL`): a real hot standby made by
//! `pg_basebackup` on a port of its own. Reports and lists read it while it is within
//! `CIT_READ_MAX_LAG_MS` of the primary; past the bound, or gone, they read the primary; a
//! read of what the request's caller has just written (a record by id) is never sent there.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, employee_numbers};
use crate::process::{Cluster, Service, blocking};

/// The bound the service is started with.
const MAX_LAG: Duration = Duration::from_millis(3_000);

/// A figure of `/metrics` (NaN when absent or not a number).
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get_anonymous("/metrics").await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Waits (at most 20 s) until the named figure satisfies `holds`, and returns it.
async fn until(app: &TestApp, name: &str, holds: impl Fn(f64) -> bool) -> f64 {
    let started = Instant::now();
    loop {
        let value = metric(app, name).await;
        if holds(value) {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name} stayed at {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A superuser session on a cluster (for pausing and resuming a replica's replay).
async fn replica_session(replica: &Cluster) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(
        &format!("{}/postgres", replica.server()),
        tokio_postgres::NoTls,
    )
    .await
    .expect("connect to the replica");
    actix_rt::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// Pauses or resumes the replica's replay of the primary's WAL and waits until it has.
async fn set_replay(replica: &tokio_postgres::Client, paused: bool) {
    let (call, state) = if paused {
        ("SELECT pg_wal_replay_pause()", "paused")
    } else {
        ("SELECT pg_wal_replay_resume()", "not paused")
    };
    replica.execute(call, &[]).await.unwrap();
    let started = Instant::now();
    while replica
        .query_one("SELECT pg_get_wal_replay_pause_state()", &[])
        .await
        .unwrap()
        .get::<_, String>(0)
        != state
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "replay never {state}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The employee numbers on the first page of the personnel list.
async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let response = app.get("/api/v1/personnel?limit=200", token).await;
    response.assert_status(200);
    employee_numbers(&response.json())
}

/// Everyone employed today, by the training report.
async fn population(app: &TestApp, token: &str) -> u64 {
    let response = app.get("/api/v1/metrics/training", token).await;
    response.assert_status(200);
    response.json()["total"]["population"].as_u64().unwrap()
}

fn person(number: &str) -> Value {
    json!({"employee_number": number, "first_name": "Ana", "last_name": "Diaz",
           "department": "police", "role": "officer", "hire_date": "2015-01-05"})
}

#[actix_web::test]
async fn reports_and_lists_read_the_replica_within_its_bound_and_the_primary_past_it() {
    let primary = Arc::new(blocking(Cluster::start).await);
    let replica = Arc::new(
        blocking({
            let primary = primary.clone();
            move || Cluster::replica_of(&primary)
        })
        .await,
    );
    let db = Arc::new(TestDatabase::on(&primary.server(), "cit_replica"));
    let read_url = format!("{}/cit_replica", replica.server());
    let max_lag = MAX_LAG.as_millis().to_string();
    let service = Service::start(
        &db.url(),
        &[
            ("CIT_READ_DATABASE_URL", &read_url),
            ("CIT_READ_MAX_LAG_MS", &max_lag),
        ],
    )
    .await;
    let app = service.app(&db);
    let coordinator = app.login_as(cit_api::db::enums::Role::Coordinator).await;
    let token = &coordinator.token;
    let analyst = app.login_as(cit_api::db::enums::Role::Analyst).await;
    until(&app, "read_replica_in_use", |v| v == 1.0).await;
    assert!(metric(&app, "read_replica_lag_seconds").await < MAX_LAG.as_secs_f64());
    assert_eq!(metric(&app, "read_replica_max_lag_seconds").await, 3.0);

    // Written on the primary, listed from the replica a moment later.
    app.create_person(token, &person("R-1")).await;
    let started = Instant::now();
    while listed(&app, token).await != ["R-1"] {
        assert!(started.elapsed() < MAX_LAG, "the replica never showed R-1");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let served = metric(&app, "read_replica_reads_total").await;
    assert!(served >= 1.0, "{served}");

    // Replay paused: the next person is on the primary only. Reading it by id (the primary)
    // finds it; the list, still within the bound, is the replica's and lacks it.
    let session = replica_session(&replica).await;
    set_replay(&session, true).await;
    let second = app.create_person(token, &person("R-2")).await;
    let id = second["id"].as_str().unwrap();
    app.get(&format!("/api/v1/personnel/{id}"), token)
        .await
        .assert_status(200);
    assert_eq!(listed(&app, token).await, ["R-1"], "read on the replica");
    assert_eq!(
        population(&app, &analyst.token).await,
        1,
        "reported from the replica"
    );
    assert!(metric(&app, "read_replica_reads_total").await >= served + 2.0);

    // Past the bound the replica serves nothing; lists and reports read the primary.
    until(&app, "read_replica_lag_seconds", |v| {
        v > MAX_LAG.as_secs_f64()
    })
    .await;
    assert_eq!(metric(&app, "read_replica_in_use").await, 0.0);
    assert!(metric(&app, "read_replica_lag_bytes").await > 0.0);
    let passed_on = metric(&app, "read_replica_passed_on_total").await;
    assert_eq!(listed(&app, token).await, ["R-1", "R-2"]);
    assert_eq!(population(&app, &analyst.token).await, 2);
    assert!(metric(&app, "read_replica_passed_on_total").await >= passed_on + 2.0);

    // Replay resumed: fresh again, and read from again.
    set_replay(&session, false).await;
    until(&app, "read_replica_in_use", |v| v == 1.0).await;
    let served = metric(&app, "read_replica_reads_total").await;
    assert_eq!(listed(&app, token).await, ["R-1", "R-2"]);
    assert_eq!(population(&app, &analyst.token).await, 2);
    assert!(metric(&app, "read_replica_reads_total").await >= served + 2.0);

    // The replica gone: reported, and every read still answered, by the primary.
    drop(session);
    blocking({
        let replica = replica.clone();
        move || replica.down()
    })
    .await;
    until(&app, "read_replica_in_use", |v| v == 0.0).await;
    assert!(metric(&app, "read_replica_lag_seconds").await.is_nan());
    assert_eq!(listed(&app, token).await, ["R-1", "R-2"]);
    assert_eq!(population(&app, &analyst.token).await, 2);
    app.get_anonymous("/dashboard").await.assert_status(200);
    drop(service);
}

/// A server's WAL position: the insert position of a primary, the replayed one of a standby.
async fn position(session: &tokio_postgres::Client) -> i64 {
    session
        .query_one(
            "SELECT (coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) \
                     - '0/0'::pg_lsn)::int8",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[actix_web::test]
async fn a_standby_of_another_cluster_serves_nothing() {
    let primary = blocking(Cluster::start).await;
    let other = blocking(Cluster::start).await;
    // The other cluster as it would be set up for the service (its role, a database), and far
    // ahead of the primary in WAL (each switch starts a new 16 MiB segment): compared by
    // position alone, its standby would pass for fresh.
    let on_other = replica_session(&other).await;
    on_other
        .batch_execute("CREATE ROLE cit_app LOGIN")
        .await
        .unwrap();
    on_other
        .batch_execute("CREATE DATABASE cit_elsewhere")
        .await
        .unwrap();
    for _ in 0..8 {
        on_other
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS filler (n int); INSERT INTO filler VALUES (1); \
                 SELECT pg_switch_wal();",
            )
            .await
            .unwrap();
    }
    drop(on_other);
    let other = Arc::new(other);
    let standby = blocking({
        let other = other.clone();
        move || Cluster::replica_of(&other)
    })
    .await;
    let db = Arc::new(TestDatabase::on(&primary.server(), "cit_here"));
    let service = Service::start(
        &db.url(),
        &[
            (
                "CIT_READ_DATABASE_URL",
                &format!("{}/cit_elsewhere", standby.server()),
            ),
            ("CIT_READ_MAX_LAG_MS", "3000"),
        ],
    )
    .await;
    let app = service.app(&db);
    assert!(
        position(&replica_session(&standby).await).await
            > position(&replica_session(&primary).await).await,
        "the standby must be ahead for this test to mean anything"
    );
    let coordinator = app.login_as(cit_api::db::enums::Role::Coordinator).await;
    app.create_person(&coordinator.token, &person("E-1")).await;
    let started = Instant::now();
    while !service
        .log_text()
        .contains("CIT_READ_DATABASE_URL is a standby of another cluster")
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never refused: {}",
            service.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Four more ticks of the watcher: time enough to have found the standby fresh, were
    // positions all it compared.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(metric(&app, "read_replica_in_use").await, 0.0);
    assert!(metric(&app, "read_replica_lag_seconds").await.is_nan());
    assert_eq!(listed(&app, &coordinator.token).await, ["E-1"]);
    assert_eq!(metric(&app, "read_replica_reads_total").await, 0.0);
    assert!(metric(&app, "read_replica_passed_on_total").await >= 1.0);
    drop(service);
}
