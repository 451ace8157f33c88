//! Faults: the database restarting under load, the service killed mid-batch, and a graceful
//! stop. Each test runs the service as a process of its own (`crate::process`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Response, TestApp, TestDatabase};
use crate::process::{Cluster, Service, blocking};

/// A mental-health call about a subject (so the ingest schedules a follow-up for it).
pub fn call(number: &str) -> Value {
    json!({
        "source": "rms",
        "incident_number": number,
        "received_at": "2026-03-01T10:00:00-06:00",
        "call_type": "PIC",
        "mental_health": true,
        "crisis_types": ["suicide"],
        "dispositions": ["mobile_crisis"],
        "subject": {"external_id": format!("S-{number}"), "year_of_birth": 1980},
    })
}

/// Whether a failed answer is what an outage may give: a 503 problem with `Retry-After`.
fn is_outage_answer(response: &Response) -> bool {
    response.status == 503
        && response.header("content-type").as_deref() == Some("application/problem+json")
        && response.header("retry-after").as_deref() == Some("5")
}

/// A call's incident number and what its `PUT` got: an answer, or the transport's error.
type Answer = (String, Result<Response, String>);

#[actix_web::test]
async fn a_database_restart_is_answered_503_and_served_again_without_restarting_the_service() {
    let cluster = Arc::new(blocking(Cluster::start).await);
    let db = Arc::new(TestDatabase::on(&cluster.server(), "cit_faults"));
    let service = Service::start(&db.url(), &[]).await;
    let app = Rc::new(service.app(&db));
    let admin = app.admin().await;
    let key = Rc::new(app.api_key(&admin.token, "rms").await);

    // Four writers put new calls one after another until told to stop, keeping every answer.
    let answers: Rc<RefCell<Vec<Answer>>> = Rc::default();
    let stop = Rc::new(std::cell::Cell::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (app, key, answers, stop) =
                (app.clone(), key.clone(), answers.clone(), stop.clone());
            actix_rt::spawn(async move {
                let mut n = 0;
                while !stop.get() {
                    n += 1;
                    let number = format!("W{writer}-{n}");
                    let body = call(&number).to_string().into_bytes();
                    let answer = app
                        .try_send(
                            Method::PUT,
                            &format!("/api/v1/calls/rms/{number}"),
                            Some(&key),
                            &[("content-type", "application/json")],
                            Some(body),
                        )
                        .await;
                    answers.borrow_mut().push((number, answer));
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The database goes away (a fast stop ends every session at once, as a restart does).
    blocking({
        let cluster = cluster.clone();
        move || cluster.down()
    })
    .await;
    let before_outage = answers.borrow().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let ready = app.get_anonymous("/readyz").await;
    ready.problem(503);
    app.get_anonymous("/healthz").await.assert_status(200);
    let during_outage = answers.borrow().len() - before_outage;

    blocking({
        let cluster = cluster.clone();
        move || cluster.up()
    })
    .await;
    let back = Instant::now();
    // Served again: a write acknowledged after the database's return, without a restart.
    let recovered = loop {
        let response = app
            .put("/api/v1/calls/rms/AFTER-1", &key, &call("AFTER-1"))
            .await;
        if response.status == 201 {
            break back.elapsed();
        }
        assert!(is_outage_answer(&response), "{}", response.text());
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "not served again 10 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    app.get_anonymous("/readyz").await.assert_status(200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.set(true);
    join_all(writers).await;

    // Every answer was a success or an outage's 503; never a 500, never a dropped connection.
    let answers = answers.take();
    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for (number, answer) in &answers {
        let response = answer
            .as_ref()
            .unwrap_or_else(|e| panic!("{number}: no answer: {e}"));
        if response.status == 201 {
            acknowledged.push(number.clone());
        } else {
            let request_id = response.header("x-request-id").unwrap_or_default();
            assert!(
                is_outage_answer(response),
                "{number}: {} {}; the service logged: {}",
                response.status,
                response.text(),
                service
                    .log_text()
                    .lines()
                    .filter(|line| line.contains(&request_id))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            unavailable += 1;
        }
    }
    assert!(
        unavailable > 0 && during_outage > 0,
        "the writers ran through the outage"
    );
    assert!(
        acknowledged.len() > 10,
        "the writers ran before and after it"
    );

    // No acknowledged write is lost.
    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = Text)]
        incident_number: String,
    }
    let mut conn = db.connect().await;
    let stored: std::collections::HashSet<String> =
        diesel::sql_query("SELECT incident_number FROM calls")
            .load::<Number>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.incident_number)
            .collect();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|n| !stored.contains(*n))
        .collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    assert!(
        !service.log_text().contains("panicked"),
        "{}",
        service.log_text()
    );
    eprintln!(
        "restart: {} answers, {} acknowledged, {unavailable} unavailable; served again {recovered:?} after the database's return",
        answers.len(),
        acknowledged.len()
    );
    drop(conn);
}

/// Waits until some other session of `app`'s database matches `condition` (SQL over
/// `pg_stat_activity`), at most 60 s.
async fn wait_for_session(app: &TestApp, condition: &str, what: &str) {
    let sql = format!(
        "SELECT count(*) AS count FROM pg_stat_activity WHERE datname = '{}' \
         AND pid <> pg_backend_pid() AND {condition}",
        app.db.name
    );
    let started = Instant::now();
    while app.count(&sql).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "{what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn a_service_killed_mid_batch_keeps_one_copy_of_each_call_when_the_batch_is_resent() {
    let db = Arc::new(TestDatabase::create().await);
    let first = Service::start(&db.url(), &[]).await;
    let app = first.app(&db);
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let calls: Vec<Value> = (0..5000).map(|i| call(&format!("K-{i:04}"))).collect();
    let body = json!({ "calls": calls });

    // The batch is held half way through its transaction: its calls are written, and its
    // follow-ups wait for a lock this test holds. Then the service is killed.
    let mut holder = db.hold_table("follow_ups").await;
    let sending = {
        let app = first.app(&db);
        let (key, body) = (key.clone(), body.clone());
        actix_rt::spawn(async move {
            app.try_send(
                Method::POST,
                "/api/v1/calls/batch",
                Some(&key),
                &[("content-type", "application/json")],
                Some(body.to_string().into_bytes()),
            )
            .await
        })
    };
    wait_for_session(
        &app,
        "wait_event_type = 'Lock' AND backend_xid IS NOT NULL",
        "the batch never reached its follow-ups",
    )
    .await;
    let mut first = first;
    first.signal("KILL");
    assert!(first.exited(Duration::from_secs(5)).await.is_some());
    assert!(sending.await.unwrap().is_err(), "the sender got no answer");
    holder.batch_execute("COMMIT").await.unwrap();
    drop(holder);
    // The orphaned transaction ends without its client: nothing of the batch stays.
    let started = Instant::now();
    while app
        .count(&format!(
            "SELECT count(*) AS count FROM pg_stat_activity WHERE datname = '{}' \
             AND pid <> pg_backend_pid()",
            db.name
        ))
        .await
        > 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the killed session lingers"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        0
    );

    // A new instance, the same batch again: every call once, every follow-up once.
    let second = Service::start(&db.url(), &[]).await;
    let app = second.app(&db);
    let response = app.post("/api/v1/calls/batch", Some(&key), &body).await;
    response.assert_status(200);
    let report = response.json();
    assert_eq!(
        report["created"].as_u64().unwrap() + report["unchanged"].as_u64().unwrap(),
        5000,
        "{report}"
    );
    assert_eq!(report["rejected"], 0, "{report}");
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 5000);
    assert_eq!(
        app.count("SELECT count(DISTINCT incident_number) AS count FROM calls")
            .await,
        5000
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        5000
    );
    // And once more: nothing changes.
    let again = app.post("/api/v1/calls/batch", Some(&key), &body).await;
    again.assert_status(200);
    assert_eq!(again.json()["unchanged"], 5000);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        5000
    );
}

#[actix_web::test]
async fn sigterm_finishes_the_requests_in_flight_then_exits_cleanly() {
    let db = Arc::new(TestDatabase::create().await);
    let mut service = Service::start(&db.url(), &[]).await;
    let app = service.app(&db);
    let admin = app.admin().await;

    // A read held in flight by a lock on its table.
    let mut holder = db.hold_table("personnel").await;
    let in_flight = {
        let app = service.app(&db);
        let token = admin.token.clone();
        actix_rt::spawn(async move { app.get("/api/v1/personnel", &token).await })
    };
    wait_for_session(&app, "wait_event_type = 'Lock'", "the read never waited").await;

    service.signal("TERM");
    // Still finishing: the process waits for its request.
    assert!(service.exited(Duration::from_millis(500)).await.is_none());
    holder.batch_execute("COMMIT").await.unwrap();
    let response = in_flight.await.unwrap();
    response.assert_status(200);
    assert!(response.json()["items"].is_array());
    let status = service
        .exited(Duration::from_secs(10))
        .await
        .expect("the process ends after its last request");
    assert!(status.success(), "{status}: {}", service.log_text());
}
