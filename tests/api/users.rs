//! Admin user management.

use cit_api::db::enums::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use diesel_async::SimpleAsyncConnection;

use crate::helpers::{PASSWORD, TestApp, item_strings};

fn new_user(username: &str) -> Value {
    json!({
        "username": username,
        "display_name": "Jo Rivera",
        "roles": ["coordinator"],
        "password": "a long enough passphrase",
    })
}

#[actix_web::test]
async fn an_admin_creates_a_user_who_can_log_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post("/api/v1/users", Some(&admin.token), &new_user("JRivera"))
        .await;
    response.assert_status(201);
    let body = response.json();
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        response.header("location").unwrap(),
        format!("/api/v1/users/{id}")
    );
    assert_eq!(response.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(body["username"], "jrivera");
    assert_eq!(body["display_name"], "Jo Rivera");
    assert_eq!(body["roles"], json!(["coordinator"]));
    assert_eq!(body["disabled"], false);
    assert_eq!(body["locked"], false);
    assert_eq!(body["version"], 1);
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());

    app.login("jrivera", "a long enough passphrase")
        .await
        .assert_status(200);
    let created = app.audit_events("user.create").await;
    assert_eq!(created[0].resource_id.as_deref(), Some(id));
    assert_eq!(created[0].actor_user_id, Some(admin.id));
    assert!(!created[0].details.contains("passphrase"));

    let found = app.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    found.assert_status(200);
    assert_eq!(found.json(), body);
}

#[actix_web::test]
async fn a_taken_username_is_409_whatever_its_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.post("/api/v1/users", Some(&admin.token), &new_user("pat"))
        .await
        .assert_status(201);
    let again = app
        .post("/api/v1/users", Some(&admin.token), &new_user("PAT"))
        .await;
    assert!(
        again.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("username")
    );
}

#[actix_web::test]
async fn invalid_users_are_422_with_every_bad_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases = [
        (
            json!({"username": "x", "display_name": " ", "roles": [], "password": "short"}),
            vec!["username", "display_name", "roles", "password"],
        ),
        (
            json!({"username": "dispatch-7", "display_name": "D", "roles": ["analyst"], "password": "dispatch-7 is my name"}),
            vec!["password"],
        ),
        (
            json!({"username": "casey", "display_name": "C", "roles": ["analyst"], "password": "qwertyuiop123"}),
            vec!["password"],
        ),
        (
            json!({"username": "casey", "display_name": "C", "roles": ["partner"], "password": "a long enough passphrase"}),
            vec!["partner_id"],
        ),
        (
            json!({"username": "casey", "display_name": "C", "roles": ["wizard"], "password": "a long enough passphrase"}),
            vec!["roles[0]"],
        ),
        (
            json!({"username": "casey", "display_name": "C", "password": "a long enough passphrase"}),
            vec!["roles"],
        ),
        (
            json!({"username": "has space", "display_name": "C", "roles": ["analyst"], "password": "a long enough passphrase"}),
            vec!["username"],
        ),
    ];
    for (body, fields) in cases {
        let response = app.post("/api/v1/users", Some(&admin.token), &body).await;
        response.problem(422);
        assert_eq!(response.error_fields(), fields, "{body}");
    }
    let unknown = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            &json!({"username": "casey", "display_name": "C", "roles": ["analyst"], "password": "a long enough passphrase", "is_admin": true}),
        )
        .await;
    unknown.problem(400);
    assert_eq!(unknown.error_fields(), ["is_admin"]);
    assert_eq!(app.count("SELECT count(*) AS count FROM users").await, 1);
}

#[actix_web::test]
async fn only_admins_manage_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let target = app.create_user(&[Role::Analyst]).await;
    let paths = [
        ("GET", "/api/v1/users".to_owned()),
        ("POST", "/api/v1/users".to_owned()),
        ("GET", format!("/api/v1/users/{}", target.id)),
        ("PATCH", format!("/api/v1/users/{}", target.id)),
        ("POST", format!("/api/v1/users/{}/unlock", target.id)),
        ("POST", format!("/api/v1/users/{}/password", target.id)),
    ];
    for role in [
        Role::Coordinator,
        Role::Clinician,
        Role::Supervisor,
        Role::Analyst,
        Role::Auditor,
        Role::Integration,
        Role::Partner,
    ] {
        let user = app.login_as(role).await;
        for (method, path) in &paths {
            let response = app
                .send(
                    method.parse().unwrap(),
                    path,
                    Some(&user.token),
                    &[("content-type", "application/json")],
                    Some(b"{}".to_vec()),
                )
                .await;
            assert_eq!(
                response.status,
                403,
                "{role} {method} {path}: {}",
                response.text()
            );
            response.problem(403);
        }
    }
    for (method, path) in &paths {
        let response = app
            .send(
                method.parse().unwrap(),
                path,
                None,
                &[("content-type", "application/json")],
                Some(b"{}".to_vec()),
            )
            .await;
        response.problem(401);
    }
    let denied = app.audit_events("access.denied").await;
    assert_eq!(denied.len(), 7 * paths.len());
    assert_eq!(
        denied.last().unwrap().resource_id.as_deref(),
        Some("/api/v1/users")
    );
    assert_eq!(denied[0].outcome, "denied");
    assert_eq!(
        (denied[0].action.as_str(), denied[0].resource_type.as_str()),
        ("access.denied", "route")
    );
    assert_eq!(denied[0].details()["required_roles"], json!(["admin"]));
    // The admin may.
    app.get("/api/v1/users", &admin.token)
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn users_are_listed_newest_first_with_filters_cursors_and_csv() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let analysts: Vec<_> = [0, 1, 2]
        .iter()
        .map(|_| app.create_user(&[Role::Analyst]))
        .collect();
    let mut ids = Vec::new();
    for future in analysts {
        ids.push(future.await.id);
    }
    app.create_user(&[Role::Clinician]).await;

    let first = app
        .get("/api/v1/users?role=analyst&limit=2", &admin.token)
        .await;
    first.assert_status(200);
    let page = first.json();
    assert_eq!(
        item_strings(&page, "id"),
        [ids[2].to_string(), ids[1].to_string()]
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/users?role=analyst&limit=2&cursor={cursor}"),
            &admin.token,
        )
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["id"], ids[0].to_string());
    assert_eq!(second["next_cursor"], Value::Null);

    let all = app.get("/api/v1/users", &admin.token).await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
    let by_name = app.get("/api/v1/users?q=ADMI", &admin.token).await.json();
    assert_eq!(by_name["items"].as_array().unwrap().len(), 1);
    let disabled = app
        .get("/api/v1/users?disabled=true", &admin.token)
        .await
        .json();
    assert_eq!(disabled["items"], json!([]));

    let csv = app
        .get_csv("/api/v1/users?role=clinician", &admin.token)
        .await;
    csv.assert_status(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,username,display_name,roles,personnel_id,partner_id,disabled,locked,created_at,version"
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(",clinician,"));

    // Malformed (not a value of the parameter's type, or no such parameter): 400. A value of
    // the right type out of its range, or a cursor this API did not hand out: 422.
    for (bad, status, field) in [
        ("limit=0", 422, "limit"),
        ("limit=501", 422, "limit"),
        ("cursor=zzz", 422, "cursor"),
        ("role=wizard", 400, "role"),
        ("disabled=maybe", 400, "disabled"),
        ("sort=name", 400, "sort"),
    ] {
        let response = app.get(&format!("/api/v1/users?{bad}"), &admin.token).await;
        response.problem(status);
        assert_eq!(response.error_fields(), [field], "{bad}");
    }
}

#[actix_web::test]
async fn unknown_and_malformed_user_ids() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let missing = app
        .get(&format!("/api/v1/users/{}", Uuid::now_v7()), &admin.token)
        .await;
    assert_eq!(missing.problem(404)["detail"], "no user with this id");
    app.get("/api/v1/users/not-a-uuid", &admin.token)
        .await
        .problem(400);
    app.patch(
        &format!("/api/v1/users/{}", Uuid::now_v7()),
        &admin.token,
        None,
        &json!({}),
    )
    .await
    .problem(404);
    app.post(
        &format!("/api/v1/users/{}/unlock", Uuid::now_v7()),
        Some(&admin.token),
        &json!({}),
    )
    .await
    .problem(404);
    app.post(
        &format!("/api/v1/users/{}/password", Uuid::now_v7()),
        Some(&admin.token),
        &json!({"new_password": "a long enough passphrase"}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn patch_merges_honours_if_match_and_audits_field_names() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.create_user(&[Role::Analyst]).await;
    let path = format!("/api/v1/users/{}", user.id);
    let personnel = app
        .create_person(
            &admin.token,
            &json!({
                "employee_number": "P-1", "first_name": "Sam", "last_name": "Lee",
                "department": "police", "role": "officer", "hire_date": "2020-01-01"
            }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let changed = app
        .patch(&path, &admin.token, Some("\"1\""), &json!({
            "display_name": "Sam Lee", "roles": ["supervisor", "analyst"], "personnel_id": personnel
        }))
        .await;
    changed.assert_status(200);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    let body = changed.json();
    assert_eq!(body["display_name"], "Sam Lee");
    assert_eq!(body["roles"], json!(["supervisor", "analyst"]));
    assert_eq!(body["personnel_id"], personnel);
    // A link to a record that does not exist is refused.
    app.patch(
        &path,
        &admin.token,
        None,
        &json!({ "personnel_id": Uuid::now_v7() }),
    )
    .await
    .problem(422);
    assert_eq!(body["version"], 2);

    // A stale version is refused and nothing changes.
    let stale = app
        .patch(
            &path,
            &admin.token,
            Some("\"1\""),
            &json!({ "display_name": "Overwritten" }),
        )
        .await;
    stale.problem(412);
    assert_eq!(
        app.get(&path, &admin.token).await.json()["display_name"],
        "Sam Lee"
    );

    // null clears a link; absent fields stay.
    let cleared = app
        .patch(&path, &admin.token, None, &json!({ "personnel_id": null }))
        .await;
    assert_eq!(cleared.json()["personnel_id"], Value::Null);
    assert_eq!(cleared.json()["display_name"], "Sam Lee");
    assert_eq!(cleared.json()["version"], 3);

    // An empty patch changes nothing, not even the version.
    assert_eq!(
        app.patch(&path, &admin.token, None, &json!({}))
            .await
            .json()["version"],
        3
    );

    let invalid = app
        .patch(
            &path,
            &admin.token,
            None,
            &json!({ "display_name": null, "roles": [] }),
        )
        .await;
    invalid.problem(422);
    assert_eq!(invalid.error_fields(), ["display_name", "roles"]);
    app.patch(&path, &admin.token, None, &json!({ "username": "renamed" }))
        .await
        .problem(400);
    app.patch(&path, &admin.token, Some("three"), &json!({}))
        .await
        .problem(400);
    app.patch(&path, &admin.token, None, &json!({ "roles": ["partner"] }))
        .await
        .problem(422);

    let updates = app.audit_events("user.update").await;
    assert_eq!(updates.len(), 2);
    assert_eq!(
        updates[1].details()["changed"],
        json!(["display_name", "roles", "personnel_id"])
    );
    assert_eq!(updates[0].details()["changed"], json!(["personnel_id"]));
}

#[actix_web::test]
async fn the_last_enabled_admin_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = format!("/api/v1/users/{}", admin.id);
    app.patch(&path, &admin.token, None, &json!({ "disabled": true }))
        .await
        .problem(409);
    app.patch(&path, &admin.token, None, &json!({ "roles": ["auditor"] }))
        .await
        .problem(409);
    // With a second admin it is allowed.
    app.create_user(&[Role::Admin]).await;
    app.patch(&path, &admin.token, None, &json!({ "roles": ["auditor"] }))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn an_admin_sets_a_password_and_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user_with(&[Role::Clinician]).await;
    let path = format!("/api/v1/users/{}/password", user.id);

    let weak = app
        .post(
            &path,
            Some(&admin.token),
            &json!({ "new_password": "short" }),
        )
        .await;
    weak.problem(422);
    assert_eq!(weak.error_fields(), ["new_password"]);

    app.post(
        &path,
        Some(&admin.token),
        &json!({ "new_password": "a brand new passphrase" }),
    )
    .await
    .assert_status(204);
    app.login(&user.username, PASSWORD).await.problem(401);
    app.login(&user.username, "a brand new passphrase")
        .await
        .assert_status(200);
    app.refresh(&user.refresh_token).await.problem(401);
    let reset = app.audit_events("user.password_reset").await;
    assert_eq!(reset[0].details()["sessions_revoked"], 1);
}

#[actix_web::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    for round in 0..2 {
        let app = TestApp::spawn().await;
        let first = app.admin().await;
        let second = app.user_with(&[Role::Admin]).await;
        // Each takes the other's admin role away, at the same moment; in odd rounds by
        // disabling instead.
        let change = if round % 2 == 0 {
            json!({"roles": ["auditor"]})
        } else {
            json!({"disabled": true})
        };
        let (second_path, first_path) = (
            format!("/api/v1/users/{}", second.id),
            format!("/api/v1/users/{}", first.id),
        );
        // Hold both writes at their audit row, after each has checked the rule, so the two
        // transactions truly overlap: without locking what the rule reads, both pass it.
        let mut gate = app.db.connect().await;
        gate.batch_execute("BEGIN; LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE")
            .await
            .unwrap();
        let open_gate = async {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            gate.batch_execute("COMMIT").await.unwrap();
        };
        let (a, b, ()) = tokio::join!(
            app.patch(&second_path, &first.token, None, &change),
            app.patch(&first_path, &second.token, None, &change),
            open_gate,
        );
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        // One wins; the other is refused, either by the rule (409) or because the winner
        // already took its caller's admin role (403) or session (401).
        assert_eq!(
            statuses[0],
            200,
            "round {round}: {} / {}",
            a.text(),
            b.text()
        );
        assert!(
            [401, 403, 409].contains(&statuses[1]),
            "round {round}: {} / {}",
            a.text(),
            b.text()
        );
        let admins = app
            .count(
                "SELECT count(*) AS count FROM users \
                 WHERE 'admin' = ANY(roles::text[]) AND NOT disabled",
            )
            .await;
        assert_eq!(admins, 1, "round {round}");
    }
}
