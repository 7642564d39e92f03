//! Register a patient, `POST /Patient/$gpc.registerpatient`.
//!
//! Order of processing: the `Parameters` body and embedded Patient are validated (errors per the official
//! suite's table), then PDS is consulted (trace, flags, verification), then the practice index is checked
//! for a duplicate and the temporary registration created or an inactive record reactivated, all under one
//! write lock so two concurrent registrations of one person cannot both succeed.
//!
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>

use std::sync::Arc;

use axum::extract::State;
use serde_json::{json, Map, Value};

use super::patient::to_fhir;
use super::Fhir;
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::{nhs_number, ErrorCode};
use crate::provider::faults::Fault;
use crate::provider::negotiate::FhirBody;
use crate::provider::outcome::ApiError;
use crate::provider::pds::{self, PdsFlag, Verification};
use crate::provider::state::{
    Name, PatientRecord, ProviderState, RegistrationStatus, RegistrationType,
};

/// The Operation's only input parameter.
const PARAM_REGISTER_PATIENT: &str = "registerPatient";
/// Patient elements a consumer may send; "all other fields MUST NOT be populated".
const ALLOWED_ELEMENTS: &[&str] = &[
    "resourceType",
    "meta",
    "identifier",
    "name",
    "gender",
    "birthDate",
    "telecom",
    "address",
    "extension",
];
const GENDERS: &[&str] = &["male", "female", "other", "unknown"];
/// The main surgery new temporary registrations are attached to.
const DEFAULT_BRANCH: &str = "1";

/// What a valid request asks for.
#[derive(Debug)]
struct Registration {
    nhs_number: String,
    name: Name,
    gender: Option<String>,
    birth_date: String,
    telecom: Vec<Value>,
    address: Vec<Value>,
    communication: Option<Value>,
}

pub async fn register(
    State(state): State<Arc<ProviderState>>,
    FhirBody(body): FhirBody,
) -> Result<Fhir, ApiError> {
    let request = parse(&body)?;
    let pds_person = check_pds(&state, &request)?;
    let today = chrono::Utc::now().date_naive().to_string();
    let registration_type = if state.faults.has(Fault::RegisterAsRegular) {
        RegistrationType::Regular
    } else {
        RegistrationType::Temporary
    };

    let patient = {
        let mut store = state.write();
        let existing = store
            .patients
            .iter()
            .position(|p| p.nhs_number == request.nhs_number);
        let existing = match existing.map(|i| &store.patients[i]) {
            Some(p) if p.deceased.is_some() => {
                return Err(ApiError::new(
                    ErrorCode::InvalidPatientDemographics,
                    "the patient is deceased on the practice system",
                ))
            }
            Some(p) if p.is_active() && !state.faults.has(Fault::RegisterAllowsDuplicate) => {
                return Err(ApiError::new(
                    ErrorCode::DuplicateRejected,
                    format!(
                        "NHS number {} is already registered and active at this practice",
                        request.nhs_number
                    ),
                ))
            }
            Some(p) if !p.is_active() => existing,
            _ => None,
        };
        let version_id = store.new_version();
        let record = PatientRecord {
            id: match existing {
                Some(i) => store.patients[i].id.clone(),
                None => store.new_id(),
            },
            version_id,
            nhs_number: request.nhs_number.clone(),
            name: request.name,
            gender: request.gender.or_else(|| Some(pds_person.gender.clone())),
            birth_date: request.birth_date,
            telecom: request.telecom,
            address: request.address,
            contact: existing
                .map(|i| store.patients[i].contact.clone())
                .unwrap_or_default(),
            communication: request.communication,
            registration_type,
            registration_status: RegistrationStatus::Active,
            registration_start: today,
            preferred_branch: Some(
                existing
                    .and_then(|i| store.patients[i].preferred_branch.clone())
                    .unwrap_or_else(|| DEFAULT_BRANCH.to_string()),
            ),
            sensitive: false,
            deceased: None,
            multiple_birth: None,
        };
        match existing {
            Some(i) => store.patients[i] = record.clone(),
            None => store.patients.push(record.clone()),
        }
        record
    };
    Ok(Fhir::ok(json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "meta": {"profile": [profiles::SEARCHSET_BUNDLE]},
        "type": "searchset",
        "entry": [{"resource": to_fhir(&patient)}],
    })))
}

/// PDS trace and verification; the PDS record on success.
fn check_pds<'a>(
    state: &'a ProviderState,
    r: &Registration,
) -> Result<&'a crate::config::PdsPerson, ApiError> {
    let demographics = |msg: String| ApiError::new(ErrorCode::InvalidPatientDemographics, msg);
    let record = state
        .pds
        .retrieve(&r.nhs_number)
        .ok_or_else(|| demographics(format!("NHS number {} was not found on PDS", r.nhs_number)))?;
    match record.flag {
        Some(PdsFlag::Superseded) | Some(PdsFlag::Invalid) => {
            return Err(ApiError::new(
                ErrorCode::InvalidNhsNumber,
                format!(
                    "the PDS record for NHS number {} is invalid or superseded",
                    r.nhs_number
                ),
            ))
        }
        Some(PdsFlag::Sensitive) => {
            return Err(demographics(
                "the patient is flagged sensitive on PDS".into(),
            ))
        }
        None => {}
    }
    if record.deceased.is_some() {
        return Err(demographics("the patient is deceased on PDS".into()));
    }
    match pds::verify(
        &record.person,
        &r.name.family,
        r.name.given.first().map(String::as_str),
        &r.birth_date,
    ) {
        Verification::Verified => Ok(&record.person),
        Verification::FamilyMismatch => Err(ApiError::bad_request(format!(
            "name.family {:?} does not match the PDS record for NHS number {}",
            r.name.family, r.nhs_number
        ))),
        Verification::NotVerified => Err(demographics(format!(
            "birthDate {} could not be verified against PDS for NHS number {}",
            r.birth_date, r.nhs_number
        ))),
    }
}

/// Validate the `Parameters` body and its Patient.
fn parse(body: &Value) -> Result<Registration, ApiError> {
    if body["resourceType"] != "Parameters" {
        return Err(ApiError::invalid_resource(
            "the request body must be a Parameters resource",
        ));
    }
    let params = body
        .get("parameter")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(other) = params.iter().find(|p| p["name"] != PARAM_REGISTER_PATIENT) {
        return Err(ApiError::invalid_resource(format!(
            "parameter {} is not recognised",
            other["name"]
        )));
    }
    let patient = match params.as_slice() {
        [] => {
            return Err(ApiError::invalid_resource(format!(
                "the {PARAM_REGISTER_PATIENT} parameter is missing"
            )))
        }
        [one] => &one["resource"],
        _ => {
            return Err(ApiError::bad_request(format!(
                "the {PARAM_REGISTER_PATIENT} parameter is given more than once"
            )))
        }
    };
    let Some(patient) = patient
        .as_object()
        .filter(|p| p.get("resourceType").is_some_and(|t| t == "Patient"))
    else {
        return Err(ApiError::invalid_resource(format!(
            "{PARAM_REGISTER_PATIENT}.resource must be a Patient"
        )));
    };
    if let Some(element) = patient
        .keys()
        .find(|k| !ALLOWED_ELEMENTS.contains(&k.as_str()))
    {
        return Err(ApiError::invalid_resource(format!(
            "Patient.{element} must not be sent when registering"
        )));
    }
    check_profile(patient)?;
    let nhs_number = identifier(patient)?;
    let name = official_name(patient)?;
    let birth_date = match patient.get("birthDate").and_then(Value::as_str) {
        None => return Err(ApiError::bad_request("Patient.birthDate is required")),
        Some(d) if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() => {
            return Err(ApiError::invalid_resource(format!(
                "Patient.birthDate {d:?} is not a YYYY-MM-DD date"
            )))
        }
        Some(d) => d.to_string(),
    };
    let gender = match patient.get("gender") {
        None => None,
        Some(Value::String(g)) if GENDERS.contains(&g.as_str()) => Some(g.clone()),
        Some(g) => {
            return Err(ApiError::invalid_resource(format!(
                "Patient.gender {g} is not an administrative gender"
            )))
        }
    };
    Ok(Registration {
        nhs_number,
        name,
        gender,
        birth_date,
        telecom: telecom(patient)?,
        address: addresses(patient)?,
        communication: communication(patient)?,
    })
}

fn array<'a>(patient: &'a Map<String, Value>, element: &str) -> Result<&'a [Value], ApiError> {
    match patient.get(element) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(ApiError::invalid_resource(format!(
            "Patient.{element} must be an array"
        ))),
    }
}

fn check_profile(patient: &Map<String, Value>) -> Result<(), ApiError> {
    // 1.2.9 makes meta.profile SHALL; 1.2.7 consumers may omit it, so only a wrong one is refused.
    match patient.get("meta").and_then(|m| m.get("profile")) {
        None => Ok(()),
        Some(Value::Array(p)) if p.iter().any(|u| u == profiles::PATIENT) => Ok(()),
        Some(other) => Err(ApiError::invalid_resource(format!(
            "Patient.meta.profile {other} must be {}",
            profiles::PATIENT
        ))),
    }
}

fn identifier(patient: &Map<String, Value>) -> Result<String, ApiError> {
    let ids = array(patient, "identifier")?;
    if ids.iter().any(|i| {
        i.get("system")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    }) {
        return Err(ApiError::bad_request(
            "Patient.identifier has an identifier without a system",
        ));
    }
    let nhs: Vec<&str> = ids
        .iter()
        .filter(|i| i["system"] == systems::NHS_NUMBER)
        .map(|i| i.get("value").and_then(Value::as_str).unwrap_or_default())
        .collect();
    match nhs.as_slice() {
        [] => Err(ApiError::new(
            ErrorCode::InvalidNhsNumber,
            "Patient.identifier carries no NHS number",
        )),
        [one] => match nhs_number::validate(one) {
            Ok(()) => Ok(one.to_string()),
            Err(e) => Err(ApiError::new(
                ErrorCode::InvalidNhsNumber,
                format!("NHS number {one:?} is invalid: {e}"),
            )),
        },
        _ => Err(ApiError::invalid_resource(
            "Patient.identifier carries more than one NHS number",
        )),
    }
}

fn official_name(patient: &Map<String, Value>) -> Result<Name, ApiError> {
    let names = array(patient, "name")?;
    let official: Vec<&Value> = names.iter().filter(|n| n["use"] == "official").collect();
    let name = match official.as_slice() {
        [] => {
            return Err(ApiError::bad_request(
                "Patient.name has no name with use official",
            ))
        }
        [one] => *one,
        _ => {
            return Err(ApiError::bad_request(
                "Patient.name has more than one official name",
            ))
        }
    };
    let family = name
        .get("family")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default();
    if family.is_empty() {
        return Err(ApiError::bad_request(
            "Patient.name (official) has no family name",
        ));
    }
    let strings = |key: &str| -> Vec<String> {
        name.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let given = strings("given");
    if given.is_empty() {
        return Err(ApiError::bad_request(
            "Patient.name (official) has no given name",
        ));
    }
    Ok(Name {
        family: family.to_string(),
        given,
        prefix: strings("prefix"),
    })
}

/// Phones with use home/work/mobile/temp (≤ 1 each) and ≤ 1 email; anything else is a BAD_REQUEST
/// (official suite: "invalid telecom elements").
fn telecom(patient: &Map<String, Value>) -> Result<Vec<Value>, ApiError> {
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for t in array(patient, "telecom")? {
        let field = |k: &str| {
            t.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (system, value, use_) = (field("system"), field("value"), field("use"));
        let use_ok = match system.as_str() {
            "phone" => matches!(use_.as_str(), "home" | "work" | "mobile" | "temp"),
            "email" => true,
            _ => false,
        };
        if value.trim().is_empty() || !use_ok {
            return Err(ApiError::bad_request(format!(
                "Patient.telecom {t} is not a valid phone or email"
            )));
        }
        let key = (
            system.clone(),
            if system == "email" {
                String::new()
            } else {
                use_.clone()
            },
        );
        if seen.contains(&key) {
            return Err(ApiError::bad_request(format!(
                "Patient.telecom has more than one {system} {use_}"
            )));
        }
        seen.push(key);
        out.push(with_temporary_end(t.clone(), &use_));
    }
    Ok(out)
}

/// At most one home and one temporary address; no other uses.
fn addresses(patient: &Map<String, Value>) -> Result<Vec<Value>, ApiError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for a in array(patient, "address")? {
        let use_ = a.get("use").and_then(Value::as_str).unwrap_or_default();
        if !matches!(use_, "home" | "temp") {
            return Err(ApiError::invalid_resource(format!(
                "Patient.address use {use_:?} is not allowed (home or temp)"
            )));
        }
        if seen.contains(&use_) {
            return Err(ApiError::invalid_resource(format!(
                "Patient.address has more than one {use_} address"
            )));
        }
        seen.push(use_);
        out.push(with_temporary_end(a.clone(), use_));
    }
    Ok(out)
}

/// Temporary contact details end with the temporary registration (Register a patient: provider processing step 3).
fn with_temporary_end(mut v: Value, use_: &str) -> Value {
    if use_ == "temp" && v.get("period").is_none() {
        let end = chrono::Utc::now().date_naive() + chrono::Days::new(90);
        v["period"] = json!({"end": end.to_string()});
    }
    v
}

/// At most one NHSCommunication extension; no other extensions.
fn communication(patient: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    let exts = array(patient, "extension")?;
    if let Some(other) = exts
        .iter()
        .find(|e| e["url"] != systems::EXT_NHS_COMMUNICATION)
    {
        return Err(ApiError::invalid_resource(format!(
            "Patient.extension {} must not be sent when registering",
            other["url"]
        )));
    }
    match exts {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(ApiError::invalid_resource(
            "Patient.extension carries more than one nhsCommunication",
        )),
    }
}
