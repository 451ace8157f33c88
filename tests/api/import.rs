//! `cit-api import-calls`: the real Toronto open-data file goes in through its mapping, a second
//! run changes nothing, and the metrics of a service set to Toronto time give its known totals
//! and monthly counts.

use std::collections::BTreeMap;
use std::process::Command;

use cit_api::db::enums::Role;

use crate::helpers::{TestApp, TestDatabase, settings};

const FILE: &str = "toronto-persons-in-crisis-2014-2015.csv";
const MAPPING: &str = "mappings/toronto-persons-in-crisis.toml";

/// The shared data folder: `CIT_DATA_DIR`, else `../shared/data` beside the project, else the
/// machine's `/work/shared/data`.
fn data_file() -> String {
    let candidates = [
        std::env::var("CIT_DATA_DIR").ok(),
        Some("../shared/data".to_owned()),
        Some("/work/shared/data".to_owned()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|dir| format!("{dir}/{FILE}"))
        .find(|path| std::path::Path::new(path).exists())
        .unwrap_or_else(|| panic!("{FILE} not found: set CIT_DATA_DIR to the shared data folder"))
}

fn import(database_url: &str, mapping: &str) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cit-api"))
        .args(["import-calls", &data_file(), "--mapping", mapping])
        .env("DATABASE_URL", database_url)
        .env("CIT_TIME_ZONE", "America/Toronto")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Calls per month as the file has them (its dates are Toronto dates).
fn monthly_counts() -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    let mut reader = csv::Reader::from_path(data_file()).unwrap();
    let headers = reader.headers().unwrap().clone();
    let date = headers.iter().position(|h| h == "event_date").unwrap();
    for record in reader.records() {
        let month = format!("{}-01", &record.unwrap()[date][..7]);
        *counts.entry(month).or_insert(0) += 1;
    }
    counts
}

#[actix_web::test]
async fn the_toronto_file_imports_once_and_its_figures_come_out_of_the_metrics() {
    let db = TestDatabase::create().await;
    let url = db.url();

    let (ok, stdout, stderr) = import(&url, MAPPING);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("32000 rows in")
            && stdout.contains(": 32000 created, 0 updated, 0 unchanged, 0 rejected."),
        "{stdout}"
    );
    // Not a terminal: plain progress lines, one per chunk.
    assert!(
        stdout.lines().filter(|l| l.ends_with("rejected")).count() >= 6,
        "{stdout}"
    );
    let (ok, stdout, _) = import(&url, MAPPING);
    assert!(ok);
    assert!(
        stdout.contains(": 0 created, 0 updated, 32000 unchanged, 0 rejected."),
        "a second run changes nothing: {stdout}"
    );

    let mut settings = settings(url);
    settings.time_zone = chrono_tz::America::Toronto;
    let app = TestApp::spawn_with(db, settings).await;
    assert_eq!(
        app.count("SELECT count(*) AS count FROM calls WHERE version = 1")
            .await,
        32000
    );
    let batches = app.audit_events("call.batch").await;
    assert_eq!(
        batches.len(),
        14,
        "one audit row per chunk of 5,000, both runs"
    );
    assert_eq!(batches[0].actor_username.as_deref(), Some("cli"));

    let analyst = app.login_as(Role::Analyst).await;
    let metrics = app
        .get(
            "/api/v1/metrics/calls?from=2014-01-01&to=2015-06-30",
            &analyst.token,
        )
        .await;
    metrics.assert_status(200);
    let metrics = metrics.json();
    assert_eq!(metrics["time_zone"], "America/Toronto");
    assert_eq!(metrics["total"]["calls"], 32000);
    assert_eq!(metrics["total"]["mental_health_calls"], 32000);
    assert_eq!(metrics["total"]["involuntary_petitions"], 7039);
    let served: BTreeMap<String, i64> = metrics["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["calls"].as_i64().unwrap() > 0)
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_owned(),
                p["calls"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(served, monthly_counts());
    let outcomes = app
        .get(
            "/api/v1/metrics/outcomes?from=2014-01-01&to=2015-06-30",
            &analyst.token,
        )
        .await
        .json();
    assert_eq!(outcomes["without_cit"]["calls"], 32000);
    assert_eq!(outcomes["without_cit"]["involuntary_petitions"], 7039);
}

#[actix_web::test]
async fn a_mapping_that_does_not_fit_the_file_stops_with_a_clear_message() {
    let db = TestDatabase::create().await;
    let url = db.url();
    let dir = std::env::temp_dir().join(format!("cit-mapping-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrong = dir.join("wrong.toml");
    let text = std::fs::read_to_string(MAPPING)
        .unwrap()
        .replace("\"division\"", "\"precinct\"");
    std::fs::write(&wrong, text).unwrap();
    let (ok, stdout, stderr) = import(&url, wrong.to_str().unwrap());
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("the mapping names a column the file does not have: `precinct`"),
        "{stderr}"
    );
    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, "[columns]\nsubject_name = \"name\"\n").unwrap();
    let (ok, _, stderr) = import(&url, unknown.to_str().unwrap());
    assert!(!ok);
    assert!(
        stderr.contains("a field cit-api does not have: `subject_name`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let app = TestApp::spawn_with(db, settings(url)).await;
    assert_eq!(app.count("SELECT count(*) AS count FROM calls").await, 0);
}
