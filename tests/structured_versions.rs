//! Access Record Structured 1.3.x and 1.4.x: `gpc-assure run`, told by its environment that the target
//! implements that version, starts the embedded provider playing it and every applicable `@structured`
//! scenario passes; the Access Document scenarios (1.5.0+) are listed as not applicable, never run.

mod common;

use serde_json::Value;

/// Run the binary with the structured version set the way a user sets it, on the `@structured` and
/// `@documents` scenarios, and return its exit status, stdout and results.json.
fn run_at(version: &str) -> (i32, String, Value) {
    common::run_tagged_with(
        "@structured or @documents",
        "GPC_ASSURE_TARGET_STRUCTURED_VERSION",
        version,
    )
}

/// Every scenario of the run: (feature path, name, tags, status).
fn scenarios(results: &Value) -> Vec<(String, String, Vec<String>, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    results["features"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["scenarios"].as_array().into_iter().flatten())
        .map(|s| {
            let tags = s["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            (
                text(&s["feature_path"]),
                text(&s["name"]),
                tags,
                text(&s["status"]),
            )
        })
        .collect()
}

fn green_at(version: &str, minimum_passed: usize, areas_present: &[&str], areas_absent: &[&str]) {
    let (code, stdout, results) = run_at(version);
    let all = scenarios(&results);
    let not_green: Vec<String> = all
        .iter()
        .filter(|(_, _, _, status)| status != "passed" && status != "not_applicable")
        .map(|(path, name, _, status)| format!("{status}: {path}: {name}"))
        .collect();
    assert!(
        not_green.is_empty(),
        "{version}: {} scenarios not green:\n{}",
        not_green.len(),
        not_green.join("\n")
    );
    assert_eq!(code, 0, "{version}: exit status; stdout:\n{stdout}");
    assert_eq!(results["target"]["structured_version"], version);
    // Access Document arrived with 1.5.0: listed, never run.
    let documents: Vec<_> = all
        .iter()
        .filter(|(path, ..)| path.starts_with("documents/"))
        .collect();
    assert!(!documents.is_empty(), "the documents scenarios are listed");
    for (path, name, _, status) in &documents {
        assert_eq!(status, "not_applicable", "{version}: {path}: {name}");
    }
    // The clinical areas of the version ran; the later ones did not.
    let passed_in = |area: &str| {
        all.iter()
            .filter(|(_, _, tags, status)| status == "passed" && tags.iter().any(|t| t == area))
            .count()
    };
    for area in areas_present {
        assert!(passed_in(area) > 0, "{version}: no @{area} scenario passed");
    }
    for area in areas_absent {
        assert_eq!(passed_in(area), 0, "{version}: @{area} scenarios ran");
    }
    let passed = all.iter().filter(|s| s.3 == "passed").count();
    assert!(
        passed >= minimum_passed,
        "{version}: only {passed} scenarios passed"
    );
    eprintln!(
        "structured {version}: {passed} passed, {} not applicable",
        all.len() - passed
    );
}

#[test]
fn structured_runs_green_at_1_3_0() {
    green_at(
        "1.3.0",
        200,
        &[
            "consultations",
            "problems",
            "immunisations",
            "uncategorised",
        ],
        &["investigations", "referrals", "diary", "migrate"],
    );
}

#[test]
fn structured_runs_green_at_1_4_0() {
    green_at(
        "1.4.0",
        250,
        &[
            "consultations",
            "problems",
            "immunisations",
            "uncategorised",
            "investigations",
            "referrals",
        ],
        &["diary", "migrate"],
    );
}
