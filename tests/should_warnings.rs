//! A SHOULD or a MAY the provider does not follow is a warning, never a failure: a provider serving JSON
//! alone, or validating `iat` against its clock, still passes; a provider that declares XML and serves
//! it broken still fails.

use std::path::PathBuf;

use gpc_assure::proof::{self, ProofOptions};
use gpc_assure::provider::{Departure, Fault};
use gpc_assure::report::{RunReport, ScenarioResult, Status, Verdict};

fn options(tags: &str) -> ProofOptions {
    ProofOptions {
        features: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features"),
        tags: Some(tags.to_string()),
        concurrency: 8,
        faults: vec![],
        fail_fast: false,
        restrict: false,
    }
}

fn scenarios(report: &RunReport) -> impl Iterator<Item = (&str, &ScenarioResult)> {
    report
        .features
        .iter()
        .flat_map(|f| f.scenarios.iter().map(move |s| (f.path.as_str(), s)))
}

fn is_xml(s: &ScenarioResult) -> bool {
    s.tags.iter().any(|t| t == "xml")
}

fn assert_nothing_failed(report: &RunReport) {
    for outcome in [Status::Failed, Status::Error, Status::Inconclusive] {
        let lines = report.lines_of(outcome);
        assert!(
            lines.is_empty(),
            "{} scenarios {outcome}:\n{}",
            lines.len(),
            lines.join("\n")
        );
    }
    assert!(report.run_errors.is_empty(), "{:?}", report.run_errors);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_only_provider_gets_warnings_on_xml_and_still_passes() {
    let report = proof::run_with_departures(
        &options("@xml or @format or @metadata"),
        &[Departure::JsonOnly],
    )
    .await
    .expect("the run starts");
    assert_nothing_failed(&report);
    assert_eq!(report.verdict(), Verdict::Passed);
    assert_eq!(report.verdict().exit_code(), 0);

    let mut xml = 0;
    for (path, s) in scenarios(&report) {
        let why = s.failure.as_ref().map(|f| f.message.as_str()).unwrap_or("");
        if is_xml(s) {
            xml += 1;
            assert_eq!(s.status, Status::Warning, "{path}:{} {}", s.line, s.name);
            assert!(
                why.starts_with("SHOULD not followed: not sent: the provider does not offer XML"),
                "{path}:{} {why}",
                s.line
            );
            // Not sent: the provider said it does not serve XML.
            assert!(s.evidence.is_empty(), "{path}:{} sent a request", s.line);
        } else if s.requirements.iter().any(|r| r == "XC-FMT-12") {
            assert_eq!(s.status, Status::Warning, "{path}:{} {}", s.line, s.name);
            assert!(why.contains("does not offer XML"), "{why}");
        } else {
            assert_eq!(s.status, Status::Passed, "{path}:{} {}", s.line, s.name);
        }
    }
    // The XML scenarios of every capability are there (format, errors, reads, appointments, structured).
    assert!(xml > 100, "only {xml} XML scenarios");
    let totals = report.totals();
    assert_eq!(totals.warning, xml + 1);
    assert!(totals.passed > 50, "{totals:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_validating_iat_gets_a_warning_and_still_passes() {
    let report = proof::run_with_departures(
        &options("@req:XC-JWT-07 or @req:XC-JWT-06"),
        &[Departure::ValidateIat],
    )
    .await
    .expect("the run starts");
    assert_nothing_failed(&report);
    assert_eq!(report.verdict(), Verdict::Passed);
    let mut warned = 0;
    for (path, s) in scenarios(&report) {
        if s.requirements.iter().any(|r| r == "XC-JWT-07") {
            warned += 1;
            assert_eq!(s.status, Status::Warning, "{path}:{} {}", s.line, s.name);
            let f = s.failure.as_ref().expect("the warning keeps its reason");
            assert!(
                f.message.starts_with("SHOULD not followed: "),
                "{}",
                f.message
            );
            assert!(f.message.contains("400"), "{}", f.message);
            assert!(!s.evidence.is_empty(), "the request was sent");
        } else {
            assert_eq!(s.status, Status::Passed, "{path}:{} {}", s.line, s.name);
        }
    }
    assert_eq!(warned, 2);
    // Against the provider that follows the SHOULD, the same scenarios pass.
    let report = proof::run_with_departures(&options("@req:XC-JWT-07"), &[])
        .await
        .expect("the run starts");
    assert_eq!(report.totals().passed, 2);
    assert_eq!(report.totals().warning, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_declaring_xml_and_serving_json_fails_its_xml_scenarios() {
    let report = proof::run_with_faults(&options("@req:XC-FMT-01"), &[Fault::IgnoreFormat])
        .await
        .expect("the run starts");
    assert_eq!(report.verdict(), Verdict::Failed);
    for (path, s) in scenarios(&report) {
        let want = if is_xml(s) {
            Status::Failed
        } else {
            Status::Passed
        };
        assert_eq!(s.status, want, "{path}:{} {}", s.line, s.name);
    }
    assert_eq!(report.totals().warning, 0);
}
