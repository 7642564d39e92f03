//! Proof of fault-detection power: run the features against the reference provider once as it is (every
//! scenario must pass) and once per deliberate [`Fault`] (some scenario must fail). A fault no scenario
//! notices is a hole in the assurance; the table says which requirements caught each fault.

use std::path::PathBuf;

use serde::Serialize;

use crate::provider::{self, Fault, ProviderSettings};
use crate::report::RunReport;
use crate::runner::{self, Progress, RunError, RunOptions};

/// What to prove.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    pub features: PathBuf,
    pub tags: Option<String>,
    pub concurrency: usize,
    /// The faults to try (all by default).
    pub faults: Vec<Fault>,
    /// Stop each faulty run at its first failing scenario: proves each fault is caught, quickly, without
    /// listing every requirement that catches it.
    pub fail_fast: bool,
}

/// The outcome for one fault.
#[derive(Debug, Clone, Serialize)]
pub struct FaultVerdict {
    pub fault: String,
    /// Scenarios that failed against the faulty provider.
    pub failed_scenarios: usize,
    /// Requirement ids of those scenarios.
    pub caught_by: Vec<String>,
}

impl FaultVerdict {
    pub fn caught(&self) -> bool {
        self.failed_scenarios > 0
    }
}

/// The whole proof.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Scenarios run against the conformant provider.
    pub baseline_scenarios: usize,
    /// Scenarios that failed against the conformant provider (must be none).
    pub baseline_failures: Vec<String>,
    pub verdicts: Vec<FaultVerdict>,
}

impl Proof {
    /// Baseline green and every fault caught.
    pub fn holds(&self) -> bool {
        self.baseline_failures.is_empty() && self.verdicts.iter().all(FaultVerdict::caught)
    }

    /// Faults no scenario caught.
    pub fn missed(&self) -> Vec<&str> {
        self.verdicts
            .iter()
            .filter(|v| !v.caught())
            .map(|v| v.fault.as_str())
            .collect()
    }
}

/// Run the features against the reference provider with `faults` switched on.
pub async fn run_with_faults(
    options: &ProofOptions,
    faults: &[Fault],
) -> Result<RunReport, RunError> {
    run_faulty(options, faults, false).await
}

async fn run_faulty(
    options: &ProofOptions,
    faults: &[Fault],
    fail_fast: bool,
) -> Result<RunReport, RunError> {
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    };
    let running = provider::start(settings, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| RunError::EmbeddedProvider(e.to_string()))?;
    let mut config = running.config();
    config.http.concurrency = options.concurrency;
    let run = RunOptions {
        config,
        features: options.features.clone(),
        tags: options.tags.clone(),
        concurrency: options.concurrency,
        embedded: true,
    };
    let result = runner::run_with(run, Progress::Silent, fail_fast).await;
    running.shutdown().await;
    result
}

/// Run the baseline and every fault; `on_verdict` is told of each as it is known (for progress).
pub async fn prove(
    options: &ProofOptions,
    mut on_verdict: impl FnMut(&FaultVerdict),
) -> Result<Proof, RunError> {
    let baseline = run_with_faults(options, &[]).await?;
    let mut verdicts = Vec::new();
    for fault in &options.faults {
        let report = run_faulty(options, &[*fault], options.fail_fast).await?;
        let verdict = FaultVerdict {
            fault: fault.name().to_string(),
            failed_scenarios: report.totals().failed,
            caught_by: report.failed_requirements(),
        };
        on_verdict(&verdict);
        verdicts.push(verdict);
    }
    Ok(Proof {
        baseline_scenarios: baseline.totals().scenarios,
        baseline_failures: baseline.failure_lines(),
        verdicts,
    })
}
