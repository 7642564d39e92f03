//! A run is never lost: Ctrl-C stops it cleanly (teardown, reports marked interrupted), a time limit
//! bounds it against a provider that stalls, an unwritable report directory stops it before the first
//! request, and runs sharing one `--out` never mix their files.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gpc_assure::config::Config;
use gpc_assure::gpconnect::appointments as apt;
use gpc_assure::gpconnect::{systems, Interaction};
use gpc_assure::http::{Client, RequestSpec};
use gpc_assure::provider::{self, ProviderSettings};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpc-assure"));
    c.env_remove("RUST_BACKTRACE");
    c
}

fn features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features")
}

fn output(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn results(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("results.json"))
        .unwrap_or_else(|e| panic!("results.json in {}: {e}", dir.display()));
    serde_json::from_str(&text).expect("results.json is JSON")
}

fn scenarios(json: &serde_json::Value) -> Vec<serde_json::Value> {
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["scenarios"].as_array().unwrap().clone())
        .collect()
}

/// Wait for a child with a generous bound (a hang fails the test instead of blocking it).
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> i32 {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the run did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ------------------------------------------------------------------------------------------------
// The report directory
// ------------------------------------------------------------------------------------------------

#[test]
fn an_unwritable_out_exits_2_before_any_request() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let target = format!(
        "http://{}/B82617/STU3/1/gpconnect",
        listener.local_addr().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    // Below a regular file (no directory can be made there, whoever runs the test), and a file itself.
    for out in [file.join("reports"), file.clone()] {
        let (code, stdout, err) = output(bin().args([
            "run",
            "--target",
            &target,
            "--features",
            features().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]));
        assert_eq!(code, 2, "{stdout}\n{err}");
        assert!(
            err.contains("cannot use the report directory") && err.contains(out.to_str().unwrap()),
            "the message names the directory: {err}"
        );
        assert!(err.contains("--out"), "and says what to do: {err}");
        assert!(!err.contains("panicked"), "{err}");
        match listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("the target saw a connection: {other:?}"),
        }
    }
}

#[test]
fn concurrent_claims_of_one_out_each_get_their_own_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports").join("latest");
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let out = out.clone();
            std::thread::spawn(move || gpc_assure::cli::run::claim_out_dir(&out).unwrap())
        })
        .collect();
    let claimed: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut paths: Vec<PathBuf> = claimed.iter().map(|c| c.path.clone()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 8, "two claims won one directory: {paths:?}");
    assert!(paths.contains(&out), "{paths:?}");
    for p in &paths {
        assert!(p.join(gpc_assure::cli::run::CLAIM_FILE).is_file());
    }
    // A directory holding a report is never claimed again; closing an unused claim removes it.
    std::fs::write(out.join("index.html"), "earlier run").unwrap();
    for c in claimed {
        c.close();
    }
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "earlier run"
    );
    let remaining = std::fs::read_dir(out.parent().unwrap()).unwrap().count();
    assert_eq!(remaining, 1, "empty claimed directories are removed");
    let again = gpc_assure::cli::run::claim_out_dir(&out).unwrap();
    assert_ne!(again.path, out);
    again.close();
}

#[test]
fn claims_racing_for_a_new_directory_leave_nothing_behind_when_closed() {
    // Many rounds of runs claiming a directory none of them finds there: whichever creates it,
    // every claim is closed unused and nothing may remain.
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("latest");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (out, barrier) = (out.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    gpc_assure::cli::run::claim_out_dir(&out).unwrap()
                })
            })
            .collect();
        let claimed: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mut paths: Vec<PathBuf> = claimed.iter().map(|c| c.path.clone()).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(
            paths.len(),
            6,
            "round {round}: two claims won one directory"
        );
        for c in claimed {
            c.close();
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "round {round}: left behind {left:?}");
    }
}

#[test]
fn two_runs_started_together_on_one_out_write_two_complete_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("latest");
    let start = || {
        bin()
            .args([
                "run",
                "--features",
                features().to_str().unwrap(),
                "--tags",
                "@metadata",
                "--out",
                out.to_str().unwrap(),
                "-q",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts")
    };
    let mut a = start();
    let mut b = start();
    assert_eq!(wait_bounded(&mut a, Duration::from_secs(300)), 0);
    assert_eq!(wait_bounded(&mut b, Duration::from_secs(300)), 0);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    for d in &dirs {
        let names = common::file_names(d);
        assert_eq!(
            names,
            [
                "cucumber.json",
                "evidence.jsonl.gz",
                "index.html",
                "junit.xml",
                "requirements.csv",
                "results.json",
                "scenarios.csv",
                "summary.md"
            ],
            "{} holds exactly one run's reports, no claim or temporary file",
            d.display()
        );
        let json = results(d);
        assert_eq!(json["verdict"], "passed");
        assert!(json["totals"]["passed"].as_u64().unwrap() > 0);
        assert!(json["stopped"].is_null());
    }
    assert_ne!(
        results(&dirs[0])["started_at"],
        results(&dirs[1])["started_at"]
    );
}

// ------------------------------------------------------------------------------------------------
// The deadline
// ------------------------------------------------------------------------------------------------

/// A provider that answers the first request (the check of its service root) with a
/// CapabilityStatement, then accepts every later request and never answers. Also returns how many
/// connections it has accepted.
fn stalling_provider() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    std::thread::spawn(move || {
        let mut first = true;
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let answer = std::mem::take(&mut first);
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                let _ = s.read(&mut buf);
                if answer {
                    let body = r#"{"resourceType":"CapabilityStatement"}"#;
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                } else {
                    std::thread::sleep(Duration::from_secs(600));
                }
            });
        }
    });
    (
        format!("http://{addr}/B82617/STU3/1/gpconnect"),
        connections,
    )
}

/// A feature file of `n` scenarios, each sending one metadata request.
fn metadata_feature(dir: &Path, n: u32) -> PathBuf {
    let feature = dir.join("stall.feature");
    let mut text = String::from("Feature: stalls\n");
    for i in 1..=n {
        text.push_str(&format!("  Scenario: metadata {i}\n    Given a \"metadata\" request\n    When the request is sent\n    Then the response status is 200\n"));
    }
    std::fs::write(&feature, text).unwrap();
    feature
}

#[test]
fn a_stalling_provider_is_bounded_by_max_duration() {
    let (target, _) = stalling_provider();
    let dir = tempfile::tempdir().unwrap();
    let feature = metadata_feature(dir.path(), 3);
    let out = dir.path().join("r");
    let started = Instant::now();
    let (code, stdout, err) = output(bin().args([
        "run",
        "--target",
        &target,
        "--features",
        feature.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--concurrency",
        "1",
        "--max-duration",
        "2s",
        "-q",
    ]));
    let took = started.elapsed();
    assert_eq!(code, 3, "incomplete, not passed:\n{stdout}\n{err}");
    assert!(
        took < Duration::from_secs(60),
        "the 30 s request timeout per request must not apply after the deadline: took {took:?}"
    );
    assert!(stdout.contains("STOPPED (deadline)"), "{stdout}");
    let json = results(&out);
    assert_eq!(json["verdict"], "incomplete");
    assert_eq!(json["stopped"]["reason"], "deadline");
    assert!(
        json["stopped"]["message"]
            .as_str()
            .unwrap()
            .contains("time limit of 2s"),
        "{}",
        json["stopped"]
    );
    let all = scenarios(&json);
    assert_eq!(all.len(), 3);
    for s in &all {
        assert_eq!(s["status"], "error", "{s}");
    }
    // One at a time: the first was waiting when the time ran out, the others never started.
    assert_eq!(all[0]["failure"]["message"], "stopped: deadline");
    let abandoned = all[0]["evidence"][0]["error"].as_str().unwrap_or_default();
    assert!(abandoned.contains("abandoned"), "{}", all[0]["evidence"]);
    for s in &all[1..] {
        assert_eq!(s["failure"]["message"], "not run: deadline", "{s}");
        assert_eq!(s["evidence"].as_array().unwrap().len(), 0, "nothing sent");
    }
    assert_eq!(json["stopped"]["not_run"], 2);
    assert_eq!(json["stopped"]["cut"], 1);
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("run stopped: deadline"), "{junit}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Run stopped at its deadline."));
}

#[test]
fn max_duration_must_be_a_duration() {
    let (code, _, err) = output(bin().args(["run", "--max-duration", "soon"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("soon") && err.contains("30m"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// Ctrl-C
// ------------------------------------------------------------------------------------------------

fn interrupt(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[test]
fn a_second_ctrl_c_exits_at_once_with_130() {
    let (target, connections) = stalling_provider();
    let dir = tempfile::tempdir().unwrap();
    let feature = metadata_feature(dir.path(), 2);
    let mut child = bin()
        .args([
            "run",
            "--target",
            &target,
            "--features",
            feature.to_str().unwrap(),
            "--out",
            dir.path().join("r").to_str().unwrap(),
            "--concurrency",
            "1",
            "-q",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Wait for the scenario's request (the second connection), which the provider never answers.
    let started = Instant::now();
    while connections.load(Ordering::SeqCst) < 2 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        assert!(started.elapsed() < Duration::from_secs(120), "no request");
        std::thread::sleep(Duration::from_millis(10));
    }
    interrupt(&child);
    // The first Ctrl-C lets the request under way finish (it never will): the run goes on a while.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "one Ctrl-C stops cleanly, not at once"
    );
    interrupt(&child);
    let code = wait_bounded(&mut child, Duration::from_secs(30));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, 130, "{err}");
    assert!(
        err.contains("Interrupted:") && err.contains("Interrupted again"),
        "{err}"
    );
}

/// Bookings the provider accepted (POST .../Appointment answered 201).
static BOOKINGS: AtomicUsize = AtomicUsize::new(0);

async fn count_bookings(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let booking = request.method() == axum::http::Method::POST
        && request.uri().path().ends_with("/Appointment");
    let response = next.run(request).await;
    if booking && response.status() == axum::http::StatusCode::CREATED {
        BOOKINGS.fetch_add(1, Ordering::SeqCst);
    }
    response
}

/// Ids of the free slots of the next fortnight.
async fn free_slots(config: &Config) -> Vec<String> {
    let client = Client::new(config).expect("client");
    let today = apt::time::today();
    let mut spec = RequestSpec::new(config, Interaction::SearchFreeSlots, None);
    spec.add_query("status", "free");
    spec.add_query("start", &format!("ge{}", today.format("%Y-%m-%d")));
    spec.add_query(
        "end",
        &format!(
            "le{}",
            (today + chrono::Duration::days(14)).format("%Y-%m-%d")
        ),
    );
    spec.add_query("_include", apt::INCLUDE_SCHEDULE);
    spec.add_query(
        "searchFilter",
        &format!(
            "{}|{}",
            systems::ODS_ORGANIZATION_CODE,
            config.consumer.organization_ods_code
        ),
    );
    let ex = client.send(&spec).await;
    let body: serde_json::Value =
        serde_json::from_str(&ex.response.expect("a response").body).expect("JSON");
    let mut ids: Vec<String> = body["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == "Slot")
        .filter_map(|e| e["resource"]["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_cancels_what_was_booked_and_writes_an_interrupted_report() {
    // The reference provider, with a counter of the bookings it accepts.
    let settings = ProviderSettings::default();
    let root_path = settings.foundations_path();
    let state = Arc::new(provider::state::ProviderState::new(settings));
    let app = provider::router(state).layer(axum::middleware::from_fn(count_bookings));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let root = format!("http://{}{root_path}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = Config::default();
    config.target.foundations_url = root.clone();
    let before = free_slots(&config).await;
    assert!(!before.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let mut child = bin()
        .args([
            "run",
            "--target",
            &root,
            "--features",
            features().join("appointments").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--concurrency",
            "4",
            "-q",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");

    // Interrupt once the run has booked something (it is then mid-run: hundreds of scenarios remain).
    let started = Instant::now();
    while BOOKINGS.load(Ordering::SeqCst) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before booking anything"
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no booking within 5 minutes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    interrupt(&child);
    let code = tokio::task::spawn_blocking(move || {
        let code = wait_bounded(&mut child, Duration::from_secs(120));
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        (code, stdout, err)
    })
    .await
    .unwrap();
    let (code, stdout, err) = code;
    assert_eq!(code, 3, "incomplete, not passed:\n{stdout}\n{err}");
    assert_eq!(
        err.matches("Interrupted:").count(),
        1,
        "one line says what happens: {err}"
    );
    assert!(stdout.contains("STOPPED (interrupted)"), "{stdout}");

    let json = results(&out);
    assert_eq!(json["verdict"], "incomplete");
    assert_eq!(json["stopped"]["reason"], "interrupted");
    assert!(json["stopped"]["not_run"].as_u64().unwrap() > 0, "mid-run");
    let all = scenarios(&json);
    assert!(all
        .iter()
        .any(|s| s["failure"]["message"] == "not run: interrupted"));
    assert!(
        all.iter().all(|s| s["status"] != "failed"),
        "an interrupted scenario is never a provider failure"
    );
    let teardown = all
        .iter()
        .flat_map(|s| s["evidence"].as_array().unwrap().clone())
        .filter(|e| e["role"] == "teardown")
        .count();
    assert!(teardown > 0, "the bookings were torn down");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Run interrupted."));
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("run stopped: interrupted"));

    let booked = BOOKINGS.load(Ordering::SeqCst);
    assert!(booked > 0);
    let after = free_slots(&config).await;
    let still_booked: Vec<&String> = before.iter().filter(|s| !after.contains(s)).collect();
    assert!(
        still_booked.is_empty() && after.len() == before.len(),
        "{booked} bookings were made; slots still booked after the run: {still_booked:?}"
    );
}
