//! Foundations: capability statement, patient find/read/register,
//! practitioner, organisation and location find/read. Served from the Foundations+Appointments root.
//!
//! Interaction IDs: <https://developer.nhs.uk/apis/gpconnect-1-2-7/integration_interaction_ids.html>
//! Foundations: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations.html>

pub(crate) mod location;
mod metadata;
pub(crate) mod organisation;
pub mod patient;
pub(crate) mod practitioner;
mod register;
pub(crate) mod search;

use std::sync::Arc;

use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde_json::Value;

use super::faults::Fault;
use super::guard::guarded;
use super::respond::Fhir;
use super::state::ProviderState;
use crate::gpconnect::Interaction;

/// Routes relative to the Foundations service root; each path comes from the interaction table.
pub fn routes(state: &Arc<ProviderState>) -> Router<Arc<ProviderState>> {
    let table: [(Interaction, MethodRouter<Arc<ProviderState>>); 9] = [
        (Interaction::Metadata, get(metadata::read)),
        (Interaction::FindPatient, get(patient::find)),
        (Interaction::ReadPatient, get(patient::read)),
        (Interaction::RegisterPatient, post(register::register)),
        (Interaction::FindPractitioner, get(practitioner::find)),
        (Interaction::ReadPractitioner, get(practitioner::read)),
        (Interaction::FindOrganization, get(organisation::find)),
        (Interaction::ReadOrganization, get(organisation::read)),
        (Interaction::ReadLocation, get(location::read)),
    ];
    table
        .into_iter()
        .fold(Router::new(), |router, (interaction, handler)| {
            router.route(
                interaction.spec().path,
                guarded(state, &[interaction], handler),
            )
        })
}

/// A read response: the resource with its ETag. `ReadWrongId` swaps the id here, where reads are produced.
fn read_response(state: &ProviderState, mut resource: Value) -> Fhir {
    if state.faults.has(Fault::ReadWrongId) {
        let wrong = format!("{}-other", resource["id"].as_str().unwrap_or_default());
        resource["id"] = Value::from(wrong);
    }
    Fhir::resource(resource)
}
