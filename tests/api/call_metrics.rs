//! The call metrics equal plain SQL counts over generated calls, computed here from
//! `received_at` in the city's zone (not from the stored day), so the stored day is checked too.

use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::{CIT_BASIC, TestApp};

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next(items.len() as u64)).unwrap()]
    }
}

fn generated(count: usize) -> Vec<Value> {
    let mut rng = Lcg(20261128);
    let dispositions = [
        "resolved_on_scene",
        "referral",
        "mobile_crisis",
        "voluntary_transport",
        "involuntary_petition",
        "er_transport",
        "arrest",
        "citation",
        "unable_to_locate",
    ];
    let forces = [
        "none",
        "presence",
        "verbal",
        "hands_on",
        "restraint",
        "weapon",
    ];
    (0..count)
        .map(|i| {
            // Spread over 2025, at any minute of the day (some late evenings fall on the next
            // day in UTC).
            let day = 1 + rng.next(365);
            let minute = rng.next(24 * 60);
            let received = chrono::NaiveDate::from_yo_opt(2025, u32::try_from(day).unwrap())
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                + chrono::Duration::minutes(i64::try_from(minute).unwrap());
            let received = received
                .and_local_timezone(chrono_tz::America::Chicago)
                .earliest()
                .unwrap()
                .to_rfc3339();
            let mut picked = vec![rng.pick(&dispositions)];
            if rng.next(3) == 0 {
                picked.push(rng.pick(&dispositions));
            }
            let responders = match rng.next(3) {
                0 => json!([{"employee_number": "P-1", "role": "primary"}]),
                1 => json!([{"employee_number": "P-2", "role": "primary"}]),
                _ => json!([{"employee_number": "P-2", "role": "primary"},
                            {"employee_number": "P-1", "role": "backup"}]),
            };
            let mut call = json!({
                "source": "rms",
                "incident_number": format!("G-{i}"),
                "received_at": received,
                "mental_health": rng.next(4) != 0,
                "responders": responders,
                "dispositions": picked,
                "force_level": rng.pick(&forces),
                "subject_injured": rng.next(10) == 0,
                "officer_injured": rng.next(15) == 0,
            });
            if rng.next(2) == 0 {
                call["subject"] = json!({"external_id": format!("S-{}", rng.next(40))});
            }
            call
        })
        .collect()
}

async fn truth(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

#[actix_web::test]
async fn the_call_metrics_equal_plain_sql_counts() {
    let app = TestApp::spawn_at("2026-01-15T12:00:00Z".parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    // P-1 is CIT-certified from mid-2025; P-2 never.
    for number in ["P-1", "P-2"] {
        app.create_person(
            &admin.token,
            &json!({"employee_number": number, "first_name": "A", "last_name": "B",
                    "department": "police", "role": "officer", "hire_date": "2010-01-04"}),
        )
        .await;
    }
    let p1 = app.person_id("P-1").await;
    app.post(
        "/api/v1/certifications",
        Some(&admin.token),
        &json!({"personnel_id": p1, "certification_type_id": CIT_BASIC,
                "issued_on": "2025-06-15", "certificate_number": "C-1"}),
    )
    .await
    .assert_status(201);
    let calls = generated(600);
    for part in calls.chunks(250) {
        let report = app
            .post("/api/v1/calls/batch", Some(&key), &json!({ "calls": part }))
            .await;
        assert_eq!(report.json()["rejected"], 0, "{}", report.text());
    }
    // Every writer keeps the per-day counts: changed calls re-sent (their old form taken away),
    // a certification recorded late and one revoked (CIT flags flipped on calls already stored).
    let mut changed: Vec<Value> = calls.iter().step_by(6).cloned().collect();
    for (i, call) in changed.iter_mut().enumerate() {
        call["dispositions"] = json!(["arrest"]);
        call["force_level"] = json!(if i % 2 == 0 { "restraint" } else { "none" });
        call["mental_health"] = json!(i % 3 != 0);
        if i % 4 == 0 {
            // Moved to another day: its counts leave the old day for the new one.
            call["received_at"] = json!(format!("2025-{:02}-15T12:00:00-06:00", 1 + i % 12));
        }
    }
    let report = app
        .post(
            "/api/v1/calls/batch",
            Some(&key),
            &json!({ "calls": changed }),
        )
        .await;
    assert_eq!(report.json()["updated"], 100, "{}", report.text());
    let p2 = app.person_id("P-2").await;
    app.post(
        "/api/v1/certifications",
        Some(&admin.token),
        &json!({"personnel_id": p2, "certification_type_id": CIT_BASIC,
                "issued_on": "2025-09-01", "certificate_number": "C-2"}),
    )
    .await
    .assert_status(201);
    let first: String = {
        let list = app
            .get(
                &format!("/api/v1/certifications?personnel_id={p1}"),
                &admin.token,
            )
            .await
            .json();
        list["items"][0]["id"].as_str().unwrap().to_owned()
    };
    app.clock.set("2025-11-20T18:00:00Z".parse().unwrap());
    let admin = app.admin().await;
    app.post(
        &format!("/api/v1/certifications/{first}/revoke"),
        Some(&admin.token),
        &json!({"reason": "lapsed"}),
    )
    .await
    .assert_status(200);
    app.clock.set("2026-01-15T12:00:00Z".parse().unwrap());
    let stored_days = app
        .count("SELECT count(*) AS count FROM calls c WHERE NOT EXISTS (SELECT 1 FROM call_days d WHERE d.day = c.received_on)")
        .await;
    assert_eq!(stored_days, 0);

    let analyst = app.login_as(Role::Analyst).await;
    let day = "(received_at AT TIME ZONE 'America/Chicago')::date";
    let force = "force_level IN ('hands_on', 'restraint', 'weapon')";
    // CIT on scene from the certifications themselves (the SQL rule, by employee number), not
    // from the flags the ingest stored.
    let cit = format!(
        "EXISTS (SELECT 1 FROM jsonb_array_elements(calls.responders) AS r JOIN personnel p \
                  ON p.employee_number = r ->> 'employee_number' \
                 WHERE cit_certified_on(p.id, {day}, 'America/Chicago'))"
    );

    // Per month.
    let metrics = app
        .get(
            "/api/v1/metrics/calls?from=2025-01-01&to=2025-12-31",
            &analyst.token,
        )
        .await;
    metrics.assert_status(200);
    let metrics = metrics.json();
    assert_eq!(metrics["periods"].as_array().unwrap().len(), 12);
    assert_eq!(metrics["time_zone"], "America/Chicago");
    for period in metrics["periods"].as_array().unwrap() {
        let start = period["period"].as_str().unwrap();
        let month = format!("date_trunc('month', {day}) = DATE '{start}'");
        let mh = format!("{month} AND mental_health");
        for (field, filter) in [
            ("calls", month.clone()),
            ("mental_health_calls", mh.clone()),
            ("cit_on_scene", format!("{mh} AND {cit}")),
            ("arrests", format!("{mh} AND 'arrest' = ANY (dispositions)")),
            ("uses_of_force", format!("{mh} AND {force}")),
            (
                "injuries",
                format!("{mh} AND (subject_injured OR officer_injured)"),
            ),
            (
                "er_transports",
                format!("{mh} AND 'er_transport' = ANY (dispositions)"),
            ),
            (
                "involuntary_petitions",
                format!("{mh} AND 'involuntary_petition' = ANY (dispositions)"),
            ),
            (
                "referrals",
                format!("{mh} AND 'referral' = ANY (dispositions)"),
            ),
        ] {
            let expected = truth(
                &app,
                &format!("SELECT count(*) AS count FROM calls WHERE {filter}"),
            )
            .await;
            assert_eq!(period[field], expected, "{start} {field}");
        }
    }
    assert_eq!(metrics["total"]["calls"], 600);
    let quarters = app
        .get(
            "/api/v1/metrics/calls?from=2025-01-01&to=2025-12-31&interval=quarter",
            &analyst.token,
        )
        .await
        .json();
    assert_eq!(quarters["periods"].as_array().unwrap().len(), 4);
    assert_eq!(quarters["total"], metrics["total"]);
    let csv = app
        .get_csv(
            "/api/v1/metrics/calls?from=2025-01-01&to=2025-12-31",
            &analyst.token,
        )
        .await;
    assert_eq!(csv.text().lines().count(), 13);
    assert!(
        csv.text()
            .starts_with("period,calls,mental_health_calls,cit_on_scene,")
    );

    // With vs without CIT.
    let outcomes = app
        .get(
            "/api/v1/metrics/outcomes?from=2025-01-01&to=2025-12-31",
            &analyst.token,
        )
        .await
        .json();
    let not_cit = format!("NOT {cit}");
    for (group, cit) in [
        ("with_cit", cit.as_str()),
        ("without_cit", not_cit.as_str()),
    ] {
        let base =
            format!("mental_health AND {cit} AND {day} BETWEEN '2025-01-01' AND '2025-12-31'");
        let calls = truth(
            &app,
            &format!("SELECT count(*) AS count FROM calls WHERE {base}"),
        )
        .await;
        assert!(calls > 20, "{group} has calls to compare");
        assert_eq!(outcomes[group]["calls"], calls);
        for (field, filter) in [
            ("arrests", "'arrest' = ANY (dispositions)"),
            ("uses_of_force", force),
            ("subject_injuries", "subject_injured"),
            ("officer_injuries", "officer_injured"),
            ("er_transports", "'er_transport' = ANY (dispositions)"),
            (
                "involuntary_petitions",
                "'involuntary_petition' = ANY (dispositions)",
            ),
        ] {
            let expected = truth(
                &app,
                &format!("SELECT count(*) AS count FROM calls WHERE {base} AND {filter}"),
            )
            .await;
            assert!(expected > 0, "{group} {field} has calls to compare");
            assert_eq!(outcomes[group][field], expected, "{group} {field}");
        }
        #[allow(clippy::cast_precision_loss)]
        let rate = outcomes[group]["arrests"].as_i64().unwrap() as f64 / calls as f64;
        assert!((outcomes[group]["arrest_rate"].as_f64().unwrap() - rate).abs() < 1e-12);
    }
    // What the writers kept, day by day, is what rebuild_call_days() computes from the calls
    // (which has no row for a day left with none: a kept day of zeros is the same).
    app.execute(
        "CREATE TABLE call_days_kept AS SELECT * FROM call_days c \
          WHERE EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(c) - 'day') AS e WHERE e.value <> '0')",
    )
    .await
    .unwrap();
    app.execute("SELECT rebuild_call_days()").await.unwrap();
    let kept_days = app
        .count("SELECT count(*) AS count FROM call_days_kept")
        .await;
    assert!(kept_days > 200, "{kept_days} days");
    let differing = app
        .count(
            "SELECT count(*) AS count FROM ((TABLE call_days EXCEPT TABLE call_days_kept) \
             UNION ALL (TABLE call_days_kept EXCEPT TABLE call_days)) AS d",
        )
        .await;
    assert_eq!(differing, 0);

    // Repeat calls over the 365 days up to 2025-12-31.
    let repeats = app
        .get(
            "/api/v1/metrics/repeat-calls?as_of=2025-12-31&threshold=20",
            &analyst.token,
        )
        .await
        .json();
    let per_subject = format!(
        "(SELECT subject_id, count(*) AS n FROM calls WHERE subject_id IS NOT NULL \
           AND {day} > DATE '2024-12-31' AND {day} <= DATE '2025-12-31' GROUP BY subject_id) t"
    );
    let subjects = truth(
        &app,
        &format!("SELECT count(*) AS count FROM {per_subject}"),
    )
    .await;
    let repeat = truth(
        &app,
        &format!("SELECT count(*) AS count FROM {per_subject} WHERE n >= 2"),
    )
    .await;
    let high = truth(
        &app,
        &format!("SELECT count(*) AS count FROM {per_subject} WHERE n >= 20"),
    )
    .await;
    assert_eq!(repeats["subjects"], subjects);
    assert_eq!(repeats["repeat_subjects"], repeat);
    assert_eq!(repeats["high_utilisers"], high);
    assert!(
        high > 0 && high < subjects,
        "the threshold splits the subjects"
    );
    assert_eq!(
        repeats["before_after"],
        json!({"engaged_subjects": 0, "calls_before": 0, "calls_after": 0,
               "mean_calls_before": 0.0, "mean_calls_after": 0.0})
    );

    // Bad queries (a value out of its range 422, one not of the parameter's type 400), and who
    // may read.
    app.get(
        "/api/v1/metrics/calls?from=2025-02-01&to=2025-01-01",
        &analyst.token,
    )
    .await
    .problem(422);
    app.get("/api/v1/metrics/calls?interval=week", &analyst.token)
        .await
        .problem(400);
    app.get("/api/v1/metrics/repeat-calls?threshold=1", &analyst.token)
        .await
        .problem(422);
    let clinician = app.login_as(Role::Clinician).await;
    app.get("/api/v1/metrics/outcomes", &clinician.token)
        .await
        .problem(403);
}
