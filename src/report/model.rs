//! The evidence model of one run: what every writer (HTML, JUnit, JSON) renders.

use serde::Serialize;

use crate::gpconnect::requirements::{Catalogue, Level, Requirement, Versions};
use crate::http::Exchange;

/// How a scenario or step ended: see [`Outcome`](crate::verdict::Outcome).
pub use crate::verdict::Outcome as Status;
pub use crate::verdict::StopReason;

/// One step as it ran.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepResult {
    pub keyword: String,
    pub text: String,
    pub status: Status,
    /// Why it failed.
    pub message: Option<String>,
    /// Whether it came from the feature's Background.
    pub background: bool,
}

/// One scenario (one Examples row of an outline).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioResult {
    pub name: String,
    pub line: usize,
    /// Tags without the leading `@`, feature tags included.
    pub tags: Vec<String>,
    /// Requirement ids from `@req:` tags.
    pub requirements: Vec<String>,
    pub status: Status,
    pub steps: Vec<StepResult>,
    /// The step that did not pass (failed, inconclusive or error), and why.
    pub failure: Option<Failure>,
    pub evidence: Vec<Exchange>,
    /// Index in `evidence` of the exchange the failing check was about (the response under test when
    /// the step stopped), so the report shows that one first rather than a teardown request.
    pub culprit: Option<usize>,
    pub duration_ms: f64,
}

/// The first step of a scenario that did not pass.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Failure {
    pub step: String,
    pub message: String,
}

/// One feature file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FeatureResult {
    pub name: String,
    /// Path relative to the features directory.
    pub path: String,
    pub tags: Vec<String>,
    /// The free text under `Feature:` (what the feature checks and the specification it cites).
    pub description: Option<String>,
    pub scenarios: Vec<ScenarioResult>,
}

impl FeatureResult {
    /// Scenarios that ended with `outcome`.
    pub fn count(&self, outcome: Status) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.status == outcome)
            .count()
    }
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }
    /// The feature's verdict: the worst outcome of its applicable scenarios.
    pub fn verdict(&self) -> Status {
        worst(self.scenarios.iter().map(|s| s.status))
    }
}

/// The outcome a set of scenarios adds up to: failed if any failed, else error if any errored, else
/// inconclusive if any was, else warning if any was (a SHOULD or MAY not followed), else passed if any
/// passed, else not applicable.
pub fn worst(outcomes: impl IntoIterator<Item = Status>) -> Status {
    let mut seen_passed = false;
    let mut worst = Status::NotApplicable;
    for o in outcomes {
        match o {
            Status::Passed => seen_passed = true,
            Status::NotApplicable | Status::Skipped => {}
            other if other.severity() > worst.severity() => worst = other,
            _ => {}
        }
    }
    if worst.severity() > 0 {
        worst
    } else if seen_passed {
        Status::Passed
    } else {
        Status::NotApplicable
    }
}

/// What was tested.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TargetSummary {
    pub foundations_url: String,
    pub structured_url: String,
    pub documents_url: String,
    /// The DSTU2 service root of Access Record HTML.
    pub html_url: String,
    pub provider_asid: String,
    pub provider_ods_code: String,
    pub gpconnect_version: String,
    pub structured_version: String,
    /// The Access Record HTML version (0.x) the provider implements.
    pub html_version: String,
    /// Whether the target was the embedded reference provider.
    pub embedded: bool,
    /// Whether the provider's TLS certificate was verified (`tls.verify`). A run that did not verify it
    /// cannot tell the provider from anything answering in its place: weaker evidence, flagged in every
    /// report.
    pub tls_verify: bool,
    /// The Spine Secure Proxy every request went through (`target.ssp_url`), or `None` when the run
    /// went to the service roots directly.
    pub ssp_url: Option<String>,
    /// The cover sheet: who and what was assessed, and who signs the report off (`[report]`).
    pub cover: CoverSheet,
}

/// The report's cover sheet (`[report]` in the configuration): the supplier, the product and its
/// version, the practice and system identifiers, the assessor, the sign-off boxes and free notes.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CoverSheet {
    pub supplier: Option<String>,
    pub product: Option<String>,
    pub product_version: Option<String>,
    /// ODS code of the practice (`target.provider_ods_code` unless `report.ods_code` says otherwise).
    pub ods_code: String,
    /// ASID of the provider system (`target.provider_asid` unless `report.asid` says otherwise).
    pub asid: String,
    pub assessor: Option<String>,
    /// A box each: the role signed as, and the name when known in advance.
    pub sign_off: Vec<SignOffBox>,
    pub notes: Option<String>,
}

/// One sign-off box of the cover sheet.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SignOffBox {
    pub role: String,
    pub name: Option<String>,
}

/// Scenario counts, one per outcome.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Every scenario listed, not-applicable ones included.
    pub scenarios: usize,
    pub passed: usize,
    /// Scenarios of SHOULD/MAY rules the provider did not follow: reported, never a failure.
    pub warning: usize,
    pub failed: usize,
    pub inconclusive: usize,
    pub error: usize,
    pub not_applicable: usize,
    pub steps: usize,
    pub requests: usize,
}

impl Totals {
    fn add(&mut self, outcome: Status) {
        self.scenarios += 1;
        match outcome {
            Status::Passed => self.passed += 1,
            Status::Warning => self.warning += 1,
            Status::Failed => self.failed += 1,
            Status::Inconclusive => self.inconclusive += 1,
            Status::Error => self.error += 1,
            Status::NotApplicable | Status::Skipped => self.not_applicable += 1,
        }
    }

    /// Scenarios that applied to the target's version (everything but not applicable).
    pub fn applicable(&self) -> usize {
        self.scenarios - self.not_applicable
    }
}

/// Verdict per capability tag (`@foundations`, `@jwt`...).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapabilityVerdict {
    pub capability: String,
    pub verdict: Status,
    pub totals: Totals,
}

/// Where a requirement stands after a run: the outcome of its scenarios, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Every scenario that ran passed.
    Passed,
    /// None failed or could not be judged, but the provider did not follow the rule, a SHOULD or a MAY
    /// (or offers no XML): a warning, never a failure.
    Warning,
    /// A scenario failed: the provider broke the rule.
    Failed,
    /// None failed, but one could not be judged (a precondition was missing).
    Inconclusive,
    /// None failed, but the harness or the connection failed in one.
    Error,
    /// The rule, or all of its scenarios, do not apply to the target's version.
    NotApplicable,
    /// Scenarios check the rule, but none was selected for this run (a tag filter, another features
    /// directory).
    NotRun,
    /// The rule is testable but no scenario checks it yet.
    NotCovered,
    /// The harness cannot observe the rule through the API.
    NotTestable,
}

impl Coverage {
    /// Every coverage, in the order the report counts them.
    pub const ALL: &'static [Coverage] = &[
        Coverage::Failed,
        Coverage::Error,
        Coverage::Inconclusive,
        Coverage::Warning,
        Coverage::Passed,
        Coverage::NotApplicable,
        Coverage::NotRun,
        Coverage::NotCovered,
        Coverage::NotTestable,
    ];

    /// The coverage of a requirement whose scenarios ended with `outcome` ([`worst`] of them).
    pub fn of_outcome(outcome: Status) -> Coverage {
        match outcome {
            Status::Passed => Coverage::Passed,
            Status::Warning => Coverage::Warning,
            Status::Failed => Coverage::Failed,
            Status::Inconclusive => Coverage::Inconclusive,
            Status::Error => Coverage::Error,
            Status::NotApplicable | Status::Skipped => Coverage::NotApplicable,
        }
    }

    /// Whether the rule was tested and not shown to hold (failed, error or inconclusive).
    pub fn not_passed(self) -> bool {
        matches!(
            self,
            Coverage::Failed | Coverage::Error | Coverage::Inconclusive
        )
    }

    /// Words for people: `passed`, `not covered`...
    pub fn label(self) -> &'static str {
        match self {
            Coverage::Passed => "passed",
            Coverage::Warning => "warning",
            Coverage::Failed => "failed",
            Coverage::Inconclusive => "inconclusive",
            Coverage::Error => "error",
            Coverage::NotApplicable => "not applicable",
            Coverage::NotRun => "not run",
            Coverage::NotCovered => "not covered",
            Coverage::NotTestable => "not testable",
        }
    }
}

/// A scenario that checks a requirement, as the matrix links to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioRef {
    /// Index of the feature in [`RunReport::features`].
    pub feature: usize,
    /// Index of the scenario in that feature's `scenarios`.
    pub scenario: usize,
    pub feature_path: String,
    pub name: String,
    pub line: usize,
    pub status: Status,
}

/// One row of the traceability matrix: a requirement, the rule behind it, and how its scenarios ended.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequirementCoverage {
    pub id: String,
    /// The outcome of its scenarios in this run ([`worst`]); not applicable when none ran.
    pub status: Status,
    /// How many scenarios of the run check it.
    pub scenarios: usize,
    pub failed: usize,
    /// Where the requirement stands: its scenarios' outcome, or why it has none.
    pub coverage: Coverage,
    /// Whether the requirement catalogue knows the id (a tag the catalogue lacks is still listed).
    pub catalogued: bool,
    /// The rule, in the catalogue's words.
    pub rule: Option<String>,
    pub level: Option<Level>,
    /// The specification page that states it, and the heading there.
    pub spec: Option<String>,
    pub section: Option<String>,
    pub capability: Option<String>,
    /// The versions the rule applies to (absent when all).
    #[serde(skip_serializing_if = "Versions::is_unbounded")]
    pub versions: Versions,
    /// Why no scenario checks it, for a rule not covered or not testable.
    pub gap: Option<String>,
    /// The scenarios of this run that check it.
    pub scenario_refs: Vec<ScenarioRef>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunReport {
    pub tool: String,
    pub tool_version: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub target: TargetSummary,
    pub tag_filter: Option<String>,
    /// What it takes to repeat the run: command line, configuration, feature files, selection.
    pub meta: RunMeta,
    pub concurrency: usize,
    pub features: Vec<FeatureResult>,
    /// Problems that stopped part of the run (e.g. unparsable feature), shown first.
    pub run_errors: Vec<String>,
    /// Set when the run was stopped before every scenario had run (deadline, Ctrl-C): the verdict
    /// is then never passed.
    pub stopped: Option<RunStopped>,
    /// FHIRPath invariants of the definitions met during the run that the validator cannot
    /// evaluate, each once (`key (what it lacks)`): listed so that a pass is not read as having
    /// checked them.
    pub not_evaluated: Vec<String>,
    /// Connections the harness's client opened to the provider (each a TCP connection and, behind
    /// the SSP, a TLS handshake), however many requests each carried; the TLS probes' own
    /// connections are not counted. `None` when no run took place or it was not counted.
    pub connections_opened: Option<u64>,
}

/// Why and how a run was stopped early.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunStopped {
    /// `deadline` or `interrupted`.
    pub reason: StopReason,
    /// One sentence for people: what stopped the run and what it left undone.
    pub message: String,
    /// Scenarios that had not started (reported as errors "not run: <reason>").
    pub not_run: usize,
    /// Scenarios cut short (reported as errors "stopped: <reason>").
    pub cut: usize,
}

/// What it takes to repeat a run exactly: how it was started, with which settings, on which feature
/// files, and which scenarios it was limited to. Secrets are redacted from the command line and the
/// configuration (a password or token in a URL, a value of a key named like a secret).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RunMeta {
    /// The command line, one item per argument, secrets redacted (empty when not started from the
    /// command line).
    pub argv: Vec<String>,
    /// The directory the run was started in (relative paths on the command line are relative to it).
    pub working_dir: String,
    /// The host the run ran on.
    pub hostname: String,
    /// Names of the `GPC_ASSURE_*` environment variables that overrode the configuration (their
    /// effect is in `config_toml`; values are not repeated here).
    pub env_overrides: Vec<String>,
    /// The configuration as used (file, environment overrides, command-line options, the embedded
    /// provider's settings), rendered as TOML, secrets redacted.
    pub config_toml: String,
    /// The feature files the run read.
    pub features: FeatureSet,
    /// Which scenarios the run was limited to.
    pub selection: SelectionMeta,
    /// TLS of the connection (for the curl commands that repeat each exchange).
    pub tls: crate::report::curl::CurlTls,
}

/// The feature files a run read, and a fingerprint of them.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FeatureSet {
    /// The features directory or file (`--features`), as the run resolved it.
    pub root: String,
    /// How many `.feature` files it holds.
    pub files: usize,
    /// SHA-256 of the manifest: one line `<sha256 of the file>  <path>` per file, paths relative to
    /// `root` with `/`, sorted, each line ending in a newline (what `sha256sum` prints).
    pub sha256: String,
    /// Each file and its own SHA-256, in manifest order.
    pub manifest: Vec<FeatureFileHash>,
}

/// One feature file of a [`FeatureSet`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FeatureFileHash {
    pub path: String,
    pub sha256: String,
}

/// The selection a run was limited to, beyond the target's version (all kinds given must hold; within
/// a kind, any value).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SelectionMeta {
    /// `--tags`.
    pub tags: Option<String>,
    /// `--name` regular expressions.
    pub names: Vec<String>,
    /// `FEATURE[:LINE...]` locations (positional arguments, or `--features` with a line).
    pub locations: Vec<String>,
    /// `--rerun-failed`: the earlier run and what was taken from it.
    pub rerun_failed: Option<RerunMeta>,
    /// Scenarios selected (those that ran and those listed not applicable).
    pub selected: usize,
}

/// What `--rerun-failed` took from an earlier run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RerunMeta {
    /// The results.json read.
    pub from: String,
    /// Scenarios it lists as failed, inconclusive or in error.
    pub listed: usize,
    /// Those found again in the features (some by name alone when their line moved).
    pub found: usize,
    /// `path:line name` of those no longer in the features.
    pub not_found: Vec<String>,
}

/// What a run adds up to, and its exit status. A run stopped early (deadline, Ctrl-C) is never passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every applicable scenario passed, or ended in a warning (a SHOULD or MAY not followed), and at
    /// least one ran (exit 0).
    Passed,
    /// At least one scenario failed: the provider broke a rule (exit 1).
    Failed,
    /// None failed, but some were inconclusive or ended in error, or nothing applicable ran: the
    /// provider is not proven conformant (exit 3).
    Incomplete,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Incomplete => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Passed => "PASSED",
            Verdict::Failed => "FAILED",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

/// Tags that name a capability in the verdict table.
pub const CAPABILITY_TAGS: &[&str] = &[
    "foundations",
    "appointments",
    "structured",
    "documents",
    "html",
    "http",
    "jwt",
    "headers",
    "fhir",
    "errors",
    "format",
    "caching",
    "tls",
];

impl RunReport {
    /// The report of a run that could not start (e.g. the provider did not answer).
    pub fn not_run(target: TargetSummary, tag_filter: Option<String>, error: String) -> RunReport {
        let now = chrono::Utc::now().to_rfc3339();
        RunReport {
            tool: "gpc-assure".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started_at: now.clone(),
            finished_at: now,
            duration_ms: 0.0,
            target,
            tag_filter,
            meta: RunMeta::default(),
            concurrency: 0,
            features: Vec::new(),
            run_errors: vec![error],
            stopped: None,
            not_evaluated: Vec::new(),
            connections_opened: None,
        }
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in &self.features {
            for s in &f.scenarios {
                t.add(s.status);
                t.steps += s.steps.len();
                t.requests += s.evidence.len();
            }
        }
        t
    }

    /// `path:line name: step -> message` for every failed scenario.
    pub fn failure_lines(&self) -> Vec<String> {
        self.lines_of(Status::Failed)
    }

    /// `path:line name: step -> message` for every scenario that ended with `outcome`.
    pub fn lines_of(&self, outcome: Status) -> Vec<String> {
        self.features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
            .filter(|(_, s)| s.status == outcome)
            .map(|(f, s)| {
                let why = s
                    .failure
                    .as_ref()
                    .map(|x| format!("{} -> {}", x.step, x.message))
                    .unwrap_or_default();
                format!("{}:{} {}: {why}", f.path, s.line, s.name)
            })
            .collect()
    }

    /// Requirement ids of the failed scenarios, sorted, without repeats.
    pub fn failed_requirements(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .features
            .iter()
            .flat_map(|f| &f.scenarios)
            .filter(|s| s.status == Status::Failed)
            .flat_map(|s| s.requirements.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether the run passed: every applicable scenario passed (or ended in a warning), at least one
    /// ran, and nothing stopped the run.
    pub fn passed(&self) -> bool {
        self.verdict() == Verdict::Passed
    }

    /// The run's verdict (see [`Verdict`]).
    pub fn verdict(&self) -> Verdict {
        let t = self.totals();
        if t.failed > 0 {
            Verdict::Failed
        } else if t.inconclusive + t.error > 0
            || t.passed + t.warning == 0
            || !self.run_errors.is_empty()
            || self.stopped.is_some()
        {
            Verdict::Incomplete
        } else {
            Verdict::Passed
        }
    }

    /// Pass/fail per capability tag, in [`CAPABILITY_TAGS`] order.
    pub fn capabilities(&self) -> Vec<CapabilityVerdict> {
        CAPABILITY_TAGS
            .iter()
            .filter_map(|cap| {
                let mut totals = Totals::default();
                let mut outcomes = Vec::new();
                for s in self.features.iter().flat_map(|f| &f.scenarios) {
                    if s.tags.iter().any(|t| t == cap) {
                        totals.add(s.status);
                        outcomes.push(s.status);
                    }
                }
                (totals.scenarios > 0).then(|| CapabilityVerdict {
                    capability: cap.to_string(),
                    verdict: worst(outcomes),
                    totals,
                })
            })
            .collect()
    }

    /// The traceability matrix against the catalogue compiled into the binary: every catalogued
    /// requirement, and every id a scenario names that the catalogue lacks, sorted by id.
    pub fn requirements(&self) -> Vec<RequirementCoverage> {
        self.requirements_against(Catalogue::embedded())
    }

    /// The traceability matrix against `catalogue` (see [`requirements`](Self::requirements)).
    pub fn requirements_against(&self, catalogue: &Catalogue) -> Vec<RequirementCoverage> {
        let mut refs: std::collections::BTreeMap<&str, Vec<ScenarioRef>> = Default::default();
        for r in catalogue.iter() {
            refs.entry(r.id.as_str()).or_default();
        }
        for (fi, f) in self.features.iter().enumerate() {
            for (si, s) in f.scenarios.iter().enumerate() {
                for r in &s.requirements {
                    refs.entry(r).or_default().push(ScenarioRef {
                        feature: fi,
                        scenario: si,
                        feature_path: f.path.clone(),
                        name: s.name.clone(),
                        line: s.line,
                        status: s.status,
                    });
                }
            }
        }
        refs.into_iter()
            .map(|(id, scenario_refs)| {
                let entry = catalogue.get(id);
                let status = worst(scenario_refs.iter().map(|s| s.status));
                RequirementCoverage {
                    id: id.to_string(),
                    status,
                    scenarios: scenario_refs.len(),
                    failed: scenario_refs
                        .iter()
                        .filter(|s| s.status == Status::Failed)
                        .count(),
                    coverage: self.coverage_of(entry, &scenario_refs, status),
                    catalogued: entry.is_some(),
                    rule: entry.map(|r| r.rule.clone()),
                    level: entry.map(|r| r.level),
                    spec: entry.map(|r| r.spec.clone()),
                    section: entry.map(|r| r.section.clone()),
                    capability: entry.map(|r| r.capability.clone()),
                    versions: entry.map(|r| r.versions.clone()).unwrap_or_default(),
                    gap: entry.and_then(|r| r.gap()).map(str::to_string),
                    scenario_refs,
                }
            })
            .collect()
    }

    /// A requirement with scenarios in the run stands where they ended; one without stands outside the
    /// target's versions, untestable, uncovered or merely not selected, in that order.
    fn coverage_of(
        &self,
        entry: Option<&Requirement>,
        scenarios: &[ScenarioRef],
        outcome: Status,
    ) -> Coverage {
        if !scenarios.is_empty() {
            return Coverage::of_outcome(outcome);
        }
        let Some(r) = entry else {
            return Coverage::NotRun;
        };
        let version = if r.capability == "html" {
            &self.target.html_version
        } else if r.capability == "structured" || r.capability == "documents" {
            &self.target.structured_version
        } else {
            &self.target.gpconnect_version
        };
        if !r.versions.includes(version) {
            Coverage::NotApplicable
        } else if r.not_testable.is_some() {
            Coverage::NotTestable
        } else if !r.covered {
            Coverage::NotCovered
        } else {
            Coverage::NotRun
        }
    }
}
