//! Every rejection, including actix's own, is an RFC 9457 problem with the right status.

use actix_web::http::Method;
use cit_api::db::enums::Role;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_allow() {
    let app = TestApp::spawn().await;
    let missing = app.get_anonymous("/api/v1/nothing-here").await;
    assert_eq!(missing.problem(404)["instance"], "/api/v1/nothing-here");
    app.get_anonymous("/").await.problem(404);

    let wrong = app
        .send(Method::DELETE, "/api/v1/users", None, &[], None)
        .await;
    wrong.problem(405);
    assert_eq!(wrong.header("allow").as_deref(), Some("GET, HEAD, POST"));
    let put = app
        .send(Method::PUT, "/api/v1/auth/login", None, &[], None)
        .await;
    put.problem(405);
    assert_eq!(put.header("allow").as_deref(), Some("POST"));

    // A fixed route beside a parameterised one: the method is wrong, not the "id".
    let admin = app.admin().await;
    for method in [Method::PATCH, Method::GET] {
        let swallowed = app
            .send(
                method.clone(),
                "/api/v1/personnel/import",
                Some(&admin.token),
                &[("content-type", "application/merge-patch+json")],
                Some(b"{}".to_vec()),
            )
            .await;
        swallowed.problem(405);
        assert_eq!(
            swallowed.header("allow").as_deref(),
            Some("POST"),
            "{method}"
        );
    }
    let bad_id = app.get("/api/v1/personnel/not-a-uuid", &admin.token).await;
    bad_id.problem(400);
}

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let app = TestApp::spawn().await;
    let head = app.send(Method::HEAD, "/healthz", None, &[], None).await;
    head.assert_status(200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("application/json")
    );
    app.send(Method::HEAD, "/api/v1/users", None, &[], None)
        .await
        .assert_status(401);
}

#[actix_web::test]
async fn malformed_bodies_are_400_and_wrong_content_types_415() {
    let app = TestApp::spawn().await;
    let json_header = [("content-type", "application/json")];
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Headers, &[u8], u16); 5] = [
        (&json_header, b"{\"username\": \"admin\",", 400),
        (&json_header, b"not json", 400),
        (
            &json_header,
            b"{\"username\": \"a\", \"password\": \"b\"} trailing",
            400,
        ),
        (&[("content-type", "text/plain")], b"{}", 415),
        (&[], b"{}", 415),
    ];
    for (headers, body, status) in cases {
        let response = app
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                headers,
                Some(body.to_vec()),
            )
            .await;
        response.problem(status);
    }
    let typo = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "a", "pasword": "b"}),
        )
        .await;
    typo.problem(400);
    assert_eq!(typo.error_fields(), ["pasword"]);
    let wrong_type = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "a", "password": 12}),
        )
        .await;
    wrong_type.problem(422);
    assert_eq!(wrong_type.error_fields(), ["password"]);
}

#[actix_web::test]
async fn a_body_over_one_mebibyte_is_413() {
    let app = TestApp::spawn().await;
    let huge = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(1024 * 1024 + 10)
    );
    let response = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[("content-type", "application/json")],
            Some(huge.into_bytes()),
        )
        .await;
    response.problem(413);
}

#[actix_web::test]
async fn bad_paths_and_queries_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get("/api/v1/users/12345", &admin.token)
        .await
        .problem(400);
    let query = app.get("/api/v1/users?limit=ten", &admin.token).await;
    query.problem(400);
    assert_eq!(query.error_fields(), ["limit"]);
}

#[actix_web::test]
async fn authorization_is_checked_before_the_request_is_judged() {
    let app = TestApp::spawn().await;
    let analyst = app.login_as(Role::Analyst).await;
    // A malformed body from a caller who may not create users: 403, not 400/422.
    let response = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&analyst.token),
            &[("content-type", "application/json")],
            Some(b"{broken".to_vec()),
        )
        .await;
    response.problem(403);
    app.send(
        Method::POST,
        "/api/v1/users",
        None,
        &[("content-type", "application/json")],
        Some(b"{broken".to_vec()),
    )
    .await
    .problem(401);
    app.get("/api/v1/users?limit=ten", &analyst.token)
        .await
        .problem(403);
    assert_eq!(app.audit_events("access.denied").await.len(), 2);
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_a_uuid_one_is_echoed() {
    let app = TestApp::spawn().await;
    let fresh = app.get_anonymous("/healthz").await;
    assert_eq!(fresh.header("x-request-id").unwrap().len(), 36);
    let given = "0190a4b6-7c1d-7e3f-8a2b-1c2d3e4f5a6b";
    let echoed = app
        .send(
            Method::GET,
            "/api/v1/nothing",
            None,
            &[("x-request-id", given)],
            None,
        )
        .await;
    assert_eq!(echoed.header("x-request-id").as_deref(), Some(given));
    assert_eq!(echoed.problem(404)["request_id"], given);
}

#[actix_web::test]
async fn every_constraint_of_the_schema_has_an_entry_in_the_constraint_table() {
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        conname: String,
    }
    let db = crate::helpers::TestDatabase::create().await;
    let mut conn = db.connect().await;
    let names: Vec<Name> = diesel::sql_query(
        "SELECT c.conname::text AS conname FROM pg_constraint c \
         JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = 'public' AND c.contype IN ('c', 'f', 'u', 'x') ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(names.len() > 30, "the schema's constraints are read");
    let missing: Vec<&str> = names
        .iter()
        .map(|n| n.conname.as_str())
        .filter(|name| cit_api::db::constraints::describe(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "add these to src/db/constraints.rs: {missing:?}"
    );
}

#[actix_web::test]
async fn a_transactional_step_refuses_a_connection_outside_a_transaction() {
    use cit_api::db::tx::Tx;
    use diesel_async::AsyncConnection;

    let db = crate::helpers::TestDatabase::create().await;
    let mut conn = db.connect().await;
    assert!(Tx::of(&mut conn).is_err(), "no transaction is open");
    let inside = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| Ok(Tx::of(conn).is_ok()))
        .await
        .unwrap();
    assert!(inside);
}

#[actix_web::test]
async fn a_nul_character_anywhere_is_422_naming_the_field_never_a_500() {
    // PostgreSQL's text cannot hold U+0000; JSON, CSV and URLs can. Found by the contract
    // fuzzer as a 500 on POST /api/v1/users.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            &json!({"username": "nul-test", "display_name": "a\u{0}b", "roles": ["analyst"],
                    "password": "a long enough passphrase"}),
        )
        .await;
    user.problem(422);
    assert_eq!(user.error_fields(), ["display_name"]);
    let partner = app
        .post(
            "/api/v1/partners",
            Some(&admin.token),
            &json!({"name": "Partner", "services": [{"name": "ok"}, {"name": "x\u{0}"}]}),
        )
        .await;
    partner.problem(422);
    assert_eq!(partner.error_fields(), ["services[1].name"]);

    // In a batch, only the call that holds it is refused.
    let key = app.api_key(&admin.token, "rms").await;
    let call = |number: &str, call_type: &str| {
        json!({"source": "rms", "incident_number": number, "mental_health": false,
               "received_at": "2026-03-01T10:00:00-06:00", "call_type": call_type})
    };
    let batch = app
        .post(
            "/api/v1/calls/batch",
            Some(&key),
            &json!({"calls": [call("N-1", "PIC"), call("N-2", "P\u{0}C")]}),
        )
        .await;
    batch.assert_status(200);
    let report = batch.json();
    assert_eq!(
        (report["created"].as_u64(), report["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(report["errors"][0]["index"], 1);
    assert_eq!(report["errors"][0]["errors"][0]["field"], "call_type");

    // A roster line and a path segment.
    let roster = app
        .import_roster(
            &admin.token,
            "employee_number,first_name,last_name,department,role,hire_date\n\
             P-1,An\u{0}a,Diaz,police,officer,2015-01-01\nP-2,Ben,Cole,police,officer,2016-01-01\n",
        )
        .await;
    roster.assert_status(200);
    let report = roster.json();
    assert_eq!(report["errors"][0]["line"], 2, "{report}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("first_name:") && !m.contains("An")),
        "{report}"
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel").await,
        1,
        "the good line is kept: {}",
        roster.text()
    );
    let put = app
        .put("/api/v1/calls/rms/N%003", &key, &call("N\u{0}3", "PIC"))
        .await;
    assert!([400, 422].contains(&put.status), "{}", put.text());
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 1);
}
