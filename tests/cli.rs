//! The command line: exit statuses, messages for bad input, reports written even when a target is broken.

mod common;

use common::{bin, features, run};

use std::io::{Read, Write};
use std::net::TcpListener;

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[test]
fn help_explains_the_commands() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in ["run", "serve"] {
        assert!(out.contains(word), "{out}");
    }
    let (code, out, _) = run(&["run", "--help"]);
    assert_eq!(code, 0);
    for flag in ["--config", "--target", "--tags", "--out", "--concurrency"] {
        assert!(out.contains(flag), "{out}");
    }
}

#[test]
fn every_subcommand_has_help() {
    let mut subs = vec!["run", "serve", "validate", "prove", "diff"];
    if cfg!(feature = "generator") {
        subs.push("schemas");
    }
    for sub in subs {
        let (code, out, err) = run(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub}: {err}");
        assert!(out.contains("Usage"), "{sub}: {out}");
    }
}

/// The schema generator is a maintainer's tool: the shipped binary does not carry it.
#[cfg(not(feature = "generator"))]
#[test]
fn the_shipped_binary_has_no_schema_generator() {
    let (code, _, err) = run(&["schemas", "--help"]);
    assert_ne!(code, 0);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

#[test]
fn validate_reports_errors_with_their_location() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &good,
        r#"{"resourceType":"Patient","id":"1","gender":"female"}"#,
    )
    .unwrap();
    std::fs::write(
        &bad,
        r#"<Patient xmlns="http://hl7.org/fhir"><id value="1"/><gender value="boy"/></Patient>"#,
    )
    .unwrap();
    let (code, out, err) = run(&["validate", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&["validate", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("Patient.gender"), "{out}");
    assert_no_panic(&err);
    let (code, _, err) = run(&["validate", "/nonexistent.json"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent.json"), "{err}");
    assert_no_panic(&err);
}

#[test]
fn closed_port_exits_2_and_still_writes_a_report() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let target = format!("http://127.0.0.1:{port}/B82617/STU3/1/gpconnect");
    let (code, _, err) = run(&[
        "run",
        "--target",
        &target,
        "--features",
        &features(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("did not return a CapabilityStatement") && err.contains("foundations_url"),
        "{err}"
    );
    assert_no_panic(&err);
    let json = std::fs::read_to_string(out.join("results.json")).expect("results.json written");
    assert!(
        json.contains("did not return a CapabilityStatement"),
        "{json}"
    );
    assert!(out.join("index.html").exists() && out.join("junit.xml").exists());
}

/// A server that answers every request with the same non-FHIR text.
fn garbage_server(body: &'static str) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                let _ = s.read(&mut buf);
                let resp = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = s.write_all(resp.as_bytes());
            });
        }
    });
    port
}

#[test]
fn non_fhir_server_stops_the_run_before_any_scenario() {
    let port = garbage_server("<html><body>It works!</body></html>");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let target = format!("http://127.0.0.1:{port}/B82617/STU3/1/gpconnect");
    let (code, stdout, err) = run(&[
        "run",
        "--target",
        &target,
        "--features",
        &features(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--tags",
        "@foundations",
    ]);
    assert_eq!(code, 2, "{stdout}\n{err}");
    assert_no_panic(&err);
    assert!(
        err.contains(&format!("{target}/metadata")) && err.contains("service root"),
        "the message names the URL asked and what a service root is: {err}"
    );
    let json = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(
        json.contains("\"passed\": false"),
        "results.json must record that nothing was assured"
    );
}

/// The embedded reference provider, started on a thread of its own for a test of the binary.
fn reference_provider() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let running = gpc_assure::provider::start(
                gpc_assure::provider::ProviderSettings::default(),
                ([127, 0, 0, 1], 0).into(),
            )
            .await
            .unwrap();
            tx.send(running.foundations_url.clone()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

#[test]
fn a_service_root_without_its_path_exits_2_at_once() {
    let root = reference_provider();
    let bare = root.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = run(&[
        "run",
        "--target",
        &bare,
        "--features",
        &features(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 2, "{err}");
    // The first service root checked is named (every root lies under the bare one).
    assert!(err.contains(&format!("GET {bare}/")), "{err}");
    assert!(err.contains("/metadata did not return"), "{err}");
    assert!(err.contains("HTTP 404"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "a wrong root must stop the run before any scenario"
    );
}

#[test]
fn unmapped_test_data_is_inconclusive_not_failed() {
    let root = reference_provider();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    // patient2 is left out of the test data: its scenarios cannot be tried.
    let (code, stdout, err) = bin()
        .args([
            "run",
            "--target",
            &root,
            "--features",
            &features(),
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--tags",
            "@patient and @foundations",
        ])
        .env("GPC_ASSURE_DATA_PATIENTS_patient2", "")
        .output()
        .map(|o| {
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_no_panic(&err);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let totals = &json["totals"];
    assert_eq!(totals["failed"], 0, "{stdout}");
    assert!(totals["inconclusive"].as_u64().unwrap() > 0, "{stdout}");
    assert!(totals["passed"].as_u64().unwrap() > 0, "{stdout}");
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert_eq!(json["verdict"], "incomplete");
}

#[test]
fn bad_configuration_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("t.toml");
    std::fs::write(
        &cfg,
        "[target]\nfoundations_url = \"https://p/x\"\nprovider_asidd = \"1\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--features",
        &features(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("provider_asidd"), "{err}");
    assert_no_panic(&err);

    std::fs::write(&cfg, "[target]\nfoundations_url = \"not a url\"\n").unwrap();
    let (code, _, err) = run(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--features",
        &features(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("target.foundations_url"), "{err}");

    let (code, _, err) = run(&["run", "--config", "/nonexistent.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent.toml"), "{err}");
}

#[test]
fn bad_tags_and_missing_features_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let (code, _, err) = run(&[
        "run",
        "--tags",
        "@a and and",
        "--features",
        &features(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("tag expression"), "{err}");
    let (code, _, err) = run(&[
        "run",
        "--features",
        "/nonexistent/features",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/nonexistent/features"), "{err}");
    let bad = dir.path().join("bad.feature");
    std::fs::write(&bad, "this is not gherkin\n").unwrap();
    let (code, _, err) = run(&[
        "run",
        "--features",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.feature"), "{err}");
    assert_no_panic(&err);
}

#[test]
fn a_scenario_without_steps_never_passes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.feature");
    std::fs::write(&empty, "Feature: x\n  Scenario: checks nothing\n").unwrap();
    let out = dir.path().join("r");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        empty.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    // It checks nothing: an error of the features, not a pass (and not the provider's failure).
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert!(stdout.contains("empty.feature"), "{stdout}");
    assert!(stdout.contains("1 error"), "{stdout}");
}

#[test]
fn a_mistyped_step_is_an_error_of_the_run_not_a_provider_failure() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.feature");
    std::fs::write(
        &typo,
        "Feature: x\n  Scenario: a typo\n    Given a \"read patients\" request for \"patient2\"\n    When the request is sent\n    Then the response status is 200\n",
    )
    .unwrap();
    let out = dir.path().join("r");
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        typo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 3, "{stdout}\n{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let s = &json["features"][0]["scenarios"][0];
    assert_eq!(s["status"], "error");
    assert!(
        s["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("no step definition matches"),
        "{s}"
    );
}

#[test]
fn earlier_reports_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("latest");
    let args = |o: &str| {
        vec![
            "run".to_string(),
            "--features".into(),
            features(),
            "--tags".into(),
            "@metadata".into(),
            "--out".into(),
            o.to_string(),
            "-q".into(),
        ]
    };
    let o = out.to_str().unwrap().to_string();
    let a: Vec<String> = args(&o);
    let (code, stdout, err) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{stdout}\n{err}");
    let (code, _, err) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("already holds a report"), "{err}");
    let dirs = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(dirs, 2, "the second run must write beside the first");
}

/// A feature whose names and step text carry terminal control sequences: a scenario that erases its own
/// line and prints a fake PASS, and a window-title sequence.
const HOSTILE_FEATURE: &str = "Feature: hostile \u{1b}]0;owned\u{7}\n  Scenario: fake \u{1b}[2K\rPASS\n    Given a step no definition matches \u{1b}[2K\rPASS everything\n";

fn assert_inert(what: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "a control character reached the terminal on {what}: {text:?}"
    );
}

#[test]
fn provider_and_feature_text_reaches_the_terminal_inert() {
    let dir = tempfile::tempdir().unwrap();
    let feature = dir.path().join("hostile.feature");
    std::fs::write(&feature, HOSTILE_FEATURE).unwrap();
    let out = dir.path().join("r");
    // Progress on (no -q): the failing scenario is announced as it ends.
    let (code, stdout, err) = run(&[
        "run",
        "--features",
        feature.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{stdout}\n{err}");
    assert_no_panic(&err);
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &err);
    assert!(err.contains("fake \\x1b[2K\\rPASS"), "{err}");
}

#[test]
fn a_closed_stdout_ends_the_printing_not_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let feature = dir.path().join("hostile.feature");
    std::fs::write(&feature, HOSTILE_FEATURE).unwrap();
    // As `gpc-assure run ... | head -0`: the reader is gone before anything is printed.
    let mut child = bin()
        .args([
            "run",
            "--features",
            feature.to_str().unwrap(),
            "--out",
            dir.path().join("r").to_str().unwrap(),
            "-q",
        ])
        .env_remove("RUST_BACKTRACE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&err);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the exit status is the run's verdict: {err}"
    );
    assert!(dir.path().join("r/results.json").exists());
}

#[test]
fn misspelt_variables_and_mistyped_values_stop_the_run_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let output = bin()
        .args([
            "run",
            "--features",
            &features(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("GPC_ASSURE_TSL_VERIFY", "false")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "GPC_ASSURE_TSL_VERIFY: is not a setting; did you mean GPC_ASSURE_TLS_VERIFY?"
        ),
        "{err}"
    );
    let output = bin()
        .args([
            "run",
            "--features",
            &features(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("GPC_ASSURE_HTTP_CONCURRENCY", "four")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("GPC_ASSURE_HTTP_CONCURRENCY=four: expected a whole number"),
        "{err}"
    );

    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[target]\nfoundations_url = \"https://p.example/gpconnect\"\n[http]\nconcurrency = \"four\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["run", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "{}: http.concurrency: expected an integer of 0 or more, found a string \"four\" (line 4)",
            cfg.display()
        )),
        "{err}"
    );
    assert_no_panic(&err);
}

#[test]
fn tls_mistakes_name_the_setting_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[target]\nfoundations_url = \"https://p.example/gpconnect\"\n[tls]\nca_file = {:?}\n",
            dir.path().display().to_string()
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["run", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tls.ca_file: ") && err.contains("is a directory"),
        "{err}"
    );
    assert!(!err.contains("builder error"), "{err}");

    let fixtures = format!("{}/tests/fixtures/tls", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        &cfg,
        format!(
            "[target]\nfoundations_url = \"https://p.example/gpconnect\"\n[tls]\nclient_cert = \"{fixtures}/client.pem\"\nclient_key = \"{fixtures}/other-key.pem\"\n"
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["run", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tls.client_key: the private key in")
            && err.contains("does not belong to the certificate"),
        "{err}"
    );
}

#[test]
fn a_malformed_feature_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.feature");
    std::fs::write(
        &bad,
        "Feature: x\n  Scenario: a\n    Given a thing\n    Thn another\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "run",
        "--features",
        bad.to_str().unwrap(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.feature:4: \"Thn another\" is not Gherkin here; did you mean Then?"),
        "{err}"
    );
}

#[test]
fn a_service_root_with_credentials_is_refused_without_printing_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, err) = run(&[
        "run",
        "--target",
        "http://gateway:pa55word@127.0.0.1:9/B82617/STU3/1/gpconnect",
        "--features",
        &features(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 2, "{stdout}\n{err}");
    assert_no_panic(&err);
    assert!(
        err.contains("target.foundations_url: \"http://***:***@127.0.0.1:9/B82617/STU3/1/gpconnect\" carries credentials"),
        "{err}"
    );
    for text in [&stdout, &err] {
        assert!(
            !text.contains("pa55word") && !text.contains("gateway"),
            "{text}"
        );
    }
}
