//! Goals and their progress as of any date, on a small roster whose answers are known.

use cit_api::db::enums::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    CIT_BASIC, CIT_TELECOM, COURSE_CIT_40, FIRST_GOAL, MH_AWARENESS, TestApp, TestUser,
};

/// O1–O6 are officers, S1 a supervisor, D1 a designated dispatcher, C1 a clinician who is not.
const ROSTER: &str = "employee_number,first_name,last_name,department,role,shift,hire_date,separation_date,designated_staff\n\
O1,A,One,police,officer,A,2015-01-01,,no\n\
O2,B,Two,police,officer,A,2016-06-01,2019-06-01,no\n\
O3,C,Three,police,officer,B,2019-06-01,,no\n\
O4,D,Four,police,officer,B,2018-01-01,,no\n\
O6,F,Six,police,officer,,2021-03-01,,no\n\
S1,G,Boss,police,supervisor,A,2010-01-01,,no\n\
D1,H,Dispatch,communications,telecommunicator,A,2017-01-01,,yes\n\
C1,I,Clinic,social_services,clinician,A,2017-01-01,,no\n";

struct World {
    app: TestApp,
    coordinator: TestUser,
    goal: String,
}

async fn certify(
    app: &TestApp,
    token: &str,
    who: &str,
    kind: &str,
    issued: &str,
    expires: Option<&str>,
) -> String {
    let mut body = json!({"personnel_id": app.person_id(who).await, "certification_type_id": kind,
                          "issued_on": issued, "certificate_number": format!("{who}-{issued}")});
    if let Some(expires) = expires {
        body["expires_on"] = json!(expires);
    }
    let response = app.post("/api/v1/certifications", Some(token), &body).await;
    response.assert_status(201);
    response.json()["id"].as_str().unwrap().to_owned()
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let t = &coordinator.token;
    app.import_roster(t, ROSTER).await.assert_status(200);
    certify(&app, t, "O1", CIT_BASIC, "2016-03-10", None).await;
    certify(&app, t, "O2", CIT_BASIC, "2017-05-01", None).await;
    certify(&app, t, "O3", CIT_BASIC, "2020-01-15", Some("2022-01-15")).await;
    certify(&app, t, "O4", MH_AWARENESS, "2018-03-01", None).await;
    certify(&app, t, "S1", CIT_BASIC, "2016-01-01", None).await;
    certify(&app, t, "D1", CIT_TELECOM, "2018-02-01", None).await;
    certify(&app, t, "C1", CIT_BASIC, "2018-02-01", None).await;
    let revoked = certify(&app, t, "O6", CIT_BASIC, "2021-04-01", None).await;
    app.post(
        &format!("/api/v1/certifications/{revoked}/revoke"),
        Some(t),
        &json!({"reason": "issued in error"}),
    )
    .await
    .assert_status(200);
    let goal = app
        .post(
            "/api/v1/goals",
            Some(t),
            &json!({"name": "Half of officers and designated staff", "certification_type_ids": [CIT_BASIC, CIT_TELECOM],
                    "population": {"roles": ["officer"]}, "target_share": 0.5,
                    "start_date": "2016-01-01", "deadline": "2022-12-31"}),
        )
        .await;
    goal.assert_status(201);
    let goal = goal.json()["id"].as_str().unwrap().to_owned();
    World {
        app,
        coordinator,
        goal,
    }
}

impl World {
    async fn progress(&self, as_of: &str) -> Value {
        let query = if as_of.is_empty() {
            String::new()
        } else {
            format!("?as_of={as_of}")
        };
        let response = self
            .app
            .get(
                &format!("/api/v1/goals/{}/progress{query}", self.goal),
                &self.coordinator.token,
            )
            .await;
        response.assert_status(200);
        response.json()
    }
}

fn counts(progress: &Value) -> (u64, u64, u64) {
    (
        progress["population"].as_u64().unwrap(),
        progress["certified"].as_u64().unwrap(),
        progress["needed"].as_u64().unwrap(),
    )
}

#[actix_web::test]
async fn progress_is_right_for_any_past_date() {
    let world = world().await;
    // O1 and O2 employed; only O1 certified yet (O2 in 2017). D1 not hired yet.
    assert_eq!(counts(&world.progress("2016-12-31").await), (2, 1, 0));
    // O1, O2, O4 and designated D1; S1 and C1 never count. O1, O2, D1 certified.
    assert_eq!(counts(&world.progress("2018-12-31").await), (4, 3, 0));
    // The day before O2's separation date O2 still counts; on it O2 is gone and O3 arrives.
    assert_eq!(counts(&world.progress("2019-05-31").await), (4, 3, 0));
    assert_eq!(counts(&world.progress("2019-06-01").await), (4, 2, 0));
    // O6 hired; O3 certified until 2022-01-15; O6's certificate, revoked only now, held then.
    assert_eq!(counts(&world.progress("2021-06-30").await), (5, 4, 0));
    let mid_2022 = world.progress("2022-06-30").await;
    assert_eq!(counts(&mid_2022), (5, 3, 0));
    assert_eq!(mid_2022["share"], 0.6);
    assert_eq!(mid_2022["target_share"], 0.5);
    // Today O6's certificate is revoked: 2 of 5, so 1 more is needed for half (⌈2.5⌉ = 3).
    let today = world.progress("").await;
    assert_eq!(counts(&today), (5, 2, 1));
    assert_eq!(today["as_of"], crate::helpers::today().to_string());

    assert_eq!(
        mid_2022["by_department"],
        json!([
            {"department": "police", "population": 4, "certified": 2, "share": 0.5},
            {"department": "communications", "population": 1, "certified": 1, "share": 1.0},
        ])
    );
    assert_eq!(
        mid_2022["by_shift"],
        json!([
            {"shift": "A", "population": 2, "certified": 2, "share": 1.0},
            {"shift": "B", "population": 2, "certified": 0, "share": 0.0},
            {"shift": "unassigned", "population": 1, "certified": 1, "share": 1.0},
        ])
    );
}

#[actix_web::test]
async fn the_series_runs_monthly_from_the_start_and_the_deadline_is_judged() {
    let world = world().await;
    let year = world.progress("2016-12-15").await;
    let series = year["series"].as_array().unwrap();
    assert_eq!(series.len(), 12);
    assert_eq!(
        series[0],
        json!({"month": "2016-01", "date": "2016-01-31", "population": 1, "certified": 0, "share": 0.0})
    );
    assert_eq!(
        series[2],
        json!({"month": "2016-03", "date": "2016-03-31", "population": 1, "certified": 1, "share": 1.0})
    );
    assert_eq!(series[5]["population"], 2);
    assert_eq!(series[11]["date"], "2016-12-15");
    assert_eq!(
        world.progress("2021-12-31").await["series"]
            .as_array()
            .unwrap()
            .len(),
        72
    );

    // Before the deadline the trend decides; its verdict agrees with its projection.
    let before = world.progress("2022-06-30").await;
    let projected = before["projected_share_at_deadline"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&projected));
    assert_eq!(before["on_track"], projected >= 0.5);
    // After the deadline the share on the deadline decides: 3 of 5 on 2022-12-31.
    let after = world.progress("2023-06-30").await;
    assert_eq!(after["projected_share_at_deadline"], 0.6);
    assert_eq!(after["on_track"], true);
    // Before the goal starts there is no series yet.
    let early = world.progress("2015-06-30").await;
    assert_eq!(early["series"], json!([]));
    assert_eq!(counts(&early), (1, 0, 1));

    let csv = world
        .app
        .get_csv(
            &format!("/api/v1/goals/{}/progress?as_of=2016-03-31", world.goal),
            &world.coordinator.token,
        )
        .await
        .text();
    assert_eq!(
        csv,
        "month,date,population,certified,share\n2016-01,2016-01-31,1,0,0\n2016-02,2016-02-29,1,0,0\n2016-03,2016-03-31,1,1,1\n"
    );
}

#[actix_web::test]
async fn goals_are_validated_edited_and_read_by_analysts() {
    let world = world().await;
    let app = &world.app;
    let token = &world.coordinator.token;
    let invalid = app
        .post(
            "/api/v1/goals",
            Some(token),
            &json!({"name": "", "certification_type_ids": [CIT_BASIC, Uuid::now_v7()],
                    "population": {}, "target_share": 1.5, "start_date": "2026-01-01", "deadline": "2025-01-01"}),
        )
        .await;
    invalid.problem(422);
    assert_eq!(
        invalid.error_fields(),
        [
            "name",
            "target_share",
            "deadline",
            "certification_type_ids[1]"
        ]
    );
    let empty = app
        .post(
            "/api/v1/goals",
            Some(token),
            &json!({"name": "x", "certification_type_ids": [], "population": {"roles": ["pilot"]},
                      "target_share": 0.2, "start_date": "2026-01-01", "deadline": "2027-01-01"}),
        )
        .await;
    empty.problem(422);

    let path = format!("/api/v1/goals/{}", world.goal);
    let widened = app
        .patch(
            &path,
            token,
            Some("\"1\""),
            &json!({"population": {"include_designated_staff": false}, "target_share": 0.25}),
        )
        .await;
    widened.assert_status(200);
    let goal = widened.json();
    assert_eq!(
        goal["population"]["roles"],
        json!(["officer"]),
        "population merges field by field"
    );
    assert_eq!(goal["population"]["include_designated_staff"], false);
    assert_eq!(goal["target_share"], 0.25);
    assert_eq!(goal["version"], 2);
    assert_eq!(counts(&world.progress("2018-12-31").await), (3, 2, 0));
    app.patch(&path, token, Some("\"1\""), &json!({"name": "late"}))
        .await
        .problem(412);
    app.patch(&path, token, None, &json!({"deadline": "2015-01-01"}))
        .await
        .problem(422);
    app.patch(&path, token, None, &json!({"target_share": null}))
        .await
        .problem(422);
    let updates = app.audit_events("goal.update").await;
    assert_eq!(
        updates[0].details()["changed"],
        json!(["population.include_designated_staff", "target_share"])
    );

    let analyst = app.login_as(Role::Analyst).await;
    app.get("/api/v1/goals", &analyst.token)
        .await
        .assert_status(200);
    app.get(&path, &analyst.token).await.assert_status(200);
    app.get(&format!("{path}/progress"), &analyst.token)
        .await
        .assert_status(200);
    app.patch(&path, &analyst.token, None, &json!({"name": "x"}))
        .await
        .problem(403);
    app.post("/api/v1/goals", Some(&analyst.token), &json!({}))
        .await
        .problem(403);
    for role in [Role::Integration, Role::Clinician, Role::Auditor] {
        let user = app.login_as(role).await;
        app.get(&format!("{path}/progress"), &user.token)
            .await
            .problem(403);
    }
    app.get(&format!("/api/v1/goals/{}/progress", Uuid::now_v7()), token)
        .await
        .problem(404);
    app.get(&format!("{path}/progress?as_of=tomorrow"), token)
        .await
        .problem(400);
}

/// The "done when": through the API alone a coordinator loads a roster, schedules a
/// 40-hour course, enrolls officers up to capacity, marks completions and watches the
/// program's goal move.
#[actix_web::test]
async fn a_coordinator_moves_the_programs_goal() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let t = &coordinator.token;
    let mut csv =
        "employee_number,first_name,last_name,department,role,shift,hire_date,designated_staff\n"
            .to_owned();
    for n in 1..=8 {
        csv.push_str(&format!(
            "P-{n},F{n},L{n},police,officer,{},2020-01-01,false\n",
            ["A", "B"][n % 2]
        ));
    }
    csv.push_str("D-1,Dee,Dispatch,communications,telecommunicator,A,2020-01-01,true\n");
    let report = app.import_roster(t, &csv).await.json();
    assert_eq!(report["created"], 9);

    let path = format!("/api/v1/goals/{FIRST_GOAL}/progress");
    let before = app.get(&path, t).await.json();
    assert_eq!(counts(&before), (9, 0, 2));

    let ends = (crate::helpers::today() - chrono::Duration::days(1)).to_string();
    let starts = (crate::helpers::today() - chrono::Duration::days(5)).to_string();
    let session = app
        .post(
            "/api/v1/training-sessions",
            Some(t),
            &json!({"course_id": COURSE_CIT_40, "starts_on": starts, "ends_on": ends,
                      "location": "Academy", "capacity": 3}),
        )
        .await
        .json();
    let session = session["id"].as_str().unwrap();
    let mut enrollments = Vec::new();
    for n in 1..=4 {
        let response = app
            .post(
                &format!("/api/v1/training-sessions/{session}/enrollments"),
                Some(t),
                &json!({"personnel_id": app.person_id(&format!("P-{n}")).await}),
            )
            .await;
        if n <= 3 {
            response.assert_status(201);
            enrollments.push(response.json()["id"].as_str().unwrap().to_owned());
        } else {
            response.problem(409);
        }
    }
    for (i, id) in enrollments.iter().enumerate() {
        let status = if i < 2 { "completed" } else { "failed" };
        app.patch(
            &format!("/api/v1/enrollments/{id}"),
            t,
            None,
            &json!({"status": status}),
        )
        .await
        .assert_status(200);
    }
    let after = app.get(&path, t).await.json();
    assert_eq!(counts(&after), (9, 2, 0));
    assert!((after["share"].as_f64().unwrap() - 2.0 / 9.0).abs() < 1e-9);
    assert_eq!(after["by_department"][0]["certified"], 2);
    let metrics = app.get("/api/v1/metrics/training", t).await.json();
    assert_eq!(metrics["total"]["certified"], 2);
}
