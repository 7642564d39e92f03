//! The validator's corpus (`tests/fixtures/validator/`): broken sub-extensions, unknown
//! extensions and profiles, and invariant violations, each listed in `cases.json` with the
//! findings (severity, location, part of the message) it must produce; the valid payloads there
//! must produce no error. Every case is validated as JSON and again as FHIR XML.

use gpc_assure::fhir::{self, xml, Issue, ProfileSet, Severity};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Case {
    file: String,
    note: String,
    expect: Vec<Expected>,
    /// The fault exists in JSON only (a narrative that is not well-formed would make a whole XML
    /// document ill-formed; XML has no single value or array, no resource outside an element):
    /// validated as JSON only.
    #[serde(default)]
    json_only: bool,
}

#[derive(Deserialize)]
struct Expected {
    severity: Severity,
    location: String,
    message: String,
}

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validator")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read(dir().join("cases.json")).expect("cases.json");
    serde_json::from_slice(&text).expect("cases.json parses")
}

fn payload(file: &str) -> Value {
    let text = std::fs::read(dir().join(file)).expect("fixture");
    serde_json::from_slice(&text).expect("fixture parses")
}

fn validate(v: &Value) -> Vec<Issue> {
    validate_in(v, ProfileSet::Latest)
}

fn validate_in(v: &Value, set: ProfileSet) -> Vec<Issue> {
    fhir::validator()
        .expect("embedded schemas load")
        .validate(v, None, set)
}

fn check(case: &Case, issues: &[Issue], form: &str) {
    let errors: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    if case.expect.is_empty() {
        assert!(
            errors.is_empty(),
            "{} ({form}, {}): expected no error, got {errors:#?}",
            case.file,
            case.note
        );
    }
    for e in &case.expect {
        assert!(
            issues.iter().any(|i| i.severity == e.severity
                && i.location == e.location
                && i.message.contains(&e.message)),
            "{} ({form}, {}): expected {} at {} containing {:?}, got {issues:#?}",
            case.file,
            case.note,
            e.severity,
            e.location,
            e.message
        );
    }
    // a case about a warning is not also an error
    if case.expect.iter().all(|e| e.severity == Severity::Warning) {
        assert!(errors.is_empty(), "{}: {errors:#?}", case.file);
    }
}

#[test]
fn every_case_produces_its_findings_at_its_location() {
    let cases = cases();
    assert!(cases.len() >= 20, "the corpus lost cases");
    for case in &cases {
        let v = payload(&case.file);
        let back =
            (!case.json_only).then(|| xml::from_xml(&xml::to_xml(&v)).expect("XML round trip"));
        // the definitions of GP Connect 1.2 and of the latest release agree on all of these
        for set in [ProfileSet::Latest, ProfileSet::V1_2] {
            check(case, &validate_in(&v, set), &format!("JSON, {set:?}"));
            if let Some(back) = &back {
                check(case, &validate_in(back, set), &format!("XML, {set:?}"));
            }
        }
    }
}

#[test]
fn every_fixture_is_listed() {
    let listed: Vec<String> = cases().into_iter().map(|c| c.file).collect();
    for entry in std::fs::read_dir(dir()).expect("corpus dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name != "cases.json" {
            assert!(listed.contains(&name), "{name} is not in cases.json");
        }
    }
}

#[test]
fn the_narrative_rules_are_checked_not_listed_as_unchecked() {
    // txt-1 and txt-2 (htmlchecks(), outside the FHIRPath subset) are checked on the parsed
    // XHTML: a narrative is judged, never reported as "Not checked"
    let mut v = payload("valid-patient-complex-extensions.json");
    v["text"] = serde_json::json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Ada</div>"});
    let issues = validate(&v);
    assert!(
        !issues.iter().any(|i| i.message.starts_with("Not checked")),
        "{issues:#?}"
    );
    assert!(issues.is_empty(), "{issues:#?}");
    v["text"]["div"] =
        Value::from("<div xmlns=\"http://www.w3.org/1999/xhtml\"><iframe src=\"x\"/>Ada</div>");
    let issues = validate(&v);
    assert!(
        issues.iter().any(|i| i.severity == Severity::Error
            && i.location == "Patient.text.div"
            && i.message.contains("'iframe'")),
        "{issues:#?}"
    );
    assert!(!fhir::not_evaluated_invariants()
        .iter()
        .any(|k| k.starts_with("txt-")));
}

#[test]
fn the_report_lists_invariants_not_checked_once() {
    use gpc_assure::report::{html, json, RunReport, TargetSummary};
    let mut r = RunReport::not_run(TargetSummary::default(), None, String::new());
    r.run_errors.clear();
    r.not_evaluated = vec!["txt-1 (function htmlchecks())".into()];
    let doc: Value = serde_json::from_str(&json::render(&r).expect("json")).expect("parses");
    assert_eq!(
        doc["not_evaluated"],
        serde_json::json!(["txt-1 (function htmlchecks())"])
    );
    let page = html::render(&r).expect("html");
    assert_eq!(page.matches("id=\"not-evaluated\"").count(), 1);
    assert!(page.contains("txt-1 (function htmlchecks())"));
    // nothing to say, no section
    r.not_evaluated.clear();
    assert!(!html::render(&r).expect("html").contains("not-evaluated"));
}
