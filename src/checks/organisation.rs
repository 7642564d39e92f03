//! CareConnect-GPC-Organization-1 as Foundations returns it (Find an organisation; Read an organisation).
//!
//! Find an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_an_organisation.html>
//! Read an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_an_organisation.html>

use serde_json::Value;

use super::patient::{addresses, telecoms};
use super::resource::{
    declares_profile, has_id, has_version_id, identifier_values, identifiers_complete,
    lacks_elements,
};
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::gpconnect::systems::{self, profiles};

/// Every rule a returned Organization follows; `ods_code` is the ODS code it must carry, when known.
pub fn conforms(o: &Value, ods_code: Option<&str>) -> CheckResult {
    resource_type_is(o, "Organization")?;
    super::patient::no_empty_elements(o, "Organization")?;
    has_id(o, None)?;
    has_version_id(o)?;
    declares_profile(o, profiles::ORGANIZATION)?;
    ods_identifier(o, ods_code)?;
    ensure(
        o.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.trim().is_empty()),
        || "Organization.name is not populated".to_string(),
    )?;
    lacks_elements(o, systems::ORGANIZATION_FORBIDDEN_ELEMENTS)?;
    telecoms(o, "Organization", false)?;
    addresses(o, "Organization", false)?;
    codings_complete(o.get("type"), "Organization.type")
}

/// At most one ODS organisation code (profile slice `odsOrganisationCode` ≤ 1, system fixed); exactly one
/// equal to `expected` when given (it is how the organisation was found).
pub fn ods_identifier(o: &Value, expected: Option<&str>) -> CheckResult {
    identifiers_complete(o)?;
    let codes = identifier_values(o, systems::ODS_ORGANIZATION_CODE);
    ensure(codes.len() <= 1, || {
        format!(
            "Organization carries {} ODS organisation codes; at most one",
            codes.len()
        )
    })?;
    if let Some(e) = expected {
        ensure(codes.first() == Some(&e), || {
            format!("Organization ODS code is {codes:?}; expected {e:?}")
        })?;
    }
    Ok(())
}

/// Every coding of a CodeableConcept (or list of them) has a system and a code.
pub fn codings_complete(concept: Option<&Value>, path: &str) -> CheckResult {
    let concepts: Vec<&Value> = match concept {
        None => return Ok(()),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(c) => vec![c],
    };
    for c in concepts {
        for (i, coding) in c
            .get("coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for part in ["system", "code"] {
                ensure(
                    coding
                        .get(part)
                        .and_then(Value::as_str)
                        .is_some_and(|v| !v.is_empty()),
                    || format!("{path}.coding[{i}].{part} is not populated"),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({"resourceType": "Organization", "id": "1", "meta": {"versionId": "31", "profile": [profiles::ORGANIZATION]},
            "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": "B82617"}], "name": "PRACTICE",
            "telecom": [{"system": "phone", "value": "0300"}], "address": [{"use": "work", "line": ["1"]}]})
    }

    #[test]
    fn good_organisation_conforms() {
        conforms(&good(), Some("B82617")).unwrap();
    }

    #[test]
    fn catches_defects() {
        let mut o = good();
        o["telecom"][0]["use"] = json!("");
        assert_fails!(conforms(&o, None), "empty string");
        assert_fails!(conforms(&good(), Some("R1A14")), "expected");
        let mut o = good();
        o["contact"] = json!([{"name": {"family": "X"}}]);
        assert_fails!(conforms(&o, None), "contact");
        let mut o = good();
        o["endpoint"] = json!([{"reference": "Endpoint/1"}]);
        assert_fails!(conforms(&o, None), "Organization.endpoint is populated");
        let mut o = good();
        o["identifier"]
            .as_array_mut()
            .unwrap()
            .push(json!({"system": systems::ODS_ORGANIZATION_CODE, "value": "X"}));
        assert_fails!(ods_identifier(&o, None), "at most one");
        let mut o = good();
        o.as_object_mut().unwrap().remove("name");
        assert_fails!(conforms(&o, None), "name");
        let mut o = good();
        o["telecom"][0] = json!({"value": "1"});
        assert_fails!(
            conforms(&o, None),
            "Organization.telecom[0].system is not populated"
        );
        let mut o = good();
        o["type"] = json!({"coding": [{"code": "gp-practice"}]});
        assert_fails!(conforms(&o, None), "system");
        codings_complete(None, "X").unwrap();
        codings_complete(
            Some(&json!([{"coding": [{"system": "s", "code": "c"}]}])),
            "X",
        )
        .unwrap();
        assert_fails!(
            codings_complete(
                Some(&json!([{"coding": [{"system": "s", "code": ""}]}])),
                "X.type"
            ),
            "X.type.coding[0].code is not populated"
        );
    }
}
