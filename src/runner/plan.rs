//! The scenarios a run is made of, read from the feature files before anything is sent: to stop on a
//! feature that does not parse, and to list the scenarios the target's version excludes (reported as
//! not applicable rather than silently dropped).

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::tag::Ext as _;

use super::{collector, version_selected, RunError};
use crate::config::TargetConfig;
use crate::report::{Failure, FeatureResult, ScenarioResult, Status};

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
    files.into_iter().map(|f| load_feature(&f)).collect()
}

/// The features a run read with [`load_features`], handed to cucumber as they are: each file is
/// parsed once, and the scenarios cucumber runs are the very ones the run's plan counted and selected
/// from (cucumber's own parser would read the directory again, by a pattern of its own).
pub struct Preparsed(pub Vec<gherkin::Feature>);

impl<I> cucumber::Parser<I> for Preparsed {
    type Cli = cucumber::cli::Empty;
    type Output =
        futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, _: I, _: cucumber::cli::Empty) -> Self::Output {
        futures::stream::iter(self.0.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

/// One feature file, parsed and expanded; a mistake is named with its line and what to write instead
/// (the parser itself reports a set of grammar tokens and a position that is often a line late).
fn load_feature(path: &Path) -> Result<gherkin::Feature, RunError> {
    let at = |line: usize, message: String| RunError::FeatureSyntax {
        path: path.into(),
        line,
        message,
    };
    let feature = gherkin::Feature::parse_path(path, gherkin::GherkinEnv::default()).map_err(
        |e| match e {
            gherkin::ParseFileError::Reading { source, .. } => RunError::Features {
                path: path.into(),
                message: source.to_string(),
            },
            gherkin::ParseFileError::Parsing { error, source, .. } => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let (line, message) = syntax::describe(&text, error.as_ref(), &source);
                at(line, message)
            }
        },
    )?;
    let feature = feature.expand_examples().map_err(|e| {
        at(
            e.pos.line,
            format!(
                "the step uses <{0}> but its Examples have no column \"{0}\"; add the column or correct \
                 the name",
                e.name
            ),
        )
    })?;
    if let Some((line, message)) = syntax::misspelt_first_step(&feature) {
        return Err(at(line, message));
    }
    Ok(feature)
}

/// Plain-language descriptions of Gherkin mistakes.
mod syntax {
    use cucumber::gherkin::{self, EnvError};

    const STEP_KEYWORDS: [&str; 5] = ["Given", "When", "Then", "And", "But"];
    const BLOCK_KEYWORDS: [&str; 7] = [
        "Feature:",
        "Rule:",
        "Background:",
        "Scenario:",
        "Scenario Outline:",
        "Examples:",
        "Scenarios:",
    ];
    const WHAT_GHERKIN_IS: &str = "a step starts with Given, When, Then, And, But or *; a block with \
         Feature:, Rule:, Background:, Scenario:, Scenario Outline: or Examples:; a tag with @; a comment \
         with #";

    /// The (1-based) line and description of a parse error of `text`.
    pub(super) fn describe(
        text: &str,
        env_error: Option<&EnvError>,
        error: &gherkin::ParseError,
    ) -> (usize, String) {
        let lines: Vec<&str> = text.lines().collect();
        // The parser's position ("Error at 5:8") is where it gave up, often the line after the culprit.
        let reported = reported_line(&error.to_string()).clamp(1, lines.len().max(1));
        if lines
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return (
                1,
                "the file has no feature: it must start with `Feature: <name>` (after any tags and \
                 comments)"
                    .into(),
            );
        }
        if !lines.iter().any(|l| l.trim_start().starts_with("Feature:")) {
            let first = lines
                .iter()
                .position(|l| {
                    let t = l.trim_start();
                    !t.is_empty() && !t.starts_with('#') && !t.starts_with('@')
                })
                .unwrap_or(0);
            return (
                first + 1,
                format!(
                    "expected `Feature: <name>` before {:?}: a feature file starts with its Feature line \
                     (after any tags and comments)",
                    lines[first].trim()
                ),
            );
        }
        match env_error {
            Some(EnvError::UnsupportedLanguage(language)) => {
                let line = find(&lines, |l| {
                    l.trim_start().starts_with('#') && l.contains("language")
                })
                .unwrap_or(reported);
                (
                    line,
                    format!("`# language: {language}` names a language Gherkin does not know; use a code such as en"),
                )
            }
            Some(EnvError::InconsistentCellCount(_)) => uneven_table_row(&lines).unwrap_or((
                reported,
                "the rows of a table have different numbers of cells".into(),
            )),
            Some(EnvError::UnknownKeyword(word)) => {
                let word = word.trim();
                let line = find(&lines, |l| l.trim_start().starts_with(word))
                    .or_else(|| find(&lines, |l| l.contains(word)))
                    .unwrap_or(reported);
                (line, not_gherkin(lines[line - 1]))
            }
            None => {
                // Where the parser gave up, or the line before it when that one is not blank.
                let line = (1..=reported)
                    .rev()
                    .find(|&n| !lines[n - 1].trim().is_empty())
                    .unwrap_or(reported);
                (line, not_gherkin(lines[line - 1]))
            }
        }
    }

    fn reported_line(message: &str) -> usize {
        message
            .strip_prefix("Error at ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(1)
    }

    fn find(lines: &[&str], mut pred: impl FnMut(&str) -> bool) -> Option<usize> {
        lines.iter().position(|l| pred(l)).map(|i| i + 1)
    }

    /// Why a line is not Gherkin, with the keyword it probably meant.
    fn not_gherkin(line: &str) -> String {
        let text = line.trim();
        if text.starts_with('@') && text.split_whitespace().any(|w| !w.starts_with('@')) {
            return format!(
                "{text:?}: every tag is one word starting with @ (write `@one @two`, not words without @)"
            );
        }
        let first = text.split_whitespace().next().unwrap_or_default();
        let meant = STEP_KEYWORDS
            .iter()
            .chain(BLOCK_KEYWORDS.iter())
            .map(|k| (strsim::osa_distance(first, k), *k))
            .filter(|(d, k)| *d > 0 && *d <= (k.len() / 3).max(1))
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| format!("; did you mean {k}?"))
            .unwrap_or_default();
        format!("{text:?} is not Gherkin here{meant} ({WHAT_GHERKIN_IS})")
    }

    /// The first table row whose cell count differs from the row above it.
    fn uneven_table_row(lines: &[&str]) -> Option<(usize, String)> {
        let cells = |l: &str| {
            l.trim()
                .replace("\\|", "")
                .matches('|')
                .count()
                .saturating_sub(1)
        };
        let mut previous: Option<(usize, usize)> = None;
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with('|') {
                previous = None;
                continue;
            }
            let n = cells(line);
            if let Some((above, line_above)) = previous {
                if n != above {
                    return Some((
                        i + 1,
                        format!(
                            "this table row has {n} cell{} but the row above it (line {line_above}) has {above}; every row of a table has the same number of cells",
                            if n == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
            previous = Some((n, i + 1));
        }
        None
    }

    /// The step keyword `word` is a slip of (`Givn`, `given`), if it is one.
    fn step_keyword_meant(word: &str) -> Option<&'static str> {
        STEP_KEYWORDS.iter().copied().find(|k| {
            word != *k
                && (word.eq_ignore_ascii_case(k)
                    || strsim::osa_distance(&word.to_lowercase(), &k.to_lowercase())
                        <= (k.len() / 3).max(1))
        })
    }

    /// A scenario with no steps whose description starts like a step: its first step has a misspelt
    /// keyword, which the parser took for description text. (A scenario with no steps at all is
    /// reported as an error of its own when the run gets to it.)
    pub(super) fn misspelt_first_step(feature: &gherkin::Feature) -> Option<(usize, String)> {
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()));
        for s in scenarios.filter(|s| s.steps.is_empty()) {
            let Some(first) = s
                .description
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
            else {
                continue;
            };
            let word = first.split_whitespace().next().unwrap_or_default();
            let Some(meant) = step_keyword_meant(word) else {
                continue;
            };
            let line = super::line_of(feature, first).unwrap_or(s.position.line);
            return Some((
                line,
                format!(
                    "scenario {:?} has no steps: {:?} was read as its description; did you mean {meant}? \
                     (a step starts with Given, When, Then, And, But or *, spelt exactly so)",
                    s.name,
                    first.trim()
                ),
            ));
        }
        None
    }
}

/// The line of `feature`'s file that holds `text`, if the file can be read again.
fn line_of(feature: &gherkin::Feature, text: &str) -> Option<usize> {
    let source = std::fs::read_to_string(feature.path.as_ref()?).ok()?;
    source
        .lines()
        .position(|l| l.trim() == text.trim())
        .map(|i| i + 1)
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
    unrun(features, root, filter, |tags| {
        (!version_selected(tags, target)).then_some((Status::NotApplicable, None))
    })
}

/// Results for scenarios that are reported without being run: each scenario the tag filter selects
/// and `decide` gives an outcome (and optionally a message) becomes a result with no steps, grouped
/// by feature and named as the collector names them (paths relative to `root`).
pub(crate) fn unrun(
    features: &[gherkin::Feature],
    root: &Path,
    filter: Option<&TagOperation>,
    decide: impl Fn(&[&String]) -> Option<(Status, Option<String>)>,
) -> Vec<FeatureResult> {
    let mut out: Vec<FeatureResult> = Vec::new();
    for (feature, scenario, tags) in scenarios(features) {
        if !filter.is_none_or(|e| e.eval(tags.iter().copied())) {
            continue;
        }
        let Some((status, message)) = decide(&tags) else {
            continue;
        };
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
            status,
            steps: Vec::new(),
            failure: message.map(|message| Failure {
                step: String::new(),
                message,
            }),
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
                description: collector::feature_description(feature),
                scenarios: vec![result],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::load_features;

    /// The features handed to cucumber are those its own parser reads from the same directory: the
    /// same files in the same order, with the same paths, outlines expanded alike.
    #[test]
    fn the_features_read_once_are_those_cucumber_would_read() {
        use cucumber::Parser as _;
        use futures::StreamExt as _;
        let root = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/features")).unwrap();
        let ours = load_features(&root).unwrap();
        let theirs: Vec<_> = futures::executor::block_on(
            cucumber::parser::Basic::new()
                .parse(&root, Default::default())
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .map(|f| f.unwrap())
        .collect();
        assert!(ours.len() > 50, "{} features", ours.len());
        assert_eq!(ours, theirs);
        let handed: Vec<_> = futures::executor::block_on(
            super::Preparsed(ours.clone())
                .parse(&root, cucumber::cli::Empty)
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .map(|f| f.unwrap())
        .collect();
        assert_eq!(handed, ours);
    }

    /// The error loading `text` as a feature file, with the file's directory taken out.
    fn error_of(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.feature");
        std::fs::write(&path, text).unwrap();
        let e = load_features(&path).expect_err("the feature must be refused");
        e.to_string()
            .replace(&format!("{}/", dir.path().display()), "")
    }

    #[test]
    fn a_misspelt_step_keyword_is_named_with_its_line() {
        let e =
            error_of("Feature: x\n  Scenario: a\n    Given a thing\n    Thn other\n    And more\n");
        assert!(
            e.starts_with(
                "broken.feature:4: \"Thn other\" is not Gherkin here; did you mean Then?"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_misspelt_first_step_is_not_a_silent_empty_scenario() {
        let e = error_of("Feature: x\n  Scenario: a\n    Given a\n  Scenario: b\n    Givn x\n");
        assert!(
            e.starts_with(
                "broken.feature:5: scenario \"b\" has no steps: \"Givn x\" was read as its description; did you mean Given?"
            ),
            "{e}"
        );
        let e = error_of("Feature: x\n  Scenario: a\n    given a thing\n");
        assert!(e.contains("did you mean Given?"), "{e}");
        // Prose before the steps, or no steps at all, is not a parse error (a scenario without steps
        // is an error outcome of the run).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.feature");
        std::fs::write(
            &path,
            "Feature: x\n  Scenario: empty\n\n  Scenario: b\n    The reason for b.\n    Given b\n",
        )
        .unwrap();
        assert!(load_features(&path).is_ok());
    }

    #[test]
    fn a_misspelt_block_keyword_is_named() {
        let e = error_of("Feature: x\n  Scenario: a\n    Given a\n  Sceanrio: b\n    Given b\n");
        assert!(
            e.starts_with(
                "broken.feature:4: \"Sceanrio: b\" is not Gherkin here; did you mean Scenario:?"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_uneven_table_row_is_named() {
        let e = error_of(
            "Feature: x\n  Scenario: a\n    Given a thing\n      | a | b |\n      | c |\n",
        );
        assert_eq!(
            e,
            "broken.feature:5: this table row has 1 cell but the row above it (line 4) has 2; every row \
             of a table has the same number of cells"
        );
    }

    #[test]
    fn a_missing_feature_line_and_an_empty_file_are_explained() {
        let e = error_of("@tag\nScenario: a\n  Given x\n");
        assert!(
            e.starts_with("broken.feature:2: expected `Feature: <name>` before \"Scenario: a\""),
            "{e}"
        );
        let e = error_of("# nothing here\n\n");
        assert!(
            e.starts_with("broken.feature:1: the file has no feature"),
            "{e}"
        );
    }

    #[test]
    fn a_tag_with_spaces_and_an_unknown_language_are_explained() {
        let e = error_of("Feature: x\n  Scenario: a\n    Given a\n  @bad tag here\n");
        assert!(
            e.starts_with("broken.feature:4: \"@bad tag here\": every tag is one word"),
            "{e}"
        );
        let e = error_of("# language: xx\nFeature: x\n");
        assert!(
            e.starts_with(
                "broken.feature:1: `# language: xx` names a language Gherkin does not know"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_outline_placeholder_without_a_column_is_named() {
        let e = error_of(
            "Feature: x\n  Scenario Outline: a\n    Given <thing>\n    Examples:\n      | other |\n      | 1 |\n",
        );
        assert!(
            e.starts_with(
                "broken.feature:3: the step uses <thing> but its Examples have no column \"thing\""
            ),
            "{e}"
        );
    }

    #[test]
    fn the_shipped_features_load() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
        assert!(!load_features(&dir).unwrap().is_empty());
    }
}
