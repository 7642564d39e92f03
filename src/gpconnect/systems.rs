//! Identifier systems, code systems and profile URLs used across GP Connect.
//!
//! Find a patient: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html>
//! Get the FHIR capability statement: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html>

/// NHS number identifier system.
pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
/// ODS organisation code identifier system.
pub const ODS_ORGANIZATION_CODE: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
/// ODS site code identifier system (Location).
pub const ODS_SITE_CODE: &str = "https://fhir.nhs.uk/Id/ods-site-code";
/// SDS user id identifier system (Practitioner).
pub const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";
/// SDS role profile id identifier system (Practitioner).
pub const SDS_ROLE_PROFILE_ID: &str = "https://fhir.nhs.uk/Id/sds-role-profile-id";

/// Code system of GP Connect error and warning codes (the profile fixes this URL).
pub const SPINE_ERROR_OR_WARNING_CODE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1";
/// The ValueSet URL that spec examples up to 1.6.0 wrongly used as a coding system.
pub const SPINE_ERROR_OR_WARNING_CODE_VALUESET: &str =
    "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1";

/// NHS number verification status extension (on Patient.identifier).
pub const EXT_NHS_NUMBER_VERIFICATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-1";
/// Code system of NHS number verification status.
pub const CS_NHS_NUMBER_VERIFICATION: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1";
/// Registration details extension (Patient).
pub const EXT_REGISTRATION_DETAILS: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1";
/// Registration type code system.
pub const CS_REGISTRATION_TYPE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationType-1";
/// Registration status code system.
pub const CS_REGISTRATION_STATUS: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationStatus-1";
/// NHS communication extension (Patient, Practitioner).
pub const EXT_NHS_COMMUNICATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSCommunication-1";
/// Human language code system.
pub const CS_HUMAN_LANGUAGE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1";

/// Extensions and elements that a GP Connect Patient SHALL NOT carry (Find a patient: response).
pub const PATIENT_FORBIDDEN_EXTENSIONS: &[&str] = &[
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-EthnicCategory-1",
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-ReligiousAffiliation-1",
    "http://hl7.org/fhir/StructureDefinition/patient-cadavericDonor",
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-ResidentialStatus-1",
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-TreatmentCategory-1",
    "http://hl7.org/fhir/StructureDefinition/birthPlace",
];
/// Patient elements that SHALL NOT be populated.
pub const PATIENT_FORBIDDEN_ELEMENTS: &[&str] = &["maritalStatus", "multipleBirthBoolean"];
/// Practitioner elements that SHALL NOT be populated.
pub const PRACTITIONER_FORBIDDEN_ELEMENTS: &[&str] = &[
    "telecom",
    "address",
    "birthDate",
    "photo",
    "qualification",
    "communication",
];
/// Organization elements that SHALL NOT be populated.
pub const ORGANIZATION_FORBIDDEN_ELEMENTS: &[&str] = &["contact", "endpoint"];
/// Location elements that SHALL NOT be populated.
pub const LOCATION_FORBIDDEN_ELEMENTS: &[&str] = &["endpoint"];

/// GP Connect profile URLs (unversioned canonical URLs).
pub mod profiles {
    /// Where the GP Connect StructureDefinitions live: a profile's name appended gives its URL.
    pub const STRUCTURE_DEFINITION_BASE: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/";
    pub const PATIENT: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1";
    pub const PRACTITIONER: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Practitioner-1";
    pub const PRACTITIONER_ROLE: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-PractitionerRole-1";
    pub const ORGANIZATION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1";
    pub const LOCATION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Location-1";
    pub const OPERATION_OUTCOME: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1";
    pub const SEARCHSET_BUNDLE: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1";
    pub const APPOINTMENT: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1";
    pub const SLOT: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Slot-1";
    pub const SCHEDULE: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Schedule-1";
    pub const STRUCTURED_RECORD_BUNDLE: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1";
    pub const REGISTER_PATIENT_OPERATION: &str =
        "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-RegisterPatient-Operation-1";
    pub const GET_STRUCTURED_RECORD_OPERATION: &str =
        "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1";
    pub const MIGRATE_STRUCTURED_RECORD_OPERATION: &str =
        "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-MigrateStructuredRecord-Operation-1";

    /// The URLs a resource's `meta.profile` lists.
    pub fn declared(resource: &serde_json::Value) -> Vec<&str> {
        use crate::fhir::Pointer as _;
        resource
            .at("/meta/profile")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect()
    }

    /// `meta.profile` lists exactly `profile`, the unversioned canonical URL every GP Connect resource
    /// carries (GP Connect 1.2.7, "FHIR resource guidance", meta.profile): a URL that merely starts with it, or a `_history` version of it, is
    /// another profile.
    pub fn declares(resource: &serde_json::Value, profile: &str) -> bool {
        declared(resource).contains(&profile)
    }
}

/// FHIR MIME types.
pub mod mime {
    pub const FHIR_JSON: &str = "application/fhir+json";
    pub const FHIR_XML: &str = "application/fhir+xml";
    pub const FHIR_JSON_UTF8: &str = "application/fhir+json;charset=utf-8";
    pub const FHIR_XML_UTF8: &str = "application/fhir+xml;charset=utf-8";
}

/// ODS organisation code system of DSTU2 (0.x); still accepted in the JWT `requesting_organization`
/// (official suite "RC5 backward compatibility").
pub const ODS_ORGANIZATION_CODE_DSTU2: &str = "http://fhir.nhs.net/Id/ods-organization-code";

/// Codes (with displays) of CareConnect-RegistrationType-1 used by providers.
pub mod registration_type {
    pub const REGULAR: (&str, &str) = ("R", "Regular");
    pub const TEMPORARY: (&str, &str) = ("T", "Temporary");
}

/// Codes (with displays) of CareConnect-RegistrationStatus-1.
pub mod registration_status {
    pub const ACTIVE: (&str, &str) = ("A", "Active");
    pub const INACTIVE: (&str, &str) = ("I", "Inactive");
}

/// NHS number verification status `01`, the only one a shareable patient carries.
pub const NHS_NUMBER_VERIFIED: (&str, &str) = ("01", "Number present and verified");

/// Structured profiles the Foundations CapabilityStatement lists (Get the FHIR capability statement), unversioned.
pub mod structured_profiles {
    pub const ALLERGY_INTOLERANCE: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-AllergyIntolerance-1";
    pub const MEDICATION: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Medication-1";
    pub const MEDICATION_STATEMENT: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-MedicationStatement-1";
    pub const MEDICATION_REQUEST: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-MedicationRequest-1";
    pub const LIST: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-List-1";
}
