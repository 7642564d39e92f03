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
