//! cucumber.json: the Cucumber JSON report, the format cucumber reporting tools read (Jenkins'
//! Cucumber Reports, multiple-cucumber-html-reporter, Xray and others).
//!
//! Layout: an array of features (`uri`, `id`, `name`, `tags`), each with its scenarios as `elements`
//! (`type: "scenario"`; an Examples row of an outline has keyword `Scenario Outline` and its row in its
//! id, `feature;scenario;row-2`, see [`names`](super::names)), each with its steps, background steps
//! included, and each step with a `result`: `status`, `duration` in nanoseconds and `error_message`.
//! Tags carry their `@`. Ids are unique within a feature (names that slug alike are numbered).
//!
//! Our outcomes map onto Cucumber's statuses so that a Cucumber tool counts them as the report does:
//!
//! | Our outcome | Cucumber status | `error_message` |
//! |---|---|---|
//! | passed | `passed` | – |
//! | warning | `passed` | –; the step's `output` says `warning: SHOULD not followed: ...` |
//! | failed | `failed` | the broken rule, and the exchange it judged |
//! | error, a step no definition matches | `undefined` | the step is not defined |
//! | error, any other | `failed` | `error (harness or transport): ...` |
//! | inconclusive | `skipped` | `inconclusive: ...` and what to set up |
//! | not applicable | `skipped` | `not applicable: ...` |
//!
//! The steps after the one that stopped a scenario are `skipped`. A not-applicable scenario never ran
//! and has no steps; it gets one `skipped` step saying why, since a tool counts a scenario without
//! steps as passed. When the outcome comes from no step (a scenario is failed after its steps when a
//! response broke the FHIR profiles), the reason is an `after` hook with that status, which every
//! tool counts. Steps are not timed one by one: the scenario's time is given to its last step, so a
//! scenario's total is right. Problems that stopped part of the run become a feature of their own
//! with one failed scenario each, so the run is red in a Cucumber tool as it is in junit.xml.
//!
//! A warning (a SHOULD or MAY the provider does not follow, or XML it does not offer) is never a
//! failure, so it is `passed`, not `skipped`: several Cucumber tools count skipped steps as failing
//! by default, which would turn a warning red. The warning is kept in the `output` of the step that
//! found it (the lines a step logs, which the tools show beside it), or, when no step ran (the XML
//! scenarios of a provider that offers no XML are not sent), of a `passed` `after` hook.

use std::io::Write;

use serde::Serialize;

use super::junit::exchange_summary;
use super::model::{FeatureResult, RunReport, ScenarioResult, Status, StepResult};
use super::names::{self, StableName};
use crate::verdict::UNDEFINED_STEP;

/// Render cucumber.json (see [`write`]).
pub fn render(report: &RunReport) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write(report, &mut out).map_err(serde_json::Error::io)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Write cucumber.json to `out`, each feature built as it is serialised (a list of them whole
/// would double what the report holds).
pub fn write(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    struct Features<'r>(&'r RunReport);
    impl Serialize for Features<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let errors = (!self.0.run_errors.is_empty()).then(|| run_errors(&self.0.run_errors));
            s.collect_seq(
                errors
                    .into_iter()
                    .chain(self.0.features.iter().map(feature)),
            )
        }
    }
    serde_json::to_writer_pretty(&mut out, &Features(report))?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct Feature {
    uri: String,
    id: String,
    keyword: &'static str,
    name: String,
    description: &'static str,
    line: usize,
    tags: Vec<Tag>,
    elements: Vec<Element>,
}

#[derive(Serialize)]
struct Tag {
    name: String,
}

#[derive(Serialize)]
struct Element {
    id: String,
    keyword: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    description: &'static str,
    line: usize,
    tags: Vec<Tag>,
    steps: Vec<Step>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    after: Vec<Hook>,
}

#[derive(Serialize)]
struct Step {
    keyword: String,
    name: String,
    result: Outcome,
    /// What the step logged: a warning's text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    output: Vec<String>,
}

#[derive(Serialize)]
struct Hook {
    #[serde(rename = "match")]
    location: Match,
    result: Outcome,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    output: Vec<String>,
}

#[derive(Serialize)]
struct Match {
    location: &'static str,
}

#[derive(Serialize)]
struct Outcome {
    status: &'static str,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

fn feature(f: &FeatureResult) -> Feature {
    let id = slug(f.path.strip_suffix(".feature").unwrap_or(&f.path));
    let stable = names::of_feature(f);
    let mut elements: Vec<Element> = f
        .scenarios
        .iter()
        .zip(&stable)
        .map(|(s, n)| element(&id, s, n))
        .collect();
    unique_ids(&mut elements);
    Feature {
        uri: f.path.clone(),
        elements,
        id,
        keyword: "Feature",
        name: f.name.clone(),
        description: "",
        line: 1,
        tags: tags(&f.tags),
    }
}

fn element(feature_id: &str, s: &ScenarioResult, name: &StableName) -> Element {
    let mut id = format!("{feature_id};{}", slug(&s.name));
    if let Some(row) = name.row {
        id.push_str(&format!(";row-{row}"));
    }
    let mut steps: Vec<Step> = s.steps.iter().map(|st| step(s, st)).collect();
    if s.status == Status::NotApplicable && steps.is_empty() {
        steps.push(Step {
            keyword: "Given ".into(),
            name: "the scenario applies to the target's version".into(),
            result: Outcome {
                status: "skipped",
                duration: 0,
                error_message: Some(
                    "not applicable: excluded by @since/@until for the target's version".into(),
                ),
            },
            output: Vec::new(),
        });
    }
    let after = stopping_reason_outside_steps(s)
        .map(|(result, output)| {
            vec![Hook {
                location: Match {
                    location: "after the scenario's steps",
                },
                result,
                output,
            }]
        })
        .unwrap_or_default();
    if let Some(last) = steps.last_mut() {
        last.result.duration = nanoseconds(s.duration_ms);
    }
    Element {
        id,
        keyword: if name.row.is_some() {
            "Scenario Outline"
        } else {
            "Scenario"
        },
        kind: "scenario",
        name: s.name.clone(),
        description: "",
        line: s.line,
        tags: tags(&s.tags),
        steps,
        after,
    }
}

fn step(s: &ScenarioResult, st: &StepResult) -> Step {
    let message = st.message.clone();
    let mut output = Vec::new();
    let (status, error_message) = match st.status {
        Status::Passed => ("passed", None),
        Status::Warning => {
            output.push(format!("warning: {}", message.unwrap_or_default()));
            ("passed", None)
        }
        Status::Failed => ("failed", Some(with_exchange(s, message))),
        Status::Error if message.as_deref() == Some(UNDEFINED_STEP) => ("undefined", message),
        Status::Error => (
            "failed",
            Some(format!(
                "error (harness or transport): {}",
                with_exchange(s, message)
            )),
        ),
        Status::Inconclusive => (
            "skipped",
            Some(format!("inconclusive: {}", message.unwrap_or_default())),
        ),
        Status::NotApplicable | Status::Skipped => ("skipped", message),
    };
    Step {
        keyword: format!("{} ", st.keyword.trim()),
        name: st.text.clone(),
        result: Outcome {
            status,
            duration: 0,
            error_message,
        },
        output,
    }
}

/// The scenario's outcome as an `after` hook (its result and output), when no step carries it (see
/// the module doc).
fn stopping_reason_outside_steps(s: &ScenarioResult) -> Option<(Outcome, Vec<String>)> {
    let status = match s.status {
        Status::Passed | Status::NotApplicable | Status::Skipped => return None,
        Status::Failed | Status::Error => "failed",
        Status::Inconclusive => "skipped",
        Status::Warning => "passed",
    };
    if s.steps.iter().any(|st| st.status == s.status) {
        return None;
    }
    let why = s
        .failure
        .as_ref()
        .map(|f| {
            if f.step.is_empty() {
                f.message.clone()
            } else {
                format!("{}: {}", f.step, f.message)
            }
        })
        .unwrap_or_else(|| format!("the scenario ended {}", s.status));
    if s.status == Status::Warning {
        let result = Outcome {
            status,
            duration: 0,
            error_message: None,
        };
        return Some((result, vec![format!("warning: {why}")]));
    }
    let prefix = match s.status {
        Status::Error => "error (harness or transport): ",
        Status::Inconclusive => "inconclusive: ",
        _ => "",
    };
    let result = Outcome {
        status,
        duration: 0,
        error_message: Some(format!("{prefix}{}", with_exchange(s, Some(why)))),
    };
    Some((result, Vec::new()))
}

/// The message, followed by the exchange the failing check judged when there is one.
fn with_exchange(s: &ScenarioResult, message: Option<String>) -> String {
    let mut text = message.unwrap_or_else(|| "the step did not pass".into());
    if let Some(x) = s.culprit.and_then(|i| s.evidence.get(i)) {
        text.push_str("\n\nExchange judged: ");
        text.push_str(&exchange_summary(x));
    }
    text
}

/// Names that differ only in case or punctuation (`/Metadata`, `/METADATA`) make the same slug: the
/// second and later elements with an id already taken get `;2`, `;3`... in file order.
fn unique_ids(elements: &mut [Element]) {
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for e in elements {
        let n = seen.entry(e.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            e.id = format!("{};{n}", e.id);
        }
    }
}

/// Problems that stopped part of the run, as a feature of failed scenarios.
fn run_errors(errors: &[String]) -> Feature {
    Feature {
        uri: "(run errors)".into(),
        id: "run-errors".into(),
        keyword: "Feature",
        name: "Run errors".into(),
        description: "",
        line: 1,
        tags: vec![],
        elements: errors
            .iter()
            .enumerate()
            .map(|(i, e)| Element {
                id: format!("run-errors;run-error-{}", i + 1),
                keyword: "Scenario",
                kind: "scenario",
                name: format!("run error {}", i + 1),
                description: "",
                line: 1,
                tags: vec![],
                steps: vec![Step {
                    keyword: "Given ".into(),
                    name: "the run read every feature and reached the target".into(),
                    result: Outcome {
                        status: "failed",
                        duration: 0,
                        error_message: Some(e.clone()),
                    },
                    output: Vec::new(),
                }],
                after: vec![],
            })
            .collect(),
    }
}

fn tags(tags: &[String]) -> Vec<Tag> {
    tags.iter()
        .map(|t| Tag {
            name: format!("@{}", t.trim_start_matches('@')),
        })
        .collect()
}

/// Milliseconds as whole nanoseconds; nothing for a time that is not a time.
fn nanoseconds(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1_000_000.0).round() as u64
    } else {
        0
    }
}

/// Lower case, letters and digits kept, every other run of characters one `-`: how Cucumber makes ids.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(
            slug("Patient <b>search</b> & \"quotes\""),
            "patient-b-search-b-quotes"
        );
        assert_eq!(slug("foundations/read_patient"), "foundations-read-patient");
        assert_eq!(slug("--"), "");
    }

    #[test]
    fn names_differing_only_in_case_or_punctuation_get_distinct_ids() {
        let mut f = FeatureResult {
            description: None,
            name: "F".into(),
            path: "cross/http.feature".into(),
            tags: vec![],
            scenarios: Vec::new(),
        };
        for (name, line) in [("Path /Metadata", 3), ("Path /METADATA", 4), ("Other", 5)] {
            f.scenarios.push(ScenarioResult {
                name: name.into(),
                line,
                tags: vec![],
                requirements: vec![],
                status: Status::Passed,
                steps: vec![],
                failure: None,
                evidence: vec![],
                culprit: None,
                duration_ms: 0.0,
            });
        }
        let ids: Vec<String> = feature(&f).elements.into_iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            [
                "cross-http;path-metadata",
                "cross-http;path-metadata;2",
                "cross-http;other"
            ]
        );
    }

    #[test]
    fn durations_are_nanoseconds() {
        assert_eq!(nanoseconds(1.5), 1_500_000);
        assert_eq!(nanoseconds(f64::NAN), 0);
        assert_eq!(nanoseconds(-3.0), 0);
    }
}
