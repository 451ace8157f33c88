//! What the care side adds to the metrics: the referral funnel and the before/after measure of
//! repeat calls, on small hand-built histories, each held to the plain SQL over the same rows;
//! and the subject's timeline with referrals and follow-ups beside calls.

use chrono::{DateTime, TimeDelta, Utc};
use cit_api::db::enums::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::partners::{create, crisis_line};
use crate::referrals::{call_about, linked_clinician};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

struct Care {
    app: TestApp,
    key: String,
    clinician_name: String,
    partner: Value,
    other: Value,
}

async fn care(start: &str) -> Care {
    let app = TestApp::spawn_at(at(start)).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    let (clinician, _) = linked_clinician(&app, &admin, "C-1").await;
    let partner = create(&app, &admin.token, &crisis_line()).await;
    let other = create(&app, &admin.token, &json!({"name": "Alder Youth Services"})).await;
    Care {
        app,
        key,
        clinician_name: clinician.username,
        partner,
        other,
    }
}

impl Care {
    /// A fresh token of the clinician (the clock moves past the last one's expiry).
    async fn token(&self) -> String {
        let login = self
            .app
            .login(&self.clinician_name, crate::helpers::PASSWORD)
            .await;
        login.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// A referral of `subject` sent at `sent` (the clock is moved there).
    async fn refer(&self, subject: &str, partner: &Value, sent: DateTime<Utc>) -> String {
        self.app.clock.set(sent);
        let token = self.token().await;
        let response = self
            .app
            .post(
                "/api/v1/referrals",
                Some(&token),
                &json!({"subject_id": subject, "partner_id": partner["id"], "need": "Counselling",
                        "consent": {"obtained": true, "method": "written", "scope": "need_only"}}),
            )
            .await;
        response.assert_status(201);
        response.json()["id"].as_str().unwrap().to_owned()
    }

    /// Moves a referral at `when`.
    async fn step(&self, id: &str, to: &str, reason: Option<&str>, when: DateTime<Utc>) {
        self.app.clock.set(when);
        let mut body = json!({"to": to});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        let token = self.token().await;
        self.app
            .post(
                &format!("/api/v1/referrals/{id}/transitions"),
                Some(&token),
                &body,
            )
            .await
            .assert_status(200);
    }
}

#[actix_web::test]
async fn the_referral_funnel_counts_each_status_reached_and_equals_the_sql() {
    let c = care("2026-05-01T15:00:00Z").await;
    let (_, s1) = call_about(&c.app, &c.key, "F-1", "2026-04-01T10:00:00-05:00", "F1").await;
    let (_, s2) = call_about(&c.app, &c.key, "F-2", "2026-04-02T10:00:00-05:00", "F2").await;
    let day = TimeDelta::days(1);
    let t0 = at("2026-05-04T15:00:00Z");
    // Partner 1: engaged after 2 days then closed completed; engaged after 4 days; sent only;
    // closed from sent (unable to contact).
    let a = c.refer(&s1, &c.partner, t0).await;
    c.step(&a, "acknowledged", None, t0 + day).await;
    c.step(&a, "engaged", None, t0 + day * 2).await;
    c.step(&a, "closed", Some("completed"), t0 + day * 30).await;
    let b = c.refer(&s2, &c.partner, t0).await;
    c.step(&b, "acknowledged", None, t0 + day).await;
    c.step(&b, "engaged", None, t0 + day * 4).await;
    c.refer(&s1, &c.partner, t0 + day).await;
    let d = c.refer(&s2, &c.partner, t0 + day).await;
    c.step(&d, "closed", Some("unable_to_contact"), t0 + day * 3)
        .await;
    // Partner 2: acknowledged, then declined.
    let e = c.refer(&s1, &c.other, t0).await;
    c.step(&e, "acknowledged", None, t0 + day).await;
    c.step(&e, "closed", Some("declined"), t0 + day * 2).await;
    // Sent the day before the period: left out.
    c.refer(&s2, &c.other, at("2026-05-02T04:00:00Z")).await;

    let analyst = c.app.login_as(Role::Analyst).await;
    let response = c
        .app
        .get(
            "/api/v1/metrics/referrals?from=2026-05-02&to=2026-05-31",
            &analyst.token,
        )
        .await;
    response.assert_status(200);
    let body = response.json();
    assert_eq!(body["time_zone"], "America/Chicago");
    let overall = &body["overall"];
    assert_eq!(
        (
            overall["sent"].as_i64(),
            overall["acknowledged"].as_i64(),
            overall["engaged"].as_i64(),
            overall["closed"].as_i64()
        ),
        (Some(5), Some(3), Some(2), Some(3))
    );
    assert_eq!(
        overall["current"],
        json!({"sent": 1, "acknowledged": 0, "engaged": 1, "closed": 3})
    );
    assert_eq!(overall["close_reasons"]["completed"], 1);
    assert_eq!(overall["close_reasons"]["declined"], 1);
    assert_eq!(overall["close_reasons"]["unable_to_contact"], 1);
    assert_eq!(overall["median_days_to_engaged"], 3.0);
    assert!(overall.get("partner_id").is_none());
    let partners = body["by_partner"].as_array().unwrap();
    assert_eq!(partners.len(), 2);
    assert_eq!(
        partners[0]["partner_name"], "Alder Youth Services",
        "by name"
    );
    assert_eq!(partners[0]["sent"], 1);
    assert_eq!(partners[0]["median_days_to_engaged"], Value::Null);
    assert_eq!(partners[1]["partner_name"], "County Crisis Line");
    assert_eq!(partners[1]["sent"], 4);
    assert_eq!(partners[1]["engaged"], 2);

    // The plain SQL over the same rows (days in Chicago).
    let sql = |what: &str| {
        format!(
            "SELECT {what} AS count FROM referrals \
              WHERE (sent_at AT TIME ZONE 'America/Chicago')::date BETWEEN '2026-05-02' AND '2026-05-31'"
        )
    };
    assert_eq!(overall["sent"], c.app.count(&sql("count(*)")).await);
    assert_eq!(
        overall["acknowledged"],
        c.app.count(&sql("count(acknowledged_at)")).await
    );
    assert_eq!(
        overall["engaged"],
        c.app.count(&sql("count(engaged_at)")).await
    );
    assert_eq!(
        overall["current"]["sent"],
        c.app
            .count(&sql("count(*) FILTER (WHERE status = 'sent')"))
            .await
    );
    let median = c
        .app
        .value(&sql(
            "(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM engaged_at - sent_at) / 86400))::text",
        ).replace("AS count", "AS value"))
        .await;
    assert_eq!(median.as_deref(), Some("3"));

    let csv = c
        .app
        .get_csv(
            "/api/v1/metrics/referrals?from=2026-05-02&to=2026-05-31",
            &analyst.token,
        )
        .await;
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "header, overall, two partners");
    assert!(
        lines[1].starts_with(",(all),5,3,2,3,1,0,1,3,1,1,0,0,1,0,3"),
        "{}",
        lines[1]
    );
    c.app
        .get(
            "/api/v1/metrics/referrals?from=2026-06-01&to=2026-05-01",
            &analyst.token,
        )
        .await
        .problem(422);
}

#[actix_web::test]
async fn calls_per_person_before_and_after_engagement_on_a_hand_built_history() {
    let c = care("2025-01-01T12:00:00Z").await;
    let e = at("2026-03-01T18:00:00Z");
    let days = |n: i64| e + TimeDelta::days(n);
    let mut number = 0;
    let mut store = |external: &'static str, when: DateTime<Utc>, mental_health: bool| {
        number += 1;
        let app = &c.app;
        let key = c.key.clone();
        let incident = format!("H-{number}");
        async move {
            app.put(
                &format!("/api/v1/calls/rms/{incident}"),
                &key,
                &json!({"source": "rms", "incident_number": incident, "received_at": iso(when),
                        "mental_health": mental_health, "subject": {"external_id": external}}),
            )
            .await
            .assert_status(201);
        }
    };
    // A: 3 mental-health calls in the year before E (one more too old, one not mental health),
    // 1 after; one more after the as_of day, not yet counted.
    store("A", days(-400), true).await;
    store("A", days(-100), true).await;
    store("A", days(-50), true).await;
    store("A", days(-10), true).await;
    store("A", days(-5), false).await;
    store("A", days(20), true).await;
    store("A", days(120), true).await;
    // B: engaged 10 days after E, 1 call before, none after.
    store("B", days(5), true).await;
    // C: referred, never engaged.
    store("C", days(-3), true).await;
    let subject = |external: &str| {
        let app = &c.app;
        let sql =
            format!("SELECT id::text AS value FROM subjects WHERE external_id = '{external}'");
        async move { app.value(&sql).await.unwrap() }
    };
    let (a, b, cc) = (subject("A").await, subject("B").await, subject("C").await);

    let first = c.refer(&a, &c.partner, days(-2)).await;
    c.step(&first, "acknowledged", None, days(-1)).await;
    c.step(&first, "engaged", None, e).await;
    c.step(&first, "closed", Some("completed"), days(40)).await;
    // A later engagement of A changes nothing: the first one counts.
    let second = c.refer(&a, &c.other, days(50)).await;
    c.step(&second, "acknowledged", None, days(51)).await;
    c.step(&second, "engaged", None, days(52)).await;
    let of_b = c.refer(&b, &c.partner, days(8)).await;
    c.step(&of_b, "acknowledged", None, days(9)).await;
    c.step(&of_b, "engaged", None, days(10)).await;
    c.refer(&cc, &c.partner, days(1)).await;

    c.app.clock.set(at("2026-06-15T12:00:00Z"));
    let analyst = c.app.login_as(Role::Analyst).await;
    let metrics = c
        .app
        .get(
            "/api/v1/metrics/repeat-calls?as_of=2026-06-01&window_days=365",
            &analyst.token,
        )
        .await;
    metrics.assert_status(200);
    let before_after = metrics.json()["before_after"].clone();
    assert_eq!(
        before_after,
        json!({"engaged_subjects": 2, "calls_before": 4, "calls_after": 1,
               "mean_calls_before": 2.0, "mean_calls_after": 0.5})
    );

    // The plain SQL over the same rows.
    let truth = |column: &str| {
        format!(
            "WITH e AS (SELECT subject_id, min(engaged_at) AS at FROM referrals \
                         WHERE engaged_at < '2026-06-02T05:00:00Z' GROUP BY subject_id) \
             SELECT {column} AS count FROM e JOIN calls c ON c.subject_id = e.subject_id \
              WHERE c.mental_health AND c.received_at < '2026-06-02T05:00:00Z'"
        )
    };
    assert_eq!(
        before_after["calls_before"],
        c.app
            .count(&truth("count(*) FILTER (WHERE c.received_at >= e.at - interval '8760 hours' AND c.received_at < e.at)"))
            .await
    );
    assert_eq!(
        before_after["calls_after"],
        c.app
            .count(&truth("count(*) FILTER (WHERE c.received_at > e.at AND c.received_at <= e.at + interval '8760 hours')"))
            .await
    );
    // A shorter window drops A's older calls.
    let short = c
        .app
        .get(
            "/api/v1/metrics/repeat-calls?as_of=2026-06-01&window_days=30",
            &analyst.token,
        )
        .await
        .json();
    assert_eq!(
        short["before_after"]["calls_before"], 2,
        "A's call 10 days before, B's 5"
    );
    assert_eq!(short["before_after"]["calls_after"], 1);
    // Before E nobody was engaged.
    let earlier = c
        .app
        .get(
            "/api/v1/metrics/repeat-calls?as_of=2026-02-01",
            &analyst.token,
        )
        .await
        .json();
    assert_eq!(earlier["before_after"]["engaged_subjects"], 0);
    assert_eq!(earlier["before_after"]["mean_calls_before"], 0.0);

    // The clinician's view of A: calls, referrals and follow-ups in time order, audited.
    let clinician = c.token().await;
    let timeline = c
        .app
        .get(&format!("/api/v1/subjects/{a}/timeline"), &clinician)
        .await;
    timeline.assert_status(200);
    let events = timeline.json()["events"].as_array().unwrap().clone();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "call").count(), 7);
    assert_eq!(kinds.iter().filter(|k| **k == "referral").count(), 2);
    assert_eq!(
        kinds.iter().filter(|k| **k == "follow_up").count(),
        6,
        "one per mental-health call"
    );
    let times: Vec<DateTime<Utc>> = events
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");
    let referral = events
        .iter()
        .find(|e| e["referral_id"] == first.as_str())
        .unwrap();
    assert_eq!(referral["referral_status"], "closed");
    assert_eq!(referral["engaged_at"], iso(e).replace("+00:00", "Z"));
    let follow_up = events.iter().find(|e| e["kind"] == "follow_up").unwrap();
    assert_eq!(follow_up["follow_up_status"], "scheduled");
    assert!(follow_up.get("outcome_note").is_none());
    let csv = c
        .app
        .get_csv(&format!("/api/v1/subjects/{a}/timeline"), &clinician)
        .await;
    assert!(csv.text().lines().nth(1).unwrap().starts_with("call,"));
    assert_eq!(c.app.audit_events("subject.timeline").await.len(), 2);
}
