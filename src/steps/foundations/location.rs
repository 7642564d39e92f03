//! Read a location.
//!
//! Read a location: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_read_a_location.html>

use cucumber::then;

use super::{follow_up, single_resource};
use crate::checks::{self};
use crate::gpconnect::Interaction;
use crate::steps::Assurance;
use crate::verdict::StepResult;

#[then("the response holds a Location conforming to CareConnect-GPC-Location-1")]
async fn location_conforms(w: &mut Assurance) -> StepResult {
    let l = single_resource(w, "Location")?;
    Ok(checks::location::conforms(&l)?)
}

/// `managingOrganization` (SHALL since 1.2.2) resolves: reading it gives a conformant Organization.
#[then("the location's managing organisation can be read as an Organization conforming to CareConnect-GPC-Organization-1")]
async fn managing_organisation_resolves(w: &mut Assurance) -> StepResult {
    let l = single_resource(w, "Location")?;
    let id = checks::location::managing_organisation(&l)?.to_string();
    let spec = w.new_request(Interaction::ReadOrganization, Some(&id));
    let org = follow_up(
        w,
        spec,
        &format!("reading the managing organisation Organization/{id}"),
    )
    .await?;
    Ok(checks::organisation::conforms(&org, None).map_err(|e| {
        crate::checks::response::in_context(
            format_args!("the managing organisation Organization/{id}"),
            e,
        )
    })?)
}
