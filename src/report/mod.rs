//! Reports of a run: the evidence model and its writers (self-contained HTML, JUnit XML, JSON).

pub mod html;
pub mod json;
pub mod junit;
pub mod model;

pub use model::{
    worst, Failure, FeatureResult, RunReport, ScenarioResult, Status, StepResult, TargetSummary,
    Verdict,
};

use std::path::{Path, PathBuf};

/// File name of the evidence sidecar in a report directory: every exchange of the run with its bodies
/// whole, one gzipped JSON line per scenario (results.json and index.html keep the start of each body).
pub const EVIDENCE_FILE: &str = "evidence.jsonl.gz";

/// Where each report of a run was written.
#[derive(Debug, Clone)]
pub struct WrittenReports {
    pub dir: PathBuf,
    pub html: PathBuf,
    pub junit: PathBuf,
    pub json: PathBuf,
}

/// Write all three reports into `dir` (created if missing).
pub fn write_all(report: &RunReport, dir: &Path) -> std::io::Result<WrittenReports> {
    std::fs::create_dir_all(dir)?;
    let html = dir.join("index.html");
    let junit = dir.join("junit.xml");
    let json = dir.join("results.json");
    std::fs::write(&html, html::render(report).map_err(std::io::Error::other)?)?;
    std::fs::write(&junit, junit::render(report))?;
    std::fs::write(&json, json::render(report).map_err(std::io::Error::other)?)?;
    Ok(WrittenReports {
        dir: dir.to_path_buf(),
        html,
        junit,
        json,
    })
}
