//! The test practice the embedded provider starts with, matching the aliases of
//! [`crate::config::DataAliases::default`] and the required states of the official test data
//! (NHS Digital's provider test suite: test data prerequisites).
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>

pub mod organisations;
mod patients;
mod practitioners;

use serde_json::{json, Value};

use super::pds::{Pds, PdsRecord};
use super::state::Store;
use super::ProviderSettings;
use crate::config::{default_register_pool, DataAliases};

/// The practice system's records.
pub fn store(settings: &ProviderSettings) -> Store {
    let aliases = DataAliases::default();
    let mut store = Store::default();
    store.patients = patients::records(&aliases);
    store.practitioners = practitioners::records(&aliases);
    store.organizations = organisations::organizations(&aliases, &settings.ods_code);
    store.locations = organisations::locations();
    // Seeded records use ids and versions below these; new records get fresh ones.
    store.reserve(1000, 1000);
    store
}

/// PDS: the register pool plus the practice's patients with their PDS flags.
pub fn pds() -> Pds {
    let aliases = DataAliases::default();
    let pool = default_register_pool().into_iter().map(|person| PdsRecord {
        person,
        flag: None,
        deceased: None,
    });
    Pds::new(pool.chain(patients::pds_records(&aliases)))
}

/// The NHS number (or other identifier) an alias maps to in the default aliases.
fn alias<'a>(map: &'a std::collections::BTreeMap<String, String>, name: &str) -> &'a str {
    map.get(name).map(String::as_str).unwrap_or_default()
}

/// A work or home phone ContactPoint.
fn phone(value: &str, use_: &str) -> Value {
    json!({"system": "phone", "value": value, "use": use_})
}

/// An Address of the given `use`.
fn address(use_: &str, lines: &[&str], city: &str, district: &str, postcode: &str) -> Value {
    json!({
        "use": use_,
        "type": "physical",
        "line": lines,
        "city": city,
        "district": district,
        "postalCode": postcode,
        "country": "GBR",
    })
}
