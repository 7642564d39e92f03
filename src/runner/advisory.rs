//! Scenarios that end as a warning rather than a failure: a SHOULD or a MAY the provider does not
//! follow is reported, never failed (RFC 2119 words as the specification uses them).
//!
//! Two kinds, both decided here, once per scenario, from data rather than in each step:
//!
//! - **Advisory scenarios.** A scenario whose `@req:` ids are all of level should/may in the requirement
//!   catalogue is advisory: when it fails, it ends as a warning, its message prefixed
//!   `SHOULD not followed: ` (or `MAY not followed: `). A response that breaks the FHIR profiles (the
//!   validation after the steps) is still a failure: valid FHIR is a MUST whatever the scenario checks.
//!   Scenarios mixing a MUST with a SHOULD are not advisory; the features keep the levels apart.
//! - **XML scenarios** (tagged `@xml`: they ask for XML or send it). Servers SHALL support JSON and
//!   SHOULD support XML, and SHALL declare what they support in `CapabilityStatement.format` (General
//!   API guidance, Content types:
//!   <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>). The
//!   statement is read once per run and service root, before any scenario; when it does not declare
//!   XML, the XML scenarios of that root are not sent and end as a warning. Not sending them keeps a
//!   run from spending a register-pool person or booking a slot on a request the provider has said it
//!   does not serve, and what the provider declared is the evidence. When it declares XML, the XML
//!   scenarios run and are judged like any other: a provider claiming XML must serve it.

use std::path::Path;

use cucumber::gherkin::{self, tagexpr::TagOperation};

use super::{plan, version_selected};
use crate::config::TargetConfig;
use crate::gpconnect::requirements::{Catalogue, Level};
use crate::report::{Failure, FeatureResult, ScenarioResult, Status};

/// The tag of a scenario (or Examples table) that asks for XML or sends it.
pub const XML_TAG: &str = "xml";

/// The specification page that makes XML a SHOULD.
pub const XML_SPEC: &str =
    "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html";

/// The level of a scenario whose requirements are all SHOULD or MAY (SHOULD when any is), or `None`
/// when it checks a MUST, checks no catalogued requirement, or names an id the catalogue lacks (an
/// unknown rule is judged as a MUST).
pub fn advisory_level(requirements: &[String], catalogue: &Catalogue) -> Option<Level> {
    if requirements.is_empty() {
        return None;
    }
    let mut level = Level::May;
    for id in requirements {
        match catalogue.get(id)?.level {
            Level::Must => return None,
            Level::Should => level = Level::Should,
            Level::May => {}
        }
    }
    Some(level)
}

/// What a warning's message starts with: `SHOULD not followed: `.
pub fn not_followed(level: Level) -> String {
    format!("{} not followed: ", level.label())
}

/// Judge a finished scenario by the level of its rules: an advisory scenario that failed ends as a
/// warning, the failing step's message kept behind the prefix. `invalid_fhir` is the failure of the
/// validation after the steps, if a response broke the FHIR profiles: the scenario then stays failed
/// with that reason (its failed steps still become warnings, since what they checked was a SHOULD).
pub fn judge(s: &mut ScenarioResult, invalid_fhir: Option<Failure>, catalogue: &Catalogue) {
    if s.status != Status::Failed {
        return;
    }
    let Some(level) = advisory_level(&s.requirements, catalogue) else {
        return;
    };
    let prefix = not_followed(level);
    for st in s.steps.iter_mut().filter(|st| st.status == Status::Failed) {
        st.status = Status::Warning;
        if let Some(m) = &mut st.message {
            m.insert_str(0, &prefix);
        }
    }
    match invalid_fhir {
        Some(f) => s.failure = Some(f),
        None => {
            s.status = Status::Warning;
            if let Some(f) = &mut s.failure {
                f.message.insert_str(0, &prefix);
            }
        }
    }
}

/// Whether a scenario's tags (feature, rule, scenario and Examples) mark it as asking for XML.
pub fn is_xml(tags: &[&String]) -> bool {
    tags.iter().any(|t| t.as_str() == XML_TAG)
}

/// Why an XML scenario was not sent: the provider at `metadata_url` declares no XML.
pub fn xml_not_offered(metadata_url: &str, formats: &[String]) -> String {
    format!(
        "{}not sent: the provider does not offer XML, which GP Connect says it SHOULD (the CapabilityStatement at {metadata_url} declares format {formats:?}; servers SHOULD support application/fhir+xml and SHALL declare the formats they support: {XML_SPEC})",
        not_followed(Level::Should)
    )
}

/// The scenarios the tag filter and the target's version select but `withhold` keeps from running (it
/// gives the reason from a scenario's tags), as warning results grouped by feature, named as the
/// collector names them (paths relative to `root`).
pub fn withheld(
    features: &[gherkin::Feature],
    root: &Path,
    filter: Option<&TagOperation>,
    target: &TargetConfig,
    withhold: impl Fn(&[&String]) -> Option<String>,
) -> Vec<FeatureResult> {
    plan::unrun(features, root, filter, |tags| {
        if !version_selected(tags, target) {
            return None;
        }
        withhold(tags).map(|message| (Status::Warning, Some(message)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::StepResult;

    const CATALOGUE: &str = r#"
capability = "cross-cutting"

[[requirement]]
id = "XC-JWT-06"
rule = "An expired token is refused."
level = "must"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html"
section = "JWT"

[[requirement]]
id = "XC-JWT-07"
rule = "iat is not validated against the clock."
level = "should"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html"
section = "JWT"

[[requirement]]
id = "XC-JWT-14"
rule = "Any aud is accepted."
level = "may"
spec = "https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_cross_organisation_audit_and_provenance.html"
section = "JWT"
"#;

    fn catalogue() -> Catalogue {
        Catalogue::parse(&[("test.toml", CATALOGUE)]).unwrap()
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn failed(requirements: &[&str]) -> ScenarioResult {
        ScenarioResult {
            name: "A token issued 200 seconds in the future is accepted".into(),
            line: 3,
            tags: requirements.iter().map(|r| format!("req:{r}")).collect(),
            requirements: ids(requirements),
            status: Status::Failed,
            steps: vec![
                StepResult {
                    keyword: "When".into(),
                    text: "the request is sent".into(),
                    status: Status::Passed,
                    message: None,
                    background: false,
                },
                StepResult {
                    keyword: "Then".into(),
                    text: "the response status is 200".into(),
                    status: Status::Failed,
                    message: Some("status 400; expected 200".into()),
                    background: false,
                },
            ],
            failure: Some(Failure {
                step: "Then the response status is 200".into(),
                message: "status 400; expected 200".into(),
            }),
            evidence: Vec::new(),
            culprit: None,
            duration_ms: 1.0,
        }
    }

    #[test]
    fn only_scenarios_of_should_and_may_rules_alone_are_advisory() {
        let c = catalogue();
        assert_eq!(
            advisory_level(&ids(&["XC-JWT-07"]), &c),
            Some(Level::Should)
        );
        assert_eq!(advisory_level(&ids(&["XC-JWT-14"]), &c), Some(Level::May));
        assert_eq!(
            advisory_level(&ids(&["XC-JWT-14", "XC-JWT-07"]), &c),
            Some(Level::Should)
        );
        assert_eq!(advisory_level(&ids(&["XC-JWT-07", "XC-JWT-06"]), &c), None);
        assert_eq!(advisory_level(&ids(&["XC-JWT-06"]), &c), None);
        assert_eq!(advisory_level(&ids(&["XC-JWT-07", "XC-NOPE-01"]), &c), None);
        assert_eq!(advisory_level(&[], &c), None);
    }

    #[test]
    fn a_failed_should_becomes_a_warning_with_its_message_kept() {
        let mut s = failed(&["XC-JWT-07"]);
        judge(&mut s, None, &catalogue());
        assert_eq!(s.status, Status::Warning);
        let f = s.failure.unwrap();
        assert_eq!(f.step, "Then the response status is 200");
        assert_eq!(f.message, "SHOULD not followed: status 400; expected 200");
        assert_eq!(s.steps[1].status, Status::Warning);
        assert_eq!(
            s.steps[1].message.as_deref(),
            Some("SHOULD not followed: status 400; expected 200")
        );
        assert_eq!(s.steps[0].status, Status::Passed);

        let mut s = failed(&["XC-JWT-14"]);
        judge(&mut s, None, &catalogue());
        assert_eq!(s.status, Status::Warning);
        assert!(s.failure.unwrap().message.starts_with("MAY not followed: "));
    }

    #[test]
    fn a_must_stays_failed() {
        for reqs in [&["XC-JWT-06"][..], &["XC-JWT-06", "XC-JWT-07"], &[]] {
            let mut s = failed(reqs);
            let before = s.clone();
            judge(&mut s, None, &catalogue());
            assert_eq!(s, before, "{reqs:?}");
        }
    }

    #[test]
    fn invalid_fhir_keeps_an_advisory_scenario_failed_for_that_reason() {
        let mut s = failed(&["XC-JWT-07"]);
        let invalid = Failure {
            step: "(every response is validated against the FHIR profiles)".into(),
            message: "Patient.gender: value \"x\" is not in the required value set".into(),
        };
        judge(&mut s, Some(invalid.clone()), &catalogue());
        assert_eq!(s.status, Status::Failed);
        assert_eq!(s.failure, Some(invalid));
        assert_eq!(s.steps[1].status, Status::Warning);
    }

    #[test]
    fn other_outcomes_are_left_alone() {
        for status in [Status::Passed, Status::Inconclusive, Status::Error] {
            let mut s = failed(&["XC-JWT-07"]);
            s.status = status;
            let before = s.clone();
            judge(&mut s, None, &catalogue());
            assert_eq!(s, before, "{status:?}");
        }
    }

    #[test]
    fn the_xml_message_names_the_statement_and_the_rule() {
        let m = xml_not_offered(
            "http://p/gpconnect/metadata",
            &["application/fhir+json".to_string()],
        );
        assert!(m.starts_with("SHOULD not followed: not sent: the provider does not offer XML"));
        assert!(m.contains("http://p/gpconnect/metadata"), "{m}");
        assert!(m.contains("[\"application/fhir+json\"]"), "{m}");
        assert!(m.contains(XML_SPEC), "{m}");
        let xml = "xml".to_string();
        let other = "req:XC-FMT-01".to_string();
        assert!(is_xml(&[&other, &xml]));
        assert!(!is_xml(&[&other]));
    }
}
