use std::path::{Path, PathBuf};

use super::*;

const FEATURE: &str = "\
Feature: Reading a patient
  # line 2

  Scenario: plain one
    Given a thing
    Then it holds

  Scenario Outline: read <who>
    Given a \"read patient\" request for \"<who>\"
    Then it holds

    Examples: first
      | who      |
      | patient1 |
      | patient2 |

    Examples: second
      | who      |
      | patient3 |

  Rule: a rule
    Scenario: ruled one
      Given a thing
";

struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
    features: Vec<gherkin::Feature>,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir(root.join("area")).unwrap();
    std::fs::write(root.join("area/read.feature"), FEATURE).unwrap();
    std::fs::write(
        root.join("other.feature"),
        "Feature: Other\n  Scenario: plain one\n    Given a thing\n",
    )
    .unwrap();
    let features = plan::load_features(&root).unwrap();
    Tree {
        _dir: dir,
        root,
        features,
    }
}

impl Tree {
    fn at(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }

    /// The names (with lines) a selection admits, sorted.
    fn admitted(&self, selection: &Selection) -> Vec<String> {
        let resolved = selection.resolve(&self.root, &self.features).unwrap();
        let mut out: Vec<String> = plan::scenarios(&self.features)
            .map(|(f, s, _)| collector::key(&self.root, f, s))
            .filter(|k| resolved.admits(k))
            .map(|(p, l, n)| format!("{p}:{l} {n}"))
            .collect();
        out.sort();
        out
    }

    fn error(&self, selection: &Selection) -> String {
        match selection.resolve(&self.root, &self.features) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected an error"),
        }
    }
}

fn at_lines(t: &Tree, lines: &str) -> Vec<String> {
    t.admitted(&Selection {
        locations: vec![format!("{}{lines}", t.at("area/read.feature"))],
        ..Selection::default()
    })
}

#[test]
fn split_location_takes_trailing_line_numbers_only() {
    assert_eq!(
        split_location(Path::new("/no/such/a.feature:12")),
        (PathBuf::from("/no/such/a.feature"), vec![12])
    );
    assert_eq!(
        split_location(Path::new("/no/such/a.feature:12:30")),
        (PathBuf::from("/no/such/a.feature"), vec![12, 30])
    );
    assert_eq!(
        split_location(Path::new("/no/such/a.feature")),
        (PathBuf::from("/no/such/a.feature"), vec![])
    );
    assert_eq!(
        split_location(Path::new("C:x.feature:a")),
        (PathBuf::from("C:x.feature:a"), vec![])
    );
    assert_eq!(
        split_location(Path::new(":12")),
        (PathBuf::from(":12"), vec![])
    );
}

#[test]
fn nothing_selected_admits_everything() {
    let t = tree();
    assert!(Selection::default().is_empty());
    assert_eq!(t.admitted(&Selection::default()).len(), 6);
}

#[test]
fn a_line_in_a_plain_scenario_selects_it() {
    let t = tree();
    let plain = vec!["area/read.feature:4 plain one".to_string()];
    assert_eq!(at_lines(&t, ":4"), plain, "its keyword line");
    assert_eq!(at_lines(&t, ":6"), plain, "one of its steps");
    assert_eq!(
        at_lines(&t, ":22"),
        vec!["area/read.feature:22 ruled one".to_string()],
        "a scenario inside a Rule"
    );
}

#[test]
fn outline_lines_select_rows_as_cucumber_does() {
    let t = tree();
    let row = |l: usize, who: &str| format!("area/read.feature:{l} read {who}");
    // A row's own line: that row alone.
    assert_eq!(at_lines(&t, ":15"), vec![row(15, "patient2")]);
    // An Examples keyword or its header: every row of that Examples.
    assert_eq!(
        at_lines(&t, ":12"),
        vec![row(14, "patient1"), row(15, "patient2")]
    );
    assert_eq!(at_lines(&t, ":18"), vec![row(19, "patient3")]);
    // The outline's keyword or a step: every row of every Examples.
    assert_eq!(
        at_lines(&t, ":8"),
        vec![
            row(14, "patient1"),
            row(15, "patient2"),
            row(19, "patient3")
        ]
    );
    assert_eq!(at_lines(&t, ":9").len(), 3);
    // Several lines: any of them.
    assert_eq!(
        at_lines(&t, ":4:19"),
        vec![
            row(19, "patient3"),
            "area/read.feature:4 plain one".to_string(),
        ]
    );
}

#[test]
fn a_line_that_is_no_scenario_is_an_error_listing_the_lines_that_are() {
    let t = tree();
    let e = t.error(&Selection {
        locations: vec![format!("{}:2", t.at("area/read.feature"))],
        ..Selection::default()
    });
    assert!(
        e.contains("read.feature:2 is not the line of a scenario"),
        "{e}"
    );
    assert!(e.contains("4, 14, 15, 19, 22"), "{e}");
}

#[test]
fn a_file_or_directory_without_line_selects_all_of_it() {
    let t = tree();
    let only_other = t.admitted(&Selection {
        locations: vec![t.at("other.feature")],
        ..Selection::default()
    });
    assert_eq!(only_other, vec!["other.feature:2 plain one".to_string()]);
    assert_eq!(
        t.admitted(&Selection {
            locations: vec![t.at("area")],
            ..Selection::default()
        })
        .len(),
        5
    );
}

#[test]
fn locations_must_exist_and_lie_inside_the_features_root() {
    let t = tree();
    let e = t.error(&Selection {
        locations: vec![t.at("area/missing.feature:3")],
        ..Selection::default()
    });
    assert!(
        e.contains("cannot find") && e.contains("missing.feature"),
        "{e}"
    );
    let outside = tempfile::NamedTempFile::new().unwrap();
    let e = t.error(&Selection {
        locations: vec![outside.path().display().to_string()],
        ..Selection::default()
    });
    assert!(e.contains("is not inside the features directory"), "{e}");
}

#[test]
fn names_are_regexes_any_of_which_may_match() {
    let t = tree();
    let got = t.admitted(&Selection {
        names: vec!["^plain".into(), "patient3$".into()],
        ..Selection::default()
    });
    assert_eq!(
        got,
        vec![
            "area/read.feature:19 read patient3".to_string(),
            "area/read.feature:4 plain one".to_string(),
            "other.feature:2 plain one".to_string(),
        ]
    );
    let e = t.error(&Selection {
        names: vec!["(unclosed".into()],
        ..Selection::default()
    });
    assert!(
        e.contains("--name \"(unclosed\" is not a valid regular expression"),
        "{e}"
    );
}

#[test]
fn kinds_combine_with_and() {
    let t = tree();
    let got = t.admitted(&Selection {
        names: vec!["plain".into()],
        locations: vec![t.at("area")],
        ..Selection::default()
    });
    assert_eq!(got, vec!["area/read.feature:4 plain one".to_string()]);
}

fn results_json(dir: &Path, schema: u32, scenarios: &str) -> PathBuf {
    let p = dir.join("results.json");
    let text = format!(
        r#"{{"schema_version": {schema}, "tool": "gpc-assure", "a_field_from_the_future": [1, 2],
            "features": [{{"name": "Reading a patient", "path": "area/read.feature", "scenarios": [{scenarios}]}}]}}"#
    );
    std::fs::write(&p, text).unwrap();
    p
}

fn scenario(line: usize, name: &str, status: &str) -> String {
    format!(
        r#"{{"feature_path": "area/read.feature", "name": "{name}", "line": {line}, "status": "{status}", "evidence": [], "new_thing": {{}}}}"#
    )
}

#[test]
fn rerun_reads_what_did_not_pass_from_schema_2_and_3() {
    for schema in [2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = [
            scenario(4, "plain one", "passed"),
            scenario(14, "read patient1", "failed"),
            scenario(15, "read patient2", "inconclusive"),
            scenario(19, "read patient3", "error"),
            scenario(22, "ruled one", "not_applicable"),
        ]
        .join(",");
        results_json(dir.path(), schema, &scenarios);
        // The report directory is enough.
        let set = RerunSet::load(dir.path()).unwrap();
        assert_eq!(set.total, 5);
        assert!(set.notes.is_empty(), "{:?}", set.notes);
        let listed: Vec<(usize, &str)> = set
            .scenarios
            .iter()
            .map(|s| (s.line, s.status.as_str()))
            .collect();
        assert_eq!(
            listed,
            [(14, "failed"), (15, "inconclusive"), (19, "error")]
        );
    }
}

#[test]
fn rerun_selects_them_again_even_when_a_line_moved() {
    let t = tree();
    let dir = tempfile::tempdir().unwrap();
    let scenarios = [
        // The line moved (an edit above it), the name is unique in its file: found by name.
        scenario(3, "plain one", "failed"),
        scenario(15, "read patient2", "error"),
        // Gone from the features.
        scenario(40, "deleted one", "failed"),
    ]
    .join(",");
    let file = results_json(dir.path(), 2, &scenarios);
    let selection = Selection {
        rerun: Some(RerunSet::load(&file).unwrap()),
        ..Selection::default()
    };
    assert_eq!(
        t.admitted(&selection),
        vec![
            "area/read.feature:15 read patient2".to_string(),
            "area/read.feature:4 plain one".to_string(),
        ]
    );
    let resolved = selection.resolve(&t.root, &t.features).unwrap();
    let meta = resolved.meta.rerun_failed.unwrap();
    assert_eq!((meta.listed, meta.found), (3, 2));
    assert_eq!(meta.not_found, ["area/read.feature:40 deleted one"]);
    assert!(
        resolved.notes[0].contains("deleted one"),
        "{:?}",
        resolved.notes
    );
}

#[test]
fn rerun_of_scenarios_all_gone_is_an_error() {
    let t = tree();
    let dir = tempfile::tempdir().unwrap();
    let file = results_json(dir.path(), 3, &scenario(40, "deleted one", "failed"));
    let e = t.error(&Selection {
        rerun: Some(RerunSet::load(&file).unwrap()),
        ..Selection::default()
    });
    assert!(e.contains("none of the 1 scenarios"), "{e}");
}

#[test]
fn rerun_explains_missing_unreadable_and_alien_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = RerunSet::load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("cannot read") && e.contains("results.json"),
        "{e}"
    );
    assert!(
        e.contains("--rerun-failed takes the report directory"),
        "{e}"
    );
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "<html>").unwrap();
    let e = RerunSet::load(&junk).unwrap_err().to_string();
    assert!(e.contains("is not a JSON document"), "{e}");
    std::fs::write(&junk, r#"{"name": "something else"}"#).unwrap();
    let e = RerunSet::load(&junk).unwrap_err().to_string();
    assert!(e.contains("is not a gpc-assure results.json"), "{e}");
    std::fs::write(&junk, r#"{"tool": "other", "features": []}"#).unwrap();
    assert!(RerunSet::load(&junk).is_err());
    std::fs::write(&junk, r#"{"features": [{"scenarios": [{"name": 3}]}]}"#).unwrap();
    let e = RerunSet::load(&junk).unwrap_err().to_string();
    assert!(
        e.contains("does not read as a gpc-assure results.json"),
        "{e}"
    );
    // An unknown layout version still reads, with a warning.
    let file = results_json(dir.path(), 9, &scenario(4, "plain one", "failed"));
    let set = RerunSet::load(&file).unwrap();
    assert_eq!(set.scenarios.len(), 1);
    assert!(set.notes[0].contains("schema_version 9"), "{:?}", set.notes);
}
