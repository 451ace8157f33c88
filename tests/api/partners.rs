//! Partners: the public directory and its internal view, edits with `If-Match`, services kept
//! by id and withdrawn rather than deleted.

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, item_strings};

pub fn crisis_line() -> Value {
    json!({
        "name": "County Crisis Line",
        "description": "24-hour crisis counselling and mobile crisis dispatch.",
        "website": "https://crisis.example.org",
        "email": "intake@crisis.example.org",
        "phones": [{"number": "988", "description": "Call or text"}, {"number": "+1 217 555 0100"}],
        "address": {"address_1": "200 S Main St", "city": "Springfield", "state_province": "IL",
                    "postal_code": "62701", "country": "us"},
        "services": [
            {"name": "Mobile crisis team", "categories": ["crisis", "Mental health"],
             "eligibility": "Anyone in the county", "hours": "24/7"},
            {"name": "Peer support group", "accepts_referrals": false},
        ],
        "mou_status": "signed",
    })
}

/// Creates a partner through the API; its body.
pub async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app.post("/api/v1/partners", Some(token), body).await;
    response.assert_status(201);
    response.json()
}

#[actix_web::test]
async fn the_public_sees_the_directory_and_editors_see_the_internal_fields() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let created = create(&app, &coordinator.token, &crisis_line()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["mou_status"], "signed");
    assert_eq!(created["active"], true);
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["address"]["country"], "US",
        "country codes are raised"
    );
    assert_eq!(
        created["services"][0]["categories"],
        json!(["crisis", "mental_health"])
    );
    assert_eq!(created["services"][0]["accepts_referrals"], true);
    assert_eq!(created["services"][1]["accepts_referrals"], false);
    assert!(
        created["services"][1].get("hours").is_none(),
        "absent, not null"
    );

    let public = app.get_anonymous(&format!("/api/v1/partners/{id}")).await;
    public.assert_status(200);
    let body = public.json();
    assert_eq!(body["name"], "County Crisis Line");
    assert_eq!(
        body["phones"][0],
        json!({"number": "988", "description": "Call or text"})
    );
    assert_eq!(body["services"].as_array().unwrap().len(), 2);
    for internal in [
        "mou_status",
        "active",
        "version",
        "created_at",
        "updated_at",
    ] {
        assert!(body.get(internal).is_none(), "{internal} is not public");
    }
    assert!(public.header("etag").is_none());

    // A signed-in reader without an editing role sees the public view too.
    let analyst = app.login_as(Role::Analyst).await;
    let seen = app
        .get(&format!("/api/v1/partners/{id}"), &analyst.token)
        .await;
    assert!(seen.json().get("mou_status").is_none());
    // An editor sees everything, with the ETag.
    let clinician = app.login_as(Role::Clinician).await;
    let seen = app
        .get(&format!("/api/v1/partners/{id}"), &clinician.token)
        .await;
    assert_eq!(seen.json()["mou_status"], "signed");
    assert_eq!(seen.header("etag").as_deref(), Some("\"1\""));
    // A bad token on a public route is still a 401.
    app.get(&format!("/api/v1/partners/{id}"), "not-a-token")
        .await
        .problem(401);

    let list = app.get_anonymous("/api/v1/partners").await;
    list.assert_status(200);
    assert_eq!(list.json()["items"][0]["id"], id.as_str());
    assert!(list.json()["items"][0].get("mou_status").is_none());

    let audits = app.audit_events("partner.create").await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(audits[0].details(), json!({"services": 2}));
}

#[actix_web::test]
async fn inactive_partners_leave_the_public_directory() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let active = create(&app, &admin.token, &crisis_line()).await;
    let mut other = crisis_line();
    other["name"] = json!("Old Shelter");
    other["active"] = json!(false);
    let inactive = create(&app, &admin.token, &other).await;

    let public = app.get_anonymous("/api/v1/partners").await.json();
    assert_eq!(
        item_strings(&public, "id"),
        [active["id"].as_str().unwrap()]
    );
    app.get_anonymous(&format!(
        "/api/v1/partners/{}",
        inactive["id"].as_str().unwrap()
    ))
    .await
    .problem(404);
    // The public cannot ask for inactive ones; editors can.
    let asked = app
        .get_anonymous("/api/v1/partners?active=false")
        .await
        .json();
    assert_eq!(asked["items"].as_array().unwrap().len(), 1);
    assert_eq!(asked["items"][0]["id"], active["id"]);
    let editors = app
        .get("/api/v1/partners?active=false", &admin.token)
        .await
        .json();
    assert_eq!(editors["items"][0]["id"], inactive["id"]);
    assert_eq!(editors["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_directory_is_searched_by_words_and_category() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    create(&app, &admin.token, &crisis_line()).await;
    create(
        &app,
        &admin.token,
        &json!({"name": "Harbor Housing", "description": "Emergency shelter beds",
                "services": [{"name": "Shelter intake", "categories": ["housing"]}]}),
    )
    .await;
    let names = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = app.get_anonymous("/api/v1/partners?q=shelter").await.json();
    assert_eq!(names(found), ["Harbor Housing"]);
    let found = app
        .get_anonymous("/api/v1/partners?q=mobile%20crisis")
        .await
        .json();
    assert_eq!(
        names(found),
        ["County Crisis Line"],
        "a service's name matches"
    );
    let found = app
        .get_anonymous("/api/v1/partners?category=housing")
        .await
        .json();
    assert_eq!(names(found), ["Harbor Housing"]);
    let found = app.get_anonymous("/api/v1/partners?q=100%25").await.json();
    assert!(names(found).is_empty(), "LIKE wildcards are literal");
    let csv = app.get_csv("/api/v1/partners", &admin.token).await;
    csv.assert_status(200);
    assert!(csv.text().starts_with(
        "id,name,description,website,email,phones,address,services,mou_status,active,version\n"
    ));
}

#[actix_web::test]
async fn a_patch_changes_fields_and_services_by_id_and_withdraws_the_rest() {
    let app = TestApp::spawn().await;
    let clinician = app.login_as(Role::Clinician).await;
    let created = create(&app, &clinician.token, &crisis_line()).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/partners/{id}");
    let mobile = created["services"][0]["id"].as_str().unwrap().to_owned();
    let peer = created["services"][1]["id"].as_str().unwrap().to_owned();

    let stale = app
        .patch(
            &path,
            &clinician.token,
            Some("\"7\""),
            &json!({"mou_status": "expired"}),
        )
        .await;
    stale.problem(412);

    let changed = app
        .patch(
            &path,
            &clinician.token,
            Some("\"1\""),
            &json!({
                "mou_status": "expired",
                "website": null,
                "services": [
                    {"name": "Walk-in clinic", "categories": ["crisis"]},
                    {"id": mobile, "name": "Mobile crisis team", "categories": ["crisis"],
                     "hours": "Daily 8am-midnight"},
                ],
            }),
        )
        .await;
    changed.assert_status(200);
    let body = changed.json();
    assert_eq!(body["version"], 2);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(body["mou_status"], "expired");
    assert!(body.get("website").is_none());
    let services = body["services"].as_array().unwrap();
    assert_eq!(services.len(), 2, "the peer group is withdrawn");
    assert_eq!(services[0]["name"], "Walk-in clinic");
    assert_eq!(
        services[1]["id"],
        mobile.as_str(),
        "kept its id, moved to second"
    );
    assert_eq!(services[1]["hours"], "Daily 8am-midnight");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS count FROM partner_services WHERE id = '{peer}' AND withdrawn_at IS NOT NULL"
        ))
        .await,
        1,
        "withdrawn, not deleted"
    );
    let audits = app.audit_events("partner.update").await;
    assert_eq!(
        audits[0].details(),
        json!({"changed": ["website", "mou_status", "services"]})
    );

    // The same patch again changes nothing: no version, no audit row.
    let same = app
        .patch(
            &path,
            &clinician.token,
            None,
            &json!({"mou_status": "expired"}),
        )
        .await;
    assert_eq!(same.json()["version"], 2);
    assert_eq!(app.audit_events("partner.update").await.len(), 1);

    // A withdrawn service comes back by its id.
    let back = app
        .patch(
            &path,
            &clinician.token,
            None,
            &json!({"services": [{"id": peer, "name": "Peer support group"}]}),
        )
        .await
        .json();
    assert_eq!(back["services"][0]["id"], peer.as_str());
    assert_eq!(back["services"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn bad_partners_are_refused_naming_every_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let bad = app
        .post(
            "/api/v1/partners",
            Some(&admin.token),
            &json!({
                "name": " ",
                "website": "crisis.example.org",
                "email": "not-an-email",
                "phones": [{"number": "call us"}],
                "address": {"address_1": "1 Main", "city": "", "state_province": "IL",
                            "postal_code": "62701", "country": "USA"},
                "services": [{"name": "", "categories": ["!"]}],
            }),
        )
        .await;
    bad.problem(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "address.city",
            "address.country",
            "email",
            "name",
            "phones[0]",
            "services[0].categories[0]",
            "services[0].name",
            "website",
        ]
    );
    assert_eq!(app.count("SELECT count(*) AS count FROM partners").await, 0);

    create(&app, &admin.token, &crisis_line()).await;
    let duplicate = app
        .post("/api/v1/partners", Some(&admin.token), &crisis_line())
        .await;
    duplicate.problem(409);
    app.post(
        "/api/v1/partners",
        Some(&admin.token),
        &json!({"name": "X", "colour": "red"}),
    )
    .await
    .problem(400);

    let created = create(
        &app,
        &admin.token,
        &json!({"name": "Solo", "services": [{"name": "One"}]}),
    )
    .await;
    let path = format!("/api/v1/partners/{}", created["id"].as_str().unwrap());
    let foreign = app
        .patch(
            &path,
            &admin.token,
            None,
            &json!({"services": [{"id": uuid::Uuid::now_v7(), "name": "Stolen"}], "name": null}),
        )
        .await;
    foreign.problem(422);
    assert_eq!(foreign.error_fields(), ["name"]);
    let foreign = app
        .patch(
            &path,
            &admin.token,
            None,
            &json!({"services": [{"id": uuid::Uuid::now_v7(), "name": "Stolen"}]}),
        )
        .await;
    foreign.problem(422);
    assert_eq!(foreign.error_fields(), ["services[0].id"]);
    app.patch(
        &format!("/api/v1/partners/{}", uuid::Uuid::now_v7()),
        &admin.token,
        None,
        &json!({"name": "Nobody"}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn a_partner_user_must_work_for_a_partner_that_exists() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unknown = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            &json!({"username": "pat", "display_name": "Pat", "roles": ["partner"],
                    "password": "a long enough passphrase", "partner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    unknown.problem(422);
    assert_eq!(unknown.error_fields(), ["partner_id"]);
    let partner = create(&app, &admin.token, &crisis_line()).await;
    app.post(
        "/api/v1/users",
        Some(&admin.token),
        &json!({"username": "pat", "display_name": "Pat", "roles": ["partner"],
                "password": "a long enough passphrase", "partner_id": partner["id"]}),
    )
    .await
    .assert_status(201);
}
