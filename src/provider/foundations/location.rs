//! Read a location: CareConnect-GPC-Location-1 with its managing organisation;
//! never endpoint. Unknown ids are the catch-all NO_RECORD_FOUND.
//!
//! Read a location: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_location.html>

use std::sync::Arc;

use axum::extract::{Path, State};
use serde_json::{json, Value};

use super::{read_response, Fhir};
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::ErrorCode;
use crate::provider::outcome::ApiError;
use crate::provider::state::{LocationRecord, ProviderState};

/// `GET /Location/{id}`.
pub async fn read(
    State(state): State<Arc<ProviderState>>,
    Path(id): Path<String>,
) -> Result<Fhir, ApiError> {
    let resource = state
        .read()
        .locations
        .iter()
        .find(|l| l.id == id)
        .map(to_fhir);
    resource.map(|r| read_response(&state, r)).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoRecordFound,
            format!("no location with logical id {id:?}"),
        )
    })
}

/// Also used by later capabilities (Slot search includes Locations).
pub fn to_fhir(l: &LocationRecord) -> Value {
    let mut r = json!({
        "resourceType": "Location",
        "id": l.id,
        "meta": {"versionId": l.version_id, "profile": [profiles::LOCATION]},
    });
    if let Some(site) = &l.site_code {
        r["identifier"] = json!([{"system": systems::ODS_SITE_CODE, "value": site}]);
    }
    r["status"] = json!("active");
    r["name"] = json!(l.name);
    r["telecom"] = json!(l.telecom);
    if let Some(a) = &l.address {
        r["address"] = a.clone();
    }
    r["managingOrganization"] =
        json!({"reference": format!("Organization/{}", l.managing_organization)});
    r
}
