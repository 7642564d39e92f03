//! The files for CI against a hand-built run: cucumber.json (structure and the mapping of our
//! outcomes), summary.md (verdict, counts, failures grouped by root cause), scenarios.csv and
//! requirements.csv (quoting, formula injection), that `report::write_all` writes them beside
//! index.html, and that `gpc-assure diff` reads the results.json a run writes.

mod common;

use gpc_assure::report::{
    self, diff, Failure, FeatureResult, RunReport, ScenarioResult, Status, StepResult,
    TargetSummary,
};
use gpc_assure::verdict::UNDEFINED_STEP;
use serde_json::Value;

fn step(keyword: &str, text: &str, status: Status, message: Option<&str>) -> StepResult {
    StepResult {
        keyword: keyword.into(),
        text: text.into(),
        status,
        message: message.map(Into::into),
        background: false,
    }
}

fn scenario(name: &str, line: usize, status: Status, reqs: &[&str]) -> ScenarioResult {
    ScenarioResult {
        name: name.into(),
        line,
        tags: std::iter::once("foundations".to_string())
            .chain(reqs.iter().map(|r| format!("req:{r}")))
            .collect(),
        requirements: reqs.iter().map(|r| r.to_string()).collect(),
        status,
        steps: vec![
            step("Given", "a \"read patient\" request", Status::Passed, None),
            step("When", "the request is sent", Status::Passed, None),
        ],
        failure: None,
        evidence: vec![],
        culprit: None,
        duration_ms: 250.0,
    }
}

/// A scenario that stopped at its third step with `outcome` and `message`.
fn stopped(
    name: &str,
    line: usize,
    outcome: Status,
    message: &str,
    reqs: &[&str],
) -> ScenarioResult {
    let mut s = scenario(name, line, outcome, reqs);
    let then = "the response status is 200";
    s.steps.push(step("Then", then, outcome, Some(message)));
    s.steps
        .push(step("And", "the body is a Patient", Status::Skipped, None));
    s.failure = Some(Failure {
        step: format!("Then {then}"),
        message: message.into(),
    });
    s
}

fn report(features: Vec<FeatureResult>) -> RunReport {
    let target = TargetSummary {
        foundations_url: "https://provider.example/fhir".into(),
        provider_asid: "918999198738".into(),
        provider_ods_code: "B82617".into(),
        gpconnect_version: "1.2.7".into(),
        structured_version: "1.6.0".into(),
        html_version: "0.7.4".into(),
        ..Default::default()
    };
    let mut r = RunReport::not_run(target, Some("@foundations".into()), String::new());
    r.run_errors.clear();
    r.duration_ms = 3000.0;
    r.features = features;
    r
}

/// One scenario of each outcome, an outline with two failing rows sharing one root cause (trace ids
/// differ), an undefined step, and a failure found after the steps (validation).
fn sample() -> RunReport {
    let mut undefined = scenario("A typo", 40, Status::Error, &["FND-PAT-READ-09"]);
    undefined.steps.push(step(
        "Then",
        "the respnse is fine",
        Status::Error,
        Some(UNDEFINED_STEP),
    ));
    undefined.failure = Some(Failure {
        step: "Then the respnse is fine".into(),
        message: UNDEFINED_STEP.into(),
    });
    let mut invalid = scenario(
        "Read with a body the profiles refuse",
        50,
        Status::Failed,
        &["FND-PAT-READ-01"],
    );
    invalid.failure = Some(Failure {
        step: "(every response is validated against the FHIR profiles)".into(),
        message:
            "1 FHIR validation error(s) in the responses:\nresponse 1: Patient.gender: bad code"
                .into(),
    });
    let mut na = scenario(
        "Only from 1.5.0",
        60,
        Status::NotApplicable,
        &["FND-PAT-READ-10"],
    );
    na.steps.clear();
    na.duration_ms = 0.0;
    report(vec![FeatureResult {
        description: None,
        name: "Read a patient".into(),
        path: "foundations/read_patient.feature".into(),
        tags: vec!["foundations".into()],
        scenarios: vec![
            scenario("Read by id", 8, Status::Passed, &["FND-PAT-READ-01"]),
            stopped(
                "Read in each format",
                20,
                Status::Failed,
                "Ssp-TraceID 09a01679-2564-0fb4-5129-aecc81ea2706: expected status 200, got 500",
                &["FND-PAT-READ-03"],
            ),
            stopped(
                "Read in each format",
                21,
                Status::Failed,
                "Ssp-TraceID 7c9e6679-7425-40de-944b-e07fc1f90ae7: expected status 200, got 500",
                &["FND-PAT-READ-04"],
            ),
            stopped(
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                30,
                Status::Inconclusive,
                "the test data name \"patient2\" is not mapped, | see [data.patients]",
                &["FND-PAT-READ-02"],
            ),
            stopped(
                "Read when the connection drops",
                35,
                Status::Error,
                "the request got no response (connection reset)",
                &["FND-PAT-READ-05"],
            ),
            undefined,
            invalid,
            na,
        ],
    }])
}

// ------------------------------------------------------------------------------------------------
// cucumber.json
// ------------------------------------------------------------------------------------------------

fn cucumber(r: &RunReport) -> Value {
    serde_json::from_str(&report::cucumber::render(r).unwrap()).expect("cucumber.json is JSON")
}

fn element<'a>(v: &'a Value, name: &str, nth: usize) -> &'a Value {
    v[0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == name)
        .nth(nth)
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn statuses(e: &Value) -> Vec<&str> {
    e["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["result"]["status"].as_str().unwrap())
        .collect()
}

#[test]
fn cucumber_json_has_features_elements_steps_and_tags() {
    let v = cucumber(&sample());
    let f = &v[0];
    assert_eq!(f["uri"], "foundations/read_patient.feature");
    assert_eq!(f["id"], "foundations-read-patient");
    assert_eq!(f["keyword"], "Feature");
    assert_eq!(f["name"], "Read a patient");
    assert_eq!(f["tags"][0]["name"], "@foundations");
    assert_eq!(f["elements"].as_array().unwrap().len(), 8);

    let passed = element(&v, "Read by id", 0);
    assert_eq!(passed["type"], "scenario");
    assert_eq!(passed["keyword"], "Scenario");
    assert_eq!(passed["id"], "foundations-read-patient;read-by-id");
    assert_eq!(passed["line"], 8);
    let tags: Vec<&str> = passed["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["@foundations", "@req:FND-PAT-READ-01"]);
    assert_eq!(passed["steps"][0]["keyword"], "Given ");
    assert_eq!(passed["steps"][0]["name"], "a \"read patient\" request");
    assert_eq!(statuses(passed), ["passed", "passed"]);
    // The scenario's 250 ms, in nanoseconds, on its last step.
    assert_eq!(passed["steps"][0]["result"]["duration"], 0);
    assert_eq!(passed["steps"][1]["result"]["duration"], 250_000_000u64);
    assert!(passed.get("after").is_none());

    // Outline rows: same name, ids told apart by row, never by line.
    let row2 = element(&v, "Read in each format", 1);
    assert_eq!(row2["keyword"], "Scenario Outline");
    assert_eq!(
        row2["id"],
        "foundations-read-patient;read-in-each-format;row-2"
    );
}

#[test]
fn cucumber_json_maps_our_outcomes_onto_its_statuses() {
    let v = cucumber(&sample());
    let failed = element(&v, "Read in each format", 0);
    assert_eq!(statuses(failed), ["passed", "passed", "failed", "skipped"]);
    assert!(failed["steps"][2]["result"]["error_message"]
        .as_str()
        .unwrap()
        .ends_with("expected status 200, got 500"));

    let inconclusive = element(&v, "=HYPERLINK(\"http://evil.example\",\"x\")", 0);
    assert_eq!(
        statuses(inconclusive),
        ["passed", "passed", "skipped", "skipped"]
    );
    assert!(inconclusive["steps"][2]["result"]["error_message"]
        .as_str()
        .unwrap()
        .starts_with("inconclusive: the test data name"));

    let error = element(&v, "Read when the connection drops", 0);
    assert_eq!(statuses(error)[2], "failed");
    assert!(error["steps"][2]["result"]["error_message"]
        .as_str()
        .unwrap()
        .starts_with("error (harness or transport): the request got no response"));

    let undefined = element(&v, "A typo", 0);
    assert_eq!(statuses(undefined)[2], "undefined");

    // Not applicable: never ran, one skipped step saying why (no steps would count as passed).
    let na = element(&v, "Only from 1.5.0", 0);
    assert_eq!(statuses(na), ["skipped"]);
    assert!(na["steps"][0]["result"]["error_message"]
        .as_str()
        .unwrap()
        .starts_with("not applicable"));

    // Failed after its steps all passed: an after hook carries the failure.
    let invalid = element(&v, "Read with a body the profiles refuse", 0);
    assert_eq!(statuses(invalid), ["passed", "passed"]);
    assert_eq!(invalid["after"][0]["result"]["status"], "failed");
    assert!(invalid["after"][0]["result"]["error_message"]
        .as_str()
        .unwrap()
        .contains("Patient.gender: bad code"));
    // Scenarios whose steps carry their outcome get no hook.
    assert!(failed.get("after").is_none());
}

#[test]
fn cucumber_json_reports_run_errors_as_a_failed_feature() {
    let mut r = report(vec![]);
    r.run_errors = vec!["could not read a feature: parse error at line 3".into()];
    let v = cucumber(&r);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "Run errors");
    let st = &v[0]["elements"][0]["steps"][0]["result"];
    assert_eq!(st["status"], "failed");
    assert_eq!(
        st["error_message"],
        "could not read a feature: parse error at line 3"
    );
    assert_eq!(cucumber(&report(vec![])), serde_json::json!([]));
}

// ------------------------------------------------------------------------------------------------
// summary.md
// ------------------------------------------------------------------------------------------------

#[test]
fn summary_has_verdict_counts_and_failures_grouped_by_root_cause() {
    let md = report::summary::render(&sample());
    assert!(
        md.starts_with("## ❌ GP Connect assurance: FAILED\n"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | 3 | 1 | 2 | 1 |"),
        "counts per outcome:\n{md}"
    );
    assert!(
        md.contains("Target `https://provider.example/fhir`, ODS code `B82617`"),
        "{md}"
    );
    // Two rows failing with different trace ids are one group of 2, with both requirements.
    assert!(md.contains("### Failures: 3 scenarios in 2 groups"), "{md}");
    assert!(
        md.contains("| 2 | `the response status is 200` | `Ssp-TraceID {uuid}: expected status 200, got 500` | FND-PAT-READ-03, FND-PAT-READ-04 |"),
        "{md}"
    );
    assert!(
        md.contains("### Not proven (error, inconclusive): 3 scenarios in 3 groups"),
        "{md}"
    );
    // A pipe in a message cannot break the table.
    assert!(md.contains("is not mapped, \\| see"), "{md}");
    assert!(md.contains("[index.html](index.html)"));
    assert!(
        !md.contains("<uuid>"),
        "placeholders must not read as HTML tags"
    );
}

#[test]
fn summary_shows_the_largest_groups_and_counts_the_rest() {
    let scenarios = (0..14)
        .map(|i| {
            // Each message differs by a word, so each is its own group; the first has two scenarios.
            let word: String = std::iter::repeat_n('x', i + 1).collect();
            stopped(
                &format!("S{i}"),
                10 + i,
                Status::Failed,
                &format!("broken {word}"),
                &["R-1"],
            )
        })
        .chain(std::iter::once(stopped(
            "S-dup",
            99,
            Status::Failed,
            "broken x",
            &["R-2"],
        )))
        .collect();
    let md = report::summary::render(&report(vec![FeatureResult {
        description: None,
        name: "F".into(),
        path: "f.feature".into(),
        tags: vec![],
        scenarios,
    }]));
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`broken"))
        .count();
    assert_eq!(rows, report::summary::MAX_FAILED_GROUPS);
    assert!(
        md.contains("| 2 | `the response status is 200` | `broken x` | R-1, R-2 |"),
        "{md}"
    );
    assert!(md.contains("... and 4 more groups (4 scenarios)."), "{md}");
}

#[test]
fn summary_of_a_passing_run_says_so_without_tables_of_failures() {
    let r = report(vec![FeatureResult {
        description: None,
        name: "F".into(),
        path: "f.feature".into(),
        tags: vec![],
        scenarios: vec![scenario("A", 3, Status::Passed, &["R-1"])],
    }]);
    let md = report::summary::render(&r);
    assert!(md.starts_with("## ✅ GP Connect assurance: PASSED"), "{md}");
    assert!(md.contains("Every applicable scenario passed (1). Exit status 0."));
    assert!(!md.contains("### Failures") && !md.contains("### Not proven"));
}

// ------------------------------------------------------------------------------------------------
// CSV
// ------------------------------------------------------------------------------------------------

fn rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn scenarios_csv_quotes_and_neutralises_formulas() {
    let text = report::csv::scenarios(&sample()).unwrap();
    let rows = rows(&text);
    assert_eq!(
        rows[0],
        [
            "feature",
            "line",
            "name",
            "outcome",
            "requirements",
            "message"
        ]
    );
    assert_eq!(rows.len(), 9);
    assert_eq!(
        rows[1],
        [
            "foundations/read_patient.feature",
            "8",
            "Read by id",
            "passed",
            "FND-PAT-READ-01",
            ""
        ]
    );
    assert_eq!(rows[3][2], "Read in each format [row 2]");
    assert_eq!(rows[3][3], "failed");
    // A name that a spreadsheet would run as a formula is made text; its quotes survive the quoting.
    assert_eq!(rows[4][2], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(rows[4][3], "inconclusive");
    assert_eq!(rows[8][3], "not applicable");
    // Multi-line messages stay in one cell.
    assert!(rows[7][5].contains("\nresponse 1: Patient.gender"));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""));
}

#[test]
fn requirements_csv_has_each_requirement_once() {
    let rows = rows(&report::csv::requirements(&sample()).unwrap());
    assert_eq!(rows[0], ["id", "outcome", "scenarios", "failed"]);
    let read01 = rows.iter().find(|r| r[0] == "FND-PAT-READ-01").unwrap();
    assert_eq!(read01, &["FND-PAT-READ-01", "failed", "2", "1"]);
    let read02 = rows.iter().find(|r| r[0] == "FND-PAT-READ-02").unwrap();
    assert_eq!(read02[1], "inconclusive");
    // One row per requirement of the matrix (the whole catalogue, tagged or not), each id once.
    let ids: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), rows.len() - 1, "an id appears twice");
    assert_eq!(rows.len() - 1, sample().requirements().len());
}

// ------------------------------------------------------------------------------------------------
// Written together, and read back by diff
// ------------------------------------------------------------------------------------------------

#[test]
fn write_all_writes_the_ci_files_beside_index_html() {
    let dir = tempfile::tempdir().unwrap();
    let written = report::write_all(&sample(), &dir.path().join("out")).unwrap();
    for name in [
        "index.html",
        "junit.xml",
        "results.json",
        "cucumber.json",
        "summary.md",
        "scenarios.csv",
        "requirements.csv",
    ] {
        let p = written.dir.join(name);
        assert!(
            std::fs::metadata(&p).map(|m| m.len() > 0).unwrap_or(false),
            "{name} missing or empty"
        );
    }
}

#[test]
fn a_report_that_cannot_be_put_in_place_leaves_no_temporary_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A directory where results.json goes: its rename fails, after index.html and junit.xml.
    std::fs::create_dir_all(out.join("results.json").join("in-the-way")).unwrap();
    let e = report::write_all(&sample(), &out).unwrap_err();
    assert!(!e.to_string().is_empty());
    let left = common::file_names(&out);
    // What was renamed before the failure stays; nothing else does, and no temporary file.
    assert_eq!(
        left,
        ["index.html", "junit.xml", "results.json"],
        "{left:?}"
    );
    assert!(out.join("results.json").join("in-the-way").is_dir());
}

#[test]
fn diff_reads_the_results_json_a_run_writes() {
    let old = sample();
    let mut new = sample();
    // The passing scenario now fails, and everything moved down by two lines.
    new.features[0].scenarios[0].status = Status::Failed;
    for s in &mut new.features[0].scenarios {
        s.line += 2;
    }
    let parse = |r: &RunReport, n: &str| {
        diff::parse(&report::json::render(r).unwrap(), n).expect("our own results.json reads")
    };
    let d = diff::compare(parse(&old, "old"), parse(&new, "new"));
    let newly: Vec<String> = d
        .of(diff::Change::NewlyFailing)
        .map(|e| e.name.to_string())
        .collect();
    assert_eq!(newly, ["Read by id"]);
    assert_eq!(d.count(diff::Change::StillFailing), 3);
    assert_eq!(
        d.count(diff::Change::Added) + d.count(diff::Change::Removed),
        0
    );
}

// ------------------------------------------------------------------------------------------------
// Warnings: a SHOULD or MAY not followed, and XML a provider does not offer
// ------------------------------------------------------------------------------------------------

/// A passed scenario, a SHOULD not followed (its step carries the warning) and an XML scenario not
/// sent (no step ran).
fn warnings() -> RunReport {
    let mut not_sent = scenario(
        "Reading a patient in XML",
        30,
        Status::Warning,
        &["XC-FMT-01"],
    );
    not_sent.steps.clear();
    not_sent.failure = Some(Failure {
        step: String::new(),
        message: "SHOULD not followed: not sent: the provider does not offer XML".into(),
    });
    report(vec![FeatureResult {
        description: None,
        name: "F".into(),
        path: "f.feature".into(),
        tags: vec![],
        scenarios: vec![
            scenario("Read by id", 3, Status::Passed, &["R-1"]),
            stopped(
                "A future iat is accepted",
                20,
                Status::Warning,
                "SHOULD not followed: status 400; expected 200",
                &["XC-JWT-07"],
            ),
            not_sent,
        ],
    }])
}

#[test]
fn cucumber_json_shows_warnings_as_passed_with_the_warning_in_the_output() {
    let r = warnings();
    let v = cucumber(&r);
    let iat = element(&v, "A future iat is accepted", 0);
    // The step after the warning was not run: it stays skipped, as after any stop.
    assert_eq!(statuses(iat), ["passed", "passed", "passed", "skipped"]);
    let warned = &iat["steps"][2];
    assert!(warned["result"].get("error_message").is_none());
    assert_eq!(
        warned["output"][0],
        "warning: SHOULD not followed: status 400; expected 200"
    );
    assert!(iat.get("after").is_none());
    // No step ran: the warning is in a passed after hook.
    let xml = element(&v, "Reading a patient in XML", 0);
    assert_eq!(xml["after"][0]["result"]["status"], "passed");
    assert!(xml["after"][0]["output"][0]
        .as_str()
        .unwrap()
        .starts_with("warning: SHOULD not followed: not sent"));
    // Nothing anywhere is failed.
    assert!(!report::cucumber::render(&r).unwrap().contains("\"failed\""));
}

#[test]
fn summary_csv_and_diff_treat_a_warning_as_no_failure() {
    let r = warnings();
    let md = report::summary::render(&r);
    assert!(md.starts_with("## ✅ GP Connect assurance: PASSED"), "{md}");
    assert!(md.contains("| passed | failed | inconclusive | error | not applicable | warning |"));
    assert!(md.contains("| 1 | 0 | 0 | 0 | 0 | 2 |"), "{md}");
    assert!(md.contains("2 ended in a warning"), "{md}");
    assert!(md.contains("### Warnings (a SHOULD or MAY not followed; not failures): 2 scenarios"));
    assert!(!md.contains("### Failures") && !md.contains("### Not proven"));

    let rows = rows(&report::csv::scenarios(&r).unwrap());
    assert_eq!(rows[2][3], "warning");
    assert_eq!(rows[2][5], "SHOULD not followed: status 400; expected 200");
    let reqs = rows_of(&report::csv::requirements(&r).unwrap(), "XC-JWT-07");
    assert_eq!(reqs[1], "warning");
    assert_eq!(reqs[3], "0");

    // Passed before, a warning now: not newly failing, so the CI gate stays green.
    let mut old = r.clone();
    for s in &mut old.features[0].scenarios {
        s.status = Status::Passed;
    }
    let parse = |r: &RunReport, n: &str| {
        diff::parse(&report::json::render(r).unwrap(), n).expect("our own results.json reads")
    };
    let d = diff::compare(parse(&old, "old"), parse(&r, "new"));
    assert_eq!(d.count(diff::Change::NewlyFailing), 0);
    assert_eq!(d.count(diff::Change::Other), 2);
}

fn rows_of(text: &str, id: &str) -> Vec<String> {
    rows(text)
        .into_iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}
