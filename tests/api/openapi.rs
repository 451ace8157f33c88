//! The committed document must equal the generated one: regenerate it with
//! `cargo run -- openapi > openapi/openapi.json` after changing the API.

use std::collections::BTreeSet;

#[test]
fn the_committed_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = cit_api::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_route_of_the_contract_is_documented_with_its_security() {
    let document = cit_api::openapi::document();
    let mut operations = BTreeSet::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ] {
            if let Some(operation) = operation {
                operations.insert(format!("{method} {path}"));
                let public = [
                    "/api/v1/auth/login",
                    "/api/v1/auth/refresh",
                    "/healthz",
                    "/readyz",
                    "/metrics",
                    "/api-docs/openapi.json",
                    "/swagger-ui",
                ]
                .contains(&path.as_str());
                assert_eq!(
                    operation.security.is_none(),
                    public,
                    "{method} {path}: security requirement"
                );
            }
        }
    }
    for expected in [
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/logout",
        "GET /api/v1/me",
        "POST /api/v1/me/password",
        "GET /api/v1/users",
        "POST /api/v1/users",
        "GET /api/v1/users/{id}",
        "PATCH /api/v1/users/{id}",
        "POST /api/v1/users/{id}/unlock",
        "POST /api/v1/users/{id}/password",
        "GET /api/v1/audit-events",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api-docs/openapi.json",
        "GET /swagger-ui",
    ] {
        assert!(
            operations.contains(expected),
            "{expected} is not documented"
        );
    }
}
