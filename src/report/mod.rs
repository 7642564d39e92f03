//! Reports of a run: the evidence model and its writers (self-contained HTML, JUnit XML, JSON), the
//! files for CI (Cucumber JSON, a Markdown summary, CSV tables), failures grouped by root cause, and
//! the comparison of two runs.

pub mod csv;
pub mod cucumber;
pub mod diff;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;
pub mod names;
pub mod summary;

pub use model::{
    worst, Failure, FeatureResult, RunReport, ScenarioResult, Status, StepResult, TargetSummary,
    Verdict,
};

use std::path::{Path, PathBuf};

/// Where each report of a run was written.
#[derive(Debug, Clone)]
pub struct WrittenReports {
    pub dir: PathBuf,
    pub html: PathBuf,
    pub junit: PathBuf,
    pub json: PathBuf,
}

/// Write every report into `dir` (created if missing): index.html, junit.xml, results.json and the
/// files for CI ([`ci_reports`]).
pub fn write_all(report: &RunReport, dir: &Path) -> std::io::Result<WrittenReports> {
    std::fs::create_dir_all(dir)?;
    let html = dir.join("index.html");
    let junit = dir.join("junit.xml");
    let json = dir.join("results.json");
    std::fs::write(&html, html::render(report).map_err(std::io::Error::other)?)?;
    std::fs::write(&junit, junit::render(report))?;
    std::fs::write(&json, json::render(report).map_err(std::io::Error::other)?)?;
    for (name, contents) in ci_reports(report)? {
        std::fs::write(dir.join(name), contents)?;
    }
    Ok(WrittenReports {
        dir: dir.to_path_buf(),
        html,
        junit,
        json,
    })
}

/// The files for CI written beside index.html, as (file name, contents): cucumber.json, summary.md,
/// scenarios.csv and requirements.csv.
pub fn ci_reports(report: &RunReport) -> std::io::Result<Vec<(&'static str, String)>> {
    Ok(vec![
        (
            "cucumber.json",
            cucumber::render(report).map_err(std::io::Error::other)?,
        ),
        ("summary.md", summary::render(report)),
        ("scenarios.csv", csv::scenarios(report)?),
        ("requirements.csv", csv::requirements(report)?),
    ])
}
