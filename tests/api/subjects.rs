//! Subjects: the repeat-call list, detail and timeline, for clinicians and admins only, every
//! read audited with the ids shown.

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, item_strings};

fn call(number: &str, received_at: &str, subject: Option<&str>) -> Value {
    let mut call = json!({
        "source": "rms",
        "incident_number": number,
        "received_at": received_at,
        "mental_health": true,
        "dispositions": ["resolved_on_scene"],
    });
    if let Some(subject) = subject {
        call["subject"] = json!({ "external_id": subject, "year_of_birth": 1975 });
    }
    call
}

#[actix_web::test]
async fn clinicians_see_repeat_callers_and_every_read_is_audited() {
    let app = TestApp::spawn_at("2026-06-15T17:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let calls = vec![
        call("1", "2026-06-01T10:00:00-05:00", Some("A")),
        call("2", "2026-05-01T10:00:00-05:00", Some("A")),
        call("3", "2026-04-01T10:00:00-05:00", Some("A")),
        call("4", "2025-01-01T10:00:00-06:00", Some("B")),
        call("5", "2026-06-10T10:00:00-05:00", Some("B")),
        call("6", "2026-06-11T10:00:00-05:00", Some("C")),
        call("7", "2026-06-12T10:00:00-05:00", None),
    ];
    let report = app
        .post(
            "/api/v1/calls/batch",
            Some(&key),
            &json!({ "calls": calls }),
        )
        .await;
    assert_eq!(report.json()["created"], 7);
    let clinician = app.login_as(Role::Clinician).await;

    let list = app.get("/api/v1/subjects", &clinician.token).await;
    list.assert_status(200);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "only A has two calls in the last 365 days");
    assert_eq!(items[0]["external_id"], "A");
    assert_eq!(items[0]["calls"], 3);
    assert_eq!(items[0]["calls_in_window"], 3);
    assert_eq!(items[0]["first_call_on"], "2026-04-01");
    assert_eq!(items[0]["last_call_on"], "2026-06-01");
    let a = items[0]["id"].as_str().unwrap().to_owned();

    let longer = app
        .get("/api/v1/subjects?window_days=600", &clinician.token)
        .await
        .json();
    let mut names = item_strings(&longer, "external_id");
    names.sort();
    assert_eq!(names, vec!["A", "B"]);
    let everyone = app
        .get(
            "/api/v1/subjects?min_calls=1&window_days=30",
            &clinician.token,
        )
        .await
        .json();
    assert_eq!(everyone["items"].as_array().unwrap().len(), 3);

    let detail = app
        .get(&format!("/api/v1/subjects/{a}"), &clinician.token)
        .await;
    detail.assert_status(200);
    assert_eq!(detail.json()["year_of_birth"], 1975);
    let timeline = app
        .get(&format!("/api/v1/subjects/{a}/timeline"), &clinician.token)
        .await
        .json();
    let numbers: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "call")
        .map(|e| e["incident_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, vec!["3", "2", "1"], "oldest first");
    assert_eq!(timeline["events"][0]["kind"], "call");
    assert_eq!(
        timeline["events"].as_array().unwrap().len(),
        6,
        "each mental-health call's follow-up beside it"
    );
    let csv = app
        .get_csv(&format!("/api/v1/subjects/{a}/timeline"), &clinician.token)
        .await;
    assert!(csv.text().starts_with("kind,at,call_id,incident_number,"));
    assert_eq!(csv.text().lines().count(), 7);
    let csv = app.get_csv("/api/v1/subjects", &clinician.token).await;
    assert!(csv.text().contains(&format!("{a},rms,A,1975,")));

    // Every read, CSV included, is in the trail with the ids it showed.
    let listed = app.audit_events("subject.list").await;
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].details()["subject_ids"], json!([a]));
    assert_eq!(app.audit_events("subject.read").await.len(), 1);
    assert_eq!(app.audit_events("subject.timeline").await.len(), 2);
    assert_eq!(
        app.audit_events("subject.read").await[0]
            .resource_id
            .as_deref(),
        Some(a.as_str())
    );

    // Nobody else reads them.
    for role in [
        Role::Supervisor,
        Role::Coordinator,
        Role::Analyst,
        Role::Integration,
    ] {
        let user = app.login_as(role).await;
        app.get("/api/v1/subjects", &user.token).await.problem(403);
        app.get(&format!("/api/v1/subjects/{a}"), &user.token)
            .await
            .problem(403);
    }
    app.get(
        &format!("/api/v1/subjects/{}", uuid::Uuid::now_v7()),
        &clinician.token,
    )
    .await
    .problem(404);
    app.get("/api/v1/subjects?window_days=0", &clinician.token)
        .await
        .problem(400);
}

#[actix_web::test]
async fn what_later_calls_tell_of_a_subject_fills_it_in_and_a_value_not_sent_stays() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let send = |number: &str, subject: Value| {
        let mut body = call(number, "2026-06-01T10:00:00-05:00", None);
        body["subject"] = subject;
        json!({ "calls": [body] })
    };
    // The subject's year of birth (0 when unknown), veteran (-1 unknown), and last change.
    const SUBJECT: &str = "SELECT (coalesce(year_of_birth, 0) * 10 \
                                    + coalesce(veteran::int, -1))::int8 AS count \
                             FROM subjects WHERE external_id = 'S-1'";
    const CHANGED: &str = "SELECT (extract(epoch FROM updated_at) * 1000000)::int8 AS count \
                             FROM subjects WHERE external_id = 'S-1'";

    for (number, subject, expected) in [
        ("1", json!({"external_id": "S-1"}), -1),
        (
            "2",
            json!({"external_id": "S-1", "year_of_birth": 1980}),
            19799,
        ),
        ("3", json!({"external_id": "S-1", "veteran": true}), 19801),
    ] {
        app.post("/api/v1/calls/batch", Some(&key), &send(number, subject))
            .await
            .assert_status(200);
        assert_eq!(app.count(SUBJECT).await, expected, "after call {number}");
    }
    assert_eq!(
        app.count("SELECT count(*) AS count FROM subjects").await,
        1,
        "one subject per key, whatever the calls"
    );
    // Nothing new of the subject: it is not written.
    let changed_at = app.count(CHANGED).await;
    for (number, subject) in [
        ("4", json!({"external_id": "S-1", "year_of_birth": 1980})),
        ("5", json!({"external_id": "S-1"})),
    ] {
        app.post("/api/v1/calls/batch", Some(&key), &send(number, subject))
            .await
            .assert_status(200);
    }
    assert_eq!(app.count(SUBJECT).await, 19801);
    assert_eq!(app.count(CHANGED).await, changed_at);
}
