//! API keys for machine clients: made by an admin, shown once, stored as a digest, used as a
//! bearer credential, revoked at once, audited.

use cit_api::db::enums::Role;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn an_admin_makes_a_key_that_is_shown_once_and_authenticates_the_rms() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post(
            "/api/v1/api-keys",
            Some(&admin.token),
            &json!({ "name": " rms ", "roles": ["integration"] }),
        )
        .await;
    response.assert_status(201);
    let body = response.json();
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        response.header("location").unwrap(),
        format!("/api/v1/api-keys/{id}")
    );
    assert_eq!(body["name"], "rms");
    assert_eq!(body["roles"], json!(["integration"]));
    assert_eq!(body["last_used_at"], json!(null));
    assert_eq!(body["revoked_at"], json!(null));
    let key = body["key"].as_str().unwrap();
    let prefix = body["prefix"].as_str().unwrap();
    assert!(key.starts_with("citk_") && key.starts_with(&format!("{prefix}_")));
    assert_eq!(key.len(), 5 + 8 + 1 + 43);

    // Stored as a digest only; shown by no read.
    let stored = app
        .count(&format!(
            "SELECT count(*) AS count FROM api_keys WHERE id = '{id}' \
             AND digest = sha256(convert_to('{key}', 'UTF8'))"
        ))
        .await;
    assert_eq!(stored, 1);
    let found = app
        .get(&format!("/api/v1/api-keys/{id}"), &admin.token)
        .await;
    found.assert_status(200);
    assert!(found.json().get("key").is_none());
    assert!(!found.text().contains(key));
    let listed = app.get("/api/v1/api-keys", &admin.token).await;
    assert_eq!(listed.json()["items"][0]["id"], id);
    assert!(!listed.text().contains(key));
    let csv = app.get_csv("/api/v1/api-keys", &admin.token).await;
    assert!(
        csv.text()
            .starts_with("id,name,roles,prefix,created_at,last_used_at,revoked_at\n")
    );
    assert!(
        csv.text()
            .contains(&format!("{id},rms,integration,{prefix},"))
    );

    let created = app.audit_events("api_key.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].resource_id.as_deref(), Some(id));
    assert_eq!(created[0].actor_user_id, Some(admin.id));
    assert!(!created[0].details.contains(&key[prefix.len()..]));

    // The key is a bearer credential with the integration role's rights, and no more.
    let personnel = app.get("/api/v1/personnel", key).await;
    personnel.assert_status(200);
    assert_eq!(
        personnel.header("cache-control").as_deref(),
        Some("no-store")
    );
    app.get("/api/v1/users", key).await.problem(403);
    let denied = app.audit_events("access.denied").await;
    assert_eq!(denied[0].actor_username.as_deref(), Some("rms"));
    assert_eq!(denied[0].actor_user_id, None);
    let by_key = app
        .get(&format!("/api/v1/audit-events?actor={id}"), &admin.token)
        .await;
    assert_eq!(by_key.json()["items"][0]["action"], "access.denied");
    assert_eq!(by_key.json()["items"][0]["actor_api_key_id"], id);
    // What only a signed-in person has is not for a key.
    app.get("/api/v1/me", key).await.problem(403);
    app.post(
        "/api/v1/me/password",
        Some(key),
        &json!({ "current_password": "x", "new_password": "y" }),
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn a_keys_last_use_is_recorded_to_the_minute() {
    let app = TestApp::spawn_at("2026-03-02T15:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let last_used = || async {
        app.get("/api/v1/api-keys", &admin.token).await.json()["items"][0]["last_used_at"].clone()
    };
    assert_eq!(last_used().await, json!(null));

    app.get("/api/v1/personnel", &key).await.assert_status(200);
    assert_eq!(last_used().await, "2026-03-02T15:00:00Z");
    app.clock.advance(chrono::Duration::seconds(30));
    app.get("/api/v1/personnel", &key).await.assert_status(200);
    assert_eq!(
        last_used().await,
        "2026-03-02T15:00:00Z",
        "not a write per request"
    );
    app.clock.advance(chrono::Duration::seconds(45));
    app.get("/api/v1/personnel", &key).await.assert_status(200);
    assert_eq!(last_used().await, "2026-03-02T15:01:15Z");

    // A check that found the use recorded 30 s ago (the cache emptied by a user's creation) is
    // kept only until the next use must be recorded, not a full cache lifetime.
    app.clock.advance(chrono::Duration::seconds(30));
    app.post(
        "/api/v1/users",
        Some(&admin.token),
        &json!({"username": "cache.emptier",
        "display_name": "E", "roles": ["analyst"], "password": "a long enough passphrase"}),
    )
    .await
    .assert_status(201);
    app.get("/api/v1/personnel", &key).await.assert_status(200);
    assert_eq!(last_used().await, "2026-03-02T15:01:15Z");
    app.clock.advance(chrono::Duration::seconds(35));
    app.get("/api/v1/personnel", &key).await.assert_status(200);
    assert_eq!(last_used().await, "2026-03-02T15:02:20Z");
}

#[actix_web::test]
async fn a_revoked_or_unknown_key_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let id = app.get("/api/v1/api-keys", &admin.token).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get("/api/v1/personnel", &key).await.assert_status(200);

    let revoked = app
        .post(
            &format!("/api/v1/api-keys/{id}/revoke"),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    revoked.assert_status(200);
    assert!(revoked.json()["revoked_at"].is_string());
    let refused = app.get("/api/v1/personnel", &key).await;
    assert_eq!(refused.problem(401)["detail"], "the API key is revoked");
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    app.post(
        &format!("/api/v1/api-keys/{id}/revoke"),
        Some(&admin.token),
        &json!({}),
    )
    .await
    .problem(409);
    let events = app.audit_events("api_key.revoke").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].resource_id.as_deref(), Some(id.as_str()));

    // A made-up key, and one altered by a character.
    let unknown = format!("citk_00000000_{}", "A".repeat(43));
    assert_eq!(
        app.get("/api/v1/personnel", &unknown).await.problem(401)["detail"],
        "the API key is not known"
    );
    let fresh = app.api_key(&admin.token, "rms").await;
    let mut altered = fresh.clone();
    altered.pop();
    altered.push(if fresh.ends_with('A') { 'B' } else { 'A' });
    app.get("/api/v1/personnel", &altered).await.problem(401);
    app.get("/api/v1/personnel", &fresh)
        .await
        .assert_status(200);
    // A revoked key's name went to its successor; two live keys may not share one.
    app.post(
        "/api/v1/api-keys",
        Some(&admin.token),
        &json!({ "name": "rms", "roles": ["integration"] }),
    )
    .await
    .problem(409);
    app.post(
        &format!("/api/v1/api-keys/{}/revoke", uuid::Uuid::now_v7()),
        Some(&admin.token),
        &json!({}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn a_key_needs_a_name_and_only_the_integration_role() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases = [
        (json!({ "name": "  ", "roles": ["integration"] }), "name"),
        (
            json!({ "name": "x".repeat(101), "roles": ["integration"] }),
            "name",
        ),
        (json!({ "name": "rms", "roles": [] }), "roles"),
        (json!({ "name": "rms", "roles": ["admin"] }), "roles"),
        (
            json!({ "name": "rms", "roles": ["integration", "analyst"] }),
            "roles",
        ),
    ];
    for (body, field) in cases {
        let response = app
            .post("/api/v1/api-keys", Some(&admin.token), &body)
            .await;
        response.problem(422);
        assert_eq!(response.error_fields(), vec![field], "{body}");
    }
    app.post(
        "/api/v1/api-keys",
        Some(&admin.token),
        &json!({ "name": "rms", "roles": ["integration"], "key": "mine" }),
    )
    .await
    .problem(400);
    app.post(
        "/api/v1/api-keys",
        Some(&admin.token),
        &json!({ "name": "rms" }),
    )
    .await
    .problem(422);
    assert_eq!(app.count("SELECT count(*) AS count FROM api_keys").await, 0);
    assert!(app.audit_events("api_key.create").await.is_empty());
    let _ = Role::Integration;
}
