//! Personnel records, their access rules, filters and the roster import.

use cit_api::db::enums::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{CIT_BASIC, TestApp, TestDatabase, employee_numbers};

fn officer(number: &str) -> Value {
    json!({
        "employee_number": number,
        "first_name": "Ana",
        "last_name": "Diaz",
        "department": "police",
        "role": "officer",
        "rank": "Patrol Officer",
        "shift": "B",
        "hire_date": "2016-08-15",
    })
}

#[actix_web::test]
async fn a_coordinator_creates_finds_and_edits_a_person() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let response = app
        .post(
            "/api/v1/personnel",
            Some(&coordinator.token),
            &officer("P-100"),
        )
        .await;
    response.assert_status(201);
    let body = response.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        response.header("location").unwrap(),
        format!("/api/v1/personnel/{id}")
    );
    assert_eq!(response.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(body["employee_number"], "P-100");
    assert_eq!(body["status"], "active");
    assert_eq!(body["designated_staff"], false);
    assert_eq!(body["cit_certified"], false);
    assert_eq!(body["separation_date"], Value::Null);

    let path = format!("/api/v1/personnel/{id}");
    let found = app.get(&path, &coordinator.token).await;
    found.assert_status(200);
    let detail = found.json();
    assert_eq!(detail["last_name"], "Diaz");
    assert_eq!(detail["certifications"], json!([]));
    assert_eq!(detail["enrollments"], json!([]));

    let moved = app
        .patch(
            &path,
            &coordinator.token,
            Some("\"1\""),
            &json!({ "shift": "C", "rank": null }),
        )
        .await;
    moved.assert_status(200);
    assert_eq!(moved.json()["shift"], "C");
    assert_eq!(moved.json()["rank"], Value::Null);
    assert_eq!(moved.header("etag").as_deref(), Some("\"2\""));
    app.patch(
        &path,
        &coordinator.token,
        Some("\"1\""),
        &json!({ "shift": "A" }),
    )
    .await
    .problem(412);

    // Separation is a date, never a deletion.
    let separated = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({ "separation_date": "2024-03-31" }),
        )
        .await;
    assert_eq!(separated.json()["status"], "separated");
    let rehired = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({ "separation_date": null }),
        )
        .await;
    assert_eq!(rehired.json()["status"], "active");
    let leave = app
        .patch(
            &path,
            &coordinator.token,
            None,
            &json!({ "status": "leave" }),
        )
        .await;
    assert_eq!(leave.json()["status"], "leave");

    assert_eq!(app.audit_events("personnel.create").await.len(), 1);
    let updates = app.audit_events("personnel.update").await;
    assert_eq!(updates.len(), 4);
    assert_eq!(updates[3].details()["changed"], json!(["rank", "shift"]));
    assert!(!updates[3].details.contains("Diaz"));
}

/// Once read, a person's detail is served from memory (`personnel::cache`), and it never
/// outlives a change: a write through any route is seen by the next read, and a change made in
/// the database by anyone (an operator's SQL, another instance) within a second.
#[actix_web::test]
async fn a_cached_detail_never_outlives_a_change() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let person = app
        .create_person(&coordinator.token, &officer("P-300"))
        .await;
    let id = person["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/personnel/{id}");
    let first = app.until_cached(&path, &coordinator.token).await;
    let hits = app.metric("personnel_cache_hits_total").await;
    let again = app.get(&path, &coordinator.token).await;
    again.assert_status(200);
    assert_eq!(app.metric("personnel_cache_hits_total").await, hits + 1);
    assert_eq!(again.text(), first.text());
    assert_eq!(again.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        again.header("content-type").as_deref(),
        Some("application/json")
    );

    // Who may read it is decided before the cache is asked.
    let analyst = app.login_as(Role::Analyst).await;
    app.get(&path, &analyst.token).await.problem(403);

    // A write through another resource's route: the next read has it.
    let certificate = app
        .post(
            "/api/v1/certifications",
            Some(&coordinator.token),
            &json!({"personnel_id": id, "certification_type_id": CIT_BASIC,
                    "issued_on": "2019-04-12", "certificate_number": "ILETSB-300"}),
        )
        .await;
    certificate.assert_status(201);
    let detail = app.get(&path, &coordinator.token).await.json();
    assert_eq!(detail["cit_certified"], true);
    assert_eq!(detail["certifications"], json!([certificate.json()]));

    // The routes that write no person keep the details; any other write forgets them on
    // this instance before it answers, with no notification (partners notify none).
    let key = app.api_key(&app.admin().await.token, "rms").await;
    app.until_cached(&path, &coordinator.token).await;
    let stored = app
        .post(
            "/api/v1/calls/batch",
            Some(&key),
            &json!({"calls": [crate::calls::call("C-1", "2026-03-01T10:00:00Z")]}),
        )
        .await;
    stored.assert_status(200);
    let hits = app.metric("personnel_cache_hits_total").await;
    app.get(&path, &coordinator.token).await.assert_status(200);
    assert_eq!(app.metric("personnel_cache_hits_total").await, hits + 1);
    crate::partners::create(&app, &coordinator.token, &crate::partners::crisis_line()).await;
    let misses = app.metric("personnel_cache_misses_total").await;
    app.get(&path, &coordinator.token).await.assert_status(200);
    assert_eq!(app.metric("personnel_cache_misses_total").await, misses + 1);

    // A write the service never saw: read again until it shows, within a second.
    app.execute(&format!(
        "UPDATE certifications SET revoked_at = now(), revoked_reason = 'misconduct' \
          WHERE personnel_id = '{id}'"
    ))
    .await
    .unwrap();
    let started = std::time::Instant::now();
    loop {
        let detail = app.get(&path, &coordinator.token).await.json();
        if detail["cit_certified"] == false {
            assert_eq!(detail["certifications"][0]["status"], "revoked");
            break;
        }
        assert!(
            started.elapsed().as_millis() < 1_000,
            "still certified after 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}

/// Roster pages are cached too, per projection (an integration key sees numbers only) and
/// query string, and forgotten with the details.
#[actix_web::test]
async fn a_cached_roster_page_never_outlives_a_change() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let key = app.api_key(&app.admin().await.token, "rms").await;
    app.create_person(&coordinator.token, &officer("P-400"))
        .await;
    let page = "/api/v1/personnel?limit=1";
    let numbers = app.until_cached(page, &key).await.json();
    assert_eq!(numbers["items"][0]["employee_number"], "P-400");
    assert_eq!(numbers["items"][0].get("department"), None, "numbers only");
    let whole = app.until_cached(page, &coordinator.token).await.json();
    assert_eq!(whole["items"][0]["department"], "police");
    let misses = app.metric("personnel_pages_cache_misses_total").await;
    let again = app.get(page, &key).await.json();
    assert_eq!(again, numbers);
    assert_eq!(
        app.metric("personnel_pages_cache_misses_total").await,
        misses
    );

    app.create_person(&coordinator.token, &officer("P-401"))
        .await;
    let after = app.get(page, &key).await.json();
    assert_eq!(after["items"][0]["employee_number"], "P-401");
    // A CSV page is never cached.
    let csv = app.get_csv(page, &key).await;
    csv.assert_status(200);
    assert!(csv.text().contains("P-401"), "{}", csv.text());
}

/// `CIT_READ_CACHE_SECONDS=0`: every read asks the database.
#[actix_web::test]
async fn with_no_read_cache_every_detail_is_read_from_the_database() {
    let db = TestDatabase::create().await;
    let mut settings = crate::helpers::settings(db.url());
    settings.read_cache = std::time::Duration::ZERO;
    let app = TestApp::spawn_with(db, settings).await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let person = app
        .create_person(&coordinator.token, &officer("P-301"))
        .await;
    let path = format!("/api/v1/personnel/{}", person["id"].as_str().unwrap());
    for _ in 0..3 {
        app.get(&path, &coordinator.token).await.assert_status(200);
    }
    assert_eq!(app.metric("personnel_cache_on").await, 0);
    assert_eq!(app.metric("personnel_cache_hits_total").await, 0);
    assert_eq!(app.metric("personnel_cache_misses_total").await, 3);
}

#[actix_web::test]
async fn invalid_people_are_422_and_duplicates_409() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    app.post(
        "/api/v1/personnel",
        Some(&coordinator.token),
        &officer("P-1"),
    )
    .await
    .assert_status(201);
    app.post(
        "/api/v1/personnel",
        Some(&coordinator.token),
        &officer("P-1"),
    )
    .await
    .problem(409);

    let with = |changes: Value| {
        let mut body = officer("P-2");
        for (key, value) in changes.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let cases = [
        (with(json!({"department": "parks"})), vec!["department"]),
        (with(json!({"hire_date": "2020-13-01"})), vec!["hire_date"]),
        (
            with(json!({"separation_date": "2010-01-01"})),
            vec!["separation_date"],
        ),
        (
            with(json!({"status": "separated"})),
            vec!["separation_date"],
        ),
        (
            with(json!({"status": "active", "separation_date": "2020-01-01"})),
            vec!["status"],
        ),
        (
            with(json!({"first_name": " ", "last_name": "", "employee_number": "has space"})),
            vec!["employee_number", "first_name", "last_name"],
        ),
    ];
    for (body, fields) in cases {
        let response = app
            .post("/api/v1/personnel", Some(&coordinator.token), &body)
            .await;
        response.problem(422);
        assert_eq!(response.error_fields(), fields, "{body}");
    }
    app.post(
        "/api/v1/personnel",
        Some(&coordinator.token),
        &with(json!({"badge": 7})),
    )
    .await
    .problem(400);
    let id = app.person_id("P-1").await;
    app.patch(
        &format!("/api/v1/personnel/{id}"),
        &coordinator.token,
        None,
        &json!({"hire_date": null}),
    )
    .await
    .problem(422);
    app.get(
        &format!("/api/v1/personnel/{}", Uuid::now_v7()),
        &coordinator.token,
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn who_may_read_and_write_personnel() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let person = app.create_person(&coordinator.token, &officer("P-7")).await;
    let other = app.create_person(&coordinator.token, &officer("P-8")).await;
    let path = format!("/api/v1/personnel/{}", person["id"].as_str().unwrap());

    let supervisor = app.login_as(Role::Supervisor).await;
    app.get("/api/v1/personnel", &supervisor.token)
        .await
        .assert_status(200);
    app.get(&path, &supervisor.token).await.assert_status(200);
    app.post(
        "/api/v1/personnel",
        Some(&supervisor.token),
        &officer("P-9"),
    )
    .await
    .problem(403);
    app.patch(&path, &supervisor.token, None, &json!({"shift": "A"}))
        .await
        .problem(403);
    app.import_roster(&supervisor.token, "employee_number\n")
        .await
        .problem(403);

    for role in [Role::Analyst, Role::Clinician, Role::Auditor, Role::Partner] {
        let user = app.login_as(role).await;
        app.get("/api/v1/personnel", &user.token).await.problem(403);
        app.get(&path, &user.token).await.problem(403);
    }
    app.get_anonymous("/api/v1/personnel").await.problem(401);

    // The records management system sees numbers and names only, and no single record.
    let rms = app.login_as(Role::Integration).await;
    let listed = app.get("/api/v1/personnel", &rms.token).await.json();
    let item = &listed["items"][0];
    let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["employee_number", "first_name", "id", "last_name"]);
    app.get(&path, &rms.token).await.problem(403);

    // A user linked to a record reads it, and only it.
    let admin = app.admin().await;
    let linked = app.create_user(&[Role::Analyst]).await;
    app.patch(
        &format!("/api/v1/users/{}", linked.id),
        &admin.token,
        None,
        &json!({"personnel_id": person["id"]}),
    )
    .await
    .assert_status(200);
    let linked = app.log_in(&linked).await;
    let own = app.get(&path, &linked.token).await;
    own.assert_status(200);
    assert_eq!(own.json()["employee_number"], "P-7");
    app.get(
        &format!("/api/v1/personnel/{}", other["id"].as_str().unwrap()),
        &linked.token,
    )
    .await
    .problem(403);
    assert!(!app.audit_events("access.denied").await.is_empty());
}

#[actix_web::test]
async fn personnel_filters_pages_and_csv() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let roster = "employee_number,first_name,last_name,department,role,shift,hire_date,separation_date,designated_staff\n\
                  P-1,Ana,Diaz,police,officer,A,2015-01-01,,no\n\
                  P-2,Bo,Ng,police,officer,B,2016-01-01,,no\n\
                  P-3,Cy,Roe,police,supervisor,A,2010-01-01,2020-01-31,no\n\
                  D-1,Di,Ito,communications,telecommunicator,A,2018-01-01,,yes\n\
                  F-1,Ed,Fox,fire,firefighter,C,2019-01-01,,no\n";
    app.import_roster(&coordinator.token, roster)
        .await
        .assert_status(200);
    app.post(
        "/api/v1/certifications",
        Some(&coordinator.token),
        &json!({"personnel_id": app.person_id("P-2").await, "certification_type_id": CIT_BASIC,
                "issued_on": "2020-05-01", "certificate_number": "X-1"}),
    )
    .await
    .assert_status(201);

    let numbers = |query: &'static str| {
        let app = &app;
        let token = coordinator.token.clone();
        async move {
            let body = app
                .get(&format!("/api/v1/personnel?{query}"), &token)
                .await
                .json();
            employee_numbers(&body)
        }
    };
    assert_eq!(numbers("department=police").await, ["P-1", "P-2", "P-3"]);
    assert_eq!(numbers("role=officer").await, ["P-1", "P-2"]);
    assert_eq!(numbers("status=separated").await, ["P-3"]);
    assert_eq!(numbers("shift=A").await, ["D-1", "P-1", "P-3"]);
    assert_eq!(numbers("designated_staff=true").await, ["D-1"]);
    assert_eq!(numbers("cit_certified=true").await, ["P-2"]);
    assert_eq!(
        numbers("cit_certified=false&department=police").await,
        ["P-1", "P-3"]
    );
    assert_eq!(numbers("q=ng").await, ["P-2"]);
    assert_eq!(numbers("q=f-1").await, ["F-1"]);

    let first = app
        .get("/api/v1/personnel?limit=3", &coordinator.token)
        .await
        .json();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/personnel?limit=3&cursor={cursor}"),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next_cursor"], Value::Null);

    let csv = app
        .get_csv("/api/v1/personnel?role=officer", &coordinator.token)
        .await;
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id,employee_number,first_name,last_name,department,role"));
    assert_eq!(lines.len(), 3);
    app.get("/api/v1/personnel?department=parks", &coordinator.token)
        .await
        .problem(400);
}

#[actix_web::test]
async fn the_roster_import_keeps_good_lines_reports_bad_ones_and_is_idempotent() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let roster = "employee_number,first_name,last_name,department,role,rank,shift,hire_date,separation_date,status,designated_staff\n\
                  P-1,Ana,Diaz,police,officer,Officer,A,2015-01-01,,,false\n\
                  P-2,Bo,Ng,police,astronaut,,B,2016-01-01,,,false\n\
                  P-3,Cy,Roe,police,supervisor,Sergeant,A,2010-01-01,2020-01-31,,false\n\
                  D-1,Di,Ito,communications,telecommunicator,,A,2018-01-01,,leave,true\n\
                  F-1,Ed,Fox,fire,firefighter,,C,2019-02-30,,,false\n\
                  P-1,Al,Dup,police,officer,,A,2015-01-01,,,false\n";
    let first = app.import_roster(&coordinator.token, roster).await;
    first.assert_status(200);
    let report = first.json();
    assert_eq!(report["created"], 3);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["unchanged"], 0);
    let errors = report["errors"].as_array().unwrap();
    let lines: Vec<u64> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 6, 7]);
    assert!(errors[0]["message"].as_str().unwrap().starts_with("role:"));
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("hire_date:")
    );
    assert_eq!(errors[2]["message"], "employee_number: repeats line 2");
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel").await,
        3
    );

    let separated = app
        .get(
            &format!("/api/v1/personnel/{}", app.person_id("P-3").await),
            &coordinator.token,
        )
        .await;
    assert_eq!(separated.json()["status"], "separated");
    assert_eq!(separated.json()["separation_date"], "2020-01-31");

    let again = app.import_roster(&coordinator.token, roster).await.json();
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel WHERE version > 1")
            .await,
        0
    );

    let changed = "employee_number,first_name,last_name,department,role,shift,hire_date\n\
                   P-1,Ana,Diaz-Lopez,police,officer,A,2015-01-01\n\
                   N-1,New,Hire,police,officer,,2026-01-05\n";
    let report = app.import_roster(&coordinator.token, changed).await.json();
    assert_eq!(
        (
            report["created"].as_u64(),
            report["updated"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let p1 = app
        .get(
            &format!("/api/v1/personnel/{}", app.person_id("P-1").await),
            &coordinator.token,
        )
        .await
        .json();
    assert_eq!(p1["last_name"], "Diaz-Lopez");
    // A column the file lacks leaves the field alone.
    assert_eq!(p1["rank"], "Officer");
    assert_eq!(p1["shift"], "A");

    let imports = app.audit_events("personnel.import").await;
    assert_eq!(imports.len(), 3);
    assert_eq!(imports[2].details()["rejected_lines"], json!([3, 6, 7]));

    let missing = app
        .import_roster(&coordinator.token, "employee_number,first_name\nP-1,Ana\n")
        .await;
    missing.problem(422);
    assert_eq!(
        missing.error_fields(),
        ["header", "header", "header", "header"]
    );
    app.send(
        actix_web::http::Method::POST,
        "/api/v1/personnel/import",
        Some(&coordinator.token),
        &[("content-type", "application/json")],
        Some(b"{}".to_vec()),
    )
    .await
    .problem(415);
}

/// Services take the caller's connection: inside the caller's transaction each call is a
/// savepoint, so a batch keeps its good records when one is bad, and the caller alone decides
/// whether any of it is committed.
#[actix_rt::test]
async fn services_compose_inside_the_callers_transaction() {
    use cit_api::auth::{Caller, Principal};
    use cit_api::error::AppError;
    use cit_api::http::context::RequestMeta;
    use cit_api::ids::SessionId;
    use cit_api::personnel::{payloads::CreatePersonnel, service};
    use diesel_async::AsyncConnection;

    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let actor = Caller {
        principal: Principal::User {
            id: admin.id,
            session: SessionId::generate(),
        },
        name: admin.username.clone(),
        roles: vec![Role::Admin],
        personnel_id: None,
        partner_id: None,
    };
    let meta = RequestMeta {
        request_id: Uuid::now_v7(),
        ip: None,
    };
    let person =
        |number: &str| -> CreatePersonnel { serde_json::from_value(officer(number)).unwrap() };
    let mut conn = app.db.connect().await;

    let outcomes = conn
        .transaction::<_, AppError, _>(async |tx| {
            let mut outcomes = Vec::new();
            for number in ["B-1", "B-1", "B-2"] {
                let created =
                    service::create(tx, &actor, &meta, person(number), "America/Chicago").await;
                outcomes.push(created.map(|row| row.employee_number));
            }
            Ok(outcomes)
        })
        .await
        .unwrap();
    assert_eq!(outcomes[0].as_deref().ok(), Some("B-1"));
    assert!(
        matches!(outcomes[1], Err(AppError::Conflict(_))),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(outcomes[2].as_deref().ok(), Some("B-2"));
    let stored = "SELECT count(*) AS count FROM personnel WHERE employee_number LIKE 'B-%'";
    assert_eq!(app.count(stored).await, 2);
    assert_eq!(app.audit_events("personnel.create").await.len(), 2);

    let refused = conn
        .transaction::<(), AppError, _>(async |tx| {
            service::create(tx, &actor, &meta, person("C-1"), "America/Chicago").await?;
            Err(AppError::Conflict("the caller changed its mind".into()))
        })
        .await;
    assert!(refused.is_err());
    let kept = "SELECT count(*) AS count FROM personnel WHERE employee_number = 'C-1'";
    assert_eq!(app.count(kept).await, 0, "rolled back with the caller");
    assert_eq!(app.audit_events("personnel.create").await.len(), 2);
}

#[actix_web::test]
async fn a_roster_bigger_than_the_database_lock_table_imports() {
    // 40,000 people: far more than PostgreSQL's shared lock table holds by default (64 locks
    // a transaction × 100 connections, plus some slack), which one advisory lock per employee
    // number exhausted ("out of shared memory", a 500).
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let mut roster =
        String::from("employee_number,first_name,last_name,department,role,shift,hire_date\n");
    for n in 0..40_000 {
        roster.push_str(&format!("L-{n:05},F{n},L{n},police,officer,A,2015-01-05\n"));
    }
    let response = app.import_roster(&coordinator.token, &roster).await;
    response.assert_status(200);
    assert_eq!(response.json()["created"], 40_000);
}
