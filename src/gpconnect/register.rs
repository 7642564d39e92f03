//! The `$gpc.registerpatient` request body (Register a patient: request body): a valid `Parameters` for a person on
//! PDS, and the named changes scenarios make to it, one rule broken (or one optional element added) each.
//!
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::systems::{self, profiles};
use crate::fhir::Pointer as _;

/// A person known to PDS, with the demographics a registration must carry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PdsPerson {
    pub nhs_number: String,
    pub family: String,
    pub given: String,
    /// FHIR administrative gender: male, female, other, unknown.
    pub gender: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
}

/// The operation's only input parameter.
pub const PARAM_REGISTER_PATIENT: &str = "registerPatient";

/// A valid body for `person`: `meta.profile`, the NHS number, one official name, gender and birth date
/// (the SHALL minimum for a PDS trace plus the SHOULD gender), nothing else.
pub fn valid_body(person: &PdsPerson) -> Value {
    let patient = json!({
        "resourceType": "Patient",
        "meta": {"profile": [profiles::PATIENT]},
        "identifier": [{"system": systems::NHS_NUMBER, "value": person.nhs_number}],
        "name": [{"use": "official", "family": person.family, "given": [person.given]}],
        "gender": person.gender,
        "birthDate": person.birth_date,
    });
    json!({"resourceType": "Parameters", "parameter": [{"name": PARAM_REGISTER_PATIENT, "resource": patient}]})
}

/// A body for the demographics of a Patient the provider returned (family, given, gender, birth date,
/// NHS number), as a consumer re-sending what it found would build it.
pub fn body_from_patient(nhs_number: &str, found: &Value) -> Value {
    let official = found
        .get("name")
        .and_then(Value::as_array)
        .and_then(|n| {
            n.iter()
                .find(|x| x.get("use").and_then(Value::as_str) == Some("official"))
        })
        .cloned()
        .unwrap_or_else(|| json!({}));
    let person = PdsPerson {
        nhs_number: nhs_number.to_string(),
        family: official
            .get("family")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        given: official
            .at("/given/0")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        gender: found
            .get("gender")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
        birth_date: found
            .get("birthDate")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    };
    valid_body(&person)
}

/// The Patient inside a register body (the first `registerPatient` parameter's resource).
pub fn patient(body: &Value) -> Option<&Value> {
    body.get("parameter")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(PARAM_REGISTER_PATIENT))?
        .get("resource")
}

fn patient_mut(body: &mut Value) -> Result<&mut Value, String> {
    body.pointer_mut("/parameter/0/resource")
        .ok_or_else(|| "the register body has no registerPatient resource to change".to_string())
}

/// A telecom of the register rules: `home`, `work`, `mobile`, `temp` phones, or `email`.
fn telecom(kind: &str, n: usize) -> Result<Value, String> {
    match kind {
        "home" | "work" | "mobile" | "temp" => {
            Ok(json!({"system": "phone", "value": format!("0113 496 09{n:02}"), "use": kind}))
        }
        "email" => Ok(
            json!({"system": "email", "value": format!("person{n}@example.nhs.uk"), "use": "home"}),
        ),
        _ => Err(format!(
            "unknown telecom kind {kind:?}; use home, work, mobile, temp or email"
        )),
    }
}

/// An address with `use` (or none).
fn address(use_: Option<&str>, n: usize) -> Value {
    let mut a = json!({"type": "physical", "line": [format!("{n} Register Road"), "Shadwell"], "city": "Leeds", "district": "West Yorkshire", "postalCode": "LS18 1AE"});
    if let Some(u) = use_ {
        a["use"] = json!(u);
    }
    a
}

fn nhs_communication(code: &str, display: &str) -> Value {
    json!({"url": systems::EXT_NHS_COMMUNICATION, "extension": [
        {"url": "language", "valueCodeableConcept": {"coding": [{"system": systems::CS_HUMAN_LANGUAGE, "code": code, "display": display}]}},
        {"url": "interpreterRequired", "valueBoolean": true},
    ]})
}

/// A value for a Patient element the register rules forbid ("all other fields MUST NOT be populated").
fn forbidden_element_value(element: &str) -> Result<Value, String> {
    Ok(match element {
        "active" => json!(true),
        "multipleBirthBoolean" => json!(false),
        "multipleBirthInteger" => json!(1),
        "deceasedBoolean" => json!(false),
        "generalPractitioner" => json!([{"reference": "Practitioner/1"}]),
        "managingOrganization" => json!({"reference": "Organization/1"}),
        "contact" => {
            json!([{"relationship": [{"text": "Next of kin"}], "name": {"family": "SMITH"}}])
        }
        "maritalStatus" => json!({"text": "Married"}),
        "animal" => json!({"species": {"text": "Dog"}}),
        "communication" => json!([{"language": {"text": "English"}}]),
        "photo" => json!([{"contentType": "image/png", "url": "https://example.org/photo.png"}]),
        "link" => json!([{"other": {"reference": "Patient/1"}, "type": "seealso"}]),
        "text" => {
            json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"})
        }
        _ => {
            return Err(format!(
                "no sample value for the Patient element {element:?}"
            ))
        }
    })
}

/// Apply a named change to a register body. The names are the phrases the features use:
///
/// - `no identifier`, `no birthDate`, `no gender`, `no official name`, `no family name`
/// - `the NHS number <value>`, `the family name <value>`, `<n> extra given names`
/// - `an identifier without a system`, `the NHS number verification extension`
/// - `the element <name>` (a forbidden Patient element), `an unknown element`
/// - `an address with use <use>`, `addresses with uses <a> and <b>`, `two addresses without a use`
/// - `telecoms with uses <a> and <b>`, `a telecom with use <a>` (home, work, mobile, temp, email)
/// - `an nhsCommunication extension`, `two nhsCommunication extensions`
/// - `meta.profile of a Practitioner`, `no meta.profile`
/// - `the registerPatient parameter twice`, `no registerPatient parameter`, `an extra parameter <name>`
/// - `an Organization in the registerPatient parameter`, `the resourceType <type>`,
///   `the Patient resourceType <type>`
pub fn apply_change(body: &mut Value, change: &str) -> Result<(), String> {
    let change = change.trim();
    let words: Vec<&str> = change.split_whitespace().collect();
    let patient = patient_mut;
    let remove = |b: &mut Value, element: &str| -> Result<(), String> {
        patient_mut(b)?.as_object_mut().map(|o| o.remove(element));
        Ok(())
    };
    match words.as_slice() {
        ["no", "identifier"] => remove(body, "identifier"),
        ["no", "birthDate"] => remove(body, "birthDate"),
        ["no", "gender"] => remove(body, "gender"),
        ["no", "meta.profile"] => remove(body, "meta"),
        ["no", "official", "name"] => {
            patient(body)?["name"][0]["use"] = json!("usual");
            Ok(())
        }
        ["no", "family", "name"] => {
            patient(body)?["name"][0].as_object_mut().map(|n| n.remove("family"));
            Ok(())
        }
        ["the", "NHS", "number", value] => {
            patient(body)?["identifier"][0]["value"] = json!(value);
            Ok(())
        }
        ["the", "NHS", "number", "verification", "extension"] => {
            patient(body)?["identifier"][0]["extension"] = json!([{"url": systems::EXT_NHS_NUMBER_VERIFICATION,
                "valueCodeableConcept": {"coding": [{"system": systems::CS_NHS_NUMBER_VERIFICATION,
                    "code": systems::NHS_NUMBER_VERIFIED.0, "display": systems::NHS_NUMBER_VERIFIED.1}]}}]);
            Ok(())
        }
        ["the", "family", "name", value @ ..] if !value.is_empty() => {
            patient(body)?["name"][0]["family"] = json!(value.join(" "));
            Ok(())
        }
        [n, "extra", "given", "names"] | [n, "extra", "given", "name"] => {
            let n: usize = n.parse().map_err(|_| format!("{n:?} is not a number of given names"))?;
            let given = patient(body)?["name"][0]["given"].as_array_mut().ok_or("the official name has no given names")?;
            given.extend((0..n).map(|i| json!(["Alex", "Sam", "Jo", "Kit", "Lee", "Max"][i % 6])));
            Ok(())
        }
        ["an", "identifier", "without", "a", "system"] => {
            patient(body)?["identifier"].as_array_mut().ok_or("no identifier list")?.push(json!({"value": "GPC-LOCAL-1234"}));
            Ok(())
        }
        ["the", "element", element] => {
            let v = forbidden_element_value(element)?;
            patient(body)?[*element] = v;
            Ok(())
        }
        ["an", "unknown", "element"] => {
            patient(body)?["notAnElement"] = json!("not a FHIR element");
            Ok(())
        }
        ["an", "address", "with", "use", u] => {
            patient(body)?["address"] = json!([address(Some(u), 1)]);
            Ok(())
        }
        ["addresses", "with", "uses", a, "and", b] => {
            patient(body)?["address"] = json!([address(Some(a), 1), address(Some(b), 2)]);
            Ok(())
        }
        ["two", "addresses", "without", "a", "use"] => {
            patient(body)?["address"] = json!([address(None, 1), address(None, 2)]);
            Ok(())
        }
        ["a", "telecom", "with", "use", a] => {
            patient(body)?["telecom"] = json!([telecom(a, 1)?]);
            Ok(())
        }
        ["telecoms", "with", "uses", a, "and", b] => {
            patient(body)?["telecom"] = json!([telecom(a, 1)?, telecom(b, 2)?]);
            Ok(())
        }
        ["an", "nhsCommunication", "extension"] => {
            patient(body)?["extension"] = json!([nhs_communication("bn", "Bengali")]);
            Ok(())
        }
        ["two", "nhsCommunication", "extensions"] => {
            patient(body)?["extension"] = json!([nhs_communication("bn", "Bengali"), nhs_communication("fr", "French")]);
            Ok(())
        }
        ["meta.profile", "of", "a", "Practitioner"] => {
            patient(body)?["meta"] = json!({"profile": [profiles::PRACTITIONER]});
            Ok(())
        }
        ["the", "registerPatient", "parameter", "twice"] => {
            let p = body["parameter"][0].clone();
            body["parameter"].as_array_mut().ok_or("no parameter list")?.push(p);
            Ok(())
        }
        ["no", "registerPatient", "parameter"] => {
            body["parameter"] = json!([]);
            Ok(())
        }
        ["an", "extra", "parameter", name] => {
            body["parameter"].as_array_mut().ok_or("no parameter list")?.push(json!({"name": name, "valueString": "x"}));
            Ok(())
        }
        ["an", "Organization", "in", "the", "registerPatient", "parameter"] => {
            body["parameter"][0]["resource"] = json!({"resourceType": "Organization", "meta": {"profile": [profiles::ORGANIZATION]},
                "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": "B82617"}], "name": "NOT A PATIENT"});
            Ok(())
        }
        ["the", "resourceType", ty] => {
            body["resourceType"] = json!(ty);
            Ok(())
        }
        ["the", "Patient", "resourceType", ty] => {
            patient(body)?["resourceType"] = json!(ty);
            Ok(())
        }
        _ => Err(format!("unknown change to a register body: {change:?} (see gpconnect::register::apply_change for the phrases)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpconnect::nhs_number;

    fn person() -> PdsPerson {
        PdsPerson {
            nhs_number: "9651258500".into(),
            family: "REA".into(),
            given: "Clive".into(),
            gender: "male".into(),
            birth_date: "1951-03-10".into(),
        }
    }

    #[test]
    fn valid_body_has_the_minimum() {
        let b = valid_body(&person());
        let p = patient(&b).unwrap();
        assert_eq!(p["identifier"][0]["value"], "9651258500");
        assert!(nhs_number::is_valid("9651258500"));
        assert_eq!(p["name"][0]["use"], "official");
        assert_eq!(p["meta"]["profile"][0], profiles::PATIENT);
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "resourceType",
                "meta",
                "identifier",
                "name",
                "gender",
                "birthDate"
            ]
        );
    }

    #[test]
    fn changes_break_one_rule_each() {
        let base = valid_body(&person());
        let changed = |c: &str| {
            let mut b = base.clone();
            apply_change(&mut b, c).unwrap();
            b
        };
        assert!(patient(&changed("no birthDate"))
            .unwrap()
            .get("birthDate")
            .is_none());
        assert_eq!(
            patient(&changed("no official name")).unwrap()["name"][0]["use"],
            "usual"
        );
        assert_eq!(
            patient(&changed("the NHS number 1234567890")).unwrap()["identifier"][0]["value"],
            "1234567890"
        );
        assert_eq!(
            patient(&changed("the family name SMITH JONES")).unwrap()["name"][0]["family"],
            "SMITH JONES"
        );
        assert_eq!(
            patient(&changed("2 extra given names")).unwrap()["name"][0]["given"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            patient(&changed("the element maritalStatus")).unwrap()["maritalStatus"]["text"],
            "Married"
        );
        assert_eq!(
            patient(&changed("addresses with uses home and temp")).unwrap()["address"][1]["use"],
            "temp"
        );
        assert_eq!(
            patient(&changed("telecoms with uses email and home")).unwrap()["telecom"][0]["system"],
            "email"
        );
        assert_eq!(
            patient(&changed("two nhsCommunication extensions")).unwrap()["extension"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            changed("the registerPatient parameter twice")["parameter"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            changed("the resourceType InvalidResourceType")["resourceType"],
            "InvalidResourceType"
        );
        assert_eq!(
            changed("an Organization in the registerPatient parameter")["parameter"][0]["resource"]
                ["resourceType"],
            "Organization"
        );
        assert!(apply_change(&mut base.clone(), "something else").is_err());
        assert!(apply_change(&mut base.clone(), "the element nonsense").is_err());
        assert!(apply_change(&mut base.clone(), "telecoms with uses pager and home").is_err());
    }

    #[test]
    fn body_from_a_found_patient() {
        let found = json!({"name": [{"use": "usual", "family": "X"}, {"use": "official", "family": "DAWKINS", "given": ["Cynthia"]}], "gender": "female", "birthDate": "1951-07-19"});
        let b = body_from_patient("9690937286", &found);
        let p = patient(&b).unwrap();
        assert_eq!(p["name"][0]["family"], "DAWKINS");
        assert_eq!(p["birthDate"], "1951-07-19");
    }
}
