//! A stub of the Personal Demographics Service, the national record Register-a-patient checks against
//! (Register a patient: provider processing step 1).
//!
//! It answers a Retrieval Query by NHS number and applies the spec's verification rule. Its people are the
//! register pool of [`crate::config::default_register_pool`] plus the practice's own patients with the
//! flags the official test data gives them (sensitive, superseded, deceased, absent).
//!
//! Register a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_register_a_patient.html>
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>

use std::collections::HashMap;

use crate::config::PdsPerson;

/// A PDS record flag that stops a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdsFlag {
    /// Sensitive (S-flagged): INVALID_PATIENT_DEMOGRAPHICS.
    Sensitive,
    /// Superseded by another NHS number: INVALID_NHS_NUMBER.
    Superseded,
    /// Marked invalid: INVALID_NHS_NUMBER.
    Invalid,
}

/// One person on PDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdsRecord {
    pub person: PdsPerson,
    pub flag: Option<PdsFlag>,
    /// Date of death, when PDS records one.
    pub deceased: Option<String>,
}

/// Outcome of comparing submitted demographics with PDS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    Verified,
    /// The family name differs from PDS (the official suite expects 400 BAD_REQUEST).
    FamilyMismatch,
    /// The date of birth does not satisfy the verification rule.
    NotVerified,
}

#[derive(Debug, Clone, Default)]
pub struct Pds {
    records: HashMap<String, PdsRecord>,
}

impl Pds {
    pub fn new(records: impl IntoIterator<Item = PdsRecord>) -> Pds {
        Pds {
            records: records
                .into_iter()
                .map(|r| (r.person.nhs_number.clone(), r))
                .collect(),
        }
    }

    /// Retrieval Query by NHS number.
    pub fn retrieve(&self, nhs_number: &str) -> Option<&PdsRecord> {
        self.records.get(nhs_number)
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// Find a patient, which patients are returned: verified when the DOB equals PDS exactly, or 2 of its 3 parts match and the first 3
/// characters of the family name and the first of the given name match. The family name must match PDS
/// in any case (official suite).
pub fn verify(
    pds: &PdsPerson,
    family: &str,
    given: Option<&str>,
    birth_date: &str,
) -> Verification {
    if !family.trim().eq_ignore_ascii_case(pds.family.trim()) {
        return Verification::FamilyMismatch;
    }
    if birth_date == pds.birth_date {
        return Verification::Verified;
    }
    let parts_matching = birth_date
        .split('-')
        .zip(pds.birth_date.split('-'))
        .filter(|(a, b)| a == b)
        .count();
    let prefix = |s: &str, n: usize| s.trim().to_lowercase().chars().take(n).collect::<String>();
    let family_ok = prefix(family, 3) == prefix(&pds.family, 3);
    let given_ok =
        given.is_some_and(|g| !g.trim().is_empty() && prefix(g, 1) == prefix(&pds.given, 1));
    if parts_matching >= 2 && family_ok && given_ok {
        Verification::Verified
    } else {
        Verification::NotVerified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PdsPerson {
        PdsPerson {
            nhs_number: "9651258500".into(),
            family: "REA".into(),
            given: "Clive".into(),
            gender: "male".into(),
            birth_date: "1951-03-10".into(),
        }
    }

    #[test]
    fn verification_rule() {
        let p = person();
        assert_eq!(
            verify(&p, "Rea", Some("Clive"), "1951-03-10"),
            Verification::Verified
        );
        assert_eq!(
            verify(&p, "Rea", Some("Clive"), "1951-03-11"),
            Verification::Verified
        );
        assert_eq!(
            verify(&p, "Rea", Some("Bob"), "1951-03-11"),
            Verification::NotVerified
        );
        assert_eq!(
            verify(&p, "Rea", Some("Clive"), "1952-04-10"),
            Verification::NotVerified
        );
        assert_eq!(
            verify(&p, "Reader", Some("Clive"), "1951-03-10"),
            Verification::FamilyMismatch
        );
    }
}
