//! The Register-a-patient response (Register a patient: response): a GPConnect-Searchset-Bundle-1 holding exactly
//! the registered Patient, which echoes what was sent and is registered as temporary.
//!
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>

use serde_json::Value;

use super::bundle::{entries, is_searchset};
use super::patient;
use super::resource::declares_profile;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::systems::{profiles, registration_type};

/// The Bundle: searchset, `meta.profile` GPConnect-Searchset-Bundle-1, exactly one entry, and none of
/// what the profile removes (`total`, `link`, `signature`, `entry.search/request/response`).
pub fn response_bundle(bundle: &Value) -> CheckResult {
    is_searchset(bundle)?;
    declares_profile(bundle, profiles::SEARCHSET_BUNDLE)?;
    for element in ["total", "link", "signature"] {
        ensure(bundle.get(element).is_none(), || {
            format!("Bundle.{element} is populated; GPConnect-Searchset-Bundle-1 removes it")
        })?;
    }
    let list = bundle
        .get("entry")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ensure(list.len() == 1, || {
        format!(
            "the register response must hold exactly the registered Patient, found {} entries",
            list.len()
        )
    })?;
    for part in ["search", "request", "response"] {
        ensure(list[0].get(part).is_none(), || {
            format!("Bundle.entry.{part} is populated; GPConnect-Searchset-Bundle-1 removes it")
        })?;
    }
    Ok(())
}

/// The registered Patient of a response bundle.
pub fn registered_patient(bundle: &Value) -> Result<&Value, String> {
    entries(bundle)
        .into_iter()
        .next()
        .ok_or_else(|| "the register response holds no Patient".to_string())
}

/// The registered Patient carries what was sent: the NHS number, the birth date, the gender when sent,
/// one official name with the same family name (case-insensitively: the provider may take PDS's form)
/// and every given name sent, each telecom value and address line sent, and the language of an
/// nhsCommunication sent.
pub fn echoes(registered: &Value, sent: &Value) -> CheckResult {
    let nhs =
        patient::nhs_number_of(sent).ok_or("the Patient sent has no NHS number to compare")?;
    patient::nhs_number_identifier(registered, Some(nhs))?;
    let same = |element: &str| registered.get(element) == sent.get(element);
    ensure(same("birthDate"), || {
        format!(
            "registered birthDate is {}; sent {}",
            show(registered.get("birthDate")),
            show(sent.get("birthDate"))
        )
    })?;
    if sent.get("gender").is_some() {
        ensure(same("gender"), || {
            format!(
                "registered gender is {}; sent {}",
                show(registered.get("gender")),
                show(sent.get("gender"))
            )
        })?;
    }
    let got = patient::official_name(registered)?;
    let want = sent
        .get("name")
        .and_then(|n| n.get(0))
        .ok_or("the Patient sent has no name")?;
    let family = |n: &Value| {
        n.get("family")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_lowercase()
    };
    ensure(family(got) == family(want), || {
        format!(
            "registered family name is {:?}; sent {:?}",
            family(got),
            family(want)
        )
    })?;
    let given = |n: &Value| -> Vec<String> {
        n.get("given")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect()
    };
    let got_given = given(got);
    for g in given(want) {
        ensure(got_given.contains(&g), || {
            format!(
                "the given name {g:?} sent is not in the registered official name {got_given:?}"
            )
        })?;
    }
    let values = |p: &Value, element: &str, key: &str| -> Vec<String> {
        p.get(element)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.get(key))
            .map(Value::to_string)
            .collect()
    };
    for t in values(sent, "telecom", "value") {
        ensure(values(registered, "telecom", "value").contains(&t), || {
            format!("the telecom {t} sent is not on the registered Patient")
        })?;
    }
    for a in values(sent, "address", "line") {
        ensure(values(registered, "address", "line").contains(&a), || {
            format!("the address {a} sent is not on the registered Patient")
        })?;
    }
    let language = |p: &Value| -> Vec<String> {
        p.get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|e| {
                e.get("extension")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .filter(|s| s.get("url").and_then(Value::as_str) == Some("language"))
            .filter_map(|s| {
                s.at("/valueCodeableConcept/coding/0/code")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect()
    };
    for l in language(sent) {
        ensure(language(registered).contains(&l), || {
            format!("the nhsCommunication language {l:?} sent is not on the registered Patient")
        })?;
    }
    Ok(())
}

fn show(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_else(|| "absent".into())
}

/// The registration is temporary (`T`; the provider MUST NOT register as Regular/GMS), has a
/// registration period start, and `active`, where populated, is true.
pub fn is_temporary_registration(registered: &Value) -> CheckResult {
    patient::has_registration_details(registered)?;
    let ty = patient::registration_type(registered).ok_or("the registered Patient's registration details have no registrationType in CareConnect-RegistrationType-1")?;
    ensure(ty == registration_type::TEMPORARY.0, || {
        format!("the registration type is {ty:?}; a registration through GP Connect must be temporary ({:?})", registration_type::TEMPORARY.0)
    })?;
    let start = registered
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e.get("extension")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find(|s| s.get("url").and_then(Value::as_str) == Some("registrationPeriod"))
        .and_then(|s| s.at("/valuePeriod/start"));
    ensure(start.is_some(), || {
        "the registered Patient's registrationPeriod.start is not populated".to_string()
    })?;
    match registered.get("active") {
        None => Ok(()),
        Some(a) => ensure(a == &Value::Bool(true), || {
            format!("the registered Patient has active {a}; it must be true")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::patient::tests::good as good_patient;
    use crate::gpconnect::systems;
    use serde_json::json;

    fn registered() -> Value {
        let mut p = good_patient();
        p["extension"][0]["extension"][1]["valueCodeableConcept"]["coding"][0]["code"] = json!("T");
        p["active"] = json!(true);
        p
    }

    fn sent() -> Value {
        json!({"resourceType": "Patient", "identifier": [{"system": systems::NHS_NUMBER, "value": "9476719931"}],
            "name": [{"use": "official", "family": "Jackson", "given": ["Jane"]}], "gender": "female", "birthDate": "1952-05-31",
            "telecom": [{"system": "phone", "value": "0113", "use": "home"}]})
    }

    fn bundle(p: Value) -> Value {
        json!({"resourceType": "Bundle", "meta": {"profile": [profiles::SEARCHSET_BUNDLE]}, "type": "searchset", "entry": [{"resource": p}]})
    }

    #[test]
    fn good_registration_passes() {
        let b = bundle(registered());
        response_bundle(&b).unwrap();
        let p = registered_patient(&b).unwrap();
        echoes(p, &sent()).unwrap();
        is_temporary_registration(p).unwrap();
    }

    #[test]
    fn catches_defects() {
        let mut b = bundle(registered());
        b["meta"] = json!({});
        assert_fails!(response_bundle(&b), "Bundle.meta.profile is []");
        let mut b = bundle(registered());
        b["total"] = json!(1);
        assert_fails!(response_bundle(&b), "total");
        let mut b = bundle(registered());
        b["entry"]
            .as_array_mut()
            .unwrap()
            .push(json!({"resource": registered()}));
        assert_fails!(response_bundle(&b), "exactly");
        let mut s = sent();
        s["birthDate"] = json!("1952-05-30");
        assert_fails!(echoes(&registered(), &s), "birthDate");
        let mut s = sent();
        s["name"][0]["given"] = json!(["Jane", "Ann"]);
        assert_fails!(echoes(&registered(), &s), "ann");
        let mut s = sent();
        s["telecom"][0]["value"] = json!("0999");
        assert_fails!(echoes(&registered(), &s), "telecom");
        let mut s = sent();
        s["gender"] = json!("male");
        assert_fails!(
            echoes(&registered(), &s),
            "registered gender is \"female\"; sent \"male\""
        );
        assert_fails!(
            registered_patient(
                &json!({"resourceType": "Bundle", "type": "searchset", "entry": []})
            ),
            "holds no Patient"
        );
        assert_fails!(is_temporary_registration(&good_patient()), "temporary");
        let mut p = registered();
        p["active"] = json!(false);
        assert_fails!(is_temporary_registration(&p), "active");
    }
}
