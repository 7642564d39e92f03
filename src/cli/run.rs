//! `gpc-assure run`: run the features against a target and write the reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Config;
use crate::provider::{self, ProviderSettings};
use crate::report::{self, RunReport, Status};
use crate::runner::{self, Progress, RunError, RunOptions};

/// Exit status: the run could not start (bad configuration, unreadable features, a service root that
/// does not answer). The others come from [`Verdict::exit_code`]: 0 passed, 1 failed, 3 incomplete.
pub const EXIT_NOT_RUN: u8 = 2;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Target configuration file (TOML). Without it and without --target, the embedded reference provider
    /// is started and tested.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Service root of a provider's Foundations/Appointments API, e.g.
    /// https://provider.example/B82617/STU3/1/gpconnect. Other settings keep their defaults (or the
    /// values from --config).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// Only run scenarios matching this tag expression, e.g. "@foundations and not @register".
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,

    /// Directory (or single file) of Gherkin features.
    #[arg(long, value_name = "DIR", default_value = "features")]
    pub features: PathBuf,

    /// Directory for the reports. An existing non-empty directory is kept: the new reports go to a
    /// timestamped sibling, so earlier runs are never overwritten.
    #[arg(long, value_name = "DIR", default_value = "reports/latest")]
    pub out: PathBuf,

    /// Scenarios run at once (default: http.concurrency from the config, 4).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// Print no progress while running.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Run the command; returns the process exit status.
pub async fn run(args: RunArgs) -> ExitCode {
    match execute(args).await {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_NOT_RUN)
        }
    }
}

async fn execute(args: RunArgs) -> Result<u8, String> {
    let mut config =
        Config::load(args.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    if let Some(url) = &args.target {
        config.target.foundations_url = url.trim_end_matches('/').to_string();
    }
    if let Some(n) = args.concurrency {
        if n == 0 {
            return Err("--concurrency must be at least 1".into());
        }
        config.http.concurrency = n;
    }
    let embedded =
        args.config.is_none() && args.target.is_none() && config.target.foundations_url.is_empty();
    let mut provider = None;
    if embedded {
        // The embedded provider plays the structured version the configuration names (default 1.6.2).
        let settings = ProviderSettings {
            structured_version: config.target.structured_version.clone(),
            ..ProviderSettings::default()
        };
        let running = provider::start(settings, ([127, 0, 0, 1], 0).into())
            .await
            .map_err(|e| format!("cannot start the embedded reference provider: {e}"))?;
        let concurrency = config.http.concurrency;
        config = running.config();
        config.http.concurrency = concurrency;
        eprintln!("Embedded reference provider at {}", running.foundations_url);
        provider = Some(running);
    }
    let out = choose_out_dir(&args.out).map_err(|e| {
        format!(
            "cannot use the report directory {}: {e}",
            args.out.display()
        )
    })?;
    let summary = runner::target_summary(&config, embedded);
    let options = RunOptions {
        concurrency: config.http.concurrency,
        config,
        features: args.features.clone(),
        tags: args.tags.clone(),
        embedded,
        evidence_sidecar: Some(out.join(report::EVIDENCE_FILE)),
    };
    let progress = if args.quiet {
        Progress::Silent
    } else {
        Progress::Terminal
    };
    let result = runner::run(options, progress).await;
    if let Some(p) = provider {
        p.shutdown().await;
    }
    let report = match result {
        Ok(r) => r,
        Err(e @ RunError::Unreachable { .. }) => {
            // Nothing ran, but a CI gate still gets a report saying why.
            let message = e.to_string();
            let report = RunReport::not_run(summary, args.tags.clone(), message.clone());
            if let Err(w) = report::write_all(&report, &out) {
                eprintln!(
                    "warning: cannot write the reports to {}: {w}",
                    out.display()
                );
            }
            eprintln!("Reports: {}", out.join("index.html").display());
            return Err(message);
        }
        Err(e) => return Err(e.to_string()),
    };
    let written = report::write_all(&report, &out)
        .map_err(|e| format!("cannot write the reports to {}: {e}", out.display()))?;
    print_summary(&report);
    println!(
        "Reports: {} (also junit.xml, results.json, {})",
        written.html.display(),
        report::EVIDENCE_FILE
    );
    Ok(report.verdict().exit_code())
}

/// Keep earlier runs: if `out` holds files, write beside it in `<out>-<timestamp>`.
pub fn choose_out_dir(out: &Path) -> std::io::Result<PathBuf> {
    let occupied = out.exists() && std::fs::read_dir(out)?.next().is_some();
    if !occupied {
        return Ok(out.to_path_buf());
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let mut candidate = out.with_file_name(format!("{name}-{stamp}"));
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = out.with_file_name(format!("{name}-{stamp}-{n}"));
    }
    eprintln!(
        "{} already holds a report; writing to {} instead",
        out.display(),
        candidate.display()
    );
    Ok(candidate)
}

/// One line per feature and a total.
pub fn print_summary(report: &RunReport) {
    for f in &report.features {
        let verdict = match f.verdict() {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Inconclusive => "INCO",
            Status::Error => "ERR ",
            _ => "N/A ",
        };
        let mut others = String::new();
        for (n, what) in [
            (f.count(Status::Inconclusive), "inconclusive"),
            (f.count(Status::Error), "error"),
            (f.count(Status::NotApplicable), "not applicable"),
        ] {
            if n > 0 {
                others.push_str(&format!(" {n:>4} {what}"));
            }
        }
        println!(
            "{verdict}  {:<44} {:>4} passed {:>4} failed{others}",
            f.path,
            f.passed(),
            f.failed()
        );
    }
    for e in &report.run_errors {
        println!("ERROR {e}");
    }
    let t = report.totals();
    println!(
        "{}: {} scenarios: {} passed, {} failed, {} inconclusive, {} error, {} not applicable; {} requests in {:.2}s",
        report.verdict().label(),
        t.scenarios,
        t.passed,
        t.failed,
        t.inconclusive,
        t.error,
        t.not_applicable,
        t.requests,
        report.duration_ms / 1000.0
    );
}
