//! What NHS England's provider test data promises each test patient holds in the structured record
//! (the TD005750 pack and the provider test suite's prerequisites), as data.
//!
//! A completeness check needs something to find: when a filter's oracle (the patient's unfiltered
//! record) holds nothing the filter must return, the check cannot pass or fail and is inconclusive. For
//! a patient the test data promises content for, the reason names that promise, so the supplier knows
//! their test data, not the scenario, is what is missing.

use super::structured::{Area, Version};

/// Content a test patient's record is promised to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promise {
    /// The test-data name (`patient2`).
    pub patient: &'static str,
    /// The clinical areas the promise covers.
    pub areas: &'static [Area],
    /// The first structured version whose test data makes the promise.
    pub since: Version,
    /// What is promised, in the pack's words.
    pub what: &'static str,
}

/// Every promise of the test data.
pub const PROMISES: &[Promise] = &[
    Promise {
        patient: "patient2",
        areas: &[Area::Allergies, Area::Medication],
        since: (1, 2, 0),
        what: "current and resolved allergies, and medications going back at least three years",
    },
    Promise {
        patient: "patient2",
        areas: Area::ALL,
        since: (1, 6, 0),
        what: "data in every clinical area, linked to problems",
    },
    Promise {
        patient: "patient3",
        areas: &[Area::Allergies, Area::Medication],
        since: (1, 2, 0),
        what: "allergies and past medications",
    },
    Promise {
        patient: "patient3",
        areas: Area::ALL,
        since: (1, 6, 0),
        what: "data in every clinical area",
    },
    Promise {
        patient: "patient5",
        areas: &[Area::Medication],
        since: (1, 2, 0),
        what: "current and repeat medications",
    },
    Promise {
        patient: "patient6",
        areas: &[Area::Allergies],
        since: (1, 2, 0),
        what: "allergies",
    },
    Promise {
        patient: "patient12",
        areas: &[Area::Medication],
        since: (1, 2, 0),
        what: "past medications",
    },
];

/// What the test data promises `patient` holds in `area` at version `v`, if anything.
pub fn promised(patient: &str, area: Area, v: Version) -> Option<&'static str> {
    PROMISES
        .iter()
        .rev()
        .find(|p| p.patient == patient && v >= p.since && p.areas.contains(&area))
        .map(|p| p.what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promises_depend_on_patient_area_and_version() {
        assert_eq!(
            promised("patient2", Area::Diary, (1, 6, 2)),
            Some("data in every clinical area, linked to problems")
        );
        assert_eq!(promised("patient2", Area::Diary, (1, 2, 7)), None);
        assert!(promised("patient2", Area::Medication, (1, 2, 7)).is_some());
        assert_eq!(promised("patient1", Area::Medication, (1, 6, 2)), None);
        assert_eq!(promised("patient5", Area::Allergies, (1, 6, 2)), None);
    }
}
