//! Find and Read a practitioner (Find a practitioner; Read a practitioner).
//!
//! Find a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_practitioner.html>
//! Read a practitioner: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_practitioner.html>

use cucumber::then;

use super::{single_resource, version_before};
use crate::checks::{self};
use crate::steps::request::Subject;
use crate::steps::Assurance;
use crate::verdict::StepResult;

/// The Practitioner answered for `alias` follows CareConnect-GPC-Practitioner-1 as Foundations states,
/// with the SDS user id of the alias and the number of role profile ids its test data has.
#[then(
    expr = "the response holds the Practitioner of {string} with {int} SDS role profile ids conforming to CareConnect-GPC-Practitioner-1"
)]
async fn practitioner_conforms(w: &mut Assurance, alias: String, roles: usize) -> StepResult {
    let sds = w.alias(Subject::Practitioner, &alias)?;
    let p = single_resource(w, "Practitioner")?;
    // Practitioner.name.family became optional in 1.6.2 (profile 1.3).
    let family_required = version_before(w, (1, 6, 2));
    Ok(checks::practitioner::conforms(
        &p,
        Some(&sds),
        Some(roles),
        family_required,
    )?)
}
