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

// ---- Access Record HTML: FHIR DSTU2 (`--version dstu2`)

const DSTU2_PATIENT: &str = r#"{"resourceType":"Patient","id":"1","meta":{"profile":["http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1"]},"identifier":[{"system":"http://fhir.nhs.net/Id/nhs-number","value":"9476719931"}],"name":[{"use":"usual","family":["Jackson"],"given":["Jane"]}],"gender":"female","birthDate":"1952-05-31","careProvider":[{"reference":"Practitioner/1"}]}"#;

/// The same Patient with its GP named by the STU3 element (`generalPractitioner`, DSTU2's `careProvider`).
const DSTU2_PATIENT_STU3_ELEMENT: &str = r#"{"resourceType":"Patient","id":"1","meta":{"profile":["http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1"]},"identifier":[{"system":"http://fhir.nhs.net/Id/nhs-number","value":"9476719931"}],"gender":"female","generalPractitioner":[{"reference":"Practitioner/1"}]}"#;

const DSTU2_PATIENT_XML: &str = r#"<Patient xmlns="http://hl7.org/fhir"><id value="1"/><meta><profile value="http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1"/></meta><identifier><system value="http://fhir.nhs.net/Id/nhs-number"/><value value="9476719931"/></identifier><name><use value="usual"/><family value="Jackson"/><given value="Jane"/></name><gender value="female"/><birthDate value="1952-05-31"/><careProvider><reference value="Practitioner/1"/></careProvider></Patient>"#;

/// In XML: no NHS number (the profile's NHSNumber slice is 1..1) and a gender outside the value set.
const DSTU2_PATIENT_XML_BROKEN: &str = r#"<Patient xmlns="http://hl7.org/fhir"><id value="1"/><meta><profile value="http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1"/></meta><gender value="F"/></Patient>"#;

fn validate_dstu2(name: &str, body: &str, format: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, body).unwrap();
    let out = bin()
        .args(["validate", "--version", "dstu2", "--format", format])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn dstu2_payloads_are_validated_against_the_dstu2_profiles_in_json_and_xml() {
    for (name, body) in [
        ("patient.json", DSTU2_PATIENT),
        ("patient.xml", DSTU2_PATIENT_XML),
    ] {
        let (code, stdout) = validate_dstu2(name, body, "text");
        assert_eq!(code, Some(0), "{name}: {stdout}");
        assert!(stdout.contains(": 0 error(s)"), "{name}: {stdout}");
    }
    // careProvider is DSTU2: the same body judged as STU3 has an element STU3 does not know
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("patient.json");
    std::fs::write(&file, DSTU2_PATIENT).unwrap();
    let out = bin().arg("validate").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("careProvider"));
}

#[test]
fn broken_dstu2_payloads_are_errors_at_their_location_in_json_and_xml() {
    let (code, stdout) = validate_dstu2("patient.json", DSTU2_PATIENT_STU3_ELEMENT, "json");
    assert_eq!(code, Some(1), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    let issues = report[0]["issues"].as_array().expect("issues");
    assert!(
        issues.iter().any(|i| i["severity"] == "error"
            && i["location"] == "Patient.generalPractitioner"
            && i["message"].as_str().unwrap().contains("FHIR DSTU2")),
        "{report:#}"
    );
    let (code, stdout) = validate_dstu2("patient.xml", DSTU2_PATIENT_XML_BROKEN, "json");
    assert_eq!(code, Some(1), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    let issues = report[0]["issues"].as_array().expect("issues");
    let at = |loc: &str| {
        issues
            .iter()
            .any(|i| i["severity"] == "error" && i["location"] == loc)
    };
    assert!(at("Patient.gender"), "{report:#}");
    assert!(
        issues
            .iter()
            .any(|i| i["severity"] == "error"
                && i["message"].as_str().unwrap().contains("identifier")),
        "{report:#}"
    );
}

#[test]
fn an_unknown_version_is_refused_with_the_accepted_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("patient.json");
    std::fs::write(&file, DSTU2_PATIENT).unwrap();
    let out = bin()
        .args(["validate", "--version", "stu2"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_panic(&stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unknown profile set 'stu2'") && stderr.contains("1.2, latest or dstu2"),
        "{stderr}"
    );
    let help = bin().args(["validate", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("dstu2") && help.contains("DSTU2"), "{help}");
}
