//! Find and Read a practitioner (Find a practitioner; Read a practitioner): CareConnect-GPC-Practitioner-1 with the SDS user id
//! and any SDS role profile ids; never telecom, address, birthDate, photo, qualification, communication.
//!
//! Find a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_practitioner.html>
//! Read a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_practitioner.html>

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use serde_json::{json, Value};

use super::search::{identifier_value, searchset};
use super::{read_response, Fhir};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::ErrorCode;
use crate::provider::outcome::ApiError;
use crate::provider::state::{PractitionerRecord, ProviderState};

/// `GET /Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|<id>`.
pub async fn find(
    State(state): State<Arc<ProviderState>>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, ApiError> {
    let sds = identifier_value(query.as_deref(), systems::SDS_USER_ID)?;
    let store = state.read();
    let found = store
        .practitioners
        .iter()
        .filter(|p| p.sds_user_id == sds)
        .map(to_fhir)
        .collect();
    Ok(Fhir::ok(searchset(found)))
}

/// `GET /Practitioner/{id}`.
pub async fn read(
    State(state): State<Arc<ProviderState>>,
    Path(id): Path<String>,
) -> Result<Fhir, ApiError> {
    let resource = state
        .read()
        .practitioners
        .iter()
        .find(|p| p.id == id)
        .map(to_fhir);
    resource.map(|r| read_response(&state, r)).ok_or_else(|| {
        ApiError::new(
            ErrorCode::PractitionerNotFound,
            format!("no practitioner with logical id {id:?}"),
        )
    })
}

/// Logical id of the usual GP's PractitionerRole, served beside the structured record and the documents.
const USUAL_GP_ROLE_ID: &str = "pr1";

/// The PractitionerRole of the usual GP `gp_id` at the practice `practice_id` (a General Medical
/// Practitioner), as the structured record and the documents search include it.
pub fn usual_gp_role(gp_id: &str, practice_id: &str) -> Value {
    json!({
        "resourceType": "PractitionerRole",
        "id": USUAL_GP_ROLE_ID,
        "meta": {"versionId": "1", "profile": [profiles::PRACTITIONER_ROLE]},
        "practitioner": {"reference": format!("Practitioner/{gp_id}")},
        "organization": {"reference": format!("Organization/{practice_id}")},
        "code": [{"coding": [{
            "system": crate::gpconnect::structured::systems::SDS_JOB_ROLE_NAME_SYSTEM,
            "code": "R0260",
            "display": "General Medical Practitioner",
        }]}],
    })
}

pub fn to_fhir(p: &PractitionerRecord) -> Value {
    let mut identifiers = vec![json!({"system": systems::SDS_USER_ID, "value": p.sds_user_id})];
    identifiers.extend(
        p.role_profile_ids
            .iter()
            .map(|r| json!({"system": systems::SDS_ROLE_PROFILE_ID, "value": r})),
    );
    let mut r = json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": {"versionId": p.version_id, "profile": [profiles::PRACTITIONER]},
        "identifier": identifiers,
        "name": [{"use": "usual", "family": p.name.family, "given": p.name.given, "prefix": p.name.prefix}],
    });
    if let Some(g) = &p.gender {
        r["gender"] = json!(g);
    }
    r
}
