//! Rules every GP Connect resource follows (FHIR implementation: Resource metadata) and element-level helpers.
//!
//! FHIR implementation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_api_guidance.html>

use serde_json::Value;

use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::systems::profiles;

/// `id` is populated (≤ 64 characters) and, when given, equals `expected`.
pub fn has_id(resource: &Value, expected: Option<&str>) -> CheckResult {
    let ty = resource_type(resource);
    let id = resource
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{ty}.id is not populated"))?;
    ensure(!id.is_empty() && id.len() <= 64, || {
        format!("{ty}.id {id:?} must be 1 to 64 characters")
    })?;
    if let Some(e) = expected {
        ensure(id == e, || {
            format!("{ty}.id is {id:?}; the read asked for {e:?}")
        })?;
    }
    Ok(())
}

/// `meta.versionId` is populated.
pub fn has_version_id(resource: &Value) -> CheckResult {
    let ty = resource_type(resource);
    ensure(
        resource
            .at("/meta/versionId")
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty()),
        || format!("{ty}.meta.versionId is not populated"),
    )
}

/// `meta.profile` lists exactly `profile` (GP Connect 1.2.7, Development guidance, "FHIR resource guidance": meta.profile): the one definition of "declares its
/// profile" every check uses. A URL that merely starts with `profile` (`...-Patient-1x`) or carries a
/// `_history` version is not the profile.
pub fn declares_profile(resource: &Value, profile: &str) -> CheckResult {
    let ty = resource_type(resource);
    ensure(profiles::declares(resource, profile), || {
        let declared = profiles::declared(resource);
        format!("{ty}.meta.profile is {declared:?}; it must list {profile}")
    })
}

/// None of `elements` is populated.
pub fn lacks_elements(resource: &Value, elements: &[&str]) -> CheckResult {
    let ty = resource_type(resource);
    for e in elements {
        ensure(resource.get(*e).is_none(), || {
            format!("{ty}.{e} is populated but SHALL NOT be")
        })?;
    }
    Ok(())
}

/// No extension (top level) has one of `urls`.
pub fn lacks_extensions(resource: &Value, urls: &[&str]) -> CheckResult {
    let ty = resource_type(resource);
    for ext in resource
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let url = ext.get("url").and_then(Value::as_str).unwrap_or_default();
        ensure(!urls.contains(&url), || {
            format!("{ty} carries the extension {url} which SHALL NOT be populated")
        })?;
    }
    Ok(())
}

/// The values of identifiers with `system`.
pub fn identifier_values<'a>(resource: &'a Value, system: &str) -> Vec<&'a str> {
    resource
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("system").and_then(Value::as_str) == Some(system))
        .filter_map(|i| i.get("value").and_then(Value::as_str))
        .collect()
}

/// An identifier with `system` and `value` is present.
pub fn has_identifier(resource: &Value, system: &str, value: &str) -> CheckResult {
    let ty = resource_type(resource);
    let values = identifier_values(resource, system);
    ensure(values.contains(&value), || {
        format!("{ty} has no identifier {system}|{value} (found {values:?})")
    })
}

/// Every identifier carries a system and a value.
pub fn identifiers_complete(resource: &Value) -> CheckResult {
    let ty = resource_type(resource);
    for (i, id) in resource
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        ensure(id.get("system").and_then(Value::as_str).is_some(), || {
            format!("{ty}.identifier[{i}].system is missing")
        })?;
        ensure(id.get("value").and_then(Value::as_str).is_some(), || {
            format!("{ty}.identifier[{i}].value is missing")
        })?;
    }
    Ok(())
}

/// A relative reference `Type/id` in `reference`, checked for the target type.
pub fn reference_to<'a>(
    reference: &'a Value,
    target_type: &str,
    path: &str,
) -> Result<&'a str, String> {
    let r = reference
        .get("reference")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{path}.reference is missing"))?;
    let (ty, id) = r
        .split_once('/')
        .ok_or_else(|| format!("{path}.reference {r:?} is not of the form {target_type}/<id>"))?;
    ensure(
        ty == target_type && !id.is_empty() && !id.contains('/'),
        || format!("{path}.reference {r:?} must be a relative reference {target_type}/<id>"),
    )?;
    Ok(id)
}

/// The resource type, for messages.
pub fn resource_type(resource: &Value) -> &str {
    resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("resource")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patient() -> Value {
        json!({"resourceType": "Patient", "id": "2", "meta": {"versionId": "1", "profile": [profiles::PATIENT]},
            "identifier": [{"system": "s", "value": "v"}], "maritalStatus": {}, "extension": [{"url": "bad"}],
            "managingOrganization": {"reference": "Organization/7"}})
    }

    #[test]
    fn resource_rules_catch_defects() {
        let p = patient();
        has_id(&p, Some("2")).unwrap();
        assert_fails!(has_id(&p, Some("3")), "the read asked for \"3\"");
        assert_fails!(
            has_id(&json!({"resourceType": "Patient"}), None),
            "Patient.id is not populated"
        );
        assert_fails!(
            has_id(&json!({"id": "x".repeat(65)}), None),
            "1 to 64 characters"
        );
        has_version_id(&p).unwrap();
        assert_fails!(
            has_version_id(&json!({"resourceType": "Patient", "meta": {}})),
            "Patient.meta.versionId"
        );
        assert_fails!(
            lacks_elements(&p, &["maritalStatus"]),
            "Patient.maritalStatus is populated"
        );
        lacks_elements(&p, &["birthPlace"]).unwrap();
        assert_fails!(lacks_extensions(&p, &["bad"]), "extension bad");
        lacks_extensions(&p, &["good"]).unwrap();
        has_identifier(&p, "s", "v").unwrap();
        assert_fails!(has_identifier(&p, "s", "w"), "no identifier s|w");
        identifiers_complete(&p).unwrap();
        assert_fails!(
            identifiers_complete(&json!({"identifier": [{"system": "s"}]})),
            "identifier[0].value"
        );
        assert_fails!(
            identifiers_complete(&json!({"identifier": [{"value": "v"}]})),
            "identifier[0].system"
        );
        assert_eq!(
            reference_to(
                &p["managingOrganization"],
                "Organization",
                "Patient.managingOrganization"
            )
            .unwrap(),
            "7"
        );
        assert_fails!(
            reference_to(&p["managingOrganization"], "Location", "x"),
            "Location/<id>"
        );
        assert_fails!(
            reference_to(
                &json!({"reference": "http://a/Organization/7"}),
                "Organization",
                "x"
            ),
            "relative reference"
        );
        assert_fails!(
            reference_to(&json!({}), "Organization", "x"),
            "x.reference is missing"
        );
    }

    #[test]
    fn a_profile_is_declared_only_by_its_exact_url() {
        let mut p = patient();
        declares_profile(&p, profiles::PATIENT).unwrap();
        assert_fails!(declares_profile(&p, profiles::ORGANIZATION), "it must list");
        p["meta"]["profile"] = json!([format!("{}x", profiles::PATIENT)]);
        assert_fails!(
            declares_profile(&p, profiles::PATIENT),
            "CareConnect-GPC-Patient-1x"
        );
        p["meta"]["profile"] = json!([format!("{}/_history/1.8", profiles::PATIENT)]);
        assert_fails!(declares_profile(&p, profiles::PATIENT), "_history/1.8");
        p["meta"] = json!({"versionId": "1"});
        assert_fails!(
            declares_profile(&p, profiles::PATIENT),
            "Patient.meta.profile is []"
        );
    }
}
