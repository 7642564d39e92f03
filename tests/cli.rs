//! The command line: exit statuses, messages for bad input, reports written even when a target is broken.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gpc-assure"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn features() -> String {
    format!("{}/features", env!("CARGO_MANIFEST_DIR"))
}

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
    let mut subs = vec!["run", "serve", "validate", "prove"];
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
        err.contains("did not answer") && err.contains("foundations_url"),
        "{err}"
    );
    assert_no_panic(&err);
    let json = std::fs::read_to_string(out.join("results.json")).expect("results.json written");
    assert!(json.contains("did not answer"), "{json}");
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
fn non_fhir_server_fails_scenarios_with_a_report() {
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
    assert_eq!(code, 1, "{stdout}\n{err}");
    assert_no_panic(&err);
    assert!(stdout.contains("FAILED"), "{stdout}");
    let json = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(
        json.contains("\"passed\": false"),
        "results.json must record the failure"
    );
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
fn a_scenario_without_steps_fails() {
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
    assert_eq!(code, 1, "{stdout}\n{err}");
    assert!(stdout.contains("empty.feature"), "{stdout}");
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
