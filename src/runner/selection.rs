//! Selecting scenarios beyond tags: by name (`--name REGEX`), by place in a feature file
//! (`path/to.feature:LINE`, as cucumber users write it), and the scenarios an earlier run did not pass
//! (`--rerun-failed PREV`).
//!
//! A selection is resolved once, against the parsed features, into the set of scenario keys it admits;
//! the runner then runs only those (the tag expression and the target's version still apply), and
//! lists as not applicable only selected scenarios the version excludes.
//!
//! Kinds combine with AND (`--name` and a location and `--rerun-failed` must all admit a scenario);
//! values of one kind with OR (any `--name`, any location).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use cucumber::gherkin;
use serde::Deserialize;

use super::{collector, plan, RunError};
use crate::report::{RerunMeta, SelectionMeta};
use crate::steps::context::ScenarioKey;

/// Which scenarios a run is limited to, as given (resolved by [`Selection::resolve`]).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Regular expressions on the scenario name; a scenario is admitted when any matches.
    pub names: Vec<String>,
    /// `FEATURE[:LINE[:LINE...]]`: a feature file (or a directory of them), optionally narrowed to the
    /// scenarios (or Examples rows) at those lines. Relative paths are relative to the working
    /// directory; each must lie inside the features root.
    pub locations: Vec<String>,
    /// The scenarios an earlier run did not pass.
    pub rerun: Option<RerunSet>,
}

impl Selection {
    /// Whether nothing limits the run.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.locations.is_empty() && self.rerun.is_none()
    }

    /// Resolve against the features under `root` (canonical, as the runner uses it), parsed with
    /// outlines expanded.
    pub fn resolve(
        &self,
        root: &Path,
        features: &[gherkin::Feature],
    ) -> Result<Resolved, RunError> {
        let mut meta = SelectionMeta {
            names: self.names.clone(),
            locations: self.locations.clone(),
            ..SelectionMeta::default()
        };
        let mut notes = Vec::new();
        // A feature's file is found once, not once per scenario (each a walk of the path's
        // components by the system).
        let mut file_of: Option<(&gherkin::Feature, Option<PathBuf>)> = None;
        let all: Vec<Candidate> = plan::scenarios(features)
            .map(|(f, s, _)| {
                let file = match &file_of {
                    Some((of, file)) if std::ptr::eq(*of, f) => file.clone(),
                    _ => {
                        let file = f.path.as_deref().map(canonical);
                        file_of = Some((f, file.clone()));
                        file
                    }
                };
                Candidate {
                    key: collector::key(root, f, s),
                    file,
                    scenario: s,
                }
            })
            .collect();
        let mut admitted: Option<HashSet<ScenarioKey>> = None;
        let mut narrow = |keys: HashSet<ScenarioKey>| {
            admitted = Some(match admitted.take() {
                None => keys,
                Some(before) => before.intersection(&keys).cloned().collect(),
            });
        };

        if !self.names.is_empty() {
            let patterns = self
                .names
                .iter()
                .map(|p| {
                    regex::Regex::new(p).map_err(|e| {
                        RunError::Selection(format!(
                            "--name {p:?} is not a valid regular expression: {e}"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            narrow(
                all.iter()
                    .filter(|c| patterns.iter().any(|p| p.is_match(&c.key.2)))
                    .map(|c| c.key.clone())
                    .collect(),
            );
        }

        if !self.locations.is_empty() {
            let mut keys = HashSet::new();
            let mut texts = LineIndex::default();
            for raw in &self.locations {
                let (path, lines) = split_location(Path::new(raw));
                let place = std::fs::canonicalize(&path).map_err(|e| {
                    RunError::Selection(format!(
                        "{raw}: cannot find {}: {e}. Give a feature file (or directory) inside the features directory, optionally followed by :LINE.",
                        path.display()
                    ))
                })?;
                if !place.starts_with(root) {
                    return Err(RunError::Selection(format!(
                        "{raw} is not inside the features directory {}: pass the features directory that holds it with --features, or the file itself as --features {raw}",
                        root.display()
                    )));
                }
                let in_place: Vec<&Candidate> = all
                    .iter()
                    .filter(|c| c.file.as_ref().is_some_and(|f| f.starts_with(&place)))
                    .collect();
                if lines.is_empty() {
                    keys.extend(in_place.iter().map(|c| c.key.clone()));
                    continue;
                }
                let text = texts.of(&place)?;
                for &line in &lines {
                    let hits: Vec<&&Candidate> = in_place
                        .iter()
                        .filter(|c| at_line(c.scenario, &in_place, line, text))
                        .collect();
                    if hits.is_empty() {
                        let starts: Vec<String> = in_place
                            .iter()
                            .map(|c| c.key.1)
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .map(|l| l.to_string())
                            .collect();
                        return Err(RunError::Selection(format!(
                            "{}:{line} is not the line of a scenario or an Examples row; scenarios and rows of that file start at lines {}",
                            path.display(),
                            if starts.is_empty() { "(none)".to_string() } else { starts.join(", ") }
                        )));
                    }
                    keys.extend(hits.into_iter().map(|c| c.key.clone()));
                }
            }
            narrow(keys);
        }

        if let Some(rerun) = &self.rerun {
            let mut keys = HashSet::new();
            let mut not_found = Vec::new();
            for t in &rerun.scenarios {
                let exact = all
                    .iter()
                    .find(|c| c.key.0 == t.path && c.key.1 == t.line && c.key.2 == t.name);
                // A line moved by an edit above it: the same name, if it is unique in that file.
                let by_name = || {
                    let same: Vec<&Candidate> = all
                        .iter()
                        .filter(|c| c.key.0 == t.path && c.key.2 == t.name)
                        .collect();
                    (same.len() == 1).then(|| same[0])
                };
                match exact.or_else(by_name) {
                    Some(c) => {
                        keys.insert(c.key.clone());
                    }
                    None => not_found.push(format!("{}:{} {}", t.path, t.line, t.name)),
                }
            }
            if keys.is_empty() && !rerun.scenarios.is_empty() {
                return Err(RunError::Selection(format!(
                    "none of the {} scenarios {} lists as not passed is in the features at {} (first: {}). Give --features the directory that run used.",
                    rerun.scenarios.len(),
                    rerun.source.display(),
                    root.display(),
                    not_found.first().map(String::as_str).unwrap_or("-")
                )));
            }
            for n in &not_found {
                notes.push(format!(
                    "--rerun-failed: {n} is no longer in the features; not run"
                ));
            }
            meta.rerun_failed = Some(RerunMeta {
                from: rerun.source.display().to_string(),
                listed: rerun.scenarios.len(),
                found: keys.len(),
                not_found,
            });
            notes.extend(rerun.notes.iter().cloned());
            narrow(keys);
        }

        Ok(Resolved {
            admitted,
            notes,
            meta,
        })
    }
}

/// A resolved selection: the scenario keys it admits.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// `None`: every scenario (nothing was selected).
    admitted: Option<HashSet<ScenarioKey>>,
    /// Warnings for the user (scenarios to rerun that are gone, an unknown results.json version).
    pub notes: Vec<String>,
    /// What the report says about the selection (`selected` is filled by the runner).
    pub meta: SelectionMeta,
}

impl Resolved {
    /// Whether the scenario with this key is selected.
    pub fn admits(&self, key: &ScenarioKey) -> bool {
        self.admitted.as_ref().is_none_or(|k| k.contains(key))
    }
}

struct Candidate<'a> {
    key: ScenarioKey,
    file: Option<PathBuf>,
    scenario: &'a gherkin::Scenario,
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Split `path:LINE[:LINE...]` into the path and its lines. A path that exists as written is taken
/// whole (a file may have `:` in its name); so is one without a numeric suffix.
pub fn split_location(arg: &Path) -> (PathBuf, Vec<usize>) {
    if arg.exists() {
        return (arg.to_path_buf(), Vec::new());
    }
    let Some(text) = arg.to_str() else {
        return (arg.to_path_buf(), Vec::new());
    };
    let mut rest = text;
    let mut lines = Vec::new();
    while let Some((head, tail)) = rest.rsplit_once(':') {
        match tail.parse::<usize>() {
            Ok(n) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => {
                lines.push(n);
                rest = head;
            }
            _ => break,
        }
    }
    if lines.is_empty() || rest.is_empty() {
        return (arg.to_path_buf(), Vec::new());
    }
    lines.reverse();
    (PathBuf::from(rest), lines)
}

/// Line numbers of byte offsets, per file (spans are byte offsets into the file's text).
#[derive(Default)]
struct LineIndex {
    files: BTreeMap<PathBuf, FileText>,
}

/// A feature file's text and the offsets at which its lines start (line 1 at index 0).
struct FileText {
    text: String,
    starts: Vec<usize>,
}

impl FileText {
    /// The line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The line of the last character before `end` that is not white space (a span's end lies after
    /// the blank lines and indentation that follow it).
    fn last_line_before(&self, end: usize) -> usize {
        let end = end.min(self.text.len());
        let trimmed = self.text[..end].trim_end().len();
        self.line_of(trimmed.saturating_sub(1))
    }
}

impl LineIndex {
    fn of(&mut self, file: &Path) -> Result<&FileText, RunError> {
        if !self.files.contains_key(file) {
            let text = std::fs::read_to_string(file).map_err(|e| {
                RunError::Selection(format!(
                    "{}: a line can only be given for a feature file ({e})",
                    file.display()
                ))
            })?;
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            self.files
                .insert(file.to_path_buf(), FileText { text, starts });
        }
        Ok(&self.files[file])
    }
}

/// Whether `line` selects `s` (an expanded scenario), as cucumber reads `file:LINE`:
/// - a plain scenario: any line from its keyword to its last step;
/// - an outline's row: that row's line; the line of its Examples keyword or header (every row of
///   that Examples); any line from the outline's keyword to before its first Examples (every row).
fn at_line(s: &gherkin::Scenario, file: &[&Candidate], line: usize, text: &FileText) -> bool {
    let first = text.line_of(s.span.start);
    let last = text.last_line_before(s.span.end).max(first);
    let Some(examples) = s.examples.first() else {
        return (first..=last).contains(&line);
    };
    if line == s.position.line {
        return true;
    }
    let block = examples.position.line;
    if line == block || line == block + 1 {
        return true;
    }
    // Rows of one outline share its span; its first Examples keyword ends its head.
    let first_examples = file
        .iter()
        .filter(|c| c.scenario.span == s.span)
        .filter_map(|c| c.scenario.examples.first().map(|e| e.position.line))
        .min()
        .unwrap_or(block);
    (first..first_examples).contains(&line)
}

/// The scenarios an earlier run did not pass (failed, inconclusive, error), read from its
/// results.json.
#[derive(Debug, Clone, Default)]
pub struct RerunSet {
    /// The results.json read.
    pub source: PathBuf,
    pub scenarios: Vec<RerunTarget>,
    /// Scenarios that run listed in all (not applicable ones included).
    pub total: usize,
    /// Warnings about the file (an unknown schema version).
    pub notes: Vec<String>,
}

/// One scenario to run again, named as the earlier report named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RerunTarget {
    /// Feature path relative to the features root.
    pub path: String,
    pub line: usize,
    pub name: String,
    /// `failed`, `inconclusive` or `error`.
    pub status: String,
}

/// results.json layouts this reader knows (2: the first with `exit_code`; 3: adds fields only).
const KNOWN_SCHEMA_VERSIONS: [u64; 2] = [2, 3];

impl RerunSet {
    /// Read `prev`: a report directory (its `results.json` is read) or a results.json file. Fields
    /// this reader does not need are ignored, and missing optional ones default, so other layouts of
    /// the file read as long as every scenario has its feature path, name, line and status.
    pub fn load(prev: &Path) -> Result<RerunSet, RunError> {
        let file = if prev.is_dir() {
            prev.join("results.json")
        } else {
            prev.to_path_buf()
        };
        let how =
            "--rerun-failed takes the report directory of an earlier run, or its results.json";
        let text = std::fs::read_to_string(&file).map_err(|e| {
            RunError::Selection(format!("cannot read {}: {e}. {how}.", file.display()))
        })?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            RunError::Selection(format!(
                "{} is not a JSON document ({e}). {how}.",
                file.display()
            ))
        })?;
        let alien = || {
            RunError::Selection(format!(
                "{} is not a gpc-assure results.json (it has no list of features with their scenarios). {how}.",
                file.display()
            ))
        };
        if doc.get("tool").is_some_and(|t| t != "gpc-assure") || doc.get("features").is_none() {
            return Err(alien());
        }
        let parsed: PrevDocument = serde_json::from_value(doc).map_err(|e| {
            RunError::Selection(format!(
                "{} does not read as a gpc-assure results.json: {e}. {how}.",
                file.display()
            ))
        })?;
        let mut notes = Vec::new();
        match parsed.schema_version {
            Some(v) if KNOWN_SCHEMA_VERSIONS.contains(&v) => {}
            Some(v) => notes.push(format!(
                "{} has schema_version {v}, which this version of gpc-assure does not know; its scenarios were read as far as they could be",
                file.display()
            )),
            None => notes.push(format!(
                "{} has no schema_version; its scenarios were read as far as they could be",
                file.display()
            )),
        }
        let mut scenarios = Vec::new();
        let mut total = 0;
        for f in parsed.features {
            for s in f.scenarios {
                total += 1;
                if matches!(s.status.as_str(), "failed" | "inconclusive" | "error") {
                    let path = s
                        .feature_path
                        .filter(|p| !p.is_empty())
                        .or_else(|| f.path.clone())
                        .ok_or_else(alien)?;
                    scenarios.push(RerunTarget {
                        path,
                        line: s.line,
                        name: s.name,
                        status: s.status,
                    });
                }
            }
        }
        Ok(RerunSet {
            source: file,
            scenarios,
            total,
            notes,
        })
    }
}

/// The parts of results.json a rerun needs, read leniently.
#[derive(Deserialize)]
struct PrevDocument {
    #[serde(default)]
    schema_version: Option<u64>,
    #[serde(default)]
    features: Vec<PrevFeature>,
}

#[derive(Deserialize)]
struct PrevFeature {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    scenarios: Vec<PrevScenario>,
}

#[derive(Deserialize)]
struct PrevScenario {
    #[serde(default)]
    feature_path: Option<String>,
    name: String,
    line: usize,
    status: String,
}

#[cfg(test)]
mod tests;
