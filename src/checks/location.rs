//! CareConnect-GPC-Location-1 as Foundations returns it (Read a location).
//!
//! Read a location: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_location.html>

use serde_json::Value;

use super::organisation::codings_complete;
use super::patient::{address, telecoms};
use super::resource::{
    declares_profile, has_id, has_version_id, identifier_values, identifiers_complete,
    lacks_elements, reference_to,
};
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::gpconnect::systems::{self, profiles};

/// Every rule a returned Location follows.
pub fn conforms(l: &Value) -> CheckResult {
    resource_type_is(l, "Location")?;
    super::patient::no_empty_elements(l, "Location")?;
    has_id(l, None)?;
    has_version_id(l)?;
    declares_profile(l, profiles::LOCATION)?;
    identifiers_complete(l)?;
    let sites = identifier_values(l, systems::ODS_SITE_CODE);
    ensure(sites.len() <= 1, || {
        format!(
            "Location carries {} ODS site codes; at most one",
            sites.len()
        )
    })?;
    ensure(
        l.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.trim().is_empty()),
        || "Location.name is not populated".to_string(),
    )?;
    managing_organisation(l)?;
    lacks_elements(l, systems::LOCATION_FORBIDDEN_ELEMENTS)?;
    telecoms(l, "Location", false)?;
    if let Some(a) = l.get("address") {
        address(a, "Location.address", false)?;
    }
    codings_complete(l.get("type"), "Location.type")?;
    codings_complete(l.get("physicalType"), "Location.physicalType")
}

/// `managingOrganization` is a relative `Organization/<id>` reference (SHALL since 1.2.2); returns the id.
pub fn managing_organisation(l: &Value) -> Result<&str, String> {
    let r = l.get("managingOrganization").ok_or("Location.managingOrganization is not populated; it SHALL reference the managing organisation")?;
    reference_to(r, "Organization", "Location.managingOrganization")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({"resourceType": "Location", "id": "1", "meta": {"versionId": "41", "profile": [profiles::LOCATION]},
            "identifier": [{"system": systems::ODS_SITE_CODE, "value": "Z26556"}], "name": "MAIN SURGERY",
            "telecom": [{"system": "phone", "value": "0300"}], "address": {"use": "work", "line": ["1"]},
            "managingOrganization": {"reference": "Organization/1"}})
    }

    #[test]
    fn good_location_conforms() {
        conforms(&good()).unwrap();
        assert_eq!(managing_organisation(&good()).unwrap(), "1");
    }

    #[test]
    fn catches_defects() {
        let mut l = good();
        l["address"]["line"] = json!([]);
        assert_fails!(conforms(&l), "empty array");
        let mut l = good();
        l["endpoint"] = json!([{"reference": "Endpoint/1"}]);
        assert_fails!(conforms(&l), "endpoint");
        let mut l = good();
        l.as_object_mut().unwrap().remove("managingOrganization");
        assert_fails!(conforms(&l), "managingOrganization");
        assert_fails!(
            managing_organisation(&l),
            "Location.managingOrganization is not populated"
        );
        let mut l = good();
        l["managingOrganization"] = json!({"reference": "Location/1"});
        assert_fails!(conforms(&l), "Organization/<id>");
        let mut l = good();
        l["meta"]["profile"] = json!([profiles::ORGANIZATION]);
        assert_fails!(conforms(&l), "it must list");
        let mut l = good();
        l["physicalType"] = json!({"coding": [{"system": "s"}]});
        assert_fails!(conforms(&l), "code");
        let mut l = good();
        l.as_object_mut().unwrap().remove("name");
        assert_fails!(conforms(&l), "name");
    }
}
