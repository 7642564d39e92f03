//! Find and Read a patient (Find a patient: which patients are returned, response; Read a patient).
//!
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>
//! Read a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_patient.html>

use cucumber::then;

use super::{follow_up, single_resource};
use crate::checks::{self};
use crate::gpconnect::systems;
use crate::gpconnect::Interaction;
use crate::steps::request::Subject;
use crate::steps::Assurance;
use crate::verdict::StepResult;

/// The Patient answered for `alias` follows every CareConnect-GPC-Patient-1 rule Foundations states and
/// carries the alias's NHS number.
#[then(expr = "the response holds the Patient of {string} conforming to CareConnect-GPC-Patient-1")]
async fn patient_conforms(w: &mut Assurance, alias: String) -> StepResult {
    let nhs = w.alias(Subject::Patient, &alias)?;
    let p = single_resource(w, "Patient")?;
    Ok(checks::patient::conforms(&p, Some(&nhs))?)
}

#[then("the patient carries the registration details extension once")]
async fn registration_details_once(w: &mut Assurance) -> StepResult {
    let p = single_resource(w, "Patient")?;
    Ok(checks::patient::has_registration_details(&p)?)
}

/// `managingOrganization` is the organisation addressed by the ODS code of the service root
/// (Find a patient: response), learnt by reading the reference.
#[then("the patient's managing organisation is the practice addressed by the service root")]
async fn managing_organisation(w: &mut Assurance) -> StepResult {
    let p = single_resource(w, "Patient")?;
    let id = checks::patient::managing_organisation(&p)?.to_string();
    let spec = w.new_request(Interaction::ReadOrganization, Some(&id));
    let org = follow_up(
        w,
        spec,
        &format!("reading the managing organisation Organization/{id}"),
    )
    .await?;
    let ods = w.ctx.config.target.provider_ods_code.clone();
    Ok(
        checks::organisation::conforms(&org, Some(&ods)).map_err(|e| {
            crate::checks::response::in_context(
                format_args!("the managing organisation Organization/{id}"),
                e,
            )
        })?,
    )
}

/// `registrationDetails.preferredBranchSurgery` is populated and is a Location of the patient's practice.
#[then("the patient's preferred branch surgery is a Location managed by that practice")]
async fn preferred_branch(w: &mut Assurance) -> StepResult {
    let p = single_resource(w, "Patient")?;
    let org = checks::patient::managing_organisation(&p)?.to_string();
    let id = checks::patient::preferred_branch_surgery(&p)
        .ok_or_else(|| {
            format!(
                "the Patient has no registrationDetails.preferredBranchSurgery (extension {})",
                systems::EXT_REGISTRATION_DETAILS
            )
        })?
        .to_string();
    let spec = w.new_request(Interaction::ReadLocation, Some(&id));
    let location = follow_up(
        w,
        spec,
        &format!("reading the preferred branch surgery Location/{id}"),
    )
    .await?;
    checks::location::conforms(&location).map_err(|e| {
        crate::checks::response::in_context(
            format_args!("the preferred branch surgery Location/{id}"),
            e,
        )
    })?;
    let managing = checks::location::managing_organisation(&location)?;
    Ok(checks::ensure(managing == org, || {
        format!("the preferred branch surgery Location/{id} is managed by Organization/{managing}, not the patient's practice Organization/{org}")
    })?)
}
