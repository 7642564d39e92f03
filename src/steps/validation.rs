//! Every response is validated against FHIR STU3 and the GP Connect profiles as it arrives. The issues
//! are attached to the exchange (the report shows them under the response) and a scenario whose
//! responses carry validation errors fails when it ends, whatever its own steps checked.

use cucumber::then;

use super::Assurance;
use crate::checks::CheckResult;
use crate::config::{parse_version, Config};
use crate::fhir::{self, ProfileSet, Severity};
use crate::gpconnect::{Capability, Interaction};
use crate::http::evidence::Finding;
use crate::http::Exchange;

/// The profile set a provider of the configured versions answers with.
pub fn profile_set(config: &Config, interaction: Option<Interaction>) -> ProfileSet {
    let version = match interaction.map(|i| i.spec().capability) {
        Some(Capability::Structured | Capability::Documents) => &config.target.structured_version,
        _ => &config.target.gpconnect_version,
    };
    match parse_version(version) {
        Some((1, minor, _)) if minor < 5 => ProfileSet::V1_2,
        _ => ProfileSet::Latest,
    }
}

/// Whether a response claims to carry FHIR (other bodies are for the format checks to judge).
fn is_fhir(content_type: Option<&str>, body: &str) -> bool {
    let fhir_type = content_type.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("fhir") || c.contains("json") || c.contains("xml")
    });
    fhir_type && !body.trim().is_empty()
}

/// Validate the response of `exchange` and attach error and warning issues as findings.
pub fn attach_findings(config: &Config, interaction: Option<Interaction>, exchange: &mut Exchange) {
    let Some(response) = &exchange.response else {
        return;
    };
    if response.truncated || !is_fhir(response.header("content-type"), &response.body) {
        return;
    }
    let validator = match fhir::validator() {
        Ok(v) => v,
        Err(e) => {
            exchange.findings.push(Finding {
                severity: "error".into(),
                location: "(validator)".into(),
                message: e.to_string(),
            });
            return;
        }
    };
    let set = profile_set(config, interaction);
    let issues = validator.validate_body(
        response.body.as_bytes(),
        response.header("content-type"),
        None,
        set,
    );
    exchange.findings.extend(
        issues
            .into_iter()
            .filter(|i| i.severity != Severity::Information)
            .map(|i| {
                let source = match (&i.profile, &i.element) {
                    (Some(p), Some(e)) => format!(" [{e} in {p}]"),
                    (Some(p), None) => format!(" [{p}]"),
                    _ => String::new(),
                };
                Finding {
                    severity: i.severity.to_string(),
                    location: i.location,
                    message: format!("{}{source}", i.message),
                }
            }),
    );
}

/// The validation errors of a scenario's responses, as one message; `None` when there are none.
pub fn errors_in(exchanges: &[Exchange]) -> Option<String> {
    let mut lines = Vec::new();
    let mut count = 0;
    for (n, x) in exchanges.iter().enumerate() {
        for f in x.findings.iter().filter(|f| f.severity == "error") {
            count += 1;
            if lines.len() < 5 {
                let what = x.interaction.as_deref().unwrap_or(&x.request.url);
                lines.push(format!(
                    "response {} ({what}): {}: {}",
                    n + 1,
                    f.location,
                    f.message
                ));
            }
        }
    }
    (count > 0).then(|| {
        format!(
            "{count} FHIR validation error(s) in the responses:\n{}",
            lines.join("\n")
        )
    })
}

#[then("the response is valid FHIR")]
async fn valid(w: &mut Assurance) -> CheckResult {
    match errors_in(std::slice::from_ref(w.last()?)) {
        Some(m) => Err(m),
        None => Ok(()),
    }
}

#[then(expr = "the response is valid against the {string} profile")]
async fn valid_against(w: &mut Assurance, profile: String) -> CheckResult {
    let set = profile_set(&w.ctx.config, None);
    let resource = w.resource()?;
    let validator = fhir::validator().map_err(|e| e.to_string())?;
    let url = if profile.starts_with("http") {
        profile.clone()
    } else {
        format!(
            "{}{profile}",
            crate::gpconnect::systems::profiles::STRUCTURE_DEFINITION_BASE
        )
    };
    let errors: Vec<String> = validator
        .validate(&resource, Some(&url), set)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| format!("{}: {}", i.location, i.message))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the response is not valid against {url}:\n{}",
            errors.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;

    #[test]
    fn versions_choose_the_profile_set() {
        let mut c = Config::default();
        c.target.gpconnect_version = "1.2.7".into();
        c.target.structured_version = "1.6.2".into();
        assert_eq!(
            profile_set(&c, Some(Interaction::ReadPatient)),
            ProfileSet::V1_2
        );
        assert_eq!(
            profile_set(&c, Some(Interaction::GetStructuredRecord)),
            ProfileSet::Latest
        );
        c.target.structured_version = "1.2.7".into();
        assert_eq!(
            profile_set(&c, Some(Interaction::GetStructuredRecord)),
            ProfileSet::V1_2
        );
    }

    #[test]
    fn invalid_responses_produce_errors_that_fail_the_scenario() {
        let c = Config::default();
        let bad = r#"{"resourceType":"Patient","id":"1","gender":"boy","birthDate":"23/11/1977"}"#;
        let mut x = exchange(
            200,
            &[("Content-Type", "application/fhir+json;charset=utf-8")],
            bad,
        );
        attach_findings(&c, Some(Interaction::ReadPatient), &mut x);
        assert!(
            x.findings
                .iter()
                .any(|f| f.severity == "error" && f.location.contains("gender")),
            "{:?}",
            x.findings
        );
        let message = errors_in(&[x]).expect("errors reported");
        assert!(
            message.contains("birthDate") || message.contains("gender"),
            "{message}"
        );
    }

    #[test]
    fn valid_and_non_fhir_responses_have_no_errors() {
        let c = Config::default();
        let ok = r#"{"resourceType":"Bundle","type":"searchset"}"#;
        let mut x = exchange(
            200,
            &[("Content-Type", "application/fhir+json;charset=utf-8")],
            ok,
        );
        attach_findings(&c, None, &mut x);
        assert!(errors_in(&[x]).is_none());
        let mut html = exchange(200, &[("Content-Type", "text/html")], "<html/>");
        attach_findings(&c, None, &mut html);
        assert!(html.findings.is_empty());
    }
}
