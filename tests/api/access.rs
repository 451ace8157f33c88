//! Access decided by construction: every operation of the generated document is walked with no
//! token, a user of every role and an API key, so a new route that forgets its guard fails here
//! without anyone listing it. The roles an operation names (`x-roles`, and the "Roles: …" line
//! the document writes from it) come from the policy type in its `#[utoipa::path]`; the
//! authorization matrix below states, by hand, who may call each operation and what they get,
//! and this test holds both the document and the handler's `Require<…>` to it.

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

/// Who may call an operation, written out by hand from API.md's role rules (not read from the
/// code), so a policy that grows or shrinks fails here until this table agrees.
enum Who {
    /// Anyone, with no token.
    Public,
    /// Any signed-in person (an API key is refused: these are a person's own account).
    SignedIn,
    /// Exactly these roles (an API key, which holds `integration`, when that is one of them).
    Roles(&'static [Role]),
}

const ADMIN: &[Role] = &[Role::Admin];
const TRAINING_WRITE: &[Role] = &[Role::Admin, Role::Coordinator];
const TRAINING_READ: &[Role] = &[Role::Admin, Role::Coordinator, Role::Supervisor];
const CALLS_READ: &[Role] = &[
    Role::Admin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Clinician,
];
const CALLS_WRITE: &[Role] = &[Role::Admin, Role::Integration];
const PROGRESS: &[Role] = &[
    Role::Admin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Analyst,
];
const CLINICAL: &[Role] = &[Role::Admin, Role::Clinician];
const REFERRALS: &[Role] = &[Role::Admin, Role::Clinician, Role::Partner];
const DIRECTORY_WRITE: &[Role] = &[Role::Admin, Role::Clinician, Role::Coordinator];
const ROSTER: &[Role] = &[
    Role::Admin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Integration,
];
const AUDIT: &[Role] = &[Role::Auditor, Role::Admin];

/// The authorization matrix: every operation of the document, who may call it, and the status
/// those let in get for a made-up id and an empty JSON object (`{}`) as the body. Everyone else
/// gets 403 (401 without a token). An operation missing here, or listed but not in the
/// document, fails the test.
const MATRIX: &[(&str, Who, u16)] = &[
    ("GET /api-docs/openapi.json", Who::Public, 200),
    ("GET /dashboard", Who::Public, 200),
    ("GET /healthz", Who::Public, 200),
    ("GET /readyz", Who::Public, 200),
    ("GET /metrics", Who::Public, 200),
    ("GET /swagger-ui", Who::Public, 301),
    ("GET /hsds/", Who::Public, 200),
    ("GET /hsds/organizations", Who::Public, 200),
    ("GET /hsds/organizations/{id}", Who::Public, 404),
    ("GET /hsds/services", Who::Public, 200),
    ("GET /hsds/services/{id}", Who::Public, 404),
    ("GET /api/v1/partners", Who::Public, 200),
    ("GET /api/v1/partners/{id}", Who::Public, 404),
    ("POST /api/v1/auth/login", Who::Public, 422),
    ("POST /api/v1/auth/refresh", Who::Public, 422),
    ("POST /api/v1/auth/logout", Who::SignedIn, 422),
    ("GET /api/v1/me", Who::SignedIn, 200),
    ("POST /api/v1/me/password", Who::SignedIn, 422),
    ("GET /api/v1/users", Who::Roles(ADMIN), 200),
    ("POST /api/v1/users", Who::Roles(ADMIN), 422),
    ("GET /api/v1/users/{id}", Who::Roles(ADMIN), 404),
    ("PATCH /api/v1/users/{id}", Who::Roles(ADMIN), 404),
    ("POST /api/v1/users/{id}/password", Who::Roles(ADMIN), 422),
    ("POST /api/v1/users/{id}/unlock", Who::Roles(ADMIN), 404),
    ("GET /api/v1/api-keys", Who::Roles(ADMIN), 200),
    ("POST /api/v1/api-keys", Who::Roles(ADMIN), 422),
    ("GET /api/v1/api-keys/{id}", Who::Roles(ADMIN), 404),
    ("POST /api/v1/api-keys/{id}/revoke", Who::Roles(ADMIN), 404),
    ("GET /api/v1/audit-events", Who::Roles(AUDIT), 200),
    ("GET /api/v1/personnel", Who::Roles(ROSTER), 200),
    ("POST /api/v1/personnel", Who::Roles(TRAINING_WRITE), 422),
    (
        "POST /api/v1/personnel/import",
        Who::Roles(TRAINING_WRITE),
        415,
    ),
    ("GET /api/v1/personnel/{id}", Who::Roles(TRAINING_READ), 404),
    (
        "PATCH /api/v1/personnel/{id}",
        Who::Roles(TRAINING_WRITE),
        404,
    ),
    (
        "GET /api/v1/certification-types",
        Who::Roles(TRAINING_READ),
        200,
    ),
    (
        "POST /api/v1/certification-types",
        Who::Roles(TRAINING_WRITE),
        422,
    ),
    (
        "GET /api/v1/certification-types/{id}",
        Who::Roles(TRAINING_READ),
        404,
    ),
    (
        "PATCH /api/v1/certification-types/{id}",
        Who::Roles(TRAINING_WRITE),
        404,
    ),
    ("GET /api/v1/courses", Who::Roles(TRAINING_READ), 200),
    ("POST /api/v1/courses", Who::Roles(TRAINING_WRITE), 422),
    ("GET /api/v1/courses/{id}", Who::Roles(TRAINING_READ), 404),
    (
        "PATCH /api/v1/courses/{id}",
        Who::Roles(TRAINING_WRITE),
        404,
    ),
    (
        "GET /api/v1/training-sessions",
        Who::Roles(TRAINING_READ),
        200,
    ),
    (
        "POST /api/v1/training-sessions",
        Who::Roles(TRAINING_WRITE),
        422,
    ),
    (
        "GET /api/v1/training-sessions/{id}",
        Who::Roles(TRAINING_READ),
        404,
    ),
    (
        "PATCH /api/v1/training-sessions/{id}",
        Who::Roles(TRAINING_WRITE),
        404,
    ),
    (
        "GET /api/v1/training-sessions/{id}/enrollments",
        Who::Roles(TRAINING_READ),
        404,
    ),
    (
        "POST /api/v1/training-sessions/{id}/enrollments",
        Who::Roles(TRAINING_WRITE),
        422,
    ),
    (
        "GET /api/v1/enrollments/{id}",
        Who::Roles(TRAINING_READ),
        404,
    ),
    (
        "PATCH /api/v1/enrollments/{id}",
        Who::Roles(TRAINING_WRITE),
        404,
    ),
    ("GET /api/v1/certifications", Who::Roles(TRAINING_READ), 200),
    (
        "POST /api/v1/certifications",
        Who::Roles(TRAINING_WRITE),
        422,
    ),
    (
        "GET /api/v1/certifications/{id}",
        Who::Roles(TRAINING_READ),
        404,
    ),
    (
        "POST /api/v1/certifications/{id}/revoke",
        Who::Roles(TRAINING_WRITE),
        422,
    ),
    ("GET /api/v1/goals", Who::Roles(PROGRESS), 200),
    ("POST /api/v1/goals", Who::Roles(TRAINING_WRITE), 422),
    ("GET /api/v1/goals/{id}", Who::Roles(PROGRESS), 404),
    ("PATCH /api/v1/goals/{id}", Who::Roles(TRAINING_WRITE), 404),
    ("GET /api/v1/goals/{id}/progress", Who::Roles(PROGRESS), 404),
    ("GET /api/v1/metrics/training", Who::Roles(PROGRESS), 200),
    ("GET /api/v1/metrics/calls", Who::Roles(PROGRESS), 200),
    ("GET /api/v1/metrics/outcomes", Who::Roles(PROGRESS), 200),
    (
        "GET /api/v1/metrics/repeat-calls",
        Who::Roles(PROGRESS),
        200,
    ),
    ("GET /api/v1/metrics/referrals", Who::Roles(PROGRESS), 200),
    ("GET /api/v1/calls", Who::Roles(CALLS_READ), 200),
    ("GET /api/v1/calls/{id}", Who::Roles(CALLS_READ), 404),
    ("POST /api/v1/calls/batch", Who::Roles(CALLS_WRITE), 422),
    (
        "PUT /api/v1/calls/{source}/{incident_number}",
        Who::Roles(CALLS_WRITE),
        422,
    ),
    ("GET /api/v1/subjects", Who::Roles(CLINICAL), 200),
    ("GET /api/v1/subjects/{id}", Who::Roles(CLINICAL), 404),
    (
        "GET /api/v1/subjects/{id}/timeline",
        Who::Roles(CLINICAL),
        404,
    ),
    ("POST /api/v1/partners", Who::Roles(DIRECTORY_WRITE), 422),
    (
        "PATCH /api/v1/partners/{id}",
        Who::Roles(DIRECTORY_WRITE),
        404,
    ),
    ("GET /api/v1/referrals", Who::Roles(REFERRALS), 200),
    ("POST /api/v1/referrals", Who::Roles(CLINICAL), 422),
    ("GET /api/v1/referrals/{id}", Who::Roles(REFERRALS), 404),
    (
        "POST /api/v1/referrals/{id}/transitions",
        Who::Roles(REFERRALS),
        422,
    ),
    ("GET /api/v1/follow-ups", Who::Roles(CLINICAL), 200),
    ("POST /api/v1/follow-ups", Who::Roles(CLINICAL), 422),
    ("GET /api/v1/follow-ups/{id}", Who::Roles(CLINICAL), 404),
    ("PATCH /api/v1/follow-ups/{id}", Who::Roles(CLINICAL), 404),
    (
        "POST /api/v1/follow-ups/{id}/transitions",
        Who::Roles(CLINICAL),
        422,
    ),
];

/// The callers the matrix is walked with: no token, a user of each role, and an API key.
enum Credential {
    None,
    User(Role),
    ApiKey,
}

#[actix_web::test]
async fn the_authorization_matrix_holds_for_every_operation_and_every_caller() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut callers = vec![
        (Credential::None, None),
        (
            Credential::ApiKey,
            Some(app.api_key(&admin.token, "rms").await),
        ),
    ];
    for &role in Role::ALL {
        callers.push((Credential::User(role), Some(app.login_as(role).await.token)));
    }
    let operations = operations();
    let mut failures = Vec::new();
    for (method, path, roles) in &operations {
        let key = format!("{method} {path}");
        let Some((_, who, answer)) = MATRIX.iter().find(|(op, _, _)| *op == key) else {
            failures.push(format!("{key}: not in the matrix; say who may call it"));
            continue;
        };
        // The document names the same roles as the matrix (and so does the guard, below).
        let named: Option<Vec<Role>> = match who {
            Who::Roles(listed) => Some(listed.to_vec()),
            Who::Public | Who::SignedIn => None,
        };
        let sorted = |roles: &Option<Vec<Role>>| {
            roles.clone().map(|mut r| {
                r.sort_by_key(|role| role.as_str());
                r
            })
        };
        if sorted(roles) != sorted(&named) {
            failures.push(format!(
                "{key}: the document names {roles:?}, the matrix {named:?}"
            ));
        }
        assert_eq!(
            matches!(who, Who::Public),
            PUBLIC.contains(&(method.as_str(), path.as_str())),
            "{key}: the public list and the matrix agree"
        );
        for (credential, token) in &callers {
            let expected = match (who, credential) {
                (Who::Public, _) => *answer,
                (_, Credential::None) => 401,
                (Who::SignedIn, Credential::User(_)) => *answer,
                (Who::SignedIn, Credential::ApiKey) => 403,
                (Who::Roles(listed), Credential::User(role)) => {
                    if listed.contains(role) {
                        *answer
                    } else {
                        403
                    }
                }
                (Who::Roles(listed), Credential::ApiKey) => {
                    if listed.contains(&Role::Integration) {
                        *answer
                    } else {
                        403
                    }
                }
            };
            let response = call(&app, method, path, token.as_deref()).await;
            let caller = match credential {
                Credential::None => "no token".to_owned(),
                Credential::User(role) => format!("a {role}"),
                Credential::ApiKey => "an API key".to_owned(),
            };
            if response.status != expected {
                failures.push(format!(
                    "{key} by {caller}: {} (expected {expected}): {}",
                    response.status,
                    response.text()
                ));
            } else if expected >= 400 {
                response.problem(expected);
            }
            assert_eq!(
                response.header("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{key}"
            );
            if token.is_some() {
                assert_eq!(
                    response.header("cache-control").as_deref(),
                    Some("no-store"),
                    "{key}: an answer to a token is never stored"
                );
            }
        }
    }
    for (op, _, _) in MATRIX {
        assert!(
            operations
                .iter()
                .any(|(method, path, _)| format!("{method} {path}") == *op),
            "{op} is in the matrix but not in the document"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
