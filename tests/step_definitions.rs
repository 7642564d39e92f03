//! Every step of every feature matches exactly one step definition, and every step definition is used
//! by some feature: a mistyped phrase fails `cargo test`, not a run against a provider (where it would
//! be an error of the run), and no definition lingers that nothing exercises.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cucumber::gherkin;
use cucumber::World as _;
use gpc_assure::runner::plan;
use gpc_assure::steps::Assurance;

fn features_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("features")
}

/// Every step of a feature (backgrounds included), with where it is written.
fn all_steps(features: &[gherkin::Feature]) -> Vec<(String, &gherkin::Step)> {
    let mut out = Vec::new();
    for f in features {
        let file = f
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let backgrounds = f
            .background
            .iter()
            .chain(f.rules.iter().filter_map(|r| r.background.as_ref()));
        for b in backgrounds {
            out.extend(b.steps.iter().map(|s| (file.clone(), s)));
        }
        let scenarios = f
            .scenarios
            .iter()
            .chain(f.rules.iter().flat_map(|r| &r.scenarios));
        for sc in scenarios {
            out.extend(sc.steps.iter().map(|s| (file.clone(), s)));
        }
    }
    out
}

#[test]
fn every_feature_step_matches_exactly_one_definition() {
    let features = plan::load_features(&features_dir()).expect("the features parse");
    let collection = Assurance::collection();
    let mut problems = Vec::new();
    for (file, step) in all_steps(&features) {
        let at = format!("{file}:{}", step.position.line);
        match collection.find(step) {
            Ok(Some(_)) => {}
            Ok(None) => problems.push(format!(
                "{at}: no step definition matches `{} {}`",
                step.keyword.trim(),
                step.value
            )),
            Err(e) => problems.push(format!(
                "{at}: `{}` matches several definitions: {e}",
                step.value
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} feature step(s) would be an error at run time:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The line of every `#[given]`/`#[when]`/`#[then]` attribute under src/steps.
fn definitions() -> BTreeSet<(String, usize)> {
    fn walk(dir: &Path, out: &mut BTreeSet<(String, usize)>) {
        for entry in std::fs::read_dir(dir).expect("src/steps is readable") {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).expect("a readable source file");
                let rel = p
                    .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap_or(&p)
                    .display()
                    .to_string();
                for (i, line) in text.lines().enumerate() {
                    let t = line.trim_start();
                    if t.starts_with("#[given")
                        || t.starts_with("#[when")
                        || t.starts_with("#[then")
                    {
                        out.insert((rel.clone(), i + 1));
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/steps"),
        &mut out,
    );
    out
}

#[test]
fn every_step_definition_is_used_by_a_feature() {
    let features = plan::load_features(&features_dir()).expect("the features parse");
    let collection = Assurance::collection();
    let mut used = BTreeSet::new();
    for (_, step) in all_steps(&features) {
        if let Ok(Some((_, _, Some(loc), _))) = collection.find(step) {
            used.insert((loc.path.to_string(), loc.line as usize));
        }
    }
    assert!(
        !used.is_empty(),
        "step definitions carry no source location"
    );
    let unused: Vec<String> = definitions()
        .into_iter()
        .filter(|(file, line)| {
            // The location cucumber records is that of the attribute or of the function below it.
            !(0..=2).any(|d| used.contains(&(file.clone(), line + d)))
        })
        .map(|(file, line)| format!("{file}:{line}"))
        .collect();
    assert!(
        unused.is_empty(),
        "{} step definition(s) no feature uses (remove them, or write the scenario that needs them):\n{}",
        unused.len(),
        unused.join("\n")
    );
}
