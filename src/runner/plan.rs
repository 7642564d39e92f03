//! The scenarios a run is made of, read from the feature files before anything is sent: to stop on a
//! feature that does not parse, and to list the scenarios the target's version excludes (reported as
//! not applicable rather than silently dropped).

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::tag::Ext as _;

use super::{collector, version_selected, RunError};
use crate::config::TargetConfig;
use crate::report::{FeatureResult, ScenarioResult, Status};

pub use super::selection::{split_location, RerunSet, RerunTarget, Resolved, Selection};

/// Every `.feature` file at `path` (a directory, searched recursively, or one file), parsed, with
/// scenario outlines expanded into one scenario per Examples row (as cucumber runs them).
pub fn load_features(path: &Path) -> Result<Vec<gherkin::Feature>, RunError> {
    let meta = std::fs::metadata(path).map_err(|e| RunError::Features {
        path: path.into(),
        message: e.to_string(),
    })?;
    let mut files = Vec::new();
    if meta.is_file() {
        files.push(path.to_path_buf());
    } else {
        collect_files(path, &mut files).map_err(|e| RunError::Features {
            path: path.into(),
            message: e.to_string(),
        })?;
    }
    if files.is_empty() {
        return Err(RunError::Features {
            path: path.into(),
            message: "no .feature files found".into(),
        });
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let bad = |message: String| RunError::Features {
                path: f.clone(),
                message,
            };
            gherkin::Feature::parse_path(&f, gherkin::GherkinEnv::default())
                .map_err(|e| bad(e.to_string()))?
                .expand_examples()
                .map_err(|e| bad(e.to_string()))
        })
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
    Ok(())
}

/// Every scenario of `features` with its feature, rule and scenario tags (without `@`).
pub fn scenarios(
    features: &[gherkin::Feature],
) -> impl Iterator<Item = (&gherkin::Feature, &gherkin::Scenario, Vec<&String>)> {
    features.iter().flat_map(|f| {
        let plain = f.scenarios.iter().map(move |s| (None, s));
        let ruled = f
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        plain.chain(ruled).map(move |(rule, s)| {
            let tags = f
                .tags
                .iter()
                .chain(rule.iter().flat_map(|r| &r.tags))
                .chain(&s.tags)
                .collect();
            (f, s, tags)
        })
    })
}

/// The scenarios the tag filter selects but the target's version excludes, as not-applicable results
/// grouped by feature (paths relative to `root`, as the collector names them).
pub fn not_applicable(
    features: &[gherkin::Feature],
    root: &Path,
    filter: Option<&TagOperation>,
    target: &TargetConfig,
) -> Vec<FeatureResult> {
    let mut out: Vec<FeatureResult> = Vec::new();
    for (feature, scenario, tags) in scenarios(features) {
        let selected = filter.is_none_or(|e| e.eval(tags.iter().copied()));
        if !selected || version_selected(&tags, target) {
            continue;
        }
        let (path, line, name) = collector::key(root, feature, scenario);
        let tags: Vec<String> = tags.into_iter().cloned().collect();
        let result = ScenarioResult {
            name,
            line,
            requirements: tags
                .iter()
                .filter_map(|t| t.strip_prefix("req:"))
                .map(str::to_string)
                .collect(),
            tags,
            status: Status::NotApplicable,
            steps: Vec::new(),
            failure: None,
            evidence: Vec::new(),
            culprit: None,
            duration_ms: 0.0,
        };
        match out.iter_mut().find(|f| f.path == path) {
            Some(f) => f.scenarios.push(result),
            None => out.push(FeatureResult {
                name: feature.name.clone(),
                path,
                tags: feature.tags.clone(),
                scenarios: vec![result],
            }),
        }
    }
    out
}
