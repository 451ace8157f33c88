//! `GET /dashboard`: the public page of a seeded city, its suppression of small counts, its
//! agreement with the metrics API and its cache.

use serde_json::json;

use crate::demo::{NOW, seed};
use crate::helpers::TestApp;

/// The sections of the page, one chart and one table each.
const FIGURES: [&str; 7] = [
    "goal",
    "shifts",
    "calls",
    "cit-on-scene",
    "outcomes",
    "repeat-calls",
    "referrals",
];

/// The part of the page between `<figure id="{id}">` and its end.
fn figure<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!(r#"<figure id="{id}">"#))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let end = page[start..].find("</figure>").unwrap() + start;
    &page[start..end]
}

#[actix_rt::test]
async fn the_dashboard_of_a_seeded_city_shows_every_chart_with_its_data_to_anyone() {
    let app = TestApp::spawn_at(NOW.parse().unwrap()).await;
    seed(&app, 3, 0.2, false).await.unwrap();

    let response = app.get_anonymous("/dashboard").await;
    response.assert_status(200);
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let csp = response.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let page = response.text();

    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<html lang="en">"#));
    assert!(
        page.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#)
    );
    for id in FIGURES {
        let chart = figure(&page, id);
        assert!(
            chart.contains(r#"role="img""#) && chart.contains("<desc"),
            "{id}: no text alternative"
        );
        assert!(chart.contains(r#"class="mark""#), "{id}: no data drawn");
        assert!(page.contains(&format!(r#"<section aria-labelledby="{id}-h">"#)));
    }
    assert_eq!(page.matches("<table>").count(), FIGURES.len());
    // No script and nothing fetched from elsewhere; links to the directory and the API docs.
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http") && !page.contains("url(http"));
    assert!(page.contains(r#"href="/hsds/services""#));
    assert!(page.contains(r#"href="/swagger-ui/""#));
    assert!(page.contains("figures as of 20 November 2026"));

    // The page's figures are the metrics API's.
    let admin = app.admin().await;
    let outcomes = app
        .get(
            "/api/v1/metrics/outcomes?from=2025-11-21&to=2026-11-20",
            &admin.token,
        )
        .await
        .json();
    let calls = outcomes["with_cit"]["calls"].as_i64().unwrap()
        + outcomes["without_cit"]["calls"].as_i64().unwrap();
    assert!(calls >= 5);
    assert!(
        page.contains(&format!(
            "<strong>{calls}</strong>mental-health calls in the last 365 days"
        )),
        "the headline disagrees with the API's {calls}"
    );
    let funnel = app
        .get(
            "/api/v1/metrics/referrals?from=2025-11-21&to=2026-11-20",
            &admin.token,
        )
        .await
        .json();
    let sent = funnel["overall"]["sent"].as_i64().unwrap();
    assert!(figure(&page, "referrals").contains(&format!("{sent} sent")));
    // No person appears: not a subject's external id, not a name.
    assert!(!page.contains("DEMO-P"));
    let name = app
        .value("SELECT last_name AS value FROM personnel LIMIT 1")
        .await
        .unwrap();
    assert!(!page.contains(&format!(" {name}")));
}

#[actix_rt::test]
async fn counts_under_five_are_shown_as_less_than_five_and_their_rates_not_at_all() {
    let app = TestApp::spawn_at(NOW.parse().unwrap()).await;
    let admin = app.admin().await;
    let key = app.api_key(&admin.token, "rms").await;
    // Three mental-health calls this month, one with an arrest.
    let calls: Vec<_> = [json!(["arrest"]), json!([]), json!([])]
        .into_iter()
        .enumerate()
        .map(|(n, dispositions)| {
            json!({
                "source": "rms", "incident_number": format!("2026-{n}"),
                "received_at": "2026-11-10T10:00:00-06:00",
                "mental_health": true, "dispositions": dispositions,
            })
        })
        .collect();
    app.post(
        "/api/v1/calls/batch",
        Some(&key),
        &json!({ "calls": calls }),
    )
    .await
    .assert_status(200);
    let page = app.get_anonymous("/dashboard").await.text();
    assert!(
        page.contains("<strong>&lt;5</strong>mental-health calls in the last 365 days"),
        "{page}"
    );
    // The month's bar is not drawn; its label and the table say <5.
    let calls = figure(&page, "calls");
    assert!(!calls.contains(r#"class="mark""#));
    assert!(calls.contains("&lt;5"));
    assert!(!page.contains("<td>3</td>") && !page.contains("<td>1</td>"));
    // The arrest rate (1 of 3) is not shown.
    assert!(!page.contains("33.3%"));
}

#[actix_rt::test]
async fn the_page_is_served_from_a_short_cache_so_a_crowd_costs_one_set_of_reads() {
    let app = TestApp::spawn_at(NOW.parse().unwrap()).await;
    let first = app.get_anonymous("/dashboard").await.text();
    assert!(first.contains("<strong>&lt;5</strong>mental-health calls"));
    app.execute(
        "INSERT INTO call_days (day, calls, mental_health_calls) VALUES ('2026-11-19', 100, 40)",
    )
    .await
    .unwrap();
    let again = app.get_anonymous("/dashboard").await.text();
    assert_eq!(first, again, "the second request read the database");
}
