//! The OpenAPI document: its info, tags and security scheme, the standard error responses
//! added to every operation, and the two documentation endpoints. Paths come from the handlers
//! themselves (utoipa-actix-web collects every `.service()`); nothing is listed by hand.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, ContentBuilder, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, PROBLEM_JSON, Problem};

/// The document's fixed parts; `license` and `info` are explicit so the document does not
/// depend on how Cargo.toml was read at build time.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "cit-api",
        version = "1",
        description = include_str!("openapi.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "auth", description = "Login, token refresh and logout"),
        (name = "users", description = "User accounts: the caller's own, and admin management"),
        (name = "api-keys", description = "API keys for machine clients (the records management system)"),
        (name = "subjects", description = "People in crisis the calls concern (clinicians and admins; every read audited)"),
        (name = "partners", description = "Community partners and their services: the public resource directory"),
        (name = "referrals", description = "Closed-loop referrals to partners, with consent (clinicians, admins; partner staff for their own)"),
        (name = "follow-ups", description = "Follow-up care by the department's clinicians"),
        (name = "hsds", description = "The partner directory as Open Referral HSDS 3.0 (public, read-only)"),
        (name = "calls", description = "Calls for service pushed by the records management system, and who answered them"),
        (name = "audit", description = "The append-only audit trail"),
        (name = "personnel", description = "Officers and designated staff, and the HR roster import"),
        (name = "training", description = "Certification types, courses, sessions, enrollments and certifications"),
        (name = "goals", description = "Certification goals and their progress as of any date"),
        (name = "metrics", description = "Program metrics for readers (JSON and CSV)"),
        (name = "dashboard", description = "The public performance dashboard (HTML, aggregates only)"),
        (name = "operations", description = "Health, readiness, metrics and documentation"),
    ),
    modifiers(&Components),
)]
pub struct ApiDoc;

/// The security scheme and the shared error responses.
struct Components;

/// The standard responses every operation may give, by status.
const STANDARD: [(&str, &str); 10] = [
    (
        "400",
        "Malformed request: bad JSON, an unknown field, a bad query or path parameter",
    ),
    (
        "401",
        "No bearer token, or an invalid, expired or revoked one",
    ),
    (
        "403",
        "Authenticated, but not allowed: the caller's roles do not cover this, or an API key \
         called an endpoint for signed-in users",
    ),
    ("404", "Nothing has the id in the path"),
    (
        "412",
        "`If-Match` names a version that is no longer current; read the resource again",
    ),
    (
        "413",
        "The body is over the limit (1 MiB; 16 MiB for batch and import endpoints)",
    ),
    (
        "415",
        "The body is not of a content type this endpoint reads",
    ),
    (
        "422",
        "Well-formed but invalid values (in the body, or a query value out of its range, such as \
         `limit` over 500 or a `cursor` this API did not hand out); `errors` lists each field",
    ),
    (
        "500",
        "Unexpected error; logged with the request id, no internals disclosed",
    ),
    ("503", "The database is unavailable; try again shortly"),
];

fn response_name(status: &str) -> String {
    format!("Problem{status}")
}

impl Modify for Components {
    fn modify(&self, openapi: &mut Document) {
        let mut components = ComponentsBuilder::new()
            .security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "An access token from POST /api/v1/auth/login (a JWT, 15 minutes), or \
                             a machine client's API key from POST /api/v1/api-keys (`citk_…`).",
                        ))
                        .build(),
                ),
            )
            .schema(Problem::name(), Problem::schema())
            .schema(FieldError::name(), FieldError::schema());
        for (status, description) in STANDARD {
            components = components.response(
                response_name(status),
                ResponseBuilder::new().description(description).content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(Problem::name())))
                        .build(),
                ),
            );
        }
        let built = components.build();
        match openapi.components.as_mut() {
            Some(existing) => {
                existing.security_schemes.extend(built.security_schemes);
                existing.schemas.extend(built.schemas);
                existing.responses.extend(built.responses);
            }
            None => openapi.components = Some(built),
        }
    }
}

/// Adds to an operation the standard error responses it can give and does not list yet.
fn add_standard_responses(operation: &mut Operation, path: &str, reads_database: bool) {
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    // `security((), ("bearer" = []))`: public, showing more to some callers; never a 403.
    let credential_optional = operation.security.iter().flatten().any(|requirement| {
        serde_json::to_value(requirement).is_ok_and(|value| value == serde_json::json!({}))
    });
    let has_body = operation.request_body.is_some();
    let has_if_match = operation.parameters.as_ref().is_some_and(|p| {
        p.iter()
            .any(|p| matches!(p, RefOr::T(parameter) if parameter.name == "If-Match"))
    });
    let has_id = path.contains('{');
    let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_query = operation.parameters.iter().flatten().any(|p| {
        matches!(p, RefOr::T(parameter) if matches!(parameter.parameter_in, ParameterIn::Query))
    });
    let applies = |status: &str| match status {
        "400" => has_body || has_params,
        "401" => secured,
        "403" => secured && !credential_optional,
        "404" => has_id,
        "412" => has_if_match,
        "413" | "415" => has_body,
        "422" => has_body || has_query,
        "500" => true,
        "503" => reads_database,
        _ => false,
    };
    let mut responses = ResponsesBuilder::new().build();
    std::mem::swap(&mut responses, &mut operation.responses);
    for (status, _) in STANDARD {
        if applies(status) && !responses.responses.contains_key(status) {
            responses.responses.insert(
                status.to_owned(),
                RefOr::Ref(Ref::new(format!(
                    "#/components/responses/{}",
                    response_name(status)
                ))),
            );
        }
    }
    operation.responses = responses;
}

/// The `If-Match` header of every editable resource: what `IfMatch` parses, stated once.
fn describe_if_match(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && parameter.name == "If-Match"
        {
            parameter.description = Some(
                "The ETag last read (`\"3\"`, or `*` for any version); 412 when it is no longer current"
                    .to_owned(),
            );
            parameter.schema = Some(RefOr::T(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(IF_MATCH_PATTERN))
                    .into(),
            ));
        }
    }
}

/// The `cursor` of every list: what a page hands out (`http::pagination::CURSOR_PATTERN`),
/// stated once.
fn describe_cursor(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && parameter.name == "cursor"
            && matches!(parameter.parameter_in, ParameterIn::Query)
        {
            parameter.schema = Some(RefOr::T(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(crate::http::pagination::CURSOR_PATTERN))
                    .into(),
            ));
        }
    }
}

/// The extension each guarded operation carries: the roles of the policy its handler requires,
/// written from the policy type (`extensions(("x-roles" = json!(TrainingWriters::ROLES)))`).
pub const ROLES_EXTENSION: &str = "x-roles";

/// Opens the description of a guarded operation with "Roles: …", written from its `x-roles`,
/// so the roles a reader sees are the policy's own; `tests/api/access.rs` holds every role
/// against what the guard lets in.
fn describe_roles(operation: &mut Operation) {
    let Some(roles) = operation
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get(ROLES_EXTENSION))
        .and_then(|roles| roles.as_array())
    else {
        return;
    };
    let names: Vec<&str> = roles.iter().filter_map(|role| role.as_str()).collect();
    let line = format!("Roles: {}.", names.join(", "));
    operation.description = Some(match operation.description.take() {
        Some(rest) if !rest.is_empty() => format!("{line}\n\n{rest}"),
        _ => line,
    });
}

/// What `http::etag::IfMatch` accepts.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"?[0-9]{1,9}"?)$"#;

/// Completes every operation of the document: standard responses, `If-Match`, `cursor`,
/// roles.
fn finish(document: &mut Document) {
    for (path, item) in document.paths.paths.iter_mut() {
        let reads_database = !matches!(
            path.as_str(),
            "/healthz" | "/metrics" | "/api-docs/openapi.json" | "/swagger-ui"
        );
        for operation in [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            add_standard_responses(operation, path, reads_database);
            describe_if_match(operation);
            describe_cursor(operation);
            describe_roles(operation);
        }
    }
}

/// The complete document, built from the same route registration the server uses. Needs no
/// database.
pub fn document() -> Document {
    let (_, mut document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::startup::routes)
        .split_for_parts();
    finish(&mut document);
    document
}

/// The document as pretty JSON with a final newline, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The OpenAPI 3.1 document of this API (equal to the committed `openapi/openapi.json`).
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object)),
)]
#[get("/api-docs/openapi.json")]
pub async fn get_openapi_document(document: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.get_ref().clone())
}

/// Swagger UI; redirects to `/swagger-ui/`, where every asset is served by this binary.
#[utoipa::path(
    tag = "operations",
    responses((status = 301, description = "Redirect to /swagger-ui/")),
)]
#[get("/swagger-ui")]
pub async fn swagger_ui_redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((actix_web::http::header::LOCATION, "/swagger-ui/"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_an_id_a_tag_and_a_500() {
        let document = document();
        assert!(!document.paths.paths.is_empty());
        for (path, item) in &document.paths.paths {
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                assert!(operation.operation_id.is_some(), "{path}");
                assert!(
                    operation.tags.as_ref().is_some_and(|t| !t.is_empty()),
                    "{path}"
                );
                assert!(operation.responses.responses.contains_key("500"), "{path}");
            }
        }
    }

    #[test]
    fn secured_operations_document_401() {
        let document = document();
        let users = &document.paths.paths["/api/v1/users"];
        let list = users.get.as_ref().unwrap();
        assert!(list.responses.responses.contains_key("401"));
        assert!(list.responses.responses.contains_key("403"));
        let patch = document.paths.paths["/api/v1/users/{id}"]
            .patch
            .as_ref()
            .unwrap();
        assert!(patch.responses.responses.contains_key("404"));
        assert!(patch.responses.responses.contains_key("412"));
        assert!(!list.responses.responses.contains_key("404"));
        let login = document.paths.paths["/api/v1/auth/login"]
            .post
            .as_ref()
            .unwrap();
        assert!(login.responses.responses.contains_key("422"));
        assert!(login.security.is_none());
    }
}
