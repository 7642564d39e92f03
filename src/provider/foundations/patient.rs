//! Find a patient and Read a patient (Find a patient: which patients are returned, response; Read a patient), and the CareConnect-GPC-Patient-1 rendering
//! shared with Register.
//!
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>
//! Read a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_patient.html>

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use serde_json::{json, Map, Value};

use super::search::{identifier_value, searchset};
use super::{read_response, Fhir};
use crate::gpconnect::systems::{self, profiles, registration_type};
use crate::gpconnect::{nhs_number, ErrorCode};
use crate::provider::faults::Fault;
use crate::provider::outcome::ApiError;
use crate::provider::seed::organisations::PRACTICE_ORGANIZATION_ID;
use crate::provider::state::{PatientRecord, ProviderState, RegistrationType};

/// `GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|<n>`: only active, shareable patients.
pub async fn find(
    State(state): State<Arc<ProviderState>>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, ApiError> {
    let nhs = identifier_value(query.as_deref(), systems::NHS_NUMBER)?;
    if let Err(e) = nhs_number::validate(&nhs) {
        if state.faults.has(Fault::AcceptInvalidNhsNumber) {
            return Ok(Fhir::ok(searchset(Vec::new())));
        }
        return Err(ApiError::new(
            ErrorCode::InvalidNhsNumber,
            format!("NHS number {nhs:?} is invalid: {e}"),
        ));
    }
    let faults = &state.faults;
    let store = state.read();
    let found = store
        .patients
        .iter()
        .filter(|p| p.nhs_number == nhs)
        .filter(|p| {
            p.is_shareable()
                || (faults.has(Fault::FindReturnsSensitive) && p.sensitive && p.is_active())
                || (faults.has(Fault::FindReturnsDeceased) && p.deceased.is_some())
        })
        .map(to_fhir)
        .collect();
    Ok(Fhir::ok(searchset(found)))
}

/// `GET /Patient/{id}`: PDS-sensitive patients are "not found".
pub async fn read(
    State(state): State<Arc<ProviderState>>,
    Path(id): Path<String>,
) -> Result<Fhir, ApiError> {
    let resource = {
        let store = state.read();
        store
            .patients
            .iter()
            .find(|p| p.id == id && !p.sensitive)
            .map(to_fhir)
    };
    resource.map(|r| read_response(&state, r)).ok_or_else(|| {
        ApiError::new(
            ErrorCode::PatientNotFound,
            format!("no patient with logical id {id:?}"),
        )
    })
}

/// CareConnect-GPC-Patient-1, without any of the elements GP Connect forbids.
pub fn to_fhir(p: &PatientRecord) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("Patient"));
    r.insert("id".into(), json!(p.id));
    r.insert(
        "meta".into(),
        json!({"versionId": p.version_id, "profile": [profiles::PATIENT]}),
    );
    let mut extensions = vec![registration_details(p)];
    extensions.extend(p.communication.clone());
    r.insert("extension".into(), Value::Array(extensions));
    r.insert(
        "identifier".into(),
        json!([{
            "extension": [{
                "url": systems::EXT_NHS_NUMBER_VERIFICATION,
                "valueCodeableConcept": {"coding": [{
                    "system": systems::CS_NHS_NUMBER_VERIFICATION,
                    "code": systems::NHS_NUMBER_VERIFIED.0,
                    "display": systems::NHS_NUMBER_VERIFIED.1,
                }]},
            }],
            "system": systems::NHS_NUMBER,
            "value": p.nhs_number,
        }]),
    );
    r.insert("active".into(), json!(p.is_active()));
    let mut name = json!({
        "use": "official",
        "text": format!("{} {}", p.name.given.join(" "), p.name.family),
        "family": p.name.family,
        "given": p.name.given,
    });
    // FHIR JSON has no empty arrays.
    if !p.name.prefix.is_empty() {
        name["prefix"] = json!(p.name.prefix);
    }
    r.insert("name".into(), json!([name]));
    if !p.telecom.is_empty() {
        r.insert("telecom".into(), json!(p.telecom));
    }
    if let Some(g) = &p.gender {
        r.insert("gender".into(), json!(g));
    }
    r.insert("birthDate".into(), json!(p.birth_date));
    if let Some(d) = &p.deceased {
        r.insert("deceasedDateTime".into(), json!(d));
    }
    if !p.address.is_empty() {
        r.insert("address".into(), json!(p.address));
    }
    if let Some(n) = p.multiple_birth {
        r.insert("multipleBirthInteger".into(), json!(n));
    }
    if !p.contact.is_empty() {
        r.insert("contact".into(), json!(p.contact));
    }
    r.insert(
        "managingOrganization".into(),
        json!({"reference": format!("Organization/{PRACTICE_ORGANIZATION_ID}")}),
    );
    Value::Object(r)
}

fn registration_details(p: &PatientRecord) -> Value {
    let (type_code, type_display) = match p.registration_type {
        RegistrationType::Regular => registration_type::REGULAR,
        RegistrationType::Temporary => registration_type::TEMPORARY,
    };
    // No `registrationStatus` part: Extension-CareConnect-GPC-RegistrationDetails-1 constrains it to
    // max 0 (the status shows in `Patient.active`).
    let mut parts = vec![
        json!({"url": "registrationPeriod", "valuePeriod": {"start": p.registration_start}}),
        json!({"url": "registrationType", "valueCodeableConcept": {"coding": [{
            "system": systems::CS_REGISTRATION_TYPE, "code": type_code, "display": type_display}]}}),
    ];
    if let Some(location) = &p.preferred_branch {
        parts.push(json!({"url": "preferredBranchSurgery", "valueReference": {"reference": format!("Location/{location}")}}));
    }
    json!({"url": systems::EXT_REGISTRATION_DETAILS, "extension": parts})
}
