//! Referrals: consent before sending, the transition graph through HTTP, partner users who see
//! and move only their own organization's referrals (404 for the rest), every read audited.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};
use crate::partners::{create, crisis_line};

/// A referral's world: a subject with a call, two partners, a clinician linked to personnel.
pub struct World {
    pub app: TestApp,
    pub admin: TestUser,
    pub clinician: TestUser,
    pub clinician_person: String,
    pub subject: String,
    pub call: String,
    pub partner: Value,
    pub other: Value,
}

/// A clinician linked to a new personnel record: (user, personnel id).
pub async fn linked_clinician(app: &TestApp, admin: &TestUser, number: &str) -> (TestUser, String) {
    let person = app
        .create_person(
            &admin.token,
            &json!({"employee_number": number, "first_name": "Kim", "last_name": "Ortiz",
                    "department": "social_services", "role": "clinician",
                    "hire_date": "2019-03-01"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let username = format!("clinician{}", number.to_lowercase());
    app.post(
        "/api/v1/users",
        Some(&admin.token),
        &json!({"username": username, "display_name": "Kim", "roles": ["clinician"],
                "password": crate::helpers::PASSWORD, "personnel_id": person}),
    )
    .await
    .assert_status(201);
    let login = app.login(&username, crate::helpers::PASSWORD).await.json();
    let user = TestUser {
        id: cit_api::ids::UserId::from_uuid(uuid::Uuid::nil()),
        username,
        token: login["access_token"].as_str().unwrap().to_owned(),
        refresh_token: String::new(),
    };
    (user, person)
}

/// Stores a mental-health call about subject `external_id`; (call id, subject id).
pub async fn call_about(
    app: &TestApp,
    key: &str,
    number: &str,
    received_at: &str,
    external_id: &str,
) -> (String, String) {
    let stored = app
        .put(
            &format!("/api/v1/calls/rms/{number}"),
            key,
            &json!({"source": "rms", "incident_number": number, "received_at": received_at,
                    "mental_health": true, "subject": {"external_id": external_id}}),
        )
        .await;
    assert!([200, 201].contains(&stored.status), "{}", stored.text());
    let id = stored.json()["call"]["id"].as_str().unwrap().to_owned();
    let subject = app
        .value(&format!(
            "SELECT subject_id::text AS value FROM calls WHERE id = '{id}'"
        ))
        .await
        .unwrap();
    (id, subject)
}

pub async fn world() -> World {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let (clinician, clinician_person) = linked_clinician(&app, &admin, "C-100").await;
    let (call, subject) =
        call_about(&app, &key, "24-0001", "2026-01-10T10:00:00-06:00", "P-1").await;
    let partner = create(&app, &admin.token, &crisis_line()).await;
    let other = create(
        &app,
        &admin.token,
        &json!({"name": "Harbor Housing", "services": [{"name": "Shelter intake"}]}),
    )
    .await;
    World {
        app,
        admin,
        clinician,
        clinician_person,
        subject,
        call,
        partner,
        other,
    }
}

impl World {
    pub fn referral(&self, partner: &Value) -> Value {
        json!({
            "subject_id": self.subject,
            "call_id": self.call,
            "partner_id": partner["id"],
            "service_id": partner["services"][0]["id"],
            "need": "Outpatient counselling; prefers afternoons",
            "consent": {"obtained": true, "method": "verbal", "scope": "contact"},
            "contact": {"name": "J. Doe", "phone": "217-555-0199", "best_time": "afternoons"},
        })
    }

    pub async fn send(&self, body: &Value) -> Value {
        let response = self
            .app
            .post("/api/v1/referrals", Some(&self.clinician.token), body)
            .await;
        response.assert_status(201);
        response.json()
    }

    pub async fn move_to(&self, token: &str, id: &str, body: &Value) -> crate::helpers::Response {
        self.app
            .post(
                &format!("/api/v1/referrals/{id}/transitions"),
                Some(token),
                body,
            )
            .await
    }
}

#[actix_web::test]
async fn a_clinician_refers_a_person_from_a_call_with_consent() {
    let w = world().await;
    let response = w
        .app
        .post(
            "/api/v1/referrals",
            Some(&w.clinician.token),
            &w.referral(&w.partner),
        )
        .await;
    response.assert_status(201);
    let body = response.json();
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        response.header("location").as_deref(),
        Some(format!("/api/v1/referrals/{id}").as_str())
    );
    assert_eq!(body["status"], "sent");
    assert_eq!(body["subject_id"], w.subject.as_str());
    assert_eq!(body["call_id"], w.call.as_str());
    assert_eq!(
        body["referred_by"],
        w.clinician_person.as_str(),
        "the caller's own record"
    );
    assert_eq!(
        body["consent"],
        json!({"obtained": true, "method": "verbal", "scope": "contact"})
    );
    assert_eq!(body["contact"]["phone"], "217-555-0199");
    assert_eq!(body["transitions"], json!([]));
    assert_eq!(body["version"], 1);

    let audits = w.app.audit_events("referral.create").await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].resource_id.as_deref(), Some(id));
    assert_eq!(audits[0].details()["consent_scope"], "contact");
    assert!(
        !audits[0].details.contains("J. Doe"),
        "no contact details in the trail"
    );

    // Consent for the need only: the contact is not kept.
    let mut need_only = w.referral(&w.partner);
    need_only["consent"]["scope"] = json!("need_only");
    let body = w.send(&need_only).await;
    assert!(body.get("contact").is_none());
    assert_eq!(
        w.app
            .count(&format!(
                "SELECT count(*) AS count FROM referrals WHERE id = '{}' AND contact IS NULL",
                body["id"].as_str().unwrap()
            ))
            .await,
        1
    );

    // The read is audited, and shows the same.
    let read = w
        .app
        .get(&format!("/api/v1/referrals/{id}"), &w.clinician.token)
        .await;
    read.assert_status(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        read.json()["need"],
        "Outpatient counselling; prefers afternoons"
    );
    assert_eq!(w.app.audit_events("referral.read").await.len(), 1);
}

#[actix_web::test]
async fn bad_referrals_are_refused_naming_the_field_and_nothing_is_stored() {
    let w = world().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"consent": {"obtained": false, "method": "verbal", "scope": "contact"}}),
            "consent.obtained",
        ),
        (
            json!({"subject_id": uuid::Uuid::now_v7(), "call_id": null}),
            "subject_id",
        ),
        (
            json!({"partner_id": uuid::Uuid::now_v7(), "service_id": null}),
            "partner_id",
        ),
        (
            json!({"service_id": w.other["services"][0]["id"]}),
            "service_id",
        ),
        (
            json!({"service_id": w.partner["services"][1]["id"]}),
            "service_id",
        ),
        (json!({"call_id": uuid::Uuid::now_v7()}), "call_id"),
        (json!({"need": "  "}), "need"),
        (json!({"referred_by": uuid::Uuid::now_v7()}), "referred_by"),
        (json!({"contact": {"name": ""}}), "contact.name"),
    ];
    for (change, field) in cases {
        let mut body = w.referral(&w.partner);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = w
            .app
            .post("/api/v1/referrals", Some(&w.clinician.token), &body)
            .await;
        response.problem(422);
        assert_eq!(response.error_fields(), [field], "{change}");
    }
    // A call about someone else.
    let key = w.app.api_key(&w.admin.token, "rms-2").await;
    let (other_call, _) =
        call_about(&w.app, &key, "24-0002", "2026-01-11T10:00:00-06:00", "P-2").await;
    let mut body = w.referral(&w.partner);
    body["call_id"] = json!(other_call);
    let response = w
        .app
        .post("/api/v1/referrals", Some(&w.clinician.token), &body)
        .await;
    response.problem(422);
    assert_eq!(response.error_fields(), ["call_id"]);
    // An inactive partner.
    w.app
        .patch(
            &format!("/api/v1/partners/{}", w.other["id"].as_str().unwrap()),
            &w.admin.token,
            None,
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
    let response = w
        .app
        .post(
            "/api/v1/referrals",
            Some(&w.clinician.token),
            &w.referral(&w.other),
        )
        .await;
    response.problem(422);
    assert_eq!(response.error_fields(), ["partner_id"]);
    // An admin with no personnel record names who referred.
    let response = w
        .app
        .post(
            "/api/v1/referrals",
            Some(&w.admin.token),
            &w.referral(&w.partner),
        )
        .await;
    response.problem(422);
    assert_eq!(response.error_fields(), ["referred_by"]);
    let mut named = w.referral(&w.partner);
    named["referred_by"] = json!(w.clinician_person);
    w.app
        .post("/api/v1/referrals", Some(&w.admin.token), &named)
        .await
        .assert_status(201);
    assert_eq!(
        w.app.count("SELECT count(*) AS count FROM referrals").await,
        1
    );
    assert_eq!(w.app.audit_events("referral.create").await.len(), 1);
}

#[actix_web::test]
async fn a_referral_moves_only_along_the_graph_and_every_move_is_kept() {
    let w = world().await;
    let id = w.send(&w.referral(&w.partner)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = w.clinician.token.clone();

    let skip = w.move_to(&token, &id, &json!({"to": "engaged"})).await;
    assert!(
        skip.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("acknowledged, closed")
    );
    w.move_to(&token, &id, &json!({"to": "sent"}))
        .await
        .problem(409);
    let stale = w
        .app
        .send(
            actix_web::http::Method::POST,
            &format!("/api/v1/referrals/{id}/transitions"),
            Some(&token),
            &[("content-type", "application/json"), ("if-match", "\"4\"")],
            Some(json!({"to": "acknowledged"}).to_string().into_bytes()),
        )
        .await;
    stale.problem(412);
    let reasoned = w
        .move_to(
            &token,
            &id,
            &json!({"to": "acknowledged", "reason": "completed"}),
        )
        .await;
    reasoned.problem(422);
    assert_eq!(reasoned.error_fields(), ["reason"]);

    let acknowledged = w
        .move_to(
            &token,
            &id,
            &json!({"to": "acknowledged", "note": "Called the intake desk"}),
        )
        .await;
    acknowledged.assert_status(200);
    assert_eq!(acknowledged.header("etag").as_deref(), Some("\"2\""));
    let engaged = w
        .move_to(&token, &id, &json!({"to": "engaged"}))
        .await
        .json();
    assert_eq!(engaged["status"], "engaged");
    assert!(engaged["engaged_at"].is_string());
    let unreasoned = w.move_to(&token, &id, &json!({"to": "closed"})).await;
    unreasoned.problem(422);
    assert_eq!(unreasoned.error_fields(), ["reason"]);
    let closed = w
        .move_to(&token, &id, &json!({"to": "closed", "reason": "completed"}))
        .await
        .json();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["close_reason"], "completed");
    assert_eq!(closed["version"], 4);
    let moves = closed["transitions"].as_array().unwrap();
    let path: Vec<(&str, &str)> = moves
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        path,
        [
            ("sent", "acknowledged"),
            ("acknowledged", "engaged"),
            ("engaged", "closed")
        ]
    );
    assert_eq!(moves[0]["note"], "Called the intake desk");
    assert_eq!(moves[0]["actor"], w.clinician.username.as_str());
    assert_eq!(moves[2]["reason"], "completed");
    for step in moves {
        assert!(step["at"].is_string() && step["actor_user_id"].is_string());
    }
    // From closed, nothing.
    for to in ["sent", "acknowledged", "engaged", "closed"] {
        let body = if to == "closed" {
            json!({"to": to, "reason": "withdrawn"})
        } else {
            json!({"to": to})
        };
        w.move_to(&token, &id, &body).await.problem(409);
    }
    let audits = w.app.audit_events("referral.transition").await;
    assert_eq!(audits.len(), 3);
    assert_eq!(
        audits[0].details(),
        json!({"from": "engaged", "to": "closed", "reason": "completed"})
    );
    // Closed early, from sent.
    let early = w.send(&w.referral(&w.partner)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let closed = w
        .move_to(
            &token,
            &early,
            &json!({"to": "closed", "reason": "unable_to_contact"}),
        )
        .await
        .json();
    assert!(closed.get("acknowledged_at").is_none() && closed.get("engaged_at").is_none());
    w.move_to(
        &token,
        &uuid::Uuid::now_v7().to_string(),
        &json!({"to": "acknowledged"}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn partner_staff_see_and_move_only_their_organizations_referrals() {
    let w = world().await;
    let ours = w.send(&w.referral(&w.partner)).await;
    let mut need_only = w.referral(&w.other);
    need_only["consent"]["scope"] = json!("need_only");
    let theirs = w.send(&need_only).await;
    let ours_id = ours["id"].as_str().unwrap();
    let theirs_id = theirs["id"].as_str().unwrap();
    let partner_id =
        |p: &Value| cit_api::ids::PartnerId::from_uuid(p["id"].as_str().unwrap().parse().unwrap());
    let staff = w.app.partner_user(partner_id(&w.partner)).await;
    let others = w.app.partner_user(partner_id(&w.other)).await;

    let list = w.app.get("/api/v1/referrals", &staff.token).await;
    list.assert_status(200);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let seen = &items[0];
    assert_eq!(seen["id"], ours_id);
    assert_eq!(seen["need"], "Outpatient counselling; prefers afternoons");
    assert_eq!(seen["contact"]["name"], "J. Doe", "consent covers contact");
    for hidden in [
        "subject_id",
        "call_id",
        "consent",
        "referred_by",
        "transitions",
    ] {
        assert!(seen.get(hidden).is_none(), "{hidden} is not for partners");
    }
    // Another partner's referral does not exist for them, whatever they try.
    w.app
        .get(&format!("/api/v1/referrals/{theirs_id}"), &staff.token)
        .await
        .problem(404);
    w.move_to(&staff.token, theirs_id, &json!({"to": "acknowledged"}))
        .await
        .problem(404);
    let filtered = w
        .app
        .get(
            &format!(
                "/api/v1/referrals?partner_id={}",
                w.other["id"].as_str().unwrap()
            ),
            &staff.token,
        )
        .await;
    assert_eq!(filtered.json()["items"], json!([]));
    w.app
        .get(
            &format!("/api/v1/referrals?subject_id={}", w.subject),
            &staff.token,
        )
        .await
        .problem(403);
    // A need-only referral shows no contact even to its own partner.
    let their_view = w
        .app
        .get(&format!("/api/v1/referrals/{theirs_id}"), &others.token)
        .await
        .json();
    assert!(their_view.get("contact").is_none());

    // They close the loop themselves.
    for to in ["acknowledged", "engaged"] {
        let moved = w.move_to(&staff.token, ours_id, &json!({"to": to})).await;
        moved.assert_status(200);
        assert!(moved.json().get("transitions").is_none());
    }
    let closed = w
        .move_to(
            &staff.token,
            ours_id,
            &json!({"to": "closed", "reason": "completed", "note": "Attended 3 sessions"}),
        )
        .await
        .json();
    assert_eq!(closed["status"], "closed");
    let clinical = w
        .app
        .get(&format!("/api/v1/referrals/{ours_id}"), &w.clinician.token)
        .await
        .json();
    assert_eq!(clinical["transitions"][2]["actor"], staff.username.as_str());
    assert_eq!(clinical["transitions"][2]["note"], "Attended 3 sessions");
    // Their reads are audited like anyone's.
    let reads = w.app.audit_events("referral.list").await;
    assert_eq!(
        reads.last().unwrap().details(),
        json!({"referral_ids": [ours_id]})
    );
}

#[actix_web::test]
async fn referrals_are_listed_by_status_partner_and_subject_and_as_csv() {
    let w = world().await;
    let first = w.send(&w.referral(&w.partner)).await;
    let second = w.send(&w.referral(&w.other)).await;
    w.move_to(
        &w.clinician.token,
        first["id"].as_str().unwrap(),
        &json!({"to": "acknowledged"}),
    )
    .await
    .assert_status(200);
    let ids = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let token = &w.clinician.token;
    let all = w.app.get("/api/v1/referrals", token).await.json();
    assert_eq!(
        ids(all),
        [
            second["id"].as_str().unwrap(),
            first["id"].as_str().unwrap()
        ]
    );
    let sent = w
        .app
        .get("/api/v1/referrals?status=sent", token)
        .await
        .json();
    assert_eq!(ids(sent), [second["id"].as_str().unwrap()]);
    let by_partner = w
        .app
        .get(
            &format!(
                "/api/v1/referrals?partner_id={}",
                w.partner["id"].as_str().unwrap()
            ),
            token,
        )
        .await
        .json();
    assert_eq!(ids(by_partner), [first["id"].as_str().unwrap()]);
    let by_subject = w
        .app
        .get(
            &format!("/api/v1/referrals?subject_id={}&limit=1", w.subject),
            token,
        )
        .await
        .json();
    assert_eq!(by_subject["items"].as_array().unwrap().len(), 1);
    assert!(by_subject["next_cursor"].is_string());
    w.app
        .get("/api/v1/referrals?status=lost", token)
        .await
        .problem(400);

    let csv = w.app.get_csv("/api/v1/referrals", token).await;
    csv.assert_status(200);
    let text = csv.text();
    assert!(text.starts_with("id,partner_id,service_id,status,sent_at,"));
    assert!(
        !text.contains("counselling") && !text.contains("J. Doe"),
        "no need or contact in CSV"
    );
}
