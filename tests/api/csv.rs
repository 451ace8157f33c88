//! CSV for spreadsheets: a list asked for as CSV without `limit` is every matching row,
//! streamed a chunk at a time; with `limit`, one page and the next cursor in a header.

use std::collections::HashSet;

use cit_api::db::enums::Role;

use crate::demo::{NOW, seed};
use crate::helpers::TestApp;

/// The data rows of a CSV body (the header row first).
fn rows(body: &str) -> (String, Vec<&str>) {
    let mut lines = body.lines();
    let header = lines.next().unwrap_or_default().to_owned();
    (header, lines.collect())
}

#[actix_rt::test]
async fn a_long_list_exports_every_row_to_a_spreadsheet_in_chunks() {
    let app = TestApp::spawn_at(NOW.parse().unwrap()).await;
    let summary = seed(&app, 5, 0.02, false).await.unwrap();
    assert!(summary.calls > 2_000, "enough calls for several chunks");
    let admin = app.admin().await;

    let response = app.get_csv("/api/v1/calls", &admin.token).await;
    response.assert_status(200);
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(response.header("x-next-cursor"), None);
    let body = response.text();
    let (header, calls) = rows(&body);
    assert!(
        header.starts_with("id,source,incident_number,received_at"),
        "{header}"
    );
    assert_eq!(calls.len(), summary.calls);
    let ids: HashSet<&str> = calls.iter().map(|line| &line[..36]).collect();
    assert_eq!(ids.len(), summary.calls, "a row came twice across chunks");

    // Filters hold across chunks.
    let body = app
        .get_csv("/api/v1/calls?mental_health=true", &admin.token)
        .await
        .text();
    assert_eq!(rows(&body).1.len(), summary.mental_health_calls);
    // With `limit`, one page and the cursor of the next.
    let page = app.get_csv("/api/v1/calls?limit=100", &admin.token).await;
    assert_eq!(rows(&page.text()).1.len(), 100);
    let cursor = page.header("x-next-cursor").unwrap();
    let next = app
        .get_csv(
            &format!("/api/v1/calls?limit=100&cursor={cursor}"),
            &admin.token,
        )
        .await
        .text();
    assert_eq!(rows(&next).1[0], calls[100]);
    // An export may also start at a cursor.
    let rest = app
        .get_csv(&format!("/api/v1/calls?cursor={cursor}"), &admin.token)
        .await
        .text();
    assert_eq!(rows(&rest).1.len(), summary.calls - 100);

    // The other long lists do the same.
    let body = app.get_csv("/api/v1/personnel", &admin.token).await.text();
    assert_eq!(rows(&body).1.len(), summary.personnel);
    let body = app
        .get_csv("/api/v1/certifications", &admin.token)
        .await
        .text();
    assert_eq!(rows(&body).1.len(), summary.certifications);
    let clinician = app.login_as(Role::Clinician).await;
    let body = app
        .get_csv("/api/v1/referrals", &clinician.token)
        .await
        .text();
    assert_eq!(rows(&body).1.len(), summary.referrals);
    let follow_ups = app.count("SELECT count(*) AS count FROM follow_ups").await;
    let body = app
        .get_csv("/api/v1/follow-ups", &clinician.token)
        .await
        .text();
    assert_eq!(rows(&body).1.len() as i64, follow_ups);
    let events = app
        .count("SELECT count(*) AS count FROM audit_events")
        .await;
    let auditor = app.login_as(Role::Auditor).await;
    let body = app
        .get_csv("/api/v1/audit-events", &auditor.token)
        .await
        .text();
    assert!(rows(&body).1.len() as i64 >= events);

    // A refusal is still a problem, not a stream.
    app.get_csv("/api/v1/calls?limit=0", &admin.token)
        .await
        .problem(422);
    app.get_csv("/api/v1/follow-ups", &admin.token)
        .await
        .assert_status(200);
}
