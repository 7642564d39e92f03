//! Access Record HTML 0.5.x: `gpc-assure run`, told by its environment that the target implements
//! 0.5.0, 0.5.2 or 0.5.3, starts the embedded provider playing that version and every applicable `@html`
//! scenario passes, the 0.5.x layout scenarios among them; the 0.7.x view scenarios are not applicable.

mod common;

use serde_json::Value;

/// Run the binary on the `@html` scenarios with the HTML version set the way a user sets it, and return
/// its exit status, stdout and results.json.
fn run_at(version: &str) -> (i32, String, Value) {
    common::run_tagged_with("@html", "GPC_ASSURE_TARGET_HTML_VERSION", version)
}

/// Every scenario of the run: (feature path, name, status).
fn scenarios(results: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    results["features"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["scenarios"].as_array().into_iter().flatten())
        .map(|s| {
            (
                text(&s["feature_path"]),
                text(&s["name"]),
                text(&s["status"]),
            )
        })
        .collect()
}

#[test]
fn every_applicable_html_scenario_passes_at_0_5_x() {
    for version in ["0.5.0", "0.5.2", "0.5.3"] {
        let (code, stdout, results) = run_at(version);
        let all = scenarios(&results);
        let not_green: Vec<String> = all
            .iter()
            .filter(|(_, _, status)| status != "passed" && status != "not_applicable")
            .map(|(path, name, status)| format!("{status}: {path}: {name}"))
            .collect();
        assert!(
            not_green.is_empty(),
            "{version}: scenarios not green:\n{}\n{stdout}",
            not_green.join("\n")
        );
        assert_eq!(code, 0, "{version}: {stdout}");
        let status_of = |feature: &str| -> Vec<&str> {
            all.iter()
                .filter(|(path, _, _)| path.ends_with(feature))
                .map(|(_, _, status)| status.as_str())
                .collect()
        };
        let layout = status_of("html/views_05.feature");
        assert!(
            layout.len() >= 20 && layout.iter().all(|s| *s == "passed"),
            "{version}: the 0.5.x layout scenarios did not all run and pass: {layout:?}"
        );
        let views = status_of("html/views.feature");
        assert!(
            !views.is_empty() && views.iter().all(|s| *s == "not_applicable"),
            "{version}: the 0.7.x view scenarios ran: {views:?}"
        );
    }
}
