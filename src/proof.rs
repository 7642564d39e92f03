//! Proof of fault-detection power: run the features against the reference provider once as it is (every
//! scenario must pass) and once per deliberate [`Fault`]. Each fault declares the requirements whose
//! scenarios must notice it ([`Fault::breaks`]); the proof holds for a fault only when every one of them
//! has a failed scenario. A fault caught only by unrelated scenarios is still a hole in the scenarios of
//! its own rule, so other failing requirements are listed as collateral and count for nothing.

use std::path::PathBuf;

use serde::Serialize;

use crate::provider::{self, Departure, Fault, ProviderSettings};
use crate::report::RunReport;
use crate::runner::{self, Progress, RunError, RunOptions, Stop};
use crate::verdict::StopReason;

/// What to prove.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    pub features: PathBuf,
    pub tags: Option<String>,
    pub concurrency: usize,
    /// The faults to try (all by default).
    pub faults: Vec<Fault>,
    /// Stop each faulty run at its first failing scenario: one run per declared requirement, restricted to
    /// its scenarios, so each is proven quickly; no collateral is listed.
    pub fail_fast: bool,
    /// Run each fault only against the scenarios of its declared requirements (`@req:A or @req:B`):
    /// faster, no collateral listed.
    pub restrict: bool,
}

/// `extra` added to an optional user tag expression.
fn and_tags(user: Option<&str>, extra: &str) -> String {
    match user {
        Some(u) if !u.trim().is_empty() => format!("({u}) and ({extra})"),
        _ => extra.to_string(),
    }
}

/// The verdict on one fault, from the requirements that failed against it.
pub fn judge(fault: Fault, failed_scenarios: usize, failed: &[String]) -> FaultVerdict {
    let declared: Vec<String> = fault.breaks().iter().map(|r| r.to_string()).collect();
    let (caught_by, missed): (Vec<String>, Vec<String>) =
        declared.iter().cloned().partition(|r| failed.contains(r));
    let collateral = failed
        .iter()
        .filter(|r| !declared.contains(r))
        .cloned()
        .collect();
    FaultVerdict {
        fault: fault.name().to_string(),
        declared,
        failed_scenarios,
        caught_by,
        missed_requirements: missed,
        collateral,
    }
}

/// The outcome for one fault.
#[derive(Debug, Clone, Serialize)]
pub struct FaultVerdict {
    pub fault: String,
    /// The requirements the fault must turn red ([`Fault::breaks`]).
    pub declared: Vec<String>,
    /// Scenarios that failed against the faulty provider.
    pub failed_scenarios: usize,
    /// Declared requirements with a failed scenario.
    pub caught_by: Vec<String>,
    /// Declared requirements with no failed scenario: the holes.
    pub missed_requirements: Vec<String>,
    /// Other requirements that failed too; they do not count towards the proof.
    pub collateral: Vec<String>,
}

impl FaultVerdict {
    /// Every declared requirement has a failed scenario.
    pub fn caught(&self) -> bool {
        !self.declared.is_empty() && self.missed_requirements.is_empty()
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
    /// Set when the proof was stopped (Ctrl-C) before every fault was tried: it then does not hold.
    pub stopped: Option<StopReason>,
}

impl Proof {
    /// Baseline green, every fault tried and caught.
    pub fn holds(&self) -> bool {
        self.stopped.is_none()
            && self.baseline_failures.is_empty()
            && self.verdicts.iter().all(FaultVerdict::caught)
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
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    };
    run_against(options, settings, options.tags.clone(), false, &Stop::new()).await
}

/// Run the features against the reference provider departing from `departures` (SHOULDs and MAYs it
/// does not follow): the scenarios of those rules must end as warnings, and the run must still pass.
pub async fn run_with_departures(
    options: &ProofOptions,
    departures: &[Departure],
) -> Result<RunReport, RunError> {
    let settings = ProviderSettings {
        departures: departures.to_vec(),
        ..ProviderSettings::default()
    };
    run_against(options, settings, options.tags.clone(), false, &Stop::new()).await
}

async fn run_tagged(
    options: &ProofOptions,
    faults: &[Fault],
    tags: Option<String>,
    fail_fast: bool,
    stop: &Stop,
) -> Result<RunReport, RunError> {
    let settings = ProviderSettings {
        faults: faults.to_vec(),
        ..ProviderSettings::default()
    };
    run_against(options, settings, tags, fail_fast, stop).await
}

async fn run_against(
    options: &ProofOptions,
    settings: ProviderSettings,
    tags: Option<String>,
    fail_fast: bool,
    stop: &Stop,
) -> Result<RunReport, RunError> {
    // Over TLS with mutual authentication, as a provider behind the SSP is reached (and as the
    // transport faults need).
    let settings = ProviderSettings {
        tls: Some(provider::CertSource::Fresh),
        ..settings
    };
    let running = provider::start_apart(settings, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| RunError::EmbeddedProvider(e.to_string()))?;
    let mut config = running.config();
    config.http.concurrency = options.concurrency;
    let run = RunOptions {
        config,
        features: options.features.clone(),
        tags,
        concurrency: options.concurrency,
        embedded: true,
        max_duration: None,
        stop: stop.clone(),
        out: None,
        evidence_sidecar: None,
        selection: Default::default(),
    };
    let result = runner::run_with(run, Progress::Silent, fail_fast).await;
    running.shutdown().await;
    result
}

/// Run the baseline and every fault; `on_verdict` is told of each as it is known (for progress).
pub async fn prove(
    options: &ProofOptions,
    on_verdict: impl FnMut(&FaultVerdict),
) -> Result<Proof, RunError> {
    prove_until(options, &Stop::new(), on_verdict).await
}

/// As [`prove`], until `stop` fires (Ctrl-C): the run under way stops cleanly, its fault gets no
/// verdict (a run cut short proves nothing), no further fault is tried, and the proof says it stopped.
pub async fn prove_until(
    options: &ProofOptions,
    stop: &Stop,
    mut on_verdict: impl FnMut(&FaultVerdict),
) -> Result<Proof, RunError> {
    let baseline = run_tagged(options, &[], options.tags.clone(), false, stop).await?;
    let mut verdicts = Vec::new();
    let mut stopped = stop.reason();
    for fault in &options.faults {
        if stopped.is_some() {
            break;
        }
        let user = options.tags.as_deref();
        let runs: Vec<(Option<String>, bool)> = if options.fail_fast {
            fault
                .breaks()
                .iter()
                .map(|r| (Some(and_tags(user, &format!("@req:{r}"))), true))
                .collect()
        } else if options.restrict {
            vec![(Some(and_tags(user, &fault.tag_expression())), false)]
        } else {
            vec![(options.tags.clone(), false)]
        };
        let mut failed_scenarios = 0;
        let mut failed = Vec::new();
        for (tags, fail_fast) in runs {
            let report = run_tagged(options, &[*fault], tags, fail_fast, stop).await?;
            failed_scenarios += report.totals().failed;
            failed.extend(report.failed_requirements());
        }
        stopped = stop.reason();
        if stopped.is_some() {
            break;
        }
        failed.sort();
        failed.dedup();
        let verdict = judge(*fault, failed_scenarios, &failed);
        on_verdict(&verdict);
        verdicts.push(verdict);
    }
    Ok(Proof {
        baseline_scenarios: baseline.totals().scenarios,
        baseline_failures: baseline.failure_lines(),
        verdicts,
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_caught_only_by_unrelated_requirements_is_missed() {
        let f = Fault::RetrieveOmitsNewBooking;
        let v = judge(f, 3, &["APT-RETR-01".into(), "XC-CACHE-01".into()]);
        assert!(!v.caught());
        assert_eq!(v.missed_requirements, vec!["APT-RETR-04"]);
        assert_eq!(v.collateral, vec!["XC-CACHE-01"]);
        let v = judge(f, 2, &["APT-RETR-01".into(), "APT-RETR-04".into()]);
        assert!(v.caught());
        let v = judge(f, 5, &["XC-CACHE-01".into()]);
        assert!(!v.caught());
        assert_eq!(v.caught_by, Vec::<String>::new());
    }

    #[test]
    fn user_tags_are_combined_with_the_declared_ones() {
        assert_eq!(and_tags(None, "@req:A"), "@req:A");
        assert_eq!(
            and_tags(Some("@structured"), "@req:A or @req:B"),
            "(@structured) and (@req:A or @req:B)"
        );
    }
}
