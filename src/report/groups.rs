//! Failures grouped by root cause: scenarios that stopped at the same check with the same message,
//! once the parts that vary from scenario to scenario are set aside.
//!
//! Forty scenarios failing with `Ssp-TraceID 6f0c…: expected status 200, got 500` are one problem,
//! not forty. Before comparing, the failing step and its message are normalised: UUIDs (trace ids,
//! logical ids) become `{uuid}`, dates and date-times `{date}`, long hexadecimal strings (ETags,
//! hashes) `{hex}`, the id of a FHIR reference (`Patient/123`) `{id}`, and every other number `#`,
//! except a three-digit number from 100 to 599 standing alone, which is kept because it is most
//! likely an HTTP status, and `got 500` and `got 404` are different causes. The step's keyword
//! (`Given`, `Then`, `And`...) is dropped, so the same check reached by `Then` or `And` is one check.
//!
//! Each group keeps its scenarios (with their indices in the report, so a writer can link to them),
//! the requirement ids they check, and one message as it was really sent.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::Serialize;

use super::model::{RunReport, ScenarioResult, Status};
use super::names;

/// Scenarios that did not pass for the same normalised reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureGroup {
    /// failed, error or inconclusive.
    pub outcome: Status,
    /// The step the scenarios stopped at, without its keyword, normalised.
    pub check: String,
    /// Why, normalised (see the module doc).
    pub message: String,
    /// The first scenario's message as it was, with its real ids and numbers.
    pub example: String,
    /// The scenarios of the group, in report order.
    pub scenarios: Vec<GroupMember>,
    /// Requirement ids the scenarios check, sorted, without repeats.
    pub requirements: Vec<String>,
}

impl FailureGroup {
    /// How many scenarios the group holds.
    pub fn count(&self) -> usize {
        self.scenarios.len()
    }
}

/// One scenario of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    /// Feature path relative to the features directory.
    pub feature: String,
    /// The scenario's stable name ([`names`]).
    pub name: String,
    pub line: usize,
    /// Indices into `RunReport::features` and that feature's `scenarios`.
    pub feature_index: usize,
    pub scenario_index: usize,
}

/// Every failed, errored, inconclusive and warning scenario of the run, grouped: failed groups first,
/// then error, then inconclusive, then warning; within an outcome the largest group first, then by
/// check and message.
pub fn failure_groups(report: &RunReport) -> Vec<FailureGroup> {
    let mut groups: BTreeMap<(Status, String, String), FailureGroup> = BTreeMap::new();
    for (fi, feature) in report.features.iter().enumerate() {
        let stable = names::of_feature(feature);
        for (si, s) in feature.scenarios.iter().enumerate() {
            if !matches!(
                s.status,
                Status::Failed | Status::Error | Status::Inconclusive | Status::Warning
            ) {
                continue;
            }
            let (step, message) = stopping_point(s);
            let check = normalise(strip_keyword(&step));
            let normalised = normalise(&message);
            let group = groups
                .entry((s.status, check.clone(), normalised.clone()))
                .or_insert_with(|| FailureGroup {
                    outcome: s.status,
                    check,
                    message: normalised,
                    example: message.clone(),
                    scenarios: Vec::new(),
                    requirements: Vec::new(),
                });
            group.scenarios.push(GroupMember {
                feature: feature.path.clone(),
                name: stable[si].to_string(),
                line: s.line,
                feature_index: fi,
                scenario_index: si,
            });
            group.requirements.extend(s.requirements.iter().cloned());
        }
    }
    let mut out: Vec<FailureGroup> = groups
        .into_values()
        .map(|mut g| {
            g.requirements.sort();
            g.requirements.dedup();
            g
        })
        .collect();
    out.sort_by(|a, b| {
        b.outcome
            .severity()
            .cmp(&a.outcome.severity())
            .then(b.count().cmp(&a.count()))
            .then_with(|| a.check.cmp(&b.check))
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}

/// The step a scenario stopped at and why: its recorded failure, else its first step with a message.
fn stopping_point(s: &ScenarioResult) -> (String, String) {
    if let Some(f) = &s.failure {
        return (f.step.clone(), f.message.clone());
    }
    match s.steps.iter().find(|st| st.message.is_some()) {
        Some(st) => (
            format!("{} {}", st.keyword.trim(), st.text),
            st.message.clone().unwrap_or_default(),
        ),
        None => (String::new(), format!("the scenario ended {}", s.status)),
    }
}

/// The step text without its Gherkin keyword.
fn strip_keyword(step: &str) -> &str {
    let step = step.trim();
    for keyword in ["Given ", "When ", "Then ", "And ", "But ", "* "] {
        if let Some(rest) = step.strip_prefix(keyword) {
            return rest.trim_start();
        }
    }
    step
}

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
        .expect("valid regex")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    )
    .expect("valid regex")
});
static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[0-9a-f]{16,}\b").expect("valid regex"));
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Z][A-Za-z]+)/([A-Za-z0-9.-]*[0-9][A-Za-z0-9.-]*)").expect("valid regex")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?").expect("valid regex"));
static SPACE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("valid regex"));

/// The text with its volatile parts replaced (see the module doc) and runs of white space made one
/// space.
pub fn normalise(text: &str) -> String {
    let t = UUID.replace_all(text, "{uuid}");
    let t = DATE.replace_all(&t, "{date}");
    let t = HEX.replace_all(&t, "{hex}");
    let t = REFERENCE.replace_all(&t, "$1/{id}");
    let t = NUMBER.replace_all(&t, |c: &Captures| {
        let m = c.get(0).expect("whole match");
        let standalone = !t[..m.start()]
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '.')
            && !t[m.end()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        let status_like = m.as_str().len() == 3 && matches!(m.as_str().as_bytes()[0], b'1'..=b'5');
        if standalone && status_like {
            m.as_str().to_string()
        } else {
            "#".to_string()
        }
    });
    SPACE.replace_all(t.trim(), " ").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Failure, FeatureResult, ScenarioResult, TargetSummary};

    #[test]
    fn volatile_parts_are_normalised() {
        assert_eq!(
            normalise("trace 09a01679-2564-0fb4-5129-aecc81ea2706: expected status 200, got 500"),
            "trace {uuid}: expected status 200, got 500"
        );
        assert_eq!(
            normalise(
                "Patient/8 has no identifier; slot 2025-01-03T10:00:00+00:00 ends 2025-01-04"
            ),
            "Patient/{id} has no identifier; slot {date} ends {date}"
        );
        assert_eq!(
            normalise(
                "ETag W/\"3f2a9c0d1e4b5a6f7081\" for patient2:  expected 3 entries,\n got 12"
            ),
            "ETag W/\"{hex}\" for patient#: expected # entries, got #"
        );
    }

    #[test]
    fn http_statuses_stand_but_other_three_digit_numbers_go() {
        assert_eq!(normalise("got 404"), "got 404");
        assert_eq!(normalise("got 700 items"), "got # items");
        assert_eq!(normalise("ASID 918999198738"), "ASID #");
        assert_eq!(normalise("took 404.5 ms"), "took # ms");
    }

    #[test]
    fn keywords_do_not_split_a_check() {
        assert_eq!(
            strip_keyword("Then the response status is 200"),
            "the response status is 200"
        );
        assert_eq!(
            strip_keyword("And the response status is 200"),
            "the response status is 200"
        );
        assert_eq!(strip_keyword("(validation)"), "(validation)");
    }

    fn scenario(
        name: &str,
        line: usize,
        status: Status,
        step: &str,
        message: &str,
    ) -> ScenarioResult {
        ScenarioResult {
            name: name.into(),
            line,
            tags: vec![],
            requirements: vec![format!("REQ-{line}")],
            status,
            steps: vec![],
            failure: (status != Status::Passed).then(|| Failure {
                step: step.into(),
                message: message.into(),
            }),
            evidence: vec![],
            culprit: None,
            duration_ms: 1.0,
        }
    }

    fn report(scenarios: Vec<ScenarioResult>) -> RunReport {
        let mut r = RunReport::not_run(TargetSummary::default(), None, String::new());
        r.run_errors.clear();
        r.features.push(FeatureResult {
            description: None,
            name: "F".into(),
            path: "f.feature".into(),
            tags: vec![],
            scenarios,
        });
        r
    }

    #[test]
    fn one_root_cause_is_one_group_with_its_requirements() {
        let r = report(vec![
            scenario(
                "A",
                3,
                Status::Failed,
                "Then the response status is 200",
                "trace 11111111-2222-3333-4444-555555555555: got 500",
            ),
            scenario("B", 9, Status::Passed, "", ""),
            scenario(
                "C",
                12,
                Status::Failed,
                "And the response status is 200",
                "trace 99999999-2222-3333-4444-555555555555: got 500",
            ),
            scenario(
                "D",
                20,
                Status::Failed,
                "Then the response status is 200",
                "got 404",
            ),
            scenario(
                "E",
                30,
                Status::Inconclusive,
                "Given a patient",
                "patient2 is not mapped",
            ),
            scenario(
                "F",
                31,
                Status::Error,
                "When the request is sent",
                "connection reset",
            ),
        ]);
        let groups = failure_groups(&r);
        let summary: Vec<(Status, usize, &str)> = groups
            .iter()
            .map(|g| (g.outcome, g.count(), g.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Status::Failed, 2, "trace {uuid}: got 500"),
                (Status::Failed, 1, "got 404"),
                (Status::Error, 1, "connection reset"),
                (Status::Inconclusive, 1, "patient# is not mapped"),
            ]
        );
        let first = &groups[0];
        assert_eq!(first.check, "the response status is 200");
        assert_eq!(first.requirements, ["REQ-12", "REQ-3"]);
        assert_eq!(
            first.example,
            "trace 11111111-2222-3333-4444-555555555555: got 500"
        );
        let lines: Vec<(usize, usize)> = first
            .scenarios
            .iter()
            .map(|m| (m.line, m.scenario_index))
            .collect();
        assert_eq!(lines, [(3, 0), (12, 2)]);
    }

    #[test]
    fn a_different_check_with_the_same_message_is_another_group() {
        let r = report(vec![
            scenario(
                "A",
                3,
                Status::Failed,
                "Then the Bundle is valid",
                "missing id",
            ),
            scenario(
                "B",
                4,
                Status::Failed,
                "Then the Patient is valid",
                "missing id",
            ),
        ]);
        assert_eq!(failure_groups(&r).len(), 2);
    }

    #[test]
    fn a_run_without_failures_has_no_groups() {
        let r = report(vec![scenario("A", 3, Status::Passed, "", "")]);
        assert!(failure_groups(&r).is_empty());
    }
}
