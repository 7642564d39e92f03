//! Access Record HTML checks on the resources around the view: the care record Bundle (entries, their
//! profiles and versions, references resolved within it), the Composition's fixed values, and the
//! Patient, Practitioner, Organization and Device it carries (GP Connect 0.x profiles, FHIR DSTU2).
//!
//! Specification (GP Connect 0.7.2):
//! - Retrieve a care record section, response: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html>
//! - FHIR resource guidance (the 0.x profiles): <https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_api_guidance.html>

use serde_json::Value;

use crate::gpconnect::html::{composition, profiles, systems, Section};
use crate::verdict::Problem;

/// The identifier system of an SDS role profile id (0.x).
const SDS_ROLE_PROFILE_ID: &str = "http://fhir.nhs.net/Id/sds-role-profile-id";

/// The administrative genders of the 0.x Patient.
const GENDERS: &[&str] = &["male", "female", "other", "unknown"];

fn resources(bundle: &Value) -> Vec<&Value> {
    bundle["entry"]
        .as_array()
        .map(|a| a.iter().map(|e| &e["resource"]).collect())
        .unwrap_or_default()
}

fn of_type<'a>(bundle: &'a Value, ty: &str) -> Vec<&'a Value> {
    resources(bundle)
        .into_iter()
        .filter(|r| r["resourceType"] == ty)
        .collect()
}

/// The Bundle's resources of type `ty`; none is a missing precondition (inconclusive), not a
/// broken rule: the rules about them cannot be shown.
fn held_or_inconclusive<'a>(bundle: &'a Value, ty: &str) -> Result<Vec<&'a Value>, String> {
    let all = of_type(bundle, ty);
    if all.is_empty() {
        return Err(Problem::inconclusive(format!(
            "the Bundle holds no {ty}, so the {ty} rules cannot be shown"
        ))
        .to_string());
    }
    Ok(all)
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn verdict(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The profile each resource type of the care record Bundle declares.
fn profile_of(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "Composition" => Some(profiles::COMPOSITION),
        "Patient" => Some(profiles::PATIENT),
        "Practitioner" => Some(profiles::PRACTITIONER),
        "Organization" => Some(profiles::ORGANIZATION),
        "Device" => Some(profiles::DEVICE),
        "Location" => Some("http://fhir.nhs.net/StructureDefinition/gpconnect-location-1"),
        _ => None,
    }
}

/// The care record Bundle's entries: a searchset with no total, link, search or signature; the
/// Composition first, exactly one Composition and one Patient; every Patient, Practitioner,
/// Organization, Device and Location declares exactly one profile, its own, and a versionId; the
/// Composition declares its profile.
pub fn bundle_entries(bundle: &Value) -> Result<(), String> {
    if bundle["resourceType"] != "Bundle" {
        return Err(format!(
            "the answer is a {}, not a Bundle",
            text(&bundle["resourceType"])
        ));
    }
    let mut problems = Vec::new();
    if bundle["type"].as_str().map(str::trim) != Some("searchset") {
        problems.push(format!("Bundle.type is {}, not searchset", bundle["type"]));
    }
    for field in ["total", "link", "signature"] {
        if !bundle[field].is_null() {
            problems.push(format!(
                "the Bundle carries {field}, which the profile forbids"
            ));
        }
    }
    if array(&bundle["entry"])
        .iter()
        .any(|e| !e["search"].is_null())
    {
        problems.push("an entry carries search, which the profile forbids".into());
    }
    let all = resources(bundle);
    if all.first().map(|r| &r["resourceType"]) != Some(&Value::from("Composition")) {
        problems.push(format!(
            "the first entry is {}, not the Composition",
            all.first()
                .and_then(|r| r["resourceType"].as_str())
                .unwrap_or("missing")
        ));
    }
    for ty in ["Composition", "Patient"] {
        let n = of_type(bundle, ty).len();
        if n != 1 {
            problems.push(format!(
                "the Bundle holds {n} {ty}(s); exactly one is required"
            ));
        }
    }
    for r in all {
        let ty = text(&r["resourceType"]);
        let Some(want) = profile_of(ty) else { continue };
        let declared: Vec<&str> = match &r["meta"]["profile"] {
            Value::Array(a) => a.iter().map(text).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        if declared != [want] {
            problems.push(format!(
                "{ty}/{} declares the profile(s) {declared:?}; exactly one, {want}, is required",
                text(&r["id"])
            ));
        }
        if ty != "Composition" && text(&r["meta"]["versionId"]).is_empty() {
            problems.push(format!("{ty}/{} has no meta.versionId", text(&r["id"])));
        }
    }
    verdict(problems)
}

/// The resource of the Bundle that `reference` names: the entry whose fullUrl is the reference, or
/// whose type and id are.
fn resolve<'a>(bundle: &'a Value, reference: &str) -> Option<&'a Value> {
    array(&bundle["entry"]).iter().find_map(|e| {
        let r = &e["resource"];
        let local = format!("{}/{}", text(&r["resourceType"]), text(&r["id"]));
        (e["fullUrl"] == reference
            || local == reference
            || reference.ends_with(&format!("/{local}")))
        .then_some(r)
    })
}

/// Every reference the care record makes resolves within the Bundle to a resource of an allowed type:
/// the Composition's subject (Patient), author (Device or Practitioner) and custodian (Organization);
/// the Patient's careProvider (Practitioner or Organization) and managingOrganization; each
/// Practitioner's practitionerRole.managingOrganization; each Organization's partOf.
pub fn references_resolve(bundle: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut check = |owner: &str, field: &str, reference: &Value, allowed: &[&str]| {
        let Some(r) = reference["reference"].as_str() else {
            problems.push(format!("{owner}.{field} has no reference"));
            return;
        };
        match resolve(bundle, r) {
            None => problems.push(format!(
                "{owner}.{field} is {r:?}, which no entry of the Bundle holds"
            )),
            Some(found) if !allowed.contains(&text(&found["resourceType"])) => {
                problems.push(format!(
                    "{owner}.{field} is {r:?}, a {}; it must be a {}",
                    text(&found["resourceType"]),
                    allowed.join(" or ")
                ))
            }
            Some(_) => {}
        }
    };
    for c in of_type(bundle, "Composition") {
        check("Composition", "subject", &c["subject"], &["Patient"]);
        let authors = array(&c["author"]);
        if authors.is_empty() {
            check(
                "Composition",
                "author",
                &Value::Null,
                &["Device", "Practitioner"],
            );
        }
        for a in authors {
            check("Composition", "author", a, &["Device", "Practitioner"]);
        }
        if !c["custodian"].is_null() {
            check(
                "Composition",
                "custodian",
                &c["custodian"],
                &["Organization"],
            );
        }
    }
    for p in of_type(bundle, "Patient") {
        for cp in array(&p["careProvider"]) {
            check(
                "Patient",
                "careProvider",
                cp,
                &["Practitioner", "Organization"],
            );
        }
        if !p["managingOrganization"].is_null() {
            check(
                "Patient",
                "managingOrganization",
                &p["managingOrganization"],
                &["Organization"],
            );
        }
    }
    for pr in of_type(bundle, "Practitioner") {
        for role in array(&pr["practitionerRole"]) {
            if !role["managingOrganization"].is_null() {
                check(
                    "Practitioner",
                    "practitionerRole.managingOrganization",
                    &role["managingOrganization"],
                    &["Organization"],
                );
            }
        }
    }
    for o in of_type(bundle, "Organization") {
        if !o["partOf"].is_null() {
            check("Organization", "partOf", &o["partOf"], &["Organization"]);
        }
    }
    verdict(problems)
}

/// A coding that, when present, must be the fixed SNOMED code and display.
fn fixed_coding(
    problems: &mut Vec<String>,
    what: &str,
    concept: &Value,
    code: &str,
    display: &str,
) {
    if concept.is_null() {
        return;
    }
    for c in array(&concept["coding"]) {
        if c["system"] != systems::SNOMED || c["code"] != code || c["display"] != display {
            problems.push(format!(
                "{what} is coded {}|{}|{}, not {}|{code}|{display}",
                text(&c["system"]),
                text(&c["code"]),
                text(&c["display"]),
                systems::SNOMED
            ));
        }
    }
    if let Some(t) = concept["text"].as_str() {
        if t != display {
            problems.push(format!("{what}.text is {t:?}, not {display:?}"));
        }
    }
}

/// The Composition's fixed and required values: a date; type (when coded) SNOMED 425173008 record
/// extract; class (when given) SNOMED 700232004 general medical service; no identifier, attester,
/// event or encounter; the section coded with a display and a text, without entries, nested sections
/// or an empty reason.
pub fn composition_values(bundle: &Value, section: Section) -> Result<(), String> {
    let Some(c) = of_type(bundle, "Composition").into_iter().next() else {
        return Err("the Bundle holds no Composition".into());
    };
    let mut problems = Vec::new();
    if text(&c["date"]).is_empty() {
        problems.push("Composition.date is missing".into());
    }
    if c["type"].is_null() {
        problems.push("Composition.type is missing".into());
    }
    fixed_coding(
        &mut problems,
        "Composition.type",
        &c["type"],
        composition::TYPE_CODE,
        composition::TYPE_DISPLAY,
    );
    fixed_coding(
        &mut problems,
        "Composition.class",
        &c["class"],
        composition::CLASS_CODE,
        composition::CLASS_DISPLAY,
    );
    for field in ["identifier", "attester", "event", "encounter"] {
        if !c[field].is_null() {
            problems.push(format!(
                "the Composition carries {field}, which the profile forbids"
            ));
        }
    }
    for s in array(&c["section"]) {
        let codings = array(&s["code"]["coding"]);
        if codings.len() != 1 {
            problems.push(format!(
                "the {} section has {} codings; exactly one is required",
                section.code(),
                codings.len()
            ));
        }
        if codings.iter().any(|c| text(&c["display"]).is_empty()) {
            problems.push(format!(
                "the {} section's coding has no display",
                section.code()
            ));
        }
        if text(&s["code"]["text"]).is_empty() {
            problems.push(format!("the {} section's code has no text", section.code()));
        }
        for field in ["entry", "section", "emptyReason", "mode", "orderedBy"] {
            if !s[field].is_null() {
                problems.push(format!(
                    "the {} section carries {field}, which the profile forbids",
                    section.code()
                ));
            }
        }
    }
    verdict(problems)
}

/// The Patient: exactly one NHS number identifier (http://fhir.nhs.net/Id/nhs-number) with a valid
/// check digit; every telecom with a system and a value; a gender of the 0.x value set; no photo,
/// animal or link; a deceasedDateTime, when given, that is a date.
pub fn patient_values(bundle: &Value) -> Result<(), String> {
    let patients = of_type(bundle, "Patient");
    let Some(p) = patients.first() else {
        return Err("the Bundle holds no Patient".into());
    };
    let mut problems = Vec::new();
    let numbers: Vec<&Value> = array(&p["identifier"])
        .iter()
        .filter(|i| i["system"] == systems::NHS_NUMBER)
        .collect();
    match numbers.as_slice() {
        [one] => {
            let n = text(&one["value"]);
            if !crate::gpconnect::nhs_number::is_valid(n) {
                problems.push(format!(
                    "the Patient's NHS number {n:?} fails its check digit or format"
                ));
            }
        }
        other => problems.push(format!(
            "the Patient has {} NHS number identifiers ({}); exactly one is required",
            other.len(),
            systems::NHS_NUMBER
        )),
    }
    for (i, t) in array(&p["telecom"]).iter().enumerate() {
        if text(&t["system"]).is_empty() || text(&t["value"]).is_empty() {
            problems.push(format!("Patient.telecom[{i}] lacks its system or value"));
        }
    }
    if let Some(g) = p["gender"].as_str() {
        if !GENDERS.contains(&g) {
            problems.push(format!("Patient.gender is {g:?}, not one of {GENDERS:?}"));
        }
    }
    for field in ["photo", "animal", "link"] {
        if !p[field].is_null() {
            problems.push(format!(
                "the Patient carries {field}, which the profile forbids"
            ));
        }
    }
    if let Some(d) = p["deceasedDateTime"].as_str() {
        if crate::gpconnect::html::date_bounds(d.get(..10).unwrap_or(d)).is_none() {
            problems.push(format!("Patient.deceasedDateTime {d:?} is not a date"));
        }
    }
    verdict(problems)
}

/// Every Practitioner: a name; at most one SDS user id and one SDS role profile id, each with a value;
/// each practitionerRole.role a single coding of sds-job-role-name-1 with code and display; no
/// birthDate, photo or qualification. Inconclusive when the Bundle holds none.
pub fn practitioner_values(bundle: &Value) -> Result<(), String> {
    let all = held_or_inconclusive(bundle, "Practitioner")?;
    let mut problems = Vec::new();
    for p in all {
        let id = text(&p["id"]);
        if p["name"].is_null() {
            problems.push(format!("Practitioner/{id} has no name"));
        }
        for system in [systems::SDS_USER_ID, SDS_ROLE_PROFILE_ID] {
            let ids: Vec<&Value> = array(&p["identifier"])
                .iter()
                .filter(|i| i["system"] == system)
                .collect();
            if ids.len() > 1 {
                problems.push(format!(
                    "Practitioner/{id} has {} {system} identifiers; at most one is allowed",
                    ids.len()
                ));
            }
            if ids.iter().any(|i| text(&i["value"]).is_empty()) {
                problems.push(format!(
                    "Practitioner/{id} has a {system} identifier without a value"
                ));
            }
        }
        for role in array(&p["practitionerRole"]) {
            if role["role"].is_null() {
                continue;
            }
            let codings = array(&role["role"]["coding"]);
            let good = codings.len() == 1
                && codings[0]["system"] == systems::SDS_JOB_ROLE
                && !text(&codings[0]["code"]).is_empty()
                && !text(&codings[0]["display"]).is_empty();
            if !good {
                problems.push(format!(
                    "Practitioner/{id} practitionerRole.role is not a single {} coding with code and display",
                    systems::SDS_JOB_ROLE
                ));
            }
        }
        for field in ["birthDate", "photo", "qualification"] {
            if !p[field].is_null() {
                problems.push(format!(
                    "Practitioner/{id} carries {field}, which the profile forbids"
                ));
            }
        }
    }
    verdict(problems)
}

/// Every Organization: at most one ODS organisation code, and every ODS code (organisation or site)
/// with a value; a type, when given, a single coding with system, code and display. At least one
/// Organization (the custodian practice) is in the Bundle.
pub fn organization_values(bundle: &Value) -> Result<(), String> {
    let all = of_type(bundle, "Organization");
    if all.is_empty() {
        return Err("the Bundle holds no Organization (the practice holding the record)".into());
    }
    let mut problems = Vec::new();
    for o in all {
        let id = text(&o["id"]);
        let ods: Vec<&Value> = array(&o["identifier"])
            .iter()
            .filter(|i| i["system"] == systems::ODS_ORGANIZATION_CODE)
            .collect();
        if ods.len() > 1 {
            problems.push(format!(
                "Organization/{id} has {} ODS organisation codes; at most one is allowed",
                ods.len()
            ));
        }
        let empty = array(&o["identifier"]).iter().any(|i| {
            (i["system"] == systems::ODS_ORGANIZATION_CODE || i["system"] == systems::ODS_SITE_CODE)
                && text(&i["value"]).is_empty()
        });
        if empty {
            problems.push(format!("Organization/{id} has an ODS code without a value"));
        }
        if !o["type"].is_null() {
            let codings = array(&o["type"]["coding"]);
            let good = codings.len() == 1
                && ["system", "code", "display"]
                    .iter()
                    .all(|f| !text(&codings[0][*f]).is_empty());
            if !good {
                problems.push(format!(
                    "Organization/{id} type is not a single coding with system, code and display"
                ));
            }
        }
    }
    verdict(problems)
}

/// Every Device: typed SNOMED 462240000 Patient health record information system; at most one
/// identifier, with a value; none of the elements the profile forbids. Inconclusive when the Bundle
/// holds none.
pub fn device_values(bundle: &Value) -> Result<(), String> {
    let all = held_or_inconclusive(bundle, "Device")?;
    let mut problems = Vec::new();
    for d in all {
        let id = text(&d["id"]);
        let typed = array(&d["type"]["coding"]).iter().any(|c| {
            c["system"] == systems::SNOMED
                && c["code"] == composition::DEVICE_TYPE_CODE
                && c["display"] == composition::DEVICE_TYPE_DISPLAY
        });
        if !typed {
            problems.push(format!(
                "Device/{id} is not typed {}|{}|{}",
                systems::SNOMED,
                composition::DEVICE_TYPE_CODE,
                composition::DEVICE_TYPE_DISPLAY
            ));
        }
        let ids = array(&d["identifier"]);
        if ids.len() > 1 || ids.iter().any(|i| text(&i["value"]).is_empty()) {
            problems.push(format!(
                "Device/{id} has {} identifier(s); at most one, with a value, is allowed",
                ids.len()
            ));
        }
        for field in [
            "status",
            "manufactureDate",
            "expiry",
            "udi",
            "lotNumber",
            "patient",
            "contact",
            "url",
        ] {
            if !d[field].is_null() {
                problems.push(format!(
                    "Device/{id} carries {field}, which the profile forbids"
                ));
            }
        }
    }
    verdict(problems)
}

/// A deceased patient's record carries the date of death, no more than `window_days` before `today`.
pub fn deceased_within(
    bundle: &Value,
    today: chrono::NaiveDate,
    window_days: i64,
) -> Result<(), String> {
    let patients = of_type(bundle, "Patient");
    let Some(p) = patients.first() else {
        return Err("the Bundle holds no Patient".into());
    };
    let Some(d) = p["deceasedDateTime"].as_str() else {
        return Err(
            "the Patient of a deceased patient's record has no deceasedDateTime; it must be populated".into(),
        );
    };
    let Some(died) = chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok()
    else {
        return Err(format!("Patient.deceasedDateTime {d:?} is not a date"));
    };
    let days = (today - died).num_days();
    if days > window_days {
        return Err(format!(
            "the patient died {days} days ago ({d}), more than the {window_days} days a record stays available"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        let meta = |p: &str| json!({"versionId": "1", "profile": [p]});
        json!({
            "resourceType": "Bundle", "type": "searchset",
            "entry": [
                {"fullUrl": "Composition/c", "resource": {"resourceType": "Composition", "id": "c",
                    "meta": {"profile": [profiles::COMPOSITION]}, "date": "2026-01-01T00:00:00+00:00",
                    "type": {"coding": [{"system": systems::SNOMED, "code": composition::TYPE_CODE, "display": composition::TYPE_DISPLAY}]},
                    "subject": {"reference": "Patient/2"}, "author": [{"reference": "Device/1"}],
                    "custodian": {"reference": "Organization/1"},
                    "section": [{"title": "Encounters", "code": {"coding": [{"system": systems::RECORD_SECTION, "code": "ENC", "display": "Encounters"}], "text": "Encounters"}}]}},
                {"fullUrl": "Patient/2", "resource": {"resourceType": "Patient", "id": "2", "meta": meta(profiles::PATIENT),
                    "identifier": [{"system": systems::NHS_NUMBER, "value": "9690937286"}], "gender": "female",
                    "telecom": [{"system": "phone", "value": "0113 496 0002"}],
                    "careProvider": [{"reference": "Practitioner/1"}], "managingOrganization": {"reference": "Organization/1"}}},
                {"fullUrl": "Practitioner/1", "resource": {"resourceType": "Practitioner", "id": "1", "meta": meta(profiles::PRACTITIONER),
                    "name": {"family": ["Gilbert"]}, "identifier": [{"system": systems::SDS_USER_ID, "value": "G1"}],
                    "practitionerRole": [{"managingOrganization": {"reference": "Organization/1"},
                        "role": {"coding": [{"system": systems::SDS_JOB_ROLE, "code": "R0260", "display": "GP"}]}}]}},
                {"fullUrl": "Organization/1", "resource": {"resourceType": "Organization", "id": "1", "meta": meta(profiles::ORGANIZATION),
                    "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": "B82617"}]}},
                {"fullUrl": "Device/1", "resource": {"resourceType": "Device", "id": "1", "meta": meta(profiles::DEVICE),
                    "type": {"coding": [{"system": systems::SNOMED, "code": composition::DEVICE_TYPE_CODE, "display": composition::DEVICE_TYPE_DISPLAY}]}}}
            ]
        })
    }

    #[test]
    fn the_bundle_entries_are_checked() {
        assert!(bundle_entries(&good()).is_ok());
        let mut b = good();
        b["entry"].as_array_mut().unwrap().swap(0, 1);
        assert_fails!(bundle_entries(&b), "not the Composition");
        let mut b = good();
        b["entry"][1]["resource"]["meta"]["versionId"] = Value::Null;
        assert_fails!(bundle_entries(&b), "Patient/2 has no meta.versionId");
        let mut b = good();
        b["entry"][4]["resource"]["meta"]["profile"] = json!([profiles::PATIENT]);
        assert_fails!(
            bundle_entries(&b),
            "exactly one, http://fhir.nhs.net/StructureDefinition/gpconnect-device-1"
        );
        let mut b = good();
        b["total"] = json!(5);
        assert_fails!(bundle_entries(&b), "carries total");
    }

    #[test]
    fn references_must_resolve_in_the_bundle() {
        assert!(references_resolve(&good()).is_ok());
        let mut b = good();
        b["entry"][0]["resource"]["custodian"]["reference"] = json!("Organization/9");
        assert_fails!(
            references_resolve(&b),
            "Composition.custodian is \"Organization/9\", which no entry"
        );
        let mut b = good();
        b["entry"][1]["resource"]["careProvider"][0]["reference"] = json!("Device/1");
        assert_fails!(
            references_resolve(&b),
            "a Device; it must be a Practitioner or Organization"
        );
    }

    #[test]
    fn the_composition_values_are_fixed() {
        assert!(composition_values(&good(), Section::Enc).is_ok());
        let mut b = good();
        b["entry"][0]["resource"]["type"]["coding"][0]["code"] = json!("371530004");
        assert_fails!(
            composition_values(&b, Section::Enc),
            "Composition.type is coded"
        );
        let mut b = good();
        b["entry"][0]["resource"]["section"][0]["code"]["text"] = Value::Null;
        assert_fails!(composition_values(&b, Section::Enc), "has no text");
        let mut b = good();
        b["entry"][0]["resource"]["encounter"] = json!({"reference": "Encounter/1"});
        assert_fails!(composition_values(&b, Section::Enc), "carries encounter");
    }

    #[test]
    fn the_patient_is_checked() {
        assert!(patient_values(&good()).is_ok());
        let mut b = good();
        b["entry"][1]["resource"]["identifier"][0]["value"] = json!("1234567891");
        assert_fails!(patient_values(&b), "fails its check digit");
        let mut b = good();
        b["entry"][1]["resource"]["telecom"][0]["system"] = Value::Null;
        assert_fails!(patient_values(&b), "telecom[0] lacks its system or value");
        let mut b = good();
        b["entry"][1]["resource"]["photo"] = json!([{}]);
        assert_fails!(patient_values(&b), "carries photo");
    }

    #[test]
    fn practitioners_organizations_and_devices_are_checked() {
        assert!(practitioner_values(&good()).is_ok());
        assert!(organization_values(&good()).is_ok());
        assert!(device_values(&good()).is_ok());
        let mut b = good();
        b["entry"][2]["resource"]["practitionerRole"][0]["role"]["coding"][0]["system"] =
            json!("x");
        assert_fails!(
            practitioner_values(&b),
            "not a single http://fhir.nhs.net/ValueSet/sds-job-role-name-1 coding"
        );
        let mut b = good();
        b["entry"][3]["resource"]["identifier"][0]["value"] = json!("");
        assert_fails!(organization_values(&b), "ODS code without a value");
        let mut b = good();
        b["entry"][4]["resource"]["status"] = json!("available");
        assert_fails!(device_values(&b), "carries status");
        let mut b = good();
        b["entry"].as_array_mut().unwrap().truncate(2);
        assert_fails!(organization_values(&b), "no Organization");
        assert_fails!(practitioner_values(&b), "no Practitioner");
        assert_fails!(device_values(&b), "no Device");
    }

    #[test]
    fn a_deceased_patient_carries_a_recent_date_of_death() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let mut b = good();
        assert_fails!(deceased_within(&b, today, 28), "has no deceasedDateTime");
        b["entry"][1]["resource"]["deceasedDateTime"] = json!("2026-01-17T00:00:00+00:00");
        assert!(deceased_within(&b, today, 28).is_ok());
        b["entry"][1]["resource"]["deceasedDateTime"] = json!("2025-11-01");
        assert_fails!(deceased_within(&b, today, 28), "more than the 28 days");
    }
}
