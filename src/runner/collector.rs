//! A cucumber writer that turns the event stream into the report model.
//!
//! Events of concurrently running scenarios interleave; each is filed under its scenario's key, so the
//! collector does not need cucumber's normalising writer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cucumber::event::{self, Cucumber, StepError};
use cucumber::gherkin;
use cucumber::parser;
use cucumber::{Event, Writer};

use super::progress::Progress;
use crate::gpconnect::requirements::Catalogue;
use crate::http::evidence::Sidecar;
use crate::report::{Failure, FeatureResult, ScenarioResult, Status, StepResult};
use crate::steps::context::{Cut, ScenarioKey};
use crate::steps::{Assurance, RunContext};
use crate::verdict::Problem;

/// The key of a scenario: path relative to the features root, line, name.
pub fn key(root: &Path, feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> ScenarioKey {
    (
        relative_path(root, feature),
        scenario.position.line,
        scenario.name.clone(),
    )
}

fn relative_path(root: &Path, feature: &gherkin::Feature) -> String {
    let Some(p) = &feature.path else {
        return feature.name.clone();
    };
    // the usual case first: comparing paths walks their components too
    if let Some(rest) = plainly_below(root, p) {
        return rest.to_string();
    }
    if p == root {
        // A single feature file given as the root is named by its file name.
        return p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// `path` below `root` when it is plainly so: `root`'s text, a slash, then names (UTF-8, never `.` or
/// `..`) joined by single slashes. That text is what `strip_prefix` and `display` give, found without
/// walking components: a run asks for the key of a scenario at every event of its steps.
fn plainly_below<'a>(root: &Path, path: &'a Path) -> Option<&'a str> {
    let rest = path
        .to_str()?
        .strip_prefix(root.to_str()?)?
        .strip_prefix('/')?;
    rest.split('/')
        .all(|name| !name.is_empty() && name != "." && name != "..")
        .then_some(rest)
}

/// The free text under `Feature:`, trimmed; `None` when there is none.
pub fn feature_description(feature: &gherkin::Feature) -> Option<String> {
    feature
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

/// Collects results while the run goes on.
pub struct Collector {
    ctx: Arc<RunContext>,
    root: PathBuf,
    progress: Progress,
    features: Vec<FeatureResult>,
    feature_index: HashMap<String, usize>,
    running: HashMap<ScenarioKey, (ScenarioResult, std::time::Instant)>,
    /// Scenarios with a response that broke the FHIR profiles (the validation after the steps), and
    /// that failure: a MUST, whatever level of rule the scenario checks.
    invalid_fhir: HashMap<ScenarioKey, Failure>,
    run_errors: Vec<String>,
    done: usize,
    failed: usize,
    /// Where each finished scenario's exchanges are written whole before the record keeps only the
    /// start of each body.
    sidecar: Option<Sidecar>,
}

/// Bytes of each body a passing scenario's record keeps (at most), and the record of the exchanges of
/// a scenario that did not pass other than the one its failing step judged: a full run holds
/// thousands of them, and the evidence file keeps every one whole.
pub const PASSED_EVIDENCE_BODY_BYTES: usize = 2 * 1024;

impl Collector {
    pub fn new(ctx: Arc<RunContext>, root: PathBuf, progress: Progress) -> Collector {
        Collector {
            ctx,
            root,
            progress,
            features: Vec::new(),
            feature_index: HashMap::new(),
            running: HashMap::new(),
            invalid_fhir: HashMap::new(),
            run_errors: Vec::new(),
            done: 0,
            failed: 0,
            sidecar: None,
        }
    }

    /// Write every finished scenario's exchanges whole to `sidecar` (see [`Sidecar`]).
    pub fn with_sidecar(mut self, sidecar: Option<Sidecar>) -> Collector {
        self.sidecar = sidecar;
        self
    }

    /// The features (sorted by path, scenarios by line) and the errors that stopped part of the run.
    pub fn finish(mut self) -> (Vec<FeatureResult>, Vec<String>) {
        self.progress.done();
        if let Some(sidecar) = self.sidecar.take() {
            if let Err(e) = sidecar.finish() {
                self.run_errors.push(e);
            }
        }
        // Scenarios that never finished (should not happen) are the harness's error.
        for ((path, _, _), (mut s, _)) in std::mem::take(&mut self.running) {
            conclude(&mut s, "", Problem::error("the scenario did not finish"));
            if let Some(&i) = self.feature_index.get(&path) {
                self.features[i].scenarios.push(s);
            }
        }
        for f in &mut self.features {
            f.scenarios
                .sort_by(|a, b| a.line.cmp(&b.line).then(a.name.cmp(&b.name)));
        }
        self.features.sort_by(|a, b| a.path.cmp(&b.path));
        (self.features, self.run_errors)
    }

    fn feature_slot(&mut self, feature: &gherkin::Feature) -> usize {
        let path = relative_path(&self.root, feature);
        if let Some(&i) = self.feature_index.get(&path) {
            return i;
        }
        self.features.push(FeatureResult {
            name: feature.name.clone(),
            path: path.clone(),
            tags: feature.tags.clone(),
            description: feature_description(feature),
            scenarios: Vec::new(),
        });
        self.feature_index.insert(path, self.features.len() - 1);
        self.features.len() - 1
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: event::Scenario<Assurance>,
    ) {
        let k = key(&self.root, feature, scenario);
        match ev {
            event::Scenario::Started => {
                let tags: Vec<String> = feature
                    .tags
                    .iter()
                    .chain(rule.iter().flat_map(|r| &r.tags))
                    .chain(&scenario.tags)
                    .cloned()
                    .collect();
                let requirements = tags
                    .iter()
                    .filter_map(|t| t.strip_prefix("req:"))
                    .map(str::to_string)
                    .collect();
                let result = ScenarioResult {
                    name: scenario.name.clone(),
                    line: scenario.position.line,
                    tags,
                    requirements,
                    status: Status::Passed,
                    steps: Vec::new(),
                    failure: None,
                    evidence: Vec::new(),
                    culprit: None,
                    duration_ms: 0.0,
                };
                self.running.insert(k, (result, std::time::Instant::now()));
            }
            event::Scenario::Background(step, ev) => self.on_step(&k, &step, ev, true),
            event::Scenario::Step(step, ev) => self.on_step(&k, &step, ev, false),
            event::Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some((s, _)) = self.running.get_mut(&k) {
                    // The after hook fails only on invalid FHIR in a response: a broken rule.
                    let step = "(every response is validated against the FHIR profiles)";
                    let message = panic_message(&info);
                    if matches!(kind, event::HookType::After) {
                        self.invalid_fhir.insert(
                            k.clone(),
                            Failure {
                                step: step.to_string(),
                                message: message.clone(),
                            },
                        );
                    }
                    conclude(s, step, Problem::failed(message));
                }
            }
            event::Scenario::Finished => {
                let Some((mut s, started)) = self.running.remove(&k) else {
                    return;
                };
                s.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
                if s.steps.is_empty() {
                    // A scenario without steps checks nothing; it must never count as a pass.
                    conclude(
                        &mut s,
                        "",
                        Problem::error("the scenario has no steps, so it checks nothing"),
                    );
                }
                let evidence = self.ctx.withdraw(&k);
                s.evidence = evidence.exchanges;
                // A scenario the stop (deadline, Ctrl-C) kept from running or cut short.
                let cut = self.ctx.take_cut(&k);
                let invalid_fhir = self.invalid_fhir.remove(&k);
                if let Some(cut) = cut {
                    super::apply_cut(&mut s, cut);
                } else {
                    // A failed scenario of SHOULD/MAY rules only is a warning (see `advisory`).
                    super::advisory::judge(&mut s, invalid_fhir, Catalogue::embedded());
                }
                if s.status != Status::Passed {
                    s.culprit = evidence.under_test;
                }
                self.file_evidence(&k.0, &mut s);
                if matches!(cut, Some(Cut::NotRun(_))) {
                    // Listed in the report; not announced one by one on the terminal.
                    let i = self.feature_slot(feature);
                    self.features[i].scenarios.push(s);
                    return;
                }
                self.done += 1;
                if s.status == Status::Failed {
                    self.failed += 1;
                }
                self.progress.scenario_finished(
                    self.done,
                    self.failed,
                    &feature.name,
                    &s.name,
                    s.status,
                    s.failure.as_ref().map(|f| f.message.as_str()),
                );
                let i = self.feature_slot(feature);
                self.features[i].scenarios.push(s);
            }
            _ => {}
        }
    }

    /// Write the scenario's exchanges whole to the sidecar, then keep only the start of each body in
    /// the record: more of it for the exchange the failing step judged, the evidence read first (for
    /// every exchange of a scenario that did not pass when none is known to be judged). Only that
    /// exchange keeps its decoded JWT claims; the others keep the Authorization header they come from,
    /// whole in a scenario that did not pass, its start in one that passed.
    fn file_evidence(&mut self, feature_path: &str, s: &mut ScenarioResult) {
        let full = self.ctx.config.http.evidence_body_bytes;
        let short = full.min(PASSED_EVIDENCE_BODY_BYTES);
        let sidecar_name = self.sidecar.as_mut().map(|sidecar| {
            sidecar.write(feature_path, s.line, &s.name, s.status, &s.evidence);
            sidecar.file_name()
        });
        for (i, x) in s.evidence.iter_mut().enumerate() {
            let judged = match s.culprit {
                Some(c) => c == i,
                None => s.status != Status::Passed,
            };
            x.file(if judged { full } else { short }, sidecar_name.as_deref());
            if !judged {
                // The claims are decoded again from the Authorization header where they are shown.
                x.request.jwt_claims = None;
            }
            if s.status == Status::Passed {
                // Nobody reads the token of a passing exchange in the record; the evidence file
                // has it.
                x.request.file_token(sidecar_name.as_deref());
            }
        }
    }

    fn on_step(
        &mut self,
        k: &ScenarioKey,
        step: &gherkin::Step,
        ev: event::Step<Assurance>,
        background: bool,
    ) {
        let Some((s, _)) = self.running.get_mut(k) else {
            return;
        };
        let text = format!("{}{}", step.keyword, step.value);
        let (status, message) = match ev {
            event::Step::Started => return,
            event::Step::Passed(..) => (Status::Passed, None),
            event::Step::Skipped => {
                // cucumber skips a step no definition matches: a broken scenario (the harness's
                // error, not the provider's failure), never a pass.
                let p = Problem::error(crate::verdict::UNDEFINED_STEP);
                let m = p.message.clone();
                conclude(s, &text, p);
                (Status::Error, Some(m))
            }
            event::Step::Failed(_, _, _, err) => {
                let p = match err {
                    StepError::Panic(info) => Problem::decode(&panic_message(&info)),
                    other => Problem::error(other.to_string()),
                };
                let (outcome, m) = (p.outcome, p.message.clone());
                conclude(s, &text, p);
                (outcome, Some(m))
            }
        };
        s.steps.push(StepResult {
            keyword: step.keyword.trim().to_string(),
            text: step.value.clone(),
            status,
            message,
            background,
        });
    }
}

/// Record a step (or hook) that did not pass: the scenario takes the worse outcome, and keeps the first
/// reason unless a later one is worse (a broken rule found by the validation hook outweighs an earlier
/// inconclusive step).
fn conclude(s: &mut ScenarioResult, step: &str, problem: Problem) {
    let worse = problem.outcome.severity() > s.status.severity();
    if worse {
        s.status = problem.outcome;
    }
    if s.failure.is_none() || worse {
        s.failure = Some(Failure {
            step: step.to_string(),
            message: problem.message,
        });
    }
}

fn panic_message(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "the step failed without a message".to_string()
    }
}

impl Writer<Assurance> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<Assurance>>>,
        _cli: &Self::Cli,
    ) {
        let ev = match event {
            Ok(ev) => ev.value,
            Err(e) => {
                self.run_errors
                    .push(format!("could not read a feature: {e}"));
                return;
            }
        };
        if let Cucumber::Feature(feature, fev) = ev {
            match fev {
                event::Feature::Started => {
                    self.feature_slot(&feature);
                }
                event::Feature::Scenario(scenario, retryable) => {
                    self.on_scenario(&feature, None, &scenario, retryable.event);
                }
                event::Feature::Rule(rule, event::Rule::Scenario(scenario, retryable)) => {
                    self.on_scenario(&feature, Some(&rule), &scenario, retryable.event);
                }
                _ => {}
            }
        }
    }
}

// Results are filed per scenario key, so interleaved events are handled correctly.
impl cucumber::writer::Normalized for Collector {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text found without walking components is the one `strip_prefix` and `display` give.
    #[test]
    fn a_plain_path_below_the_root_is_named_as_components_name_it() {
        let cases = [
            ("features", "features/appointments/book.feature", true),
            ("features", "features/a.feature", true),
            (
                "/tmp/x/features",
                "/tmp/x/features/structured/a.feature",
                true,
            ),
            ("features/", "features/a.feature", false),
            ("features", "features//a.feature", false),
            ("features", "features/./a.feature", false),
            ("features", "features/.", false),
            ("features", "features/../a.feature", false),
            ("features", "features/a/", false),
            ("features", "featuresx/a.feature", false),
            ("features", "other/a.feature", false),
            ("", "a.feature", false),
        ];
        for (root, path, plain) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            assert_eq!(
                plainly_below(root, path).is_some(),
                plain,
                "{root:?} {path:?}"
            );
            if let Some(rest) = plainly_below(root, path) {
                assert_eq!(rest, path.strip_prefix(root).unwrap().display().to_string());
                // so it is asked first: a path plainly below the root is never the root itself
                assert_ne!(path, root);
            }
        }
    }
}
