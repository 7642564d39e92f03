//! Test practitioners (NHS Digital's provider test suite: test organisations, practitioners and locations): 0, 1 and 2 SDS role-profile identifiers; practitioner4
//! deliberately absent.
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>

use super::alias;
use crate::config::DataAliases;
use crate::provider::state::{Name, PractitionerRecord};

/// (alias, logical id, family, given, gender, role profile ids)
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const SEEDS: &[Seed] = &[
    ("practitioner1", "1", "GILBERT", "Nichole", "female", &[]),
    (
        "practitioner2",
        "2",
        "SLATER",
        "Kenneth",
        "male",
        &["112233445566"],
    ),
    (
        "practitioner3",
        "3",
        "PARSONS",
        "Meena",
        "female",
        &["223344556677", "334455667788"],
    ),
    (
        "practitioner5",
        "5",
        "OKAFOR",
        "Daniel",
        "male",
        &["445566778899"],
    ),
];

pub fn records(aliases: &DataAliases) -> Vec<PractitionerRecord> {
    SEEDS
        .iter()
        .map(
            |(name, id, family, given, gender, roles)| PractitionerRecord {
                id: id.to_string(),
                version_id: format!("2{id}"),
                sds_user_id: alias(&aliases.practitioners, name).to_string(),
                role_profile_ids: roles.iter().map(|r| r.to_string()).collect(),
                name: Name {
                    family: family.to_string(),
                    given: vec![given.to_string()],
                    prefix: vec!["Dr".into()],
                },
                gender: Some(gender.to_string()),
            },
        )
        .collect()
}
