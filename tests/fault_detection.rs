//! Proof of fault-detection power: against the conformant reference provider every scenario passes, and
//! for every deliberate fault it can be started with, at least one scenario goes red.

use gpc_assure::proof::{self, ProofOptions};
use gpc_assure::provider::Fault;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_some_scenario() {
    let options = ProofOptions {
        features: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features"),
        tags: None,
        concurrency: 8,
        faults: Fault::ALL.to_vec(),
        fail_fast: true,
    };
    let proof = proof::prove(&options, |v| {
        eprintln!(
            "{:<40} {:>4} red  {}",
            v.fault,
            v.failed_scenarios,
            v.caught_by.join(" ")
        )
    })
    .await
    .expect("the proof runs");
    assert!(
        proof.baseline_failures.is_empty(),
        "baseline failures:\n{}",
        proof.baseline_failures.join("\n")
    );
    assert!(
        proof.missed().is_empty(),
        "faults no scenario caught: {:?}",
        proof.missed()
    );
}
