//! The Foundations+Appointments CapabilityStatement (Get the FHIR capability statement).
//!
//! Unlike NHS Digital's provider test suite (<https://github.com/nhsconnect/gpconnect-provider-testing>),
//! whose interaction check filters the list and never asserts on the result, interactions are really
//! looked up: a resource listed
//! without the interaction fails.
//!
//! Get the FHIR capability statement: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html>

use serde_json::Value;

use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::capability as cap;
use crate::gpconnect::systems::mime;

pub use crate::gpconnect::capability::{
    FHIR_VERSION, FOUNDATIONS_NAME, FOUNDATIONS_PROFILES as LISTED_PROFILES,
};

/// The fixed elements: kind, status, fhirVersion, acceptUnknown, the JSON format, software, one server
/// `rest` with `security.cors` the boolean `true` (1.2.4+). XML is a SHOULD (General API guidance,
/// Content types), so whether it is declared is [`declares_xml`]'s question, not this one's.
pub fn fixed_elements(cs: &Value) -> CheckResult {
    resource_type_is(cs, "CapabilityStatement")?;
    for (element, expected) in [
        ("status", "active"),
        ("kind", "capability"),
        ("fhirVersion", FHIR_VERSION),
        ("acceptUnknown", "both"),
        ("name", FOUNDATIONS_NAME),
    ] {
        let actual = cs.get(element).and_then(Value::as_str).unwrap_or("(none)");
        ensure(actual == expected, || {
            format!("CapabilityStatement.{element} is {actual:?}; expected {expected:?}")
        })?;
    }
    let formats = formats(cs);
    let f = mime::FHIR_JSON;
    ensure(
        formats
            .iter()
            .any(|x| x.split(';').next().map(str::trim) == Some(f)),
        || format!("CapabilityStatement.format is {formats:?}; it must declare {f}"),
    )?;
    for part in ["name", "version"] {
        ensure(
            cs.at(&format!("/software/{part}"))
                .and_then(Value::as_str)
                .is_some_and(|v| !v.trim().is_empty()),
            || format!("CapabilityStatement.software.{part} is not populated"),
        )?;
    }
    let rest = server_rest(cs)?;
    let cors = rest.at("/security/cors");
    ensure(cors == Some(&Value::Bool(true)), || {
        format!("CapabilityStatement.rest.security.cors is {cors:?}; it must be the boolean true")
    })
}

/// The values of `CapabilityStatement.format`.
pub fn formats(cs: &Value) -> Vec<&str> {
    cs.get("format")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether a `CapabilityStatement.format` value names XML: FHIR's code `xml` or an XML media type
/// (`application/fhir+xml`, the DSTU2 `application/xml+fhir`, `application/xml`, `text/xml`), with or
/// without parameters.
pub fn is_xml_format(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "xml" | mime::FHIR_XML | "application/xml+fhir" | "application/xml" | "text/xml"
    )
}

/// The statement declares XML among its formats: servers SHOULD support XML and SHALL declare the
/// formats they support (General API guidance, Content types:
/// <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>).
pub fn declares_xml(cs: &Value) -> CheckResult {
    resource_type_is(cs, "CapabilityStatement")?;
    let formats = formats(cs);
    ensure(formats.iter().any(|f| is_xml_format(f)), || {
        format!(
            "CapabilityStatement.format is {formats:?}: the provider does not offer XML ({}), which GP Connect says servers SHOULD support",
            mime::FHIR_XML
        )
    })
}

/// `version` is the GP Connect version the target implements.
pub fn version_is(cs: &Value, expected: &str) -> CheckResult {
    let v = cs
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(v == expected, || {
        format!("CapabilityStatement.version is {v:?}; the target is configured as GP Connect {expected}")
    })
}

/// The one `rest` entry with mode `server`.
fn server_rest(cs: &Value) -> Result<&Value, String> {
    let rests: Vec<&Value> = cs
        .get("rest")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    ensure(rests.len() == 1, || {
        format!(
            "CapabilityStatement must have one rest entry, found {}",
            rests.len()
        )
    })?;
    let mode = rests[0]
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(mode == "server", || {
        format!("CapabilityStatement.rest.mode is {mode:?}; expected \"server\"")
    })?;
    Ok(rests[0])
}

/// The `rest.resource` entry of `ty`.
fn resource<'a>(cs: &'a Value, ty: &str) -> Result<&'a Value, String> {
    let rest = server_rest(cs)?;
    rest.get("resource")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| r.get("type").and_then(Value::as_str) == Some(ty))
        .ok_or_else(|| format!("CapabilityStatement.rest.resource does not list {ty}"))
}

/// `ty` is listed with the `interaction` code.
pub fn has_interaction(cs: &Value, ty: &str, interaction: &str) -> CheckResult {
    let r = resource(cs, ty)?;
    let codes: Vec<&str> = r
        .get("interaction")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("code").and_then(Value::as_str))
        .collect();
    ensure(codes.contains(&interaction), || {
        format!("CapabilityStatement lists {ty} with interactions {codes:?}; {interaction:?} is missing")
    })
}

/// `ty` declares the search parameter `name` of `param_type`.
pub fn has_search_param(cs: &Value, ty: &str, name: &str, param_type: &str) -> CheckResult {
    let r = resource(cs, ty)?;
    let params: Vec<&Value> = r
        .get("searchParam")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let p = params
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .ok_or_else(|| format!("CapabilityStatement {ty} has no searchParam {name:?}"))?;
    let t = p.get("type").and_then(Value::as_str).unwrap_or("(none)");
    ensure(t == param_type, || {
        format!(
            "CapabilityStatement {ty} searchParam {name:?} has type {t:?}; expected {param_type:?}"
        )
    })
}

/// `ty` lists `include` in `searchInclude`.
pub fn has_search_include(cs: &Value, ty: &str, include: &str) -> CheckResult {
    let r = resource(cs, ty)?;
    let list: Vec<&str> = r
        .get("searchInclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ensure(list.contains(&include), || {
        format!("CapabilityStatement {ty} searchInclude is {list:?}; {include:?} is missing")
    })
}

/// `ty` has the boolean `flag` equal to `expected` (e.g. Appointment `updateCreate` false).
pub fn resource_flag(cs: &Value, ty: &str, flag: &str, expected: bool) -> CheckResult {
    let r = resource(cs, ty)?;
    let v = r.get(flag);
    ensure(v == Some(&Value::Bool(expected)), || {
        format!("CapabilityStatement {ty}.{flag} is {v:?}; expected the boolean {expected}")
    })
}

/// The canonical OperationDefinition URL a Foundations operation must reference, and the `_history`
/// version the spec pins for the target's GP Connect version (`None`: any version accepted).
pub fn operation_definition(
    name: &str,
    gpconnect_version: &str,
) -> Option<(&'static str, Option<&'static str>)> {
    let op = cap::foundations_operation(name)?;
    Some((op.definition, cap::foundations_pin(op, gpconnect_version)))
}

/// The operation `name` is declared and references its OperationDefinition (Get the FHIR capability statement
/// `rest.operation`): `canonical`, with `/_history/<version>` when the version is pinned.
pub fn has_operation(cs: &Value, name: &str, canonical: &str, pinned: Option<&str>) -> CheckResult {
    let rest = server_rest(cs)?;
    let ops: Vec<&Value> = rest
        .get("operation")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let op = ops
        .iter()
        .find(|o| o.get("name").and_then(Value::as_str) == Some(name))
        .ok_or_else(|| format!("CapabilityStatement.rest.operation does not declare {name:?}"))?;
    let reference = op
        .at("/definition/reference")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    let (base, version) = match reference.split_once("/_history/") {
        Some((b, v)) => (b, Some(v)),
        None => (reference, None),
    };
    ensure(base == canonical, || {
        format!("operation {name:?} references {reference:?}; expected {canonical}")
    })?;
    if let Some(p) = pinned {
        ensure(version == Some(p), || {
            format!("operation {name:?} references {reference:?}; this GP Connect version pins {canonical}/_history/{p}")
        })?;
    }
    Ok(())
}

/// The unversioned profile URL ending in `/<name>` that the statement must list.
pub fn listed_profile(name: &str) -> Option<&'static str> {
    LISTED_PROFILES
        .iter()
        .copied()
        .find(|p| p.rsplit('/').next() == Some(name))
}

/// `CapabilityStatement.profile` references `url` (unversioned, as the Foundations examples list them).
pub fn lists_profile(cs: &Value, url: &str) -> CheckResult {
    let refs: Vec<&str> = cs
        .get("profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("reference").and_then(Value::as_str))
        .collect();
    ensure(refs.contains(&url), || {
        let versioned = refs
            .iter()
            .any(|r| r.split("/_history/").next() == Some(url));
        let hint = if versioned {
            " (it is listed with a _history version; the Foundations statement lists unversioned URLs)"
        } else {
            ""
        };
        format!("CapabilityStatement.profile does not list {url}{hint}")
    })
}

/// The fixed elements of the Access Record Structured statement (its own service root, GP Connect
/// 1.6.0 "Get the FHIR capability statement"): a CapabilityStatement, status active, kind capability,
/// fhirVersion 3.0.1, the JSON format declared, the supplier's software name and version.
pub fn structured_fixed(cs: &Value) -> CheckResult {
    crate::checks::documents::capability_fixed(cs)
}

/// The statement lists every profile of `urls`, each at any `_history` version (or none); the missing
/// ones are named together.
pub fn lists_profiles_any_version(cs: &Value, urls: &[&str]) -> CheckResult {
    let refs: Vec<&str> = cs
        .get("profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("reference").and_then(Value::as_str))
        .collect();
    let missing: Vec<&str> = urls
        .iter()
        .copied()
        .filter(|u| {
            !refs
                .iter()
                .any(|r| r.split("/_history/").next() == Some(*u))
        })
        .collect();
    ensure(missing.is_empty(), || {
        format!(
            "CapabilityStatement.profile does not list {} (at any version)",
            missing.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpconnect::systems::profiles;
    use serde_json::json;

    fn good() -> Value {
        json!({"resourceType": "CapabilityStatement", "version": "1.2.7", "name": "GP Connect", "status": "active", "kind": "capability",
            "software": {"name": "s", "version": "1"}, "fhirVersion": "3.0.1", "acceptUnknown": "both",
            "format": ["application/fhir+json", "application/fhir+xml"],
            "profile": LISTED_PROFILES.iter().map(|p| json!({"reference": p})).collect::<Vec<_>>(),
            "rest": [{"mode": "server", "security": {"cors": true},
                "resource": [{"type": "Patient", "interaction": [{"code": "read"}, {"code": "search-type"}], "searchParam": [{"name": "identifier", "type": "token"}]},
                    {"type": "Slot", "interaction": [{"code": "search-type"}], "searchInclude": ["Slot:schedule"]},
                    {"type": "Appointment", "interaction": [{"code": "read"}], "updateCreate": false}],
                "operation": cap::FOUNDATIONS_OPERATIONS.iter().map(|o| json!({"name": o.name,
                    "definition": {"reference": cap::definition_reference(*o, cap::foundations_pin(*o, "1.2.7"))}})).collect::<Vec<_>>()}]})
    }

    fn structured(v: crate::gpconnect::structured::Version) -> Value {
        json!({"resourceType": "CapabilityStatement", "version": "1.4.0", "status": "active", "kind": "capability",
            "software": {"name": "s", "version": "1"}, "fhirVersion": "3.0.1", "acceptUnknown": "both",
            "format": ["application/fhir+json"],
            "profile": cap::structured_statement_profiles(v).iter().enumerate()
                .map(|(i, p)| json!({"reference": if i % 2 == 0 { format!("{p}/_history/1.3") } else { p.to_string() }}))
                .collect::<Vec<_>>(),
            "rest": [{"mode": "server", "security": {"cors": true}}]})
    }

    #[test]
    fn the_structured_statement_is_judged_by_its_version() {
        let cs = structured((1, 4, 0));
        structured_fixed(&cs).unwrap();
        lists_profiles_any_version(&cs, &cap::structured_statement_profiles((1, 4, 0))).unwrap();
        // A 1.2.x statement does not list what 1.4.0 returns.
        let old = structured((1, 2, 7));
        assert_fails!(
            lists_profiles_any_version(&old, &cap::structured_statement_profiles((1, 4, 0))),
            "CareConnect-GPC-Encounter-1"
        );
        for (pointer, value, says) in [
            ("/fhirVersion", json!("1.0.2"), "fhirVersion"),
            ("/format", json!(["application/fhir+xml"]), "format"),
            ("/software/version", json!(""), "software.version"),
            ("/kind", json!("instance"), "kind"),
        ] {
            let mut bad = cs.clone();
            *bad.pointer_mut(pointer).unwrap() = value;
            assert_fails!(structured_fixed(&bad), says);
        }
    }

    #[test]
    fn good_statement_passes() {
        let cs = good();
        fixed_elements(&cs).unwrap();
        declares_xml(&cs).unwrap();
        version_is(&cs, "1.2.7").unwrap();
        has_interaction(&cs, "Patient", "search-type").unwrap();
        has_search_param(&cs, "Patient", "identifier", "token").unwrap();
        has_search_include(&cs, "Slot", "Slot:schedule").unwrap();
        resource_flag(&cs, "Appointment", "updateCreate", false).unwrap();
        for op in ["gpc.registerpatient", "gpc.getstructuredrecord"] {
            let (c, p) = operation_definition(op, "1.2.7").unwrap();
            has_operation(&cs, op, c, p).unwrap();
        }
        lists_profile(&cs, listed_profile("CareConnect-GPC-Patient-1").unwrap()).unwrap();
    }

    #[test]
    fn xml_is_recognised_under_each_of_its_names() {
        for yes in [
            "xml",
            "application/fhir+xml",
            "application/fhir+xml;charset=utf-8",
            " Application/FHIR+XML ",
            "application/xml+fhir",
            "text/xml",
        ] {
            assert!(is_xml_format(yes), "{yes}");
        }
        for no in [
            "json",
            "application/fhir+json",
            "application/xhtml+xml",
            "",
            "ttl",
        ] {
            assert!(!is_xml_format(no), "{no}");
        }
        let cs = json!({"resourceType": "CapabilityStatement", "format": ["json", "xml"]});
        declares_xml(&cs).unwrap();
    }

    #[test]
    fn catches_defects() {
        let mut cs = good();
        assert_fails!(version_is(&cs, "1.6.2"), "configured as GP Connect 1.6.2");
        assert_fails!(has_interaction(&cs, "Patient", "create"), "missing");
        assert_fails!(has_interaction(&cs, "Location", "read"), "does not list");
        assert_fails!(
            has_search_param(&cs, "Patient", "identifier", "string"),
            "has type \"token\""
        );
        assert_fails!(
            has_search_include(&cs, "Slot", "Schedule:actor:Location"),
            "\"Schedule:actor:Location\" is missing"
        );
        cs["rest"][0]["security"]["cors"] = json!("true");
        assert_fails!(fixed_elements(&cs), "cors");
        let mut cs = good();
        cs["format"] = json!(["application/fhir+xml"]);
        assert_fails!(fixed_elements(&cs), "application/fhir+json");
        let mut cs = good();
        cs["format"] = json!(["application/fhir+json"]);
        fixed_elements(&cs).unwrap();
        assert_fails!(declares_xml(&cs), "does not offer XML");
        let mut cs = good();
        cs["fhirVersion"] = json!("1.0.2");
        assert_fails!(fixed_elements(&cs), "fhirVersion");
        let mut cs = good();
        cs["software"] = json!({"name": "s"});
        assert_fails!(fixed_elements(&cs), "software.version");
        let mut cs = good();
        cs["rest"][0]["operation"][1]["definition"]["reference"] = json!(format!(
            "{}/_history/1.15",
            operation_definition("gpc.getstructuredrecord", "1.2.7")
                .unwrap()
                .0
        ));
        let (c, p) = operation_definition("gpc.getstructuredrecord", "1.2.7").unwrap();
        assert_fails!(has_operation(&cs, "gpc.getstructuredrecord", c, p), "1.12");
        let (c, p) = operation_definition("gpc.getstructuredrecord", "1.6.2").unwrap();
        has_operation(&cs, "gpc.getstructuredrecord", c, p).unwrap();
        cs["rest"][0]["operation"] = json!([]);
        assert_fails!(
            has_operation(&cs, "gpc.registerpatient", c, p),
            "does not declare \"gpc.registerpatient\""
        );
        cs["profile"] = json!([{"reference": format!("{}/_history/1.8", profiles::PATIENT)}]);
        assert_fails!(lists_profile(&cs, profiles::PATIENT), "unversioned");
        assert!(listed_profile("CareConnect-GPC-Nothing-1").is_none());
        cs["rest"][0]["resource"][2]["updateCreate"] = json!(true);
        assert_fails!(
            resource_flag(&cs, "Appointment", "updateCreate", false),
            "updateCreate is"
        );
    }
}
