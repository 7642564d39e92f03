//! Reports of a run: the evidence model and its writers (self-contained HTML, JUnit XML, JSON), the
//! files for CI (Cucumber JSON, a Markdown summary, CSV tables), failures grouped by root cause, and
//! the comparison of two runs.

pub mod csv;
pub mod cucumber;
pub mod curl;
pub mod diff;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod model;
pub mod names;
pub mod summary;

pub use model::{
    worst, Failure, FeatureResult, RunReport, RunStopped, ScenarioResult, Status, StepResult,
    StopReason, TargetSummary, Verdict,
};
pub use model::{CoverSheet, SignOffBox};
pub use model::{FeatureFileHash, FeatureSet, RerunMeta, RunMeta, SelectionMeta};

use std::fs::File;
use std::io::{BufWriter, Write};
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

/// Write every report into `dir` (created if missing): index.html, junit.xml, results.json,
/// cucumber.json and the other files for CI ([`ci_reports`]). Each file is written under a
/// temporary name in `dir` and renamed into place, so a reader (a CI job, a browser refreshing)
/// sees either the previous state or a complete file, never a truncated one.
pub fn write_all(report: &RunReport, dir: &Path) -> std::io::Result<WrittenReports> {
    std::fs::create_dir_all(dir)?;
    let html = dir.join("index.html");
    let junit = dir.join("junit.xml");
    let json = dir.join("results.json");
    // Every file is written under its temporary name first, as it is rendered, and renamed into
    // place only once all are: a rendering error then leaves no report half-written. The page, the
    // largest, renders on threads of its own while the others render and are written on this one:
    // after the last scenario the provider is idle, and this is the time a user waits for the run
    // to end. The large files (the page, results.json, cucumber.json) go to disk as they render.
    let (page, others) = std::thread::scope(|scope| {
        let page = scope.spawn(|| Staged::write_with(&html, |out| html::write(report, out)));
        let mut others = Vec::new();
        let written = (|| {
            others.push(Staged::write(&junit, junit::render(report).as_bytes())?);
            others.push(Staged::write_with(&json, |out| json::write(report, out))?);
            others.push(Staged::write_with(&dir.join(CUCUMBER_FILE), |out| {
                cucumber::write(report, out)
            })?);
            for (name, contents) in ci_reports(report)? {
                others.push(Staged::write(&dir.join(name), contents.as_bytes())?);
            }
            Ok::<_, std::io::Error>(())
        })();
        let page = page
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("rendering index.html panicked")));
        (page, written.map(|()| others))
    });
    // A failure drops what was staged, and with it the temporary files.
    let mut staged = others?;
    staged.insert(0, page?);
    for file in staged {
        file.commit()?;
    }
    Ok(WrittenReports {
        dir: dir.to_path_buf(),
        html,
        junit,
        json,
    })
}

/// A file written whole under a temporary name beside its own, until [`Staged::commit`] renames it
/// into place (atomic within a directory); dropped uncommitted, the temporary file is removed.
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
}

impl Staged {
    fn write(path: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
        Staged::write_with(path, |out| out.write_all(bytes))
    }

    /// Stage the file `write` writes, through a buffer, to disk (synced).
    fn write_with(
        path: &Path,
        write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    ) -> std::io::Result<Staged> {
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
        let file = File::create_new(&tmp)?;
        // From here on the temporary file is ours to remove.
        let staged = Staged {
            tmp,
            path: path.to_path_buf(),
        };
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(staged)
    }

    fn commit(mut self) -> std::io::Result<()> {
        let tmp = std::mem::take(&mut self.tmp);
        let renamed = std::fs::rename(&tmp, &self.path);
        if renamed.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        renamed
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// File name of the Cucumber JSON report (written as it is rendered, beside [`ci_reports`]).
pub const CUCUMBER_FILE: &str = "cucumber.json";

/// The smaller files for CI written beside index.html and cucumber.json, as (file name,
/// contents): summary.md, scenarios.csv and requirements.csv.
pub fn ci_reports(report: &RunReport) -> std::io::Result<Vec<(&'static str, String)>> {
    Ok(vec![
        ("summary.md", summary::render(report)),
        ("scenarios.csv", csv::scenarios(report)?),
        ("requirements.csv", csv::requirements(report)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_whose_writing_fails_midway_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let e = Staged::write_with(&path, |out| {
            // more than the buffer holds, so part of it has reached the temporary file
            out.write_all(&vec![b'x'; 1024 * 1024])?;
            Err(std::io::Error::other("the disk is full"))
        })
        .err()
        .expect("the writer's error");
        assert_eq!(e.to_string(), "the disk is full");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_staged_file_appears_whole_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        let staged = Staged::write_with(&path, |out| {
            out.write_all(b"{\"a\":")?;
            out.write_all(b"1}\n")
        })
        .unwrap();
        assert!(!path.exists(), "not in place before the commit");
        staged.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
