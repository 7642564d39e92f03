//! The requirement catalogue (`requirements/*.toml`) and the features stay in step: every `@req:` id a
//! scenario carries is catalogued; every catalogued rule is checked by a scenario or says why not; the
//! catalogue is sound as data; scenarios never run on versions their rule does not apply to; and every
//! requirement a deliberate fault declares is catalogued and testable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gpc_assure::gpconnect::requirements::{Catalogue, Level, SOURCES};
use gpc_assure::gpconnect::version::parse_version;
use gpc_assure::provider::departures::Departure;
use gpc_assure::provider::faults::Fault;
use gpc_assure::runner::plan;

type Version = (u32, u32, u32);

/// One scenario of the features (outlines expanded) as the catalogue sees it.
struct Tagged {
    place: String,
    requirements: Vec<String>,
    /// The latest `@since` and earliest `@until` among its tags.
    since: Option<Version>,
    until: Option<Version>,
}

fn scenarios() -> Vec<Tagged> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
    let features = plan::load_features(&root).expect("the features parse");
    plan::scenarios(&features)
        .map(|(feature, scenario, tags)| {
            let versions = |prefix: &str| {
                tags.iter()
                    .filter_map(|t| t.strip_prefix(prefix))
                    .filter_map(parse_version)
                    .collect::<Vec<_>>()
            };
            Tagged {
                place: format!(
                    "{}:{} {}",
                    feature
                        .path
                        .as_deref()
                        .and_then(|p| p.strip_prefix(&root).ok())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    scenario.position.line,
                    scenario.name
                ),
                requirements: tags
                    .iter()
                    .filter_map(|t| t.strip_prefix("req:"))
                    .map(str::to_string)
                    .collect(),
                since: versions("since:").into_iter().max(),
                until: versions("until:").into_iter().min(),
            }
        })
        .collect()
}

fn by_requirement(scenarios: &[Tagged]) -> BTreeMap<&str, Vec<&Tagged>> {
    let mut map: BTreeMap<&str, Vec<&Tagged>> = BTreeMap::new();
    for s in scenarios {
        for r in &s.requirements {
            map.entry(r.as_str()).or_default().push(s);
        }
    }
    map
}

#[test]
fn the_embedded_catalogue_parses_and_is_sound() {
    let parsed = Catalogue::parse(SOURCES).expect("the catalogue parses");
    assert_eq!(&parsed, Catalogue::embedded());
    let problems = parsed.problems();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(parsed.len() > 250, "only {} requirements", parsed.len());
    for area in [
        "cross-cutting",
        "foundations",
        "appointments",
        "structured",
        "documents",
        "html",
    ] {
        assert!(
            parsed.iter().any(|r| r.capability == area),
            "no requirement of {area}"
        );
    }
    // Every entry's area matches its id's prefix, so a misfiled rule is caught.
    for r in parsed.iter() {
        let expected = match r.id.split('-').next() {
            Some("XC") => "cross-cutting",
            Some("FND") => "foundations",
            Some("APT") => "appointments",
            Some("STR") => "structured",
            Some("DOC") => "documents",
            Some("HTML") => "html",
            other => panic!("{}: unknown area prefix {other:?}", r.id),
        };
        assert_eq!(
            r.capability, expected,
            "{} is filed under {}",
            r.id, r.capability
        );
    }
}

#[test]
fn every_requirement_a_scenario_names_is_catalogued() {
    let catalogue = Catalogue::embedded();
    let scenarios = scenarios();
    let missing: Vec<String> = by_requirement(&scenarios)
        .into_iter()
        .filter(|(id, _)| catalogue.get(id).is_none())
        .map(|(id, s)| format!("{id} (first tagged at {})", s[0].place))
        .collect();
    assert!(
        missing.is_empty(),
        "tagged in the features but not in requirements/: {}",
        missing.join(", ")
    );
}

#[test]
fn every_catalogued_rule_has_a_scenario_or_says_why_not() {
    let scenarios = scenarios();
    let tagged = by_requirement(&scenarios);
    let mut problems = Vec::new();
    for r in Catalogue::embedded().iter() {
        match (r.expects_scenarios(), tagged.get(r.id.as_str())) {
            (true, None) => problems.push(format!(
                "{} has no scenario: tag one with @req:{}, or mark it covered = false with a reason, or not_testable",
                r.id, r.id
            )),
            (false, Some(s)) => problems.push(format!(
                "{} says it has no scenario ({}) but {} is tagged with it: remove the mark",
                r.id,
                r.gap().unwrap_or(""),
                s[0].place
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn scenarios_only_run_on_versions_their_rule_applies_to() {
    let catalogue = Catalogue::embedded();
    let scenarios = scenarios();
    let mut problems = Vec::new();
    for s in &scenarios {
        for id in &s.requirements {
            let Some(r) = catalogue.get(id) else { continue };
            let since = r.versions.since.as_deref().and_then(parse_version);
            let until = r.versions.until.as_deref().and_then(parse_version);
            if let Some(since) = since {
                if s.since.is_none_or(|v| v < since) {
                    problems.push(format!(
                        "{} applies from {since:?} but {} can run earlier: tag it @since",
                        id, s.place
                    ));
                }
            }
            if let Some(until) = until {
                if s.until.is_none_or(|v| v > until) {
                    problems.push(format!(
                        "{} applies up to {until:?} but {} can run later: tag it @until",
                        id, s.place
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_requirement_a_fault_declares_is_catalogued_and_testable() {
    let catalogue = Catalogue::embedded();
    for f in Fault::ALL {
        for id in f.breaks() {
            let r = catalogue
                .get(id)
                .unwrap_or_else(|| panic!("fault {f} declares {id}, which is not catalogued"));
            assert!(
                r.expects_scenarios(),
                "fault {f} declares {id}, which the catalogue says no scenario checks"
            );
            assert_eq!(
                r.level,
                Level::Must,
                "fault {f} declares {id}, a {} rule: breaking a SHOULD or MAY is no failure",
                r.level.label()
            );
        }
    }
}

#[test]
fn no_scenario_mixes_a_must_with_a_should_or_may() {
    // A scenario whose rules are all SHOULD or MAY ends as a warning when it fails; one mixing levels
    // would either hide a MUST or fail a SHOULD, so the features keep the levels apart.
    let catalogue = Catalogue::embedded();
    let mut problems = Vec::new();
    for s in scenarios() {
        let levels: BTreeSet<&str> = s
            .requirements
            .iter()
            .filter_map(|id| catalogue.get(id))
            .map(|r| {
                if r.level == Level::Must {
                    "MUST"
                } else {
                    "SHOULD/MAY"
                }
            })
            .collect();
        if levels.len() > 1 {
            problems.push(format!(
                "{} checks {} of both levels: split it so each scenario tests one",
                s.place,
                s.requirements.join(" ")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_requirement_a_departure_declares_is_a_should_or_may() {
    let catalogue = Catalogue::embedded();
    for d in Departure::ALL {
        for id in d.warns() {
            let r = catalogue
                .get(id)
                .unwrap_or_else(|| panic!("departure {d} declares {id}, which is not catalogued"));
            assert_ne!(
                r.level,
                Level::Must,
                "departure {d} declares {id}, a MUST: not following it is a fault, not a departure"
            );
        }
    }
}

#[test]
fn the_scenarios_that_ask_for_or_send_xml_and_only_they_are_tagged_xml() {
    // XML is a SHOULD: a provider that does not declare it must not fail these scenarios, and every
    // other scenario must run whatever the provider declares.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("features");
    let features = plan::load_features(&root).expect("the features parse");
    let mut problems = Vec::new();
    let mut tagged = 0;
    for (feature, scenario, tags) in plan::scenarios(&features) {
        let uses_xml = scenario.steps.iter().any(|st| {
            st.value.contains("sent as XML")
                || st.value.contains(r#""_format" is "application/fhir+xml""#)
                || (st.value.contains("FHIR XML") && !st.value.contains("DSTU2"))
        });
        let is_tagged = tags.iter().any(|t| t.as_str() == "xml");
        tagged += usize::from(is_tagged);
        if uses_xml != is_tagged {
            problems.push(format!(
                "{}:{} {}: {}",
                feature
                    .path
                    .as_deref()
                    .and_then(|p| p.strip_prefix(&root).ok())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                scenario.position.line,
                scenario.name,
                if uses_xml {
                    "asks for or sends XML but is not tagged @xml"
                } else {
                    "is tagged @xml but neither asks for nor sends XML"
                }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(tagged > 100, "only {tagged} @xml scenarios");
}

#[test]
fn the_catalogue_checks_catch_a_broken_catalogue() {
    // The same checks over a catalogue missing a tagged id and holding an untagged one.
    let broken = r#"
capability = "cross-cutting"
[[requirement]]
id = "XC-NEVER-01"
rule = "A rule no scenario names."
level = "must"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html"
section = "Caching headers"
"#;
    let c = Catalogue::parse(&[("broken.toml", broken)]).unwrap();
    let scenarios = scenarios();
    let tagged: BTreeSet<&str> = by_requirement(&scenarios).into_keys().collect();
    assert!(tagged.iter().any(|id| c.get(id).is_none()));
    assert!(c
        .iter()
        .any(|r| r.expects_scenarios() && !tagged.contains(r.id.as_str())));
}
