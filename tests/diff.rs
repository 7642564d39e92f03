//! `gpc-assure diff`: two small results.json files (the second from a later schema version, with a
//! field this version does not know), matched by feature and name rather than line, each scenario in
//! the right category, and the exit statuses.

mod common;

use std::ffi::OsStr;
use std::path::PathBuf;

use gpc_assure::report::diff::{self, Change};

fn fixture(side: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/diff/{side}"))
}

fn run(args: &[&OsStr]) -> (i32, String, String) {
    let mut all = vec![OsStr::new("diff")];
    all.extend_from_slice(args);
    common::run(&all)
}

fn names(d: &diff::RunDiff, change: Change) -> Vec<String> {
    d.of(change).map(|e| e.name.to_string()).collect()
}

#[test]
fn every_scenario_lands_in_its_category_whatever_its_line() {
    let old = diff::load(&fixture("old")).unwrap();
    let new = diff::load(&fixture("new").join("results.json")).unwrap();
    assert_eq!(new.schema_version, Some(3));
    let d = diff::compare(old, new);
    assert_eq!(
        names(&d, Change::NewlyFailing),
        [
            "Reading a patient by logical id",
            "Reading a patient with another new flag"
        ]
    );
    assert_eq!(
        names(&d, Change::Fixed),
        ["Reading a patient in each format [row 2]"]
    );
    assert_eq!(names(&d, Change::StillFailing), ["Reading with a bad ASID"]);
    assert_eq!(
        names(&d, Change::NowNotProven),
        ["Reading a sensitive patient"]
    );
    assert_eq!(
        names(&d, Change::NoLongerNotProven),
        ["Reading a deceased patient"]
    );
    assert_eq!(
        names(&d, Change::Added),
        ["Reading a patient with a new flag"]
    );
    assert_eq!(names(&d, Change::Removed), ["Reading a retired scenario"]);
    assert_eq!(d.count(Change::Other), 0);
    // Row 1 of the outline passed in both and moved by two lines: not a change.
    assert_eq!(d.unchanged, 1);
    assert_eq!(d.exit_code(), 1);
}

#[test]
fn text_lists_each_category_with_the_reason() {
    let d = diff::compare(
        diff::load(&fixture("old")).unwrap(),
        diff::load(&fixture("new")).unwrap(),
    );
    let text = diff::render_text(&d);
    let newly = text
        .find("Newly failing (2)")
        .expect("newly failing section");
    let fixed = text.find("Fixed (1)").expect("fixed section");
    assert!(newly < fixed, "{text}");
    assert!(text.contains(
        "foundations/read_patient.feature: Reading a patient by logical id  (passed -> failed)"
    ));
    assert!(text.contains("Then the response status is 200 -> expected status 200, got 500"));
    assert!(text.contains("Reading a patient with another new flag  (new scenario, failed)"));
    assert!(text.contains("Reading a retired scenario  (was passed)"));
    assert!(text.contains("Reading a sensitive patient  (passed -> error)"));
    assert!(text.contains("1 unchanged."), "{text}");
}

#[test]
fn a_run_that_could_not_start_is_worse_even_without_scenarios() {
    let old = diff::load(&fixture("old")).unwrap();
    let broken = diff::parse(
        r#"{"schema_version":2,"run_errors":["the provider did not answer GET /metadata"],"features":[]}"#,
        "broken.json",
    )
    .unwrap();
    let d = diff::compare(old.clone(), broken);
    assert_eq!(d.count(Change::NewlyFailing), 0);
    assert_eq!(d.new_run_errors.len(), 1);
    assert_eq!(d.exit_code(), 1);
    // The same run twice: nothing changed but what still fails.
    let same = diff::compare(old.clone(), old);
    assert_eq!(same.exit_code(), 0);
    assert_eq!(same.entries.len(), same.count(Change::StillFailing));
}

#[test]
fn html_page_is_self_contained_and_escaped() {
    let mut new = diff::load(&fixture("new")).unwrap();
    new.scenarios[0].name.name = "<script>alert(1)</script>".into();
    let html = diff::render_html(&diff::compare(diff::load(&fixture("old")).unwrap(), new));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "provider text must be escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("default-src 'none'"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("<h2 class=\"newly-failing\">Newly failing (2)</h2>"));
}

#[test]
fn cli_exits_1_when_newly_failing_0_when_not_and_writes_html() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("diff.html");
    let (code, out, err) = run(&[
        fixture("old").as_os_str(),
        fixture("new").as_os_str(),
        "--html".as_ref(),
        page.as_os_str(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("Newly failing (2)"), "{out}");
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("Still failing (1)"));
    // Backwards: what was newly failing is now fixed, and the one newly passing is now failing.
    let (code, out, _) = run(&[fixture("new").as_os_str(), fixture("old").as_os_str()]);
    assert_eq!(code, 1, "{out}");
    let (code, out, err) = run(&[fixture("old").as_os_str(), fixture("old").as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn cli_exits_2_with_a_sentence_for_unreadable_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let (code, _, err) = run(&[missing.as_os_str(), fixture("new").as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: OLD: cannot read"), "{err}");
    assert!(
        err.contains("Give a report directory holding results.json"),
        "{err}"
    );
    let junk = dir.path().join("results.json");
    std::fs::write(&junk, "<html>not json</html>").unwrap();
    let (code, _, err) = run(&[fixture("old").as_os_str(), junk.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("NEW:") && err.contains("is not a results.json"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn scenario_names_from_the_reports_reach_the_terminal_inert() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("results.json");
    let text = std::fs::read_to_string(fixture("new").join("results.json")).unwrap();
    std::fs::write(
        &hostile,
        text.replace(
            "\"Reading a patient by logical id\"",
            "\"Reading a patient by logical id\\u001b[2K\\rPASS\"",
        ),
    )
    .unwrap();
    let (code, out, err) = run(&[fixture("old").as_os_str(), hostile.as_os_str()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Reading a patient by logical id\\x1b[2K\\rPASS"),
        "{out}"
    );
    assert!(
        !out.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {out:?}"
    );
}
