//! CareConnect-GPC-Practitioner-1 as Foundations returns it (Find a practitioner; Read a practitioner).
//!
//! Find a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_practitioner.html>
//! Read a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_practitioner.html>

use serde_json::Value;

use super::patient::{nhs_communication, GENDERS};
use super::resource::{
    declares_profile, has_id, has_version_id, identifier_values, identifiers_complete,
    lacks_elements,
};
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::gpconnect::systems::{self, profiles};

/// Every rule a returned Practitioner follows. `sds_user_id` is the SDS user id it must carry;
/// `role_profiles` the number of SDS role profile ids the test data gives it; `family_required` is false
/// from 1.6.2, where `name.family` became optional (profile 1.3).
pub fn conforms(
    p: &Value,
    sds_user_id: Option<&str>,
    role_profiles: Option<usize>,
    family_required: bool,
) -> CheckResult {
    resource_type_is(p, "Practitioner")?;
    super::patient::no_empty_elements(p, "Practitioner")?;
    has_id(p, None)?;
    has_version_id(p)?;
    declares_profile(p, profiles::PRACTITIONER)?;
    identifiers(p, sds_user_id, role_profiles)?;
    name(p, family_required)?;
    gender(p)?;
    // telecom, address, birthDate, photo, qualification SHALL NOT; the profile also removes communication.
    lacks_elements(p, systems::PRACTITIONER_FORBIDDEN_ELEMENTS)?;
    nhs_communication(p)
}

/// Exactly one SDS user id (profile slice `sdsUserID` ≤ 1; it is how the practitioner was found), equal
/// to `expected`; every identifier complete; `role_profiles` SDS role profile ids when given.
pub fn identifiers(p: &Value, expected: Option<&str>, role_profiles: Option<usize>) -> CheckResult {
    identifiers_complete(p)?;
    let users = identifier_values(p, systems::SDS_USER_ID);
    ensure(users.len() == 1, || {
        format!(
            "Practitioner must carry exactly one {} identifier, found {}",
            systems::SDS_USER_ID,
            users.len()
        )
    })?;
    if let Some(e) = expected {
        ensure(users[0] == e, || {
            format!(
                "Practitioner SDS user id is {:?}; the request was for {e:?}",
                users[0]
            )
        })?;
    }
    let roles = identifier_values(p, systems::SDS_ROLE_PROFILE_ID);
    ensure(roles.iter().all(|r| !r.trim().is_empty()), || {
        "an SDS role profile identifier has an empty value".to_string()
    })?;
    if let Some(n) = role_profiles {
        ensure(roles.len() == n, || {
            format!(
                "Practitioner carries {} SDS role profile ids; the test data gives it {n}",
                roles.len()
            )
        })?;
    }
    Ok(())
}

/// Exactly one name (profile 1..1), with a family name where the version requires it.
pub fn name(p: &Value, family_required: bool) -> CheckResult {
    let names = p
        .get("name")
        .and_then(Value::as_array)
        .ok_or("Practitioner.name is not populated")?;
    ensure(names.len() == 1, || {
        format!(
            "Practitioner must have exactly one name, found {}",
            names.len()
        )
    })?;
    if family_required {
        ensure(
            names[0]
                .get("family")
                .and_then(Value::as_str)
                .is_some_and(|f| !f.trim().is_empty()),
            || {
                "Practitioner.name.family is not populated (required before GP Connect 1.6.2)"
                    .to_string()
            },
        )?;
    }
    Ok(())
}

/// `gender`, where present, is an administrative gender.
pub fn gender(p: &Value) -> CheckResult {
    match p.get("gender").and_then(Value::as_str) {
        None => ensure(p.get("gender").is_none(), || {
            "Practitioner.gender is not a string".to_string()
        }),
        Some(g) => ensure(GENDERS.contains(&g), || {
            format!("Practitioner.gender {g:?} is not one of {GENDERS:?}")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({"resourceType": "Practitioner", "id": "2", "meta": {"versionId": "22", "profile": [profiles::PRACTITIONER]},
            "identifier": [{"system": systems::SDS_USER_ID, "value": "G11111116"}, {"system": systems::SDS_ROLE_PROFILE_ID, "value": "1122"}],
            "name": [{"family": "SLATER", "given": ["Kenneth"]}], "gender": "male"})
    }

    #[test]
    fn good_practitioner_conforms() {
        conforms(&good(), Some("G11111116"), Some(1), true).unwrap();
    }

    #[test]
    fn catches_defects() {
        let mut p = good();
        p["name"][0]["prefix"] = json!([]);
        assert_fails!(conforms(&p, None, None, true), "empty array");
        let mut p = good();
        assert_fails!(
            conforms(&p, Some("G13579135"), None, true),
            "request was for"
        );
        assert_fails!(conforms(&p, None, Some(2), true), "role profile");
        p["telecom"] = json!([{"system": "phone", "value": "1"}]);
        assert_fails!(conforms(&p, None, None, true), "telecom");
        let mut p = good();
        p["name"][0]["family"] = json!("");
        assert_fails!(name(&p, true), "Practitioner.name.family is not populated");
        name(&p, false).unwrap();
        p["name"] = json!([{"family": "A"}, {"family": "B"}]);
        assert_fails!(name(&p, false), "exactly one");
        let mut p = good();
        p["identifier"] = json!([{"system": systems::SDS_USER_ID, "value": "a"}, {"system": systems::SDS_USER_ID, "value": "b"}]);
        assert_fails!(identifiers(&p, None, None), "exactly one");
        let mut p = good();
        p["gender"] = json!("M");
        assert_fails!(gender(&p), "Practitioner.gender \"M\"");
        let mut p = good();
        p["meta"]["profile"] = json!([profiles::PATIENT]);
        assert_fails!(
            conforms(&p, None, None, true),
            "CareConnect-GPC-Practitioner-1"
        );
        let mut p = good();
        p["qualification"] = json!([{"code": {"text": "MB"}}]);
        assert_fails!(conforms(&p, None, None, true), "qualification");
    }
}
