//! Login, lockout, tokens, refresh rotation, logout.

use std::time::Instant;

use actix_web::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cit_api::db::enums::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, JWT_SECRET, PASSWORD, TestApp};

#[actix_web::test]
async fn login_returns_a_token_pair_that_works() {
    let app = TestApp::spawn().await;
    let response = app.login(ADMIN, ADMIN_PASSWORD).await;
    response.assert_status(200);
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_expires_in"], 1800);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);

    let me = app
        .get("/api/v1/me", body["access_token"].as_str().unwrap())
        .await;
    me.assert_status(200);
    assert_eq!(me.json()["username"], ADMIN);
    assert_eq!(me.json()["roles"], json!(["admin"]));

    let success = app.audit_events("auth.login").await;
    assert_eq!(success.len(), 1);
    assert_eq!(success[0].outcome, "success");
    assert_eq!(success[0].actor_username.as_deref(), Some(ADMIN));
}

#[actix_web::test]
async fn the_username_is_case_insensitive() {
    let app = TestApp::spawn().await;
    app.login("  ADMIN ", ADMIN_PASSWORD)
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn unknown_user_and_wrong_password_get_the_same_answer_in_similar_time() {
    let app = TestApp::spawn().await;
    // Warm up the connection pool and the argon2 code path.
    app.login(ADMIN, "not the password at all").await;

    let mut unknown_time = 0.0;
    let mut wrong_time = 0.0;
    let mut unknown = None;
    let mut wrong = None;
    for _ in 0..3 {
        let started = Instant::now();
        unknown = Some(app.login("nobody-at-all", "not the password at all").await);
        unknown_time += started.elapsed().as_secs_f64();
        let started = Instant::now();
        wrong = Some(app.login(ADMIN, "not the password either").await);
        wrong_time += started.elapsed().as_secs_f64();
    }
    let (unknown, wrong) = (unknown.unwrap(), wrong.unwrap());
    let a = unknown.problem(401);
    let b = wrong.problem(401);
    for key in ["type", "title", "status", "detail"] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert!(
        unknown
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer"),
        "401 carries a Bearer challenge"
    );
    // Both verify one argon2 hash; an unknown name must not answer in a fraction of the time.
    assert!(
        unknown_time > wrong_time * 0.4,
        "unknown {unknown_time:.3}s vs wrong {wrong_time:.3}s"
    );
    let failures = app.audit_events("auth.login").await;
    assert!(failures.iter().any(|e| e.outcome == "failed"
        && e.actor_user_id.is_none()
        && e.actor_username.as_deref() == Some("nobody-at-all")));
}

#[actix_web::test]
async fn five_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user_with(&[Role::Coordinator]).await;

    for attempt in 1..=4 {
        app.login(&user.username, "wrong password number")
            .await
            .problem(401);
        let _ = attempt;
    }
    let fifth = app.login(&user.username, "wrong password number").await;
    assert_eq!(
        fifth.problem(423)["type"],
        "urn:cit-api:problem:account-locked"
    );

    // The right password does not help now, and the token in hand stops working at once.
    app.login(&user.username, PASSWORD).await.problem(423);
    app.get("/api/v1/me", &user.token).await.problem(401);

    let lockouts = app.audit_events("auth.lockout").await;
    assert_eq!(lockouts.len(), 1);
    assert_eq!(lockouts[0].actor_user_id, Some(user.id));
    let failed = app
        .audit_events("auth.login")
        .await
        .into_iter()
        .filter(|e| e.actor_user_id == Some(user.id) && e.outcome == "failed")
        .count();
    assert_eq!(failed, 5);

    let listed = app.get("/api/v1/users?locked=true", &admin.token).await;
    assert_eq!(listed.json()["items"][0]["id"], user.id.to_string());

    let unlocked = app
        .post(
            &format!("/api/v1/users/{}/unlock", user.id),
            Some(&admin.token),
            &json!({}),
        )
        .await;
    unlocked.assert_status(200);
    assert_eq!(unlocked.json()["locked"], false);
    app.login(&user.username, PASSWORD).await.assert_status(200);
    assert_eq!(app.audit_events("user.unlock").await.len(), 1);
}

#[actix_web::test]
async fn a_success_resets_the_failure_count() {
    let app = TestApp::spawn().await;
    let user = app.create_user(&[Role::Analyst]).await;
    for _ in 0..4 {
        app.login(&user.username, "wrong password number")
            .await
            .problem(401);
    }
    app.login(&user.username, PASSWORD).await.assert_status(200);
    for _ in 0..4 {
        app.login(&user.username, "wrong password number")
            .await
            .problem(401);
    }
    app.login(&user.username, PASSWORD).await.assert_status(200);
}

#[actix_web::test]
async fn a_disabled_user_cannot_log_in_and_its_token_stops_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user_with(&[Role::Supervisor]).await;
    app.get("/api/v1/me", &user.token).await.assert_status(200);

    app.patch(
        &format!("/api/v1/users/{}", user.id),
        &admin.token,
        None,
        &json!({ "disabled": true }),
    )
    .await
    .assert_status(200);

    app.get("/api/v1/me", &user.token).await.problem(401);
    app.login(&user.username, PASSWORD).await.problem(401);
    app.refresh(&user.refresh_token).await.problem(401);
}

fn sign(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

/// The `sid` (login session) claim of an access token.
fn session_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sid"].clone()
}

#[actix_web::test]
async fn bad_tokens_are_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let now = chrono::Utc::now().timestamp();
    let session = session_of(&admin.token);
    let claims = |iss: &str, aud: &str, exp: i64| {
        json!({ "sub": admin.id, "roles": ["admin"], "iat": now - 10, "exp": exp,
                "iss": iss, "aud": aud, "jti": Uuid::now_v7(), "sid": session })
    };
    let mut not_yet = claims("cit-api", "cit-api", now + 600);
    not_yet["nbf"] = json!(now + 300);
    let mut from_the_future = claims("cit-api", "cit-api", now + 900);
    from_the_future["iat"] = json!(now + 300);
    let mut other_session = claims("cit-api", "cit-api", now + 60);
    other_session["sid"] = json!(Uuid::now_v7());
    // A token signed with the right key is accepted: the cases below fail for their one flaw.
    app.get("/api/v1/me", &sign(&claims("cit-api", "cit-api", now + 60)))
        .await
        .assert_status(200);

    let mut tampered = admin.token.clone();
    tampered.pop();
    tampered.push(if admin.token.ends_with('A') { 'B' } else { 'A' });
    let payload = admin.token.split('.').nth(1).unwrap();
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );
    // The header names another algorithm; the signature is what that algorithm's verifier
    // would be handed (an HMAC over the same bytes, as in the key-confusion attack).
    let other_algorithm = |alg: &str| {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        let body = URL_SAFE_NO_PAD.encode(claims("cit-api", "cit-api", now + 60).to_string());
        let signed = sign(&claims("cit-api", "cit-api", now + 60));
        let signature = signed.rsplit('.').next().unwrap().to_owned();
        format!("{header}.{body}.{signature}")
    };
    let wrong_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("cit-api", "cit-api", now + 60),
        &EncodingKey::from_secret(b"another key that is at least thirty-two bytes"),
    )
    .unwrap();
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims("cit-api", "cit-api", now + 60),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let mut no_expiry = claims("cit-api", "cit-api", now + 60);
    no_expiry.as_object_mut().unwrap().remove("exp");
    let mut tampered_payload = claims("cit-api", "cit-api", now + 60);
    tampered_payload["roles"] = json!(["admin", "auditor"]);
    let original = sign(&claims("cit-api", "cit-api", now + 60));
    let mut parts: Vec<&str> = original.split('.').collect();
    let forged_body = URL_SAFE_NO_PAD.encode(tampered_payload.to_string());
    parts[1] = &forged_body;
    let tampered_payload = parts.join(".");
    let cases = [
        ("tampered signature", tampered),
        ("tampered payload", tampered_payload),
        ("RS256 in the header", other_algorithm("RS256")),
        ("ES256 in the header", other_algorithm("ES256")),
        ("another HMAC than the pinned one", hs512),
        ("signed with another key", wrong_key),
        ("no expiry", sign(&no_expiry)),
        (
            "a refresh token as a bearer token",
            admin.refresh_token.clone(),
        ),
        (
            "an API key's prefix on something else",
            format!("citk_{}", admin.token),
        ),
        (
            "a made-up API key of the right shape",
            format!("citk_00000000_{}", "A".repeat(43)),
        ),
        ("alg none", alg_none),
        ("expired", sign(&claims("cit-api", "cit-api", now - 120))),
        (
            "other issuer",
            sign(&claims("someone-else", "cit-api", now + 60)),
        ),
        (
            "other audience",
            sign(&claims("cit-api", "someone-else", now + 60)),
        ),
        ("not valid before a future time", sign(&not_yet)),
        ("issued in the future", sign(&from_the_future)),
        ("a session that never was", sign(&other_session)),
        ("garbage", "not-a-jwt".to_owned()),
    ];
    for (case, token) in cases {
        let response = app.get("/api/v1/me", &token).await;
        assert_eq!(response.status, 401, "{case}");
        response.problem(401);
        assert!(
            response
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"),
            "{case}"
        );
    }

    // Credentials in the wrong place: an access token or an API key is no refresh token.
    let key = app.api_key(&admin.token, "rms").await;
    for wrong in [admin.token.clone(), key] {
        let response = app.refresh(&wrong).await;
        response.problem(401);
        assert!(response.header("www-authenticate").is_some());
    }

    let missing = app.get_anonymous("/api/v1/me").await;
    missing.problem(401);
    let basic = app
        .send(
            Method::GET,
            "/api/v1/me",
            None,
            &[("authorization", "Basic YTpi")],
            None,
        )
        .await;
    basic.problem(401);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let user = app.user_with(&[Role::Clinician]).await;

    let first = app.refresh(&user.refresh_token).await;
    first.assert_status(200);
    let rotated = first.json();
    assert_ne!(rotated["refresh_token"], user.refresh_token.as_str());
    app.get("/api/v1/me", rotated["access_token"].as_str().unwrap())
        .await
        .assert_status(200);

    // The old token again: re-use. It fails and takes the new one down with it.
    let reuse = app.refresh(&user.refresh_token).await;
    reuse.problem(401);
    app.refresh(rotated["refresh_token"].as_str().unwrap())
        .await
        .problem(401);

    let events = app.audit_events("auth.refresh").await;
    let outcomes: Vec<&str> = events.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["failed", "denied", "success"]);
    assert_eq!(events[1].details()["reason"], "reused");
    assert_eq!(events[0].details()["reason"], "revoked");
}

#[actix_web::test]
async fn refresh_tokens_idle_out_and_sessions_end_after_twelve_hours() {
    let app = TestApp::spawn_at("2026-05-04T13:00:00Z".parse().unwrap()).await;
    let idle = app.user_with(&[Role::Analyst]).await;
    // 29 minutes without use: still good, and the rotation starts a new 30 minutes.
    app.clock.advance(chrono::Duration::minutes(29));
    let rotated = app.refresh(&idle.refresh_token).await;
    rotated.assert_status(200);
    let mut token = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
    // 31 minutes without use: dead.
    app.clock.advance(chrono::Duration::minutes(31));
    app.refresh(&token).await.problem(401);

    // Used every 25 minutes, a session still ends 12 hours after its login: its last token
    // lives only until then, and the access tokens stop with it.
    let busy = app.user_with(&[Role::Analyst]).await;
    token = busy.refresh_token.clone();
    let mut last = None;
    for _ in 0..28 {
        app.clock.advance(chrono::Duration::minutes(25));
        let response = app.refresh(&token).await;
        response.assert_status(200);
        let body = response.json();
        token = body["refresh_token"].as_str().unwrap().to_owned();
        last = Some(body);
    }
    // 28 × 25 min = 11 h 40 min: the last token may live 20 minutes, not 30.
    let last = last.unwrap();
    assert_eq!(last["refresh_expires_in"], 20 * 60);
    let access = last["access_token"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::Duration::minutes(14));
    app.get("/api/v1/me", &access).await.assert_status(200);
    app.clock.advance(chrono::Duration::minutes(7));
    app.refresh(&token).await.problem(401);
    app.get("/api/v1/me", &access).await.problem(401);

    assert_eq!(
        app.audit_events("auth.refresh")
            .await
            .iter()
            .filter(|e| e.details().get("reason").is_some_and(|r| r == "expired"))
            .count(),
        2
    );
}

#[actix_web::test]
async fn an_unknown_refresh_token_is_401_and_a_missing_one_422() {
    let app = TestApp::spawn().await;
    app.refresh("nope").await.problem(401);
    let missing = app.post("/api/v1/auth/refresh", None, &json!({})).await;
    missing.problem(422);
    assert_eq!(missing.error_fields(), ["refresh_token"]);
}

#[actix_web::test]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    let user = app.user_with(&[Role::Auditor]).await;
    let other_session = app.log_in(&user).await;

    app.post(
        "/api/v1/auth/logout",
        None,
        &json!({ "refresh_token": user.refresh_token }),
    )
    .await
    .problem(401);
    let response = app
        .post(
            "/api/v1/auth/logout",
            Some(&user.token),
            &json!({ "refresh_token": user.refresh_token }),
        )
        .await;
    response.assert_status(204);
    app.refresh(&user.refresh_token).await.problem(401);
    // The session's access token stops at once, not when it expires.
    let ended = app.get("/api/v1/me", &user.token).await;
    assert!(
        ended.problem(401)["detail"]
            .as_str()
            .unwrap()
            .contains("session")
    );
    // Another session of the same user lives on.
    app.get("/api/v1/me", &other_session.token)
        .await
        .assert_status(200);
    app.refresh(&other_session.refresh_token)
        .await
        .assert_status(200);
    let logout = app.audit_events("auth.logout").await;
    assert_eq!(logout.len(), 1);
    assert_eq!(logout[0].details()["revoked"], true);

    // Logging out with another session's (or a made-up) refresh token still ends the
    // caller's own session.
    let third = app.log_in(&user).await;
    app.post(
        "/api/v1/auth/logout",
        Some(&third.token),
        &json!({ "refresh_token": "not-a-token" }),
    )
    .await
    .assert_status(204);
    app.get("/api/v1/me", &third.token).await.problem(401);
    app.refresh(&third.refresh_token).await.problem(401);
}

#[actix_web::test]
async fn changing_my_password_ends_my_other_sessions() {
    let app = TestApp::spawn().await;
    let me = app.user_with(&[Role::Coordinator]).await;
    let elsewhere = app.log_in(&me).await;
    let new_password = "a much better passphrase 7";

    app.post(
        "/api/v1/me/password",
        Some(&me.token),
        &json!({ "current_password": PASSWORD, "new_password": new_password }),
    )
    .await
    .assert_status(204);

    app.login(&me.username, PASSWORD).await.problem(401);
    app.login(&me.username, new_password)
        .await
        .assert_status(200);
    app.refresh(&elsewhere.refresh_token).await.problem(401);
    app.get("/api/v1/me", &elsewhere.token).await.problem(401);
    app.get("/api/v1/me", &me.token).await.assert_status(200);
    app.refresh(&me.refresh_token).await.assert_status(200);
    let events = app.audit_events("auth.password_change").await;
    assert_eq!(events[0].outcome, "success");
    assert_eq!(events[0].details()["other_sessions_revoked"], 1);
}

#[actix_web::test]
async fn a_bad_password_change_is_422_and_wrong_current_passwords_lock() {
    let app = TestApp::spawn().await;
    let me = app.user_with(&[Role::Coordinator]).await;

    let weak = app
        .post(
            "/api/v1/me/password",
            Some(&me.token),
            &json!({ "current_password": PASSWORD, "new_password": "password1234" }),
        )
        .await;
    weak.problem(422);
    assert_eq!(weak.error_fields(), ["new_password"]);

    let same = app
        .post(
            "/api/v1/me/password",
            Some(&me.token),
            &json!({ "current_password": PASSWORD, "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(same.error_fields(), ["new_password"]);

    for _ in 0..4 {
        let wrong = app
            .post(
                "/api/v1/me/password",
                Some(&me.token),
                &json!({ "current_password": "not my password", "new_password": "a fine new passphrase" }),
            )
            .await;
        wrong.problem(422);
        assert_eq!(wrong.error_fields(), ["current_password"]);
    }
    app.post(
        "/api/v1/me/password",
        Some(&me.token),
        &json!({ "current_password": "not my password", "new_password": "a fine new passphrase" }),
    )
    .await
    .problem(423);
    app.get("/api/v1/me", &me.token).await.problem(401);
}

#[actix_web::test]
async fn me_shows_the_callers_account() {
    let app = TestApp::spawn().await;
    let user = app.user_with(&[Role::Analyst, Role::Auditor]).await;
    let me = app.get("/api/v1/me", &user.token).await;
    me.assert_status(200);
    let body = me.json();
    assert_eq!(body["id"], user.id.to_string());
    assert_eq!(body["username"], user.username.as_str());
    assert_eq!(body["roles"], json!(["analyst", "auditor"]));
    assert_eq!(body["personnel_id"], serde_json::Value::Null);
    assert!(body.get("password_hash").is_none());
}

async fn fail_logins(app: &TestApp, count: usize, headers: &[(&str, &str)]) {
    for i in 0..count {
        let body = json!({ "username": format!("nobody-{i}"), "password": "wrong password 123" });
        let response = app
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &[&[("content-type", "application/json")], headers].concat(),
                Some(body.to_string().into_bytes()),
            )
            .await;
        response.problem(401);
    }
}

async fn login_from(app: &TestApp, forwarded_for: &str) -> crate::helpers::Response {
    let body = json!({ "username": ADMIN, "password": ADMIN_PASSWORD });
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", forwarded_for),
        ],
        Some(body.to_string().into_bytes()),
    )
    .await
}

#[actix_web::test]
async fn failed_logins_from_one_address_are_throttled_with_retry_after() {
    let app = TestApp::spawn_at("2026-05-04T13:00:00Z".parse().unwrap()).await;
    // Twenty guesses spread over twenty names lock no account, but hold the address back.
    fail_logins(&app, 20, &[]).await;
    let held = login_from(&app, "203.0.113.50").await;
    held.problem(429);
    assert_eq!(held.header("retry-after").as_deref(), Some("900"));
    // X-Forwarded-For from a client that is not a trusted proxy changes nothing.
    login_from(&app, "198.51.100.1").await.problem(429);

    app.clock.advance(chrono::Duration::minutes(10));
    let held = login_from(&app, "198.51.100.1").await;
    assert_eq!(held.header("retry-after").as_deref(), Some("300"));
    app.clock.advance(chrono::Duration::minutes(5));
    login_from(&app, "198.51.100.1").await.assert_status(200);
}

#[actix_web::test]
async fn parallel_guesses_cannot_all_slip_past_and_right_passwords_leave_no_trace() {
    let app = TestApp::spawn().await;
    // Thirty guesses at once: each counts from the moment it is let through, so exactly the
    // limit reach argon2 and the rest are held back, whatever order they arrive in.
    let guesses = (0..30).map(|i| {
        let body = json!({ "username": format!("nobody-{i}"), "password": "wrong password 123" });
        app.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
    });
    let mut statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|response| response.status)
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [[401; 20].as_slice(), &[429; 10]].concat());

    // Right passwords are taken back: an office behind one address may log in all day.
    let app = TestApp::spawn().await;
    for _ in 0..25 {
        app.login(ADMIN, ADMIN_PASSWORD).await.assert_status(200);
    }
    let left = app
        .count("SELECT count(*) AS count FROM login_addresses")
        .await;
    assert_eq!(left, 0, "not even the address's row");
}

#[actix_web::test]
async fn addresses_with_nothing_left_in_the_window_are_forgotten() {
    // However many addresses have tried, the table holds what the window needs.
    let db = crate::helpers::TestDatabase::create().await;
    let mut settings = crate::helpers::settings(db.url());
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let clock =
        cit_api::clock::Clock::fixed(settings.time_zone, "2026-05-04T13:00:00Z".parse().unwrap());
    let app = TestApp::spawn_with_clock(db, settings, clock).await;
    for n in 1..=3 {
        fail_logins(&app, 1, &[("x-forwarded-for", &format!("203.0.113.{n}"))]).await;
    }
    let rows = || app.count("SELECT count(*) AS count FROM login_addresses");
    assert_eq!(rows().await, 3);
    app.clock.advance(chrono::Duration::minutes(14));
    fail_logins(&app, 1, &[("x-forwarded-for", "203.0.113.4")]).await;
    assert_eq!(rows().await, 4, "all still in the window");
    app.clock.advance(chrono::Duration::minutes(2));
    fail_logins(&app, 1, &[("x-forwarded-for", "203.0.113.5")]).await;
    let kept: Vec<String> = {
        #[derive(diesel::QueryableByName)]
        struct Ip {
            #[diesel(sql_type = diesel::sql_types::Text)]
            ip: String,
        }
        use diesel_async::RunQueryDsl;
        let mut conn = app.db.connect().await;
        diesel::sql_query("SELECT ip FROM login_addresses ORDER BY ip")
            .load::<Ip>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.ip)
            .collect()
    };
    assert_eq!(kept, ["203.0.113.4", "203.0.113.5"]);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_throttled_alone() {
    let db = crate::helpers::TestDatabase::create().await;
    let mut settings = crate::helpers::settings(db.url());
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = TestApp::spawn_with(db, settings).await;
    fail_logins(&app, 20, &[("x-forwarded-for", "203.0.113.7")]).await;
    login_from(&app, "203.0.113.7").await.problem(429);
    login_from(&app, "203.0.113.8").await.assert_status(200);
    let failed = app.audit_events("auth.login").await;
    let ips = app
        .count("SELECT count(*) AS count FROM audit_events WHERE ip = '203.0.113.7'")
        .await;
    assert_eq!(ips, 20, "the audit trail names the client, not the proxy");
    assert!(failed.len() >= 21);
}

fn run_cli(args: &[&str], database_url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cit-api"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

#[actix_web::test]
async fn an_operator_unlocks_or_resets_the_only_admin_from_the_command_line() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        app.login(ADMIN, "not the admin password").await;
    }
    app.login(ADMIN, ADMIN_PASSWORD).await.problem(423);

    let output = run_cli(&["unlock-user", "Admin"], &app.db.url());
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("`admin` is unlocked"));
    app.login(ADMIN, ADMIN_PASSWORD).await.assert_status(200);
    let unlock = &app.audit_events("user.unlock").await[0];
    assert_eq!(unlock.actor_username.as_deref(), Some("cli"));
    assert_eq!(unlock.details()["was_locked"], true);

    let session = app.admin().await;
    let output = run_cli(&["reset-password", "admin"], &app.db.url());
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let password = stdout
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 24)
        .expect("the new password is printed");
    app.login(ADMIN, ADMIN_PASSWORD).await.problem(401);
    app.login(ADMIN, password).await.assert_status(200);
    app.get("/api/v1/me", &session.token).await.problem(401);
    let reset = &app.audit_events("user.password_reset").await[0];
    assert_eq!(reset.actor_username.as_deref(), Some("cli"));
    assert!(!reset.details.contains(password));

    let unknown = run_cli(&["unlock-user", "nobody"], &app.db.url());
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user is named"));
}

#[actix_web::test]
async fn the_break_glass_commands_never_migrate_a_database() {
    let app = TestApp::spawn().await;
    let empty = format!("cit_unmigrated_{}", Uuid::now_v7().simple());
    app.execute(&format!("CREATE DATABASE {empty}"))
        .await
        .unwrap();
    let url = format!("{}/{empty}", crate::helpers::server_url());

    let outputs: Vec<_> = [["unlock-user", "admin"], ["reset-password", "admin"]]
        .iter()
        .map(|args| run_cli(args, &url))
        .collect();
    use diesel_async::{AsyncConnection, AsyncPgConnection};
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let count = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_tables WHERE schemaname = 'public')",
    ));
    let tables = diesel_async::RunQueryDsl::get_result::<i64>(count, &mut conn).await;
    drop(conn);
    // Dropped before any assertion, so a failure leaves no database behind.
    app.execute(&format!("DROP DATABASE {empty} WITH (FORCE)"))
        .await
        .unwrap();
    for output in outputs {
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("run `cit-api migrate` first"), "{stderr}");
    }
    let tables = tables.unwrap();
    assert_eq!(tables, 0, "the schema was left alone");
}
