//! index.html: the self-contained report people read to decide whether a provider conforms.
//!
//! The page is rendered with tera from `templates/index.html` (CSS and JS are separate templates
//! included inline, so the file works offline, from an e-mail attachment or printed). Layout is
//! verdict first: overall verdict, the cover sheet (`[report]`), counts and per-capability verdicts,
//! the requirement matrix, the failures grouped by root cause ([`failure_groups`]), the warnings
//! counted (folded), how to reproduce the run, then every feature with its scenarios, steps and
//! evidence. Printed, it is an A4 evidence pack: the cover on page 1, then the verdict, the matrix
//! and each failure with the exchange its failing step judged.
//!
//! # Safety of provider content
//!
//! Almost every string on the page (bodies, headers, URLs, error messages, even scenario names) is
//! controlled by the provider under test or by feature authors, and the report is opened by
//! assurance staff in a browser. So:
//! - autoescape is on for the template, and the templates never use the `safe` filter (a unit test
//!   enforces that); the CSS/JS templates contain no variables at all;
//! - provider strings are only placed in element text or double-quoted attributes, never in `href`,
//!   `style` or script, so HTML entity escaping is sufficient; the one `href` that is not a fragment
//!   of the page is a requirement's specification link, which comes from the catalogue compiled into
//!   the binary and is only emitted when it is a developer.nhs.uk GP Connect page URL;
//! - everything the template needs to compute (pretty-printing, truncation, which header a finding
//!   points at) is computed here in Rust, keeping logic out of the template;
//! - as defence in depth, a Content-Security-Policy `<meta>` forbids every network load, so even a
//!   missed escape could not pull in a remote script or beacon out (and the page provably needs
//!   nothing from the network).
//!
//! # Size
//!
//! A full run is ~1000 scenarios and ~2000 exchanges. Each body appears once in the page (no JSON
//! data island duplicating it for the script). The record of a finished scenario keeps only the start
//! of each body (`http.evidence_body_bytes`; the whole body is in the evidence sidecar,
//! `evidence.jsonl.gz`), and the page shows at most [`BODY_DISPLAY_LIMIT`] of it, saying how much of
//! how many bytes it shows and the body's SHA-256. The escape function does not escape `/`, which FHIR
//! bodies are full of. Only the exchange a failing step judged is shown in full; a scenario's other
//! exchanges, and those of passing scenarios in a large run ([`PASSING_EVIDENCE_IN_FULL`]), are one
//! line each (README, "Reading the report", states the budgets this keeps).

use std::io::Write;

use serde::Serialize;
use tera::{Context, Tera};

use super::curl;
use super::groups::{failure_groups, normalise, FailureGroup};
use super::model::{
    CapabilityVerdict, CoverSheet, Coverage, Failure, FeatureResult, RequirementCoverage,
    RunReport, RunStopped, ScenarioResult, SignOffBox, Status, TargetSummary, Totals, Verdict,
};
use crate::gpconnect::headers::AUTHORIZATION;
use crate::gpconnect::jwt;
use crate::gpconnect::requirements::{is_spec_url, spec_page, Level};
use crate::http::evidence::{BodyInfo, Exchange, Finding, RecordedResponse, Role, Truncation};

const TEMPLATE: &str = include_str!("templates/index.html");
const MACROS: &str = include_str!("templates/macros.html");
const FEATURES: &str = include_str!("templates/features.html");
const CSS: &str = include_str!("templates/report.css");
const JS: &str = include_str!("templates/report.js");

/// Bodies longer than this (in bytes) are shown cut, with a note saying where the whole body is.
pub const BODY_DISPLAY_LIMIT: usize = 32 * 1024;

/// Bodies of passing scenarios are cut sooner: a full run holds thousands of them, and the evidence
/// file keeps every one whole. So are those of an exchange a failing step did not judge but that a
/// validation error shows in full.
pub const PASSED_BODY_DISPLAY_LIMIT: usize = 4 * 1024;

/// Passing scenarios show their exchanges in full (headers, bodies, curl) while they hold at most this
/// many; beyond it (a full run holds thousands) each of their exchanges is one line (role, request,
/// status, time, findings), which keeps the page within its size budget. Their headers and bodies
/// are in results.json and evidence.jsonl.gz.
pub const PASSING_EVIDENCE_IN_FULL: usize = 200;

/// Passed or not applicable: nothing for the reader to look into.
fn passing(status: Status) -> bool {
    matches!(
        status,
        Status::Passed | Status::NotApplicable | Status::Skipped
    )
}

/// Where index.html's template puts the results of the features (rendered apart by
/// features.html). Every `<` a value brings is escaped, so the page's first occurrence of the mark
/// is the template's own.
const FEATURES_MARK: &str = "<!--features-->";

/// Render index.html (see [`write`]).
pub fn render(report: &RunReport) -> std::io::Result<String> {
    let mut page = Vec::new();
    write_on(report, render_threads(), &mut page)?;
    // tera writes the templates' text and escaped values, all UTF-8.
    String::from_utf8(page).map_err(std::io::Error::other)
}

/// Write index.html to `out`.
///
/// The results of the features, most of the page and of its rendering time, are rendered in
/// chunks on the machine's cores while this thread renders the rest of the page; each chunk is
/// the same text the page would hold in its place. Each feature is rendered from a context of its
/// own, and this thread's chunk goes straight to `out`: writing the page takes the features' views,
/// one feature's context per thread at a time and the other chunks' text, never a context of the
/// whole run or the page whole.
pub fn write(report: &RunReport, out: &mut impl Write) -> std::io::Result<()> {
    write_on(report, render_threads(), out)
}

/// [`write`], the results of the features in at most `threads` chunks at once.
fn write_on(report: &RunReport, threads: usize, out: &mut impl Write) -> std::io::Result<()> {
    let mut tera = Tera::default();
    tera.add_raw_templates(vec![
        ("macros.html", MACROS),
        ("index.html", TEMPLATE),
        ("features.html", FEATURES),
        ("report.css", CSS),
        ("report.js", JS),
    ])
    .map_err(with_causes)?;
    // Explicit rather than relying on tera's default suffix list: escaping is what keeps a hostile
    // provider's response from running script in the assessor's browser.
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    let mut view = View::new(report);
    let features = std::mem::take(&mut view.features);
    let chunks = chunks_of(&features, threads);
    std::thread::scope(|scope| {
        let helpers: Vec<_> = chunks
            .iter()
            .skip(1)
            .map(|chunk| {
                scope.spawn(|| {
                    let mut text = Vec::new();
                    render_features(&tera, chunk, &mut text).map(|()| text)
                })
            })
            .collect();
        // The page up to the features mark, then this thread's chunk: the page and where the
        // mark is in it.
        let head = (|| {
            let page = Context::from_serialize(&view)
                .and_then(|ctx| tera.render("index.html", &ctx))
                .map_err(with_causes)?;
            let mark = page
                .find(FEATURES_MARK)
                .ok_or_else(|| std::io::Error::other("index.html has no features mark"))?;
            out.write_all(&page.as_bytes()[..mark])?;
            if let Some(first) = chunks.first() {
                render_features(&tera, first, out)?;
            }
            Ok::<_, std::io::Error>((page, mark))
        })();
        // Every helper is joined, whatever became of this thread's part.
        let rest: Vec<std::io::Result<Vec<u8>>> = helpers
            .into_iter()
            .map(|helper| {
                helper.join().unwrap_or_else(|_| {
                    Err(std::io::Error::other(
                        "rendering the results of the features panicked",
                    ))
                })
            })
            .collect();
        let (page, mark) = head?;
        for text in rest {
            out.write_all(&text?)?;
        }
        out.write_all(&page.as_bytes()[mark + FEATURES_MARK.len()..])
    })
}

/// Threads that render the results of the features: the machine's cores, at most four.
fn render_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Consecutive runs of features of about the same rendering work (scenarios and exchanges), at
/// most `parts` of them and never an empty one.
fn chunks_of<'f, 'a>(features: &'f [FeatureView<'a>], parts: usize) -> Vec<&'f [FeatureView<'a>]> {
    let weight = |f: &FeatureView| -> usize {
        f.scenarios
            .iter()
            .map(|s| 1 + s.steps.len() + s.exchanges.len() + s.aside.len())
            .sum::<usize>()
            + 1
    };
    let total: usize = features.iter().map(weight).sum();
    let share = total.div_ceil(parts.max(1)).max(1);
    let mut chunks = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (i, f) in features.iter().enumerate() {
        held += weight(f);
        if held >= share {
            chunks.push(&features[start..=i]);
            (start, held) = (i + 1, 0);
        }
    }
    if start < features.len() {
        chunks.push(&features[start..]);
    }
    chunks
}

/// The results of these features, as the page holds them, written to `out` one feature at a
/// time (each from a context of its own: features.html renders a list of features as the
/// concatenation of each one's text).
fn render_features(
    tera: &Tera,
    features: &[FeatureView],
    out: &mut impl Write,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Features<'v, 'a> {
        features: &'v [FeatureView<'a>],
    }
    for feature in features {
        let context = Context::from_serialize(Features {
            features: std::slice::from_ref(feature),
        })
        .map_err(with_causes)?;
        tera.render_to("features.html", &context, &mut *out)
            .map_err(with_causes)?;
    }
    Ok(())
}

/// A rendering error as an I/O error that says why: tera's own message names only the template,
/// and the cause (a full disk, say) is in its sources.
fn with_causes(e: tera::Error) -> std::io::Error {
    std::io::Error::other(crate::causes::chain(&e))
}

/// HTML escaping for element text and double-quoted attributes. Unlike tera's default it leaves `/`
/// alone (not needed in those contexts, and it would bloat every URL in every FHIR body six-fold).
/// Characters that HTML forbids in text (NUL and other C0 controls bar whitespace) are replaced so a
/// hostile body cannot confuse the parser either.
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() && c != '\u{85}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// View model: what the template renders, everything pre-computed.
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct View<'a> {
    tool: &'a str,
    tool_version: &'a str,
    started_at: &'a str,
    finished_at: &'a str,
    duration: String,
    concurrency: usize,
    connections_opened: Option<u64>,
    tag_filter: Option<&'a str>,
    target: &'a TargetSummary,
    passed: bool,
    /// PASS, FAIL or INCOMPLETE, and its style class.
    verdict_label: &'static str,
    verdict_class: &'static str,
    /// One sentence saying why the verdict is what it is (a FAIL with zero failed scenarios would
    /// otherwise be puzzling).
    verdict_reason: String,
    totals: Totals,
    run_errors: &'a [String],
    /// Why the run was stopped early (deadline, Ctrl-C), shown at the top.
    stopped: Option<&'a RunStopped>,
    /// FHIRPath invariants the validator could not evaluate (listed once, under the run errors).
    not_evaluated: &'a [String],
    capabilities: Vec<CapabilityVerdict>,
    requirements: Vec<RequirementView>,
    /// Requirements tested and not shown to hold (failed, error, inconclusive).
    requirements_failed: usize,
    /// How many requirements stand where, for each coverage some requirement has.
    requirement_counts: Vec<CoverageCount>,
    /// The cover sheet: what was assessed, by whom, and who signs it off.
    cover: CoverView<'a>,
    /// Failed, errored and inconclusive scenarios grouped by root cause ([`failure_groups`]).
    groups: Vec<GroupView>,
    /// How many scenarios those groups hold.
    not_proven: usize,
    /// Scenarios that ended in a warning, grouped the same way.
    warning_groups: Vec<GroupView>,
    /// Validator warnings (findings of severity warning), counted per normalised message.
    finding_warnings: Vec<FindingCount>,
    /// How many warning findings the run's responses carry in all.
    finding_warnings_total: usize,
    /// Rendered apart (features.html), so not part of the page's context.
    #[serde(skip)]
    features: Vec<FeatureView<'a>>,
    any_features: bool,
    /// "Reproduce this run": command, configuration, feature files, selection.
    reproduce: ReproduceView<'a>,
    /// The exchanges of passing scenarios are listed one line each (a large run).
    brief_passing: bool,
}

impl<'a> View<'a> {
    fn new(report: &'a RunReport) -> Self {
        let totals = report.totals();
        let passed = report.passed();
        let verdict = report.verdict();
        let verdict_reason = if !report.run_errors.is_empty() {
            format!(
                "{} run error{} stopped part of the run.",
                report.run_errors.len(),
                plural(report.run_errors.len())
            )
        } else if report.stopped.is_some() && totals.failed == 0 {
            "The run was stopped before every scenario had run: conformance is not proven."
                .to_string()
        } else if totals.applicable() == 0 {
            "No applicable scenario ran: nothing was assured.".to_string()
        } else if totals.failed > 0 {
            format!(
                "{} of {} applicable scenarios failed: the provider broke a rule.",
                totals.failed,
                totals.applicable()
            )
        } else if totals.inconclusive + totals.error > 0 {
            format!(
                "No scenario failed, but {} of {} could not be judged ({} inconclusive: a precondition such as test data was missing; {} error: the harness or the connection failed). Conformance is not proven.",
                totals.inconclusive + totals.error,
                totals.applicable(),
                totals.inconclusive,
                totals.error
            )
        } else if totals.warning > 0 {
            format!(
                "No scenario failed: {} passed; {} ended in a warning (a SHOULD or MAY the provider does not follow, which is never a failure).",
                totals.passed, totals.warning
            )
        } else {
            format!("All {} applicable scenarios passed.", totals.passed)
        };
        let requirements = report.requirements();
        let requirement_counts = Coverage::ALL
            .iter()
            .map(|c| CoverageCount {
                label: c.label(),
                class: coverage_class(*c),
                n: requirements.iter().filter(|r| r.coverage == *c).count(),
            })
            .filter(|c| c.n > 0)
            .collect();
        let passing_exchanges: usize = report
            .features
            .iter()
            .flat_map(|f| &f.scenarios)
            .filter(|s| passing(s.status))
            .map(|s| s.evidence.len())
            .sum();
        let brief_passing = passing_exchanges > PASSING_EVIDENCE_IN_FULL;
        let mut features: Vec<FeatureView> = report
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| FeatureView::new(i, f, brief_passing))
            .collect();
        attach_curl(&mut features, report);
        let (warning_groups, groups): (Vec<GroupView>, Vec<GroupView>) = failure_groups(report)
            .iter()
            .map(|g| GroupView::new(g, report))
            .partition(|g| g.status == status_class(Status::Warning));
        let (finding_warnings, finding_warnings_total) = count_warning_findings(report);
        let verdict_label = match verdict {
            Verdict::Passed => "PASS",
            Verdict::Failed => "FAIL",
            Verdict::Incomplete => "INCOMPLETE",
        };
        View {
            tool: &report.tool,
            tool_version: &report.tool_version,
            started_at: &report.started_at,
            finished_at: &report.finished_at,
            duration: human_duration(report.duration_ms),
            concurrency: report.concurrency,
            connections_opened: report.connections_opened,
            tag_filter: report.tag_filter.as_deref(),
            target: &report.target,
            passed,
            verdict_label,
            verdict_class: match verdict {
                Verdict::Passed => "pass",
                Verdict::Failed => "fail",
                Verdict::Incomplete => "incomplete",
            },
            verdict_reason,
            totals,
            run_errors: &report.run_errors,
            stopped: report.stopped.as_ref(),
            not_evaluated: &report.not_evaluated,
            capabilities: report.capabilities(),
            requirements_failed: requirements
                .iter()
                .filter(|r| r.coverage.not_passed())
                .count(),
            requirement_counts,
            requirements: requirements.iter().map(RequirementView::new).collect(),
            cover: CoverView::new(report, verdict_label),
            not_proven: totals.failed + totals.error + totals.inconclusive,
            groups,
            warning_groups,
            finding_warnings,
            finding_warnings_total,
            any_features: !features.is_empty(),
            features,
            reproduce: ReproduceView::new(report),
            brief_passing,
        }
    }
}

#[derive(Serialize)]
struct CoverageCount {
    label: &'static str,
    class: &'static str,
    n: usize,
}

/// One row of the traceability matrix.
#[derive(Serialize)]
struct RequirementView {
    id: String,
    status: &'static str,
    label: &'static str,
    rule: Option<String>,
    /// MUST, SHOULD or MAY, and its style class.
    level: Option<&'static str>,
    level_class: &'static str,
    /// The specification link, only when it is a GP Connect page on developer.nhs.uk.
    spec: Option<String>,
    /// `1.2.7 · development_general_api_guidance`, shown under the section.
    spec_page: Option<String>,
    section: Option<String>,
    capability: Option<String>,
    /// `1.5.0+`, `1.3.1 to 1.6.1`..., empty when the rule applies to every version.
    versions: String,
    gap: Option<String>,
    scenarios: Vec<ScenarioLink>,
    /// More scenarios than are worth listing open: the list is collapsed under a count.
    collapse: bool,
    passed: usize,
}

impl RequirementView {
    fn new(r: &RequirementCoverage) -> Self {
        let spec = r.spec.as_deref().filter(|u| is_spec_url(u));
        RequirementView {
            id: r.id.clone(),
            status: coverage_class(r.coverage),
            label: coverage_label(r.coverage),
            rule: r.rule.clone(),
            level: r.level.map(Level::label),
            level_class: match r.level {
                Some(Level::Must) => "must",
                Some(Level::Should) => "should",
                Some(Level::May) => "may",
                None => "",
            },
            spec: spec.map(str::to_string),
            spec_page: spec.map(spec_page),
            section: r.section.clone(),
            capability: r.capability.clone(),
            versions: r.versions.describe(),
            gap: r.gap.clone(),
            collapse: r.scenario_refs.len() > 3,
            passed: r
                .scenario_refs
                .iter()
                .filter(|s| s.status == Status::Passed)
                .count(),
            scenarios: r
                .scenario_refs
                .iter()
                .map(|s| ScenarioLink {
                    id: scenario_id(s.feature, s.scenario),
                    name: s.name.clone(),
                    path: s.feature_path.clone(),
                    line: s.line,
                    status: status_class(s.status),
                    label: status_label(s.status),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct ScenarioLink {
    id: String,
    name: String,
    path: String,
    line: usize,
    status: &'static str,
    label: &'static str,
}

fn coverage_class(c: Coverage) -> &'static str {
    match c {
        Coverage::Passed => "passed",
        Coverage::Warning => "warning",
        Coverage::Failed => "failed",
        Coverage::Inconclusive => "inconclusive",
        Coverage::Error => "error",
        Coverage::NotApplicable => "not-applicable",
        Coverage::NotRun => "not-run",
        Coverage::NotCovered => "not-covered",
        Coverage::NotTestable => "not-testable",
    }
}

fn coverage_label(c: Coverage) -> &'static str {
    match c {
        Coverage::Passed => "PASS",
        Coverage::Warning => "WARNING",
        Coverage::Failed => "FAIL",
        Coverage::Inconclusive => "INCONCLUSIVE",
        Coverage::Error => "ERROR",
        Coverage::NotApplicable => "N/A",
        Coverage::NotRun => "NOT RUN",
        Coverage::NotCovered => "NOT COVERED",
        Coverage::NotTestable => "NOT TESTABLE",
    }
}

/// The cover sheet, with the identifiers defaulted from the target when the run did not set them.
#[derive(Serialize)]
struct CoverView<'a> {
    supplier: Option<&'a str>,
    product: Option<&'a str>,
    product_version: Option<&'a str>,
    ods_code: &'a str,
    asid: &'a str,
    assessor: Option<&'a str>,
    sign_off: &'a [SignOffBox],
    notes: Option<&'a str>,
    /// The day and time the run started, in UTC.
    date: String,
    harness: String,
    verdict: &'static str,
}

impl<'a> CoverView<'a> {
    fn new(report: &'a RunReport, verdict: &'static str) -> Self {
        let c: &CoverSheet = &report.target.cover;
        let or_target = |own: &'a str, target: &'a str| if own.is_empty() { target } else { own };
        CoverView {
            supplier: c.supplier.as_deref(),
            product: c.product.as_deref(),
            product_version: c.product_version.as_deref(),
            ods_code: or_target(&c.ods_code, &report.target.provider_ods_code),
            asid: or_target(&c.asid, &report.target.provider_asid),
            assessor: c.assessor.as_deref(),
            sign_off: &c.sign_off,
            notes: c.notes.as_deref(),
            date: readable_time(&report.started_at),
            harness: format!("{} {}", report.tool, report.tool_version),
            verdict,
        }
    }
}

/// One root cause: the scenarios that stopped at the same check with the same message.
#[derive(Serialize)]
struct GroupView {
    status: &'static str,
    label: &'static str,
    /// The check (the step without its keyword), normalised.
    check: String,
    /// Why, normalised (ids, dates and numbers set aside).
    message: String,
    /// One scenario's message as it was, when it differs from the normalised one.
    example: Option<String>,
    count: usize,
    requirements: Vec<String>,
    scenarios: Vec<GroupMemberLink>,
}

#[derive(Serialize)]
struct GroupMemberLink {
    id: String,
    feature: String,
    name: String,
    line: usize,
}

impl GroupView {
    fn new(g: &FailureGroup, report: &RunReport) -> Self {
        let example = clip(&g.example, 600);
        GroupView {
            status: status_class(g.outcome),
            label: status_label(g.outcome),
            check: g.check.clone(),
            example: (g.example != g.message).then_some(example),
            message: clip(&g.message, 600),
            count: g.count(),
            requirements: g.requirements.clone(),
            scenarios: g
                .scenarios
                .iter()
                .map(|m| GroupMemberLink {
                    id: scenario_id(m.feature_index, m.scenario_index),
                    feature: report
                        .features
                        .get(m.feature_index)
                        .map_or_else(|| m.feature.clone(), |f| f.name.clone()),
                    name: m.name.clone(),
                    line: m.line,
                })
                .collect(),
        }
    }
}

/// Validator warnings of one kind: the same normalised message.
#[derive(Serialize)]
struct FindingCount {
    message: String,
    /// How many responses carry it.
    count: usize,
    /// How many scenarios, and links to the first few.
    scenario_count: usize,
    scenarios: Vec<GroupMemberLink>,
    /// Scenarios not linked.
    more: usize,
}

/// Scenarios linked per kind of validator warning; the rest are counted.
const FINDING_LINKS: usize = 10;

/// Every warning finding of the run counted per normalised message, the most frequent first, and how
/// many there are in all.
fn count_warning_findings(report: &RunReport) -> (Vec<FindingCount>, usize) {
    let mut kinds: std::collections::BTreeMap<String, (usize, Vec<(usize, usize)>)> =
        Default::default();
    let mut total = 0;
    for (fi, f) in report.features.iter().enumerate() {
        for (si, s) in f.scenarios.iter().enumerate() {
            for x in &s.evidence {
                for finding in x
                    .findings
                    .iter()
                    .filter(|f| severity_class(&f.severity) == "warning")
                {
                    total += 1;
                    let entry = kinds.entry(normalise(&finding.message)).or_default();
                    entry.0 += 1;
                    if entry.1.last() != Some(&(fi, si)) {
                        entry.1.push((fi, si));
                    }
                }
            }
        }
    }
    let mut out: Vec<FindingCount> = kinds
        .into_iter()
        .map(|(message, (count, scenarios))| FindingCount {
            message: clip(&message, 400),
            count,
            scenario_count: scenarios.len(),
            more: scenarios.len().saturating_sub(FINDING_LINKS),
            scenarios: scenarios
                .iter()
                .take(FINDING_LINKS)
                .map(|&(fi, si)| {
                    let f = &report.features[fi];
                    let s = &f.scenarios[si];
                    GroupMemberLink {
                        id: scenario_id(fi, si),
                        feature: f.name.clone(),
                        name: s.name.clone(),
                        line: s.line,
                    }
                })
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.message.cmp(&b.message))
    });
    (out, total)
}

#[derive(Serialize)]
struct FeatureView<'a> {
    id: String,
    name: &'a str,
    path: &'a str,
    tags: &'a [String],
    /// The feature's description, each line trimmed (the template keeps the line breaks).
    description: Option<String>,
    status: &'static str,
    label: &'static str,
    passed: usize,
    failed: usize,
    inconclusive: usize,
    error: usize,
    not_applicable: usize,
    warning: usize,
    scenarios: Vec<ScenarioView<'a>>,
}

impl<'a> FeatureView<'a> {
    fn new(fi: usize, f: &'a FeatureResult, brief_passing: bool) -> Self {
        FeatureView {
            id: format!("f{fi}"),
            name: &f.name,
            path: &f.path,
            tags: &f.tags,
            description: f.description.as_deref().map(|d| {
                d.lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string()
            }),
            status: status_class(f.verdict()),
            label: status_label(f.verdict()),
            passed: f.passed(),
            failed: f.failed(),
            inconclusive: f.count(Status::Inconclusive),
            error: f.count(Status::Error),
            not_applicable: f.count(Status::NotApplicable),
            warning: f.count(Status::Warning),
            scenarios: f
                .scenarios
                .iter()
                .enumerate()
                .map(|(si, s)| ScenarioView::new(fi, si, s, brief_passing && passing(s.status)))
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct ScenarioView<'a> {
    id: String,
    name: &'a str,
    line: usize,
    status: &'static str,
    label: &'static str,
    tags: &'a [String],
    requirements: &'a [String],
    duration: String,
    steps: Vec<StepView<'a>>,
    /// The scenario's failure when no step carries it (e.g. a hook failed), shown above the steps.
    unattached_failure: Option<&'a Failure>,
    /// The exchange the failing step judged first, then the others of the scenario itself (under
    /// test, follow-up) in the order they were sent.
    exchanges: Vec<ExchangeView<'a>>,
    /// Setup and teardown exchanges (other than the one judged), folded below.
    aside: Vec<ExchangeView<'a>>,
    /// Every exchange, for the evidence count.
    exchange_count: usize,
    /// The Ssp-TraceID of each request, so a search by trace id finds the scenario.
    traces: Vec<&'a str>,
    /// Its exchanges are one line each ([`PASSING_EVIDENCE_IN_FULL`]).
    brief: bool,
}

impl<'a> ScenarioView<'a> {
    fn new(fi: usize, si: usize, s: &'a ScenarioResult, brief: bool) -> Self {
        let step_has_message = s.steps.iter().any(|st| st.message.is_some());
        let (exchanges, aside) = arrange_evidence(s, brief);
        ScenarioView {
            id: scenario_id(fi, si),
            name: &s.name,
            line: s.line,
            status: status_class(s.status),
            label: status_label(s.status),
            tags: &s.tags,
            requirements: &s.requirements,
            duration: human_duration(s.duration_ms),
            steps: s
                .steps
                .iter()
                .map(|st| StepView {
                    keyword: st.keyword.trim(),
                    text: &st.text,
                    status: status_class(st.status),
                    icon: status_icon(st.status),
                    message: st.message.as_deref(),
                    background: st.background,
                })
                .collect(),
            unattached_failure: s.failure.as_ref().filter(|_| !step_has_message),
            exchanges,
            aside,
            exchange_count: s.evidence.len(),
            traces: s
                .evidence
                .iter()
                .filter_map(|x| {
                    x.request
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("Ssp-TraceID"))
                        .map(|(_, v)| v.as_str())
                })
                .collect(),
            brief,
        }
    }
}

/// The scenario's exchanges as the page shows them: the one the failing step judged first, opened,
/// with up to [`BODY_DISPLAY_LIMIT`] of each body; then the others of the scenario itself in the
/// order they were sent, one line each; setup and teardown exchanges apart, to be folded. Each keeps
/// its number (`#n`), the order it was sent in; one with a validation error is shown in full, with
/// up to [`PASSED_BODY_DISPLAY_LIMIT`] of each body. A scenario that did not pass and has no judged
/// exchange shows every exchange in full; a passing one shows each in full with up to
/// [`PASSED_BODY_DISPLAY_LIMIT`] of each body, or, `brief`, one line each in the order they were sent.
/// Every header and body is in results.json (the start of each) and evidence.jsonl.gz (whole).
fn arrange_evidence(
    s: &ScenarioResult,
    brief: bool,
) -> (Vec<ExchangeView<'_>>, Vec<ExchangeView<'_>>) {
    if brief {
        let lines = s
            .evidence
            .iter()
            .enumerate()
            .map(|(i, x)| ExchangeView::new(i, x, Detail::Line))
            .collect();
        return (lines, Vec::new());
    }
    let culprit = s.culprit.filter(|&c| c < s.evidence.len());
    let others = match culprit {
        Some(_) => Detail::Line,
        None if passing(s.status) => Detail::Full(PASSED_BODY_DISPLAY_LIMIT),
        None => Detail::Full(BODY_DISPLAY_LIMIT),
    };
    let mut main = Vec::new();
    let mut aside = Vec::new();
    if let Some(c) = culprit {
        main.push(ExchangeView::new(
            c,
            &s.evidence[c],
            Detail::Judged(BODY_DISPLAY_LIMIT),
        ));
    }
    for (i, x) in s.evidence.iter().enumerate() {
        if culprit == Some(i) {
            continue;
        }
        // An exchange with a validation error is evidence of the failure too: shown in full.
        let has_error = x
            .findings
            .iter()
            .any(|f| severity_class(&f.severity) == "error");
        let detail = match others {
            Detail::Line if has_error => Detail::Full(PASSED_BODY_DISPLAY_LIMIT),
            d => d,
        };
        let view = ExchangeView::new(i, x, detail);
        match x.role {
            Role::Setup | Role::Teardown => aside.push(view),
            Role::UnderTest | Role::FollowUp => main.push(view),
        }
    }
    (main, aside)
}

/// How much of an exchange the page shows.
#[derive(Clone, Copy, PartialEq)]
enum Detail {
    /// The exchange the failing step judged: opened and marked, bodies up to the limit.
    Judged(usize),
    /// Headers, JWT claims, bodies up to the limit, curl.
    Full(usize),
    /// One line: role, request, status, time, findings.
    Line,
}

#[derive(Serialize)]
struct StepView<'a> {
    keyword: &'a str,
    text: &'a str,
    status: &'static str,
    icon: &'static str,
    message: Option<&'a str>,
    background: bool,
}

#[derive(Serialize)]
struct ExchangeView<'a> {
    n: usize,
    /// Shown as one line (an exchange of a passing scenario in a large run).
    line: bool,
    /// The exchange the scenario's failing check was about: opened and marked.
    open: bool,
    /// What it was for: under test, setup, follow-up, teardown.
    role: &'static str,
    interaction: Option<&'a str>,
    method: &'a str,
    url: &'a str,
    elapsed: String,
    /// Status code, or "error" for a transport failure.
    outcome: String,
    outcome_class: &'static str,
    request_headers: Vec<HeaderView<'a>>,
    jwt_claims: Option<String>,
    /// `iat`, `exp` (and `nbf`) of the JWT as epoch seconds and as an ISO time.
    jwt_times: Vec<JwtTime>,
    request_body: Option<BodyView>,
    response: Option<ResponseView<'a>>,
    error: Option<&'a str>,
    /// Error findings, shown first.
    findings: Vec<FindingView<'a>>,
    /// Warning and information findings, folded below the errors.
    findings_minor: Vec<FindingView<'a>>,
    findings_errors: usize,
    findings_warnings: usize,
    /// A curl command repeating the request (set by [`attach_curl`]).
    curl: Option<String>,
}

impl<'a> ExchangeView<'a> {
    fn new(i: usize, x: &'a Exchange, detail: Detail) -> Self {
        let (culprit, limit, full) = match detail {
            Detail::Judged(limit) => (true, limit, true),
            Detail::Full(limit) => (false, limit, true),
            Detail::Line => (false, 0, false),
        };
        let (outcome, outcome_class) = match (&x.response, &x.error) {
            (Some(r), _) => (r.status.to_string(), http_status_class(r.status)),
            (None, Some(_)) => ("error".to_string(), "bad"),
            (None, None) => ("no response".to_string(), "bad"),
        };
        // The record keeps the decoded claims of the judged exchange only; the others are decoded
        // again from their Authorization header.
        let claims = full
            .then(|| {
                x.request.jwt_claims.clone().or_else(|| {
                    x.request
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(AUTHORIZATION))
                        .and_then(|(_, v)| jwt::decode_authorization(v).ok())
                        .map(serde_json::Value::Object)
                })
            })
            .flatten();
        ExchangeView {
            n: i + 1,
            open: culprit,
            role: x.role.label(),
            interaction: x.interaction.as_deref(),
            method: &x.request.method,
            url: &x.request.url,
            elapsed: human_duration(x.elapsed_ms),
            outcome,
            outcome_class,
            line: !full,
            request_headers: x
                .request
                .headers
                .iter()
                .filter(|_| full)
                .map(|(k, v)| HeaderView {
                    name: k,
                    value: token_shown_beside_claims(k, v, claims.is_some()),
                    flagged: false,
                })
                .collect(),
            jwt_claims: claims.as_ref().map(claims_text),
            jwt_times: claims.as_ref().map_or_else(Vec::new, jwt_times),
            request_body: x
                .request
                .body
                .as_deref()
                .filter(|b| full && !b.is_empty())
                .map(|b| BodyView::new(b, x.request.body_info.as_ref(), None, limit)),
            response: x
                .response
                .as_ref()
                .filter(|_| full)
                .map(|r| ResponseView::new(r, &x.findings, limit)),
            error: x.error.as_deref(),
            findings: finding_views(&x.findings, |level| level == "error"),
            findings_minor: finding_views(&x.findings, |level| level != "error"),
            findings_errors: x
                .findings
                .iter()
                .filter(|f| severity_class(&f.severity) == "error")
                .count(),
            findings_warnings: x
                .findings
                .iter()
                .filter(|f| severity_class(&f.severity) == "warning")
                .count(),
            curl: None,
        }
    }
}

/// Characters of a bearer token the headers table shows when its claims are shown decoded below it.
const TOKEN_SHOWN_CHARS: usize = 48;

/// An Authorization header as the headers table shows it: whole, unless its claims are shown
/// decoded beside it, when only its start is (the token is a third of a request's evidence, and the
/// whole of it is in results.json and evidence.jsonl.gz, and in the curl command of a scenario that
/// did not pass).
fn token_shown_beside_claims<'a>(
    name: &str,
    value: &'a str,
    decoded: bool,
) -> std::borrow::Cow<'a, str> {
    if !decoded || !name.eq_ignore_ascii_case(AUTHORIZATION) || value.len() <= TOKEN_SHOWN_CHARS * 2
    {
        return value.into();
    }
    let mut end = TOKEN_SHOWN_CHARS;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} bytes, decoded below; whole in results.json)",
        &value[..end],
        value.len()
    )
    .into()
}

fn finding_views(findings: &[Finding], keep: impl Fn(&str) -> bool) -> Vec<FindingView<'_>> {
    findings
        .iter()
        .filter(|f| keep(severity_class(&f.severity)))
        .map(|f| FindingView {
            severity: &f.severity,
            level: severity_class(&f.severity),
            location: &f.location,
            message: &f.message,
        })
        .collect()
}

/// The JWT claims one per line, each value compact (the requesting_* objects on their line): as
/// readable as fully indented JSON in a third of the lines.
fn claims_text(claims: &serde_json::Value) -> String {
    let Some(object) = claims.as_object() else {
        return claims.to_string();
    };
    let lines: Vec<String> = object
        .iter()
        .map(|(k, v)| format!("  {}: {v}", serde_json::Value::from(k.as_str())))
        .collect();
    format!("{{\n{}\n}}", lines.join(",\n"))
}

/// A time claim of the JWT, as sent and as a reader reads it.
#[derive(Serialize)]
struct JwtTime {
    claim: &'static str,
    epoch: i64,
    iso: String,
}

/// `iat`, `nbf` and `exp` when they are whole numbers of seconds (as GP Connect's JWT carries them).
fn jwt_times(claims: &serde_json::Value) -> Vec<JwtTime> {
    ["iat", "nbf", "exp"]
        .into_iter()
        .filter_map(|claim| {
            let epoch = claims.get(claim)?.as_i64()?;
            let at = chrono::DateTime::from_timestamp(epoch, 0)?;
            Some(JwtTime {
                claim,
                epoch,
                iso: at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            })
        })
        .collect()
}

/// An RFC 3339 time as `2025-01-01 10:00:00 UTC` (as given when it does not parse).
fn readable_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Give every exchange its "Repeat with curl" command. A request body longer than the page shows
/// is not put in the command cut: it is read from a file, and a comment says where the whole body is.
fn attach_curl(features: &mut [FeatureView], report: &RunReport) {
    let tls = report.meta.tls;
    for (fv, f) in features.iter_mut().zip(&report.features) {
        for (sv, s) in fv.scenarios.iter_mut().zip(&f.scenarios) {
            for xv in sv.exchanges.iter_mut().chain(sv.aside.iter_mut()) {
                let x = &s.evidence[xv.n - 1];
                if xv.line {
                    continue;
                }
                let mut request = curl::Request::from(&x.request);
                // A body the report keeps only the start of is never sent cut: the command reads it
                // from a file, and says where the whole body is.
                if let Some(info) = x.request.body_info.as_ref().filter(|i| i.cut.is_some()) {
                    request.body = Some(curl::Body::Elsewhere {
                        bytes: Some(info.bytes),
                        file: curl::BODY_FILE_PLACEHOLDER,
                        whole_body_is: "evidence.jsonl.gz has it whole (this scenario's line)",
                    });
                } else if let Some(body) = x.request.body.as_deref() {
                    if body.len() > BODY_DISPLAY_LIMIT {
                        request.body = Some(curl::Body::Elsewhere {
                            bytes: Some(body.len()),
                            file: curl::BODY_FILE_PLACEHOLDER,
                            whole_body_is:
                                "results.json has it whole (this exchange's request.body)",
                        });
                    }
                }
                xv.curl = Some(curl::command(&request, tls));
            }
        }
    }
}

/// The "Reproduce this run" section.
#[derive(Serialize)]
struct ReproduceView<'a> {
    /// The command line as a shell reads it, or `None` when the run was not started from one.
    command: Option<String>,
    working_dir: &'a str,
    hostname: &'a str,
    env_overrides: &'a [String],
    config_toml: &'a str,
    features: &'a super::model::FeatureSet,
    selection: &'a super::model::SelectionMeta,
    /// Whether anything beyond tags limited the run.
    selected_beyond_tags: bool,
}

impl<'a> ReproduceView<'a> {
    fn new(report: &'a RunReport) -> Self {
        let m = &report.meta;
        ReproduceView {
            command: (!m.argv.is_empty()).then(|| curl::command_line(&m.argv)),
            working_dir: &m.working_dir,
            hostname: &m.hostname,
            env_overrides: &m.env_overrides,
            config_toml: &m.config_toml,
            features: &m.features,
            selection: &m.selection,
            selected_beyond_tags: !m.selection.names.is_empty()
                || !m.selection.locations.is_empty()
                || m.selection.rerun_failed.is_some(),
        }
    }
}

#[derive(Serialize)]
struct HeaderView<'a> {
    name: &'a str,
    value: std::borrow::Cow<'a, str>,
    /// A finding's location names this header: highlight the row.
    flagged: bool,
}

#[derive(Serialize)]
struct ResponseView<'a> {
    status: u16,
    status_class: &'static str,
    /// A finding's location is the status code.
    status_flagged: bool,
    headers: Vec<HeaderView<'a>>,
    body: Option<BodyView>,
}

impl<'a> ResponseView<'a> {
    fn new(r: &'a RecordedResponse, findings: &[Finding], limit: usize) -> Self {
        ResponseView {
            status: r.status,
            status_class: http_status_class(r.status),
            status_flagged: findings.iter().any(|f| location_is_status(&f.location)),
            headers: r
                .headers
                .iter()
                .map(|(k, v)| HeaderView {
                    name: k,
                    value: v.into(),
                    flagged: findings
                        .iter()
                        .any(|f| location_names_header(&f.location, k)),
                })
                .collect(),
            body: (!r.body.is_empty())
                .then(|| BodyView::new(&r.body, Some(&r.body_info), r.truncated.as_ref(), limit)),
        }
    }
}

/// A body as displayed.
#[derive(Serialize)]
struct BodyView {
    text: String,
    /// It was JSON and has been re-indented for reading.
    reformatted: bool,
    /// "cut: N of M bytes shown, sha256 ..., full body in evidence.jsonl.gz", when the page shows only
    /// the start of the body (the record kept only its start, or the page cut it further).
    cut_note: Option<String>,
    /// The harness stopped reading the body (`http.max_response_bytes`): the provider sent more.
    harness_note: Option<String>,
    /// Bytes that are not UTF-8 are shown `\xNN`, from this offset.
    encoding_note: Option<String>,
    /// Size of the whole body.
    size: String,
}

impl BodyView {
    fn new(
        raw: &str,
        info: Option<&BodyInfo>,
        truncated: Option<&Truncation>,
        limit: usize,
    ) -> Self {
        // Re-indented only when whole and short enough to show whole; otherwise shown as received so
        // the bytes shown are the bytes of the body.
        let pretty = pretty_json(raw).filter(|p| p.len() <= limit);
        let reformatted = pretty.is_some();
        let (text, page_cut) = match pretty {
            Some(p) => (p, false),
            None => cut_at(raw.to_string(), limit),
        };
        let total = info.map_or(raw.len(), |i| i.bytes);
        let record_cut = info.and_then(|i| i.cut.as_ref());
        let cut_note = (page_cut || record_cut.is_some()).then(|| {
            let shown = if page_cut { text.len() } else { raw.len() };
            let whole = match record_cut {
                Some(c) => match &c.full_body_in {
                    Some(file) => format!("full body in {file}"),
                    None => "the full body was not kept (no evidence file for this run)".into(),
                },
                None => "full body in results.json".into(),
            };
            let sha = info
                .map(|i| format!(", sha256 {}", i.sha256))
                .unwrap_or_default();
            format!("cut: {shown} of {total} bytes shown{sha}, {whole}")
        });
        BodyView {
            text,
            reformatted,
            cut_note,
            harness_note: truncated.map(|t| {
                let d = t.describe();
                let mut chars = d.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string());
                format!("{}{}.", first.unwrap_or_default(), chars.as_str())
            }),
            encoding_note: info.and_then(|i| i.invalid_utf8_at).map(|at| {
                format!(
                    "The body is not UTF-8 from byte {at}: bytes that are not UTF-8 are shown as \\xNN, as received."
                )
            }),
            size: human_size(total),
        }
    }
}

#[derive(Serialize)]
struct FindingView<'a> {
    severity: &'a str,
    level: &'static str,
    location: &'a str,
    message: &'a str,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn scenario_id(fi: usize, si: usize) -> String {
    format!("f{fi}-s{si}")
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Warning => "warning",
        Status::Failed => "failed",
        Status::Inconclusive => "inconclusive",
        Status::Error => "error",
        Status::NotApplicable => "not-applicable",
        Status::Skipped => "skipped",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Passed => "PASS",
        Status::Warning => "WARNING",
        Status::Failed => "FAIL",
        Status::Inconclusive => "INCONCLUSIVE",
        Status::Error => "ERROR",
        Status::NotApplicable => "N/A",
        Status::Skipped => "SKIP",
    }
}

fn status_icon(s: Status) -> &'static str {
    match s {
        Status::Passed => "✓",
        Status::Warning => "⚠",
        Status::Failed => "✗",
        Status::Inconclusive => "?",
        Status::Error => "!",
        Status::NotApplicable | Status::Skipped => "–",
    }
}

fn http_status_class(code: u16) -> &'static str {
    match code {
        200..=299 => "ok",
        300..=399 => "info",
        _ => "bad",
    }
}

/// Map free-text severities (FHIR OperationOutcome uses fatal/error/warning/information) to a style.
fn severity_class(sev: &str) -> &'static str {
    let s = sev.to_ascii_lowercase();
    if s.contains("fatal") || s.contains("error") {
        "error"
    } else if s.contains("warn") {
        "warning"
    } else {
        "info"
    }
}

/// Whether a finding's location names this header: `Content-Type`, `header Content-Type`,
/// `header:Content-Type`, `headers.Content-Type`, case-insensitively.
fn location_names_header(location: &str, header: &str) -> bool {
    let loc = location.trim();
    let lower = loc.to_ascii_lowercase();
    let rest = [
        "headers.", "headers:", "header:", "header ", "headers/", "header.",
    ]
    .iter()
    .find(|p| lower.starts_with(*p))
    .map_or(loc, |p| loc[p.len()..].trim());
    rest.eq_ignore_ascii_case(header)
}

fn location_is_status(location: &str) -> bool {
    let l = location.trim().to_ascii_lowercase();
    l == "status" || l == "status code" || l == "http status"
}

/// Re-indent a JSON body for reading; `None` when it is not JSON (left exactly as received).
fn pretty_json(raw: &str) -> Option<String> {
    let t = raw.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(raw).ok()?;
    serde_json::to_string_pretty(&v).ok()
}

/// Cut a string to at most `max` bytes on a char boundary.
fn cut_at(mut s: String, max: usize) -> (String, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    (s, true)
}

/// Shorten a message for the failures list; the full text is under the failing step.
fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn human_duration(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "–".to_string();
    }
    if ms < 1.0 {
        format!("{ms:.1} ms")
    } else if ms < 999.5 {
        format!("{ms:.0} ms")
    } else if ms < 59_950.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        let secs = (ms / 1000.0).round() as u64;
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guarantee that provider content is escaped rests on autoescape plus never marking a
    /// value safe; this keeps a later template edit from quietly breaking it.
    #[test]
    fn templates_never_mark_values_safe() {
        for (name, src) in [
            ("index.html", TEMPLATE),
            ("macros.html", MACROS),
            ("features.html", FEATURES),
            ("report.css", CSS),
            ("report.js", JS),
        ] {
            assert!(
                !src.contains("| safe") && !src.contains("|safe"),
                "{name} uses the safe filter"
            );
        }
        assert!(
            !CSS.contains("{{") && !JS.contains("{{"),
            "CSS/JS templates must hold no variables"
        );
    }

    /// A run of `features` features, each of one more scenario than the last; names carry the
    /// features mark, as a hostile feature file or provider could.
    fn run_of(features: usize) -> RunReport {
        use crate::report::model::{FeatureResult, ScenarioResult, StepResult};
        let mut r = RunReport::not_run(TargetSummary::default(), None, String::new());
        r.run_errors.clear();
        for fi in 0..features {
            let scenarios = (0..=fi)
                .map(|si| ScenarioResult {
                    name: format!("scenario {si} of feature {fi} {FEATURES_MARK}"),
                    line: si + 3,
                    tags: vec![],
                    requirements: vec![],
                    status: if si % 3 == 1 {
                        Status::Failed
                    } else {
                        Status::Passed
                    },
                    steps: vec![StepResult {
                        keyword: "Then".into(),
                        text: format!("step {si} {FEATURES_MARK}"),
                        status: Status::Passed,
                        message: None,
                        background: false,
                    }],
                    failure: None,
                    evidence: vec![],
                    culprit: None,
                    duration_ms: 1.0,
                })
                .collect();
            r.features.push(FeatureResult {
                description: Some(format!("about {FEATURES_MARK}")),
                name: format!("feature {fi}"),
                path: format!("f{fi}.feature"),
                tags: vec![],
                scenarios,
            });
        }
        r
    }

    #[test]
    fn the_page_is_the_same_however_many_threads_render_its_features() {
        for features in [0, 1, 2, 7] {
            let r = run_of(features);
            let render_on = |threads| {
                let mut page = Vec::new();
                write_on(&r, threads, &mut page).unwrap();
                String::from_utf8(page).unwrap()
            };
            let alone = render_on(1);
            for threads in [2, 3, 4, 16] {
                assert!(
                    render_on(threads) == alone,
                    "{features} features on {threads} threads"
                );
            }
            // Every feature and scenario once, in order, after the page's heading of results;
            // the mark a value brought is escaped, and the template's own is gone.
            let results = &alone[alone.find("Results by feature").unwrap()..];
            let mut at = 0;
            for fi in 0..features {
                at += results[at..].find(&format!("feature {fi}</span>")).unwrap();
                assert_eq!(
                    results.matches(&format!("of feature {fi} ")).count(),
                    fi + 1
                );
            }
            assert!(!alone.contains(FEATURES_MARK));
            assert_eq!(
                results.matches("&lt;!--features--&gt;").count(),
                features * (features + 1) + features
            );
            assert_eq!(
                alone.contains("No features were run."),
                features == 0,
                "{features} features"
            );
        }
    }

    #[test]
    fn a_page_whose_writing_fails_is_an_error_with_every_helper_joined() {
        /// Takes `room` bytes, then refuses.
        struct Full {
            room: usize,
        }
        impl Write for Full {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.room == 0 {
                    return Err(std::io::Error::other("no room left"));
                }
                let n = buf.len().min(self.room);
                self.room -= n;
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let r = run_of(7);
        let mut whole = Vec::new();
        write_on(&r, 4, &mut whole).unwrap();
        let whole = String::from_utf8(whole).unwrap();
        let at = |text: &str| whole.find(text).unwrap();
        // at the start of the page, in this thread's features (the first chunk), in the helpers'
        // text (the last feature's) and in the end of the page
        for room in [
            0,
            at("feature 0</span>"),
            at("feature 6</span>"),
            whole.len() - 10,
        ] {
            let e = write_on(&r, 4, &mut Full { room }).expect_err("the writer's error");
            assert!(e.to_string().ends_with("no room left"), "{room}: {e}");
        }
    }

    #[test]
    fn features_are_chunked_in_order_into_non_empty_parts_of_similar_work() {
        let r = run_of(9);
        let view = View::new(&r);
        for parts in [1, 2, 3, 4, 9, 20] {
            let chunks = chunks_of(&view.features, parts);
            assert!(
                chunks.len() <= parts.max(1) && !chunks.is_empty(),
                "{parts} parts"
            );
            assert!(chunks.iter().all(|c| !c.is_empty()));
            let ids: Vec<&str> = chunks
                .iter()
                .flat_map(|c| c.iter().map(|f| f.id.as_str()))
                .collect();
            let all: Vec<&str> = view.features.iter().map(|f| f.id.as_str()).collect();
            assert_eq!(ids, all, "{parts} parts");
        }
        // Two parts: the first ends with the feature that takes it to half the work or past it
        // (features 0-5 weigh 48 of 99, 0-6 weigh 63: a scenario and its step 2, a feature 1).
        let halves = chunks_of(&view.features, 2);
        assert_eq!(halves.len(), 2);
        assert_eq!(halves[0].len(), 7);
        assert!(chunks_of(&[], 4).is_empty());
    }

    #[test]
    fn escape_covers_html_specials_and_controls() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("a\u{0}b\nc"), "a\u{FFFD}b\nc");
    }

    #[test]
    fn header_locations() {
        assert!(location_names_header("Content-Type", "content-type"));
        assert!(location_names_header(
            "header: Content-Type",
            "Content-Type"
        ));
        assert!(location_names_header("headers.ssp-traceid", "Ssp-TraceID"));
        assert!(!location_names_header("Bundle.entry[0]", "Content-Type"));
        assert!(location_is_status("Status"));
    }

    #[test]
    fn bodies_are_cut_on_char_boundaries() {
        let s = "é".repeat(BODY_DISPLAY_LIMIT); // 2 bytes each
        let b = BodyView::new(&s, None, None, BODY_DISPLAY_LIMIT);
        assert!(b.text.len() <= BODY_DISPLAY_LIMIT && !b.reformatted);
        assert_eq!(
            b.cut_note.as_deref(),
            Some(
                format!(
                    "cut: {BODY_DISPLAY_LIMIT} of {} bytes shown, full body in results.json",
                    2 * BODY_DISPLAY_LIMIT
                )
                .as_str()
            )
        );
        let b = BodyView::new(r#"{"a":[1,2]}"#, None, None, BODY_DISPLAY_LIMIT);
        assert!(b.reformatted && b.cut_note.is_none() && b.text.contains("\n  \"a\""));
    }

    #[test]
    fn a_filed_body_says_how_much_is_shown_and_where_the_rest_is() {
        use crate::http::evidence::{CutStage, RecordedResponse};
        let body = format!(
            "{{\"resourceType\":\"Bundle\",\"x\":\"{}\"}}",
            "a".repeat(10_000)
        );
        let mut r = RecordedResponse::new(
            200,
            vec![],
            body.into_bytes(),
            Some(Truncation {
                at_bytes: 10_032,
                stage: CutStage::Receiving,
            }),
        );
        let sha = r.body_info.sha256.clone();
        let mut x = crate::checks::fixtures::exchange(200, &[], "");
        x.response = Some(r.clone());
        x.file(1000, Some("evidence.jsonl.gz"));
        r = x.response.unwrap();
        let b = BodyView::new(
            &r.body,
            Some(&r.body_info),
            r.truncated.as_ref(),
            BODY_DISPLAY_LIMIT,
        );
        assert_eq!(
            b.cut_note.unwrap(),
            format!("cut: 1000 of 10032 bytes shown, sha256 {sha}, full body in evidence.jsonl.gz")
        );
        assert!(b
            .harness_note
            .unwrap()
            .contains("cut at 10032 bytes by the harness (http.max_response_bytes)"));
        assert!(b.encoding_note.is_none() && !b.reformatted && b.size == "9.8 KB");
    }

    #[test]
    fn jwt_claims_are_one_per_line() {
        let claims = serde_json::json!({"iss": "https://c.example", "requesting_device": {"id": "d", "n": 1}, "iat": 5});
        assert_eq!(
            claims_text(&claims),
            "{\n  \"iss\": \"https://c.example\",\n  \"requesting_device\": {\"id\":\"d\",\"n\":1},\n  \"iat\": 5\n}"
        );
        let times = jwt_times(&claims);
        assert_eq!(times.len(), 1);
        assert_eq!(times[0].iso, "1970-01-01T00:00:05Z");
    }

    #[test]
    fn claims_the_record_left_out_are_decoded_from_the_authorization_header() {
        let mut x = crate::checks::fixtures::exchange(200, &[], "");
        let token = jwt::encode_parts(
            &serde_json::json!({"alg": "none", "typ": "JWT"}),
            &serde_json::json!({"iss": "https://c.example", "iat": 5}),
        );
        x.request
            .headers
            .push((AUTHORIZATION.to_string(), format!("Bearer {token}")));
        let shown = ExchangeView::new(0, &x, Detail::Full(1024));
        let claims = shown.jwt_claims.expect("claims decoded from the header");
        assert!(
            claims.contains("\"iss\": \"https://c.example\""),
            "{claims}"
        );
        assert_eq!(shown.jwt_times.len(), 1);
        // One line per exchange: no claims.
        assert!(ExchangeView::new(0, &x, Detail::Line).jwt_claims.is_none());
        // Claims the record kept are shown as they are.
        x.request.jwt_claims = Some(serde_json::json!({"iss": "kept"}));
        let kept = ExchangeView::new(0, &x, Detail::Full(1024))
            .jwt_claims
            .unwrap();
        assert!(kept.contains("kept"), "{kept}");
    }

    #[test]
    fn a_token_shown_decoded_is_shown_short_in_the_headers_table() {
        let mut x = crate::checks::fixtures::exchange(200, &[], "");
        let token = jwt::encode_parts(
            &serde_json::json!({"alg": "none", "typ": "JWT"}),
            &serde_json::json!({"iss": "https://c.example", "sub": "x".repeat(400)}),
        );
        let header = format!("Bearer {token}");
        x.request
            .headers
            .push((AUTHORIZATION.to_string(), header.clone()));
        x.request
            .headers
            .push(("Ssp-TraceID".to_string(), "t".repeat(200)));
        let shown = ExchangeView::new(0, &x, Detail::Full(1024));
        assert!(shown.jwt_claims.is_some());
        let value = |name: &str| {
            shown
                .request_headers
                .iter()
                .find(|h| h.name == name)
                .map(|h| h.value.to_string())
                .unwrap()
        };
        let auth = value(AUTHORIZATION);
        assert!(auth.len() < 200, "{auth}");
        assert!(header.starts_with(auth.split('…').next().unwrap()));
        assert!(auth.contains(&format!("{} bytes", header.len())), "{auth}");
        // other headers, and a token whose claims cannot be decoded, are shown whole
        assert_eq!(value("Ssp-TraceID"), "t".repeat(200));
        x.request.headers[0].1 = format!("Bearer {}", "y".repeat(300));
        let opaque = ExchangeView::new(0, &x, Detail::Full(1024));
        assert!(opaque.jwt_claims.is_none());
        assert_eq!(
            opaque.request_headers[0].value,
            format!("Bearer {}", "y".repeat(300))
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(850.0), "850 ms");
        assert_eq!(human_duration(12_340.0), "12.3 s");
        assert_eq!(human_duration(184_000.0), "3 min 4 s");
        assert_eq!(human_duration(0.34), "0.3 ms");
        assert_eq!(human_duration(999.7), "1.0 s");
        assert_eq!(human_duration(59_990.0), "1 min 0 s");
    }
}
