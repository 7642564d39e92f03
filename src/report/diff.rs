//! Comparing two runs: what `gpc-assure diff OLD NEW` prints.
//!
//! Each run is read from its results.json, leniently: only the fields needed here are read (feature
//! path, scenario name, line, outcome, requirements, the step that stopped it and why, run errors),
//! anything else is ignored, and a missing optional field takes its default, so the results.json of
//! an older or newer gpc-assure can be compared as long as those fields keep their meaning.
//!
//! Scenarios are matched by feature path and stable name ([`names`]: the name, plus the row among
//! the scenarios of the feature sharing it), never by line, so moving a scenario in its file is not a
//! change. Each matched pair, and each scenario found on one side only, is put in one category:
//!
//! | Category | OLD | NEW |
//! |---|---|---|
//! | newly failing | anything but failed, or absent | failed |
//! | fixed | failed | passed |
//! | still failing | failed | failed |
//! | now error or inconclusive | anything else | error or inconclusive |
//! | no longer error or inconclusive | error or inconclusive | passed or not applicable |
//! | added | absent | not failed |
//! | removed | present | absent |
//! | other change | e.g. passed | not applicable, or warning |
//!
//! A warning (a SHOULD or MAY the provider does not follow) is never a failure: a scenario that ends
//! in one is never newly failing, and one that failed before and warns now is an other change.
//!
//! A scenario that is new and fails is newly failing (a CI gate must not let it through as merely
//! "added"). Run errors of NEW that OLD did not have count as newly failing too: a run that could not
//! start has no scenarios at all, and must not read as "nothing got worse".

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::html::escape_html;
use super::model::Status;
use super::names::{stable_names, StableName};

/// One run, as read from its results.json.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Where it was read from, as given.
    pub source: String,
    pub schema_version: Option<u32>,
    pub started_at: String,
    /// passed, failed or incomplete; empty when the file does not say.
    pub verdict: String,
    pub run_errors: Vec<String>,
    pub scenarios: Vec<Scenario>,
}

/// One scenario of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Feature path relative to the features directory.
    pub feature: String,
    pub name: StableName,
    pub line: usize,
    pub status: Status,
    pub requirements: Vec<String>,
    /// The step that stopped it and why.
    pub failure: Option<(String, String)>,
}

#[derive(Deserialize)]
struct DocumentIn {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    run_errors: Vec<String>,
    features: Vec<FeatureIn>,
}

#[derive(Deserialize)]
struct FeatureIn {
    #[serde(default)]
    path: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scenarios: Vec<ScenarioIn>,
}

#[derive(Deserialize)]
struct ScenarioIn {
    name: String,
    #[serde(default)]
    line: usize,
    status: String,
    #[serde(default)]
    requirements: Vec<String>,
    #[serde(default)]
    failure: Option<FailureIn>,
}

#[derive(Deserialize)]
struct FailureIn {
    #[serde(default)]
    step: String,
    #[serde(default)]
    message: String,
}

/// Read a run from a report directory (its results.json) or a results.json file. The error is a
/// sentence saying what could not be read and what to give instead.
pub fn load(path: &Path) -> Result<Run, String> {
    let file = if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|e| {
        format!(
            "cannot read {}: {e}. Give a report directory holding results.json, or a results.json file.",
            file.display()
        )
    })?;
    parse(&text, &file.display().to_string())
}

/// Read a run from the text of a results.json; `source` names it in messages.
pub fn parse(text: &str, source: &str) -> Result<Run, String> {
    let doc: DocumentIn = serde_json::from_str(text).map_err(|e| {
        format!(
            "{source} is not a results.json of gpc-assure: {e}. Give the results.json a run wrote."
        )
    })?;
    let mut scenarios = Vec::new();
    for f in doc.features {
        let feature = if f.path.is_empty() { f.name } else { f.path };
        let names = stable_names(f.scenarios.iter().map(|s| (s.name.as_str(), s.line)));
        for (s, name) in f.scenarios.into_iter().zip(names) {
            let status = outcome(&s.status).ok_or_else(|| {
                format!(
                    "{source}: scenario \"{name}\" of {feature} has the outcome \"{}\", which this \
                     gpc-assure does not know. Compare with the gpc-assure that wrote the report.",
                    s.status
                )
            })?;
            scenarios.push(Scenario {
                feature: feature.clone(),
                name,
                line: s.line,
                status,
                requirements: s.requirements,
                failure: s.failure.map(|x| (x.step, x.message)),
            });
        }
    }
    Ok(Run {
        source: source.to_string(),
        schema_version: doc.schema_version,
        started_at: doc.started_at,
        verdict: doc.verdict.unwrap_or_default(),
        run_errors: doc.run_errors,
        scenarios,
    })
}

/// An outcome as results.json writes it.
fn outcome(label: &str) -> Option<Status> {
    Some(match label {
        "passed" => Status::Passed,
        "warning" => Status::Warning,
        "failed" => Status::Failed,
        "inconclusive" => Status::Inconclusive,
        "error" => Status::Error,
        "not_applicable" => Status::NotApplicable,
        "skipped" => Status::Skipped,
        _ => return None,
    })
}

/// How a scenario changed between the runs (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    NewlyFailing,
    Fixed,
    StillFailing,
    NowNotProven,
    NoLongerNotProven,
    Added,
    Removed,
    Other,
}

impl Change {
    /// Every category, in the order they are shown.
    pub const ALL: [Change; 8] = [
        Change::NewlyFailing,
        Change::Fixed,
        Change::StillFailing,
        Change::NowNotProven,
        Change::NoLongerNotProven,
        Change::Added,
        Change::Removed,
        Change::Other,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Change::NewlyFailing => "Newly failing",
            Change::Fixed => "Fixed",
            Change::StillFailing => "Still failing",
            Change::NowNotProven => "Now error or inconclusive",
            Change::NoLongerNotProven => "No longer error or inconclusive",
            Change::Added => "Added",
            Change::Removed => "Removed",
            Change::Other => "Other changes",
        }
    }

    /// The category of a scenario with outcome `old` in OLD and `new` in NEW (`None`: absent);
    /// `None` when nothing changed that matters.
    pub fn of(old: Option<Status>, new: Option<Status>) -> Option<Change> {
        use Status::*;
        let not_proven = |s: Status| matches!(s, Error | Inconclusive);
        Some(match (old, new) {
            (None, None) => return None,
            (_, Some(Failed)) if old != Some(Failed) => Change::NewlyFailing,
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(o), Some(n)) if o == n => match n {
                Failed => Change::StillFailing,
                _ => return None,
            },
            (Some(Failed), Some(Passed)) => Change::Fixed,
            (Some(_), Some(n)) if not_proven(n) => Change::NowNotProven,
            (Some(o), Some(_)) if not_proven(o) => Change::NoLongerNotProven,
            (Some(_), Some(_)) => Change::Other,
        })
    }
}

/// One scenario that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub change: Change,
    pub feature: String,
    pub name: StableName,
    /// The scenario in OLD and in NEW, when present there.
    pub old: Option<Scenario>,
    pub new: Option<Scenario>,
}

impl Entry {
    /// Why the scenario did not pass, from NEW when it is there, else from OLD.
    pub fn reason(&self) -> Option<&(String, String)> {
        match &self.new {
            Some(n) => n.failure.as_ref().filter(|_| n.status != Status::Passed),
            None => self.old.as_ref().and_then(|o| o.failure.as_ref()),
        }
    }
}

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDiff {
    pub old: Run,
    pub new: Run,
    /// Changed scenarios, by category (in [`Change::ALL`] order), then feature, then name.
    pub entries: Vec<Entry>,
    /// Run errors of NEW that OLD did not have.
    pub new_run_errors: Vec<String>,
    /// Scenarios present in both with the same outcome (still failing ones excepted).
    pub unchanged: usize,
}

impl RunDiff {
    /// The entries of one category.
    pub fn of(&self, change: Change) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.change == change)
    }

    pub fn count(&self, change: Change) -> usize {
        self.of(change).count()
    }

    /// Whether NEW is worse: a scenario newly failing, or a run error OLD did not have.
    pub fn got_worse(&self) -> bool {
        self.count(Change::NewlyFailing) > 0 || !self.new_run_errors.is_empty()
    }

    /// 1 when NEW got worse ([`RunDiff::got_worse`]), else 0.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.got_worse())
    }
}

/// Compare two runs.
pub fn compare(old: Run, new: Run) -> RunDiff {
    let mut olds: BTreeMap<(&str, &StableName), &Scenario> = old
        .scenarios
        .iter()
        .map(|s| ((s.feature.as_str(), &s.name), s))
        .collect();
    let mut entries = Vec::new();
    let mut unchanged = 0;
    for n in &new.scenarios {
        let o = olds.remove(&(n.feature.as_str(), &n.name));
        match Change::of(o.map(|o| o.status), Some(n.status)) {
            Some(change) => entries.push(Entry {
                change,
                feature: n.feature.clone(),
                name: n.name.clone(),
                old: o.cloned(),
                new: Some(n.clone()),
            }),
            None => unchanged += 1,
        }
    }
    for o in olds.into_values() {
        entries.push(Entry {
            change: Change::Removed,
            feature: o.feature.clone(),
            name: o.name.clone(),
            old: Some(o.clone()),
            new: None,
        });
    }
    entries.sort_by(|a, b| (a.change, &a.feature, &a.name).cmp(&(b.change, &b.feature, &b.name)));
    let new_run_errors = new
        .run_errors
        .iter()
        .filter(|e| !old.run_errors.contains(e))
        .cloned()
        .collect();
    RunDiff {
        old,
        new,
        entries,
        new_run_errors,
        unchanged,
    }
}

/// A one-line description of a run.
fn describe(run: &Run) -> String {
    let mut s = run.source.clone();
    if !run.started_at.is_empty() {
        let _ = write!(s, ", started {}", run.started_at);
    }
    if !run.verdict.is_empty() {
        let _ = write!(s, ", {}", run.verdict);
    }
    let _ = write!(s, ", {} scenarios", run.scenarios.len());
    s
}

/// What moved, as `passed -> failed`, `new: failed` or `was passed`.
fn movement(e: &Entry) -> String {
    match (&e.old, &e.new) {
        (Some(o), Some(n)) if o.status == n.status => n.status.label().to_string(),
        (Some(o), Some(n)) => format!("{} -> {}", o.status, n.status),
        (None, Some(n)) => format!("new scenario, {}", n.status),
        (Some(o), None) => format!("was {}", o.status),
        (None, None) => String::new(),
    }
}

/// One line of at most `max` characters.
fn clip(s: &str, max: usize) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

/// The counts line that ends the text.
fn totals_line(d: &RunDiff) -> String {
    let mut parts: Vec<String> = Change::ALL
        .iter()
        .map(|&c| (c, d.count(c)))
        .filter(|&(_, n)| n > 0)
        .map(|(c, n)| format!("{n} {}", c.title().to_lowercase()))
        .collect();
    if !d.new_run_errors.is_empty() {
        parts.push(format!("{} new run errors", d.new_run_errors.len()));
    }
    parts.push(format!("{} unchanged", d.unchanged));
    parts.join(", ")
}

/// The comparison as text for a terminal or a CI log.
pub fn render_text(d: &RunDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "OLD  {}", describe(&d.old));
    let _ = writeln!(out, "NEW  {}", describe(&d.new));
    if !d.new_run_errors.is_empty() {
        let _ = writeln!(out, "\nNew run errors ({})", d.new_run_errors.len());
        for e in &d.new_run_errors {
            let _ = writeln!(out, "  {}", clip(e, 300));
        }
    }
    for change in Change::ALL {
        let n = d.count(change);
        if n == 0 {
            continue;
        }
        let _ = writeln!(out, "\n{} ({n})", change.title());
        for e in d.of(change) {
            let _ = writeln!(out, "  {}: {}  ({})", e.feature, e.name, movement(e));
            if let Some((step, message)) = e.reason() {
                let _ = writeln!(out, "      {} -> {}", clip(step, 120), clip(message, 300));
            }
        }
    }
    let _ = writeln!(out, "\n{}.", totals_line(d));
    out
}

/// The comparison as a small self-contained HTML page (no script, nothing loaded from anywhere).
pub fn render_html(d: &RunDiff) -> String {
    let mut out = String::with_capacity(4096 + d.entries.len() * 256);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>gpc-assure diff</title>\n<style>\n\
         body{font-family:system-ui,sans-serif;margin:2rem;color:#1d1d1f}\n\
         table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}\n\
         th,td{border:1px solid #d0d0d7;padding:.3rem .5rem;text-align:left;vertical-align:top}\n\
         th{background:#f3f3f6}\n\
         td.why{font-family:ui-monospace,monospace;font-size:.85rem;white-space:pre-wrap}\n\
         h2.newly-failing,h2.run-errors{color:#b3261e}\nh2.fixed{color:#1e7b34}\n\
         </style>\n</head>\n<body>\n<h1>gpc-assure diff</h1>\n<dl>\n",
    );
    let _ = writeln!(
        out,
        "<dt>OLD</dt><dd>{}</dd>\n<dt>NEW</dt><dd>{}</dd>\n</dl>",
        escape_html(&describe(&d.old)),
        escape_html(&describe(&d.new))
    );
    let _ = writeln!(
        out,
        "<p><strong>{}</strong>.</p>",
        escape_html(&totals_line(d))
    );
    if !d.new_run_errors.is_empty() {
        let _ = writeln!(
            out,
            "<h2 class=\"run-errors\">New run errors ({})</h2>\n<ul>",
            d.new_run_errors.len()
        );
        for e in &d.new_run_errors {
            let _ = writeln!(out, "<li>{}</li>", escape_html(e));
        }
        out.push_str("</ul>\n");
    }
    for change in Change::ALL {
        let n = d.count(change);
        if n == 0 {
            continue;
        }
        let class = change.title().to_lowercase().replace(' ', "-");
        let _ = writeln!(
            out,
            "<h2 class=\"{class}\">{} ({n})</h2>\n<table>\n<tr><th>Feature</th><th>Scenario</th><th>Outcome</th><th>Why</th></tr>",
            escape_html(change.title())
        );
        for e in d.of(change) {
            let why = e
                .reason()
                .map(|(step, message)| format!("{step}\n{message}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"why\">{}</td></tr>",
                escape_html(&e.feature),
                escape_html(&e.name.to_string()),
                escape_html(&movement(e)),
                escape_html(&why)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn categories_follow_the_table_of_the_module_doc() {
        let cases = [
            (Some(Passed), Some(Failed), Some(Change::NewlyFailing)),
            (Some(Inconclusive), Some(Failed), Some(Change::NewlyFailing)),
            (None, Some(Failed), Some(Change::NewlyFailing)),
            (Some(Failed), Some(Passed), Some(Change::Fixed)),
            (Some(Failed), Some(Failed), Some(Change::StillFailing)),
            (Some(Passed), Some(Error), Some(Change::NowNotProven)),
            (Some(Failed), Some(Inconclusive), Some(Change::NowNotProven)),
            (Some(Error), Some(Inconclusive), Some(Change::NowNotProven)),
            (
                Some(Inconclusive),
                Some(Passed),
                Some(Change::NoLongerNotProven),
            ),
            (None, Some(Passed), Some(Change::Added)),
            (Some(Failed), None, Some(Change::Removed)),
            (Some(Passed), Some(NotApplicable), Some(Change::Other)),
            (Some(Failed), Some(NotApplicable), Some(Change::Other)),
            (Some(Passed), Some(Warning), Some(Change::Other)),
            (None, Some(Warning), Some(Change::Added)),
            (Some(Failed), Some(Warning), Some(Change::Other)),
            (Some(Warning), Some(Failed), Some(Change::NewlyFailing)),
            (Some(Warning), Some(Warning), None),
            (Some(Passed), Some(Passed), None),
            (Some(Inconclusive), Some(Inconclusive), None),
        ];
        for (old, new, want) in cases {
            assert_eq!(Change::of(old, new), want, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn html_escapes_what_the_runs_hold() {
        assert_eq!(
            escape_html("<script>\"x\" & 'y'\u{0}"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;\u{FFFD}"
        );
    }

    #[test]
    fn unknown_outcomes_and_other_documents_are_refused_with_a_sentence() {
        let e = parse(
            r#"{"features":[{"path":"a.feature","scenarios":[{"name":"A","status":"exploded"}]}]}"#,
            "x.json",
        )
        .unwrap_err();
        assert!(e.contains("\"exploded\""), "{e}");
        let e = parse(r#"{"tool":"other"}"#, "x.json").unwrap_err();
        assert!(e.starts_with("x.json is not a results.json"), "{e}");
        assert!(e.contains("features"), "{e}");
    }
}
