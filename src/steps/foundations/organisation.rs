//! Find and Read an organisation (Find an organisation; Read an organisation).
//!
//! Find an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_an_organisation.html>
//! Read an organisation: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_an_organisation.html>

use cucumber::then;

use super::single_resource;
use crate::checks::{self};
use crate::steps::request::Subject;
use crate::steps::Assurance;
use crate::verdict::StepResult;

/// The Organization answered for `alias` follows CareConnect-GPC-Organization-1 as Foundations states,
/// with the alias's ODS code.
#[then(
    expr = "the response holds the Organization of {string} conforming to CareConnect-GPC-Organization-1"
)]
async fn organisation_conforms(w: &mut Assurance, alias: String) -> StepResult {
    let ods = w.alias(Subject::Organization, &alias)?;
    let o = single_resource(w, "Organization")?;
    Ok(checks::organisation::conforms(&o, Some(&ods))?)
}
