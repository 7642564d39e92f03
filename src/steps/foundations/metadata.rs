//! Get the capability statement (Get the FHIR capability statement).
//!
//! Get the FHIR capability statement: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html>

use cucumber::then;

use crate::checks::{self, capability};
use crate::steps::Assurance;
use crate::verdict::StepResult;

#[then("the response is a CapabilityStatement with the fixed GP Connect elements")]
async fn fixed(w: &mut Assurance) -> StepResult {
    Ok(capability::fixed_elements(&*w.resource()?)?)
}

#[then("the CapabilityStatement declares the XML format")]
async fn declares_xml(w: &mut Assurance) -> StepResult {
    Ok(capability::declares_xml(&*w.resource()?)?)
}

#[then("the CapabilityStatement version is the GP Connect version of the target")]
async fn version(w: &mut Assurance) -> StepResult {
    let expected = w.ctx.config.target.gpconnect_version.clone();
    Ok(capability::version_is(&*w.resource()?, &expected)?)
}

#[then(expr = "the CapabilityStatement lists {word} with the {string} interaction")]
async fn interaction(w: &mut Assurance, ty: String, code: String) -> StepResult {
    Ok(capability::has_interaction(&*w.resource()?, &ty, &code)?)
}

#[then(
    expr = "the CapabilityStatement lists {word} with the search parameter {string} of type {string}"
)]
async fn search_param(
    w: &mut Assurance,
    ty: String,
    name: String,
    param_type: String,
) -> StepResult {
    Ok(capability::has_search_param(
        &*w.resource()?,
        &ty,
        &name,
        &param_type,
    )?)
}

#[then(expr = "the CapabilityStatement lists {word} with the search include {string}")]
async fn search_include(w: &mut Assurance, ty: String, include: String) -> StepResult {
    Ok(capability::has_search_include(
        &*w.resource()?,
        &ty,
        &include,
    )?)
}

#[then(expr = "the CapabilityStatement says {word} {word} is {word}")]
async fn resource_flag(
    w: &mut Assurance,
    ty: String,
    element: String,
    value: String,
) -> StepResult {
    let expected = value
        .parse::<bool>()
        .map_err(|_| format!("{value:?} is not true or false"))?;
    Ok(capability::resource_flag(
        &*w.resource()?,
        &ty,
        &element,
        expected,
    )?)
}

/// The operation references its OperationDefinition, at the version the target's GP Connect version pins.
#[then(
    expr = "the CapabilityStatement declares the operation {string} with its OperationDefinition"
)]
async fn operation(w: &mut Assurance, name: String) -> StepResult {
    let (canonical, pinned) =
        capability::operation_definition(&name, &w.ctx.config.target.gpconnect_version)
            .ok_or_else(|| format!("{name:?} is not a Foundations operation"))?;
    Ok(capability::has_operation(
        &*w.resource()?,
        &name,
        canonical,
        pinned,
    )?)
}

#[then(expr = "the CapabilityStatement lists the profile {string}")]
async fn profile(w: &mut Assurance, name: String) -> StepResult {
    let url = capability::listed_profile(&name)
        .ok_or_else(|| format!("{name:?} is not a profile the Foundations statement lists"))?;
    Ok(checks::capability::lists_profile(&*w.resource()?, url)?)
}
