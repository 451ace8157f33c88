//! A working day against the service as a process of its own, logging at `trace`: every class
//! of event API.md section 7 names leaves exactly one audit row (actor, time, source address,
//! action, resource, outcome, the request's id), every path that shows a subject is audited,
//! and neither the log nor the trail holds a secret or a personal value that was sent.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, PASSWORD, Response, TestApp, TestDatabase};
use crate::process::Service;

/// One audit row, as this test reads it.
#[derive(Debug, diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_user_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_api_key_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_username: Option<String>,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Text)]
    resource_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    resource_id: Option<String>,
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Nullable<Text>)]
    ip: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = Text)]
    details: String,
}

/// Who an event must name.
#[derive(Clone)]
enum Actor {
    /// A user: its id and name.
    User(String, String),
    /// An API key: its id and name.
    Key(String, String),
    /// A name that matched no user (a failed login).
    Unknown(String),
}

/// The record an event must be about.
enum Resource {
    /// This id.
    Id(String),
    /// An id the test does not know in advance (a session, a route).
    Any,
    /// None (a list: the ids shown are in `details`).
    Null,
}

/// One expected row.
struct Event {
    action: &'static str,
    resource_type: &'static str,
    resource: Resource,
    outcome: &'static str,
    actor: Actor,
}

/// A successful event.
fn ok(
    action: &'static str,
    resource_type: &'static str,
    resource: Resource,
    actor: &Actor,
) -> Event {
    event(action, resource_type, resource, "success", actor)
}

/// The record with this id.
fn id(id: &str) -> Resource {
    Resource::Id(id.to_owned())
}

fn event(
    action: &'static str,
    resource_type: &'static str,
    resource: Resource,
    outcome: &'static str,
    actor: &Actor,
) -> Event {
    Event {
        action,
        resource_type,
        resource,
        outcome,
        actor: actor.clone(),
    }
}

/// The audit trail as the scenario goes: each step must add exactly the rows it names.
struct Trail {
    db: Arc<TestDatabase>,
    seen: HashSet<String>,
}

const COLUMNS: &str = "id::text AS id, occurred_at, actor_user_id::text AS actor_user_id, \
    actor_api_key_id::text AS actor_api_key_id, actor_username, action, resource_type, \
    resource_id, outcome::text AS outcome, ip, request_id::text AS request_id, \
    details::text AS details";

impl Trail {
    async fn start(db: Arc<TestDatabase>) -> Self {
        let mut trail = Self {
            db,
            seen: HashSet::new(),
        };
        let existing = trail.rows().await;
        trail.seen = existing.into_iter().map(|row| row.id).collect();
        trail
    }

    async fn rows(&self) -> Vec<Row> {
        let mut conn = self.db.connect().await;
        diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM audit_events ORDER BY occurred_at, id"
        ))
        .load(&mut conn)
        .await
        .unwrap()
    }

    /// Runs one step and checks the rows it added: exactly `expected`, in that order.
    async fn step(
        &mut self,
        what: &str,
        request: impl Future<Output = Response>,
        expected: &[Event],
    ) -> Response {
        let began = Utc::now();
        let response = request.await;
        assert!(
            response.status < 500,
            "{what}: {} {}",
            response.status,
            response.text()
        );
        // A denial is recorded after its answer: give it a moment.
        let mut added = Vec::new();
        for _ in 0..100 {
            added = self.rows().await;
            added.retain(|row| !self.seen.contains(&row.id));
            if added.len() >= expected.len() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ended = Utc::now();
        let summary: Vec<String> = added
            .iter()
            .map(|r| format!("{} {} {}", r.action, r.outcome, r.details))
            .collect();
        assert_eq!(
            added.len(),
            expected.len(),
            "{what}: expected {} audit rows, found {summary:?}; answered {} {}",
            expected.len(),
            response.status,
            response.text()
        );
        let request_id = response.header("x-request-id");
        for (row, want) in added.iter().zip(expected) {
            let label = format!("{what}: {}", want.action);
            assert_eq!(row.action, want.action, "{what}: {summary:?}");
            assert_eq!(row.resource_type, want.resource_type, "{label}");
            assert_eq!(row.outcome, want.outcome, "{label}");
            match &want.resource {
                Resource::Id(id) => {
                    assert_eq!(row.resource_id.as_deref(), Some(id.as_str()), "{label}")
                }
                Resource::Any => assert!(row.resource_id.is_some(), "{label}"),
                Resource::Null => assert_eq!(row.resource_id, None, "{label}"),
            }
            let (user, key, name) = match &want.actor {
                Actor::User(id, name) => (Some(id.as_str()), None, name.as_str()),
                Actor::Key(id, name) => (None, Some(id.as_str()), name.as_str()),
                Actor::Unknown(name) => (None, None, name.as_str()),
            };
            assert_eq!(row.actor_user_id.as_deref(), user, "{label}");
            assert_eq!(row.actor_api_key_id.as_deref(), key, "{label}");
            assert_eq!(row.actor_username.as_deref(), Some(name), "{label}");
            assert_eq!(row.ip.as_deref(), Some("127.0.0.1"), "{label}");
            assert_eq!(
                row.request_id, request_id,
                "{label}: the answer's request id"
            );
            assert!(
                row.occurred_at >= began - chrono::Duration::seconds(1)
                    && row.occurred_at <= ended + chrono::Duration::seconds(1),
                "{label}: occurred at {} outside {began}..{ended}",
                row.occurred_at
            );
        }
        self.seen.extend(added.into_iter().map(|row| row.id));
        response
    }
}

fn id_of(response: &Response) -> String {
    response.json()["id"].as_str().unwrap().to_owned()
}

fn token_of(response: &Response) -> (String, String) {
    let body = response.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// Everything sent that must never be logged or put in the trail.
#[derive(Default)]
struct Secrets(Vec<String>);

impl Secrets {
    fn add(&mut self, value: impl Into<String>) {
        self.0.push(value.into());
    }
}

#[actix_web::test]
async fn every_event_class_leaves_one_audit_row_and_the_log_holds_no_secret() {
    let db = Arc::new(TestDatabase::create().await);
    let service = Service::start(&db.url(), &[("RUST_LOG", "trace")]).await;
    let app: TestApp = service.app(&db);
    let mut secrets = Secrets::default();
    secrets.add(ADMIN_PASSWORD);
    secrets.add(PASSWORD);

    // Accounts made straight in the database (not audited), then the trail starts.
    let analyst = app.create_user(&[cit_api::db::enums::Role::Analyst]).await;
    let analyst_id = analyst.id.to_string();
    let admin_id = app
        .value("SELECT id::text AS value FROM users WHERE username = 'admin'")
        .await
        .unwrap();
    let admin = Actor::User(admin_id.clone(), ADMIN.to_owned());
    let as_analyst = Actor::User(analyst_id.clone(), analyst.username.clone());
    let mut t = Trail::start(db.clone()).await;

    // --- Logins, lockout, unlock.
    let login = t
        .step(
            "the admin logs in",
            app.login(ADMIN, ADMIN_PASSWORD),
            &[ok("auth.login", "user", id(&admin_id), &admin)],
        )
        .await;
    let (admin_token, admin_refresh) = token_of(&login);
    secrets.add(&admin_token);
    secrets.add(&admin_refresh);
    let wrong = "wrong guess of a passphrase 9";
    secrets.add(wrong);
    for attempt in 1..=4 {
        t.step(
            &format!("wrong password {attempt}"),
            app.login(&analyst.username, wrong),
            &[event(
                "auth.login",
                "user",
                id(&analyst_id),
                "failed",
                &as_analyst,
            )],
        )
        .await
        .problem(401);
    }
    t.step(
        "the fifth wrong password locks",
        app.login(&analyst.username, wrong),
        &[
            event("auth.login", "user", id(&analyst_id), "failed", &as_analyst),
            ok("auth.lockout", "user", id(&analyst_id), &as_analyst),
        ],
    )
    .await
    .problem(423);
    t.step(
        "the right password while locked",
        app.login(&analyst.username, PASSWORD),
        &[event(
            "auth.login",
            "user",
            id(&analyst_id),
            "denied",
            &as_analyst,
        )],
    )
    .await
    .problem(423);
    t.step(
        "an unknown name",
        app.login("nobody-here", wrong),
        &[event(
            "auth.login",
            "user",
            Resource::Null,
            "failed",
            &Actor::Unknown("nobody-here".into()),
        )],
    )
    .await
    .problem(401);
    t.step(
        "the admin unlocks the analyst",
        app.post(
            &format!("/api/v1/users/{analyst_id}/unlock"),
            Some(&admin_token),
            &json!({}),
        ),
        &[ok("user.unlock", "user", id(&analyst_id), &admin)],
    )
    .await
    .assert_status(200);

    // --- User changes and passwords.
    let clinician_password = "clinician passphrase of 2026";
    secrets.add(clinician_password);
    let created = app
        .post(
            "/api/v1/users",
            Some(&admin_token),
            &json!({"username": "kim.ortiz", "display_name": "Kim", "roles": ["clinician"],
                    "password": clinician_password}),
        )
        .await;
    // (checked as a step below, by its id; made first to learn the id)
    created.assert_status(201);
    let clinician_id = id_of(&created);
    let rows = t.rows().await;
    let made: Vec<&Row> = rows.iter().filter(|r| !t.seen.contains(&r.id)).collect();
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].action.as_str(), made[0].resource_id.as_deref()),
        ("user.create", Some(clinician_id.as_str()))
    );
    assert_eq!(made[0].actor_user_id.as_deref(), Some(admin_id.as_str()));
    t.seen.insert(made[0].id.clone());
    let clinician = Actor::User(clinician_id.clone(), "kim.ortiz".into());
    t.step(
        "the admin changes a user",
        app.patch(
            &format!("/api/v1/users/{clinician_id}"),
            &admin_token,
            None,
            &json!({"display_name": "Kim O."}),
        ),
        &[ok("user.update", "user", id(&clinician_id), &admin)],
    )
    .await
    .assert_status(200);
    let reset = "reset passphrase for the analyst";
    secrets.add(reset);
    t.step(
        "the admin sets the analyst's password",
        app.post(
            &format!("/api/v1/users/{analyst_id}/password"),
            Some(&admin_token),
            &json!({"new_password": reset}),
        ),
        &[ok("user.password_reset", "user", id(&analyst_id), &admin)],
    )
    .await;
    let login = t
        .step(
            "the analyst logs in",
            app.login(&analyst.username, reset),
            &[ok("auth.login", "user", id(&analyst_id), &as_analyst)],
        )
        .await;
    let (_, refresh) = token_of(&login);
    let refreshed = t
        .step(
            "the analyst refreshes",
            app.refresh(&refresh),
            &[ok("auth.refresh", "session", Resource::Any, &as_analyst)],
        )
        .await;
    let (analyst_token, analyst_refresh) = token_of(&refreshed);
    secrets.add(&refresh);
    secrets.add(&analyst_token);
    secrets.add(&analyst_refresh);
    let changed = "the analyst's own new passphrase";
    secrets.add(changed);
    t.step(
        "the analyst changes the password",
        app.post(
            "/api/v1/me/password",
            Some(&analyst_token),
            &json!({"current_password": reset, "new_password": changed}),
        ),
        &[ok(
            "auth.password_change",
            "user",
            id(&analyst_id),
            &as_analyst,
        )],
    )
    .await
    .assert_status(204);
    let login = app.login(&analyst.username, changed).await;
    t.seen.extend(t.rows().await.into_iter().map(|r| r.id));
    let (analyst_token, analyst_refresh) = token_of(&login);
    secrets.add(&analyst_token);
    secrets.add(&analyst_refresh);
    t.step(
        "a role without the right asks for users",
        app.get("/api/v1/users", &analyst_token),
        &[event(
            "access.denied",
            "route",
            Resource::Any,
            "denied",
            &as_analyst,
        )],
    )
    .await
    .problem(403);
    t.step(
        "the analyst logs out",
        app.post(
            "/api/v1/auth/logout",
            Some(&analyst_token),
            &json!({"refresh_token": analyst_refresh}),
        ),
        &[ok("auth.logout", "session", Resource::Any, &as_analyst)],
    )
    .await;

    // --- API keys.
    let made = t
        .step(
            "the admin makes a key",
            app.post(
                "/api/v1/api-keys",
                Some(&admin_token),
                &json!({"name": "rms", "roles": ["integration"]}),
            ),
            &[ok("api_key.create", "api_key", Resource::Any, &admin)],
        )
        .await;
    let key = made.json()["key"].as_str().unwrap().to_owned();
    let key_id = id_of(&made);
    secrets.add(&key);
    secrets.add(key.trim_start_matches("citk_"));
    let rms = Actor::Key(key_id.clone(), "rms".into());
    let spare = app
        .post(
            "/api/v1/api-keys",
            Some(&admin_token),
            &json!({"name": "spare", "roles": ["integration"]}),
        )
        .await;
    t.seen.extend(t.rows().await.into_iter().map(|r| r.id));
    let spare_id = id_of(&spare);
    secrets.add(spare.json()["key"].as_str().unwrap());
    t.step(
        "the admin revokes a key",
        app.post(
            &format!("/api/v1/api-keys/{spare_id}/revoke"),
            Some(&admin_token),
            &json!({}),
        ),
        &[ok("api_key.revoke", "api_key", id(&spare_id), &admin)],
    )
    .await
    .assert_status(200);

    // --- Records: create, update, import, calls one by one and in a batch.
    let person = t
        .step(
            "a person is created",
            app.post(
                "/api/v1/personnel",
                Some(&admin_token),
                &json!({"employee_number": "C-100", "first_name": "Kim", "last_name": "Ortiz",
                        "department": "social_services", "role": "clinician", "hire_date": "2019-03-01"}),
            ),
            &[ok("personnel.create", "personnel", Resource::Any, &admin)],
        )
        .await;
    let person_id = id_of(&person);
    t.step(
        "a person is changed",
        app.patch(
            &format!("/api/v1/personnel/{person_id}"),
            &admin_token,
            None,
            &json!({"shift": "B"}),
        ),
        &[ok("personnel.update", "personnel", id(&person_id), &admin)],
    )
    .await
    .assert_status(200);
    t.step(
        "a roster is imported",
        app.import_roster(
            &admin_token,
            "employee_number,first_name,last_name,department,role,shift,hire_date\n\
             P-1,Ana,Diaz,police,officer,A,2015-01-01\nP-2,Ben,Cole,police,officer,B,2016-01-01\n",
        ),
        &[ok("personnel.import", "personnel", Resource::Null, &admin)],
    )
    .await
    .assert_status(200);

    let address = "4417 WISTERIA BLOCK";
    let external = "RMS-SUBJECT-88321";
    secrets.add(address);
    secrets.add(external);
    let call = json!({
        "source": "rms", "incident_number": "26-000777", "received_at": "2026-03-01T10:00:00-06:00",
        "call_type": "PIC", "mental_health": true, "crisis_types": ["suicide"],
        "location": {"address": address, "beat": "B1"},
        "responders": [{"employee_number": "P-1", "role": "primary"}],
        "subject": {"external_id": external, "year_of_birth": 1971, "veteran": true},
    });
    let put = t
        .step(
            "the RMS sends a call",
            app.put("/api/v1/calls/rms/26-000777", &key, &call),
            &[ok("call.create", "call", Resource::Any, &rms)],
        )
        .await;
    put.assert_status(201);
    let call_id = put.json()["call"]["id"].as_str().unwrap().to_owned();
    let subject_id = app
        .value(&format!(
            "SELECT subject_id::text AS value FROM calls WHERE id = '{call_id}'"
        ))
        .await
        .unwrap();
    let mut changed_call = call.clone();
    changed_call["dispositions"] = json!(["mobile_crisis"]);
    t.step(
        "the RMS changes it",
        app.put("/api/v1/calls/rms/26-000777", &key, &changed_call),
        &[ok("call.update", "call", id(&call_id), &rms)],
    )
    .await
    .assert_status(200);
    t.step(
        "the same again changes nothing and is not a write",
        app.put("/api/v1/calls/rms/26-000777", &key, &changed_call),
        &[],
    )
    .await
    .assert_status(200);
    let bad_external = "RMS-SUBJECT-BAD-4471";
    secrets.add(bad_external);
    let batch = t
        .step(
            "a batch with a bad call",
            app.post(
                "/api/v1/calls/batch",
                Some(&key),
                &json!({"calls": [
                    {"source": "rms", "incident_number": "26-000778", "received_at": "2026-03-02T10:00:00-06:00",
                     "mental_health": true, "subject": {"external_id": "RMS-SUBJECT-2"}},
                    {"source": "rms", "incident_number": "26-000779", "received_at": "not a time",
                     "mental_health": true, "subject": {"external_id": bad_external, "year_of_birth": 1850}},
                ]}),
            ),
            &[ok("call.batch", "call", Resource::Null, &rms)],
        )
        .await;
    batch.assert_status(200);
    assert_eq!(batch.json()["rejected"], 1);
    assert!(
        !batch.text().contains(bad_external),
        "no subject value in an error"
    );

    // --- Care: partners, referrals, follow-ups.
    let partner = t
        .step(
            "a partner is added",
            app.post(
                "/api/v1/partners",
                Some(&admin_token),
                &json!({"name": "County Crisis Line", "services": [{"name": "Mobile crisis team"}]}),
            ),
            &[ok("partner.create", "partner", Resource::Any, &admin)],
        )
        .await;
    t.step(
        "the admin links the clinician to a person",
        app.patch(
            &format!("/api/v1/users/{clinician_id}"),
            &admin_token,
            None,
            &json!({"personnel_id": person_id}),
        ),
        &[ok("user.update", "user", id(&clinician_id), &admin)],
    )
    .await
    .assert_status(200);
    let login = app.login("kim.ortiz", clinician_password).await;
    t.seen.extend(t.rows().await.into_iter().map(|r| r.id));
    let (clinician_token, clinician_refresh) = token_of(&login);
    secrets.add(&clinician_token);
    secrets.add(&clinician_refresh);
    let partner = partner.json();
    let (contact, phone, need) = (
        "Jordan Q. Example",
        "217-555-0142",
        "Counselling; afraid of hospitals",
    );
    secrets.add(contact);
    secrets.add(phone);
    secrets.add(need);
    let referral = t
        .step(
            "a referral is sent",
            app.post(
                "/api/v1/referrals",
                Some(&clinician_token),
                &json!({"subject_id": subject_id, "call_id": call_id, "partner_id": partner["id"],
                        "service_id": partner["services"][0]["id"], "need": need,
                        "consent": {"obtained": true, "method": "verbal", "scope": "contact"},
                        "contact": {"name": contact, "phone": phone}}),
            ),
            &[ok("referral.create", "referral", Resource::Any, &clinician)],
        )
        .await;
    let referral_id = id_of(&referral);
    let note = "Reached the intake desk about the person";
    secrets.add(note);
    t.step(
        "a referral moves",
        app.post(
            &format!("/api/v1/referrals/{referral_id}/transitions"),
            Some(&clinician_token),
            &json!({"to": "acknowledged", "note": note}),
        ),
        &[ok(
            "referral.transition",
            "referral",
            id(&referral_id),
            &clinician,
        )],
    )
    .await
    .assert_status(200);
    let follow_up = t
        .step(
            "a follow-up is planned",
            app.post(
                "/api/v1/follow-ups",
                Some(&clinician_token),
                &json!({"subject_id": subject_id, "call_id": call_id,
                        "due_at": (Utc::now() + chrono::Duration::days(7)).to_rfc3339(), "method": "visit"}),
            ),
            &[ok("follow_up.create", "follow_up", Resource::Any, &clinician)],
        )
        .await;
    let follow_up_id = id_of(&follow_up);
    let outcome = "Talked on the porch; sleeping better";
    secrets.add(outcome);
    t.step(
        "a follow-up is changed",
        app.patch(
            &format!("/api/v1/follow-ups/{follow_up_id}"),
            &clinician_token,
            None,
            &json!({"method": "phone"}),
        ),
        &[ok(
            "follow_up.update",
            "follow_up",
            id(&follow_up_id),
            &clinician,
        )],
    )
    .await
    .assert_status(200);
    t.step(
        "a follow-up is done",
        app.post(
            &format!("/api/v1/follow-ups/{follow_up_id}/transitions"),
            Some(&clinician_token),
            &json!({"to": "completed", "outcome_note": outcome}),
        ),
        &[ok(
            "follow_up.transition",
            "follow_up",
            id(&follow_up_id),
            &clinician,
        )],
    )
    .await
    .assert_status(200);

    // --- Every path that shows who a call or a referral concerns, read by a clinician.
    let c = &clinician_token;
    let reads: Vec<(&str, String, bool, &'static str, &'static str, Resource)> = vec![
        (
            "subjects listed",
            "/api/v1/subjects".into(),
            false,
            "subject.list",
            "subject",
            Resource::Null,
        ),
        (
            "subjects as CSV",
            "/api/v1/subjects".into(),
            true,
            "subject.list",
            "subject",
            Resource::Null,
        ),
        (
            "a subject",
            format!("/api/v1/subjects/{subject_id}"),
            false,
            "subject.read",
            "subject",
            id(&subject_id),
        ),
        (
            "a subject's timeline",
            format!("/api/v1/subjects/{subject_id}/timeline"),
            false,
            "subject.timeline",
            "subject",
            id(&subject_id),
        ),
        (
            "a call with its subject",
            format!("/api/v1/calls/{call_id}"),
            false,
            "call.read",
            "call",
            id(&call_id),
        ),
        (
            "calls with their subjects",
            "/api/v1/calls".into(),
            false,
            "call.list",
            "call",
            Resource::Null,
        ),
        (
            "calls as CSV",
            "/api/v1/calls".into(),
            true,
            "call.list",
            "call",
            Resource::Null,
        ),
        (
            "a referral",
            format!("/api/v1/referrals/{referral_id}"),
            false,
            "referral.read",
            "referral",
            id(&referral_id),
        ),
        (
            "referrals listed",
            "/api/v1/referrals".into(),
            false,
            "referral.list",
            "referral",
            Resource::Null,
        ),
        (
            "referrals as CSV",
            "/api/v1/referrals".into(),
            true,
            "referral.list",
            "referral",
            Resource::Null,
        ),
        (
            "a follow-up",
            format!("/api/v1/follow-ups/{follow_up_id}"),
            false,
            "follow_up.read",
            "follow_up",
            id(&follow_up_id),
        ),
        (
            "follow-ups listed",
            "/api/v1/follow-ups".into(),
            false,
            "follow_up.list",
            "follow_up",
            Resource::Null,
        ),
        (
            "follow-ups as CSV",
            "/api/v1/follow-ups".into(),
            true,
            "follow_up.list",
            "follow_up",
            Resource::Null,
        ),
    ];
    for (what, path, csv, action, resource_type, resource) in reads {
        let accept = if csv { "text/csv" } else { "application/json" };
        let headers = [("accept", accept)];
        let read = app.send(Method::GET, &path, Some(c), &headers, None);
        t.step(
            what,
            read,
            &[event(
                action,
                resource_type,
                resource,
                "success",
                &clinician,
            )],
        )
        .await
        .assert_status(200);
    }
    // Partner staff reading the referral sent to them: audited as theirs.
    let partner_id =
        cit_api::ids::PartnerId::from_uuid(partner["id"].as_str().unwrap().parse().unwrap());
    let staff = app.partner_user(partner_id).await;
    t.seen.extend(t.rows().await.into_iter().map(|r| r.id));
    secrets.add(&staff.token);
    secrets.add(&staff.refresh_token);
    let as_staff = Actor::User(staff.id.to_string(), staff.username.clone());
    t.step(
        "the partner reads the referral",
        app.get(&format!("/api/v1/referrals/{referral_id}"), &staff.token),
        &[ok("referral.read", "referral", id(&referral_id), &as_staff)],
    )
    .await
    .assert_status(200);

    // Who does not see the subject is not recorded as having seen it.
    let coordinator = app
        .user_with(&[cit_api::db::enums::Role::Coordinator])
        .await;
    t.seen.extend(t.rows().await.into_iter().map(|r| r.id));
    secrets.add(&coordinator.token);
    secrets.add(&coordinator.refresh_token);
    let read = t
        .step(
            "a call without its subject",
            app.get(&format!("/api/v1/calls/{call_id}"), &coordinator.token),
            &[],
        )
        .await;
    read.assert_status(200);
    assert!(read.json().get("subject").is_none());

    // --- Nothing sent that is secret or personal is in the log or the trail.
    let _ = app
        .send(Method::GET, "/api/v1/me", Some(&clinician_token), &[], None)
        .await;
    let log = service.log_text();
    assert!(
        log.contains("/api/v1/referrals") && log.contains(&referral_id),
        "the log was captured: {}",
        &log[..log.len().min(2000)]
    );
    // Everything the trail holds that a caller wrote: details, and the names typed at login.
    let trail: String = t
        .rows()
        .await
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.details,
                r.actor_username.as_deref().unwrap_or_default()
            )
        })
        .collect();
    for secret in &secrets.0 {
        assert!(!log.contains(secret.as_str()), "the log holds {secret:?}");
        assert!(
            !trail.contains(secret.as_str()),
            "the trail holds {secret:?}"
        );
    }
}
