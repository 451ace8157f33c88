//! Access decided by construction: every operation of the generated document is walked, so a
//! new route that forgets its guard, or a document that names other roles than its guard lets
//! in, fails here without anyone listing the route. The roles an operation names (`x-roles`,
//! and the "Roles: …" line the document writes from it) come from the policy type in its
//! `#[utoipa::path]`; this test proves the handler's `Require<…>` lets in exactly those.

use actix_web::http::Method;
use cit_api::db::enums::Role;
use uuid::Uuid;

use crate::helpers::{Response, TestApp};

/// The operations anyone may call without a token, and why.
pub const PUBLIC: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),   // how a token is had
    ("POST", "/api/v1/auth/refresh"), // the refresh token is the credential
    ("GET", "/healthz"),              // probes
    ("GET", "/readyz"),
    ("GET", "/metrics"), // Prometheus scrapes; no record data
    ("GET", "/api-docs/openapi.json"),
    ("GET", "/swagger-ui"),
    ("GET", "/api/v1/partners"), // the public resource directory
    ("GET", "/api/v1/partners/{id}"),
    ("GET", "/hsds/"), // Open Referral HSDS: the same public directory
    ("GET", "/hsds/organizations"),
    ("GET", "/hsds/organizations/{id}"),
    ("GET", "/hsds/services"),
    ("GET", "/hsds/services/{id}"),
    ("GET", "/dashboard"), // the public performance page: aggregates only
];

/// The operations any authenticated caller may call, whatever its roles: the caller's own
/// account and session. Every other non-public operation must name its roles.
pub const ANY_AUTHENTICATED: &[(&str, &str)] = &[
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/auth/logout"),
];

/// Every operation of the document: method, path, and the roles it names in `x-roles` (`None`
/// when any authenticated caller may call it). The description opens with the same roles.
fn operations() -> Vec<(Method, String, Option<Vec<Role>>)> {
    let document = cit_api::openapi::document();
    let mut found = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ] {
            let Some(operation) = operation else { continue };
            let roles: Option<Vec<Role>> = operation
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get(cit_api::openapi::ROLES_EXTENSION))
                .map(|roles| serde_json::from_value(roles.clone()).unwrap());
            if let Some(roles) = &roles {
                let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
                let line = format!("Roles: {}.", names.join(", "));
                let description = operation.description.as_deref().unwrap_or_default();
                assert!(
                    description.starts_with(&line),
                    "{method} {path}: the description opens with {line:?}: {description:?}"
                );
                assert!(
                    !roles.is_empty(),
                    "{method} {path}: a guard lets someone in"
                );
            }
            found.push((method, path.clone(), roles));
        }
    }
    assert!(found.len() > 40, "the document lists the operations");
    found
}

/// Calls an operation with a made-up id for every path parameter and an empty JSON body.
async fn call(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> Response {
    let concrete: Vec<String> = path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                Uuid::now_v7().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect();
    let body = (method != Method::GET).then(|| b"{}".to_vec());
    app.send(
        method.clone(),
        &concrete.join("/"),
        token,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

#[actix_web::test]
async fn every_operation_not_on_the_public_list_answers_401_without_a_token() {
    let app = TestApp::spawn().await;
    for (method, path, _) in operations() {
        let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
        let response = call(&app, &method, &path, None).await;
        assert_eq!(
            response.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{method} {path}"
        );
        if path.starts_with("/api/") {
            assert_eq!(
                response.header("cache-control").as_deref(),
                Some("no-store"),
                "{method} {path}: API answers are never stored"
            );
        }
        if public {
            assert_ne!(response.status, 401, "{method} {path} is public");
            continue;
        }
        assert_eq!(response.status, 401, "{method} {path}: {}", response.text());
        response.problem(401);
        assert!(
            response
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer")),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn the_roles_each_description_names_are_exactly_the_roles_its_guard_lets_in() {
    let app = TestApp::spawn().await;
    let mut users = Vec::new();
    for &role in Role::ALL {
        users.push((role, app.login_as(role).await));
    }
    for (method, path, roles) in operations() {
        if PUBLIC.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        assert_eq!(
            roles.is_none(),
            ANY_AUTHENTICATED.contains(&(method.as_str(), path.as_str())),
            "{method} {path}: name its policy's roles (`x-roles`) or list it as open to any caller"
        );
        for (role, user) in &users {
            let response = call(&app, &method, &path, Some(&user.token)).await;
            assert_eq!(
                response.header("cache-control").as_deref(),
                Some("no-store"),
                "{method} {path}: an answer to a token is never stored"
            );
            assert_eq!(
                response.header("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{method} {path}"
            );
            let allowed = roles.as_ref().is_none_or(|roles| roles.contains(role));
            if allowed {
                assert_ne!(
                    response.status,
                    403,
                    "{method} {path} names {role} but refuses it: {}",
                    response.text()
                );
            } else {
                assert_eq!(
                    response.status,
                    403,
                    "{method} {path} does not name {role} but lets it in: {}",
                    response.text()
                );
                response.problem(403);
            }
        }
    }
}

#[actix_web::test]
async fn an_api_key_is_let_in_exactly_where_its_role_is_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    for (method, path, roles) in operations() {
        if PUBLIC.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        let response = call(&app, &method, &path, Some(&key)).await;
        // The caller's own account, password and session belong to signed-in people.
        let allowed = roles.is_some_and(|roles| roles.contains(&Role::Integration));
        if allowed {
            assert!(
                ![401, 403].contains(&response.status),
                "{method} {path} names integration but refuses its key: {}",
                response.text()
            );
        } else {
            assert_eq!(
                response.status,
                403,
                "{method} {path} lets an integration key in: {}",
                response.text()
            );
            response.problem(403);
        }
    }
}
