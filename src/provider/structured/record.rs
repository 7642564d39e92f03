//! The clinical records of the structured test patients (NHS Digital's provider test suite: test patients), as the GP system holds
//! them: plain items with dates, codes and links, rendered to FHIR by [`super::render`].
//!
//! Dates are offsets from today, so that "three years back", "future" and "diary dates ahead" keep their
//! meaning whenever the suite runs. Each patient holds what its row of the official test-data sheet asks
//! for, so a consumer of the official data and the embedded provider agree on who has what.
//!
//! NHS Digital's provider test suite: <https://github.com/nhsconnect/gpconnect-provider-testing>

use chrono::{Duration, NaiveDate};

use crate::config::DataAliases;
use crate::gpconnect::structured::Area;

/// A SNOMED code and its display.
pub type Code = (&'static str, &'static str);

/// Prescription type of a medication authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prescription {
    Acute,
    Repeat,
}

/// What kind of clinical item, with the fields only that kind has.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// `ended`: `Some(reason)` for a resolved allergy; a `None` reason is a legacy record without one.
    Allergy {
        category: &'static str,
        ended: Option<(NaiveDate, Option<&'static str>)>,
    },
    /// A medication authorisation (MedicationStatement + plan + Medication) with its issue dates.
    Medication {
        medicine: Code,
        prescription: Prescription,
        issues: Vec<NaiveDate>,
        elsewhere: bool,
    },
    Problem {
        active: bool,
        major: bool,
        links: Vec<&'static str>,
        related: Option<&'static str>,
    },
    Encounter {
        topics: Vec<Topic>,
    },
    Immunisation {
        given: bool,
    },
    /// An uncategorised Observation; `immunisation_status` marks consent/dissent observations returned with
    /// immunisations (`includeStatus`).
    Observation {
        value: &'static str,
        immunisation_status: bool,
    },
    /// A DiagnosticReport with its test group, result, filing comment, Specimen and ProcedureRequest.
    Investigation,
    /// `entered_in_error` referrals are never returned.
    Referral {
        entered_in_error: bool,
    },
    /// Only incomplete (`active`) diary entries are returned.
    Diary {
        complete: bool,
    },
}

/// A consultation topic: an optional problem and its headings of item keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub problem: Option<&'static str>,
    pub headings: Vec<(&'static str, Vec<&'static str>)>,
}

/// One item of a patient's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Unique within the patient, e.g. `alg1`.
    pub key: &'static str,
    pub area: Area,
    pub code: Code,
    /// The date the area's filter applies to (onset, effective start, encounter start, issued, authored,
    /// due date).
    pub date: NaiveDate,
    /// End of the effective period where there is one.
    pub end: Option<NaiveDate>,
    /// Confidential: withheld (with a `confidential-items` warning) unless migrated with sensitive data.
    pub confidential: bool,
    pub detail: Detail,
}

/// A patient's structured record and its record-level flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClinicalRecord {
    pub items: Vec<Item>,
    /// Record transfer from the previous practice incomplete: every List carries `data-in-transit`.
    pub in_transit: bool,
    /// Third-party data awaiting filing: allergy and medication Lists carry `data-awaiting-filing`.
    pub awaiting_filing: bool,
    /// The patient dissented from sharing their record: NO_PATIENT_CONSENT.
    pub dissent: bool,
}

impl ClinicalRecord {
    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// The problems that link to `key` (directly, or as the related problem of a problem).
    pub fn problems_linking(&self, key: &str) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| match &i.detail {
                Detail::Problem { links, related, .. } => {
                    links.contains(&key) || *related == Some(key)
                }
                _ => false,
            })
            .collect()
    }
}

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    today + Duration::days(offset)
}

/// Builds items with dates relative to `today`.
struct Builder {
    today: NaiveDate,
    items: Vec<Item>,
}

impl Builder {
    fn push(
        &mut self,
        key: &'static str,
        area: Area,
        code: Code,
        at: i64,
        end: Option<i64>,
        detail: Detail,
    ) -> &mut Item {
        let (today, idx) = (self.today, self.items.len());
        self.items.push(Item {
            key,
            area,
            code,
            date: day(today, at),
            end: end.map(|e| day(today, e)),
            confidential: false,
            detail,
        });
        &mut self.items[idx]
    }

    fn allergy(
        &mut self,
        key: &'static str,
        code: Code,
        category: &'static str,
        at: i64,
    ) -> &mut Item {
        self.push(
            key,
            Area::Allergies,
            code,
            at,
            None,
            Detail::Allergy {
                category,
                ended: None,
            },
        )
    }

    fn ended_allergy(
        &mut self,
        key: &'static str,
        code: Code,
        at: i64,
        ended: i64,
        reason: Option<&'static str>,
    ) -> &mut Item {
        let end = day(self.today, ended);
        self.push(
            key,
            Area::Allergies,
            code,
            at,
            None,
            Detail::Allergy {
                category: "medication",
                ended: Some((end, reason)),
            },
        )
    }

    fn medication(
        &mut self,
        key: &'static str,
        medicine: Code,
        prescription: Prescription,
        start: i64,
        end: Option<i64>,
        issues: &[i64],
    ) -> &mut Item {
        let issues = issues.iter().map(|o| day(self.today, *o)).collect();
        let detail = Detail::Medication {
            medicine,
            prescription,
            issues,
            elsewhere: false,
        };
        self.push(key, Area::Medication, medicine, start, end, detail)
    }

    fn problem(
        &mut self,
        key: &'static str,
        code: Code,
        at: i64,
        (active, major): (bool, bool),
        links: &[&'static str],
        related: Option<&'static str>,
    ) {
        self.push(
            key,
            Area::Problems,
            code,
            at,
            None,
            Detail::Problem {
                active,
                major,
                links: links.to_vec(),
                related,
            },
        );
    }

    fn encounter(&mut self, key: &'static str, at: i64, topics: Vec<Topic>) {
        self.push(
            key,
            Area::Consultations,
            codes::CONSULTATION,
            at,
            Some(at),
            Detail::Encounter { topics },
        );
    }

    fn simple(
        &mut self,
        key: &'static str,
        area: Area,
        code: Code,
        at: i64,
        detail: Detail,
    ) -> &mut Item {
        self.push(key, area, code, at, None, detail)
    }
}

/// SNOMED codes of the seeded items.
pub mod codes {
    use super::Code;
    pub const PENICILLIN_ALLERGY: Code = ("91936005", "Allergy to penicillin");
    pub const DUST_MITE_ALLERGY: Code = ("232347008", "House dust mite allergy");
    pub const EGG_ALLERGY: Code = ("91930004", "Allergy to eggs");
    pub const LATEX_ALLERGY: Code = ("300916003", "Latex allergy");
    pub const ASPIRIN_ALLERGY: Code = ("293586001", "Allergy to aspirin");
    pub const AMOXICILLIN: Code = ("324252006", "Amoxicillin 500mg capsules");
    pub const SALBUTAMOL: Code = (
        "320176004",
        "Salbutamol 100micrograms/dose inhaler CFC free",
    );
    pub const RAMIPRIL: Code = ("408051007", "Ramipril 5mg capsules");
    pub const PARACETAMOL: Code = ("322236009", "Paracetamol 500mg tablets");
    pub const ATORVASTATIN: Code = ("320000009", "Atorvastatin 20mg tablets");
    pub const SERTRALINE: Code = ("321949006", "Sertraline 50mg tablets");
    pub const ASTHMA: Code = ("195967001", "Asthma");
    pub const HYPERTENSION: Code = ("38341003", "Hypertensive disorder");
    pub const FRACTURE: Code = ("263225007", "Fracture of radius");
    pub const CONSULTATION: Code = ("11429006", "Consultation");
    pub const FLU_VACCINATION: Code = (
        "86198006",
        "Administration of vaccine product containing only Influenza virus antigen",
    );
    pub const TETANUS_VACCINATION: Code = ("127786006", "Tetanus vaccination");
    pub const FLU_CONSENT: Code = ("310578008", "Immunisation consent given");
    pub const BODY_WEIGHT: Code = ("27113001", "Body weight");
    pub const BLOOD_PRESSURE: Code = ("75367002", "Blood pressure");
    pub const SMOKER: Code = ("77176002", "Smoker");
    pub const FULL_BLOOD_COUNT: Code = ("26604007", "Full blood count");
    pub const LIPID_PROFILE: Code = ("16254007", "Lipid panel");
    pub const CARDIOLOGY_REFERRAL: Code = ("306206005", "Referral to cardiology service");
    pub const PHYSIO_REFERRAL: Code = ("183570003", "Referral to physiotherapist");
    pub const MEDICATION_REVIEW: Code = ("394720003", "Review of medication");
    pub const ASTHMA_REVIEW: Code = ("390877007", "Asthma follow-up");
}

use codes::*;

/// The full record of patient2: data in every area, linked to problems, with a confidential medication.
fn full_record(b: &mut Builder, linked: bool) {
    b.allergy("alg1", PENICILLIN_ALLERGY, "medication", -900);
    b.allergy("alg2", DUST_MITE_ALLERGY, "environment", -400);
    b.ended_allergy("alg3", EGG_ALLERGY, -3000, -200, Some("Outgrown"));
    b.medication(
        "med1",
        SALBUTAMOL,
        Prescription::Repeat,
        -2000,
        None,
        &[-2000, -1000, -30],
    );
    b.medication(
        "med2",
        PARACETAMOL,
        Prescription::Acute,
        -1500,
        None,
        &[-1500],
    );
    b.medication("med3", AMOXICILLIN, Prescription::Acute, -20, None, &[-20]);
    b.medication(
        "med4",
        ATORVASTATIN,
        Prescription::Repeat,
        -2500,
        Some(-1200),
        &[-2500, -1800],
    );
    if let Detail::Medication { elsewhere, .. } = &mut b
        .medication("med5", RAMIPRIL, Prescription::Repeat, -2600, None, &[])
        .detail
    {
        *elsewhere = true;
    }
    b.medication("med6", SERTRALINE, Prescription::Acute, -50, None, &[-50])
        .confidential = true;
    b.simple(
        "obs1",
        Area::Uncategorised,
        BODY_WEIGHT,
        -50,
        Detail::Observation {
            value: "72 kg",
            immunisation_status: false,
        },
    );
    b.simple(
        "obs2",
        Area::Uncategorised,
        BLOOD_PRESSURE,
        -400,
        Detail::Observation {
            value: "128/82 mmHg",
            immunisation_status: false,
        },
    );
    b.simple(
        "obs3",
        Area::Uncategorised,
        SMOKER,
        -1200,
        Detail::Observation {
            value: "Current smoker",
            immunisation_status: false,
        },
    );
    b.simple(
        "obs4",
        Area::Uncategorised,
        BODY_WEIGHT,
        -30,
        Detail::Observation {
            value: "71 kg",
            immunisation_status: false,
        },
    )
    .confidential = true;
    b.simple(
        "imm1",
        Area::Immunisations,
        FLU_VACCINATION,
        -300,
        Detail::Immunisation { given: true },
    );
    b.simple(
        "imm2",
        Area::Immunisations,
        TETANUS_VACCINATION,
        -100,
        Detail::Immunisation { given: false },
    );
    b.simple(
        "ims1",
        Area::Immunisations,
        FLU_CONSENT,
        -310,
        Detail::Observation {
            value: "Consent given",
            immunisation_status: true,
        },
    );
    b.simple(
        "inv1",
        Area::Investigations,
        FULL_BLOOD_COUNT,
        -60,
        Detail::Investigation,
    );
    b.simple(
        "inv2",
        Area::Investigations,
        LIPID_PROFILE,
        -700,
        Detail::Investigation,
    );
    b.simple(
        "ref1",
        Area::Referrals,
        CARDIOLOGY_REFERRAL,
        -90,
        Detail::Referral {
            entered_in_error: false,
        },
    );
    b.simple(
        "ref2",
        Area::Referrals,
        PHYSIO_REFERRAL,
        -900,
        Detail::Referral {
            entered_in_error: false,
        },
    );
    b.simple(
        "ref3",
        Area::Referrals,
        PHYSIO_REFERRAL,
        -95,
        Detail::Referral {
            entered_in_error: true,
        },
    );
    b.simple(
        "dry1",
        Area::Diary,
        MEDICATION_REVIEW,
        30,
        Detail::Diary { complete: false },
    );
    b.simple(
        "dry2",
        Area::Diary,
        ASTHMA_REVIEW,
        400,
        Detail::Diary { complete: false },
    );
    b.simple(
        "dry3",
        Area::Diary,
        ASTHMA_REVIEW,
        -40,
        Detail::Diary { complete: true },
    );
    b.simple(
        "dry4",
        Area::Diary,
        MEDICATION_REVIEW,
        -10,
        Detail::Diary { complete: false },
    );
    let topic = |problem, headings| Topic { problem, headings };
    let (p1, p3) = if linked {
        (Some("prb1"), Some("prb3"))
    } else {
        (None, None)
    };
    b.encounter(
        "enc1",
        -10,
        vec![topic(
            p1,
            vec![("History", vec!["obs1"]), ("Medication", vec!["med3"])],
        )],
    );
    b.encounter(
        "enc2",
        -200,
        vec![topic(p3, vec![("Examination", vec!["obs2"])])],
    );
    b.encounter(
        "enc3",
        -800,
        vec![topic(None, vec![("Plan", vec!["ref2"])])],
    );
    b.encounter(
        "enc4",
        -1500,
        vec![topic(None, vec![("Medication", vec!["med2"])])],
    );
    b.encounter(
        "enc5",
        -2200,
        vec![topic(None, vec![("Examination", vec!["obs3"])])],
    );
    if linked {
        b.problem(
            "prb1",
            ASTHMA,
            -2000,
            (true, true),
            &["med1", "alg1", "imm1", "inv1", "ref1", "dry1", "obs1"],
            None,
        );
        b.problem(
            "prb2",
            FRACTURE,
            -1600,
            (false, false),
            &["enc4"],
            Some("prb1"),
        );
        b.problem("prb3", HYPERTENSION, -400, (true, false), &["obs2"], None);
    } else {
        b.problem("prb1", ASTHMA, -2000, (true, true), &[], None);
        b.problem("prb2", FRACTURE, -1600, (false, false), &[], None);
        b.problem("prb3", HYPERTENSION, -400, (true, false), &[], None);
    }
}

fn allergies_only(b: &mut Builder) {
    b.allergy("alg1", PENICILLIN_ALLERGY, "medication", -700);
    b.allergy("alg2", LATEX_ALLERGY, "environment", -300);
    b.ended_allergy("alg3", ASPIRIN_ALLERGY, -2000, -500, Some("Desensitised"));
}

fn past_medications(b: &mut Builder) {
    b.medication(
        "med1",
        AMOXICILLIN,
        Prescription::Acute,
        -1400,
        Some(-1393),
        &[-1400],
    );
    b.medication(
        "med2",
        ATORVASTATIN,
        Prescription::Repeat,
        -2400,
        Some(-600),
        &[-2400, -1200],
    );
}

/// The structured record of the patient with NHS number `nhs_number` on `today`.
pub fn record_for(nhs_number: &str, today: NaiveDate) -> ClinicalRecord {
    let aliases = DataAliases::default();
    let alias = aliases
        .patients
        .iter()
        .find(|(_, n)| n.as_str() == nhs_number)
        .map(|(a, _)| a.as_str())
        .unwrap_or_default();
    let mut b = Builder {
        today,
        items: Vec::new(),
    };
    let mut record = ClinicalRecord::default();
    match alias {
        "patient2" => full_record(&mut b, true),
        "patient3" => {
            full_record(&mut b, false);
            b.items.retain(|i| !i.confidential);
            for i in &mut b.items {
                if let Detail::Medication { .. } = i.detail {
                    i.end = Some(i.end.unwrap_or(i.date).min(today - Duration::days(1)));
                }
            }
        }
        "patient4" | "patient6" | "patient7" | "patient8" => allergies_only(&mut b),
        "patient5" => {
            b.medication(
                "med1",
                SALBUTAMOL,
                Prescription::Repeat,
                -700,
                None,
                &[-700, -400, -10],
            );
            b.medication("med2", AMOXICILLIN, Prescription::Acute, -5, None, &[-5]);
        }
        "patient12" => {
            past_medications(&mut b);
            if let Detail::Medication { elsewhere, .. } = &mut b
                .medication(
                    "med3",
                    RAMIPRIL,
                    Prescription::Repeat,
                    -3000,
                    Some(-2000),
                    &[],
                )
                .detail
            {
                *elsewhere = true;
            }
        }
        "patient13" => {
            allergies_only(&mut b);
            b.medication(
                "med1",
                SALBUTAMOL,
                Prescription::Repeat,
                -300,
                None,
                &[-300, -10],
            );
            record.in_transit = true;
        }
        "patient16" => {
            b.allergy("alg1", PENICILLIN_ALLERGY, "medication", -700);
            b.ended_allergy("alg2", EGG_ALLERGY, -4000, -3000, None);
            b.allergy("alg3", LATEX_ALLERGY, "environment", -100)
                .confidential = true;
            b.medication(
                "med1",
                SALBUTAMOL,
                Prescription::Repeat,
                -300,
                None,
                &[-300, -10],
            );
            b.simple(
                "ref1",
                Area::Referrals,
                CARDIOLOGY_REFERRAL,
                -90,
                Detail::Referral {
                    entered_in_error: false,
                },
            )
            .confidential = true;
            record.awaiting_filing = true;
        }
        "patient17" => {
            b.allergy("alg1", PENICILLIN_ALLERGY, "medication", -700);
            b.ended_allergy("alg2", EGG_ALLERGY, -3000, -1000, Some("Resolved"));
            b.allergy("alg3", DUST_MITE_ALLERGY, "environment", -60)
                .confidential = true;
        }
        "patient15" => {
            allergies_only(&mut b);
            record.dissent = true;
        }
        "patient21" | "patient18" | "patientRecentlyDeceased" => full_record(&mut b, true),
        _ => {}
    }
    record.items = b.items;
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn links_resolve_to_items() {
        let r = record_for("9690937286", today());
        for i in &r.items {
            if let Detail::Problem { links, related, .. } = &i.detail {
                for l in links.iter().chain(related.iter()) {
                    assert!(r.item(l).is_some(), "{} links to missing {l}", i.key);
                }
            }
            if let Detail::Encounter { topics } = &i.detail {
                for t in topics {
                    for (_, keys) in &t.headings {
                        for k in keys {
                            assert!(r.item(k).is_some(), "{} heading holds missing {k}", i.key);
                        }
                    }
                }
            }
        }
        assert_eq!(r.problems_linking("med1").len(), 1);
        assert!(r.problems_linking("med2").is_empty());
    }

    #[test]
    fn patients_have_their_test_data_state() {
        assert!(record_for("9690937278", today()).items.is_empty());
        assert!(record_for("9690938096", today()).in_transit);
        assert!(record_for("9690938576", today()).dissent);
        let p3 = record_for("9690937294", today());
        assert!(p3.items.iter().all(|i| !i.confidential));
        assert!(p3
            .items
            .iter()
            .filter(|i| i.area == Area::Medication)
            .all(|i| i.end.is_some_and(|e| e < today())));
    }
}
