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
    let failures = report.failure_lines();
    assert!(
        failures.is_empty(),
        "{} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
        "{} scenarios, {} requests",
        totals.scenarios, totals.requests
    );
}
