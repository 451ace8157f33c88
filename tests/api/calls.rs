//! Calls for service: idempotent ingest by `PUT` and batch, per-call rejection, responders and
//! CIT at call, subject privacy, filters, and bad input.

use cit_api::db::enums::Role;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{CIT_BASIC, TestApp, TestUser};

/// A mental-health call received at `received_at`.
pub fn call(incident_number: &str, received_at: &str) -> Value {
    json!({
        "source": "rms",
        "incident_number": incident_number,
        "received_at": received_at,
        "call_type": "PIC",
        "call_source": "911",
        "location": {"address": "100 BLOCK MAIN ST", "beat": "B1", "district": "D1",
                     "latitude": 41.88, "longitude": -87.63},
        "mental_health": true,
        "crisis_types": ["suicide"],
        "responders": [{"employee_number": "P-1", "role": "primary"}],
        "dispositions": ["mobile_crisis"],
        "force_level": "none",
    })
}

async fn officer(app: &TestApp, token: &str, number: &str) -> String {
    app.create_person(
        token,
        &json!({"employee_number": number, "first_name": "Ana", "last_name": "Diaz",
                "department": "police", "role": "officer", "hire_date": "2015-01-05"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn certify(
    app: &TestApp,
    token: &str,
    person: &str,
    issued_on: &str,
    expires_on: Value,
) -> String {
    let response = app
        .post(
            "/api/v1/certifications",
            Some(token),
            &json!({"personnel_id": person, "certification_type_id": CIT_BASIC,
                    "issued_on": issued_on, "expires_on": expires_on,
                    "certificate_number": format!("C-{issued_on}")}),
        )
        .await;
    response.assert_status(201);
    response.json()["id"].as_str().unwrap().to_owned()
}

async fn batch(app: &TestApp, key: &str, calls: Vec<Value>) -> Value {
    let response = app
        .post("/api/v1/calls/batch", Some(key), &json!({ "calls": calls }))
        .await;
    response.assert_status(200);
    response.json()
}

async fn stored(app: &TestApp, sql_where: &str) -> i64 {
    app.count(&format!(
        "SELECT count(*) AS count FROM calls WHERE {sql_where}"
    ))
    .await
}

#[actix_web::test]
async fn a_call_is_created_then_unchanged_then_updated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let person = officer(&app, &admin.token, "P-1").await;
    certify(&app, &admin.token, &person, "2024-01-10", json!(null)).await;
    let mut body = call("24-1", "2025-03-02T14:05:00-06:00");
    body.as_object_mut().unwrap().remove("source");

    let created = app.put("/api/v1/calls/rms/24-1", &key, &body).await;
    created.assert_status(201);
    let json = created.json();
    let id = json["call"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/calls/{id}")
    );
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(json["result"], "created");
    assert_eq!(json["warnings"], json!([]));
    let call_json = &json["call"];
    assert_eq!(call_json["source"], "rms");
    assert_eq!(call_json["received_at"], "2025-03-02T20:05:00Z");
    assert_eq!(call_json["received_on"], "2025-03-02");
    assert_eq!(call_json["call_source"], "911");
    assert_eq!(call_json["location"]["beat"], "B1");
    assert_eq!(call_json["cit_on_scene"], true);
    assert_eq!(
        call_json["responders"],
        json!([{"employee_number": "P-1", "role": "primary", "personnel_id": person,
                "cit_certified_at_call": true}])
    );
    assert_eq!(call_json["version"], 1);
    let events = app.audit_events("call.create").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(events[0].actor_username.as_deref(), Some("rms"));

    // The same call again, spelt differently (UTC, reordered sets): nothing is written.
    let mut again = body.clone();
    again["received_at"] = json!("2025-03-02T20:05:00Z");
    let unchanged = app.put("/api/v1/calls/rms/24-1", &key, &again).await;
    unchanged.assert_status(200);
    assert_eq!(unchanged.json()["result"], "unchanged");
    assert_eq!(unchanged.json()["call"]["version"], 1);
    assert_eq!(app.audit_events("call.create").await.len(), 1);
    assert!(app.audit_events("call.update").await.is_empty());
    assert_eq!(stored(&app, "true").await, 1);

    // A change: version 2, one audit row.
    let mut changed = body.clone();
    changed["dispositions"] = json!(["arrest"]);
    let updated = app.put("/api/v1/calls/rms/24-1", &key, &changed).await;
    updated.assert_status(200);
    assert_eq!(updated.json()["result"], "updated");
    assert_eq!(updated.json()["call"]["dispositions"], json!(["arrest"]));
    assert_eq!(updated.json()["call"]["version"], 2);
    assert_eq!(updated.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(app.audit_events("call.update").await.len(), 1);

    let read = app.get(&format!("/api/v1/calls/{id}"), &admin.token).await;
    read.assert_status(200);
    assert_eq!(read.json()["dispositions"], json!(["arrest"]));
}

#[actix_web::test]
async fn a_batch_stores_the_good_calls_and_reports_the_bad_ones_by_index() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    officer(&app, &admin.token, "P-1").await;
    let mut no_offset = call("24-3", "2025-03-02T14:05:00");
    no_offset["received_at"] = json!("2025-03-02T14:05:00");
    let mut missing = call("24-4", "2025-03-02T14:05:00-06:00");
    missing.as_object_mut().unwrap().remove("received_at");
    let mut unknown_enum = call("24-5", "2025-03-02T14:05:00-06:00");
    unknown_enum["force_level"] = json!("taser");
    let mut far = call("24-6", "2025-03-02T14:05:00-06:00");
    far["location"]["latitude"] = json!(91.5);
    let mut stranger = call("24-7", "2025-03-03T09:00:00-06:00");
    stranger["responders"] = json!([{"employee_number": "P-1", "role": "primary"},
                                    {"employee_number": "X-9", "role": "backup"}]);
    let calls = vec![
        call("24-1", "2025-03-01T10:00:00-06:00"),
        call("24-2", "2025-03-01T11:00:00-06:00"),
        no_offset,
        missing,
        unknown_enum,
        far,
        stranger,
        call("24-1", "2025-03-01T10:00:00-06:00"),
    ];
    let report = batch(&app, &key, calls.clone()).await;
    assert_eq!(
        (
            &report["created"],
            &report["updated"],
            &report["unchanged"],
            &report["rejected"]
        ),
        (&json!(3), &json!(0), &json!(0), &json!(5))
    );
    let errors: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["incident_number"].as_str().unwrap_or_default().to_owned(),
                e["errors"][0]["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, "24-3".into(), "received_at".into()),
            (3, "24-4".into(), "received_at".into()),
            (4, "24-5".into(), "force_level".into()),
            (5, "24-6".into(), "location.latitude".into()),
            (7, "24-1".into(), "incident_number".into()),
        ]
    );
    assert!(
        !report.to_string().contains("taser"),
        "values are not echoed"
    );
    assert_eq!(
        report["warnings"],
        json!([{"index": 6, "incident_number": "24-7", "field": "responders[1].employee_number",
                "message": "not on the personnel roster: kept, and linked when the person is added"}])
    );
    assert_eq!(stored(&app, "true").await, 3);
    let unmatched = app
        .count(
            "SELECT count(*) AS count FROM calls, jsonb_array_elements(responders) AS r \
              WHERE r ->> 'personnel_id' IS NULL",
        )
        .await;
    assert_eq!(unmatched, 1);

    // Retried blindly: nothing changes.
    let again = batch(&app, &key, calls.clone()).await;
    assert_eq!(
        (
            &again["created"],
            &again["updated"],
            &again["unchanged"],
            &again["rejected"]
        ),
        (&json!(0), &json!(0), &json!(3), &json!(5))
    );
    assert_eq!(
        again["warnings"], report["warnings"],
        "an unchanged call still names its unknown responders (the sender may have lost the \
         first answer)"
    );
    assert_eq!(stored(&app, "version = 1").await, 3);
    let audits = app.audit_events("call.batch").await;
    assert_eq!(audits.len(), 2);
    assert_eq!(
        audits[0].details(),
        json!({"created": 0, "updated": 0, "unchanged": 3, "rejected": 5, "follow_ups_scheduled": 0})
    );

    // The unknown number joins the roster: the call's responder is linked, and no longer
    // warned of.
    officer(&app, &admin.token, "X-9").await;
    let linked = app
        .count(
            "SELECT count(*) AS count FROM calls, jsonb_array_elements(responders) AS r \
              WHERE r ->> 'personnel_id' IS NULL",
        )
        .await;
    assert_eq!(linked, 0);
    let after = batch(&app, &key, calls).await;
    assert_eq!(after["unchanged"], 3);
    assert_eq!(after["warnings"], json!([]));
}

#[actix_web::test]
async fn a_roster_import_of_thousands_links_the_calls_its_people_answered() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let mut body = call("24-1", "2025-03-01T10:00:00-06:00");
    body["responders"] = json!([{"employee_number": "R-2999", "role": "primary"},
                                {"employee_number": "R-0001", "role": "backup"},
                                {"employee_number": "Q-1", "role": "backup"}]);
    let report = batch(&app, &key, vec![body]).await;
    assert_eq!(report["warnings"].as_array().unwrap().len(), 3);

    // One refresh over 3,000 people: one index probe each, not one expression per person.
    let roster: String = std::iter::once(
        "employee_number,first_name,last_name,department,role,hire_date\n".to_owned(),
    )
    .chain((0..3000).map(|n| format!("R-{n:04},F,L,police,officer,2015-01-05\n")))
    .collect();
    let imported = app.import_roster(&admin.token, &roster).await;
    imported.assert_status(200);
    assert_eq!(imported.json()["created"], 3000);

    let list = app.get("/api/v1/calls", &admin.token).await.json();
    let linked: Vec<Value> = list["items"][0]["responders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["personnel_id"].clone())
        .collect();
    assert_eq!(
        linked,
        vec![
            json!(app.person_id("R-2999").await.to_string()),
            json!(app.person_id("R-0001").await.to_string()),
            Value::Null,
        ]
    );
}

#[actix_web::test]
async fn retries_and_concurrent_duplicates_never_make_a_second_call() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let body = call("24-1", "2025-03-01T10:00:00-06:00");
    let puts = (0..8).map(|_| app.put("/api/v1/calls/rms/24-1", &key, &body));
    let results: Vec<String> = join_all(puts)
        .await
        .into_iter()
        .map(|r| {
            assert!([200, 201].contains(&r.status), "{}", r.text());
            r.json()["result"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(results.iter().filter(|r| *r == "created").count(), 1);
    assert_eq!(results.iter().filter(|r| *r == "unchanged").count(), 7);

    // Overlapping batches at once: each key stored once.
    let calls: Vec<Value> = (0..200)
        .map(|i| call(&format!("25-{i}"), "2025-04-01T10:00:00-05:00"))
        .collect();
    let bodies: Vec<Value> = (0..4)
        .map(|k| {
            let mut part: Vec<Value> = calls.iter().skip(k * 30).take(110).cloned().collect();
            if k % 2 == 1 {
                part.reverse();
            }
            json!({ "calls": part })
        })
        .collect();
    let batches = bodies
        .iter()
        .map(|body| app.post("/api/v1/calls/batch", Some(&key), body));
    let mut created = 0;
    for response in join_all(batches).await {
        response.assert_status(200);
        created += response.json()["created"].as_u64().unwrap();
    }
    assert_eq!(created, 200);
    assert_eq!(
        stored(&app, "incident_number LIKE '25-%' AND version = 1").await,
        200
    );

    // The same change retried at once: one new version, not one per retry.
    let mut changed = body.clone();
    changed["dispositions"] = json!(["arrest"]);
    let puts = (0..6).map(|_| app.put("/api/v1/calls/rms/24-1", &key, &changed));
    let results: Vec<String> = join_all(puts)
        .await
        .into_iter()
        .map(|r| r.json()["result"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        results.iter().filter(|r| *r == "updated").count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        stored(&app, "incident_number = '24-1' AND version = 2").await,
        1
    );
    assert_eq!(app.audit_events("call.update").await.len(), 1);
}

#[actix_web::test]
async fn cit_on_scene_follows_the_responders_certification_on_the_calls_city_day() {
    let app = TestApp::spawn_at("2026-03-10T04:20:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let person = officer(&app, &admin.token, "P-1").await;
    // Calls around the days that matter, each at 23:30 Chicago time (already the next day in
    // UTC and in the database's session zone; daylight time from 8 March 2026).
    let days = [
        ("2025-01-09", "-06:00"),
        ("2025-01-10", "-06:00"),
        ("2026-01-09", "-06:00"),
        ("2026-01-10", "-06:00"),
        ("2026-03-09", "-05:00"),
        ("2026-03-10", "-05:00"),
    ];
    let calls: Vec<Value> = days
        .iter()
        .map(|(day, offset)| call(&format!("D-{day}"), &format!("{day}T23:30:00{offset}")))
        .collect();
    batch(&app, &key, calls).await;
    let certified = || async {
        let listed = app
            .get("/api/v1/calls?cit_on_scene=true&limit=50", &admin.token)
            .await
            .json();
        let mut days: Vec<String> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["received_on"].as_str().unwrap().to_owned())
            .collect();
        days.sort();
        days
    };
    assert!(certified().await.is_empty(), "not certified yet");

    // Recorded after the calls, valid from 2025-01-10 until 2026-01-10.
    let certificate = certify(
        &app,
        &admin.token,
        &person,
        "2025-01-10",
        json!("2026-01-10"),
    )
    .await;
    assert_eq!(certified().await, vec!["2025-01-10", "2026-01-09"]);

    // A second certification, revoked at 23:30 on 2026-03-09 Chicago time: it counts until the
    // day before.
    let second = certify(&app, &admin.token, &person, "2026-01-10", json!(null)).await;
    assert_eq!(
        certified().await,
        vec![
            "2025-01-10",
            "2026-01-09",
            "2026-01-10",
            "2026-03-09",
            "2026-03-10"
        ]
    );
    app.clock.set("2026-03-10T04:30:00Z".parse().unwrap());
    app.post(
        &format!("/api/v1/certifications/{second}/revoke"),
        Some(&admin.token),
        &json!({"reason": "issued in error"}),
    )
    .await
    .assert_status(200);
    assert_eq!(
        certified().await,
        vec!["2025-01-10", "2026-01-09", "2026-01-10"]
    );
    let _ = certificate;

    // The same days sent again as new calls, now that the certifications exist: the ingest
    // judges them itself and agrees.
    let again: Vec<Value> = days
        .iter()
        .map(|(day, offset)| call(&format!("E-{day}"), &format!("{day}T23:30:00{offset}")))
        .collect();
    batch(&app, &key, again).await;
    let flagged = app
        .count(
            "SELECT count(*) AS count FROM calls WHERE incident_number LIKE 'E-%' AND cit_on_scene \
             AND received_on IN ('2025-01-10', '2026-01-09', '2026-01-10')",
        )
        .await;
    let all = app
        .count(
            "SELECT count(*) AS count FROM calls WHERE incident_number LIKE 'E-%' AND cit_on_scene",
        )
        .await;
    assert_eq!((flagged, all), (3, 3));

    // The type stops counting as CIT: no call had a CIT responder.
    app.patch(
        &format!("/api/v1/certification-types/{CIT_BASIC}"),
        &admin.token,
        None,
        &json!({"counts_as_cit": false}),
    )
    .await
    .assert_status(200);
    assert!(certified().await.is_empty());
}

async fn with_subject(app: &TestApp, key: &str) -> String {
    let mut body = call("24-1", "2025-03-01T10:00:00-06:00");
    body["subject"] = json!({"external_id": "S-77", "year_of_birth": 1980, "veteran": true});
    let response = app.put("/api/v1/calls/rms/24-1", key, &body).await;
    response.assert_status(201);
    assert!(
        response.json()["call"].get("subject").is_none(),
        "not to the RMS either"
    );
    response.json()["call"]["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn who_a_call_concerns_is_shown_to_clinicians_and_admins_only_and_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let id = with_subject(&app, &key).await;
    let clinician: TestUser = app.login_as(Role::Clinician).await;
    let supervisor = app.login_as(Role::Supervisor).await;

    let seen = app
        .get(&format!("/api/v1/calls/{id}"), &clinician.token)
        .await
        .json();
    assert_eq!(seen["subject"]["external_id"], "S-77");
    assert_eq!(seen["subject"]["year_of_birth"], 1980);
    let subject_id = seen["subject"]["id"].as_str().unwrap().to_owned();
    let reads = app.audit_events("call.read").await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].details()["subject_ids"], json!([subject_id]));

    let hidden = app
        .get(&format!("/api/v1/calls/{id}"), &supervisor.token)
        .await;
    hidden.assert_status(200);
    assert!(hidden.json().get("subject").is_none());
    assert_eq!(hidden.json()["has_subject"], true);
    assert!(!hidden.text().contains("S-77") && !hidden.text().contains(&subject_id));
    let list = app.get("/api/v1/calls", &supervisor.token).await;
    assert!(!list.text().contains("S-77") && !list.text().contains(&subject_id));
    let csv = app.get_csv("/api/v1/calls", &supervisor.token).await;
    assert!(!csv.text().contains("S-77") && !csv.text().contains(&subject_id));
    assert_eq!(
        app.audit_events("call.read").await.len(),
        1,
        "nothing shown, nothing audited"
    );
    let refused = app
        .get(
            &format!("/api/v1/calls?subject_id={subject_id}"),
            &supervisor.token,
        )
        .await;
    refused.problem(403);
    assert!(
        !refused.text().contains(&subject_id),
        "not in an error either"
    );

    let by_subject = app
        .get(
            &format!("/api/v1/calls?subject_id={subject_id}"),
            &clinician.token,
        )
        .await
        .json();
    assert_eq!(by_subject["items"][0]["id"], id.as_str());
    let csv = app.get_csv("/api/v1/calls", &clinician.token).await;
    assert!(csv.text().contains(",S-77,"));
    assert_eq!(app.audit_events("call.list").await.len(), 2);
}

#[actix_web::test]
async fn calls_are_filtered_by_day_kind_outcome_and_beat() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let mut other = call("24-2", "2025-03-05T10:00:00-06:00");
    other["mental_health"] = json!(false);
    other["location"]["beat"] = json!("B2");
    other["dispositions"] = json!(["arrest"]);
    batch(
        &app,
        &key,
        vec![call("24-1", "2025-03-01T10:00:00-06:00"), other],
    )
    .await;
    let numbers = |query: &str| {
        let query = query.to_owned();
        let app = &app;
        let token = admin.token.clone();
        async move {
            let body = app
                .get(&format!("/api/v1/calls?{query}"), &token)
                .await
                .json();
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["incident_number"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(numbers("").await, vec!["24-2", "24-1"]);
    assert_eq!(numbers("from=2025-03-02").await, vec!["24-2"]);
    assert_eq!(numbers("to=2025-03-01").await, vec!["24-1"]);
    assert_eq!(numbers("mental_health=true").await, vec!["24-1"]);
    assert_eq!(numbers("disposition=arrest").await, vec!["24-2"]);
    assert_eq!(numbers("beat=B2").await, vec!["24-2"]);
    assert_eq!(numbers("cit_on_scene=true").await, Vec::<String>::new());
    let first = app.get("/api/v1/calls?limit=1", &admin.token).await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    assert_eq!(
        numbers(&format!("limit=1&cursor={cursor}")).await,
        vec!["24-1"]
    );
    app.get("/api/v1/calls?disposition=jail", &admin.token)
        .await
        .problem(400);
}

#[actix_web::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;

    let mut body = call("24-1", "2025-03-01T10:00:00-06:00");
    body.as_object_mut().unwrap().remove("mental_health");
    let refused = app.put("/api/v1/calls/rms/24-1", &key, &body).await;
    refused.problem(422);
    assert_eq!(refused.error_fields(), vec!["mental_health"]);
    let mismatch = app
        .put(
            "/api/v1/calls/rms/24-9",
            &key,
            &call("24-1", "2025-03-01T10:00:00-06:00"),
        )
        .await;
    mismatch.problem(422);
    assert_eq!(mismatch.error_fields(), vec!["incident_number"]);
    let mut unknown = call("24-1", "2025-03-01T10:00:00-06:00");
    unknown["subject_name"] = json!("Jane Doe");
    let unknown = app.put("/api/v1/calls/rms/24-1", &key, &unknown).await;
    unknown.problem(400);
    assert!(!unknown.text().contains("Jane"));

    let too_many: Vec<Value> = (0..5001)
        .map(|i| call(&format!("26-{i}"), "2025-03-01T10:00:00-06:00"))
        .collect();
    let response = app
        .post(
            "/api/v1/calls/batch",
            Some(&key),
            &json!({ "calls": too_many }),
        )
        .await;
    response.problem(422);
    assert_eq!(response.error_fields(), vec!["calls"]);

    let huge = vec![b' '; 20 * 1024 * 1024];
    let response = app
        .send(
            actix_web::http::Method::POST,
            "/api/v1/calls/batch",
            Some(&key),
            &[("content-type", "application/json")],
            Some(huge),
        )
        .await;
    response.problem(413);
    app.post("/api/v1/calls/batch", Some(&key), &json!({"calls": "x"}))
        .await
        .problem(422);
    assert_eq!(stored(&app, "true").await, 0);
    assert!(app.audit_events("call.create").await.is_empty());

    // Who may write: the RMS's key and admins; readers may not.
    let supervisor = app.login_as(Role::Supervisor).await;
    app.put(
        "/api/v1/calls/rms/24-1",
        &supervisor.token,
        &call("24-1", "2025-03-01T10:00:00-06:00"),
    )
    .await
    .problem(403);
    app.put(
        "/api/v1/calls/rms/24-1",
        &admin.token,
        &call("24-1", "2025-03-01T10:00:00-06:00"),
    )
    .await
    .assert_status(201);
}
