//! Test organisations and branch-surgery locations (NHS Digital's provider test suite: test organisations, practitioners and locations): ORG1 is the practice the
//! service root addresses; Locations 1 and 2 are its surgeries, Location 3 belongs to ORG2.
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>

use super::{address, alias, phone};
use crate::config::DataAliases;
use crate::provider::state::{LocationRecord, OrganizationRecord};

/// Logical id of the practice's own Organization (ORG1).
pub const PRACTICE_ORGANIZATION_ID: &str = "1";

pub fn organizations(aliases: &DataAliases, practice_ods_code: &str) -> Vec<OrganizationRecord> {
    let org = |id: &str, ods: &str, name: &str, town: &str, postcode: &str| OrganizationRecord {
        id: id.to_string(),
        version_id: format!("3{id}"),
        ods_code: ods.to_string(),
        name: name.to_string(),
        telecom: vec![phone("0300 303 5678", "work")],
        address: vec![address(
            "work",
            &["1 Market Street"],
            town,
            "West Yorkshire",
            postcode,
        )],
    };
    vec![
        org(
            PRACTICE_ORGANIZATION_ID,
            practice_ods_code,
            "GPC ASSURE TEST PRACTICE",
            "Leeds",
            "LS1 6AE",
        ),
        org(
            "2",
            alias(&aliases.organizations, "ORG2"),
            "GPC ASSURE TEST TRUST",
            "Wakefield",
            "WF1 1AA",
        ),
        org(
            "3",
            alias(&aliases.organizations, "ORG3"),
            "GPC ASSURE URGENT CARE",
            "Bradford",
            "BD1 1AA",
        ),
    ]
}

pub fn locations() -> Vec<LocationRecord> {
    let loc = |id: &str, name: &str, site: &str, org: &str| LocationRecord {
        id: id.to_string(),
        version_id: format!("4{id}"),
        name: name.to_string(),
        site_code: Some(site.to_string()),
        managing_organization: org.to_string(),
        telecom: vec![phone("0300 303 5679", "work")],
        address: Some(address(
            "work",
            &[&format!("{id} Surgery Road")],
            "Leeds",
            "West Yorkshire",
            "LS2 7UE",
        )),
    };
    vec![
        loc(
            "1",
            "GPC ASSURE MAIN SURGERY",
            "Z26556",
            PRACTICE_ORGANIZATION_ID,
        ),
        loc(
            "2",
            "GPC ASSURE BRANCH SURGERY",
            "Z33432",
            PRACTICE_ORGANIZATION_ID,
        ),
        loc("3", "GPC ASSURE TRUST SITE", "Z33433", "2"),
    ]
}
