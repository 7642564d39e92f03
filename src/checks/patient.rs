//! CareConnect-GPC-Patient-1 as Foundations returns it (Find a patient: response; Read a patient; Register a patient, FHIR implementation: Resource metadata; FHIR resource guidance: population rules).
//!
//! Each rule is its own function so a failure names the rule; [`conforms`] runs them all. The ContactPoint
//! and Address helpers are shared with the other Foundations resources, which apply them with the weaker
//! "use SHOULD" rule.
//!
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>
//! Read a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_patient.html>
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>
//! FHIR implementation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_api_guidance.html>
//! FHIR resource guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_resource_guidance.html>

use serde_json::Value;

use super::resource::{
    declares_profile, has_id, has_version_id, identifier_values, identifiers_complete, reference_to,
};
use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::nhs_number;
use crate::gpconnect::systems::{self, profiles};

/// FHIR administrative-gender codes.
pub const GENDERS: &[&str] = &["male", "female", "other", "unknown"];
/// FHIR contact-point-system codes.
const CONTACT_POINT_SYSTEMS: &[&str] = &["phone", "fax", "email", "pager", "url", "sms", "other"];
/// FHIR address-use codes.
const ADDRESS_USES: &[&str] = &["home", "work", "temp", "old"];
/// Codes of CareConnect-NHSNumberVerificationStatus-1 (01 to 08).
const VERIFICATION_CODES: &[&str] = &["01", "02", "03", "04", "05", "06", "07", "08"];
/// The wrong system the spec examples use for the verification status (Find a patient: response, known defect).
const VERIFICATION_SYSTEM_IN_EXAMPLES: &str =
    "https://fhir.nhs.uk/CareConnect-NHSNumberVerificationStatus-1";
/// Sub-extensions of Extension-CareConnect-GPC-RegistrationDetails-1 a provider may populate.
const REGISTRATION_PARTS: &[&str] = &[
    "registrationPeriod",
    "registrationType",
    "preferredBranchSurgery",
];
/// The sub-extension the StructureDefinition removes (`extension:registrationStatus` max 0 in both the
/// 1.2 and the latest profile sets), although the spec's extension table still lists it.
const REGISTRATION_STATUS: &str = "registrationStatus";
/// Sub-extensions of Extension-CareConnect-GPC-NHSCommunication-1.
const COMMUNICATION_PARTS: &[&str] = &[
    "language",
    "preferred",
    "modeOfCommunication",
    "communicationProficiency",
    "interpreterRequired",
];

/// Every rule a returned Patient follows; `nhs` is the NHS number it must carry, when known.
pub fn conforms(patient: &Value, nhs: Option<&str>) -> CheckResult {
    resource_type_is(patient, "Patient")?;
    no_empty_elements(patient, "Patient")?;
    meta(patient)?;
    nhs_number_identifier(patient, nhs)?;
    official_name(patient)?;
    gender_and_birth_date(patient)?;
    no_forbidden_content(patient)?;
    managing_organisation(patient)?;
    registration_details(patient)?;
    nhs_communication(patient)?;
    telecoms(patient, "Patient", true)?;
    addresses(patient, "Patient", true)?;
    contacts(patient)
}

/// `id`, `meta.versionId` and `meta.profile` CareConnect-GPC-Patient-1 (FHIR implementation: Resource metadata).
pub fn meta(patient: &Value) -> CheckResult {
    has_id(patient, None)?;
    has_version_id(patient)?;
    declares_profile(patient, profiles::PATIENT)
}

/// Exactly one NHS-number identifier, valid by modulus 11, equal to `expected` when given, carrying the
/// verification-status extension (1..1 in the profile) with code `01`, the only status a shared patient
/// may have (Find a patient: which patients are returned, response).
pub fn nhs_number_identifier(patient: &Value, expected: Option<&str>) -> CheckResult {
    identifiers_complete(patient)?;
    let ids: Vec<&Value> = patient
        .get("identifier")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("system").and_then(Value::as_str) == Some(systems::NHS_NUMBER))
        .collect();
    ensure(ids.len() == 1, || {
        format!(
            "Patient must carry exactly one identifier with system {}, found {}",
            systems::NHS_NUMBER,
            ids.len()
        )
    })?;
    let id = ids[0];
    let value = id.get("value").and_then(Value::as_str).unwrap_or_default();
    nhs_number::validate(value)
        .map_err(|e| format!("Patient NHS number {value:?} is not valid: {e}"))?;
    if let Some(e) = expected {
        ensure(value == e, || {
            format!("Patient NHS number is {value:?}; the request was for {e:?}")
        })?;
    }
    let exts: Vec<&Value> = id
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| {
            x.get("url").and_then(Value::as_str) == Some(systems::EXT_NHS_NUMBER_VERIFICATION)
        })
        .collect();
    ensure(exts.len() == 1, || {
        format!(
            "the NHS number identifier must carry the extension {} once, found {}",
            systems::EXT_NHS_NUMBER_VERIFICATION,
            exts.len()
        )
    })?;
    let codings = exts[0]
        .at("/valueCodeableConcept/coding")
        .and_then(Value::as_array);
    let codings =
        codings.ok_or("the NHS number verification status has no valueCodeableConcept.coding")?;
    ensure(codings.len() == 1, || {
        format!(
            "the NHS number verification status must hold one coding, found {}",
            codings.len()
        )
    })?;
    let system = codings[0]
        .get("system")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(system == systems::CS_NHS_NUMBER_VERIFICATION, || {
        let hint = if system == VERIFICATION_SYSTEM_IN_EXAMPLES {
            " (that is the spec examples' mistaken URL; the bound ValueSet uses the STU3 CodeSystem)"
        } else {
            ""
        };
        format!(
            "the NHS number verification status system is {system:?}; it must be {}{hint}",
            systems::CS_NHS_NUMBER_VERIFICATION
        )
    })?;
    let code = codings[0]
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(VERIFICATION_CODES.contains(&code), || {
        format!("the NHS number verification status code {code:?} is not in CareConnect-NHSNumberVerificationStatus-1")
    })?;
    ensure(code == systems::NHS_NUMBER_VERIFIED.0, || {
        format!(
            "a shared patient's NHS number verification status must be {:?} ({}), got {code:?}",
            systems::NHS_NUMBER_VERIFIED.0,
            systems::NHS_NUMBER_VERIFIED.1
        )
    })?;
    ensure(
        codings[0]
            .get("display")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.trim().is_empty()),
        || "the NHS number verification status coding has no display".to_string(),
    )
}

/// The one `official` name, with a family name (profile `name:official` 1..1, `family` 1..).
pub fn official_name(patient: &Value) -> Result<&Value, String> {
    let names = patient
        .get("name")
        .and_then(Value::as_array)
        .ok_or("Patient.name is not populated")?;
    let official: Vec<&Value> = names
        .iter()
        .filter(|n| n.get("use").and_then(Value::as_str) == Some("official"))
        .collect();
    ensure(official.len() == 1, || {
        format!(
            "Patient must have exactly one name with use official, found {}",
            official.len()
        )
    })?;
    let family = official[0]
        .get("family")
        .and_then(Value::as_str)
        .unwrap_or_default();
    ensure(!family.trim().is_empty(), || {
        "the official Patient.name has no family name".to_string()
    })?;
    Ok(official[0])
}

/// `gender` (administrative gender) and `birthDate` (a FHIR date) are populated.
pub fn gender_and_birth_date(patient: &Value) -> CheckResult {
    let gender = patient
        .get("gender")
        .and_then(Value::as_str)
        .ok_or("Patient.gender is not populated")?;
    ensure(GENDERS.contains(&gender), || {
        format!("Patient.gender {gender:?} is not one of {GENDERS:?}")
    })?;
    let birth = patient
        .get("birthDate")
        .and_then(Value::as_str)
        .ok_or("Patient.birthDate is not populated")?;
    ensure(is_fhir_date(birth), || {
        format!("Patient.birthDate {birth:?} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    })
}

fn is_fhir_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let widths = [4, 2, 2];
    !parts.is_empty()
        && parts.len() <= 3
        && parts
            .iter()
            .zip(widths)
            .all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()))
}

/// None of the extensions and elements Foundations says SHALL NOT be populated (Find a patient: response).
pub fn no_forbidden_content(patient: &Value) -> CheckResult {
    super::resource::lacks_elements(patient, systems::PATIENT_FORBIDDEN_ELEMENTS)?;
    super::resource::lacks_extensions(patient, systems::PATIENT_FORBIDDEN_EXTENSIONS)
}

/// `managingOrganization` is a relative `Organization/<id>` reference (SHALL since 1.2.2); returns the id.
pub fn managing_organisation(patient: &Value) -> Result<&str, String> {
    let r = patient
        .get("managingOrganization")
        .ok_or("Patient.managingOrganization is not populated")?;
    reference_to(r, "Organization", "Patient.managingOrganization")
}

/// The registration-details extensions (top level) of a patient.
fn extensions_with<'a>(resource: &'a Value, url: &str) -> Vec<&'a Value> {
    resource
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.get("url").and_then(Value::as_str) == Some(url))
        .collect()
}

/// The sub-extension `name` of a complex extension.
fn part<'a>(ext: &'a Value, name: &str) -> Vec<&'a Value> {
    extensions_with(ext, name)
}

/// Registration details, when present: once, with known parts each at most once (never
/// `registrationStatus`), `registrationType` coded in CareConnect-RegistrationType-1, `registrationPeriod`
/// a Period, and `preferredBranchSurgery` a relative Location reference.
pub fn registration_details(patient: &Value) -> CheckResult {
    let exts = extensions_with(patient, systems::EXT_REGISTRATION_DETAILS);
    ensure(exts.len() <= 1, || {
        format!(
            "Patient carries the registration details extension {} times; at most once",
            exts.len()
        )
    })?;
    let Some(ext) = exts.first() else {
        return Ok(());
    };
    for sub in ext
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let url = sub.get("url").and_then(Value::as_str).unwrap_or_default();
        ensure(url != REGISTRATION_STATUS, || {
            format!("registration details carries {REGISTRATION_STATUS}, which Extension-CareConnect-GPC-RegistrationDetails-1 removes (max 0)")
        })?;
        ensure(REGISTRATION_PARTS.contains(&url), || {
            format!("registration details carries an unknown part {url:?}")
        })?;
    }
    for name in REGISTRATION_PARTS {
        let n = part(ext, name).len();
        ensure(n <= 1, || {
            format!("registration details carries {name} {n} times; at most once")
        })?;
    }
    if let Some(p) = part(ext, "registrationPeriod").first() {
        let period = p
            .get("valuePeriod")
            .ok_or("registrationPeriod has no valuePeriod")?;
        ensure(period.get("start").or(period.get("end")).is_some(), || {
            "registrationPeriod.valuePeriod is empty".to_string()
        })?;
    }
    if let Some(p) = part(ext, "registrationType").first() {
        coded(
            p,
            systems::CS_REGISTRATION_TYPE,
            "registration details registrationType",
        )?;
    }
    if let Some(p) = part(ext, "preferredBranchSurgery").first() {
        let r = p
            .get("valueReference")
            .ok_or("preferredBranchSurgery has no valueReference")?;
        reference_to(r, "Location", "registrationDetails.preferredBranchSurgery")?;
    }
    Ok(())
}

/// A `valueCodeableConcept` whose codings include one in `system` with a code; returns that code.
fn coded<'a>(ext: &'a Value, system: &str, what: &str) -> Result<&'a str, String> {
    let codings = ext
        .at("/valueCodeableConcept/coding")
        .and_then(Value::as_array);
    let codings = codings.ok_or_else(|| format!("{what} has no valueCodeableConcept.coding"))?;
    let found = codings
        .iter()
        .find(|c| c.get("system").and_then(Value::as_str) == Some(system));
    let systems_found: Vec<&str> = codings
        .iter()
        .filter_map(|c| c.get("system").and_then(Value::as_str))
        .collect();
    let coding = found.ok_or_else(|| {
        format!("{what} has no coding in {system} (found systems {systems_found:?})")
    })?;
    coding
        .get("code")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| format!("{what} coding has no code"))
}

/// The registration type code of a patient's registration details (`T` temporary, `R` regular...).
pub fn registration_type(patient: &Value) -> Option<&str> {
    let ext = extensions_with(patient, systems::EXT_REGISTRATION_DETAILS)
        .into_iter()
        .next()?;
    let p = part(ext, "registrationType").into_iter().next()?;
    coded(p, systems::CS_REGISTRATION_TYPE, "registrationType").ok()
}

/// The logical id of the preferred branch surgery, when populated.
pub fn preferred_branch_surgery(patient: &Value) -> Option<&str> {
    let ext = extensions_with(patient, systems::EXT_REGISTRATION_DETAILS)
        .into_iter()
        .next()?;
    let p = part(ext, "preferredBranchSurgery").into_iter().next()?;
    p.at("/valueReference/reference")
        .and_then(Value::as_str)?
        .strip_prefix("Location/")
}

/// The registration details extension appears exactly once (official suite; Find a patient: response asks for
/// `registrationDetails.preferredBranchSurgery`).
pub fn has_registration_details(patient: &Value) -> CheckResult {
    let n = extensions_with(patient, systems::EXT_REGISTRATION_DETAILS).len();
    ensure(n == 1, || {
        format!(
            "Patient must carry the registration details extension {} once, found {n}",
            systems::EXT_REGISTRATION_DETAILS
        )
    })
}

/// Each NHS communication extension (on a Patient or Practitioner) has a `language` coded in
/// CareConnect-HumanLanguage-1, only known parts, and boolean `preferred`/`interpreterRequired`.
pub fn nhs_communication(resource: &Value) -> CheckResult {
    for (i, ext) in extensions_with(resource, systems::EXT_NHS_COMMUNICATION)
        .iter()
        .enumerate()
    {
        let at = format!("nhsCommunication[{i}]");
        for sub in ext
            .get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let url = sub.get("url").and_then(Value::as_str).unwrap_or_default();
            ensure(COMMUNICATION_PARTS.contains(&url), || {
                format!("{at} carries an unknown part {url:?}")
            })?;
        }
        let language = part(ext, "language");
        ensure(language.len() == 1, || {
            format!("{at} must carry language once, found {}", language.len())
        })?;
        coded(
            language[0],
            systems::CS_HUMAN_LANGUAGE,
            &format!("{at}.language"),
        )?;
        for flag in ["preferred", "interpreterRequired"] {
            for p in part(ext, flag) {
                ensure(p.get("valueBoolean").is_some_and(Value::is_boolean), || {
                    format!("{at}.{flag} must be a valueBoolean")
                })?;
            }
        }
    }
    Ok(())
}

/// A ContactPoint: `system` (SHALL) from the FHIR code list, a non-empty `value` (SHALL), and `use` where
/// `use_required` (patient and patient-contact telecoms, FHIR resource guidance: population rules).
pub fn contact_point(cp: &Value, path: &str, use_required: bool) -> CheckResult {
    let system = cp
        .get("system")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{path}.system is not populated"))?;
    ensure(CONTACT_POINT_SYSTEMS.contains(&system), || {
        format!("{path}.system {system:?} is not a ContactPoint system")
    })?;
    ensure(
        cp.get("value")
            .and_then(Value::as_str)
            .is_some_and(|v| !v.trim().is_empty()),
        || format!("{path}.value is not populated"),
    )?;
    if use_required {
        ensure(cp.get("use").and_then(Value::as_str).is_some(), || {
            format!("{path}.use is not populated")
        })?;
    }
    Ok(())
}

/// Every `telecom` of `resource` is a valid ContactPoint.
pub fn telecoms(resource: &Value, ty: &str, use_required: bool) -> CheckResult {
    for (i, t) in resource
        .get("telecom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        contact_point(t, &format!("{ty}.telecom[{i}]"), use_required)?;
    }
    Ok(())
}

/// An Address: `use`, when present, from the FHIR list; required where `use_required` (patient addresses).
pub fn address(a: &Value, path: &str, use_required: bool) -> CheckResult {
    match a.get("use").and_then(Value::as_str) {
        Some(u) => ensure(ADDRESS_USES.contains(&u), || {
            format!("{path}.use {u:?} is not an address use")
        }),
        None => ensure(!use_required, || format!("{path}.use is not populated")),
    }
}

/// Every `address` of `resource` is valid.
pub fn addresses(resource: &Value, ty: &str, use_required: bool) -> CheckResult {
    match resource.get("address") {
        None => Ok(()),
        Some(Value::Array(list)) => {
            for (i, a) in list.iter().enumerate() {
                address(a, &format!("{ty}.address[{i}]"), use_required)?;
            }
            Ok(())
        }
        Some(single) => address(single, &format!("{ty}.address"), use_required),
    }
}

/// `Patient.contact`: relationship as `text` only (SHALL), never `coding` (SHALL NOT); contact telecoms
/// and address follow the patient rules (FHIR resource guidance: population rules).
pub fn contacts(patient: &Value) -> CheckResult {
    for (i, c) in patient
        .get("contact")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("Patient.contact[{i}]");
        let rels = c
            .get("relationship")
            .and_then(Value::as_array)
            .filter(|r| !r.is_empty());
        let rels = rels.ok_or_else(|| {
            format!("{at}.relationship is not populated; it SHALL carry the relationship as text")
        })?;
        for (j, r) in rels.iter().enumerate() {
            ensure(
                r.get("text")
                    .and_then(Value::as_str)
                    .is_some_and(|t| !t.trim().is_empty()),
                || format!("{at}.relationship[{j}].text is not populated"),
            )?;
            ensure(r.get("coding").is_none(), || {
                format!("{at}.relationship[{j}].coding is populated but SHALL NOT be")
            })?;
        }
        telecoms(c, &at, true)?;
        if let Some(a) = c.get("address") {
            address(a, &format!("{at}.address"), true)?;
        }
    }
    Ok(())
}

/// No `null`, empty string, empty array or empty object anywhere: FHIR JSON omits absent elements
/// (General API guidance, Content types). Shared by every Foundations resource check.
pub fn no_empty_elements(v: &Value, path: &str) -> CheckResult {
    match v {
        Value::Null => Err(format!("{path} is null; FHIR JSON omits absent elements")),
        Value::String(s) => ensure(!s.is_empty(), || {
            format!("{path} is an empty string; FHIR omits empty elements")
        }),
        Value::Array(a) => {
            ensure(!a.is_empty(), || {
                format!("{path} is an empty array; FHIR JSON omits absent elements")
            })?;
            a.iter()
                .enumerate()
                .try_for_each(|(i, x)| no_empty_elements(x, &format!("{path}[{i}]")))
        }
        Value::Object(o) => {
            ensure(!o.is_empty(), || {
                format!("{path} is an empty object; FHIR omits empty elements")
            })?;
            o.iter()
                .try_for_each(|(k, x)| no_empty_elements(x, &format!("{path}.{k}")))
        }
        _ => Ok(()),
    }
}

/// The NHS number of a Patient (first NHS-number identifier).
pub fn nhs_number_of(patient: &Value) -> Option<&str> {
    identifier_values(patient, systems::NHS_NUMBER)
        .into_iter()
        .next()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub fn good() -> Value {
        json!({
            "resourceType": "Patient", "id": "2", "meta": {"versionId": "1", "profile": [profiles::PATIENT]},
            "extension": [
                {"url": systems::EXT_REGISTRATION_DETAILS, "extension": [
                    {"url": "registrationPeriod", "valuePeriod": {"start": "2010-04-01"}},
                    {"url": "registrationType", "valueCodeableConcept": {"coding": [{"system": systems::CS_REGISTRATION_TYPE, "code": "R"}]}},
                    {"url": "preferredBranchSurgery", "valueReference": {"reference": "Location/1"}}]},
                {"url": systems::EXT_NHS_COMMUNICATION, "extension": [
                    {"url": "language", "valueCodeableConcept": {"coding": [{"system": systems::CS_HUMAN_LANGUAGE, "code": "bn"}]}},
                    {"url": "interpreterRequired", "valueBoolean": true}]}],
            "identifier": [{"system": systems::NHS_NUMBER, "value": "9476719931", "extension": [{"url": systems::EXT_NHS_NUMBER_VERIFICATION,
                "valueCodeableConcept": {"coding": [{"system": systems::CS_NHS_NUMBER_VERIFICATION, "code": "01", "display": "Number present and verified"}]}}]}],
            "name": [{"use": "official", "family": "JACKSON", "given": ["Jane"]}],
            "gender": "female", "birthDate": "1952-05-31",
            "telecom": [{"system": "phone", "value": "0113", "use": "home"}],
            "address": [{"use": "home", "line": ["1 Lane"]}],
            "contact": [{"relationship": [{"text": "Next of kin"}], "telecom": [{"system": "phone", "value": "1", "use": "home"}]}],
            "managingOrganization": {"reference": "Organization/1"}
        })
    }

    fn broken(f: impl FnOnce(&mut Value)) -> Value {
        let mut p = good();
        f(&mut p);
        p
    }

    #[test]
    fn a_good_patient_conforms() {
        conforms(&good(), Some("9476719931")).unwrap();
        has_registration_details(&good()).unwrap();
        assert_eq!(registration_type(&good()), Some("R"));
        assert_eq!(preferred_branch_surgery(&good()), Some("1"));
        assert_eq!(nhs_number_of(&good()), Some("9476719931"));
    }

    #[test]
    fn meta_and_identifier_defects() {
        assert_fails!(
            meta(&broken(|p| p["meta"]["profile"] = json!(["x"]))),
            "Patient.meta.profile is [\"x\"]"
        );
        assert_fails!(
            meta(&broken(
                |p| p["meta"] = json!({"profile": [profiles::PATIENT]})
            )),
            "versionId"
        );
        assert_fails!(
            nhs_number_identifier(&good(), Some("9690937286")),
            "request was for"
        );
        assert_fails!(
            nhs_number_identifier(
                &broken(|p| p["identifier"][0]["value"] = json!("1234567890")),
                None
            ),
            "not valid"
        );
        assert_fails!(
            nhs_number_identifier(&broken(|p| p["identifier"] = json!([])), None),
            "exactly one"
        );
        let no_ext = broken(|p| {
            p["identifier"][0]
                .as_object_mut()
                .unwrap()
                .remove("extension")
                .map(|_| ())
                .unwrap()
        });
        assert_fails!(nhs_number_identifier(&no_ext, None), "extension");
        let example_system = broken(|p| {
            p["identifier"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["system"] =
                json!(VERIFICATION_SYSTEM_IN_EXAMPLES)
        });
        assert_fails!(nhs_number_identifier(&example_system, None), "mistaken");
        let unverified = broken(|p| {
            p["identifier"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] =
                json!("02")
        });
        assert_fails!(nhs_number_identifier(&unverified, None), "\"01\"");
    }

    #[test]
    fn name_gender_birth_defects() {
        assert_fails!(
            official_name(&broken(|p| p["name"][0]["use"] = json!("usual"))),
            "exactly one"
        );
        let two = broken(|p| {
            p["name"] =
                json!([{"use": "official", "family": "A"}, {"use": "official", "family": "B"}])
        });
        assert_fails!(
            official_name(&two),
            "exactly one name with use official, found 2"
        );
        assert_fails!(
            official_name(&broken(|p| p["name"][0]["family"] = json!(""))),
            "family"
        );
        assert_fails!(
            gender_and_birth_date(&broken(|p| p["gender"] = json!("F"))),
            "Patient.gender \"F\" is not one of"
        );
        assert_fails!(
            gender_and_birth_date(&broken(|p| p
                .as_object_mut()
                .unwrap()
                .remove("gender")
                .map(|_| ())
                .unwrap())),
            "Patient.gender is not populated"
        );
        assert_fails!(
            gender_and_birth_date(&broken(|p| p["birthDate"] = json!("31/05/1952"))),
            "FHIR date"
        );
        gender_and_birth_date(&broken(|p| p["birthDate"] = json!("1952"))).unwrap();
    }

    #[test]
    fn empty_elements_are_caught() {
        assert_fails!(
            conforms(&broken(|p| p["name"][0]["prefix"] = json!([])), None),
            "name[0].prefix"
        );
        assert_fails!(no_empty_elements(&json!({"a": null}), "X"), "X.a is null");
        assert_fails!(no_empty_elements(&json!({"a": {"b": ""}}), "X"), "X.a.b");
        assert_fails!(
            no_empty_elements(&json!({"a": {}}), "X"),
            "X.a is an empty object"
        );
        no_empty_elements(&good(), "Patient").unwrap();
    }

    #[test]
    fn forbidden_content_and_references() {
        assert_fails!(
            no_forbidden_content(&broken(|p| p["maritalStatus"] = json!({"text": "M"}))),
            "Patient.maritalStatus is populated"
        );
        assert_fails!(
            no_forbidden_content(&broken(|p| p["multipleBirthBoolean"] = json!(true))),
            "Patient.multipleBirthBoolean is populated"
        );
        let religion = broken(|p| {
            p["extension"]
                .as_array_mut()
                .unwrap()
                .push(json!({"url": systems::PATIENT_FORBIDDEN_EXTENSIONS[1]}))
        });
        assert_fails!(
            no_forbidden_content(&religion),
            "Extension-CareConnect-ReligiousAffiliation-1"
        );
        assert_fails!(
            managing_organisation(&broken(
                |p| p["managingOrganization"] = json!({"reference": "https://x/Organization/1"})
            )),
            "relative reference"
        );
        assert_fails!(
            managing_organisation(&broken(|p| p
                .as_object_mut()
                .unwrap()
                .remove("managingOrganization")
                .map(|_| ())
                .unwrap())),
            "Patient.managingOrganization is not populated"
        );
    }

    #[test]
    fn extension_defects() {
        let twice = broken(|p| {
            let e = p["extension"][0].clone();
            p["extension"].as_array_mut().unwrap().push(e)
        });
        assert_fails!(registration_details(&twice), "2 times");
        assert_fails!(has_registration_details(&twice), "once, found 2");
        let bad_type = broken(|p| {
            p["extension"][0]["extension"][1]["valueCodeableConcept"]["coding"][0]["system"] =
                json!("https://fhir.nhs.uk/CareConnect-RegistrationType-1")
        });
        assert_fails!(registration_details(&bad_type), "registrationType");
        let bad_branch = broken(|p| {
            p["extension"][0]["extension"][2]["valueReference"]["reference"] =
                json!("Organization/1")
        });
        assert_fails!(
            registration_details(&bad_branch),
            "preferredBranchSurgery.reference \"Organization/1\""
        );
        let status = broken(|p| {
            let parts = p["extension"][0]["extension"].as_array_mut().unwrap();
            parts.push(
                json!({"url": "registrationStatus", "valueCodeableConcept": {"coding": [
                {"system": systems::CS_REGISTRATION_STATUS, "code": "A"}]}}),
            );
        });
        assert_fails!(registration_details(&status), "max 0");
        let unknown_part = broken(|p| {
            p["extension"][0]["extension"]
                .as_array_mut()
                .unwrap()
                .push(json!({"url": "x"}))
        });
        assert_fails!(registration_details(&unknown_part), "unknown part");
        let no_language = broken(|p| {
            p["extension"][1]["extension"]
                .as_array_mut()
                .unwrap()
                .remove(0);
        });
        assert_fails!(nhs_communication(&no_language), "language");
        let string_flag =
            broken(|p| p["extension"][1]["extension"][1]["valueBoolean"] = json!("true"));
        assert_fails!(
            nhs_communication(&string_flag),
            "nhsCommunication[0].interpreterRequired must be a valueBoolean"
        );
    }

    #[test]
    fn telecom_address_contact_defects() {
        assert_fails!(
            telecoms(
                &broken(|p| p["telecom"][0]["system"] = Value::Null),
                "Patient",
                true
            ),
            "Patient.telecom[0].system is not populated"
        );
        assert_fails!(
            telecoms(
                &broken(|p| p["telecom"][0]["value"] = json!(" ")),
                "Patient",
                true
            ),
            "Patient.telecom[0].value is not populated"
        );
        let no_use = broken(|p| {
            p["telecom"][0]
                .as_object_mut()
                .unwrap()
                .remove("use")
                .map(|_| ())
                .unwrap()
        });
        assert_fails!(telecoms(&no_use, "Patient", true), "use");
        telecoms(&no_use, "Organization", false).unwrap();
        let address_no_use = broken(|p| p["address"][0] = json!({"line": ["x"]}));
        assert_fails!(
            addresses(&address_no_use, "Patient", true),
            "Patient.address[0].use is not populated"
        );
        addresses(&address_no_use, "Organization", false).unwrap();
        assert_fails!(
            addresses(
                &broken(|p| p["address"][0]["use"] = json!("holiday")),
                "Patient",
                true
            ),
            "\"holiday\" is not an address use"
        );
        let coded_relationship =
            broken(|p| p["contact"][0]["relationship"][0]["coding"] = json!([{"code": "N"}]));
        assert_fails!(contacts(&coded_relationship), "SHALL NOT");
        let fax = json!({"system": "fax", "value": "1", "use": "work"});
        contact_point(&fax, "X", true).unwrap();
        assert_fails!(
            contact_point(&json!({"system": "pager2", "value": "1"}), "X", false),
            "X.system \"pager2\" is not a ContactPoint system"
        );
        address(&json!({"use": "temp"}), "X", true).unwrap();
        assert_fails!(
            address(&json!({"line": ["1"]}), "X", true),
            "X.use is not populated"
        );
        assert_fails!(
            contacts(&broken(
                |p| p["contact"][0]["relationship"] = json!([{"coding": []}])
            )),
            "Patient.contact[0].relationship[0].text is not populated"
        );
        assert_fails!(
            contacts(&broken(
                |p| p["contact"][0]["telecom"][0] = json!({"value": "1"})
            )),
            "Patient.contact[0].telecom[0].system is not populated"
        );
    }
}
