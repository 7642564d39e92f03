//! results.json: the machine-readable report, for CI gates and tooling that post-processes a run.
//!
//! The document is a stable, versioned view over [`RunReport`] rather than a direct serialisation of
//! it, so the evidence model can evolve without breaking consumers: anything that changes the
//! meaning or shape of an existing field must bump [`SCHEMA_VERSION`]. Derived data a consumer would
//! otherwise have to recompute (totals, the overall verdict, per-capability verdicts, requirement
//! coverage) is included so that a gate can be a one-line `jq` expression such as `.passed`.
//!
//! Evidence is written as recorded, not reformatted; each body keeps only its start, at most
//! `http.evidence_body_bytes` for the exchange a failing step judged (2 KiB for the other exchanges
//! and for scenarios that passed), so the file stays bounded whatever a provider sends. Each body's
//! `body_info` gives its full length in bytes and its SHA-256, and `cut` when the start is all the
//! record holds; the whole body is in the evidence sidecar beside it
//! (`evidence.jsonl.gz`: one gzipped JSON line per scenario, the authoritative copy of what went over
//! the wire). A response body's bytes that are not UTF-8 are written `\xNN` (`invalid_utf8_at` is the
//! first one's offset); `truncated` says where the harness stopped reading (`http.max_response_bytes`).

use std::io::Write;

use serde::Serialize;

use super::model::RunMeta;
use super::model::{
    CapabilityVerdict, Failure, FeatureResult, RequirementCoverage, RunReport, RunStopped,
    ScenarioResult, Status, StepResult, TargetSummary, Totals, Verdict,
};
use crate::http::Exchange;

/// Version of the results.json layout. Bump on any incompatible change (renamed, removed or
/// re-typed field); adding a field is compatible and does not bump it.
///
/// 3: `requirements` is the traceability matrix: it lists every catalogued requirement, those no
/// scenario of the run checked included (`scenarios` 0, `status` not_applicable, `coverage` saying
/// why), where it used to list only the ids scenarios carried. Each entry gained `coverage`,
/// `catalogued`, `rule`, `level`, `spec`, `section`, `capability`, `versions`, `gap` and
/// `scenario_refs`; features gained `description`. Evidence bodies keep only their start (`body_info.cut`), with `body_info` giving the full
/// length and SHA-256; a response's `truncated` is an object (`at_bytes`, `stage`) or null, no longer
/// a boolean; bytes that are not UTF-8 are written `\xNN` instead of being replaced.
///
/// Additions within 3: the outcome `warning` (a SHOULD or MAY the provider does not follow, or XML it
/// does not offer; never a failure) wherever an outcome appears, and `totals.warning`; `target.ssp_url`,
/// the Spine Secure Proxy the requests went through (`null` when they went to the service roots
/// directly); the cover sheet `target.cover` (supplier, product, product_version, ods_code, asid,
/// assessor, sign_off, notes; from `[report]`).
pub const SCHEMA_VERSION: u32 = 3;

/// Render results.json (see [`write`]).
pub fn render(report: &RunReport) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write(report, &mut out).map_err(serde_json::Error::io)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Write results.json to `out` as it is serialised: one value per line, so that two runs compare
/// line by line with `diff`, but without indentation, which would otherwise make up a third of a
/// full run's file (jq or any JSON viewer indents it again).
pub fn write(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    let mut writer = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b""),
    );
    Document::new(report).serialize(&mut writer)?;
    out.write_all(b"\n")
}

/// The top-level object.
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: &'a str,
    tool_version: &'a str,
    started_at: &'a str,
    finished_at: &'a str,
    duration_ms: f64,
    concurrency: usize,
    tag_filter: Option<&'a str>,
    target: &'a TargetSummary,
    /// What it takes to repeat the run: command line and configuration (secrets redacted), host,
    /// feature files and their SHA-256, the selection. Each exchange's curl command is not stored:
    /// it follows from the exchange's request and `meta.tls` (see `report::curl`).
    meta: &'a RunMeta,
    /// Whether every applicable scenario passed ([`RunReport::passed`]).
    passed: bool,
    /// passed, failed or incomplete, and the exit status it gives ([`RunReport::verdict`]).
    verdict: Verdict,
    exit_code: u8,
    totals: Totals,
    /// Problems that stopped part of the run; a non-empty list means the run failed.
    run_errors: &'a [String],
    /// `null`, or why the run was stopped early (`reason`: deadline or interrupted), with a message
    /// and how many scenarios were not run or cut short.
    stopped: Option<&'a RunStopped>,
    /// FHIRPath invariants met in the run that the validator cannot evaluate, each once, as
    /// `key (what it lacks)`: not checked, so not part of any verdict.
    not_evaluated: &'a [String],
    /// Connections the harness opened to the provider (TLS probes apart); absent when not counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    connections_opened: Option<u64>,
    capabilities: Vec<CapabilityVerdict>,
    requirements: Vec<RequirementCoverage>,
    features: Vec<FeatureDoc<'a>>,
}

impl<'a> Document<'a> {
    fn new(report: &'a RunReport) -> Self {
        Document {
            schema_version: SCHEMA_VERSION,
            tool: &report.tool,
            tool_version: &report.tool_version,
            started_at: &report.started_at,
            finished_at: &report.finished_at,
            duration_ms: report.duration_ms,
            concurrency: report.concurrency,
            tag_filter: report.tag_filter.as_deref(),
            target: &report.target,
            meta: &report.meta,
            passed: report.passed(),
            verdict: report.verdict(),
            exit_code: report.verdict().exit_code(),
            totals: report.totals(),
            run_errors: &report.run_errors,
            stopped: report.stopped.as_ref(),
            not_evaluated: &report.not_evaluated,
            connections_opened: report.connections_opened,
            capabilities: report.capabilities(),
            requirements: report.requirements(),
            features: report.features.iter().map(FeatureDoc::new).collect(),
        }
    }
}

#[derive(Serialize)]
struct FeatureDoc<'a> {
    name: &'a str,
    path: &'a str,
    tags: &'a [String],
    /// The free text under `Feature:`, which cites the specification.
    description: Option<&'a str>,
    verdict: Status,
    passed: usize,
    failed: usize,
    scenarios: Vec<ScenarioDoc<'a>>,
}

impl<'a> FeatureDoc<'a> {
    fn new(f: &'a FeatureResult) -> Self {
        FeatureDoc {
            name: &f.name,
            path: &f.path,
            tags: &f.tags,
            description: f.description.as_deref(),
            verdict: f.verdict(),
            passed: f.passed(),
            failed: f.failed(),
            scenarios: f.scenarios.iter().map(|s| ScenarioDoc::new(f, s)).collect(),
        }
    }
}

/// One scenario. It repeats its feature's name and path so that a consumer can flatten
/// `[.features[].scenarios[]]` and still know where each scenario came from.
#[derive(Serialize)]
struct ScenarioDoc<'a> {
    feature: &'a str,
    feature_path: &'a str,
    name: &'a str,
    line: usize,
    tags: &'a [String],
    requirements: &'a [String],
    status: Status,
    duration_ms: f64,
    /// The step that did not pass and why; `null` when the scenario passed.
    failure: Option<&'a Failure>,
    /// Index into `evidence` of the exchange the failing step judged.
    culprit: Option<usize>,
    /// Index into `steps` of the failing step, when it can be identified.
    failing_step_index: Option<usize>,
    steps: &'a [StepResult],
    evidence: &'a [Exchange],
}

impl<'a> ScenarioDoc<'a> {
    fn new(f: &'a FeatureResult, s: &'a ScenarioResult) -> Self {
        ScenarioDoc {
            feature: &f.name,
            feature_path: &f.path,
            name: &s.name,
            line: s.line,
            tags: &s.tags,
            requirements: &s.requirements,
            status: s.status,
            duration_ms: s.duration_ms,
            failure: s.failure.as_ref(),
            culprit: s.culprit,
            failing_step_index: s.steps.iter().position(|st| st.message.is_some()),
            steps: &s.steps,
            evidence: &s.evidence,
        }
    }
}
