//! Access Record Structured facts (Access Record Structured pages and the
//! CareConnect-GPC profiles of <https://github.com/nhsconnect/gpconnect-fhir>) as data: the `$gpc.getstructuredrecord`
//! parameters and their parts, the clinical areas with their List codes and titles, warning and
//! empty-reason codes, and the version rules that change behaviour between 1.2.x and 1.6.x.
//!
//! The harness (steps, checks) and the embedded provider both read these tables, so a code or a version
//! boundary is written once. Versions are `(major, minor, patch)` tuples, as [`super::version::parse_version`]
//! returns them.
//!
//! Retrieve a patient's structured record: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_retrieve_patient_record.html>
//! List: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_list.html>
//! Resources overview: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_resources_overview.html>
//! Consultations guidance: <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_consultation_guidance.html>

/// A GP Connect specification version.
pub type Version = (u32, u32, u32);

/// Parse `1.6.2` (or `1.6`) into a [`Version`].
pub fn version(v: &str) -> Option<Version> {
    super::version::parse_version(v)
}

/// The latest Access Record Structured version the harness and the embedded provider know.
pub const LATEST: Version = (1, 6, 2);

/// Version boundaries where behaviour changes (Retrieve a patient's structured record: request parameters, error handling, forwards compatibility warnings, response Bundle; List).
pub mod since {
    use super::Version;
    /// Unrecognised parameters give a 200 with a NOT_IMPLEMENTED warning instead of INVALID_RESOURCE.
    pub const FORWARD_COMPATIBILITY: Version = (1, 2, 4);
    /// `includePrescriptionIssues` becomes optional (default true).
    pub const OPTIONAL_PRESCRIPTION_ISSUES: Version = (1, 2, 6);
    /// Not-permitted part combinations with consultations / problems give INVALID_PARAMETER.
    pub const NOT_PERMITTED_COMBINATIONS: Version = (1, 3, 2);
    /// `Bundle.id` MUST equal the request's `Ssp-TraceID` (not populated before).
    pub const BUNDLE_ID_IS_TRACE_ID: Version = (1, 5, 0);
    /// Secondary Lists and linked problems (Conditions) are returned with every area.
    pub const SECONDARY_LISTS: Version = (1, 5, 0);
    /// Migrate structured record exists; List.source is not populated.
    pub const MIGRATE: Version = (1, 6, 0);
    /// `includeProblems` may be sent only once and `filterSignificance` is removed; the two predefined
    /// multi-area searches are exempt from the not-permitted combinations.
    pub const SINGLE_PROBLEMS_PARAMETER: Version = (1, 6, 2);
}

/// Parameter names.
pub mod param {
    pub const PATIENT_NHS_NUMBER: &str = "patientNHSNumber";
    pub const INCLUDE_ALLERGIES: &str = "includeAllergies";
    pub const INCLUDE_RESOLVED_ALLERGIES: &str = "includeResolvedAllergies";
    pub const INCLUDE_MEDICATION: &str = "includeMedication";
    pub const INCLUDE_PRESCRIPTION_ISSUES: &str = "includePrescriptionIssues";
    pub const MEDICATION_SEARCH_FROM_DATE: &str = "medicationSearchFromDate";
    pub const INCLUDE_CONSULTATIONS: &str = "includeConsultations";
    pub const CONSULTATION_SEARCH_PERIOD: &str = "consultationSearchPeriod";
    pub const INCLUDE_NUMBER_OF_MOST_RECENT: &str = "includeNumberOfMostRecent";
    pub const INCLUDE_PROBLEMS: &str = "includeProblems";
    pub const FILTER_STATUS: &str = "filterStatus";
    pub const FILTER_SIGNIFICANCE: &str = "filterSignificance";
    /// The 1.3.0 name of `includeProblems.filterStatus`.
    pub const PROBLEMS_STATUS_1_3_0: &str = "includeStatus";
    /// The 1.3.0 name of `includeProblems.filterSignificance` (a CodeableConcept then).
    pub const PROBLEMS_SIGNIFICANCE_1_3_0: &str = "includeSignificance";
    pub const INCLUDE_IMMUNISATIONS: &str = "includeImmunisations";
    pub const INCLUDE_NOT_GIVEN: &str = "includeNotGiven";
    pub const INCLUDE_STATUS: &str = "includeStatus";
    pub const INCLUDE_UNCATEGORISED_DATA: &str = "includeUncategorisedData";
    pub const UNCATEGORISED_DATA_SEARCH_PERIOD: &str = "uncategorisedDataSearchPeriod";
    pub const INCLUDE_INVESTIGATIONS: &str = "includeInvestigations";
    pub const INVESTIGATION_SEARCH_PERIOD: &str = "investigationSearchPeriod";
    pub const INCLUDE_REFERRALS: &str = "includeReferrals";
    pub const REFERRAL_SEARCH_PERIOD: &str = "referralSearchPeriod";
    pub const INCLUDE_DIARY_ENTRIES: &str = "includeDiaryEntries";
    pub const DIARY_ENTRIES_SEARCH_DATE: &str = "diaryEntriesSearchDate";
    /// Migrate only.
    pub const INCLUDE_FULL_RECORD: &str = "includeFullRecord";
    /// Migrate only.
    pub const INCLUDE_SENSITIVE_INFORMATION: &str = "includeSensitiveInformation";
}

/// A clinical area of the structured record (one `include*` parameter, one primary List).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Allergies,
    Medication,
    Consultations,
    Problems,
    Immunisations,
    Uncategorised,
    Investigations,
    Referrals,
    Diary,
}

impl Area {
    /// The clinical resource types an area returns as its items (GP Connect 1.6.0, "Retrieve a patient's structured record", the Bundle per clinical area), used to find an
    /// area's items across two responses.
    pub fn item_types(self) -> &'static [&'static str] {
        match self {
            Area::Allergies => &["AllergyIntolerance"],
            Area::Medication => &["MedicationStatement", "MedicationRequest"],
            Area::Consultations => &["Encounter"],
            Area::Problems => &["Condition"],
            Area::Immunisations => &["Immunization", "Observation"],
            Area::Uncategorised => &["Observation"],
            Area::Investigations => &[
                "DiagnosticReport",
                "Observation",
                "ProcedureRequest",
                "Specimen",
            ],
            Area::Referrals => &["ReferralRequest"],
            Area::Diary => &["ProcedureRequest"],
        }
    }
}

/// One row of the clinical-area table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaSpec {
    /// The `include*` parameter.
    pub parameter: &'static str,
    /// Name used in feature files, e.g. `allergies`.
    pub name: &'static str,
    /// The version that introduced the area.
    pub since: Version,
    /// SNOMED code of the primary List.
    pub list_code: &'static str,
    /// `List.title` (the "Using lists" page, authoritative for 1.6.x; List: List codes and titles).
    pub list_title: &'static str,
    /// The words used in secondary-list titles ("Problems - <words> related to problems").
    pub secondary_words: &'static str,
    /// The clinical-area word of the "items have been disabled" display.
    pub item_word: &'static str,
}

impl Area {
    pub const ALL: &'static [Area] = &[
        Area::Allergies,
        Area::Medication,
        Area::Consultations,
        Area::Problems,
        Area::Immunisations,
        Area::Uncategorised,
        Area::Investigations,
        Area::Referrals,
        Area::Diary,
    ];

    pub fn spec(self) -> AreaSpec {
        let row =
            |parameter, name, since, list_code, list_title, secondary_words, item_word| AreaSpec {
                parameter,
                name,
                since,
                list_code,
                list_title,
                secondary_words,
                item_word,
            };
        match self {
            Area::Allergies => row(
                param::INCLUDE_ALLERGIES,
                "allergies",
                (1, 2, 0),
                "886921000000105",
                "Allergies and adverse reactions",
                "allergies",
                "Allergy",
            ),
            Area::Medication => row(
                param::INCLUDE_MEDICATION,
                "medications",
                (1, 2, 0),
                "933361000000108",
                "Medications and medical devices",
                "medications",
                "Medication",
            ),
            Area::Consultations => row(
                param::INCLUDE_CONSULTATIONS,
                "consultations",
                (1, 3, 0),
                "1149501000000101",
                "List of consultations",
                "consultations",
                "Consultation",
            ),
            Area::Problems => row(
                param::INCLUDE_PROBLEMS,
                "problems",
                (1, 3, 0),
                "717711000000103",
                "Problems",
                "problems",
                "Problem",
            ),
            Area::Immunisations => row(
                param::INCLUDE_IMMUNISATIONS,
                "immunisations",
                (1, 3, 0),
                "1102181000000102",
                "Immunisations",
                "immunisations",
                "Immunisation",
            ),
            Area::Uncategorised => row(
                param::INCLUDE_UNCATEGORISED_DATA,
                "uncategorised data",
                (1, 3, 0),
                "826501000000100",
                "Uncategorised data",
                "uncategorised data",
                "Uncategorised data",
            ),
            Area::Investigations => row(
                param::INCLUDE_INVESTIGATIONS,
                "investigations",
                (1, 4, 0),
                "887191000000108",
                "Investigations and results",
                "investigations",
                "Investigation",
            ),
            Area::Referrals => row(
                param::INCLUDE_REFERRALS,
                "referrals",
                (1, 4, 0),
                "792931000000107",
                "Outbound referral",
                "outbound referrals",
                "Referral",
            ),
            Area::Diary => row(
                param::INCLUDE_DIARY_ENTRIES,
                "diary entries",
                (1, 5, 0),
                "714311000000108",
                "Patient recall administration",
                "diary entries",
                "Diary entry",
            ),
        }
    }

    /// The clinical profiles of the resources the area returns (besides List and the Bundle's
    /// Patient, Organization and Practitioner), as the structured capability statement lists them.
    pub fn profiles(self) -> &'static [&'static str] {
        match self {
            Area::Allergies => &[profiles::ALLERGY_INTOLERANCE],
            Area::Medication => &[
                profiles::MEDICATION,
                profiles::MEDICATION_STATEMENT,
                profiles::MEDICATION_REQUEST,
            ],
            Area::Consultations => &[profiles::ENCOUNTER],
            Area::Problems => &[profiles::PROBLEM_HEADER],
            Area::Immunisations => &[profiles::IMMUNIZATION],
            Area::Uncategorised => &[profiles::OBSERVATION],
            Area::Investigations => &[
                profiles::DIAGNOSTIC_REPORT,
                profiles::SPECIMEN,
                profiles::OBSERVATION,
                profiles::PROCEDURE_REQUEST,
            ],
            Area::Referrals => &[profiles::REFERRAL_REQUEST],
            Area::Diary => &[profiles::PROCEDURE_REQUEST],
        }
    }

    /// Look an area up by its feature-file name (`allergies`, `uncategorised data`...).
    pub fn from_name(name: &str) -> Option<Area> {
        let n = name.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.spec().name.eq_ignore_ascii_case(n))
    }

    /// Look an area up by its `include*` parameter.
    pub fn from_parameter(p: &str) -> Option<Area> {
        Self::ALL.iter().copied().find(|a| a.spec().parameter == p)
    }

    /// The areas a provider of `v` supports.
    pub fn supported(v: Version) -> Vec<Area> {
        Self::ALL
            .iter()
            .copied()
            .filter(|a| a.spec().since <= v)
            .collect()
    }

    /// The area's primary List code for `v` (consultations used "Consultation" in 1.3.1 and 1.4.x).
    pub fn list_code(self, v: Version) -> &'static str {
        if self == Area::Consultations && ((1, 3, 0)..(1, 5, 0)).contains(&v) && v != (1, 3, 2) {
            return list::CONSULTATION_CODE;
        }
        self.spec().list_code
    }

    /// The names of all areas, for error messages.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|a| a.spec().name).collect()
    }
}

/// The value type a part parameter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// `valueBoolean`.
    Boolean,
    /// `valueDate`, a whole date no later than today.
    DateNotAfterToday,
    /// `valueDate`, a whole date no earlier than today.
    DateNotBeforeToday,
    /// `valuePeriod` with whole dates, start ≤ end ≤ today.
    Period,
    /// `valuePositiveInt` (`valueInteger` accepted for 1.3.0/1.4.x) ≥ 1.
    PositiveInt,
    /// `valueCode` from a fixed set.
    Code(&'static [&'static str]),
    /// `valueCodeableConcept` whose coding's code is from a fixed set (1.3.0 `includeSignificance`).
    Concept(&'static [&'static str]),
}

impl PartKind {
    /// The `value[x]` element names this kind may arrive in.
    pub fn value_elements(self) -> &'static [&'static str] {
        match self {
            PartKind::Boolean => &["valueBoolean"],
            PartKind::DateNotAfterToday | PartKind::DateNotBeforeToday => &["valueDate"],
            PartKind::Period => &["valuePeriod"],
            PartKind::PositiveInt => &["valuePositiveInt", "valueInteger"],
            PartKind::Code(_) => &["valueCode"],
            PartKind::Concept(_) => &["valueCodeableConcept"],
        }
    }
}

/// Problem `filterStatus` codes (condition-clinical, as GP Connect restricts it).
pub const FILTER_STATUS_CODES: &[&str] = &["active", "inactive"];
/// Problem `filterSignificance` codes (≤1.6.1).
pub const FILTER_SIGNIFICANCE_CODES: &[&str] = &["major", "minor"];

/// One part parameter of an `include*` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartSpec {
    pub area: Area,
    pub name: &'static str,
    pub kind: PartKind,
    /// First version with the part.
    pub since: Version,
    /// Last version with the part (`None`: still current).
    pub until: Option<Version>,
    /// Versions in which the part is mandatory when its parent is sent.
    pub mandatory: Option<(Version, Version)>,
}

const NOW: Option<Version> = None;

/// Every part parameter (Retrieve a patient's structured record: request parameters).
pub const PARTS: &[PartSpec] = &[
    PartSpec {
        area: Area::Allergies,
        name: param::INCLUDE_RESOLVED_ALLERGIES,
        kind: PartKind::Boolean,
        since: (1, 2, 0),
        until: NOW,
        mandatory: Some(((1, 2, 0), (99, 0, 0))),
    },
    PartSpec {
        area: Area::Medication,
        name: param::INCLUDE_PRESCRIPTION_ISSUES,
        kind: PartKind::Boolean,
        since: (1, 2, 0),
        until: NOW,
        mandatory: Some(((1, 2, 0), (1, 2, 5))),
    },
    PartSpec {
        area: Area::Medication,
        name: param::MEDICATION_SEARCH_FROM_DATE,
        kind: PartKind::DateNotAfterToday,
        since: (1, 2, 2),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Consultations,
        name: param::CONSULTATION_SEARCH_PERIOD,
        kind: PartKind::Period,
        since: (1, 3, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Consultations,
        name: param::INCLUDE_NUMBER_OF_MOST_RECENT,
        kind: PartKind::PositiveInt,
        since: (1, 3, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Problems,
        name: param::PROBLEMS_STATUS_1_3_0,
        kind: PartKind::Code(FILTER_STATUS_CODES),
        since: (1, 3, 0),
        until: Some((1, 3, 0)),
        mandatory: None,
    },
    PartSpec {
        area: Area::Problems,
        name: param::PROBLEMS_SIGNIFICANCE_1_3_0,
        kind: PartKind::Concept(FILTER_SIGNIFICANCE_CODES),
        since: (1, 3, 0),
        until: Some((1, 3, 0)),
        mandatory: None,
    },
    PartSpec {
        area: Area::Problems,
        name: param::FILTER_STATUS,
        kind: PartKind::Code(FILTER_STATUS_CODES),
        since: (1, 3, 1),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Problems,
        name: param::FILTER_SIGNIFICANCE,
        kind: PartKind::Code(FILTER_SIGNIFICANCE_CODES),
        since: (1, 3, 1),
        until: Some((1, 6, 1)),
        mandatory: None,
    },
    PartSpec {
        area: Area::Immunisations,
        name: param::INCLUDE_NOT_GIVEN,
        kind: PartKind::Boolean,
        since: (1, 5, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Immunisations,
        name: param::INCLUDE_STATUS,
        kind: PartKind::Boolean,
        since: (1, 5, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Uncategorised,
        name: param::UNCATEGORISED_DATA_SEARCH_PERIOD,
        kind: PartKind::Period,
        since: (1, 3, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Investigations,
        name: param::INVESTIGATION_SEARCH_PERIOD,
        kind: PartKind::Period,
        since: (1, 4, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Referrals,
        name: param::REFERRAL_SEARCH_PERIOD,
        kind: PartKind::Period,
        since: (1, 4, 0),
        until: NOW,
        mandatory: None,
    },
    PartSpec {
        area: Area::Diary,
        name: param::DIARY_ENTRIES_SEARCH_DATE,
        kind: PartKind::DateNotBeforeToday,
        since: (1, 5, 0),
        until: NOW,
        mandatory: None,
    },
];

impl PartSpec {
    /// Whether a provider of `v` knows this part.
    pub fn supported(&self, v: Version) -> bool {
        self.since <= v && self.until.is_none_or(|u| v <= u) && self.area.spec().since <= v
    }

    /// Whether the part must be sent with its parent in `v`.
    pub fn mandatory_in(&self, v: Version) -> bool {
        self.mandatory
            .is_some_and(|(from, to)| from <= v && v <= to)
    }
}

/// The name a part has from 1.3.1 on: the 1.3.0 problem parts `includeStatus` and
/// `includeSignificance` became `filterStatus` and `filterSignificance`; other parts keep theirs.
pub fn current_part_name(area: Area, name: &'static str) -> &'static str {
    match (area, name) {
        (Area::Problems, param::PROBLEMS_STATUS_1_3_0) => param::FILTER_STATUS,
        (Area::Problems, param::PROBLEMS_SIGNIFICANCE_1_3_0) => param::FILTER_SIGNIFICANCE,
        _ => name,
    }
}

/// Whether top-level parameter `name` of the structured record operations may be sent with no
/// value and no part (`{"name": "includeProblems"}`): the clinical areas' `include*` parameters
/// and migrate's `includeFullRecord` (Access Record Structured, "Retrieve a patient's structured
/// record", request parameters: https://developer.nhs.uk/apis/gpconnect-1-5-0/accessrecord_structured_development_retrieve_patient_record.html).
/// FHIR's Parameters invariant inv-1 would require one; the operations make this exception.
pub fn valueless_parameter(name: &str) -> bool {
    name == param::INCLUDE_FULL_RECORD || Area::ALL.iter().any(|a| a.spec().parameter == name)
}

/// The code system of problem significance (`includeSignificance` in 1.3.0, the ProblemSignificance
/// extension).
pub const PROBLEM_SIGNIFICANCE_SYSTEM: &str =
    "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-ProblemSignificance-1";

/// The part `name` of `area`, if `v` knows it.
pub fn part(area: Area, name: &str, v: Version) -> Option<&'static PartSpec> {
    PARTS
        .iter()
        .find(|p| p.area == area && p.name == name && p.supported(v))
}

/// Parts that MUST NOT be sent together with `includeConsultations` (1.3.2+, Retrieve a patient's
/// structured record: not-permitted parameter combinations), each with the version that added it to the
/// list (1.5.0 extended it with the referral, diary and immunisation parts).
pub const NOT_WITH_CONSULTATIONS: &[(Area, &str, Version)] = &[
    (
        Area::Medication,
        param::MEDICATION_SEARCH_FROM_DATE,
        (1, 3, 2),
    ),
    (
        Area::Uncategorised,
        param::UNCATEGORISED_DATA_SEARCH_PERIOD,
        (1, 3, 2),
    ),
    (Area::Problems, param::FILTER_STATUS, (1, 3, 2)),
    (Area::Problems, param::FILTER_SIGNIFICANCE, (1, 3, 2)),
    (Area::Referrals, param::REFERRAL_SEARCH_PERIOD, (1, 5, 0)),
    (Area::Diary, param::DIARY_ENTRIES_SEARCH_DATE, (1, 5, 0)),
    (Area::Immunisations, param::INCLUDE_NOT_GIVEN, (1, 5, 0)),
    (Area::Immunisations, param::INCLUDE_STATUS, (1, 5, 0)),
];

/// Parts that MUST NOT be sent together with `includeProblems` (1.3.2+), as [`NOT_WITH_CONSULTATIONS`].
pub const NOT_WITH_PROBLEMS: &[(Area, &str, Version)] = &[
    (
        Area::Medication,
        param::MEDICATION_SEARCH_FROM_DATE,
        (1, 3, 2),
    ),
    (
        Area::Uncategorised,
        param::UNCATEGORISED_DATA_SEARCH_PERIOD,
        (1, 3, 2),
    ),
    (Area::Referrals, param::REFERRAL_SEARCH_PERIOD, (1, 5, 0)),
    (Area::Diary, param::DIARY_ENTRIES_SEARCH_DATE, (1, 5, 0)),
    (Area::Immunisations, param::INCLUDE_NOT_GIVEN, (1, 5, 0)),
    (Area::Immunisations, param::INCLUDE_STATUS, (1, 5, 0)),
];

/// Days before today of the `medicationSearchFromDate` of the 1.6.2 predefined multi-area searches.
pub const PREDEFINED_SEARCH_MEDICATION_DAYS: i64 = 365;
/// `includeNumberOfMostRecent` of the 1.6.2 predefined multi-area searches.
pub const PREDEFINED_SEARCH_CONSULTATIONS: i64 = 3;

/// List codes, systems and fixed texts (CareConnect-GPC-List-1, List).
pub mod list {
    /// "Ended allergies" primary List.
    pub const ENDED_ALLERGIES_CODE: &str = "1103671000000101";
    pub const ENDED_ALLERGIES_TITLE: &str = "Ended allergies";
    /// Consultation-structure lists (Consultations guidance: consultation Lists).
    pub const CONSULTATION_CODE: &str = "325851000000107";
    pub const CONSULTATION_DISPLAY: &str = "Consultation";
    pub const TOPIC_CODE: &str = "25851000000105";
    pub const TOPIC_DISPLAY: &str = "Topic (EHR)";
    pub const CATEGORY_CODE: &str = "24781000000107";
    pub const CATEGORY_DISPLAY: &str = "Category (EHR)";
    /// Code system of secondary lists (1.5.0+).
    pub const SECONDARY_SYSTEM: &str =
        "https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1";
    /// The one "linked problems" secondary list code.
    pub const LINKED_PROBLEMS_CODE: &str =
        "problems-linked-problems-not-relating-to-the-primary-query";
    pub const LINKED_PROBLEMS_TITLE: &str =
        "Problems - linked problems not relating to the primary query";
    /// Empty reason.
    pub const EMPTY_REASON_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1";
    pub const EMPTY_REASON_CODE: &str = "no-content-recorded";
    pub const EMPTY_REASON_DISPLAY: &str = "No Content Recorded";
    /// `List.note` of an empty List.
    pub const EMPTY_NOTE: &str = "Information not available";
    /// Extensions.
    pub const WARNING_CODE_EXTENSION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1";
    pub const WARNING_CODE_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListWarningCode-1";
    pub const CLINICAL_SETTING_EXTENSION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ClinicalSetting-1";
    pub const CLINICAL_SETTING: (&str, &str) = ("1060971000000108", "General practice service");
    pub const RELATED_PROBLEM_HEADER_EXTENSION: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedProblemHeader-1";

    /// A secondary list's code: `problems-medications-related-to-problems`.
    pub fn secondary_code(title: &str) -> String {
        title
            .to_ascii_lowercase()
            .replace(" - ", "-")
            .replace(' ', "-")
    }

    /// "Problems - medications related to problems" / "Consultations - medications contained in consultations".
    pub fn secondary_title(primary: super::Area, linked: super::Area) -> String {
        let words = linked.spec().secondary_words;
        match (primary, linked) {
            (super::Area::Consultations, super::Area::Referrals) => {
                "Consultations - outbound referrals in consultations".to_string()
            }
            (super::Area::Consultations, _) => {
                format!("Consultations - {words} contained in consultations")
            }
            (_, _) => format!("Problems - {words} related to problems"),
        }
    }
}

/// List warning codes (List: warning codes): code, display, note text (`{date}` = registration date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    ConfidentialItems,
    DataInTransit,
    DataAwaitingFiling,
}

impl Warning {
    pub const ALL: &'static [Warning] = &[
        Warning::ConfidentialItems,
        Warning::DataInTransit,
        Warning::DataAwaitingFiling,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Warning::ConfidentialItems => "confidential-items",
            Warning::DataInTransit => "data-in-transit",
            Warning::DataAwaitingFiling => "data-awaiting-filing",
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            Warning::ConfidentialItems => "Confidential Items",
            Warning::DataInTransit => "Data in Transit",
            Warning::DataAwaitingFiling => "Data Awaiting Filing",
        }
    }

    /// The `List.note` text; `date` (dd-Mmm-yyyy) replaces the placeholder where the text has one.
    pub fn note(self, v: Version, date: &str) -> String {
        match self {
            Warning::ConfidentialItems => "Items excluded due to confidentiality and/or patient preferences.".to_string(),
            Warning::DataInTransit => format!("Patient record transfer from previous GP practice not yet complete; information recorded before {date} may be missing."),
            Warning::DataAwaitingFiling if v < (1, 3, 0) => {
                "Patient data may be incomplete as there is data supplied by a third party awaiting review before becoming available.".to_string()
            }
            Warning::DataAwaitingFiling => format!("Patient record contains some items in the GP practice workflow that have not been reviewed for inclusion in this message; information recorded before {date} may be missing."),
        }
    }

    /// A pattern the note must match (the date placeholder as `\d{2}-[A-Z][a-z]{2}-\d{4}`).
    pub fn note_pattern(self, v: Version) -> String {
        regex::escape(&self.note(v, "\u{0}")).replace('\u{0}', r"\d{2}-[A-Z][a-z]{2}-\d{4}")
    }

    pub fn from_code(code: &str) -> Option<Warning> {
        Self::ALL.iter().copied().find(|w| w.code() == code)
    }
}

/// Texts of the forward-compatibility and disabled-area warnings (Retrieve a patient's structured record: forwards compatibility warnings).
pub mod warning_text {
    /// `details.text` of an unrecognised parameter or part (`name` is `param` or `param.part`).
    pub fn unrecognised(name: &str) -> String {
        format!("{name} is an unrecognised parameter")
    }
}

/// Clinical profiles returned by the structured record (unversioned canonical URLs).
pub mod profiles {
    pub use crate::gpconnect::systems::structured_profiles::{
        ALLERGY_INTOLERANCE, LIST, MEDICATION, MEDICATION_REQUEST, MEDICATION_STATEMENT,
    };
    pub const ENCOUNTER: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Encounter-1";
    pub const PROBLEM_HEADER: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-ProblemHeader-Condition-1";
    pub const IMMUNIZATION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Immunization-1";
    pub const OBSERVATION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Observation-1";
    pub const DIAGNOSTIC_REPORT: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-DiagnosticReport-1";
    pub const SPECIMEN: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Specimen-1";
    pub const PROCEDURE_REQUEST: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-ProcedureRequest-1";
    pub const REFERRAL_REQUEST: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-ReferralRequest-1";
    pub use crate::gpconnect::systems::profiles::{
        GET_STRUCTURED_RECORD_OPERATION, MIGRATE_STRUCTURED_RECORD_OPERATION,
    };
}

/// Code systems and extension URLs of the clinical resources (Resources overview: clinical resources).
pub mod systems {
    pub const SNOMED: &str = "http://snomed.info/sct";
    pub const ALLERGY_END_EXTENSION: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-AllergyIntoleranceEnd-1";
    pub const PRESCRIBING_AGENCY_EXTENSION: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-PrescribingAgency-1";
    pub const PRESCRIBING_AGENCY_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescribingAgency-1";
    pub const PRESCRIPTION_TYPE_EXTENSION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-PrescriptionType-1";
    pub const PRESCRIPTION_TYPE_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescriptionType-1";
    pub const REPEAT_INFORMATION_EXTENSION: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1";
    pub const ACTUAL_PROBLEM_EXTENSION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ActualProblem-1";
    pub const PROBLEM_SIGNIFICANCE_EXTENSION: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-ProblemSignificance-1";
    pub const RELATED_CLINICAL_CONTENT_EXTENSION: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedClinicalContent-1";
    pub const CONDITION_CATEGORY_SYSTEM: &str =
        "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-ConditionCategory-1";
    pub const DATE_RECORDED_EXTENSION: &str =
        "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-DateRecorded-1";
    pub const VACCINATION_PROCEDURE_EXTENSION: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-VaccinationProcedure-1";
    pub const PARTICIPANT_TYPE_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-ParticipantType-1";
    pub const ACT_CODE_SYSTEM: &str = "http://hl7.org/fhir/v3/ActCode";
    /// The NOPAT security label (1.6.2).
    pub const NOPAT: &str = "NOPAT";
    pub const SDS_JOB_ROLE_NAME_SYSTEM: &str =
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
}

/// Elements each clinical resource type must not populate (Resources overview: clinical resources "Must not populate").
pub fn not_in_use(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "AllergyIntolerance" => &["reaction.note", "reaction.onset", "reaction.substance"],
        "Medication" => &["package"],
        "MedicationStatement" => &[
            "partOf",
            "category",
            "derivedFrom",
            "reasonNotTaken",
            "reasonCode",
            "reasonReference",
        ],
        "MedicationRequest" => &[
            "definition",
            "category",
            "priority",
            "supportingInformation",
            "reasonCode",
            "reasonReference",
            "substitution",
            "detectedIssue",
            "eventHistory",
        ],
        "Encounter" => &[
            "statusHistory",
            "class",
            "classHistory",
            "priority",
            "episodeOfCare",
            "incomingReferral",
            "appointment",
            "reason",
            "diagnosis",
            "account",
            "hospitalization",
            "partOf",
        ],
        "Condition" => &[
            "severity",
            "verificationStatus",
            "bodySite",
            "stage",
            "evidence",
        ],
        "Immunization" => &["reaction"],
        "Observation" => &["basedOn", "category", "method", "specimen", "device"],
        "DiagnosticReport" => &[
            "effectiveDateTime",
            "effectivePeriod",
            "imagingStudy",
            "image",
            "presentedForm",
        ],
        "Specimen" => &["parent", "request"],
        "ProcedureRequest" => &[
            "definition",
            "basedOn",
            "replaces",
            "requisition",
            "doNotPerform",
            "relevantHistory",
        ],
        "ReferralRequest" => &[
            "definition",
            "replaces",
            "groupIdentifier",
            "type",
            "occurrenceDateTime",
            "occurrencePeriod",
            "reasonReference",
            "relevantHistory",
        ],
        "List" => &["source"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_have_unique_parameters_and_codes() {
        let mut params: Vec<_> = Area::ALL.iter().map(|a| a.spec().parameter).collect();
        let mut codes: Vec<_> = Area::ALL.iter().map(|a| a.spec().list_code).collect();
        params.sort();
        params.dedup();
        codes.sort();
        codes.dedup();
        assert_eq!(params.len(), Area::ALL.len());
        assert_eq!(codes.len(), Area::ALL.len());
        assert_eq!(
            Area::from_name("Uncategorised Data"),
            Some(Area::Uncategorised)
        );
        assert_eq!(
            Area::from_parameter("includeDiaryEntries"),
            Some(Area::Diary)
        );
    }

    #[test]
    fn version_rules() {
        assert_eq!(
            Area::supported((1, 2, 7)),
            vec![Area::Allergies, Area::Medication]
        );
        assert_eq!(Area::supported(LATEST).len(), 9);
        let issues = part(
            Area::Medication,
            param::INCLUDE_PRESCRIPTION_ISSUES,
            (1, 2, 7),
        )
        .unwrap();
        assert!(!issues.mandatory_in((1, 2, 7)));
        assert!(issues.mandatory_in((1, 2, 4)));
        assert!(part(Area::Problems, param::FILTER_SIGNIFICANCE, (1, 6, 2)).is_none());
        assert!(part(Area::Problems, param::FILTER_SIGNIFICANCE, (1, 5, 0)).is_some());
        assert!(part(Area::Immunisations, param::INCLUDE_STATUS, (1, 3, 0)).is_none());
        // The problem filters had other names in 1.3.0.
        let status = part(Area::Problems, param::PROBLEMS_STATUS_1_3_0, (1, 3, 0)).unwrap();
        assert_eq!(
            current_part_name(Area::Problems, status.name),
            param::FILTER_STATUS
        );
        assert!(part(Area::Problems, param::FILTER_STATUS, (1, 3, 0)).is_none());
        assert!(part(Area::Problems, param::PROBLEMS_STATUS_1_3_0, (1, 3, 1)).is_none());
        assert_eq!(
            Area::Consultations.list_code((1, 4, 0)),
            list::CONSULTATION_CODE
        );
        assert_eq!(Area::Consultations.list_code(LATEST), "1149501000000101");
        // Investigations and referrals arrived (as beta areas) with 1.4.x, diary entries with 1.5.0.
        let v14 = Area::supported((1, 4, 0));
        assert!(v14.contains(&Area::Investigations) && v14.contains(&Area::Referrals));
        assert!(!v14.contains(&Area::Diary));
        assert!(!Area::supported((1, 3, 2)).contains(&Area::Referrals));
        assert!(part(Area::Referrals, param::REFERRAL_SEARCH_PERIOD, (1, 4, 0)).is_some());
    }

    #[test]
    fn secondary_lists_and_warnings() {
        let t = list::secondary_title(Area::Problems, Area::Medication);
        assert_eq!(t, "Problems - medications related to problems");
        assert_eq!(
            list::secondary_code(&t),
            "problems-medications-related-to-problems"
        );
        assert_eq!(
            list::secondary_code(list::LINKED_PROBLEMS_TITLE),
            list::LINKED_PROBLEMS_CODE
        );
        let re = regex::Regex::new(&Warning::DataInTransit.note_pattern(LATEST)).unwrap();
        assert!(re.is_match(&Warning::DataInTransit.note(LATEST, "01-Feb-2024")));
        assert!(!re.is_match("Patient record transfer"));
        assert_eq!(
            Warning::from_code("data-in-transit"),
            Some(Warning::DataInTransit)
        );
    }
}
