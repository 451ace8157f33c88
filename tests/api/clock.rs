//! The city's clock: one "valid on a day" rule in Rust and SQL, and a late-evening revocation
//! that counts from the same city day in every endpoint, while the database's session time zone
//! (see `DATABASE_TIME_ZONE`) and UTC both already say it is the next day.

use chrono::{DateTime, NaiveDate, Utc};
use cit_api::clock::Clock;
use cit_api::training::lifecycle::{certification_status, valid_on};
use diesel::sql_types::{Bool, Date, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{CIT_BASIC, FIRST_GOAL, TestApp, TestDatabase};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[derive(diesel::QueryableByName)]
struct Judged {
    #[diesel(sql_type = Bool)]
    valid: bool,
    #[diesel(sql_type = Text)]
    status: String,
}

/// (issued, expires, revoked at, day, valid on the day, status on the day)
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    bool,
    &'static str,
);

/// The rule's cases; the revocations are in UTC and read in Chicago (CDT, UTC-5 in summer;
/// CST, UTC-6 in winter).
const CASES: &[Case] = &[
    ("2024-03-01", None, None, "2024-02-29", false, "active"),
    ("2024-03-01", None, None, "2024-03-01", true, "active"),
    (
        "2024-03-01",
        Some("2026-03-01"),
        None,
        "2026-02-28",
        true,
        "active",
    ),
    (
        "2024-03-01",
        Some("2026-03-01"),
        None,
        "2026-03-01",
        false,
        "expired",
    ),
    // Revoked at 23:30 Chicago on 10 June (04:30 UTC on 11 June): invalid from 10 June on.
    (
        "2024-03-01",
        None,
        Some("2026-06-11T04:30:00Z"),
        "2026-06-09",
        true,
        "active",
    ),
    (
        "2024-03-01",
        None,
        Some("2026-06-11T04:30:00Z"),
        "2026-06-10",
        false,
        "revoked",
    ),
    (
        "2024-03-01",
        None,
        Some("2026-06-11T04:30:00Z"),
        "2026-06-11",
        false,
        "revoked",
    ),
    // Revoked at 00:30 Chicago on 11 January (06:30 UTC): 10 January still valid.
    (
        "2024-03-01",
        None,
        Some("2026-01-11T06:30:00Z"),
        "2026-01-10",
        true,
        "active",
    ),
    (
        "2024-03-01",
        None,
        Some("2026-01-11T06:30:00Z"),
        "2026-01-11",
        false,
        "revoked",
    ),
    // Revoked after it expired: revoked wins from its day on.
    (
        "2024-03-01",
        Some("2025-03-01"),
        Some("2026-01-11T06:30:00Z"),
        "2025-06-01",
        false,
        "expired",
    ),
    (
        "2024-03-01",
        Some("2025-03-01"),
        Some("2026-01-11T06:30:00Z"),
        "2026-02-01",
        false,
        "revoked",
    ),
];

#[actix_web::test]
async fn one_table_of_cases_holds_for_the_rust_rule_and_the_sql_rule() {
    let db = TestDatabase::create().await;
    let mut conn = db.connect().await;
    let clock = Clock::system(cit_api::clock::DEFAULT_TIME_ZONE);
    for &(issued, expires, revoked_at, day, valid, status) in CASES {
        let case = format!("{issued} {expires:?} {revoked_at:?} on {day}");
        let revoked_at = revoked_at.map(at);
        let revoked_on = revoked_at.map(|instant| clock.date_of(instant));
        let expires = expires.map(d);
        assert_eq!(
            valid_on(d(issued), expires, revoked_on, d(day)),
            valid,
            "Rust valid_on: {case}"
        );
        assert_eq!(
            certification_status(expires, revoked_on, d(day)).as_str(),
            status,
            "Rust status: {case}"
        );
        let judged: Judged = diesel::sql_query(
            "SELECT certification_valid_on($1, $2, $3, $4, $5) AS valid, \
                    certification_status_on($2, $3, $4, $5) AS status",
        )
        .bind::<Date, _>(d(issued))
        .bind::<Nullable<Date>, _>(expires)
        .bind::<Nullable<Timestamptz>, _>(revoked_at)
        .bind::<Date, _>(d(day))
        .bind::<Text, _>(clock.zone_name())
        .get_result(&mut conn)
        .await
        .unwrap();
        assert_eq!(judged.valid, valid, "SQL valid_on: {case}");
        assert_eq!(judged.status, status, "SQL status: {case}");
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, token).await;
    response.assert_status(200);
    response.json()
}

#[actix_web::test]
async fn a_revocation_at_2330_city_time_counts_from_that_city_day_in_every_endpoint() {
    // 23:30 on 10 March 2026 in Chicago (CDT); already 11 March in UTC and in Kathmandu, the
    // test database's session zone.
    let app = TestApp::spawn_at(at("2026-03-11T04:30:00Z")).await;
    let admin = app.admin().await;
    let t = &admin.token;
    let person = app
        .create_person(
            t,
            &json!({"employee_number": "N-1", "first_name": "Ana", "last_name": "Diaz",
                    "department": "police", "role": "officer", "hire_date": "2020-01-06"}),
        )
        .await;
    let person_id = person["id"].as_str().unwrap().to_owned();
    let certificate = app
        .post(
            "/api/v1/certifications",
            Some(t),
            &json!({"personnel_id": person_id, "certification_type_id": CIT_BASIC,
                    "issued_on": "2025-01-10", "certificate_number": "C-1"}),
        )
        .await;
    certificate.assert_status(201);
    let certificate = certificate.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&app, &format!("/api/v1/personnel/{person_id}"), t).await["cit_certified"],
        true
    );
    app.post(
        &format!("/api/v1/certifications/{certificate}/revoke"),
        Some(t),
        &json!({"reason": "issued in error"}),
    )
    .await
    .assert_status(200);

    let revoked = get(&app, &format!("/api/v1/certifications/{certificate}"), t).await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revoked_at"], "2026-03-11T04:30:00Z");
    let person = get(&app, &format!("/api/v1/personnel/{person_id}"), t).await;
    assert_eq!(person["cit_certified"], false);
    assert_eq!(person["certifications"][0]["status"], "revoked");
    let certified = get(&app, "/api/v1/personnel?cit_certified=true", t).await;
    assert_eq!(certified["items"], json!([]));
    let listed = get(&app, "/api/v1/certifications?status=revoked", t).await;
    assert_eq!(listed["items"][0]["id"], certificate.as_str());
    let active = get(&app, "/api/v1/certifications?status=active", t).await;
    assert_eq!(active["items"], json!([]));

    // Progress and metrics default to the city's today, 10 March, and count the revocation
    // from that day; the 9th still had the certificate.
    let goal = format!("/api/v1/goals/{FIRST_GOAL}/progress");
    let today = get(&app, &goal, t).await;
    assert_eq!(today["as_of"], "2026-03-10");
    assert_eq!(today["certified"], 0);
    let before = get(&app, &format!("{goal}?as_of=2026-03-09"), t).await;
    assert_eq!(
        (&before["population"], &before["certified"]),
        (&json!(1), &json!(1))
    );

    let metrics = get(&app, "/api/v1/metrics/training", t).await;
    assert_eq!(metrics["as_of"], "2026-03-10");
    assert_eq!(metrics["total"]["certified"], 0);
    let metrics = get(&app, "/api/v1/metrics/training?as_of=2026-03-09", t).await;
    assert_eq!(metrics["total"]["certified"], 1);
}

#[actix_web::test]
async fn expiring_counts_follow_the_same_rule_as_coverage() {
    let app = TestApp::spawn_at(at("2026-06-11T04:30:00Z")).await;
    let admin = app.admin().await;
    let t = &admin.token;
    let person = app
        .create_person(
            t,
            &json!({"employee_number": "N-2", "first_name": "Bo", "last_name": "Li",
                    "department": "police", "role": "officer", "hire_date": "2020-01-06"}),
        )
        .await;
    let certificate = app
        .post(
            "/api/v1/certifications",
            Some(t),
            &json!({"personnel_id": person["id"], "certification_type_id": CIT_BASIC,
                    "issued_on": "2025-01-10", "expires_on": "2026-07-01",
                    "certificate_number": "C-2"}),
        )
        .await
        .json();
    app.post(
        &format!(
            "/api/v1/certifications/{}/revoke",
            certificate["id"].as_str().unwrap()
        ),
        Some(t),
        &json!({"reason": "issued in error"}),
    )
    .await
    .assert_status(200);
    let expiring = |metrics: &Value| metrics["expiring"].as_array().unwrap().len();
    // On the 9th the certificate was valid and expiring within 30 days; from the 10th (the
    // city day of the revocation) it is neither.
    let before = get(&app, "/api/v1/metrics/training?as_of=2026-06-09", t).await;
    assert_eq!(before["total"]["certified"], 1);
    assert_eq!(before["expiring"][0]["within_30_days"], 1);
    let after = get(&app, "/api/v1/metrics/training?as_of=2026-06-10", t).await;
    assert_eq!(after["total"]["certified"], 0);
    assert_eq!(expiring(&after), 0);
    let listed = get(&app, "/api/v1/certifications?expiring_within_days=30", t).await;
    assert_eq!(listed["items"], json!([]));
}
