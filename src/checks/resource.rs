//! Rules every GP Connect resource follows (FHIR implementation: Resource metadata) and element-level helpers.
//!
//! FHIR implementation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_api_guidance.html>

use serde_json::Value;

use super::{ensure, CheckResult};

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
            .pointer("/meta/versionId")
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty()),
        || format!("{ty}.meta.versionId is not populated"),
    )
}

/// `meta.profile` names `profile` (with or without a `_history/` version).
pub fn declares_profile(resource: &Value, profile: &str) -> CheckResult {
    let ty = resource_type(resource);
    let declared: Vec<&str> = resource
        .pointer("/meta/profile")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    ensure(
        declared
            .iter()
            .any(|p| p.split("/_history/").next() == Some(profile)),
        || format!("{ty}.meta.profile is {declared:?}; it must name {profile}"),
    )
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

    #[test]
    fn resource_rules_catch_defects() {
        let p = json!({"resourceType": "Patient", "id": "2", "meta": {"versionId": "1", "profile": ["https://x/P-1/_history/1.8"]},
            "identifier": [{"system": "s", "value": "v"}], "maritalStatus": {}, "extension": [{"url": "bad"}],
            "managingOrganization": {"reference": "Organization/7"}});
        has_id(&p, Some("2")).unwrap();
        assert!(has_id(&p, Some("3")).is_err());
        assert!(has_id(&json!({"resourceType": "Patient"}), None).is_err());
        has_version_id(&p).unwrap();
        assert!(has_version_id(&json!({"meta": {}})).is_err());
        declares_profile(&p, "https://x/P-1").unwrap();
        assert!(declares_profile(&p, "https://x/Q-1").is_err());
        assert!(lacks_elements(&p, &["maritalStatus"]).is_err());
        lacks_elements(&p, &["birthPlace"]).unwrap();
        assert!(lacks_extensions(&p, &["bad"]).is_err());
        has_identifier(&p, "s", "v").unwrap();
        assert!(has_identifier(&p, "s", "w").is_err());
        identifiers_complete(&p).unwrap();
        assert!(identifiers_complete(&json!({"identifier": [{"system": "s"}]})).is_err());
        assert_eq!(
            reference_to(
                &p["managingOrganization"],
                "Organization",
                "Patient.managingOrganization"
            )
            .unwrap(),
            "7"
        );
        assert!(reference_to(&p["managingOrganization"], "Location", "x").is_err());
        assert!(reference_to(
            &json!({"reference": "http://a/Organization/7"}),
            "Organization",
            "x"
        )
        .is_err());
    }
}
