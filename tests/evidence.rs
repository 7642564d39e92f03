//! Evidence against a hostile provider: bodies of many megabytes, a gzip body that un-gzips past the
//! cap, a body declared UTF-8 holding Latin-1 bytes. The reports stay small, the evidence file holds
//! every body whole (its SHA-256 matching the one the reports give), a body cut by the harness ends in
//! error rather than blaming the provider, and bytes that are not UTF-8 fail the scenario and are
//! shown as received.

use std::io::{Read, Write};
use std::path::Path;

use axum::extract::Query;
use axum::http::header;
use axum::response::IntoResponse;
use gpc_assure::config::Config;
use gpc_assure::report::{self, RunReport, ScenarioResult, Status};
use gpc_assure::runner::{self, Progress, RunOptions};
use serde_json::Value;

const MIB: usize = 1024 * 1024;
const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";

/// A CapabilityStatement whose description is `pad` bytes long.
fn capability(pad: usize) -> Vec<u8> {
    format!(
        r#"{{"resourceType":"CapabilityStatement","description":"{}"}}"#,
        "a".repeat(pad)
    )
    .into_bytes()
}

async fn metadata(Query(q): Query<std::collections::HashMap<String, String>>) -> impl IntoResponse {
    let kind = q.get("kind").map(String::as_str).unwrap_or("");
    let (body, gzip) = match kind {
        // 20 MB: more than http.max_response_bytes (16 MiB).
        "huge" => (capability(20 * MIB), false),
        // 300 KB: received whole, kept whole only in the evidence file.
        "big" => (capability(300 * 1024), false),
        "latin1" => (
            b"{\"resourceType\":\"CapabilityStatement\",\"publisher\":\"Caf\xE9\"}".to_vec(),
            false,
        ),
        // About 20 KB on the wire, 20 MB un-gzipped.
        "bomb" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(&capability(20 * MIB)).unwrap();
            (e.finish().unwrap(), true)
        }
        _ => (capability(10), false),
    };
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, FHIR_JSON.parse().unwrap());
    if gzip {
        headers.insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
    }
    (headers, body)
}

const FEATURE: &str = r#"@foundations
Feature: Hostile bodies

  Scenario: huge
    Given a "metadata" request
    And the query parameter "kind" is "huge"
    When the request is sent
    Then the response is a CapabilityStatement resource

  Scenario: big
    Given a "metadata" request
    And the query parameter "kind" is "big"
    When the request is sent
    Then the response is a CapabilityStatement resource

  Scenario: latin1
    Given a "metadata" request
    And the query parameter "kind" is "latin1"
    When the request is sent
    Then the response status is 200

  Scenario: bomb
    Given a "metadata" request
    And the query parameter "kind" is "bomb"
    When the request is sent
    Then the response is a CapabilityStatement resource
"#;

async fn run_against_hostile_provider(dir: &Path) -> RunReport {
    let app = axum::Router::new().route("/gpc/metadata", axum::routing::get(metadata));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let features = dir.join("hostile.feature");
    std::fs::write(&features, FEATURE).unwrap();
    let mut config = Config::default();
    config.target.foundations_url = format!("http://{addr}/gpc");
    let options = RunOptions {
        concurrency: 2,
        config,
        features,
        tags: None,
        embedded: false,
        max_duration: None,
        stop: Default::default(),
        out: None,
        selection: Default::default(),
        evidence_sidecar: Some(dir.join("out").join(report::EVIDENCE_FILE)),
    };
    runner::run(options, Progress::Silent)
        .await
        .expect("the run starts")
}

fn scenario<'a>(r: &'a RunReport, name: &str) -> &'a ScenarioResult {
    r.features
        .iter()
        .flat_map(|f| &f.scenarios)
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("scenario {name} in the report"))
}

fn sidecar_lines(path: &Path) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("the evidence file"))
        .read_to_string(&mut text)
        .expect("gzip");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_bodies_give_bounded_reports_and_whole_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let report = run_against_hostile_provider(dir.path()).await;
    let out = dir.path().join("out");
    let written = report::write_all(&report, &out).unwrap();

    // A body cut by the harness ends in error, naming the limit, and does not blame the provider.
    let huge = scenario(&report, "huge");
    assert_eq!(huge.status, Status::Error, "{:?}", huge.failure);
    let why = &huge.failure.as_ref().unwrap().message;
    assert!(
        why.contains("cut at 16777216 bytes by the harness (http.max_response_bytes)"),
        "{why}"
    );
    assert!(!why.contains("not FHIR JSON"), "{why}");
    let bomb = scenario(&report, "bomb");
    assert_eq!(bomb.status, Status::Error, "{:?}", bomb.failure);
    assert!(
        bomb.failure
            .as_ref()
            .unwrap()
            .message
            .contains("while un-gzipping"),
        "{:?}",
        bomb.failure
    );

    // Latin-1 bytes under charset=utf-8 fail, with the finding at the byte offset, shown as received.
    let latin1 = scenario(&report, "latin1");
    assert_eq!(latin1.status, Status::Failed, "{:?}", latin1.failure);
    let x = &latin1.evidence[0];
    let finding = x
        .findings
        .iter()
        .find(|f| f.severity == "error")
        .expect("an error finding");
    assert_eq!(finding.location, "body, byte 54");
    assert!(finding.message.contains("not valid UTF-8: byte 0xE9"));
    assert!(x.response.as_ref().unwrap().body.ends_with("Caf\\xE9\"}"));
    let html = std::fs::read_to_string(&written.html).unwrap();
    assert!(
        html.contains("Caf\\xE9"),
        "index.html shows the byte escaped"
    );
    assert!(!html.contains("Caf\u{FFFD}"));

    // The records keep only the start of each body; the reports stay small.
    let big = scenario(&report, "big");
    let r = big.evidence[0].response.as_ref().unwrap();
    assert_eq!(r.body_info.bytes, 300 * 1024 + 55);
    let cut = r.body_info.cut.as_ref().expect("kept only its start");
    assert!(r.body.len() <= 64 * 1024 && cut.shown_bytes == r.body.len());
    assert_eq!(cut.full_body_in.as_deref(), Some(report::EVIDENCE_FILE));
    let json_size = std::fs::metadata(&written.json).unwrap().len();
    let html_size = std::fs::metadata(&written.html).unwrap().len();
    assert!(json_size < 1_000_000, "results.json is {json_size} bytes");
    assert!(html_size < 1_000_000, "index.html is {html_size} bytes");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(&written.json).unwrap()).unwrap();
    assert_eq!(results["schema_version"], 3);
    let text = std::fs::read_to_string(&written.json).unwrap();
    assert!(text.contains("Caf\\\\xE9"), "results.json keeps the escape");

    // The evidence file holds every body whole, under its final name, hashes matching the reports'.
    let sidecar = out.join(report::EVIDENCE_FILE);
    assert!(!out.join("evidence.jsonl.gz.partial").exists());
    let lines = sidecar_lines(&sidecar);
    assert_eq!(lines.len(), 4, "one line per scenario");
    let line = lines.iter().find(|l| l["scenario"] == "big").unwrap();
    let whole = line["exchanges"][0]["response"]["body"].as_str().unwrap();
    assert_eq!(whole.as_bytes(), capability(300 * 1024).as_slice());
    assert_eq!(sha256_hex(whole.as_bytes()), r.body_info.sha256);
    let line = lines.iter().find(|l| l["scenario"] == "huge").unwrap();
    let received = &line["exchanges"][0]["response"];
    assert_eq!(received["body"].as_str().unwrap().len(), 16 * MIB);
    assert_eq!(received["truncated"]["at_bytes"], 16 * MIB);
    assert_eq!(
        sha256_hex(&capability(20 * MIB)[..16 * MIB]),
        received["body_info"]["sha256"].as_str().unwrap()
    );
}
