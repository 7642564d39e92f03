//! Proof of fault-detection power: against the conformant reference provider every scenario passes, and
//! every deliberate fault it can be started with turns red the requirements it declares
//! ([`Fault::breaks`]); a fault caught only by unrelated scenarios fails the proof. To stay fast, each
//! fault runs only the scenarios of its declared requirements, one requirement at a time, stopping at
//! the first failure (`gpc-assure prove` without `--fail-fast` runs everything and lists collateral).

use std::collections::BTreeSet;
use std::path::PathBuf;

use gpc_assure::proof::{self, ProofOptions};
use gpc_assure::provider::Fault;

fn features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features")
}

/// Every `@req:` id the features carry.
fn requirement_ids() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir)
            .expect("features directory")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "feature") {
                let text = std::fs::read_to_string(&p).expect("feature file");
                for word in text.split_whitespace() {
                    if let Some(id) = word.strip_prefix("@req:") {
                        out.insert(id.to_string());
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&features(), &mut out);
    out
}

#[test]
fn every_declared_requirement_has_scenarios() {
    let ids = requirement_ids();
    for f in Fault::ALL {
        for r in f.breaks() {
            assert!(
                ids.contains(*r),
                "{f} declares {r}, which no scenario is tagged with"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_turns_its_own_requirements_red() {
    let options = ProofOptions {
        features: features(),
        tags: None,
        concurrency: 8,
        faults: Fault::ALL.to_vec(),
        fail_fast: true,
        restrict: true,
    };
    let started = std::time::Instant::now();
    let proof = proof::prove(&options, |v| {
        eprintln!(
            "{:<42} {:>4} red  by {}  missed {}",
            v.fault,
            v.failed_scenarios,
            v.caught_by.join(" "),
            v.missed_requirements.join(" ")
        )
    })
    .await
    .expect("the proof runs");
    eprintln!("proof took {:?}", started.elapsed());
    assert!(
        proof.baseline_failures.is_empty(),
        "baseline failures:\n{}",
        proof.baseline_failures.join("\n")
    );
    let holes: Vec<String> = proof
        .verdicts
        .iter()
        .filter(|v| !v.caught())
        .map(|v| {
            format!(
                "{}: declared {} not red (red: {})",
                v.fault,
                v.missed_requirements.join(", "),
                v.caught_by.join(", ")
            )
        })
        .collect();
    assert!(
        holes.is_empty(),
        "faults not caught by their own requirements:\n{}",
        holes.join("\n")
    );
    assert!(Fault::ALL.len() >= 45, "only {} faults", Fault::ALL.len());
}
