//! Access Record Structured: the features run green against the embedded provider playing 1.2.7 and
//! 1.6.2, and each deliberate structured fault turns the scenarios that check its rule red (by
//! requirement id), so a provider breaking that rule cannot pass.

use std::path::PathBuf;

use gpc_assure::provider::{self, Fault, ProviderSettings};
use gpc_assure::report::RunReport;
use gpc_assure::runner::{self, Progress, RunOptions};

fn structured_features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("features")
        .join("structured")
}

/// Start the provider playing `version` with `faults`, run the structured features configured for the
/// same version, stop the provider.
async fn run(version: &str, faults: &[Fault]) -> RunReport {
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        structured_version: version.to_string(),
        ..ProviderSettings::default()
    };
    let running = provider::start(settings, ([127, 0, 0, 1], 0).into())
        .await
        .expect("provider starts");
    let mut config = running.config();
    config.http.concurrency = 8;
    assert_eq!(config.target.structured_version, version);
    let options = RunOptions {
        config,
        features: structured_features(),
        tags: None,
        concurrency: 8,
        embedded: true,
        max_duration: None,
        stop: Default::default(),
        out: None,
        evidence_sidecar: None,
        selection: Default::default(),
    };
    let report = runner::run(options, Progress::Silent)
        .await
        .expect("the run starts");
    running.shutdown().await;
    report
}

async fn green(version: &str, minimum: usize) {
    let report = run(version, &[]).await;
    let failed = report.failure_lines();
    assert!(
        failed.is_empty(),
        "{version}: {} scenarios failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(report.run_errors.is_empty(), "{:?}", report.run_errors);
    assert_eq!(
        report.target.structured_version, version,
        "the report states the version tested"
    );
    let executed = report.totals().scenarios;
    assert!(
        executed >= minimum,
        "{version}: only {executed} structured scenarios ran"
    );
    for f in &report.features {
        for s in &f.scenarios {
            assert!(
                s.requirements.iter().any(|r| r.starts_with("STR-")),
                "{}:{} has no STR requirement",
                f.path,
                s.line
            );
        }
    }
    eprintln!("structured {version}: {executed} scenarios green");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_features_pass_for_1_2_7() {
    green("1.2.7", 150).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_features_pass_for_1_6_2() {
    green("1.6.2", 350).await;
}

/// Each fault and requirement ids of scenarios that must go red with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_faults_are_caught() {
    let cases: &[(Fault, &[&str])] = &[
        (
            Fault::StructuredListMissing,
            &["STR-MED-01", "STR-MED-06", "STR-BUNDLE-03"],
        ),
        (Fault::StructuredDateFilterIgnored, &["STR-MED-03"]),
        (Fault::StructuredResolvedAllergiesReturned, &["STR-ALG-02"]),
        (
            Fault::StructuredDanglingReference,
            &["STR-BUNDLE-01", "STR-ALG-01"],
        ),
        (
            Fault::StructuredWrongListCode,
            &["STR-ALG-01", "STR-BUNDLE-03"],
        ),
        (
            Fault::StructuredBundleIdNotTraceId,
            &["STR-BUNDLE-02", "STR-BUNDLE-01"],
        ),
    ];
    let mut missed = Vec::new();
    for (fault, expected) in cases {
        let report = run("1.6.2", &[*fault]).await;
        let red = report.failed_requirements();
        for id in *expected {
            if !red.iter().any(|r| r == id) {
                missed.push(format!("{fault}: {id} stayed green (red: {red:?})"));
            }
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// The faults that do not depend on a 1.5.0+ rule are caught when the provider plays 1.2.7 as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_faults_are_caught_for_1_2_7() {
    for (fault, id) in [
        (Fault::StructuredListMissing, "STR-MED-01"),
        (Fault::StructuredDateFilterIgnored, "STR-MED-03"),
        (Fault::StructuredResolvedAllergiesReturned, "STR-ALG-02"),
        (Fault::StructuredDanglingReference, "STR-BUNDLE-01"),
        (Fault::StructuredWrongListCode, "STR-ALG-01"),
        (Fault::StructuredMedicationDateOverApplied, "STR-MED-03"),
        (Fault::StructuredFilterReturnsNothing, "STR-MED-03"),
    ] {
        let report = run("1.2.7", &[fault]).await;
        let red = report.failed_requirements();
        assert!(
            red.iter().any(|r| r == id),
            "{fault}: {id} stayed green for 1.2.7 (red: {red:?})"
        );
    }
}
