//! The Foundations+Appointments CapabilityStatement (Get the FHIR capability statement).
//!
//! Get the FHIR capability statement: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html>

use std::sync::Arc;

use axum::extract::State;
use serde_json::{json, Value};

use super::Fhir;
use crate::gpconnect::capability as cap;
use crate::provider::state::ProviderState;

/// The GP Connect version this provider implements.
pub const GPCONNECT_VERSION: &str = "1.2.7";

/// `GET /metadata`: always 200.
pub async fn read(State(state): State<Arc<ProviderState>>) -> Fhir {
    Fhir::ok(capability_statement(&state))
}

fn capability_statement(state: &ProviderState) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "version": GPCONNECT_VERSION,
        "name": cap::FOUNDATIONS_NAME,
        "status": "active",
        "date": "2024-01-01",
        "publisher": "gpc-assure",
        "contact": [{"name": "gpc-assure reference provider"}],
        "description": format!("Embedded reference provider for practice {}", state.settings.ods_code),
        "kind": "capability",
        "software": {
            "name": "gpc-assure reference provider",
            "version": env!("CARGO_PKG_VERSION"),
            "releaseDate": "2024-01-01",
        },
        "fhirVersion": cap::FHIR_VERSION,
        "acceptUnknown": "both",
        "format": state.settings.formats(),
        "profile": profile_list(),
        "rest": [{
            "mode": "server",
            "security": {"cors": true},
            "resource": resources(),
            "operation": cap::FOUNDATIONS_OPERATIONS
                .iter()
                .map(|o| json!({"name": o.name, "definition": {"reference":
                    cap::definition_reference(*o, cap::foundations_pin(*o, GPCONNECT_VERSION))}}))
                .collect::<Vec<_>>(),
        }],
    })
}

fn profile_list() -> Vec<Value> {
    cap::FOUNDATIONS_PROFILES
        .iter()
        .map(|p| json!({"reference": p}))
        .collect()
}

fn interactions(codes: &[&str]) -> Vec<Value> {
    codes.iter().map(|c| json!({"code": c})).collect()
}

fn param(name: &str, type_: &str) -> Value {
    json!({"name": name, "type": type_})
}

fn resources() -> Vec<Value> {
    let identifier = || vec![param("identifier", "token")];
    vec![
        json!({"type": "Patient", "interaction": interactions(&["read", "search-type"]), "searchParam": identifier()}),
        json!({"type": "Organization", "interaction": interactions(&["read", "search-type"]), "searchParam": identifier()}),
        json!({"type": "Practitioner", "interaction": interactions(&["read", "search-type"]), "searchParam": identifier()}),
        json!({"type": "Location", "interaction": interactions(&["read"])}),
        json!({
            "type": "Appointment",
            "interaction": interactions(&["read", "create", "update", "search-type"]),
            "updateCreate": false,
            "searchParam": [param("start", "date")],
        }),
        json!({
            "type": "Slot",
            "interaction": interactions(&["search-type"]),
            "searchInclude": [
                "Schedule:actor:Location",
                "Schedule:actor:Practitioner",
                "Slot:schedule",
                "Location:managingOrganization",
            ],
            "searchParam": [param("start", "date"), param("end", "date"), param("status", "token"), param("searchFilter", "token")],
        }),
    ]
}
