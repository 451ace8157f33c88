//! Training metrics: coverage by department, role and shift, and expiring certifications.

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::{CIT_BASIC, CIT_TELECOM, MH_AWARENESS, TestApp, days_from_today};

fn group<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {list}"))
}

#[actix_web::test]
async fn training_metrics_show_coverage_and_what_expires_soon() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let t = &coordinator.token;
    app.import_roster(
        t,
        "employee_number,first_name,last_name,department,role,shift,hire_date,separation_date\n\
         P-1,A,A,police,officer,A,2015-01-01,\n\
         P-2,B,B,police,officer,B,2015-01-01,\n\
         P-3,C,C,police,supervisor,A,2015-01-01,\n\
         P-4,D,D,police,officer,,2015-01-01,2020-01-01\n\
         D-1,E,E,communications,telecommunicator,A,2015-01-01,\n\
         F-1,F,F,fire,firefighter,C,2015-01-01,\n",
    )
    .await
    .assert_status(200);
    let record = |who: &'static str,
                  kind: &'static str,
                  number: &'static str,
                  expires: Option<String>| {
        let app = &app;
        let token = t.clone();
        async move {
            let mut body = json!({"personnel_id": app.person_id(who).await, "certification_type_id": kind,
                                  "issued_on": "2019-01-01", "certificate_number": number});
            if let Some(expires) = expires {
                body["expires_on"] = json!(expires);
            }
            app.post("/api/v1/certifications", Some(&token), &body)
                .await
                .assert_status(201);
        }
    };
    record("P-1", CIT_BASIC, "1", Some(days_from_today(10))).await;
    record("P-3", CIT_BASIC, "2", Some(days_from_today(45))).await;
    record("D-1", CIT_TELECOM, "3", Some(days_from_today(80))).await;
    record("F-1", MH_AWARENESS, "4", Some(days_from_today(20))).await;
    record("F-1", CIT_BASIC, "5", Some(days_from_today(200))).await;
    record("P-4", CIT_BASIC, "6", Some(days_from_today(5))).await;

    let analyst = app.login_as(Role::Analyst).await;
    let response = app.get("/api/v1/metrics/training", &analyst.token).await;
    response.assert_status(200);
    let metrics = response.json();
    // P-4 left in 2020: five people employed, four of them CIT-certified.
    assert_eq!(
        metrics["total"],
        json!({"group": "all", "population": 5, "certified": 4, "share": 0.8})
    );
    assert_eq!(group(&metrics["by_department"], "police")["population"], 3);
    assert_eq!(group(&metrics["by_department"], "police")["certified"], 2);
    assert_eq!(group(&metrics["by_department"], "fire")["certified"], 1);
    assert_eq!(group(&metrics["by_role"], "officer")["population"], 2);
    assert_eq!(group(&metrics["by_role"], "officer")["certified"], 1);
    assert_eq!(group(&metrics["by_shift"], "A")["population"], 3);
    assert_eq!(group(&metrics["by_shift"], "A")["certified"], 3);
    assert_eq!(group(&metrics["by_shift"], "B")["certified"], 0);

    let expiring = metrics["expiring"].as_array().unwrap();
    let basic = expiring.iter().find(|e| e["code"] == "CIT_BASIC").unwrap();
    assert_eq!(
        (
            basic["within_30_days"].as_u64(),
            basic["within_60_days"].as_u64(),
            basic["within_90_days"].as_u64()
        ),
        (Some(1), Some(2), Some(2))
    );
    let telecom = expiring
        .iter()
        .find(|e| e["code"] == "CIT_TELECOM")
        .unwrap();
    assert_eq!(
        (
            telecom["within_30_days"].as_u64(),
            telecom["within_90_days"].as_u64()
        ),
        (Some(0), Some(1))
    );
    let mh = expiring
        .iter()
        .find(|e| e["code"] == "MH_AWARENESS")
        .unwrap();
    assert_eq!(mh["within_30_days"], 1);

    // In 2018 no one was certified yet.
    let past = app
        .get("/api/v1/metrics/training?as_of=2018-06-30", &analyst.token)
        .await
        .json();
    assert_eq!(past["total"]["population"], 6);
    assert_eq!(past["total"]["certified"], 0);
    assert_eq!(past["expiring"], json!([]));

    let csv = app
        .get_csv("/api/v1/metrics/training", &analyst.token)
        .await;
    csv.assert_status(200);
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "section,group,population,certified,share,within_days,expiring"
    );
    assert_eq!(lines.next().unwrap(), "total,all,5,4,0.8,,");
    assert!(text.contains("\nexpiring,CIT_BASIC,,,,60,2\n"), "{text}");

    for role in [Role::Supervisor, Role::Coordinator, Role::Admin] {
        let user = app.login_as(role).await;
        app.get("/api/v1/metrics/training", &user.token)
            .await
            .assert_status(200);
    }
    for role in [
        Role::Integration,
        Role::Clinician,
        Role::Auditor,
        Role::Partner,
    ] {
        let user = app.login_as(role).await;
        app.get("/api/v1/metrics/training", &user.token)
            .await
            .problem(403);
    }
    app.get("/api/v1/metrics/training?as_of=2018-02-30", &analyst.token)
        .await
        .problem(400);
}
