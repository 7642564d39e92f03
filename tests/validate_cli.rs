//! `gpc-assure validate` at its edges: unreadable inputs, oversized inputs, a closed stdout.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpc-assure"));
    c.env_remove("RUST_BACKTRACE");
    c
}

fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

const PATIENT: &str = r#"{"resourceType":"Patient","id":"1","gender":"boy"}"#;

#[test]
fn json_output_lists_unreadable_inputs_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("patient.json");
    std::fs::write(&good, PATIENT).unwrap();
    let missing = dir.path().join("missing.json");
    let out = bin()
        .args(["validate", "--format", "json"])
        .arg(&good)
        .arg(&missing)
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let entries = report.as_array().expect("an array");
    assert_eq!(entries.len(), 3, "{report:#}");
    assert_eq!(entries[0]["file"], good.display().to_string());
    assert!(entries[0].get("error").is_none());
    assert!(entries[0]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["location"] == "Patient.gender"));
    assert_eq!(entries[1]["file"], missing.display().to_string());
    let e = entries[1]["error"]
        .as_str()
        .expect("an error for the missing file");
    assert!(
        e.contains("cannot be read") && e.contains("check the path"),
        "{e}"
    );
    assert_eq!(entries[1]["issues"], serde_json::json!([]));
    let e = entries[2]["error"]
        .as_str()
        .expect("an error for the directory");
    assert!(e.contains("is a directory"), "{e}");
}

#[test]
fn json_output_lists_a_file_without_read_permission() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked.json");
    std::fs::write(&locked, PATIENT).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    if std::fs::read(&locked).is_ok() {
        // the superuser (or a system without permissions) reads it anyway: nothing to test
        return;
    }
    let out = bin()
        .args(["validate", "--format", "json"])
        .arg(&locked)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let e = report[0]["error"].as_str().expect("an error");
    assert!(e.contains("check its permissions"), "{e}");
}

#[test]
fn text_output_reports_unreadable_inputs_on_stderr_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("patient.json");
    std::fs::write(&good, PATIENT).unwrap();
    let out = bin()
        .args(["validate", "/nonexistent/input.json"])
        .arg(&good)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("/nonexistent/input.json: cannot be read"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Patient.gender"),
        "the next input is validated: {stdout}"
    );
}

#[test]
fn a_file_over_the_cap_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    // sparse: no 65 MiB written to disk
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let out = bin()
        .args(["validate", "--format", "json"])
        .arg(&big)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let e = report[0]["error"].as_str().expect("an error");
    assert!(
        e.starts_with("is 65 MiB; validate reads at most 64 MiB per input"),
        "{e}"
    );
}

#[test]
fn stdin_over_the_cap_is_refused_clearly() {
    let mut child = bin()
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..66 {
            // the command stops reading at the cap and closes the pipe: that ends the writing
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("-: is more than 64 MiB; validate reads at most 64 MiB per input"),
        "{stderr}"
    );
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("patient.json");
    std::fs::write(&bad, PATIENT).unwrap();
    let mut child = bin()
        .arg("validate")
        .args(std::iter::repeat_n(&bad, 500))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // like `| head -1`: read one line, then close the pipe while the command is still writing
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "quiet: {stderr}");
}
