//! The HSDS 3.0 read API: public, active partners and live services only, and every object
//! valid against the published HSDS 3.0 schemas (`../shared/hsds-3.0`, checked by
//! `tests/hsds/validate.py` with Python's `jsonschema`).

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::partners::{create, crisis_line};

/// Where the published schemas are: `CIT_HSDS_SCHEMAS`, else the shared folder beside the
/// project, else the machine's `/work/shared/hsds-3.0` (a clone elsewhere, as in CI).
fn schema_dir() -> std::path::PathBuf {
    let candidates = [
        std::env::var_os("CIT_HSDS_SCHEMAS").map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/hsds-3.0")),
        Some(std::path::PathBuf::from("/work/shared/hsds-3.0")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|dir| dir.join("compiled_service.json").exists())
        .expect("the HSDS 3.0 schemas: set CIT_HSDS_SCHEMAS to the folder holding them")
}

/// Validates objects against schema files; panics with every violation.
fn conforms(cases: &Value) {
    let dir = tempfile_dir();
    let input = dir.join("hsds-cases.json");
    std::fs::write(&input, cases.to_string()).unwrap();
    let output = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hsds/validate.py"))
        .arg(schema_dir())
        .arg(&input)
        .output()
        .expect("python3 runs (with the jsonschema package)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "HSDS schema violations:\n{stdout}{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cit-hsds-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn page_fields(page: &Value, total: i64, page_number: i64, size: i64) {
    assert_eq!(page["total_items"], total);
    assert_eq!(page["page_number"], page_number);
    assert_eq!(page["size"], size);
    for key in [
        "total_pages",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ] {
        assert!(page.get(key).is_some(), "the Page has {key}");
    }
}

/// Walks a JSON value and fails on any `null`.
fn no_nulls(value: &Value, at: &str) {
    match value {
        Value::Null => panic!("null at {at}: HSDS leaves absent values out"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                no_nulls(item, &format!("{at}[{i}]"));
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                no_nulls(item, &format!("{at}.{key}"));
            }
        }
        _ => {}
    }
}

#[actix_web::test]
async fn an_hsds_client_reads_the_directory_in_the_specifications_shapes() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let line = create(&app, &admin.token, &crisis_line()).await;
    let bare = create(
        &app,
        &admin.token,
        &json!({"name": "Alder Youth Services", "services": [{"name": "Drop-in centre"}]}),
    )
    .await;
    let mut hidden = crisis_line();
    hidden["name"] = json!("Closed Clinic");
    hidden["active"] = json!(false);
    create(&app, &admin.token, &hidden).await;

    let info = app.get_anonymous("/hsds/").await;
    info.assert_status(200);
    assert_eq!(info.json()["version"], "3.0");
    assert!(
        info.json()["openapi_url"]
            .as_str()
            .unwrap()
            .ends_with("/api-docs/openapi.json")
    );

    let organizations = app.get_anonymous("/hsds/organizations").await;
    organizations.assert_status(200);
    let page = organizations.json();
    page_fields(&page, 2, 1, 50);
    assert_eq!(page["first_page"], true);
    assert_eq!(page["last_page"], true);
    let names: Vec<&str> = page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Alder Youth Services", "County Crisis Line"],
        "by name; inactive left out"
    );
    assert!(page["contents"][0].get("website").is_none());
    no_nulls(&page, "organizations");

    let second = app
        .get_anonymous("/hsds/organizations?page=2&per_page=1")
        .await
        .json();
    page_fields(&second, 2, 2, 1);
    assert_eq!(second["total_pages"], 2);
    assert_eq!(second["first_page"], false);
    assert_eq!(second["last_page"], true);
    assert_eq!(second["contents"][0]["name"], "County Crisis Line");
    let beyond = app.get_anonymous("/hsds/organizations?page=9").await.json();
    assert_eq!(beyond["empty"], true);
    assert_eq!(
        beyond["total_items"], 2,
        "past the end, the list's size still shows"
    );
    assert_eq!(beyond["total_pages"], 1);
    let beyond = app
        .get_anonymous("/hsds/services?page=9&per_page=2")
        .await
        .json();
    assert_eq!(
        (
            beyond["total_items"].as_i64(),
            beyond["total_pages"].as_i64()
        ),
        (Some(3), Some(2))
    );

    let line_id = line["id"].as_str().unwrap();
    let organization = app
        .get_anonymous(&format!("/hsds/organizations/{line_id}"))
        .await
        .json();
    assert_eq!(organization["id"], line_id);
    assert_eq!(organization["phones"][0]["number"], "988");
    assert_eq!(organization["locations"][0]["location_type"], "physical");
    assert_eq!(
        organization["locations"][0]["addresses"][0]["country"],
        "US"
    );
    assert_eq!(organization["services"].as_array().unwrap().len(), 2);
    assert!(organization.get("mou_status").is_none());
    no_nulls(&organization, "organization");
    let again = app
        .get_anonymous(&format!("/hsds/organizations/{line_id}"))
        .await
        .json();
    assert_eq!(
        again["phones"], organization["phones"],
        "derived ids are stable"
    );

    let services = app.get_anonymous("/hsds/services").await.json();
    page_fields(&services, 3, 1, 50);
    no_nulls(&services, "services");
    let mobile = services["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Mobile crisis team")
        .unwrap()
        .clone();
    assert_eq!(mobile["organization"]["name"], "County Crisis Line");
    assert_eq!(mobile["status"], "active");
    assert_eq!(mobile["eligibility_description"], "Anyone in the county");
    let one = app
        .get_anonymous(&format!(
            "/hsds/services/{}",
            mobile["id"].as_str().unwrap()
        ))
        .await;
    one.assert_status(200);
    let service = one.json();
    assert_eq!(service["schedules"][0]["description"], "24/7");
    assert_eq!(service["attributes"].as_array().unwrap().len(), 2);
    no_nulls(&service, "service");

    // Filters: by organization, by category (a taxonomy term of the service), by words.
    let of_bare = app
        .get_anonymous(&format!(
            "/hsds/services?organization_id={}",
            bare["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(of_bare["total_items"], 1);
    let term = service["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["taxonomy_term"]["code"] == "crisis")
        .unwrap()["taxonomy_term_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let crisis = app
        .get_anonymous(&format!("/hsds/services?taxonomy_term_id={term}"))
        .await
        .json();
    assert_eq!(crisis["total_items"], 1);
    assert_eq!(crisis["contents"][0]["name"], "Mobile crisis team");
    let unknown_term = app
        .get_anonymous(&format!(
            "/hsds/services?taxonomy_term_id={}",
            uuid::Uuid::now_v7()
        ))
        .await
        .json();
    assert_eq!(unknown_term["total_items"], 0);
    let words = app
        .get_anonymous("/hsds/services?search=drop-in")
        .await
        .json();
    assert_eq!(words["total_items"], 1);
    // The HSDS API's own parameters are understood, not refused.
    let taxonomy = service["attributes"][0]["taxonomy_term"]["taxonomy_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hsds_params = app
        .get_anonymous(&format!(
            "/hsds/services?format=json&full=true&minimal=false&taxonomy_id={taxonomy}"
        ))
        .await;
    hsds_params.assert_status(200);
    assert_eq!(hsds_params.json()["total_items"], 3);
    let other_taxonomy = app
        .get_anonymous(&format!(
            "/hsds/services?taxonomy_id={}",
            uuid::Uuid::now_v7()
        ))
        .await
        .json();
    assert_eq!(other_taxonomy["total_items"], 0);
    app.get_anonymous("/hsds/organizations?format=json&full=true&full_service=false")
        .await
        .assert_status(200);
    app.get_anonymous("/hsds/services?format=xml")
        .await
        .problem(400);
    let future = app
        .get_anonymous("/hsds/services?modified_after=2100-01-01T00:00:00Z")
        .await
        .json();
    assert_eq!(future["total_items"], 0);
    let past = app
        .get_anonymous("/hsds/organizations?modified_after=2000-01-01T00:00:00Z")
        .await
        .json();
    assert_eq!(past["total_items"], 2);

    conforms(&json!({
        "compiled_organization_list.json": page["contents"],
        "compiled_organization.json": [organization],
        "compiled_service_list.json": services["contents"],
        "compiled_service.json": [service],
    }));

    // Paging out of range is a 422 naming the parameter; an unknown or hidden id a 404.
    let bad = app.get_anonymous("/hsds/services?per_page=501").await;
    bad.problem(422);
    assert_eq!(bad.error_fields(), ["per_page"]);
    app.get_anonymous("/hsds/organizations?page=0")
        .await
        .problem(422);
    app.get_anonymous(&format!("/hsds/services/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404);
}

#[actix_web::test]
async fn withdrawn_services_and_inactive_partners_leave_the_hsds_api() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let line = create(&app, &coordinator.token, &crisis_line()).await;
    let id = line["id"].as_str().unwrap();
    let peer = line["services"][1]["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/partners/{id}"),
        &coordinator.token,
        None,
        &json!({"services": [{"id": line["services"][0]["id"], "name": "Mobile crisis team"}]}),
    )
    .await
    .assert_status(200);
    app.get_anonymous(&format!("/hsds/services/{peer}"))
        .await
        .problem(404);
    assert_eq!(
        app.get_anonymous("/hsds/services").await.json()["total_items"],
        1
    );
    app.patch(
        &format!("/api/v1/partners/{id}"),
        &coordinator.token,
        None,
        &json!({"active": false}),
    )
    .await
    .assert_status(200);
    app.get_anonymous(&format!("/hsds/organizations/{id}"))
        .await
        .problem(404);
    assert_eq!(
        app.get_anonymous("/hsds/services").await.json()["total_items"],
        0
    );
}
