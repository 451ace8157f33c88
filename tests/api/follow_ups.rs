//! Follow-up care: the follow-up a mental-health call with a subject schedules by itself (once
//! per call, however the call arrives), the work list, working a follow-up, clinical notes.

use std::process::Command;

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDatabase, settings};
use crate::referrals::{call_about, linked_clinician};

fn call(number: &str, received_at: &str, mental_health: bool, subject: Option<&str>) -> Value {
    let mut call = json!({"source": "rms", "incident_number": number, "received_at": received_at,
                          "mental_health": mental_health});
    if let Some(subject) = subject {
        call["subject"] = json!({"external_id": subject});
    }
    call
}

async fn follow_ups_of(app: &TestApp, call_id: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS count FROM follow_ups WHERE call_id = '{call_id}'"
    ))
    .await
}

#[actix_web::test]
async fn a_mental_health_call_with_a_subject_schedules_one_follow_up_however_often_it_comes() {
    let app = TestApp::spawn_at("2026-03-01T12:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let batch = |calls: Vec<Value>| {
        let (app, key) = (&app, &key);
        async move {
            let response = app
                .post("/api/v1/calls/batch", Some(key), &json!({ "calls": calls }))
                .await;
            response.assert_status(200);
            response.json()
        }
    };
    let calls = vec![
        call("1", "2026-02-27T10:00:00-06:00", true, Some("S-1")),
        call("2", "2026-02-27T11:00:00-06:00", true, None),
        call("3", "2026-02-27T12:00:00-06:00", false, Some("S-1")),
        call("4", "2026-02-28T09:30:00-06:00", true, Some("S-2")),
    ];
    batch(calls.clone()).await;
    let scheduled: Vec<(String, String)> = {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            incident_number: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            due_at: String,
        }
        use diesel_async::RunQueryDsl;
        let mut conn = app.db.connect().await;
        diesel::sql_query(
            "SELECT c.incident_number, to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI') AS due_at \
               FROM follow_ups f JOIN calls c ON c.id = f.call_id \
              WHERE f.scheduled_by_call AND f.status = 'scheduled' AND f.method = 'phone' \
                AND f.subject_id = c.subject_id \
              ORDER BY c.incident_number",
        )
        .load::<Row>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.incident_number, r.due_at))
        .collect()
    };
    assert_eq!(
        scheduled,
        [
            ("1".to_owned(), "2026-03-02T16:00".to_owned()),
            ("4".to_owned(), "2026-03-03T15:30".to_owned()),
        ],
        "72 hours after received_at; not without a subject, not for other calls"
    );
    let audit = &app.audit_events("call.batch").await[0];
    assert_eq!(audit.details()["follow_ups_scheduled"], 2);

    // Sent again, unchanged: nothing new. Changed: still one. Call 2 gains a subject: scheduled.
    batch(calls.clone()).await;
    let mut changed = calls.clone();
    changed[0]["priority"] = json!("2");
    changed[1]["subject"] = json!({"external_id": "S-3"});
    let report = batch(changed).await;
    assert_eq!(report["updated"], 2);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        3
    );
    assert_eq!(
        app.audit_events("call.batch").await[0].details()["follow_ups_scheduled"],
        1
    );

    // By PUT too, and a re-sent PUT adds nothing.
    let (call_id, _) = call_about(&app, &key, "5", "2026-03-01T08:00:00-06:00", "S-4").await;
    call_about(&app, &key, "5", "2026-03-01T08:00:00-06:00", "S-4").await;
    assert_eq!(follow_ups_of(&app, &call_id).await, 1);
    assert_eq!(
        app.audit_events("call.create").await[0].details(),
        json!({"follow_ups_scheduled": 1})
    );

    // Concurrent retries of one new call schedule one follow-up.
    let racing = call("6", "2026-03-01T09:00:00-06:00", true, Some("S-5"));
    let sends = (0..4).map(|_| batch(vec![racing.clone()]));
    futures_util::future::join_all(sends).await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups f JOIN calls c ON c.id = f.call_id WHERE c.incident_number = '6'")
            .await,
        1
    );
}

/// A call's follow-up as `status due subject`.
async fn call_state(app: &TestApp, call: &str) -> String {
    app.value(&format!(
        "SELECT status::text || ' ' || to_char(due_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI') \
                || ' ' || (SELECT external_id FROM subjects WHERE id = f.subject_id) AS value \
           FROM follow_ups f WHERE call_id = '{call}'"
    ))
    .await
    .unwrap()
}

#[actix_web::test]
async fn an_untouched_follow_up_follows_its_call_and_a_worked_one_is_left_alone() {
    let app = TestApp::spawn_at("2026-03-01T12:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let clinician = app.login_as(Role::Clinician).await;
    let (call_id, _) = call_about(&app, &key, "K-1", "2026-03-01T08:00:00-06:00", "M-1").await;
    assert_eq!(
        call_state(&app, &call_id).await,
        "scheduled 03-04 14:00 M-1"
    );
    // The RMS corrects the time and the person: the follow-up follows.
    call_about(&app, &key, "K-1", "2026-03-01T09:30:00-06:00", "M-2").await;
    assert_eq!(
        call_state(&app, &call_id).await,
        "scheduled 03-04 15:30 M-2"
    );
    // No longer a mental-health call: cancelled; one again: back.
    let put = |mental_health: bool| {
        let (app, key) = (&app, &key);
        async move {
            app.put(
                "/api/v1/calls/rms/K-1",
                key,
                &json!({"source": "rms", "incident_number": "K-1",
                        "received_at": "2026-03-01T09:30:00-06:00",
                        "mental_health": mental_health, "subject": {"external_id": "M-2"}}),
            )
            .await
            .assert_status(200);
        }
    };
    put(false).await;
    assert_eq!(
        call_state(&app, &call_id).await,
        "cancelled 03-04 15:30 M-2"
    );
    put(true).await;
    assert_eq!(
        call_state(&app, &call_id).await,
        "scheduled 03-04 15:30 M-2"
    );
    assert_eq!(follow_ups_of(&app, &call_id).await, 1);
    // Once a clinician has worked it, the call's changes leave it alone.
    let id = app
        .value(&format!(
            "SELECT id::text AS value FROM follow_ups WHERE call_id = '{call_id}'"
        ))
        .await
        .unwrap();
    app.patch(
        &format!("/api/v1/follow-ups/{id}"),
        &clinician.token,
        None,
        &json!({"method": "visit"}),
    )
    .await
    .assert_status(200);
    put(false).await;
    assert_eq!(
        call_state(&app, &call_id).await,
        "scheduled 03-04 15:30 M-2"
    );
}

#[actix_web::test]
async fn an_imported_call_schedules_its_follow_up_once_even_when_already_overdue() {
    let db = TestDatabase::create().await;
    let url = db.url();
    let dir = std::env::temp_dir().join(format!("cit-follow-up-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("calls.csv");
    std::fs::write(
        &csv,
        "source,incident_number,received_at,mental_health,subject_external_id\n\
         rms,I-1,2019-05-01T10:00:00-05:00,yes,X-1\n\
         rms,I-2,2019-05-02T10:00:00-05:00,no,X-1\n",
    )
    .unwrap();
    let mapping = dir.join("mapping.toml");
    std::fs::write(
        &mapping,
        "[columns]\nsource = \"source\"\nincident_number = \"incident_number\"\n\
         received_at = \"received_at\"\nmental_health = \"mental_health\"\n\
         subject_external_id = \"subject_external_id\"\n",
    )
    .unwrap();
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_cit-api"))
            .args([
                "import-calls",
                csv.to_str().unwrap(),
                "--mapping",
                mapping.to_str().unwrap(),
            ])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    let app = TestApp::spawn_with(db, settings(url)).await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        1
    );
    let clinician = app.login_as(Role::Clinician).await;
    let overdue = app
        .get("/api/v1/follow-ups?overdue=true", &clinician.token)
        .await
        .json();
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
    assert_eq!(overdue["items"][0]["overdue"], true);
    assert_eq!(overdue["items"][0]["due_at"], "2019-05-04T15:00:00Z");
}

#[actix_web::test]
async fn clinicians_work_their_overdue_follow_ups() {
    let app = TestApp::spawn_at("2026-04-10T15:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let (clinician, me) = linked_clinician(&app, &admin, "C-7").await;
    let (colleague_user, colleague) = linked_clinician(&app, &admin, "C-8").await;
    let (old_call, subject) =
        call_about(&app, &key, "A-1", "2026-04-01T10:00:00-05:00", "P-9").await;
    let (new_call, _) = call_about(&app, &key, "A-2", "2026-04-10T09:00:00-05:00", "P-9").await;
    let token = &clinician.token;

    let list = app.get("/api/v1/follow-ups?overdue=true", token).await;
    list.assert_status(200);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(
        items.len(),
        1,
        "the older call's follow-up is past due; the new one is not"
    );
    assert_eq!(items[0]["call_id"], old_call.as_str());
    assert_eq!(items[0]["assigned_to"], Value::Null);
    let not_due = app
        .get("/api/v1/follow-ups?overdue=false", token)
        .await
        .json();
    assert_eq!(not_due["items"][0]["call_id"], new_call.as_str());
    let id = items[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/follow-ups/{id}");

    // Take it, try once, then reach the person.
    let moves = format!("{path}/transitions");
    app.patch(&path, token, Some("\"1\""), &json!({"assigned_to": me}))
        .await
        .assert_status(200);
    let taken = app
        .post(&moves, Some(token), &json!({"to": "attempted"}))
        .await;
    taken.assert_status(200);
    assert_eq!(taken.json()["status"], "attempted");
    assert_eq!(taken.json()["transitions"][0]["from"], "scheduled");
    assert_eq!(
        taken.json()["transitions"][0]["actor"],
        clinician.username.as_str()
    );
    assert_eq!(taken.json()["overdue"], true, "an attempt keeps it open");
    let mine = app
        .get(&format!("/api/v1/follow-ups?assigned_to={me}"), token)
        .await
        .json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let unassigned = app
        .get("/api/v1/follow-ups?unassigned=true", token)
        .await
        .json();
    assert_eq!(unassigned["items"][0]["call_id"], new_call.as_str());
    let done = app
        .post(
            &moves,
            Some(token),
            &json!({"to": "completed", "outcome_note": "Connected with outpatient clinic"}),
        )
        .await
        .json();
    assert_eq!(done["outcome_note"], "Connected with outpatient clinic");
    assert_eq!(done["transitions"].as_array().unwrap().len(), 2);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["overdue"], false);
    assert_eq!(done["version"], 4);
    assert!(
        app.get("/api/v1/follow-ups?overdue=true", token)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Over: the status stays; the note may still be corrected.
    app.post(&moves, Some(token), &json!({"to": "attempted"}))
        .await
        .problem(409);
    app.patch(&path, token, None, &json!({"assigned_to": colleague}))
        .await
        .problem(409);
    app.patch(
        &path,
        token,
        None,
        &json!({"outcome_note": "Connected; first visit 4/12"}),
    )
    .await
    .assert_status(200);
    let audits = app.audit_events("follow_up.update").await;
    assert_eq!(audits.len(), 2);
    assert_eq!(audits[0].details(), json!({"changed": ["outcome_note"]}));
    let moved = app.audit_events("follow_up.transition").await;
    assert_eq!(moved.len(), 2);
    assert_eq!(
        moved[0].details(),
        json!({"from": "attempted", "to": "completed", "outcome_note": true})
    );
    assert!(
        !moved[0].details.contains("outpatient"),
        "no clinical text in the trail"
    );

    // By hand: due now or later, for a colleague.
    let made = app
        .post(
            "/api/v1/follow-ups",
            Some(token),
            &json!({"subject_id": subject, "call_id": new_call, "assigned_to": colleague,
                    "due_at": "2026-04-11T15:00:00Z", "method": "visit"}),
        )
        .await;
    made.assert_status(201);
    let made = made.json();
    assert_eq!(made["scheduled_by_call"], false);
    assert_eq!(made["assigned_to"], colleague.as_str());
    let theirs = app
        .get(
            &format!("/api/v1/follow-ups?assigned_to={colleague}"),
            &colleague_user.token,
        )
        .await
        .json();
    assert_eq!(theirs["items"][0]["id"], made["id"]);
    let read = app
        .get(
            &format!("/api/v1/follow-ups/{}", made["id"].as_str().unwrap()),
            token,
        )
        .await;
    read.assert_status(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(app.audit_events("follow_up.read").await.len(), 1);
    assert!(!app.audit_events("follow_up.list").await.is_empty());

    let csv = app.get_csv("/api/v1/follow-ups", token).await;
    csv.assert_status(200);
    assert!(csv.text().starts_with(
        "id,subject_id,call_id,referral_id,assigned_to,due_at,method,status,overdue,outcome_note"
    ));
}

#[actix_web::test]
async fn bad_follow_ups_are_refused_and_change_nothing() {
    let app = TestApp::spawn_at("2026-04-10T15:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let clinician = app.login_as(Role::Clinician).await;
    let (call_id, subject) =
        call_about(&app, &key, "B-1", "2026-04-10T09:00:00-05:00", "Q-1").await;
    let (_, other_subject) =
        call_about(&app, &key, "B-2", "2026-04-10T09:30:00-05:00", "Q-2").await;
    let before = app.count("SELECT count(*) AS count FROM follow_ups").await;
    let good = json!({"subject_id": subject, "due_at": "2026-04-12T15:00:00Z", "method": "phone"});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"due_at": "2026-04-09T15:00:00Z"}), "due_at"),
        (json!({"subject_id": uuid::Uuid::now_v7()}), "subject_id"),
        (
            json!({"subject_id": other_subject, "call_id": call_id}),
            "call_id",
        ),
        (json!({"referral_id": uuid::Uuid::now_v7()}), "referral_id"),
        (json!({"assigned_to": uuid::Uuid::now_v7()}), "assigned_to"),
    ];
    for (change, field) in cases {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app
            .post("/api/v1/follow-ups", Some(&clinician.token), &body)
            .await;
        response.problem(422);
        assert_eq!(response.error_fields(), [field], "{change}");
    }
    let mut body = good.clone();
    body["method"] = json!("telepathy");
    let unknown = app
        .post("/api/v1/follow-ups", Some(&clinician.token), &body)
        .await;
    unknown.problem(422);
    assert_eq!(unknown.error_fields(), ["method"]);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        before
    );

    let id = app
        .value(&format!(
            "SELECT id::text AS value FROM follow_ups WHERE call_id = '{call_id}'"
        ))
        .await
        .unwrap();
    let path = format!("/api/v1/follow-ups/{id}");
    let past = app
        .patch(
            &path,
            &clinician.token,
            None,
            &json!({"due_at": "2026-04-01T00:00:00Z"}),
        )
        .await;
    past.problem(422);
    assert_eq!(past.error_fields(), ["due_at"]);
    app.patch(&path, &clinician.token, None, &json!({"method": null}))
        .await
        .problem(422);
    app.patch(
        &path,
        &clinician.token,
        Some("\"9\""),
        &json!({"method": "visit"}),
    )
    .await
    .problem(412);
    app.get(
        &format!("/api/v1/follow-ups/{}", uuid::Uuid::now_v7()),
        &clinician.token,
    )
    .await
    .problem(404);
    assert!(app.audit_events("follow_up.update").await.is_empty());
    // The status moves only forward, and only by its own route.
    app.patch(
        &path,
        &clinician.token,
        None,
        &json!({"status": "completed"}),
    )
    .await
    .problem(400);
    let moves = format!("{path}/transitions");
    app.post(&moves, Some(&clinician.token), &json!({"to": "scheduled"}))
        .await
        .problem(409);
    app.post(&moves, Some(&clinician.token), &json!({"to": "attempted"}))
        .await
        .assert_status(200);
    app.post(&moves, Some(&clinician.token), &json!({"to": "scheduled"}))
        .await
        .problem(409);
    let stale = app
        .send(
            actix_web::http::Method::POST,
            &moves,
            Some(&clinician.token),
            &[("content-type", "application/json"), ("if-match", "\"1\"")],
            Some(json!({"to": "completed"}).to_string().into_bytes()),
        )
        .await;
    stale.problem(412);
    app.post(
        &format!("/api/v1/follow-ups/{}/transitions", uuid::Uuid::now_v7()),
        Some(&clinician.token),
        &json!({"to": "completed"}),
    )
    .await
    .problem(404);
    assert_eq!(app.audit_events("follow_up.transition").await.len(), 1);
}
