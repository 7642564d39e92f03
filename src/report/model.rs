//! The evidence model of one run: what every writer (HTML, JUnit, JSON) renders.

use serde::Serialize;

use crate::http::Exchange;

/// Outcome of a scenario or step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Not run: an earlier step failed.
    Skipped,
}

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
    /// The failing step's text and message.
    pub failure: Option<Failure>,
    pub evidence: Vec<Exchange>,
    pub duration_ms: f64,
}

/// The first failure of a scenario.
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
    pub scenarios: Vec<ScenarioResult>,
}

impl FeatureResult {
    pub fn passed(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.status == Status::Passed)
            .count()
    }
    pub fn failed(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
            .count()
    }
}

/// What was tested.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetSummary {
    pub foundations_url: String,
    pub structured_url: String,
    pub documents_url: String,
    pub provider_asid: String,
    pub provider_ods_code: String,
    pub gpconnect_version: String,
    pub structured_version: String,
    /// Whether the target was the embedded reference provider.
    pub embedded: bool,
}

/// Scenario counts.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub steps: usize,
    pub requests: usize,
}

/// Verdict per capability tag (`@foundations`, `@jwt`...).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapabilityVerdict {
    pub capability: String,
    pub passed: usize,
    pub failed: usize,
}

/// Coverage of one requirement id.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequirementCoverage {
    pub id: String,
    pub scenarios: usize,
    pub failed: usize,
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
    pub concurrency: usize,
    pub features: Vec<FeatureResult>,
    /// Problems that stopped part of the run (e.g. unparsable feature), shown first.
    pub run_errors: Vec<String>,
}

/// Tags that name a capability in the verdict table.
pub const CAPABILITY_TAGS: &[&str] = &[
    "foundations",
    "appointments",
    "structured",
    "documents",
    "http",
    "jwt",
    "headers",
    "fhir",
    "errors",
    "format",
    "caching",
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
            concurrency: 0,
            features: Vec::new(),
            run_errors: vec![error],
        }
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for f in &self.features {
            for s in &f.scenarios {
                t.scenarios += 1;
                match s.status {
                    Status::Passed => t.passed += 1,
                    Status::Failed => t.failed += 1,
                    Status::Skipped => {}
                }
                t.steps += s.steps.len();
                t.requests += s.evidence.len();
            }
        }
        t
    }

    /// `path:line name: step -> message` for every failed scenario.
    pub fn failure_lines(&self) -> Vec<String> {
        self.features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
            .filter(|(_, s)| s.status == Status::Failed)
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

    /// Whether the run passed: every scenario passed, at least one ran, and nothing stopped the run.
    pub fn passed(&self) -> bool {
        let t = self.totals();
        t.failed == 0 && t.scenarios > 0 && self.run_errors.is_empty()
    }

    /// Pass/fail per capability tag, in [`CAPABILITY_TAGS`] order.
    pub fn capabilities(&self) -> Vec<CapabilityVerdict> {
        CAPABILITY_TAGS
            .iter()
            .filter_map(|cap| {
                let (mut passed, mut failed) = (0, 0);
                for s in self.features.iter().flat_map(|f| &f.scenarios) {
                    if s.tags.iter().any(|t| t == cap) {
                        match s.status {
                            Status::Passed => passed += 1,
                            Status::Failed => failed += 1,
                            Status::Skipped => {}
                        }
                    }
                }
                (passed + failed > 0).then(|| CapabilityVerdict {
                    capability: cap.to_string(),
                    passed,
                    failed,
                })
            })
            .collect()
    }

    /// Requirements tested, sorted by id.
    pub fn requirements(&self) -> Vec<RequirementCoverage> {
        let mut map: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for s in self.features.iter().flat_map(|f| &f.scenarios) {
            for r in &s.requirements {
                let e = map.entry(r).or_default();
                e.0 += 1;
                if s.status == Status::Failed {
                    e.1 += 1;
                }
            }
        }
        map.into_iter()
            .map(|(id, (scenarios, failed))| RequirementCoverage {
                id: id.to_string(),
                scenarios,
                failed,
            })
            .collect()
    }
}
