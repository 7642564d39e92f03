//! Find and Read an organisation (Find an organisation; Read an organisation): CareConnect-GPC-Organization-1 with its ODS
//! code; never contact or endpoint.
//!
//! Find an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_an_organisation.html>
//! Read an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_an_organisation.html>

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use serde_json::{json, Value};

use super::search::{identifier_value, searchset};
use super::{read_response, Fhir};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::ErrorCode;
use crate::provider::outcome::ApiError;
use crate::provider::state::{OrganizationRecord, ProviderState};

/// `GET /Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|<ods>`.
pub async fn find(
    State(state): State<Arc<ProviderState>>,
    RawQuery(query): RawQuery,
) -> Result<Fhir, ApiError> {
    let ods = identifier_value(query.as_deref(), systems::ODS_ORGANIZATION_CODE)?;
    let store = state.read();
    let found = store
        .organizations
        .iter()
        .filter(|o| o.ods_code == ods)
        .map(to_fhir)
        .collect();
    Ok(Fhir::ok(searchset(found)))
}

/// `GET /Organization/{id}`.
pub async fn read(
    State(state): State<Arc<ProviderState>>,
    Path(id): Path<String>,
) -> Result<Fhir, ApiError> {
    let resource = state
        .read()
        .organizations
        .iter()
        .find(|o| o.id == id)
        .map(to_fhir);
    resource.map(|r| read_response(&state, r)).ok_or_else(|| {
        ApiError::new(
            ErrorCode::OrganisationNotFound,
            format!("no organisation with logical id {id:?}"),
        )
    })
}

pub fn to_fhir(o: &OrganizationRecord) -> Value {
    json!({
        "resourceType": "Organization",
        "id": o.id,
        "meta": {"versionId": o.version_id, "profile": [profiles::ORGANIZATION]},
        "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": o.ods_code}],
        "name": o.name,
        "telecom": o.telecom,
        "address": o.address,
    })
}
