//! Every step of every feature matches exactly one step definition, and every step definition is used
//! by some feature: a mistyped phrase fails `cargo test`, not a run against a provider (where it would
//! be an error of the run), and no definition lingers that nothing exercises.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cucumber::gherkin;
use cucumber::World as _;
use gpc_assure::runner::{lookup, plan};
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
    let lookup = lookup::assurance().expect("the step definitions make one set");
    let mut problems = Vec::new();
    for (file, step) in all_steps(&features) {
        let at = format!("{file}:{}", step.position.line);
        match lookup.find(step) {
            Ok(_) => {}
            Err(miss) => problems.push(format!(
                "{at}: `{} {}`: {miss}",
                step.keyword.trim(),
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

/// The run finds a step's definition with one set of all patterns (`runner::lookup`), not with
/// cucumber's search pattern by pattern: both choose the same definition for every step of every
/// feature and hand it the same captures.
#[test]
fn the_run_finds_each_step_where_cucumber_would() {
    let features = plan::load_features(&features_dir()).expect("the features parse");
    let lookup = lookup::assurance().expect("the step definitions make one set");
    let cucumber = Assurance::collection();
    let steps = all_steps(&features);
    assert!(steps.len() > 10_000, "{} steps", steps.len());
    for (file, step) in steps {
        let at = format!("{file}:{}: {}", step.position.line, step.value);
        let (_, _, location, context) = cucumber
            .find(step)
            .unwrap_or_else(|e| panic!("{at}: {e}"))
            .unwrap_or_else(|| panic!("{at}: cucumber finds no definition"));
        let (_, found, ours) = lookup
            .find(step)
            .unwrap_or_else(|miss| panic!("{at}: {miss}"));
        assert_eq!(Some(found), location, "{at}");
        assert_eq!(ours.matches, context.matches, "{at}");
    }
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

/// Phrases interpreted inside a quoted step argument: the change phrases of an appointment or a
/// registration body, and the relative-date tokens (`{date+3}`). A phrase no interpreter knows would be
/// an error of the run; here it fails `cargo test`.
#[test]
fn every_change_phrase_and_date_token_is_known() {
    use gpc_assure::gpconnect::register;
    use gpc_assure::steps::appointments;
    let features = plan::load_features(&features_dir()).expect("the features parse");
    let quoted = |step: &str, prefix: &str| -> Option<String> {
        step.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(" \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .map(str::to_string)
    };
    let token = regex::Regex::new(r"\{([A-Za-z]+)([+-][0-9]+)?\}").expect("a valid regex");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, step) in all_steps(&features) {
        let at = format!("{file}:{}", step.position.line);
        let text = step.value.as_str();
        for prefix in [
            "the booking has",
            "the appointment sent has",
            "the appointment has been amended with",
        ] {
            if let Some(phrase) = quoted(text, prefix) {
                checked += 1;
                // Applied to a sample booking: only "unknown change" says the phrase itself is wrong.
                let mut body = sample_booking();
                let locations: Vec<String> = gpc_assure::config::Config::default()
                    .data
                    .locations
                    .into_values()
                    .collect();
                let phrase = match appointments::with_test_data(&phrase, &body, &locations) {
                    Ok(p) => p,
                    Err(e) => {
                        problems.push(format!("{at}: {}", e.message));
                        continue;
                    }
                };
                if let Err(e) = appointments::apply_change(&mut body, &phrase) {
                    if e.message.starts_with("unknown change") {
                        problems.push(format!("{at}: {}", e.message));
                    }
                }
            }
        }
        if let Some(phrase) = quoted(text, "the registration body is changed to have") {
            checked += 1;
            let person = &gpc_assure::config::default_register_pool()[0];
            let mut body = register::valid_body(person);
            if let Err(e) = register::apply_change(&mut body, &phrase) {
                if e.starts_with("unknown change") {
                    problems.push(format!("{at}: {e}"));
                }
            }
        }
        for t in token.captures_iter(text) {
            let name = &t[1];
            let dated = ["date", "datetime", "year", "month"]
                .iter()
                .any(|d| name.starts_with(d));
            if t.get(2).is_some() || dated {
                checked += 1;
                if let Err(e) = appointments::expand(&t[0]) {
                    problems.push(format!("{at}: {}", e.message));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} phrases found: the prefixes above are out of date"
    );
    assert!(
        problems.is_empty(),
        "{} phrase(s) no interpreter knows:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A booking body with every part the change phrases touch.
fn sample_booking() -> serde_json::Value {
    serde_json::json!({
        "resourceType": "Appointment",
        "meta": {"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1"]},
        "contained": [{"resourceType": "Organization", "id": "1", "name": "C", "telecom": [{"system": "phone", "value": "1"}],
            "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "A1"}],
            "type": [{"coding": [{"code": "gp-practice"}]}], "meta": {"profile": ["x"]}}],
        "extension": [{"url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1",
            "valueReference": {"reference": "#1"}}],
        "status": "booked",
        "description": "d",
        "comment": "c",
        "created": "2030-06-30T09:00:00+01:00",
        "start": "2030-07-01T09:00:00+01:00",
        "end": "2030-07-01T09:10:00+01:00",
        "slot": [{"reference": "Slot/1"}],
        "participant": [
            {"actor": {"reference": "Patient/1"}, "status": "accepted"},
            {"actor": {"reference": "Location/1"}, "status": "accepted"},
            {"actor": {"reference": "Practitioner/1"}, "status": "accepted"}
        ]
    })
}

/// The interpreters refuse what they do not know, so the test above can fail.
#[test]
fn the_interpreters_refuse_unknown_phrases() {
    use gpc_assure::gpconnect::register;
    use gpc_assure::steps::appointments;
    let e =
        appointments::apply_change(&mut serde_json::json!({}), "a reason for lunch").unwrap_err();
    assert!(e.message.starts_with("unknown change"), "{}", e.message);
    let e = register::apply_change(&mut serde_json::json!({}), "a favourite colour").unwrap_err();
    assert!(e.starts_with("unknown change"), "{e}");
    assert!(appointments::expand("{dat+3}").is_err());
    assert!(appointments::expand("{date+x}").is_err());
}
