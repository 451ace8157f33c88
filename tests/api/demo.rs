//! `cit-api seed-demo`: the demo city is believable, deterministic for a seed, written through
//! the real ingest (so the figures agree with the calls), and never poured over real data.

use chrono::{DateTime, TimeDelta, Utc};
use cit_api::calls::ingest::Rules;
use cit_api::demo::{self, Options, SeedError, Summary};

use crate::helpers::TestApp;

/// The instant the demo tests stand at.
pub const NOW: &str = "2026-11-20T18:00:00Z";

/// Seeds the app's database as `cit-api seed-demo` does, on two connections.
pub async fn seed(app: &TestApp, seed: u64, scale: f64, force: bool) -> Result<Summary, SeedError> {
    let conns = vec![app.db.connect().await, app.db.connect().await];
    let rules = Rules {
        zone: app.clock.zone(),
        follow_up_after: TimeDelta::hours(72),
    };
    demo::seed(
        conns,
        Options { seed, scale, force },
        rules,
        app.clock.today(),
        app.clock.now(),
        |_| {},
    )
    .await
}

fn now() -> DateTime<Utc> {
    NOW.parse().unwrap()
}

#[actix_rt::test]
async fn seed_demo_fills_an_empty_database_with_a_city_whose_figures_hold_together() {
    let app = TestApp::spawn_at(now()).await;
    let summary = seed(&app, 7, 0.05, false).await.unwrap();

    // What it says it wrote is there.
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel").await,
        summary.personnel as i64
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM calls").await,
        summary.calls as i64
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM calls WHERE mental_health")
            .await,
        summary.mental_health_calls as i64
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM referrals").await,
        summary.referrals as i64
    );
    assert_eq!(
        app.count("SELECT count(DISTINCT subject_id) AS count FROM calls")
            .await,
        summary.subjects as i64
    );
    // Seven years of calls at about 25,000 a year (scale 0.05: about 1,250), 4% mental health.
    let per_year = summary.calls as f64 / 6.9;
    assert!(
        (1_000.0..1_600.0).contains(&per_year),
        "{per_year} calls a year"
    );
    let share = summary.mental_health_calls as f64 / summary.calls as f64;
    assert!((0.03..0.06).contains(&share), "{share}");
    assert_eq!(app.count("SELECT count(*) AS count FROM partners").await, 6);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM partners WHERE active")
            .await,
        5
    );

    // The ingest judged CIT on scene from the roster, counted the days and scheduled one
    // follow-up per mental-health call with a subject.
    assert!(
        app.count("SELECT count(*) AS count FROM calls WHERE cit_on_scene AND mental_health")
            .await
            > 0
    );
    assert_eq!(
        app.count("SELECT count(*) AS count FROM follow_ups").await,
        app.count(
            "SELECT count(*) AS count FROM calls WHERE mental_health AND subject_id IS NOT NULL"
        )
        .await
    );
    assert_eq!(
        app.count("SELECT sum(calls)::bigint AS count FROM call_days")
            .await,
        summary.calls as i64
    );
    // Follow-ups have been worked, and a few are overdue, as in any real work list.
    assert!(
        app.count("SELECT count(*) AS count FROM follow_ups WHERE status = 'completed'")
            .await
            > 0
    );
    let overdue = app
        .count("SELECT count(*) AS count FROM follow_ups WHERE status IN ('scheduled', 'attempted') AND due_at < '2026-11-20T18:00:00Z'")
        .await;
    let all = app.count("SELECT count(*) AS count FROM follow_ups").await;
    assert!(
        overdue > 0 && overdue * 10 < all,
        "{overdue} of {all} overdue"
    );
    // Referrals moved through their states, each move kept, and linked to the call's follow-up.
    assert!(
        app.count("SELECT count(DISTINCT close_reason) AS count FROM referrals")
            .await
            >= 3
    );
    for status in ["engaged", "closed"] {
        let n = app
            .count(&format!(
                "SELECT count(*) AS count FROM referrals WHERE status = '{status}'"
            ))
            .await;
        assert!(n > 0, "no {status} referral");
    }
    assert_eq!(
        app.count("SELECT count(*) AS count FROM referrals WHERE jsonb_array_length(transitions) <> version - 1").await,
        0
    );
    assert!(
        app.count("SELECT count(*) AS count FROM follow_ups WHERE referral_id IS NOT NULL")
            .await
            > 0
    );
    // Repeat callers: a long tail.
    let most = app
        .count("SELECT max(n) AS count FROM (SELECT count(*) AS n FROM calls WHERE subject_id IS NOT NULL GROUP BY subject_id) x")
        .await;
    assert!(most >= 4, "the most calls for one person: {most}");
    // Certifications since 2016, some lapsed or revoked; the clinicians' accounts cannot log in.
    assert_eq!(
        app.count("SELECT count(*) AS count FROM certifications WHERE issued_on < '2016-01-01'").await
            - app.count("SELECT count(*) AS count FROM certifications c JOIN certification_types t ON t.id = c.certification_type_id WHERE t.code = 'MH_AWARENESS' AND issued_on < '2016-01-01'").await,
        0
    );
    assert!(
        app.count("SELECT count(*) AS count FROM certifications WHERE revoked_at IS NOT NULL")
            .await
            >= 1
    );
    assert!(
        app.count("SELECT count(*) AS count FROM certifications WHERE expires_on < '2026-11-20'")
            .await
            >= 1
    );
    assert!(
        app.count("SELECT count(*) AS count FROM users WHERE username LIKE 'demo.%' AND disabled")
            .await
            >= 1
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS count FROM users WHERE username LIKE 'demo.%' AND NOT disabled"
        )
        .await,
        0
    );

    // The goal's progress, through the API, is a believable share.
    let admin = app.admin().await;
    let goal = app.get("/api/v1/goals", &admin.token).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let progress = app
        .get(&format!("/api/v1/goals/{goal}/progress"), &admin.token)
        .await
        .json();
    let share = progress["share"].as_f64().unwrap();
    assert!((0.05..0.35).contains(&share), "{progress}");
    // One audit row says who seeded what.
    let events = app.audit_events("demo.seed").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_username.as_deref(), Some("cli"));
}

/// A digest of what the demo wrote, leaving out only the ids the ingest makes.
async fn fingerprint(app: &TestApp) -> String {
    let mut parts = Vec::new();
    for sql in [
        "SELECT md5(string_agg(concat_ws('|', id, employee_number, first_name, last_name, role, shift, hire_date, separation_date, status), ',' ORDER BY id)) AS value FROM personnel",
        "SELECT md5(string_agg(concat_ws('|', id, personnel_id, certification_type_id, certificate_number, issued_on, expires_on, revoked_at), ',' ORDER BY id)) AS value FROM certifications",
        "SELECT md5(string_agg(concat_ws('|', c.incident_number, c.received_at, c.mental_health, c.cit_on_scene, c.dispositions, c.force_level, c.responders::text, s.external_id), ',' ORDER BY c.incident_number)) AS value FROM calls c LEFT JOIN subjects s ON s.id = c.subject_id",
        "SELECT md5(string_agg(concat_ws('|', r.id, r.status, r.sent_at, r.engaged_at, r.closed_at, r.close_reason, r.need, r.transitions::text, c.incident_number), ',' ORDER BY r.id)) AS value FROM referrals r JOIN calls c ON c.id = r.call_id",
        "SELECT md5(string_agg(concat_ws('|', f.status, f.due_at, f.assigned_to, f.method, f.transitions::text, c.incident_number), ',' ORDER BY c.incident_number)) AS value FROM follow_ups f JOIN calls c ON c.id = f.call_id",
    ] {
        parts.push(app.value(sql).await.unwrap_or_default());
    }
    parts.join(" ")
}

#[actix_rt::test]
async fn the_same_seed_makes_the_same_city_and_another_seed_another() {
    let (a, b, c) = (
        TestApp::spawn_at(now()).await,
        TestApp::spawn_at(now()).await,
        TestApp::spawn_at(now()).await,
    );
    let (x, y, z) = tokio::join!(
        seed(&a, 11, 0.02, false),
        seed(&b, 11, 0.02, false),
        seed(&c, 12, 0.02, false)
    );
    assert_eq!(x.unwrap().calls, y.unwrap().calls);
    assert!(z.is_ok());
    let (fa, fb, fc) = (
        fingerprint(&a).await,
        fingerprint(&b).await,
        fingerprint(&c).await,
    );
    assert_eq!(fa, fb);
    for (one, other) in fa.split(' ').zip(fc.split(' ')) {
        assert_ne!(one, other, "seed 12 made a part of seed 11's city");
    }
}

#[actix_rt::test]
async fn seed_demo_refuses_a_database_that_holds_data_unless_forced() {
    let app = TestApp::spawn_at(now()).await;
    let admin = app.admin().await;
    app.create_person(
        &admin.token,
        &serde_json::json!({
            "employee_number": "X1", "first_name": "Ada", "last_name": "Real",
            "department": "police", "role": "officer", "hire_date": "2010-01-04"
        }),
    )
    .await;
    match seed(&app, 1, 0.02, false).await {
        Err(SeedError::NotEmpty(rows)) => assert_eq!(rows, 1),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 0);
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel").await,
        1
    );
    assert!(app.audit_events("demo.seed").await.is_empty());

    // Told so, it adds the city beside what is there.
    let summary = seed(&app, 1, 0.02, true).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) AS count FROM personnel").await,
        summary.personnel as i64 + 1
    );
}
