//! `gpc-assure prove`: show that the features catch every deliberate fault of the reference provider.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::proof::{self, FaultVerdict, ProofOptions};
use crate::provider::Fault;
use crate::runner::{self, Stop};
use crate::terminal::{inert, inert_line, outln};

/// Arguments of `prove`.
#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    /// Directory (or single file) of Gherkin features.
    #[arg(long, value_name = "DIR", default_value = "features")]
    pub features: PathBuf,
    /// Only run scenarios matching this tag expression.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Try only these faults (repeatable; default: every fault). `gpc-assure serve --help` lists them.
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    pub faults: Vec<Fault>,
    /// Scenarios run at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Print the proof as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Prove each declared requirement with its own run, restricted to its scenarios and stopped at the
    /// first failure: fastest; lists no collateral.
    #[arg(long)]
    pub fail_fast: bool,
    /// Run each fault only against the scenarios of the requirements it declares: faster; lists no
    /// collateral.
    #[arg(long)]
    pub restrict: bool,
}

fn parse_fault(name: &str) -> Result<Fault, String> {
    Fault::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        format!("unknown fault {name:?}; known faults: {}", names.join(", "))
    })
}

/// Exit status of a proof stopped by Ctrl-C before every fault was tried.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Run the command; exit 0 when the proof holds, 1 when a fault went unnoticed or the baseline failed,
/// 2 when it could not run, 130 when Ctrl-C stopped it (a second Ctrl-C exits at once).
pub async fn run(args: ProveArgs) -> ExitCode {
    if args.concurrency == 0 {
        eprintln!("error: --concurrency must be at least 1");
        return ExitCode::from(2);
    }
    let faults = if args.faults.is_empty() {
        Fault::ALL.to_vec()
    } else {
        args.faults.clone()
    };
    let options = ProofOptions {
        features: args.features,
        tags: args.tags,
        concurrency: args.concurrency,
        faults,
        fail_fast: args.fail_fast,
        restrict: args.restrict,
    };
    let json = args.json;
    let stop = Stop::new();
    let watcher = runner::watch_ctrl_c(
        stop.clone(),
        "Interrupted: the run under way stops (its fault gets no verdict), no further fault is tried, and the faults proven so far are printed. Press Ctrl-C again to quit at once.".into(),
    );
    let result = proof::prove_until(&options, &stop, |v| {
        if !json {
            outln(format_args!("{}", verdict_line(v)));
        }
    })
    .await;
    watcher.abort();
    let proof = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}", inert(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    if json {
        // JSON escapes every control character itself.
        match serde_json::to_string_pretty(&proof) {
            Ok(s) => outln(format_args!("{s}")),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        for f in &proof.baseline_failures {
            outln(format_args!("BASELINE FAIL {}", inert_line(f)));
        }
        let caught = proof.verdicts.iter().filter(|v| v.caught()).count();
        if let Some(reason) = proof.stopped {
            outln(format_args!(
                "PROOF INCOMPLETE ({reason}): {} of {} faults tried ({caught} caught) before the proof was stopped",
                proof.verdicts.len(),
                options.faults.len(),
            ));
            return ExitCode::from(EXIT_INTERRUPTED);
        }
        outln(format_args!(
            "{}: {} of {} faults caught by every requirement they declare; {} scenarios green against the conformant provider",
            if proof.holds() {
                "PROOF HOLDS"
            } else {
                "PROOF FAILS"
            },
            caught,
            proof.verdicts.len(),
            proof.baseline_scenarios - proof.baseline_failures.len()
        ));
    }
    if proof.stopped.is_some() {
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    ExitCode::from(if proof.holds() { 0 } else { 1 })
}

/// One fault's line of the proof table. Requirement ids come from feature tags: made inert.
fn verdict_line(v: &FaultVerdict) -> String {
    let mark = if v.caught() { "caught" } else { "MISSED" };
    let mut line = format!(
        "{mark:<7} {:<42} {:>4} scenarios red  by {}",
        v.fault,
        v.failed_scenarios,
        if v.caught_by.is_empty() {
            "-".to_string()
        } else {
            v.caught_by.join(" ")
        }
    );
    if !v.missed_requirements.is_empty() {
        line.push_str(&format!("  NOT BY {}", v.missed_requirements.join(" ")));
    }
    if !v.collateral.is_empty() {
        line.push_str(&format!("  (collateral: {})", v.collateral.join(" ")));
    }
    inert_line(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_ids_from_features_are_printed_inert() {
        let v = FaultVerdict {
            fault: "patient-read-500".into(),
            declared: vec!["FND-PAT-READ-01".into()],
            failed_scenarios: 1,
            caught_by: vec!["FND-PAT-READ-01\u{1b}[2K\rcaught".into()],
            missed_requirements: vec![],
            collateral: vec!["X\u{7}".into()],
        };
        let line = verdict_line(&v);
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert!(line.contains("FND-PAT-READ-01\\x1b[2K\\rcaught"), "{line}");
        assert!(line.contains("(collateral: X\\x07)"), "{line}");
    }
}
