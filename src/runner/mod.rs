//! Runs the features against a target and produces the [`RunReport`]. Knows nothing of how reports are
//! written or how the command line looks (see `cli::run`).

pub mod advisory;
mod collector;
pub mod lookup;
pub mod meta;
pub mod plan;
pub mod progress;
mod selection;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cucumber::tag::Ext as _;
use futures::{FutureExt, StreamExt};

use crate::config::Config;
use crate::gpconnect::Interaction;
use crate::http::{Client, RequestSpec};
use crate::report::{FeatureResult, RunReport, RunStopped, Status, TargetSummary};
use crate::steps::context::{Cut, Evidence};
use crate::steps::{Problem, RunContext, CONTEXT};
use crate::verdict::StopReason;

pub use crate::steps::context::{Stop, STOP_GRACE};

pub use collector::Collector;
pub use progress::Progress;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config: Config,
    pub features: PathBuf,
    /// A cucumber tag expression, e.g. `@foundations and not @register`.
    pub tags: Option<String>,
    pub concurrency: usize,
    /// Whether the target is the embedded reference provider (shown in the report).
    pub embedded: bool,
    /// The run's time limit, counted from its start: once reached no new scenario starts, requests
    /// in flight are abandoned, the teardown still runs (within [`STOP_GRACE`]) and the report says so.
    pub max_duration: Option<Duration>,
    /// Stops the run from outside (Ctrl-C); see [`watch_ctrl_c`].
    pub stop: Stop,
    /// The report directory, claimed before the run starts (`None`: reports are not written to disk
    /// by the caller).
    pub out: Option<PathBuf>,
    /// Where to write every exchange whole (`evidence.jsonl.gz` in the report directory); without it
    /// the reports keep only the start of each body and the rest is not kept.
    pub evidence_sidecar: Option<PathBuf>,
    /// Which scenarios to run beyond the tag expression: by name, by `feature:LINE`, or those an
    /// earlier run did not pass. `features` may itself end in `:LINE`.
    pub selection: plan::Selection,
}

/// Why a run could not start (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the tag expression {expr:?} is not valid: {message}")]
    BadTags { expr: String, message: String },
    #[error("cannot read the features at {path}: {message}")]
    Features { path: PathBuf, message: String },
    /// A feature file that is not valid Gherkin, or a scenario that could not run as written.
    #[error("{}:{line}: {message}", path.display())]
    FeatureSyntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Client(#[from] crate::http::TransportError),
    #[error("cannot write the evidence: {0}")]
    Evidence(String),
    #[error("cannot start the embedded reference provider: {0}")]
    EmbeddedProvider(String),
    #[error("{0}")]
    Selection(String),
    #[error("the step definitions do not make one set of patterns: {0}")]
    StepDefinitions(String),
    #[error("GET {url} did not return a CapabilityStatement: {message}.\n  A GP Connect service root is the URL that `/metadata` is appended to, e.g. https://provider.example/B82617/STU3/1/gpconnect (structured: .../gpconnect/structured). Check target.foundations_url / structured_url / documents_url / html_url (the DSTU2 root answers with a Conformance), that the provider is running, and the TLS settings.")]
    Unreachable { url: String, message: String },
}

/// Parse a tag expression (with or without `@`).
pub fn parse_tags(expr: &str) -> Result<cucumber::gherkin::tagexpr::TagOperation, RunError> {
    expr.parse::<cucumber::gherkin::tagexpr::TagOperation>()
        .map_err(|e| RunError::BadTags {
            expr: expr.into(),
            message: e.to_string(),
        })
}

/// Summary of the target for the report.
pub fn target_summary(config: &Config, embedded: bool) -> TargetSummary {
    use crate::gpconnect::Capability;
    let shown = |c| crate::redact::userinfo(&config.service_root(c)).into_owned();
    TargetSummary {
        foundations_url: shown(Capability::Foundations),
        structured_url: shown(Capability::Structured),
        documents_url: shown(Capability::Documents),
        html_url: shown(Capability::Html),
        provider_asid: config.target.provider_asid.clone(),
        provider_ods_code: config.target.provider_ods_code.clone(),
        gpconnect_version: config.target.gpconnect_version.clone(),
        structured_version: config.target.structured_version.clone(),
        html_version: config.target.html_version.clone(),
        embedded,
        tls_verify: config.tls.verify,
        ssp_url: config
            .target
            .ssp_url
            .as_deref()
            .map(|u| crate::redact::userinfo(u).into_owned()),
        cover: cover_sheet(config),
    }
}

/// The cover sheet from `[report]`, the practice and system identifiers defaulting to the target's.
fn cover_sheet(config: &Config) -> crate::report::CoverSheet {
    let r = &config.report;
    crate::report::CoverSheet {
        supplier: r.supplier.clone(),
        product: r.product.clone(),
        product_version: r.product_version.clone(),
        ods_code: r
            .ods_code
            .clone()
            .unwrap_or_else(|| config.target.provider_ods_code.clone()),
        asid: r
            .asid
            .clone()
            .unwrap_or_else(|| config.target.provider_asid.clone()),
        assessor: r.assessor.clone(),
        sign_off: r
            .sign_off
            .iter()
            .map(|s| crate::report::SignOffBox {
                role: s.role.clone(),
                name: s.name.clone(),
            })
            .collect(),
        notes: r.notes.clone(),
    }
}

/// Before any scenario: ask each service root the selected scenarios use for its CapabilityStatement.
/// A root that does not answer with one (connection refused, 404, a page that is not FHIR) is a wrong
/// URL or a provider that is not there, and would otherwise show as hundreds of failures.
///
/// A run stopped meanwhile (deadline, Ctrl-C) skips the rest of the check: its scenarios are then all
/// reported "not run".
///
/// Returns the formats each root's CapabilityStatement declares (`format`), which decide whether its
/// XML scenarios run (see [`advisory`]).
pub async fn preflight(
    config: &Config,
    client: &Client,
    roots: &[Interaction],
    stop: &Stop,
) -> Result<Vec<(Interaction, Vec<String>)>, RunError> {
    // All at once (as many as the run has turns for): behind the SSP each answer is a round trip,
    // and the connections they open serve the first scenarios. Judged in the roots' order, and
    // the first that fails ends the check (the others are dropped unanswered): a provider that
    // hangs costs one timeout, as when the roots were asked one by one.
    let mut answers: futures::stream::FuturesOrdered<_> = roots
        .iter()
        .map(|&metadata| {
            let spec = RequestSpec::new(config, metadata, None);
            async move {
                let exchange = client
                    .send_until(&spec, stop.stopped().map(|r| r.to_string()))
                    .await;
                (metadata, exchange)
            }
        })
        .collect();
    let mut formats = Vec::new();
    while let Some((metadata, exchange)) = answers.next().await {
        if stop.reason().is_some() {
            return Ok(formats);
        }
        let problem = match (&exchange.response, &exchange.error) {
            (_, Some(message)) => Some(format!("no answer: {message}")),
            (Some(r), None) if r.status != 200 => {
                Some(format!("HTTP {} to GET {}", r.status, exchange.request.url))
            }
            (Some(_), None) => {
                // A DSTU2 root (Access Record HTML) answers with its Conformance.
                let expected = if metadata.spec().capability == crate::gpconnect::Capability::Html {
                    "Conformance"
                } else {
                    "CapabilityStatement"
                };
                match crate::checks::response::body_as_json(&exchange).and_then(|b| {
                    crate::checks::response::resource_type_is(&b, expected).map(|()| b)
                }) {
                    Ok(cs) => {
                        let declared = crate::checks::capability::formats(&cs)
                            .into_iter()
                            .map(str::to_string)
                            .collect();
                        formats.push((metadata, declared));
                        None
                    }
                    Err(e) => Some(format!("the answer is not a CapabilityStatement: {e}")),
                }
            }
            (None, None) => Some("no answer".into()),
        };
        if let Some(message) = problem {
            return Err(RunError::Unreachable {
                url: exchange.request.url.clone(),
                message,
            });
        }
    }
    Ok(formats)
}

/// The metadata interaction of the service root a scenario (by its tags) uses.
pub fn root_of(tags: &[&String]) -> Interaction {
    if tags.iter().any(|t| t.as_str() == "structured") {
        Interaction::StructuredMetadata
    } else if tags.iter().any(|t| t.as_str() == "documents") {
        Interaction::DocumentsMetadata
    } else if tags.iter().any(|t| t.as_str() == "html") {
        Interaction::HtmlMetadata
    } else {
        Interaction::Metadata
    }
}

/// The metadata interaction of each service root the selected scenarios use.
fn roots_used<'a>(scenarios: impl Iterator<Item = Vec<&'a String>>) -> Vec<Interaction> {
    let mut used = Vec::new();
    for tags in scenarios {
        let root = root_of(&tags);
        if !used.contains(&root) {
            used.push(root);
        }
    }
    // Foundations first: when nothing answers, the message names the root every consumer starts from.
    [
        Interaction::Metadata,
        Interaction::StructuredMetadata,
        Interaction::DocumentsMetadata,
        Interaction::HtmlMetadata,
    ]
    .into_iter()
    .filter(|root| used.contains(root))
    .collect()
}

/// Run the features. Scenario failures are in the report; only problems that stop the run are errors.
pub async fn run(options: RunOptions, progress: Progress) -> Result<RunReport, RunError> {
    run_with(options, progress, false).await
}

/// As [`run`]; with `fail_fast`, no new scenario starts once one has failed (used where the question is
/// only "does anything fail?").
pub async fn run_with(
    options: RunOptions,
    progress: Progress,
    fail_fast: bool,
) -> Result<RunReport, RunError> {
    let RunOptions {
        config,
        features,
        tags,
        concurrency,
        embedded,
        max_duration,
        stop,
        out: _,
        evidence_sidecar,
        selection,
    } = options;
    let clock = std::time::Instant::now();
    let started = chrono::Utc::now();
    prepare_beside();
    // The deadline counts from here and covers the check of the service roots too.
    let deadline = max_duration.map(|limit| {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(limit).await;
            if stop.stop(StopReason::Deadline) && progress != Progress::Silent {
                eprintln!(
                    "Time limit of {} reached: no new scenario starts, requests in flight are abandoned, what was booked is cancelled (up to {}s), then the reports are written.",
                    humantime::format_duration(limit),
                    STOP_GRACE.as_secs()
                );
            }
        })
    });
    let deadline = AbortOnDrop(deadline);
    config
        .validate()
        .map_err(|e| RunError::Config(e.to_string()))?;
    let filter = tags.as_deref().map(parse_tags).transpose()?;
    // `--features path/to.feature:LINE` is a features root narrowed to a line.
    let (features, root_lines) = plan::split_location(&features);
    let mut selection = selection;
    if !root_lines.is_empty() {
        let lines: Vec<String> = root_lines.iter().map(usize::to_string).collect();
        selection
            .locations
            .push(format!("{}:{}", features.display(), lines.join(":")));
    }
    // cucumber reports absolute paths; an absolute root lets results name features relative to it.
    let features = std::fs::canonicalize(&features).unwrap_or(features);
    let parsed = plan::load_features(&features)?;
    let chosen = Arc::new(selection.resolve(&features, &parsed)?);
    // Said even with --quiet: a scenario asked for and not run must not go unnoticed.
    for note in &chosen.notes {
        eprintln!("warning: {note}");
    }
    let admitted = |f: &cucumber::gherkin::Feature, s: &cucumber::gherkin::Scenario| {
        chosen.admits(&collector::key(&features, f, s))
    };
    let selected_count = plan::scenarios(&parsed)
        .filter(|(f, s, tags)| {
            admitted(f, s) && filter.as_ref().is_none_or(|e| e.eval(tags.iter().copied()))
        })
        .count();
    let selected = plan::scenarios(&parsed).filter(|(f, s, tags)| {
        admitted(f, s)
            && version_selected(tags, &config.target)
            && filter.as_ref().is_none_or(|e| e.eval(tags.iter().copied()))
    });
    let roots = roots_used(selected.map(|(_, _, tags)| tags));
    let mut not_applicable =
        plan::not_applicable(&parsed, &features, filter.as_ref(), &config.target);
    // Scenarios the selection left out are not listed at all, not even as not applicable.
    for f in &mut not_applicable {
        let path = f.path.clone();
        f.scenarios
            .retain(|s| chosen.admits(&(path.clone(), s.line, s.name.clone())));
    }
    not_applicable.retain(|f| !f.scenarios.is_empty());
    let mut meta = crate::report::RunMeta {
        working_dir: std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        hostname: meta::hostname(),
        config_toml: meta::config_toml(&config),
        features: meta::feature_set(&features).map_err(|e| RunError::Features {
            path: features.clone(),
            message: e.to_string(),
        })?,
        selection: chosen.meta.clone(),
        tls: crate::report::curl::CurlTls::of(&config.tls),
        ..Default::default()
    };
    meta.selection.tags = tags.clone();
    meta.selection.selected = selected_count;
    let client = Client::new(&config)?;
    let pool = client.clone();
    let formats = preflight(&config, &client, &roots, &stop).await?;
    let sidecar = evidence_sidecar
        .as_deref()
        .map(crate::http::evidence::Sidecar::create)
        .transpose()
        .map_err(RunError::Evidence)?;

    let ctx = RunContext::with_stop(config.clone(), client, stop.clone());
    for (root, declared) in formats {
        ctx.set_formats(root, declared);
    }
    // XML scenarios of a root whose provider declares no XML are not sent: they end as warnings.
    let xml_ctx = Arc::clone(&ctx);
    let xml_config = config.clone();
    let withhold_xml = move |tags: &[&String]| -> Option<String> {
        let root = root_of(tags);
        if !advisory::is_xml(tags) || xml_ctx.offers_xml(root) {
            return None;
        }
        let url = RequestSpec::new(&xml_config, root, None).url();
        Some(advisory::xml_not_offered(
            &url,
            &xml_ctx.formats_of(root).unwrap_or_default(),
        ))
    };
    let xml_withheld = advisory::withheld(
        &parsed,
        &features,
        filter.as_ref(),
        &config.target,
        &withhold_xml,
    );
    let collector =
        Collector::new(Arc::clone(&ctx), features.clone(), progress).with_sidecar(sidecar);
    let before_ctx = Arc::clone(&ctx);
    let after_ctx = Arc::clone(&ctx);
    let before_root = features.clone();
    let features_root = features.clone();

    let steps = lookup::collection().map_err(|e| RunError::StepDefinitions(e.to_string()))?;
    let cucumber = cucumber::Cucumber::<crate::steps::Assurance, _, PathBuf, _, _, _>::new()
        .with_parser::<_, PathBuf>(plan::Preparsed(parsed))
        .steps(steps)
        .max_concurrent_scenarios(concurrency.max(1))
        .with_writer(collector)
        .before(move |feature, _rule, scenario, _world| {
            // Once the run is stopped, no scenario starts: failing the before hook skips its steps.
            let stopped = before_ctx.stop.reason().map(|reason| {
                let key = collector::key(&before_root, feature, scenario);
                before_ctx.mark_cut(key, Cut::NotRun(reason));
                Problem::error(Cut::NotRun(reason).message()).to_string()
            });
            async move {
                if let Some(message) = stopped {
                    std::panic::panic_any(message);
                }
            }
            .boxed_local()
        })
        .after(move |feature, _rule, scenario, _finished, world| {
            let ctx = Arc::clone(&after_ctx);
            let key = collector::key(&features_root, feature, scenario);
            async move {
                if let Some(w) = world {
                    if let Some(reason) = w.cut {
                        ctx.mark_cut(key.clone(), Cut::Stopped(reason));
                    }
                    // Cancel what the scenario booked, pass or fail (appointments teardown).
                    let booked = std::mem::take(&mut w.cleanup);
                    let teardown = crate::steps::appointments::teardown(&ctx, booked).await;
                    w.exchanges.extend(teardown);
                    let exchanges = std::mem::take(&mut w.exchanges);
                    let invalid = crate::steps::validation::errors_in(&exchanges);
                    let under_test = w.under_test;
                    ctx.deposit(
                        key,
                        Evidence {
                            exchanges,
                            under_test,
                        },
                    );
                    // Every response must be valid FHIR: a failing after-hook fails the scenario.
                    if let Some(message) = invalid {
                        std::panic::panic_any(message);
                    }
                }
            }
            .boxed_local()
        })
        // Last: changing the writer resets the CLI options, and without defaults cucumber would parse
        // the process arguments as its own.
        .with_default_cli();
    let cucumber = if fail_fast {
        cucumber.fail_fast()
    } else {
        cucumber
    };
    let versions = config.target.clone();
    let filter_root = features.clone();
    let filter_chosen = Arc::clone(&chosen);
    let run = cucumber.filter_run(features.clone(), move |feature, rule, scenario| {
        let tags: Vec<&String> = feature
            .tags
            .iter()
            .chain(rule.iter().flat_map(|r| &r.tags))
            .chain(scenario.tags.iter())
            .collect();
        filter_chosen.admits(&collector::key(&filter_root, feature, scenario))
            && version_selected(&tags, &versions)
            && match &filter {
                None => true,
                Some(expr) => expr.eval(tags.iter().copied()),
            }
            && withhold_xml(&tags).is_none()
    });
    let collector = with_quiet_panics(CONTEXT.scope(Arc::clone(&ctx), run)).await;
    // Every scenario and its teardown are done: a deadline passing now stops nothing.
    drop(deadline);
    let (mut features_out, run_errors) = collector.finish();
    merge_not_applicable(&mut features_out, not_applicable);
    merge_not_applicable(&mut features_out, xml_withheld);
    let stopped = stop
        .reason()
        .map(|reason| stop_summary(reason, max_duration, &features_out));

    Ok(RunReport {
        tool: "gpc-assure".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at: started.to_rfc3339(),
        finished_at: chrono::Utc::now().to_rfc3339(),
        duration_ms: clock.elapsed().as_secs_f64() * 1000.0,
        target: target_summary(&config, embedded),
        tag_filter: tags,
        meta,
        concurrency,
        features: features_out,
        run_errors,
        stopped,
        not_evaluated: crate::fhir::not_evaluated_invariants(),
        connections_opened: Some(pool.connections_opened()),
    })
}

/// Aborts a spawned task (the deadline timer) when the run ends, however it ends.
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// What a stopped run left undone, for the report.
fn stop_summary(
    reason: StopReason,
    max_duration: Option<Duration>,
    features: &[FeatureResult],
) -> RunStopped {
    let count = |cut: Cut| {
        let message = cut.message();
        features
            .iter()
            .flat_map(|f| &f.scenarios)
            .filter(|s| {
                s.status == Status::Error
                    && s.failure.as_ref().is_some_and(|f| f.message == message)
            })
            .count()
    };
    let not_run = count(Cut::NotRun(reason));
    let cut = count(Cut::Stopped(reason));
    let what = match reason {
        StopReason::Deadline => format!(
            "The run reached its time limit of {} (--max-duration)",
            max_duration
                .map(|d| humantime::format_duration(d).to_string())
                .unwrap_or_else(|| "?".into())
        ),
        StopReason::Interrupted => "The run was interrupted (Ctrl-C)".to_string(),
    };
    RunStopped {
        reason,
        message: format!(
            "{what}: {not_run} scenario{} not run and {cut} cut short, reported as errors; what the scenarios booked was cancelled as far as the provider answered in time (see the teardown exchanges).",
            if not_run == 1 { " was" } else { "s were" },
        ),
        not_run,
        cut,
    }
}

/// Apply a stop's mark to a finished scenario: it is an error ("not run: deadline", "stopped:
/// interrupted"), never a pass or a failure, since its steps did not all run against real answers.
pub(crate) fn apply_cut(s: &mut crate::report::ScenarioResult, cut: Cut) {
    let message = cut.message();
    s.status = Status::Error;
    let step = match cut {
        Cut::NotRun(_) => String::new(),
        Cut::Stopped(_) => s.failure.take().map(|f| f.step).unwrap_or_default(),
    };
    if let Some(st) = s.steps.iter_mut().rev().find(|st| st.message.is_some()) {
        st.status = Status::Error;
        st.message = Some(message.clone());
    }
    s.failure = Some(crate::report::Failure { step, message });
}

/// Compile the step patterns and load the validator's definitions on another thread, while the run
/// reads its features and waits for the service roots' CapabilityStatements: otherwise the run's
/// thread does it when the first scenarios start, and every scenario waits (benches/README.md).
/// Both are loaded once per process; what the run's thread asks for before it is ready waits for
/// it. If no thread can be started, they are loaded when first needed, as before.
fn prepare_beside() {
    let _ = std::thread::Builder::new()
        .name("gpc-assure-prepare".into())
        .spawn(|| {
            let _ = lookup::assurance();
            let _ = crate::fhir::validator();
        });
}

/// Watch for Ctrl-C while a run goes on: the first stops it cleanly (`what_happens` is printed, the
/// run stops starting scenarios, tears down and writes its report); the second exits at once with
/// status 130, even while the run's thread is busy (the watch runs apart from it, see
/// [`crate::runtime`]). Abort the returned task when the run is over.
pub fn watch_ctrl_c(stop: Stop, what_happens: String) -> tokio::task::JoinHandle<()> {
    crate::runtime::spawn_apart(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("{what_happens}");
        stop.stop(StopReason::Interrupted);
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("Interrupted again: exiting at once, without reports or teardown.");
            std::process::exit(130);
        }
    })
}

/// Add the scenarios not applicable to the target's version beside those that ran, each feature's
/// scenarios in line order.
fn merge_not_applicable(features: &mut Vec<FeatureResult>, not_applicable: Vec<FeatureResult>) {
    for na in not_applicable {
        match features.iter_mut().find(|f| f.path == na.path) {
            Some(f) => f.scenarios.extend(na.scenarios),
            None => features.push(na),
        }
    }
    for f in features.iter_mut() {
        f.scenarios
            .sort_by(|a, b| a.line.cmp(&b.line).then(a.name.cmp(&b.name)));
    }
    features.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Whether a scenario's version tags admit the target: `@since:X.Y.Z` (target ≥ X.Y.Z) and
/// `@until:X.Y.Z` (target ≤ X.Y.Z), on the feature, rule, scenario or Examples. `@structured` and
/// `@documents` scenarios compare with `target.structured_version`, `@html` ones with
/// `target.html_version`, others with `target.gpconnect_version`, so one feature set
/// serves every version and a run executes exactly the expectations of the version configured.
/// Untagged scenarios always run; a tag whose version does not parse deselects (a typo must not pass
/// silently as "runs everywhere").
pub fn version_selected(tags: &[&String], target: &crate::config::TargetConfig) -> bool {
    use crate::config::parse_version;
    // Access Document ships with Access Record Structured (1.5.0+) and follows its version; Access
    // Record HTML (0.x) has versions of its own.
    let structured = tags
        .iter()
        .any(|t| t.as_str() == "structured" || t.as_str() == "documents");
    let html = tags.iter().any(|t| t.as_str() == "html");
    let configured = if html {
        &target.html_version
    } else if structured {
        &target.structured_version
    } else {
        &target.gpconnect_version
    };
    let Some(v) = parse_version(configured) else {
        return true;
    };
    tags.iter().all(|t| {
        if let Some(since) = t.strip_prefix("since:") {
            parse_version(since).is_some_and(|s| v >= s)
        } else if let Some(until) = t.strip_prefix("until:") {
            parse_version(until).is_some_and(|u| v <= u)
        } else {
            true
        }
    })
}

/// Failing steps panic inside cucumber (which catches them); keep the default hook from printing those
/// panics as if the program had crashed.
async fn with_quiet_panics<F: std::future::Future>(f: F) -> F::Output {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static QUIET: AtomicUsize = AtomicUsize::new(0);
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(Ordering::SeqCst) == 0 {
                default(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let out = f.await;
    QUIET.fetch_sub(1, Ordering::SeqCst);
    out
}

#[cfg(test)]
mod version_tests {
    use super::version_selected;
    use crate::config::TargetConfig;

    fn sel(tags: &[&str], structured: &str) -> bool {
        let owned: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let refs: Vec<&String> = owned.iter().collect();
        let target = TargetConfig {
            structured_version: structured.into(),
            gpconnect_version: "1.2.7".into(),
            ..TargetConfig::default()
        };
        version_selected(&refs, &target)
    }

    #[test]
    fn since_and_until_select_by_the_structured_version() {
        assert!(sel(&["structured"], "1.2.7"));
        assert!(sel(&["structured", "since:1.5.0"], "1.6.2"));
        assert!(!sel(&["structured", "since:1.5.0"], "1.2.7"));
        assert!(sel(&["structured", "until:1.2.7"], "1.2.7"));
        assert!(!sel(&["structured", "until:1.2.7"], "1.6.2"));
        assert!(sel(&["structured", "since:1.3.0", "until:1.6.1"], "1.5.0"));
        assert!(!sel(&["structured", "since:1.3.0", "until:1.6.1"], "1.6.2"));
        assert!(!sel(&["structured", "since:1.x"], "1.6.2"));
        assert!(sel(&["documents", "since:1.6.0"], "1.6.2"));
        assert!(!sel(&["documents", "since:1.6.0"], "1.5.0"));
    }

    #[test]
    fn html_scenarios_select_by_the_html_version() {
        let mut target = crate::config::TargetConfig::default();
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sel = |t: &[String], target: &crate::config::TargetConfig| {
            version_selected(&t.iter().collect::<Vec<_>>(), target)
        };
        target.html_version = "0.7.4".into();
        assert!(sel(&tags(&["html", "since:0.7.3"]), &target));
        target.html_version = "0.7.2".into();
        assert!(!sel(&tags(&["html", "since:0.7.3"]), &target));
        assert!(sel(&tags(&["html", "until:0.7.2"]), &target));
        // Not compared with the 1.x versions.
        assert!(!sel(&tags(&["html", "since:1.0.0"]), &target));
    }

    #[test]
    fn other_scenarios_use_the_gpconnect_version() {
        assert!(sel(&["foundations", "until:1.2.7"], "1.6.2"));
        assert!(!sel(&["foundations", "since:1.5.0"], "1.6.2"));
        assert!(sel(&["foundations"], "1.6.2"));
    }
}

#[cfg(test)]
mod summary_tests {
    use super::target_summary;
    use crate::config::Config;

    #[test]
    fn the_summary_masks_url_credentials_and_records_tls_verification() {
        let mut config = Config::default();
        config.target.foundations_url = "https://gw:pa55@p.example/B82617/STU3/1/gpconnect".into();
        config.target.documents_url = Some("https://token@d.example/documents".into());
        config.tls.verify = false;
        let s = target_summary(&config, false);
        assert_eq!(
            s.foundations_url,
            "https://***:***@p.example/B82617/STU3/1/gpconnect"
        );
        assert_eq!(
            s.structured_url,
            "https://***:***@p.example/B82617/STU3/1/gpconnect/structured"
        );
        assert_eq!(s.documents_url, "https://***@d.example/documents");
        assert!(!s.tls_verify);
        config.tls.verify = true;
        assert!(target_summary(&config, false).tls_verify);
    }
}

#[cfg(test)]
mod preflight_tests {
    use super::{preflight, RunError, Stop};
    use crate::config::Config;
    use crate::gpconnect::Interaction;
    use crate::http::Client;

    #[tokio::test]
    async fn the_first_root_that_fails_ends_the_check_without_waiting_for_the_others() {
        // Foundations refuses at once (nothing listens); Structured accepts and never answers.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = closed.local_addr().unwrap();
        drop(closed);
        let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent = hanging.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = hanging.accept().await {
                open.push(stream);
            }
        });
        let mut config = Config::default();
        config.target.foundations_url = format!("http://{refused}/gpconnect");
        config.target.structured_url = Some(format!("http://{silent}/gpconnect/structured"));
        config.http.timeout_seconds = 600;
        config.http.concurrency = 4;
        let client = Client::new(&config).unwrap();
        let roots = [Interaction::Metadata, Interaction::StructuredMetadata];
        let checked = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            preflight(&config, &client, &roots, &Stop::new()),
        )
        .await
        .expect("the check ended on the refused root, not after the silent one's timeout");
        match checked {
            Err(RunError::Unreachable { url, .. }) => {
                assert!(url.starts_with(&format!("http://{refused}/")), "{url}")
            }
            other => panic!("{other:?}"),
        }
        held.abort();
    }
}
