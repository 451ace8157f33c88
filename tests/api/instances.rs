//! Two instances, one database: two `cit-api` processes behind an imaginary load balancer,
//! requests split between them, give the results one instance gives. Everything that must
//! hold across requests lives in PostgreSQL (row locks, unique keys, the throttle's counts),
//! so nothing here may depend on a process's memory; the one thing a process remembers, who a
//! credential is (`auth::cache`), it forgets when PostgreSQL notifies it.

use std::sync::Arc;

use actix_web::http::Method;
use cit_api::db::enums::Role;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{COURSE_CIT_40, PASSWORD, Response, TestApp, TestDatabase, days_from_today};
use crate::process::Service;

/// Two instances on one fresh database, and a client of each.
struct Pair {
    // First, so the processes end before the clients drop the database they stand on.
    _services: [Service; 2],
    apps: [TestApp; 2],
}

impl Pair {
    async fn start() -> Self {
        let db = Arc::new(TestDatabase::create().await);
        let a = Service::start(&db.url(), &[]).await;
        let b = Service::start(&db.url(), &[]).await;
        Self {
            apps: [a.app(&db), b.app(&db)],
            _services: [a, b],
        }
    }

    /// The instance the `i`-th request goes to (round robin).
    fn at(&self, i: usize) -> &TestApp {
        &self.apps[i % 2]
    }
}

fn statuses(responses: &[Response]) -> Vec<u16> {
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    statuses
}

#[actix_web::test]
async fn enrollments_split_between_instances_never_exceed_a_sessions_capacity() {
    let pair = Pair::start().await;
    let app = pair.at(0);
    let coordinator = app.login_as(Role::Coordinator).await;
    let mut roster =
        "employee_number,first_name,last_name,department,role,shift,hire_date\n".to_owned();
    for n in 1..=24 {
        roster.push_str(&format!(
            "P-{n},First{n},Last{n},police,officer,A,2015-01-01\n"
        ));
    }
    app.import_roster(&coordinator.token, &roster)
        .await
        .assert_status(200);
    let session = app
        .post(
            "/api/v1/training-sessions",
            Some(&coordinator.token),
            &json!({"course_id": COURSE_CIT_40, "starts_on": days_from_today(3),
                    "ends_on": days_from_today(7), "location": "Academy", "capacity": 5}),
        )
        .await;
    session.assert_status(201);
    let path = format!(
        "/api/v1/training-sessions/{}/enrollments",
        session.json()["id"].as_str().unwrap()
    );
    let mut people = Vec::new();
    for n in 1..=24 {
        people.push(app.person_id(&format!("P-{n}")).await);
    }

    let bodies: Vec<Value> = people
        .iter()
        .map(|person| json!({ "personnel_id": person }))
        .collect();
    let enrollments = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| pair.at(i).post(&path, Some(&coordinator.token), body));
    let responses = join_all(enrollments).await;
    let mut expected = vec![201; 5];
    expected.extend([409; 19]);
    assert_eq!(statuses(&responses), expected);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM enrollments").await,
        5
    );
}

/// The `n`-th call of a batch, about a subject of its own.
fn call(n: usize) -> Value {
    crate::faults::call(&format!("I-{n:04}"))
}

#[actix_web::test]
async fn the_same_batch_sent_to_both_instances_at_once_is_stored_once_with_one_follow_up_a_call() {
    let pair = Pair::start().await;
    let admin = pair.at(0).admin().await;
    let key = pair.at(0).api_key(&admin.token, "rms").await;
    let body = json!({ "calls": (0..1000).map(call).collect::<Vec<_>>() });
    // Twice to each, and a single call put to both at once on the side.
    let batches = (0..4).map(|i| pair.at(i).post("/api/v1/calls/batch", Some(&key), &body));
    let single = call(9999);
    let puts = (0..4).map(|i| pair.at(i).put("/api/v1/calls/rms/I-9999", &key, &single));
    let (batches, puts) = tokio::join!(join_all(batches), join_all(puts));
    let mut created = 0;
    for response in &batches {
        response.assert_status(200);
        let report = response.json();
        assert_eq!(report["rejected"], 0, "{report}");
        created += report["created"].as_u64().unwrap();
    }
    assert_eq!(created, 1000);
    assert_eq!(statuses(&puts), [200, 200, 200, 201]);

    let app = pair.at(0);
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 1001);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        1001
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT call_id) AS count FROM follow_ups")
            .await,
        1001
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM audit_events WHERE action = 'call.create'")
            .await,
        1,
        "one audited create, from the one put that made the call"
    );
}

#[actix_web::test]
async fn failed_logins_split_between_instances_lock_once_and_are_throttled_as_one() {
    let pair = Pair::start().await;
    let user = pair.at(0).create_user(&[Role::Analyst]).await;
    let guesses = (0..8).map(|i| pair.at(i).login(&user.username, "wrong password 123"));
    let responses = join_all(guesses).await;
    assert!(responses.iter().all(|r| [401, 423].contains(&r.status)));
    assert!(responses.iter().any(|r| r.status == 423), "the fifth locks");
    for app in &pair.apps {
        app.login(&user.username, PASSWORD).await.problem(423);
    }
    assert_eq!(pair.at(0).audit_events("auth.lockout").await.len(), 1);

    // One address, more guesses split between the instances: the limit of twenty holds for
    // both together (the eight wrong passwords above count; the right ones do not).
    let guesses = (0..22).map(|i| {
        let body = json!({ "username": format!("nobody-{i}"), "password": "wrong password 123" });
        pair.at(i).send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
    });
    let responses = join_all(guesses).await;
    let mut expected = vec![401; 12];
    expected.extend([429; 10]);
    assert_eq!(statuses(&responses), expected);
    for response in responses.iter().filter(|r| r.status == 429) {
        assert!(response.header("retry-after").is_some());
    }
}

#[actix_web::test]
async fn a_refresh_token_used_at_both_instances_at_once_is_reuse_and_ends_the_family() {
    let pair = Pair::start().await;
    let user = pair.at(0).user_with(&[Role::Clinician]).await;
    let (first, second) = tokio::join!(
        pair.at(0).refresh(&user.refresh_token),
        pair.at(1).refresh(&user.refresh_token)
    );
    let (won, lost) = if first.status == 200 {
        (first, second)
    } else {
        (second, first)
    };
    won.assert_status(200);
    lost.problem(401);
    // The winner's new pair died with the family, at either instance.
    let body = won.json();
    for app in &pair.apps {
        app.refresh(body["refresh_token"].as_str().unwrap())
            .await
            .problem(401);
        app.get("/api/v1/me", body["access_token"].as_str().unwrap())
            .await
            .problem(401);
    }
    let reused = pair.at(0).audit_events("auth.refresh").await;
    assert!(
        reused
            .iter()
            .any(|e| e.outcome == "denied" && e.details()["reason"] == "reused"),
        "{reused:?}"
    );
}

/// The credentials listeners' sessions on the test's database (`auth::cache`).
const LISTENERS: &str =
    "application_name = 'cit-api cache listener' AND datname = current_database()";

impl Pair {
    /// Both instances refuse `token` on `path` within a second of `what` (polling each).
    async fn refused_at_both(&self, path: &str, token: &str, what: &str) {
        for app in &self.apps {
            let waited = until_refused(app, path, token).await;
            assert!(waited.as_millis() < 1_000, "{what} took {waited:?}");
        }
    }
}

/// Polls `path` with `token` at `app` until it is refused (401); how long that took.
async fn until_refused(app: &TestApp, path: &str, token: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        let response = app.get(path, token).await;
        if response.status == 401 {
            return started.elapsed();
        }
        response.assert_status(200);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{path} still served after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

/// Each instance remembers who a credential is (`auth::cache`): a credential ended at one
/// instance stops at once there, and at the other as soon as PostgreSQL's notification lands.
#[actix_web::test]
async fn a_credential_ended_at_one_instance_stops_at_the_other_within_milliseconds() {
    let pair = Pair::start().await;
    let admin = pair.at(0).login_as(Role::Admin).await;
    let user = pair.at(0).user_with(&[Role::Clinician]).await;
    let key = pair.at(0).api_key(&admin.token, "rms").await;
    // Both instances have seen both credentials, so both have cached them.
    for app in &pair.apps {
        app.get("/api/v1/me", &user.token).await.assert_status(200);
        app.get("/api/v1/personnel", &key).await.assert_status(200);
    }

    pair.at(0)
        .post(
            "/api/v1/auth/logout",
            Some(&user.token),
            &json!({"refresh_token": user.refresh_token}),
        )
        .await
        .assert_status(204);
    pair.at(0).get("/api/v1/me", &user.token).await.problem(401);
    let waited = until_refused(pair.at(1), "/api/v1/me", &user.token).await;
    assert!(waited.as_millis() < 1_000, "the logout took {waited:?}");

    let id = pair
        .at(0)
        .value("SELECT id::text AS value FROM api_keys WHERE name = 'rms'")
        .await
        .unwrap();
    pair.at(0)
        .post(
            &format!("/api/v1/api-keys/{id}/revoke"),
            Some(&admin.token),
            &json!({}),
        )
        .await
        .assert_status(200);
    pair.at(0).get("/api/v1/personnel", &key).await.problem(401);
    let waited = until_refused(pair.at(1), "/api/v1/personnel", &key).await;
    assert!(waited.as_millis() < 1_000, "the revocation took {waited:?}");
}

/// A change made in the database by anyone (another tool, an operator's SQL) reaches both
/// caches, and so does one made while their listening connections were cut: a lost listener
/// forgets everything and caches nothing until it is back.
#[actix_web::test]
async fn credentials_changed_in_the_database_or_while_the_listeners_were_lost_stop_at_once() {
    let pair = Pair::start().await;
    let first = pair.at(0).user_with(&[Role::Analyst]).await;
    let second = pair.at(0).user_with(&[Role::Analyst]).await;
    for app in &pair.apps {
        for user in [&first, &second] {
            app.get("/api/v1/me", &user.token).await.assert_status(200);
        }
    }

    pair.at(0)
        .execute(&format!(
            "UPDATE users SET disabled = true WHERE id = '{}'",
            first.id
        ))
        .await
        .unwrap();
    pair.refused_at_both("/api/v1/me", &first.token, "disabling")
        .await;

    let cut = pair
        .at(0)
        .execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {LISTENERS}"
        ))
        .await
        .unwrap();
    assert_eq!(cut, 2, "one listener per instance");
    pair.at(0)
        .execute(&format!(
            "UPDATE users SET locked_at = now() WHERE id = '{}'",
            second.id
        ))
        .await
        .unwrap();
    pair.refused_at_both("/api/v1/me", &second.token, "locking")
        .await;
    // And the listeners come back.
    let mut listening = 0;
    for _ in 0..100 {
        listening = pair
            .at(0)
            .value(&format!(
                "SELECT count(*)::text AS value FROM pg_stat_activity WHERE {LISTENERS}"
            ))
            .await
            .unwrap()
            .parse::<u32>()
            .unwrap();
        if listening == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(listening, 2);
}

/// Each instance keeps people's details it has read (`personnel::cache`): a change made at
/// one instance is seen at the other as soon as PostgreSQL's notification lands.
#[actix_web::test]
async fn a_person_changed_at_one_instance_is_seen_at_the_other_within_milliseconds() {
    let pair = Pair::start().await;
    let coordinator = pair.at(0).login_as(Role::Coordinator).await;
    let person = pair
        .at(0)
        .create_person(
            &coordinator.token,
            &json!({"employee_number": "P-1", "first_name": "Ana", "last_name": "Diaz",
                    "department": "police", "role": "officer", "shift": "A",
                    "hire_date": "2016-08-15"}),
        )
        .await;
    let path = format!("/api/v1/personnel/{}", person["id"].as_str().unwrap());
    for app in &pair.apps {
        let detail = app.until_cached(&path, &coordinator.token).await.json();
        assert_eq!(detail["shift"], "A");
    }

    pair.at(0)
        .patch(&path, &coordinator.token, None, &json!({"shift": "C"}))
        .await
        .assert_status(200);
    let started = std::time::Instant::now();
    for app in &pair.apps {
        loop {
            let detail = app.get(&path, &coordinator.token).await;
            if detail.json()["shift"] == "C" {
                assert_eq!(detail.header("etag").as_deref(), Some("\"2\""));
                break;
            }
            assert!(
                started.elapsed().as_millis() < 1_000,
                "the old shift still served after 1 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}
