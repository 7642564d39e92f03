//! Every response is validated against FHIR STU3 and the GP Connect profiles as it arrives (an Access
//! Record HTML response against FHIR DSTU2 and the GP Connect DSTU2 profiles). The issues
//! are attached to the exchange (the report shows them under the response) and a scenario whose
//! responses carry validation errors fails when it ends, whatever its own steps checked.

use crate::config::{parse_version, Config};
use crate::fhir::{self, ProfileSet, Severity};
use crate::gpconnect::{Capability, Interaction};
use crate::http::evidence::Finding;
use crate::http::Exchange;
use crate::steps::Assurance;
use crate::verdict::StepResult;

/// The profile set a provider of the configured versions answers with.
///
/// Access Record Structured 1.3.x and 1.4.x have no profile release of their own among the published
/// definitions (gpconnect-fhir has `release/1.2.7` and `release/1.5.0`): their clinical profiles
/// (Encounter, ProblemHeader, Immunization, Observation, DiagnosticReport...) first appear in the
/// 1.5.0 set, and the 1.2.7 set knows only allergies and medications. They are validated against the
/// nearest set that defines what they return, the latest; the rules that differ between 1.3/1.4 and
/// 1.5 (the consultations List code, `Bundle.id`, which areas and parameters exist) are scenarios.
pub fn profile_set(config: &Config, interaction: Option<Interaction>) -> ProfileSet {
    let (version, first_latest_minor) = match interaction.map(|i| i.spec().capability) {
        // Access Record HTML (0.5.x / 0.7.x) answers in FHIR DSTU2, never judged by STU3 profiles
        Some(Capability::Html) => return ProfileSet::Dstu2,
        Some(Capability::Structured | Capability::Documents) => {
            (&config.target.structured_version, 3)
        }
        _ => (&config.target.gpconnect_version, 5),
    };
    match parse_version(version) {
        Some((1, minor, _)) if minor < first_latest_minor => ProfileSet::V1_2,
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

/// Validate the response of `exchange` and attach error and warning issues as findings. Resources
/// found in `clean` are not walked again (the findings are the same, see [`fhir::memo`]).
pub fn attach_findings(
    config: &Config,
    interaction: Option<Interaction>,
    exchange: &mut Exchange,
    clean: &fhir::CleanResources,
) {
    let Some(response) = &exchange.response else {
        return;
    };
    // A body the harness cut cannot be judged (the steps that read it end in error), and a body that
    // is not UTF-8 already carries its error finding (attached by the client to every response).
    if response.truncated.is_some()
        || response.body_info.invalid_utf8_at.is_some()
        || !is_fhir(response.header("content-type"), &response.body)
    {
        return;
    }
    // DSTU2 bodies (Access Record HTML) are validated against the DSTU2 set (see profile_set); the
    // STU3 SHOULD rules do not apply to them.
    if !interaction.is_some_and(|i| i.spec().capability == Capability::Html) {
        attach_should_warnings(config, interaction, exchange);
    }
    let Some(response) = &exchange.response else {
        return;
    };
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
    // The tree the checks share, read with the STU3 wire model; a DSTU2 body is read with its own
    // (its XML differs), and a body that cannot be read is reported as the validator words it.
    let shared = match set {
        ProfileSet::Dstu2 => None,
        _ => crate::checks::response::body_as_json(exchange).ok(),
    };
    let issues = match shared {
        Some(body) => validator.validate_remembering(&body, None, set, clean),
        None => validator.validate_body(
            response.body.as_bytes(),
            response.header("content-type"),
            None,
            set,
        ),
    };
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

/// Attach a `warning` finding to `exchange` (once per location and message). A warning is a SHOULD the
/// response does not follow, or a code outside an extensible binding: the report shows it under the
/// response and the scenario still passes.
pub fn push_warning(exchange: &mut Exchange, location: &str, message: &str) {
    let f = Finding {
        severity: "warning".into(),
        location: location.into(),
        message: message.into(),
    };
    if !exchange.findings.contains(&f) {
        exchange.findings.push(f);
    }
}

/// Attach a warning to the response under test (see [`push_warning`]).
pub fn warn(w: &mut Assurance, location: &str, message: &str) -> StepResult {
    push_warning(w.response_mut()?, location, message);
    Ok(())
}

/// The SHOULD-level rules every response is held to, attached as warnings whichever step looks at it:
/// `Bundle.entry.fullUrl` in Foundations and Appointments Bundles (SHOULD NOT, 1.2.3+; a MUST NOT in
/// Access Record Structured, enforced there as an error), and the extensible bindings of the
/// practitionerRole and deliveryChannel extensions on Appointment, Slot and Schedule, judged against the
/// value set of the target's version, and a Schedule's type (`serviceCategory.text`, 1.2.7+, where
/// available).
pub fn attach_should_warnings(
    config: &Config,
    interaction: Option<Interaction>,
    exchange: &mut Exchange,
) {
    let Ok(body) = crate::checks::response::body_as_json(exchange) else {
        return;
    };
    let capability = interaction.map(|i| i.spec().capability);
    let mut warnings = Vec::new();
    if capability.is_some_and(Capability::uses_foundations_root)
        && body.get("resourceType").and_then(|t| t.as_str()) == Some("Bundle")
    {
        warnings.extend(crate::checks::bundle::full_url_warnings(&body));
    }
    let version = parse_version(&config.target.gpconnect_version).unwrap_or((1, 2, 7));
    let roles = crate::gpconnect::appointments::PractitionerRoleSet::for_version(version);
    let mut resources = vec![&*body];
    resources.extend(crate::checks::bundle::entries(&body));
    for r in resources {
        let ty = r.get("resourceType").and_then(|t| t.as_str()).unwrap_or("");
        if matches!(ty, "Appointment" | "Slot" | "Schedule") {
            let id = r.get("id").and_then(|i| i.as_str()).unwrap_or("?");
            for m in crate::checks::slot::binding_warnings(r, roles) {
                warnings.push((format!("{ty}/{id}.extension"), m));
            }
            if ty == "Schedule" && version >= (1, 2, 7) {
                if let Some(m) = crate::checks::slot::schedule_type_warning(r) {
                    warnings.push((format!("Schedule/{id}.serviceCategory"), m));
                }
            }
        }
    }
    for (location, message) in warnings {
        push_warning(exchange, &location, &message);
    }
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
                    "response {} ({}: {what}): {}: {}",
                    n + 1,
                    x.role.label(),
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
        // 1.3.x and 1.4.x return the clinical areas only the latest set defines.
        for v in ["1.3.0", "1.3.2", "1.4.0", "1.4.1"] {
            c.target.structured_version = v.into();
            assert_eq!(
                profile_set(&c, Some(Interaction::GetStructuredRecord)),
                ProfileSet::Latest,
                "{v}"
            );
            assert_eq!(
                profile_set(&c, Some(Interaction::ReadPatient)),
                ProfileSet::V1_2
            );
        }
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
        attach_findings(
            &c,
            Some(Interaction::ReadPatient),
            &mut x,
            &Default::default(),
        );
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
    fn should_rules_are_warnings_not_errors() {
        let c = Config::default();
        let bundle = r#"{"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"http://p/Patient/1","resource":{"resourceType":"Patient","id":"1"}}]}"#;
        let ct = [("Content-Type", "application/fhir+json;charset=utf-8")];
        let mut x = exchange(200, &ct, bundle);
        attach_should_warnings(&c, Some(Interaction::FindPatient), &mut x);
        assert!(
            x.findings
                .iter()
                .any(|f| f.severity == "warning" && f.location == "Bundle.entry[0].fullUrl"),
            "{:?}",
            x.findings
        );
        assert!(errors_in(std::slice::from_ref(&x)).is_none());
        // Twice attached, once shown.
        attach_should_warnings(&c, Some(Interaction::FindPatient), &mut x);
        assert_eq!(x.findings.len(), 1);
        let slot = r#"{"resourceType":"Slot","id":"9","extension":[{"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2","valueCode":"Drive-through"}]}"#;
        let mut s = exchange(200, &ct, slot);
        attach_should_warnings(&c, None, &mut s);
        assert_eq!(s.findings.len(), 1, "{:?}", s.findings);
        assert_eq!(s.findings[0].severity, "warning");
        assert!(s.findings[0].message.contains("Drive-through"));
        // A Schedule without its type warns from 1.2.7 ("where available"), and not before.
        let schedule = r#"{"resourceType":"Schedule","id":"3"}"#;
        let mut sc = exchange(200, &ct, schedule);
        attach_should_warnings(&c, None, &mut sc);
        assert!(
            sc.findings
                .iter()
                .any(|f| f.severity == "warning" && f.location == "Schedule/3.serviceCategory"),
            "{:?}",
            sc.findings
        );
        let mut before = Config::default();
        before.target.gpconnect_version = "1.2.6".into();
        let mut sc = exchange(200, &ct, schedule);
        attach_should_warnings(&before, None, &mut sc);
        assert!(sc.findings.is_empty(), "{:?}", sc.findings);
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
        attach_findings(&c, None, &mut x, &Default::default());
        assert!(errors_in(&[x]).is_none());
        let mut html = exchange(200, &[("Content-Type", "text/html")], "<html/>");
        attach_findings(&c, None, &mut html, &Default::default());
        assert!(html.findings.is_empty());
    }
}
