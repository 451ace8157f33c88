//! The audit trail: who may read it, its filters, and that the database keeps it append-only.

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[actix_web::test]
async fn auditors_and_admins_read_the_trail_and_their_reading_is_recorded() {
    let app = TestApp::spawn().await;
    let auditor = app.login_as(Role::Auditor).await;
    let admin = app.admin().await;

    let page = app
        .get("/api/v1/audit-events?action=auth.login", &auditor.token)
        .await;
    page.assert_status(200);
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "the auditor's and the admin's logins");
    assert_eq!(items[0]["actor_username"], "admin", "newest first");
    assert_eq!(items[1]["actor_user_id"], auditor.id.to_string());
    assert_eq!(items[1]["outcome"], "success");
    assert_eq!(items[1]["ip"], "127.0.0.1");
    assert!(items[1]["request_id"].is_string());

    app.get("/api/v1/audit-events", &admin.token)
        .await
        .assert_status(200);
    let reads = app.audit_events("audit.list").await;
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0].actor_user_id, Some(admin.id));

    for role in [
        Role::Coordinator,
        Role::Analyst,
        Role::Supervisor,
        Role::Clinician,
        Role::Integration,
    ] {
        let user = app.login_as(role).await;
        app.get("/api/v1/audit-events", &user.token)
            .await
            .problem(403);
    }
    app.get_anonymous("/api/v1/audit-events").await.problem(401);
}

#[actix_web::test]
async fn filters_narrow_the_trail() {
    let app = TestApp::spawn().await;
    let auditor = app.login_as(Role::Auditor).await;
    app.login("admin", "wrong password here").await.problem(401);
    let coordinator = app.login_as(Role::Coordinator).await;
    app.get("/api/v1/users", &coordinator.token)
        .await
        .problem(403);

    let get = |query: &str| {
        let path = format!("/api/v1/audit-events?{query}");
        let token = auditor.token.clone();
        let app = &app;
        async move {
            let response = app.get(&path, &token).await;
            response.assert_status(200);
            response.json()["items"].as_array().unwrap().clone()
        }
    };
    let failed = get("outcome=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["details"]["reason"], "wrong_password");

    let denied = get("action=access.denied&resource_type=route").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["resource_id"], "/api/v1/users");
    assert_eq!(denied[0]["actor_user_id"], coordinator.id.to_string());

    assert_eq!(get(&format!("actor={}", coordinator.id)).await.len(), 2);
    assert_eq!(
        get(&format!("actor={}", coordinator.username.to_uppercase()))
            .await
            .len(),
        2
    );
    let admin_id = failed[0]["resource_id"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&format!("resource_id={admin_id}&action=auth.login"))
            .await
            .len(),
        1
    );

    assert_eq!(get("from=2999-01-01T00:00:00Z").await, Vec::<Value>::new());
    let all = get("to=2999-01-01T00:00:00Z").await.len();
    assert!(all >= 5, "{all}");

    let paged = app
        .get("/api/v1/audit-events?limit=2", &auditor.token)
        .await
        .json();
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    let next = paged["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/audit-events?limit=2&cursor={next}"),
            &auditor.token,
        )
        .await
        .json();
    assert_ne!(rest["items"][0]["id"], paged["items"][0]["id"]);

    for (bad, status) in [
        ("from=yesterday", 400),
        ("outcome=meh", 400),
        ("limit=-1", 422),
    ] {
        app.get(&format!("/api/v1/audit-events?{bad}"), &auditor.token)
            .await
            .problem(status);
    }
}

#[actix_web::test]
async fn the_trail_answers_csv() {
    let app = TestApp::spawn().await;
    let auditor = app.login_as(Role::Auditor).await;
    let csv = app
        .get_csv("/api/v1/audit-events?action=auth.login", &auditor.token)
        .await;
    csv.assert_status(200);
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,occurred_at,actor_user_id,actor_api_key_id,actor_username,action,resource_type,resource_id,outcome,ip,request_id,details"
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",auth.login,user,"), "{row}");
    assert!(row.contains(&auditor.username), "{row}");
}

#[actix_web::test]
async fn the_database_refuses_to_change_or_delete_audit_events() {
    let app = TestApp::spawn().await;
    app.admin().await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM audit_events")
            .await,
        2
    );
    for statement in [
        "UPDATE audit_events SET action = 'nothing'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let error = app.execute(statement).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) AS count FROM audit_events")
            .await,
        2
    );
    // Inserting still works.
    app.execute(
        "INSERT INTO audit_events (id, action, resource_type, outcome) \
         VALUES (gen_random_uuid(), 'test', 'test', 'success')",
    )
    .await
    .unwrap();
    let _ = json!({});
}

#[actix_web::test]
async fn requests_run_as_a_role_that_can_only_append_to_and_read_the_audit_trail() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get("/api/v1/users", &admin.token)
        .await
        .assert_status(200);
    // The app's own connections log in as the service role, not as the owner.
    let name = app.db.name.clone();
    assert!(
        app.count(&format!(
            "SELECT count(*) AS count FROM pg_stat_activity \
             WHERE datname = '{name}' AND usename = 'cit_app'"
        ))
        .await
            > 0
    );

    let url = crate::helpers::server_url().replacen("postgres@", "cit_app@", 1);
    let mut service = AsyncPgConnection::establish(&format!("{url}/{name}"))
        .await
        .unwrap();
    // What requests need works...
    diesel::sql_query(
        "INSERT INTO audit_events (id, action, resource_type, outcome) \
         VALUES (gen_random_uuid(), 'test.probe', 'test', 'success')",
    )
    .execute(&mut service)
    .await
    .unwrap();
    assert!(
        diesel::sql_query("SELECT 1 FROM audit_events LIMIT 1")
            .execute(&mut service)
            .await
            .is_ok()
    );
    // ...and nothing that would rewrite the trail does.
    for statement in [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "DROP TABLE audit_events",
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('99999999999999')",
    ] {
        let error = diesel::sql_query(statement)
            .execute(&mut service)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("permission denied")
                || error.to_string().contains("must be owner"),
            "{statement}: {error}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) AS count FROM audit_events WHERE action = 'forged'")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_derived_service_role_gets_the_urls_password_as_a_scram_verifier_only() {
    use base64::Engine;

    let db = crate::helpers::TestDatabase::create().await;
    // Trust authentication here ignores the password; the role is still given it.
    let url = db
        .url()
        .replacen("postgres@", "postgres:derived%20secret@", 1);
    let app = TestApp::spawn_with(db, crate::helpers::settings(url)).await;
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Text)]
        rolpassword: String,
    }
    let mut conn = app.db.connect().await;
    let stored: Stored = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT rolpassword FROM pg_authid WHERE rolname = 'cit_app'"),
        &mut conn,
    )
    .await
    .unwrap();
    let salt = stored
        .rolpassword
        .strip_prefix("SCRAM-SHA-256$4096:")
        .and_then(|rest| rest.split('$').next())
        .map(|salt| {
            base64::engine::general_purpose::STANDARD
                .decode(salt)
                .unwrap()
        })
        .expect("a SCRAM verifier");
    assert_eq!(
        cit_api::db::scram::verifier("derived secret", &salt).as_deref(),
        Some(stored.rolpassword.as_str())
    );
}
