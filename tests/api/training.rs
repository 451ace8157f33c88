//! The catalogue, sessions and their seats, enrollments, completion and certifications.

use cit_api::db::enums::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    CIT_BASIC, COURSE_CIT_40, COURSE_INTRO, MH_AWARENESS, TestApp, TestUser, days_from_today,
    item_strings,
};

/// `count` officers P-1…P-count, imported through the roster.
async fn officers(app: &TestApp, token: &str, count: usize) -> Vec<Uuid> {
    let mut csv =
        "employee_number,first_name,last_name,department,role,shift,hire_date\n".to_owned();
    for n in 1..=count {
        csv.push_str(&format!(
            "P-{n},First{n},Last{n},police,officer,A,2015-01-01\n"
        ));
    }
    app.import_roster(token, &csv).await.assert_status(200);
    let mut ids = Vec::new();
    for n in 1..=count {
        ids.push(app.person_id(&format!("P-{n}")).await);
    }
    ids
}

async fn schedule(
    app: &TestApp,
    coordinator: &TestUser,
    course: &str,
    starts: &str,
    ends: &str,
    capacity: i32,
) -> String {
    let response = app
        .post(
            "/api/v1/training-sessions",
            Some(&coordinator.token),
            &json!({"course_id": course, "starts_on": starts, "ends_on": ends,
                    "location": "Academy room 2", "instructor": "Sgt. Ortiz", "capacity": capacity}),
        )
        .await;
    response.assert_status(201);
    response.json()["id"].as_str().unwrap().to_owned()
}

async fn enroll(
    app: &TestApp,
    token: &str,
    session: &str,
    person: Uuid,
) -> crate::helpers::Response {
    app.post(
        &format!("/api/v1/training-sessions/{session}/enrollments"),
        Some(token),
        &json!({ "personnel_id": person }),
    )
    .await
}

#[actix_web::test]
async fn a_fresh_database_holds_the_standard_catalogue_and_goal() {
    let app = TestApp::spawn().await;
    let supervisor = app.login_as(Role::Supervisor).await;
    let types = app
        .get("/api/v1/certification-types", &supervisor.token)
        .await
        .json();
    let basic = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "CIT_BASIC")
        .unwrap()
        .clone();
    assert_eq!(basic["counts_as_cit"], true);
    assert_eq!(basic["validity_months"], Value::Null);
    assert_eq!(basic["issuer"], "ILETSB");
    let codes = item_strings(&types, "code");
    assert_eq!(codes.len(), 4);
    for code in ["CIT_BASIC", "CIT_REFRESHER", "CIT_TELECOM", "MH_AWARENESS"] {
        assert!(codes.iter().any(|c| c == code), "{code}");
    }

    let course = app
        .get(
            &format!("/api/v1/courses/{COURSE_CIT_40}"),
            &supervisor.token,
        )
        .await
        .json();
    assert_eq!(course["code"], "CIT-40");
    assert_eq!(course["hours"], 40.0);
    assert_eq!(course["certification_type_id"], CIT_BASIC);
    let courses = app.get("/api/v1/courses", &supervisor.token).await.json();
    assert_eq!(courses["items"].as_array().unwrap().len(), 5);
    let intro = app
        .get(
            &format!("/api/v1/courses/{COURSE_INTRO}"),
            &supervisor.token,
        )
        .await
        .json();
    assert_eq!(intro["certification_type_id"], Value::Null);

    let goals = app.get("/api/v1/goals", &supervisor.token).await.json();
    let goal = &goals["items"][0];
    assert_eq!(goal["target_share"], 0.2);
    assert_eq!(goal["population"]["roles"], json!(["officer"]));
    assert_eq!(goal["population"]["include_designated_staff"], true);
}

#[actix_web::test]
async fn coordinators_manage_the_catalogue() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let created = app
        .post(
            "/api/v1/certification-types",
            Some(&coordinator.token),
            &json!({"code": "cit_juvenile", "name": "CIT juvenile (24-hour)", "issuer": "ILETSB", "validity_months": 36}),
        )
        .await;
    created.assert_status(201);
    let kind = created.json();
    assert_eq!(kind["code"], "CIT_JUVENILE");
    assert_eq!(kind["counts_as_cit"], false);
    let path = format!(
        "/api/v1/certification-types/{}",
        kind["id"].as_str().unwrap()
    );
    app.post(
        "/api/v1/certification-types",
        Some(&coordinator.token),
        &json!({"code": "CIT_JUVENILE", "name": "again", "issuer": "X"}),
    )
    .await
    .problem(409);
    let invalid = app
        .post(
            "/api/v1/certification-types",
            Some(&coordinator.token),
            &json!({"code": "9x", "name": "", "issuer": "X", "validity_months": 0}),
        )
        .await;
    invalid.problem(422);
    assert_eq!(invalid.error_fields(), ["code", "name", "validity_months"]);

    let patched = app
        .patch(
            &path,
            &coordinator.token,
            Some("\"1\""),
            &json!({"validity_months": null, "counts_as_cit": true}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.json()["validity_months"], Value::Null);
    assert_eq!(patched.json()["counts_as_cit"], true);
    app.patch(
        &path,
        &coordinator.token,
        Some("\"1\""),
        &json!({"name": "x"}),
    )
    .await
    .problem(412);

    let course = app
        .post(
            "/api/v1/courses",
            Some(&coordinator.token),
            &json!({"code": "cit-juv-24", "title": "CIT juvenile", "hours": 24, "provider": "ILETSB MTU",
                    "certification_type_id": kind["id"]}),
        )
        .await;
    course.assert_status(201);
    assert_eq!(course.json()["code"], "CIT-JUV-24");
    let bad = app
        .post(
            "/api/v1/courses",
            Some(&coordinator.token),
            &json!({"code": "X-1", "title": "t", "hours": 0, "provider": "p"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["hours"]);
    let unknown = app
        .post(
            "/api/v1/courses",
            Some(&coordinator.token),
            &json!({"code": "X-2", "title": "t", "hours": 2, "provider": "p", "certification_type_id": Uuid::now_v7()}),
        )
        .await;
    unknown.problem(422);
    assert_eq!(unknown.error_fields(), ["certification_type_id"]);
    let course_path = format!("/api/v1/courses/{}", course.json()["id"].as_str().unwrap());
    let retitled = app
        .patch(
            &course_path,
            &coordinator.token,
            None,
            &json!({"title": "CIT for youth"}),
        )
        .await;
    assert_eq!(retitled.json()["title"], "CIT for youth");
    assert_eq!(retitled.json()["version"], 2);
    app.get(
        &format!("/api/v1/courses/{}", Uuid::now_v7()),
        &coordinator.token,
    )
    .await
    .problem(404);

    let supervisor = app.login_as(Role::Supervisor).await;
    app.get(&path, &supervisor.token).await.assert_status(200);
    app.patch(&path, &supervisor.token, None, &json!({"name": "x"}))
        .await
        .problem(403);
    app.post("/api/v1/courses", Some(&supervisor.token), &json!({}))
        .await
        .problem(403);
    let analyst = app.login_as(Role::Analyst).await;
    app.get("/api/v1/courses", &analyst.token)
        .await
        .problem(403);
    assert_eq!(app.audit_events("certification_type.create").await.len(), 1);
    assert_eq!(app.audit_events("course.update").await.len(), 1);
}

#[actix_web::test]
async fn a_session_takes_enrollments_up_to_capacity() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let people = officers(&app, &coordinator.token, 4).await;
    let session = schedule(
        &app,
        &coordinator,
        COURSE_CIT_40,
        &days_from_today(10),
        &days_from_today(14),
        2,
    )
    .await;

    let first = enroll(&app, &coordinator.token, &session, people[0]).await;
    first.assert_status(201);
    assert_eq!(first.json()["status"], "enrolled");
    assert!(
        first
            .header("location")
            .unwrap()
            .starts_with("/api/v1/enrollments/")
    );
    enroll(&app, &coordinator.token, &session, people[0])
        .await
        .problem(409);
    enroll(&app, &coordinator.token, &session, people[1])
        .await
        .assert_status(201);
    let full = enroll(&app, &coordinator.token, &session, people[2]).await;
    assert!(
        full.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("full")
    );
    let unknown = enroll(&app, &coordinator.token, &session, Uuid::now_v7()).await;
    assert_eq!(unknown.error_fields(), ["personnel_id"]);
    enroll(
        &app,
        &coordinator.token,
        &Uuid::now_v7().to_string(),
        people[0],
    )
    .await
    .problem(404);

    let path = format!("/api/v1/training-sessions/{session}");
    let found = app.get(&path, &coordinator.token).await.json();
    assert_eq!(found["enrolled"], 2);
    assert_eq!(found["capacity"], 2);
    let below = app
        .patch(&path, &coordinator.token, None, &json!({"capacity": 1}))
        .await;
    below.problem(422);
    assert_eq!(below.error_fields(), ["capacity"]);
    let grown = app
        .patch(&path, &coordinator.token, None, &json!({"capacity": 3}))
        .await;
    assert_eq!(grown.json()["capacity"], 3);
    enroll(&app, &coordinator.token, &session, people[2])
        .await
        .assert_status(201);

    // A withdrawal frees the seat; taking it back needs a free one.
    let listed = app
        .get(&format!("{path}/enrollments"), &coordinator.token)
        .await
        .json();
    let first_id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["items"][0]["personnel_id"], people[0].to_string());
    let enrollment = format!("/api/v1/enrollments/{first_id}");
    app.patch(
        &enrollment,
        &coordinator.token,
        None,
        &json!({"status": "withdrawn"}),
    )
    .await
    .assert_status(200);
    enroll(&app, &coordinator.token, &session, people[3])
        .await
        .assert_status(201);
    app.patch(
        &enrollment,
        &coordinator.token,
        None,
        &json!({"status": "enrolled"}),
    )
    .await
    .problem(409);

    // Completion waits for the session's last day.
    let second = listed["items"][1]["id"].as_str().unwrap();
    let early = app
        .patch(
            &format!("/api/v1/enrollments/{second}"),
            &coordinator.token,
            None,
            &json!({"status": "completed"}),
        )
        .await;
    assert!(
        early.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("from that day on")
    );

    // A cancelled session takes no one; rescheduled, it does again.
    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"status": "cancelled"}),
    )
    .await
    .assert_status(200);
    app.patch(&path, &coordinator.token, None, &json!({"capacity": 5}))
        .await
        .assert_status(200);
    let separated = app
        .create_person(&coordinator.token, &json!({"employee_number": "S-1", "first_name": "A", "last_name": "B",
            "department": "police", "role": "officer", "hire_date": "2010-01-01", "separation_date": "2020-01-01"}))
        .await;
    let person = app.person_id("S-1").await;
    assert_eq!(separated["status"], "separated");
    enroll(&app, &coordinator.token, &session, person)
        .await
        .problem(409);
    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"status": "scheduled"}),
    )
    .await
    .assert_status(200);
    let refused = enroll(&app, &coordinator.token, &session, person).await;
    assert_eq!(refused.error_fields(), ["personnel_id"]);
    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"status": "completed"}),
    )
    .await
    .problem(409);

    let csv = app
        .get_csv(&format!("{path}/enrollments"), &coordinator.token)
        .await;
    assert_eq!(csv.text().lines().count(), 5);
    assert_eq!(app.audit_events("enrollment.create").await.len(), 4);
}

#[actix_web::test]
async fn concurrent_enrollments_never_exceed_the_capacity() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let people = officers(&app, &coordinator.token, 24).await;
    let session = schedule(
        &app,
        &coordinator,
        COURSE_CIT_40,
        &days_from_today(3),
        &days_from_today(7),
        5,
    )
    .await;
    let requests = people
        .iter()
        .map(|person| enroll(&app, &coordinator.token, &session, *person));
    let responses = futures_util::future::join_all(requests).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let refused = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, refused), (5, 19));
    let found = app
        .get(
            &format!("/api/v1/training-sessions/{session}"),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(found["enrolled"], 5);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM enrollments").await,
        5
    );
}

#[actix_web::test]
async fn sessions_are_validated_and_listed() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let bad = app
        .post(
            "/api/v1/training-sessions",
            Some(&coordinator.token),
            &json!({"course_id": COURSE_CIT_40, "starts_on": "2026-03-06", "ends_on": "2026-03-02",
                    "location": "", "capacity": 0}),
        )
        .await;
    bad.problem(422);
    assert_eq!(bad.error_fields(), ["location", "capacity", "ends_on"]);
    let unknown = app
        .post(
            "/api/v1/training-sessions",
            Some(&coordinator.token),
            &json!({"course_id": Uuid::now_v7(), "starts_on": "2026-03-02", "ends_on": "2026-03-06",
                    "location": "Academy", "capacity": 20}),
        )
        .await;
    assert_eq!(unknown.error_fields(), ["course_id"]);
    let bad_date = app
        .post(
            "/api/v1/training-sessions",
            Some(&coordinator.token),
            &json!({"course_id": COURSE_CIT_40, "starts_on": "March 2", "ends_on": "2026-03-06",
                    "location": "Academy", "capacity": 20}),
        )
        .await;
    assert_eq!(bad_date.error_fields(), ["starts_on"]);

    let march = schedule(
        &app,
        &coordinator,
        COURSE_CIT_40,
        "2026-03-02",
        "2026-03-06",
        20,
    )
    .await;
    let may = schedule(
        &app,
        &coordinator,
        COURSE_INTRO,
        "2026-05-04",
        "2026-05-04",
        30,
    )
    .await;
    let ids = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_course = app
        .get(
            &format!("/api/v1/training-sessions?course_id={COURSE_CIT_40}"),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(ids(by_course), [march.as_str()]);
    let from = app
        .get(
            "/api/v1/training-sessions?from=2026-04-01",
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(ids(from), [may.as_str()]);
    let to = app
        .get(
            "/api/v1/training-sessions?to=2026-04-01&status=scheduled",
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(ids(to), [march.as_str()]);
    let path = format!("/api/v1/training-sessions/{march}");
    let swapped = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({"ends_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(swapped.error_fields(), ["ends_on"]);
    app.patch(
        &path,
        &coordinator.token,
        Some("\"9\""),
        &json!({"location": "Gym"}),
    )
    .await
    .problem(412);
    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"course_id": COURSE_INTRO}),
    )
    .await
    .problem(400);
    let supervisor = app.login_as(Role::Supervisor).await;
    app.get("/api/v1/training-sessions", &supervisor.token)
        .await
        .assert_status(200);
    app.post(
        "/api/v1/training-sessions",
        Some(&supervisor.token),
        &json!({}),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn completing_a_certifying_course_issues_the_certificate_in_the_same_step() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let people = officers(&app, &coordinator.token, 2).await;
    let session = schedule(
        &app,
        &coordinator,
        COURSE_CIT_40,
        "2026-03-02",
        "2026-03-06",
        20,
    )
    .await;
    let enrollment = enroll(&app, &coordinator.token, &session, people[0])
        .await
        .json();
    let path = format!("/api/v1/enrollments/{}", enrollment["id"].as_str().unwrap());

    let too_many = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({"hours_credited": 41}),
        )
        .await;
    assert_eq!(too_many.error_fields(), ["hours_credited"]);
    let done = app
        .patch(
            &path,
            &coordinator.token,
            Some("\"1\""),
            &json!({"status": "completed"}),
        )
        .await;
    done.assert_status(200);
    let body = done.json();
    assert_eq!(body["status"], "completed");
    assert_eq!(body["hours_credited"], 40.0);
    let certificate = &body["issued_certification"];
    assert_eq!(certificate["certification_type_id"], CIT_BASIC);
    assert_eq!(certificate["issued_on"], "2026-03-06");
    assert_eq!(certificate["expires_on"], Value::Null);
    assert_eq!(certificate["status"], "active");
    assert_eq!(certificate["enrollment_id"], enrollment["id"]);

    let person = app
        .get(
            &format!("/api/v1/personnel/{}", people[0]),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(person["cit_certified"], true);
    // The detail reads its lists as json in the same statement: every field as the write said.
    assert_eq!(&person["certifications"], &json!([certificate]));
    let mut completed = body.clone();
    completed
        .as_object_mut()
        .unwrap()
        .remove("issued_certification");
    assert_eq!(&person["enrollments"], &json!([completed]));

    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"status": "failed"}),
    )
    .await
    .problem(409);
    let unchanged = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({"status": "completed"}),
        )
        .await
        .json();
    assert_eq!(unchanged["issued_certification"], Value::Null);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM certifications")
            .await,
        1
    );
    let issued = app.audit_events("certification.issue").await;
    assert_eq!(issued[0].resource_id.as_deref(), certificate["id"].as_str());

    // A course without a certificate completes without one; a type with a validity expires.
    let kind = app
        .post("/api/v1/certification-types", Some(&coordinator.token),
              &json!({"code": "CIT_REFRESH_2Y", "name": "Refresher", "issuer": "ILETSB", "validity_months": 24}))
        .await
        .json();
    let course = app
        .post("/api/v1/courses", Some(&coordinator.token),
              &json!({"code": "REF-2Y", "title": "Refresher", "hours": 8, "provider": "ILETSB", "certification_type_id": kind["id"]}))
        .await
        .json();
    let refresher = schedule(
        &app,
        &coordinator,
        course["id"].as_str().unwrap(),
        "2024-02-28",
        "2024-02-29",
        5,
    )
    .await;
    let e = enroll(&app, &coordinator.token, &refresher, people[1])
        .await
        .json();
    let path = format!("/api/v1/enrollments/{}", e["id"].as_str().unwrap());
    app.patch(
        &path,
        &coordinator.token,
        None,
        &json!({"status": "attended"}),
    )
    .await
    .assert_status(200);
    let done = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({"status": "completed", "hours_credited": 7.5}),
        )
        .await
        .json();
    assert_eq!(done["hours_credited"], 7.5);
    assert_eq!(done["issued_certification"]["issued_on"], "2024-02-29");
    assert_eq!(done["issued_certification"]["expires_on"], "2026-02-28");
    assert_eq!(done["issued_certification"]["status"], "expired");

    let intro = schedule(
        &app,
        &coordinator,
        COURSE_INTRO,
        "2026-01-05",
        "2026-01-05",
        5,
    )
    .await;
    let e = enroll(&app, &coordinator.token, &intro, people[1])
        .await
        .json();
    let done = app
        .patch(
            &format!("/api/v1/enrollments/{}", e["id"].as_str().unwrap()),
            &coordinator.token,
            None,
            &json!({"status": "completed"}),
        )
        .await
        .json();
    assert_eq!(done["issued_certification"], Value::Null);
}

#[actix_web::test]
async fn certificates_earned_elsewhere_are_recorded_listed_and_revoked() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let people = officers(&app, &coordinator.token, 2).await;
    let record = |person: Uuid, kind: &str, issued: &str, number: &str, expires: Option<String>| {
        let mut body = json!({"personnel_id": person, "certification_type_id": kind,
                              "issued_on": issued, "certificate_number": number});
        if let Some(expires) = expires {
            body["expires_on"] = json!(expires);
        }
        let app = &app;
        let token = coordinator.token.clone();
        async move {
            app.post("/api/v1/certifications", Some(&token), &body)
                .await
        }
    };
    let basic = record(people[0], CIT_BASIC, "2019-04-12", "ILETSB-77", None).await;
    basic.assert_status(201);
    assert_eq!(basic.json()["expires_on"], Value::Null);
    assert_eq!(basic.json()["status"], "active");
    record(people[0], CIT_BASIC, "2019-04-12", "ILETSB-77", None)
        .await
        .problem(409);
    let soon = record(
        people[1],
        MH_AWARENESS,
        "2025-01-01",
        "MH-1",
        Some(days_from_today(20)),
    )
    .await;
    soon.assert_status(201);
    record(
        people[1],
        MH_AWARENESS,
        "2018-01-01",
        "MH-0",
        Some("2019-01-01".into()),
    )
    .await
    .assert_status(201);

    let future = record(people[0], MH_AWARENESS, &days_from_today(2), "MH-2", None).await;
    assert_eq!(future.error_fields(), ["issued_on"]);
    let backwards = record(
        people[0],
        MH_AWARENESS,
        "2020-01-01",
        "MH-3",
        Some("2019-01-01".into()),
    )
    .await;
    assert_eq!(backwards.error_fields(), ["expires_on"]);
    let no_type = record(
        people[0],
        &Uuid::now_v7().to_string(),
        "2020-01-01",
        "Z-1",
        None,
    )
    .await;
    assert_eq!(no_type.error_fields(), ["certification_type_id"]);
    let no_person = record(Uuid::now_v7(), MH_AWARENESS, "2020-01-01", "Z-2", None).await;
    assert_eq!(no_person.error_fields(), ["personnel_id"]);

    let count = |query: &str| {
        let app = &app;
        let token = coordinator.token.clone();
        let path = format!("/api/v1/certifications?{query}");
        async move {
            app.get(&path, &token).await.json()["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("").await, 3);
    assert_eq!(count("status=active").await, 2);
    assert_eq!(count("status=expired").await, 1);
    // An active certificate of a type that does not count as CIT does not make its holder
    // CIT-certified; the detail judges the day in Rust, the list filter in SQL: they agree.
    let holder = app
        .get(
            &format!("/api/v1/personnel/{}", people[1]),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(holder["cit_certified"], false);
    // Newest first: MH-0 was recorded after MH-1.
    assert_eq!(holder["certifications"][0]["certificate_number"], "MH-0");
    assert_eq!(holder["certifications"][0]["status"], "expired");
    assert_eq!(holder["certifications"][1]["certificate_number"], "MH-1");
    assert_eq!(holder["certifications"][1]["status"], "active");
    let certified = app
        .get("/api/v1/personnel?cit_certified=true", &coordinator.token)
        .await
        .json();
    assert_eq!(item_strings(&certified, "id"), [people[0].to_string()]);
    assert_eq!(count("expiring_within_days=30").await, 1);
    assert_eq!(count("expiring_within_days=10").await, 0);
    assert_eq!(count(&format!("personnel_id={}", people[0])).await, 1);
    assert_eq!(
        count(&format!("certification_type_id={MH_AWARENESS}")).await,
        2
    );
    app.get(
        "/api/v1/certifications?expiring_within_days=0",
        &coordinator.token,
    )
    .await
    .problem(422);

    let id = basic.json()["id"].as_str().unwrap().to_owned();
    let revoke = format!("/api/v1/certifications/{id}/revoke");
    let empty = app
        .post(&revoke, Some(&coordinator.token), &json!({"reason": " "}))
        .await;
    assert_eq!(empty.error_fields(), ["reason"]);
    let revoked = app
        .post(
            &revoke,
            Some(&coordinator.token),
            &json!({"reason": "issued in error"}),
        )
        .await;
    revoked.assert_status(200);
    assert_eq!(revoked.json()["status"], "revoked");
    assert_eq!(revoked.json()["revoked_reason"], "issued in error");
    app.post(
        &revoke,
        Some(&coordinator.token),
        &json!({"reason": "again"}),
    )
    .await
    .problem(409);
    assert_eq!(count("status=revoked").await, 1);
    let found = app
        .get(&format!("/api/v1/certifications/{id}"), &coordinator.token)
        .await
        .json();
    assert_eq!(found["certificate_number"], "ILETSB-77");
    assert_eq!(found["status"], "revoked");
    let person = app
        .get(
            &format!("/api/v1/personnel/{}", people[0]),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(person["cit_certified"], false);

    let csv = app
        .get_csv("/api/v1/certifications?status=revoked", &coordinator.token)
        .await
        .text();
    assert!(csv.lines().nth(1).unwrap().contains(",revoked,"));
    let supervisor = app.login_as(Role::Supervisor).await;
    app.get("/api/v1/certifications", &supervisor.token)
        .await
        .assert_status(200);
    app.post(&revoke, Some(&supervisor.token), &json!({"reason": "x"}))
        .await
        .problem(403);
    app.get(
        &format!("/api/v1/certifications/{}", Uuid::now_v7()),
        &coordinator.token,
    )
    .await
    .problem(404);
    assert_eq!(app.audit_events("certification.revoke").await.len(), 1);
    assert_eq!(app.audit_events("certification.create").await.len(), 3);
}

#[actix_web::test]
async fn supervisors_read_enrollments_and_only_coordinators_change_them() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let people = officers(&app, &coordinator.token, 2).await;
    let session = schedule(
        &app,
        &coordinator,
        COURSE_CIT_40,
        "2026-03-02",
        "2026-03-06",
        5,
    )
    .await;
    let enrollment = enroll(&app, &coordinator.token, &session, people[0])
        .await
        .json();
    let path = format!("/api/v1/enrollments/{}", enrollment["id"].as_str().unwrap());

    let supervisor = app.login_as(Role::Supervisor).await;
    let found = app.get(&path, &supervisor.token).await;
    found.assert_status(200);
    assert_eq!(found.json()["personnel_id"], people[0].to_string());
    assert_eq!(found.header("etag").as_deref(), Some("\"1\""));
    app.get(
        &format!("/api/v1/training-sessions/{session}/enrollments"),
        &supervisor.token,
    )
    .await
    .assert_status(200);
    app.patch(
        &path,
        &supervisor.token,
        None,
        &json!({"status": "completed"}),
    )
    .await
    .problem(403);
    enroll(&app, &supervisor.token, &session, people[1])
        .await
        .problem(403);
    let analyst = app.login_as(Role::Analyst).await;
    app.get(&path, &analyst.token).await.problem(403);
    app.get(
        &format!("/api/v1/enrollments/{}", Uuid::now_v7()),
        &coordinator.token,
    )
    .await
    .problem(404);
    app.get(
        &format!("/api/v1/training-sessions/{}/enrollments", Uuid::now_v7()),
        &coordinator.token,
    )
    .await
    .problem(404);
    // Nothing was changed by the refused requests.
    let unchanged = app.get(&path, &coordinator.token).await.json();
    assert_eq!(unchanged["status"], "enrolled");
    assert_eq!(unchanged["version"], 1);
}
