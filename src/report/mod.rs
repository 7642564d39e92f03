//! Reports of a run: the evidence model and its writers (self-contained HTML, JUnit XML, JSON).

pub mod curl;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;

pub use model::{
    worst, Failure, FeatureResult, RunReport, RunStopped, ScenarioResult, Status, StepResult,
    StopReason, TargetSummary, Verdict,
};
pub use model::{FeatureFileHash, FeatureSet, RerunMeta, RunMeta, SelectionMeta};

use std::path::{Path, PathBuf};

/// Where each report of a run was written.
#[derive(Debug, Clone)]
pub struct WrittenReports {
    pub dir: PathBuf,
    pub html: PathBuf,
    pub junit: PathBuf,
    pub json: PathBuf,
}

/// Write all three reports into `dir` (created if missing). Each file is written under a temporary
/// name in `dir` and renamed into place, so a reader (a CI job, a browser refreshing) sees either the
/// previous state or a complete file, never a truncated one.
pub fn write_all(report: &RunReport, dir: &Path) -> std::io::Result<WrittenReports> {
    std::fs::create_dir_all(dir)?;
    let html = dir.join("index.html");
    let junit = dir.join("junit.xml");
    let json = dir.join("results.json");
    // Render everything first: a rendering error then leaves no report half-written.
    let html_text = html::render(report).map_err(std::io::Error::other)?;
    let junit_text = junit::render(report);
    let json_text = json::render(report).map_err(std::io::Error::other)?;
    write_atomically(&html, html_text.as_bytes())?;
    write_atomically(&junit, junit_text.as_bytes())?;
    write_atomically(&json, json_text.as_bytes())?;
    Ok(WrittenReports {
        dir: dir.to_path_buf(),
        html,
        junit,
        json,
    })
}

/// Write `path` through a fresh temporary file beside it and a rename (atomic within a directory).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let tmp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::File::create_new(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}
