//! Test patients (NHS Digital's provider test suite: test patients): who is active, sensitive, deceased, inactive, missing from PDS or
//! superseded there.
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>

use serde_json::{json, Value};

use super::{address, alias, phone};
use crate::config::{DataAliases, PdsPerson};
use crate::gpconnect::systems;
use crate::provider::pds::{PdsFlag, PdsRecord};
use crate::provider::state::{Name, PatientRecord, RegistrationStatus, RegistrationType};

/// The special state a test patient must be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Active, verified, on PDS.
    Active,
    /// PDS sensitive (S-flag): never shared.
    Sensitive,
    /// Deceased on the practice system and PDS, long ago.
    Deceased,
    /// Deceased on the practice system and PDS two weeks ago: within the 28 days after death in which
    /// Access Record HTML 0.7.4 still serves the record.
    RecentlyDeceased,
    /// Registration left (status inactive); still on PDS, so Register reactivates it.
    Inactive,
    /// Active at the practice but absent from PDS.
    NotOnPds,
    /// Not at the practice; PDS holds the number as superseded.
    SupersededOnPds,
}

struct Seed {
    alias: &'static str,
    family: &'static str,
    given: &'static str,
    prefix: &'static str,
    gender: &'static str,
    birth_date: &'static str,
    kind: Kind,
}

const fn p(
    alias: &'static str,
    family: &'static str,
    given: &'static str,
    prefix: &'static str,
    gender: &'static str,
    birth_date: &'static str,
    kind: Kind,
) -> Seed {
    Seed {
        alias,
        family,
        given,
        prefix,
        gender,
        birth_date,
        kind,
    }
}

const SEEDS: &[Seed] = &[
    p(
        "patient1",
        "WRIGHT",
        "Garth",
        "Mr",
        "male",
        "1940-02-13",
        Kind::Active,
    ),
    p(
        "patient2",
        "DAWKINS",
        "Cynthia",
        "Mrs",
        "female",
        "1951-07-19",
        Kind::Active,
    ),
    p(
        "patient3",
        "OXLEY",
        "Dennis",
        "Mr",
        "male",
        "1962-10-03",
        Kind::Active,
    ),
    p(
        "patient4",
        "MOSS",
        "Helen",
        "Ms",
        "female",
        "1975-04-22",
        Kind::Active,
    ),
    p(
        "patient5",
        "BROWN",
        "Peter",
        "Mr",
        "male",
        "1930-12-01",
        Kind::Active,
    ),
    p(
        "patient6",
        "HUGHES",
        "Ann",
        "Mrs",
        "female",
        "1948-05-30",
        Kind::Active,
    ),
    p(
        "patient7",
        "PATEL",
        "Ravi",
        "Mr",
        "male",
        "1983-08-14",
        Kind::Active,
    ),
    p(
        "patient8",
        "KHAN",
        "Sadia",
        "Miss",
        "female",
        "1999-01-09",
        Kind::Active,
    ),
    p(
        "patient9",
        "ALDER",
        "Samuel",
        "Mr",
        "male",
        "1971-06-18",
        Kind::Sensitive,
    ),
    p(
        "patient10",
        "BIRCH",
        "Joanne",
        "Ms",
        "female",
        "1966-11-25",
        Kind::Sensitive,
    ),
    p(
        "patient11",
        "CROFT",
        "Martin",
        "Mr",
        "male",
        "1958-03-07",
        Kind::SupersededOnPds,
    ),
    p(
        "patient12",
        "CARTER",
        "Lucy",
        "Mrs",
        "female",
        "1944-09-16",
        Kind::Active,
    ),
    p(
        "patient13",
        "DOYLE",
        "Mark",
        "Mr",
        "male",
        "1979-02-28",
        Kind::Active,
    ),
    p(
        "patient14",
        "EVANS",
        "Rhys",
        "Mr",
        "male",
        "1987-12-12",
        Kind::NotOnPds,
    ),
    p(
        "patient15",
        "FINCH",
        "Thomas",
        "Mr",
        "male",
        "1955-05-05",
        Kind::Active,
    ),
    p(
        "patient16",
        "GRANT",
        "Amy",
        "Miss",
        "female",
        "1992-07-21",
        Kind::Active,
    ),
    p(
        "patient17",
        "HOLT",
        "Neil",
        "Mr",
        "male",
        "1969-10-10",
        Kind::Active,
    ),
    p(
        "patient18",
        "IRWIN",
        "Sarah",
        "Mrs",
        "female",
        "1937-01-30",
        Kind::Deceased,
    ),
    p(
        "patient19",
        "JAMES",
        "Olu",
        "Mr",
        "male",
        "2001-04-04",
        Kind::Active,
    ),
    p(
        "patient20",
        "KERR",
        "Fiona",
        "Ms",
        "female",
        "1985-08-08",
        Kind::Active,
    ),
    p(
        "patient21",
        "LAWSON",
        "Ian",
        "Mr",
        "male",
        "1960-06-06",
        Kind::Inactive,
    ),
    p(
        "patientRecentlyDeceased",
        "MORLEY",
        "Edith",
        "Mrs",
        "female",
        "1932-03-19",
        Kind::RecentlyDeceased,
    ),
];

/// The practice's patient records (every seed except those only on PDS).
pub fn records(aliases: &DataAliases) -> Vec<PatientRecord> {
    SEEDS
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != Kind::SupersededOnPds)
        .map(|(i, s)| record(i, s, alias(&aliases.patients, s.alias)))
        .collect()
}

/// PDS's view of the same people.
pub fn pds_records(aliases: &DataAliases) -> Vec<PdsRecord> {
    SEEDS
        .iter()
        .filter(|s| s.kind != Kind::NotOnPds)
        .map(|s| PdsRecord {
            person: PdsPerson {
                nhs_number: alias(&aliases.patients, s.alias).to_string(),
                family: s.family.to_string(),
                given: s.given.to_string(),
                gender: s.gender.to_string(),
                birth_date: s.birth_date.to_string(),
            },
            flag: match s.kind {
                Kind::Sensitive => Some(PdsFlag::Sensitive),
                Kind::SupersededOnPds => Some(PdsFlag::Superseded),
                _ => None,
            },
            deceased: date_of_death(s.kind),
        })
        .collect()
}

const DATE_OF_DEATH: &str = "2005-01-13";

/// How many days before the provider started a recently deceased patient died.
pub const RECENT_DEATH_DAYS_AGO: i64 = 14;

/// The date of death of a deceased seed patient.
fn date_of_death(kind: Kind) -> Option<String> {
    match kind {
        Kind::Deceased => Some(DATE_OF_DEATH.to_string()),
        Kind::RecentlyDeceased => Some(
            (chrono::Utc::now().date_naive() - chrono::Duration::days(RECENT_DEATH_DAYS_AGO))
                .format("%Y-%m-%d")
                .to_string(),
        ),
        _ => None,
    }
}

fn record(index: usize, s: &Seed, nhs_number: &str) -> PatientRecord {
    let n = index + 1;
    PatientRecord {
        id: n.to_string(),
        version_id: format!("{}", 100 + n),
        nhs_number: nhs_number.to_string(),
        name: Name {
            family: s.family.into(),
            given: vec![s.given.into()],
            prefix: vec![s.prefix.into()],
        },
        gender: Some(s.gender.into()),
        birth_date: s.birth_date.into(),
        telecom: telecom(n),
        address: vec![address(
            "home",
            &[&format!("{n} Withington Lane"), "Shadwell"],
            "Leeds",
            "West Yorkshire",
            "LS18 1AE",
        )],
        contact: if n.is_multiple_of(2) {
            contact(n)
        } else {
            Vec::new()
        },
        communication: (n % 3 == 1).then(bengali),
        registration_type: RegistrationType::Regular,
        registration_status: if s.kind == Kind::Inactive {
            RegistrationStatus::Inactive
        } else {
            RegistrationStatus::Active
        },
        registration_start: "2010-04-01".into(),
        preferred_branch: Some(if n.is_multiple_of(4) { "2" } else { "1" }.to_string()),
        sensitive: s.kind == Kind::Sensitive,
        deceased: date_of_death(s.kind),
        multiple_birth: (s.kind == Kind::Deceased).then_some(2),
    }
}

fn telecom(n: usize) -> Vec<Value> {
    let mut t = vec![phone(&format!("0113 496 {:04}", n), "home")];
    if n % 2 == 1 {
        t.push(phone(&format!("07700 900{:03}", n), "mobile"));
    }
    t
}

fn contact(n: usize) -> Vec<Value> {
    vec![json!({
        "relationship": [{"text": "Next of kin"}],
        "name": {"use": "official", "family": "SMITH", "given": ["Alex"]},
        "telecom": [phone(&format!("0113 496 {:04}", 500 + n), "home")],
        "gender": "unknown",
    })]
}

/// A Bengali speaker who needs an interpreter.
fn bengali() -> Value {
    json!({
        "url": systems::EXT_NHS_COMMUNICATION,
        "extension": [
            {"url": "language", "valueCodeableConcept": {"coding": [{
                "system": systems::CS_HUMAN_LANGUAGE, "code": "bn", "display": "Bengali"}]}},
            {"url": "preferred", "valueBoolean": false},
            {"url": "interpreterRequired", "valueBoolean": true},
        ],
    })
}
