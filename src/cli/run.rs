//! `gpc-assure run`: run the features against a target and write the reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::config::{parse_duration, Config};
use crate::provider::{self, ProviderSettings};
use crate::report::{self, RunReport, Status};
use crate::runner::{self, Progress, RunError, RunOptions, Stop, STOP_GRACE};

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

    /// Directory (or single file) of Gherkin features. A file may end in :LINE to run only the
    /// scenario or Examples row at that line (as with the positional FEATURE:LINE).
    #[arg(long, value_name = "DIR", default_value = "features")]
    pub features: PathBuf,

    /// Run only these: a feature file or directory inside --features, optionally with the line of a
    /// scenario or of an Examples row, e.g. features/foundations/read_patient.feature:23 (several
    /// lines: :23:41). A line in a scenario selects it; an outline's line all its rows; an Examples
    /// row's line that row.
    #[arg(value_name = "FEATURE[:LINE]")]
    pub scenarios: Vec<String>,

    /// Run only scenarios whose name matches this regular expression (repeat for any of several).
    #[arg(long = "name", value_name = "REGEX")]
    pub names: Vec<String>,

    /// Run again only the scenarios an earlier run did not pass (failed, inconclusive or error): its
    /// report directory or its results.json. Prints "nothing to rerun" and exits 0 when it passed.
    #[arg(long, value_name = "PREV")]
    pub rerun_failed: Option<PathBuf>,

    /// Directory for the reports, claimed (created, and checked writable) before any request. An
    /// existing non-empty directory, or one another run claimed first, is kept: the new reports go to
    /// a timestamped sibling, so earlier runs are never overwritten.
    #[arg(long, value_name = "DIR", default_value = "reports/latest")]
    pub out: PathBuf,

    /// Time limit of the whole run, e.g. 90s, 30m, 1h (default: http.max_duration from the config,
    /// 30m). When it is reached no new scenario starts, requests in flight are abandoned, what the
    /// scenarios booked is cancelled, and the reports say the deadline was reached (exit 3, or 1 if a
    /// scenario failed).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_duration: Option<Duration>,

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
            eprintln!("error: {}", crate::terminal::inert(&message));
            ExitCode::from(EXIT_NOT_RUN)
        }
    }
}

async fn execute(args: RunArgs) -> Result<u8, String> {
    // What an earlier run left to do is known before anything else is claimed or started.
    let rerun = match &args.rerun_failed {
        Some(prev) => {
            let set = runner::plan::RerunSet::load(prev).map_err(|e| e.to_string())?;
            if set.scenarios.is_empty() {
                println!(
                    "Nothing to rerun: {} lists no failed, inconclusive or errored scenario ({} scenario{} in all).",
                    set.source.display(),
                    set.total,
                    if set.total == 1 { "" } else { "s" }
                );
                return Ok(0);
            }
            Some(set)
        }
        None => None,
    };
    let selection = runner::plan::Selection {
        names: args.names.clone(),
        locations: args.scenarios.clone(),
        rerun,
    };
    let env = crate::config::environment().map_err(|e| e.to_string())?;
    let mut config = Config::load(args.config.as_deref(), env).map_err(|e| e.to_string())?;
    if let Some(url) = &args.target {
        config.target.foundations_url = url.trim_end_matches('/').to_string();
    }
    if let Some(n) = args.concurrency {
        if n == 0 {
            return Err("--concurrency must be at least 1".into());
        }
        config.http.concurrency = n;
    }
    let max_duration = match args.max_duration {
        Some(d) => d,
        None => parse_duration(&config.http.max_duration)
            .map_err(|e| format!("http.max_duration: {e}"))?,
    };
    // Claim the report directory before anything goes over the wire: a run that cannot write its
    // reports must not spend an hour testing first.
    let claimed = claim_out_dir(&args.out).map_err(|e| {
        format!(
            "cannot use the report directory {}: {e}. Give --out a directory this user can create and write.",
            args.out.display()
        )
    })?;
    let stop = Stop::new();
    let watcher = runner::watch_ctrl_c(
        stop.clone(),
        format!(
            "Interrupted: no new scenario starts; requests under way get up to {}s to finish, what the scenarios booked is cancelled, then the reports are written to {}. Press Ctrl-C again to quit at once.",
            STOP_GRACE.as_secs(),
            claimed.path.display()
        ),
    );
    let result = run_into(args, config, max_duration, &claimed.path, stop, selection).await;
    watcher.abort();
    claimed.close();
    result
}

/// Run and write the reports into the claimed directory `out`.
async fn run_into(
    args: RunArgs,
    mut config: Config,
    max_duration: Duration,
    out: &Path,
    stop: Stop,
    selection: runner::plan::Selection,
) -> Result<u8, String> {
    let embedded =
        args.config.is_none() && args.target.is_none() && config.target.foundations_url.is_empty();
    let mut provider = None;
    if embedded {
        // The embedded provider plays the structured version the configuration names (default 1.6.2),
        // over TLS with mutual authentication, with certificates made for this run.
        let settings = ProviderSettings {
            structured_version: config.target.structured_version.clone(),
            html_version: config.target.html_version.clone(),
            tls: Some(provider::CertSource::Fresh),
            ..ProviderSettings::default()
        };
        let running = provider::start_apart(settings, ([127, 0, 0, 1], 0).into())
            .await
            .map_err(|e| format!("cannot start the embedded reference provider: {e}"))?;
        let concurrency = config.http.concurrency;
        // The cover sheet (from GPC_ASSURE_REPORT_* variables) describes the run, not the provider.
        let cover = config.report.clone();
        config = running.config();
        config.http.concurrency = concurrency;
        config.report = cover;
        eprintln!("Embedded reference provider at {}", running.foundations_url);
        provider = Some(running);
    }
    let summary = runner::target_summary(&config, embedded);
    let options = RunOptions {
        concurrency: config.http.concurrency,
        config,
        features: args.features.clone(),
        tags: args.tags.clone(),
        embedded,
        max_duration: Some(max_duration),
        stop,
        out: Some(out.to_path_buf()),
        evidence_sidecar: Some(out.join(report::EVIDENCE_FILE)),
        selection,
    };
    let config_toml = runner::meta::config_toml(&options.config);
    let tls = report::curl::CurlTls::of(&options.config.tls);
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
            let mut report = RunReport::not_run(summary, args.tags.clone(), message.clone());
            report.meta.config_toml = config_toml;
            report.meta.tls = tls;
            report.meta.selection.tags = args.tags.clone();
            record_invocation(&mut report);
            if let Err(w) = report::write_all(&report, out) {
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
    let mut report = report;
    record_invocation(&mut report);
    let written = report::write_all(&report, out)
        .map_err(|e| format!("cannot write the reports to {}: {e}", out.display()))?;
    print_summary(&report);
    if let Some(stopped) = &report.stopped {
        crate::terminal::outln(format_args!(
            "STOPPED ({}): {}",
            stopped.reason,
            crate::terminal::inert(&stopped.message)
        ));
    }
    crate::terminal::outln(format_args!(
        "Reports: {} (also junit.xml, results.json, {})",
        written.html.display(),
        report::EVIDENCE_FILE
    ));
    let code = report.verdict().exit_code();
    // The process exits right after: freeing every exchange of the run one by one would only
    // delay the exit (a tenth of a second on a full run).
    std::mem::forget(report);
    Ok(code)
}

/// Record how the run was started (command line, secrets redacted) in its report.
fn record_invocation(report: &mut RunReport) {
    report.meta.argv =
        runner::meta::redact_args(std::env::args_os().map(|a| a.to_string_lossy().into_owned()));
    report.meta.env_overrides = runner::meta::env_overrides(std::env::vars_os().map(|(k, v)| {
        (
            k.to_string_lossy().into_owned(),
            v.to_string_lossy().into_owned(),
        )
    }));
    if report.meta.hostname.is_empty() {
        report.meta.hostname = runner::meta::hostname();
    }
    if report.meta.working_dir.is_empty() {
        report.meta.working_dir = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
    }
}

/// The file that marks a report directory as taken by a run while it goes on (and proves the
/// directory is writable before the first request).
pub const CLAIM_FILE: &str = ".gpc-assure-claim";

/// A report directory one run has claimed: no other run writes into it.
#[derive(Debug)]
pub struct ClaimedDir {
    pub path: PathBuf,
    /// Whether this run created the directory (rather than taking an existing empty one).
    created: bool,
}

impl ClaimedDir {
    /// The run is over: drop the claim, and the directory too if this run created it and left it
    /// empty (it stopped before writing any report).
    pub fn close(self) {
        let _ = std::fs::remove_file(self.path.join(CLAIM_FILE));
        if self.created {
            // Fails, as it should, when the directory holds reports.
            let _ = std::fs::remove_dir(&self.path);
        }
    }
}

/// Claim the report directory `out`, or, when it already holds files or another run claimed it first,
/// a fresh sibling `<out>-<timestamp>[-N]`: earlier reports are never overwritten, and two runs started
/// together never share a directory. The claim is atomic (creating the directory, or creating the
/// claim file in an existing empty one, succeeds for exactly one run) and doubles as the check that the
/// directory is writable.
pub fn claim_out_dir(out: &Path) -> std::io::Result<ClaimedDir> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    for n in 0..1000 {
        let candidate = match n {
            0 => out.to_path_buf(),
            1 => out.with_file_name(format!("{name}-{stamp}")),
            n => out.with_file_name(format!("{name}-{stamp}-{n}")),
        };
        if let Some(claimed) = try_claim(&candidate)? {
            if n > 0 {
                eprintln!(
                    "{} already holds a report; writing to {} instead",
                    out.display(),
                    candidate.display()
                );
            }
            return Ok(claimed);
        }
    }
    Err(std::io::Error::other(
        "it and a thousand timestamped siblings are all taken",
    ))
}

/// Claim `dir`: `None` when it is taken (it holds anything, or another run claimed it first).
///
/// A directory a run creates appears with its claim already inside: it is made under a private
/// name beside `dir` and renamed into place, which fails when another run's directory got there
/// first. (Created in place, another run could find it empty between its creation and its claim,
/// take it as one the user made, and leave it behind when done.) An empty directory that was
/// there before is claimed by creating the claim file in it, which succeeds for one run only.
fn try_claim(dir: &Path) -> std::io::Result<Option<ClaimedDir>> {
    use std::io::ErrorKind;
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(std::io::Error::other(format!(
                "{} is a file, not a directory",
                dir.display()
            )))
        }
        Ok(_) => {
            if std::fs::read_dir(dir)?.next().is_some() {
                return Ok(None);
            }
            return match write_claim(dir) {
                Ok(()) => Ok(Some(ClaimedDir {
                    path: dir.to_path_buf(),
                    created: false,
                })),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(None),
                Err(e) => Err(e),
            };
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let private = private_sibling(dir);
    std::fs::create_dir(&private)?;
    let placed = write_claim(&private).and_then(|()| std::fs::rename(&private, dir));
    match placed {
        Ok(()) => Ok(Some(ClaimedDir {
            path: dir.to_path_buf(),
            created: true,
        })),
        Err(e) => {
            let _ = std::fs::remove_file(private.join(CLAIM_FILE));
            let _ = std::fs::remove_dir(&private);
            // another run's directory (or anything else) got there first
            if std::fs::symlink_metadata(dir).is_ok() {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

/// Creates the claim file in `dir`; `AlreadyExists` when another run's is there.
fn write_claim(dir: &Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::File::create_new(dir.join(CLAIM_FILE))?;
    writeln!(
        f,
        "taken by gpc-assure run (process {}) started {}",
        std::process::id(),
        chrono::Local::now().to_rfc3339()
    )
}

/// A name beside `dir` that no other run (of this or another process) uses.
fn private_sibling(dir: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.claiming-{}-{n}", std::process::id()))
}

/// One line per feature and a total, on standard output (a closed pipe ends the printing, not the
/// command).
pub fn print_summary(report: &RunReport) {
    for line in summary_lines(report) {
        crate::terminal::outln(format_args!("{line}"));
    }
}

/// The lines of [`print_summary`]. Feature paths and run errors can carry feature or provider text:
/// their control characters are spelt out.
pub fn summary_lines(report: &RunReport) -> Vec<String> {
    use crate::terminal::{inert, inert_line};
    let mut out = Vec::new();
    for f in &report.features {
        let verdict = match f.verdict() {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Inconclusive => "INCO",
            Status::Error => "ERR ",
            Status::Warning => "WARN",
            _ => "N/A ",
        };
        let mut others = String::new();
        for (n, what) in [
            (f.count(Status::Inconclusive), "inconclusive"),
            (f.count(Status::Error), "error"),
            (f.count(Status::NotApplicable), "not applicable"),
            (f.count(Status::Warning), "warning"),
        ] {
            if n > 0 {
                others.push_str(&format!(" {n:>4} {what}"));
            }
        }
        out.push(format!(
            "{verdict}  {:<44} {:>4} passed {:>4} failed{others}",
            inert_line(&f.path),
            f.passed(),
            f.failed()
        ));
    }
    for e in &report.run_errors {
        out.push(format!("ERROR {}", inert(e)));
    }
    let t = report.totals();
    let connections = match report.connections_opened {
        Some(1) => " over 1 connection".to_string(),
        Some(n) => format!(" over {n} connections"),
        None => String::new(),
    };
    out.push(format!(
        "{}: {} scenarios: {} passed, {} failed, {} inconclusive, {} error, {} not applicable, {} warning; {} requests{connections} in {:.2}s",
        report.verdict().label(),
        t.scenarios,
        t.passed,
        t.failed,
        t.inconclusive,
        t.error,
        t.not_applicable,
        t.warning,
        t.requests,
        report.duration_ms / 1000.0
    ));
    out
}

#[cfg(test)]
mod summary_tests {
    use super::*;
    use crate::report::FeatureResult;

    #[test]
    fn the_total_line_says_how_many_connections_the_run_opened() {
        let config = Config::default();
        let mut report =
            RunReport::not_run(runner::target_summary(&config, false), None, "x".into());
        assert!(summary_lines(&report)
            .last()
            .unwrap()
            .contains("0 requests in "));
        report.connections_opened = Some(6);
        let total = summary_lines(&report).pop().unwrap();
        assert!(
            total.contains("; 0 requests over 6 connections in "),
            "{total}"
        );
        report.connections_opened = Some(1);
        let total = summary_lines(&report).pop().unwrap();
        assert!(total.contains(" over 1 connection in "), "{total}");
        let json = crate::report::json::render(&report).unwrap();
        assert!(json.contains("\"connections_opened\": 1"), "{json}");
    }

    #[test]
    fn feature_paths_and_run_errors_are_printed_inert() {
        let config = Config::default();
        let mut report = RunReport::not_run(
            runner::target_summary(&config, false),
            None,
            "the provider said \u{1b}[2K\rPASS\nand more".into(),
        );
        report.features.push(FeatureResult {
            name: "x".into(),
            path: "evil\u{1b}]0;title\u{7}.feature".into(),
            tags: vec![],
            description: None,
            scenarios: vec![],
        });
        let lines = summary_lines(&report);
        assert!(
            lines[0].contains("evil\\x1b]0;title\\x07.feature"),
            "{lines:?}"
        );
        assert_eq!(
            lines[1],
            "ERROR the provider said \\x1b[2K\\rPASS\nand more"
        );
        for line in &lines {
            assert!(
                !line.chars().any(|c| c.is_control() && c != '\n'),
                "{line:?}"
            );
        }
    }
}
