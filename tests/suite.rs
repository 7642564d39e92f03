//! The whole feature suite passes against the embedded reference provider: the proof that the features
//! describe a conformant provider, and that each scenario names the requirement it checks.

use gpc_assure::proof::{self, ProofOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feature_passes_against_the_reference_provider() {
    let options = ProofOptions {
        features: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features"),
        tags: None,
        concurrency: 8,
        faults: vec![],
        fail_fast: false,
        restrict: false,
    };
    let report = proof::run_with_faults(&options, &[])
        .await
        .expect("the run starts");
    // Every applicable scenario passed: none failed, none inconclusive (the seed has all the test data
    // the features need), none in error, and no warning (the provider follows every SHOULD, and
    // declares and serves XML, so the @xml scenarios ran as MUSTs).
    use gpc_assure::report::Status;
    for outcome in [
        Status::Failed,
        Status::Inconclusive,
        Status::Error,
        Status::Warning,
    ] {
        let lines = report.lines_of(outcome);
        assert!(
            lines.is_empty(),
            "{} scenarios {outcome}:\n{}",
            lines.len(),
            lines.join("\n")
        );
    }
    assert_eq!(report.verdict(), gpc_assure::report::Verdict::Passed);
    assert!(report.run_errors.is_empty(), "{:?}", report.run_errors);
    let totals = report.totals();
    assert!(totals.scenarios > 0);
    for f in &report.features {
        for s in &f.scenarios {
            assert!(
                !s.requirements.is_empty(),
                "{}:{} {} has no @req: tag",
                f.path,
                s.line,
                s.name
            );
        }
    }
    eprintln!(
        "{} scenarios ({} not applicable to the provider's versions), {} requests",
        totals.scenarios, totals.not_applicable, totals.requests
    );
}
