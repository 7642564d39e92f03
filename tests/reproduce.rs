//! Repeating a run: the curl command of an exchange sends what the harness sent; a scenario picked by
//! `feature:LINE`, by `--name` or by `--rerun-failed` runs alone; the report says how to run it again.

mod common;

use common::run;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use gpc_assure::config::Config;
use gpc_assure::gpconnect::Interaction;
use gpc_assure::http::{Body, Client, RequestSpec};
use gpc_assure::report::curl::{self, CurlTls};

/// A feature with a plain scenario (line 3), an outline whose Examples rows are lines 16 and 17, and a
/// scenario (line 20) the default target's version (1.2.7) excludes.
const FEATURE: &str = "\
@foundations @metadata
Feature: Metadata, a few ways
  Scenario: plain metadata
    When a \"metadata\" request is sent
    Then the response status is 200

  Scenario Outline: metadata in <format>
    Given a \"metadata\" request
    And the \"Accept\" header is \"<accept>\"
    When the request is sent
    Then the response status is 200
    And the response body is FHIR <format>

    Examples:
      | accept                | format |
      | application/fhir+json | JSON   |
      | application/fhir+xml  | XML    |

  @until:1.0.0
  Scenario: only for old providers
    When a \"metadata\" request is sent
    Then the response status is 200
";

fn features(dir: &Path) -> PathBuf {
    let root = dir.join("features");
    std::fs::create_dir_all(root.join("area")).unwrap();
    std::fs::write(root.join("area/meta.feature"), FEATURE).unwrap();
    root
}

fn results(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// `(line, name, status)` of every scenario in a results.json.
fn scenarios(json: &serde_json::Value) -> Vec<(u64, String, String)> {
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["scenarios"].as_array().unwrap())
        .map(|s| {
            (
                s["line"].as_u64().unwrap(),
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_feature_line_runs_that_examples_row_alone_and_the_report_says_how_to_repeat_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = features(dir.path());
    let out = dir.path().join("r");
    let file = root.join("area/meta.feature");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        root.to_str().unwrap(),
        &format!("{}:17", file.display()),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    let json = results(&out);
    assert_eq!(
        scenarios(&json),
        [(17, "metadata in XML".to_string(), "passed".to_string())],
        "only the row at line 17 runs, and nothing else is listed"
    );
    let meta = &json["meta"];
    assert_eq!(meta["selection"]["selected"], 1);
    assert_eq!(
        meta["selection"]["locations"][0],
        format!("{}:17", file.display())
    );
    assert_eq!(meta["features"]["files"], 1);
    assert_eq!(meta["features"]["manifest"][0]["path"], "area/meta.feature");
    // The features hash is that of the `sha256sum` manifest of the files.
    use sha2::Digest as _;
    let hex = |b: &[u8]| -> String { b.iter().map(|x| format!("{x:02x}")).collect() };
    let file_hash = hex(&sha2::Sha256::digest(FEATURE.as_bytes()));
    let manifest = format!("{file_hash}  area/meta.feature\n");
    assert_eq!(
        meta["features"]["sha256"],
        hex(&sha2::Sha256::digest(manifest.as_bytes()))
    );
    let argv: Vec<&str> = meta["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(&argv[1..3], ["run", "--features"]);
    assert!(meta["config_toml"]
        .as_str()
        .unwrap()
        .contains("foundations_url = \"https://127.0.0.1:"));
    assert!(!meta["hostname"].as_str().unwrap().is_empty());
    // The HTML shows how to repeat the run and each exchange.
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Reproduce this run"), "no reproduce section");
    assert!(html.contains(&format!("{}:17", file.display())));
    assert!(html.contains("Repeat with curl"));
    assert!(
        html.contains("-H &#39;Ssp-TraceID: "),
        "curl of the exchange"
    );
    // curl is not stored in results.json: it follows from the request.
    assert!(!std::fs::read_to_string(out.join("results.json"))
        .unwrap()
        .contains("--globoff"));

    // The same, as `--features FILE:LINE`, selects the plain scenario by one of its steps' lines.
    let out2 = dir.path().join("r2");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        &format!("{}:5", file.display()),
        "--out",
        out2.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert_eq!(
        scenarios(&results(&out2)),
        [(3, "plain metadata".to_string(), "passed".to_string())]
    );

    // A line that is no scenario stops the run before anything is sent, naming the lines that are.
    let (code, _, err) = run(&[
        "run",
        "--features",
        &format!("{}:2", file.display()),
        "--out",
        dir.path().join("r3").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("3, 16, 17, 20"), "{err}");
}

#[test]
fn name_selects_by_regular_expression() {
    let dir = tempfile::tempdir().unwrap();
    let root = features(dir.path());
    let out = dir.path().join("r");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        root.to_str().unwrap(),
        "--name",
        "JSON$",
        "--name",
        "^plain",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    let names: Vec<String> = scenarios(&results(&out)).into_iter().map(|s| s.1).collect();
    assert_eq!(names, ["plain metadata", "metadata in JSON"]);
    let (code, _, err) = run(&[
        "run",
        "--features",
        root.to_str().unwrap(),
        "--name",
        "(",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a valid regular expression"), "{err}");
}

/// A hand-written results.json of an earlier run: schema 2, extra fields it does not know.
fn earlier(dir: &Path, statuses: [&str; 3]) -> PathBuf {
    let prev = dir.join("prev");
    std::fs::create_dir_all(&prev).unwrap();
    let s = |line: u32, name: &str, status: &str| {
        format!(
            r#"{{"feature": "Metadata, a few ways", "feature_path": "area/meta.feature", "name": "{name}", "line": {line}, "status": "{status}", "steps": [], "evidence": []}}"#
        )
    };
    let text = format!(
        r#"{{"schema_version": 2, "tool": "gpc-assure", "verdict": "failed", "features": [{{"name": "Metadata, a few ways", "path": "area/meta.feature", "scenarios": [{}, {}, {}]}}]}}"#,
        s(3, "plain metadata", statuses[0]),
        s(16, "metadata in JSON", statuses[1]),
        s(17, "metadata in XML", statuses[2]),
    );
    std::fs::write(prev.join("results.json"), text).unwrap();
    prev
}

#[test]
fn rerun_failed_runs_only_what_did_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let root = features(dir.path());
    let prev = earlier(dir.path(), ["passed", "failed", "inconclusive"]);
    let out = dir.path().join("r");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        root.to_str().unwrap(),
        "--rerun-failed",
        prev.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    let json = results(&out);
    let lines: Vec<u64> = scenarios(&json).into_iter().map(|s| s.0).collect();
    assert_eq!(lines, [16, 17]);
    let rerun = &json["meta"]["selection"]["rerun_failed"];
    assert_eq!(
        (rerun["listed"].as_u64(), rerun["found"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(rerun["from"].as_str().unwrap().ends_with("results.json"));
}

#[test]
fn rerun_of_a_passed_run_has_nothing_to_do_and_bad_files_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let root = features(dir.path());
    let prev = earlier(dir.path(), ["passed", "passed", "not_applicable"]);
    let out = dir.path().join("r");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        root.to_str().unwrap(),
        "--rerun-failed",
        prev.join("results.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}\n{err}");
    assert!(stdout.contains("Nothing to rerun"), "{stdout}");
    assert!(
        !out.exists(),
        "no report directory for a run that did nothing"
    );

    let (code, _, err) = run(&["run", "--rerun-failed", "/nonexistent/report"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read /nonexistent/report") && err.contains("--rerun-failed takes"),
        "{err}"
    );
    let alien = dir.path().join("package.json");
    std::fs::write(&alien, r#"{"name": "x", "version": "1.0.0"}"#).unwrap();
    let (code, _, err) = run(&["run", "--rerun-failed", alien.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a gpc-assure results.json"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// One HTTP/1.1 request as received: request line, headers (lower-cased names, sorted) and body.
#[derive(Debug, PartialEq)]
struct Received {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A server that records the next `n` requests and answers each with an empty 200.
fn recorder(n: usize) -> (u16, std::sync::mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end_matches(['\r', '\n']);
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            headers.sort();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .unwrap();
            tx.send(Received {
                line: line.trim_end().to_string(),
                headers,
                body,
            })
            .unwrap();
        }
    });
    (port, rx)
}

/// The real curl, given the command built from the harness's evidence, sends the very request the
/// harness sent: same request line, same headers, same body bytes, hostile values included.
#[tokio::test]
async fn the_curl_command_sends_what_the_harness_sent() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("curl is not installed: the command's wire-level check is skipped");
        return;
    }
    let (port, received) = recorder(2);
    let mut config = Config::default();
    config.target.foundations_url = format!("http://127.0.0.1:{port}/B82617/STU3/1/gpconnect");
    let client = Client::new(&config).unwrap();
    let mut spec = RequestSpec::new(&config, Interaction::BookAppointment, None);
    spec.set_header("Accept-Encoding", "gzip");
    spec.set_header("X-Odd", "it's $(id) `id` \"q\" [1] {a,b} ~ *");
    spec.add_query("q", "a b'c");
    spec.body = Some(Body::Raw(
        "{\"note\": \"it's $(touch /tmp/gpc-never) `id`\\n\",\n \"x\": \"\u{e9}\"}".into(),
    ));
    let exchange = client.send(&spec).await;
    assert!(exchange.response.is_some(), "{:?}", exchange.error);
    let by_harness = received.recv().unwrap();

    let command = curl::command_for(&exchange.request, CurlTls::default());
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -sS -o /dev/null"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{command}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_curl = received.recv().unwrap();
    assert_eq!(by_curl, by_harness, "{command}");
}

/// A report of one scenario whose two requests carry hostile values (and one a body too long for the
/// page), from a run with unverified TLS and a client certificate.
fn hostile_report() -> gpc_assure::report::RunReport {
    use gpc_assure::http::{Exchange, RecordedRequest, Role};
    use gpc_assure::report::{FeatureResult, RunMeta, RunReport, ScenarioResult, Status};
    let request = |body: Option<String>| Exchange {
        interaction: None,
        role: Role::UnderTest,
        request: RecordedRequest {
            method: "POST".into(),
            url: "https://p.example/gpconnect/Appointment?x=</pre><script>alert(1)</script>".into(),
            headers: vec![
                (
                    "Ssp-TraceID".into(),
                    "t'</pre><script>alert(2)</script>".into(),
                ),
                ("Content-Type".into(), "application/fhir+json".into()),
            ],
            body,
            body_info: None,
            jwt_claims: None,
        },
        response: None,
        error: Some("could not connect".into()),
        elapsed_ms: 1.0,
        findings: vec![],
    };
    let mut meta = RunMeta {
        argv: vec![
            "/opt/gpc-assure".into(),
            "run".into(),
            "--tags".into(),
            "<script>alert(3)</script>".into(),
        ],
        config_toml: "[target]\nfoundations_url = \"</pre><script>alert(4)</script>\"\n".into(),
        ..RunMeta::default()
    };
    meta.tls.insecure = true;
    meta.tls.client_certificate = true;
    RunReport {
        tool: "gpc-assure".into(),
        tool_version: "0.1.0".into(),
        started_at: "2025-01-01T10:00:00Z".into(),
        finished_at: "2025-01-01T10:00:01Z".into(),
        duration_ms: 1000.0,
        target: gpc_assure::runner::target_summary(&Config::default(), false),
        tag_filter: None,
        meta,
        concurrency: 1,
        features: vec![FeatureResult {
            description: None,
            name: "f".into(),
            path: "f.feature".into(),
            tags: vec![],
            scenarios: vec![ScenarioResult {
                name: "s".into(),
                line: 3,
                tags: vec![],
                requirements: vec![],
                status: Status::Error,
                steps: vec![],
                failure: None,
                evidence: vec![
                    request(Some("{\"a\": \"</pre><script>alert(5)</script>'\"}".into())),
                    request(Some(format!("{{\"long\": \"{}\"}}", "x".repeat(70_000)))),
                ],
                culprit: None,
                duration_ms: 1.0,
            }],
        }],
        run_errors: vec![],
        stopped: None,
        not_evaluated: Vec::new(),
        connections_opened: None,
    }
}

#[test]
fn the_html_repeats_each_exchange_with_curl_and_escapes_what_it_shows() {
    let report = hostile_report();
    let html = gpc_assure::report::html::render(&report).unwrap();
    assert_eq!(html.matches("<details class=\"curl\">").count(), 2);
    assert!(
        !html.contains("<script>alert("),
        "provider text must be escaped"
    );
    assert!(html.contains("-H &#39;Ssp-TraceID: t&#39;\\&#39;&#39;&lt;/pre&gt;&lt;script&gt;"));
    assert!(html.contains("--cert CLIENT.pem --key CLIENT.key") && html.contains("\n  -k"));
    // The long body is not put in the command cut: it is read from a file, and the command says so.
    assert!(html.contains("--data-binary @BODY.txt"));
    assert!(html.contains("# the request body (70012 bytes) is not shown whole here"));
    // The run's command line, shell-quoted, and its configuration, both escaped.
    assert!(html.contains(
        "<pre class=\"cmd\">gpc-assure run --tags &#39;&lt;script&gt;alert(3)&lt;/script&gt;&#39;</pre>"
    ));
    assert!(html.contains("foundations_url = &quot;&lt;/pre&gt;&lt;script&gt;alert(4)"));
    // results.json carries the metadata but no curl commands.
    let json = gpc_assure::report::json::render(&report).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["meta"]["tls"]["client_certificate"], true);
    assert_eq!(doc["meta"]["argv"][3], "<script>alert(3)</script>");
    assert!(!json.contains("--data-binary"));
}
