//! What the CapabilityStatements declare (GP Connect 1.2.7, "Get the FHIR capability statement"): the FHIR version, the profiles each
//! statement lists and the operations with the OperationDefinition each references, read by the checks,
//! the steps and the reference provider alike.
//!
//! Specification: <https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_get_the_fhir_capability_statement.html>
//! ("Get the FHIR capability statement") and, for Access Record Structured,
//! <https://developer.nhs.uk/apis/gpconnect-1-6-0/accessrecord_structured_development_fhir_capability_statement.html>.

use super::structured::Version;
use super::systems::{profiles, structured_profiles};

/// The FHIR version of GP Connect 1.x (`fhirVersion`).
pub const FHIR_VERSION: &str = "3.0.1";
/// `CapabilityStatement.name` of the Foundations+Appointments statement.
pub const FOUNDATIONS_NAME: &str = "GP Connect";
/// `CapabilityStatement.name` of the Access Record Structured statement.
pub const STRUCTURED_NAME: &str = "GP Connect - Access Record Structured";

/// Unversioned profile URLs the Foundations+Appointments statement lists (`profile`).
pub const FOUNDATIONS_PROFILES: &[&str] = &[
    profiles::PATIENT,
    profiles::ORGANIZATION,
    profiles::PRACTITIONER,
    profiles::PRACTITIONER_ROLE,
    profiles::LOCATION,
    profiles::OPERATION_OUTCOME,
    profiles::APPOINTMENT,
    profiles::SCHEDULE,
    profiles::SLOT,
    structured_profiles::ALLERGY_INTOLERANCE,
    structured_profiles::MEDICATION,
    structured_profiles::MEDICATION_STATEMENT,
    structured_profiles::MEDICATION_REQUEST,
    structured_profiles::LIST,
    profiles::STRUCTURED_RECORD_BUNDLE,
];

/// Profile URLs the Access Record Structured statement lists.
pub const STRUCTURED_PROFILES: &[&str] = &[
    profiles::STRUCTURED_RECORD_BUNDLE,
    structured_profiles::LIST,
    structured_profiles::ALLERGY_INTOLERANCE,
    structured_profiles::MEDICATION,
    structured_profiles::MEDICATION_STATEMENT,
    structured_profiles::MEDICATION_REQUEST,
];

/// The profiles the Access Record Structured statement of version `v` lists: the Bundle, List and the
/// clinical profiles of every area `v` has (GP Connect 1.6.0, Access Record Structured, "Get the FHIR
/// capability statement": the statement lists the profiles the provider answers with).
pub fn structured_statement_profiles(v: Version) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = STRUCTURED_PROFILES.to_vec();
    for area in super::structured::Area::supported(v) {
        for p in area.profiles() {
            if !out.contains(p) {
                out.push(p);
            }
        }
    }
    out
}

/// An operation a statement declares (`rest.operation`) and the OperationDefinition it references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `rest.operation.name`.
    pub name: &'static str,
    /// The unversioned canonical URL of its OperationDefinition.
    pub definition: &'static str,
}

/// `$gpc.registerpatient` (Foundations statement).
pub const REGISTER_PATIENT: Operation = Operation {
    name: "gpc.registerpatient",
    definition: profiles::REGISTER_PATIENT_OPERATION,
};
/// `$gpc.getstructuredrecord` (both statements).
pub const GET_STRUCTURED_RECORD: Operation = Operation {
    name: "gpc.getstructuredrecord",
    definition: profiles::GET_STRUCTURED_RECORD_OPERATION,
};
/// `$gpc.migratestructuredrecord` (structured statement, 1.6.0+).
pub const MIGRATE_STRUCTURED_RECORD: Operation = Operation {
    name: "gpc.migratestructuredrecord",
    definition: profiles::MIGRATE_STRUCTURED_RECORD_OPERATION,
};

/// The operations the Foundations+Appointments statement declares.
pub const FOUNDATIONS_OPERATIONS: &[Operation] = &[REGISTER_PATIENT, GET_STRUCTURED_RECORD];

/// The Foundations operation called `name`.
pub fn foundations_operation(name: &str) -> Option<Operation> {
    FOUNDATIONS_OPERATIONS
        .iter()
        .copied()
        .find(|o| o.name == name)
}

/// The operations the structured statement of version `v` declares.
pub fn structured_operations(v: Version) -> Vec<Operation> {
    let mut ops = vec![GET_STRUCTURED_RECORD];
    if v >= super::structured::since::MIGRATE {
        ops.push(MIGRATE_STRUCTURED_RECORD);
    }
    ops
}

/// The `_history` version of `op`'s OperationDefinition that the Foundations statement of
/// `gpconnect_version` pins (`None`: the specification pins none, or the version is not checked).
pub fn foundations_pin(op: Operation, gpconnect_version: &str) -> Option<&'static str> {
    (op == GET_STRUCTURED_RECORD && gpconnect_version.starts_with("1.2.")).then_some("1.12")
}

/// The `_history` version of `op`'s OperationDefinition that the structured statement of `v` pins.
/// 1.3.x and 1.4.x pin none the harness relies on: their pages and release notes disagree about the
/// OperationDefinition version (1.8, 1.9, 1.11, 1.13), so any version is accepted there.
pub fn structured_pin(op: Operation, v: Version) -> Option<&'static str> {
    if op == GET_STRUCTURED_RECORD {
        if v >= (1, 5, 0) {
            Some("1.16")
        } else if v >= (1, 3, 0) {
            None
        } else {
            Some("1.12")
        }
    } else if op == MIGRATE_STRUCTURED_RECORD {
        Some("1.1")
    } else {
        None
    }
}

/// The reference to `op`'s OperationDefinition, with `/_history/<pin>` when a version is pinned.
pub fn definition_reference(op: Operation, pin: Option<&str>) -> String {
    match pin {
        Some(p) => format!("{}/_history/{p}", op.definition),
        None => op.definition.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_structured_statement_lists_the_profiles_of_its_areas() {
        let v127 = structured_statement_profiles((1, 2, 7));
        assert_eq!(v127, STRUCTURED_PROFILES);
        let v130 = structured_statement_profiles((1, 3, 0));
        assert!(v130
            .iter()
            .any(|p| p.ends_with("CareConnect-GPC-Encounter-1")));
        assert!(!v130
            .iter()
            .any(|p| p.ends_with("CareConnect-GPC-ReferralRequest-1")));
        let v140 = structured_statement_profiles((1, 4, 0));
        assert!(v140
            .iter()
            .any(|p| p.ends_with("CareConnect-GPC-ReferralRequest-1")));
        let latest = structured_statement_profiles((1, 6, 2));
        let mut unique = latest.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), latest.len(), "each profile once");
    }

    #[test]
    fn operations_and_their_pins() {
        assert_eq!(
            foundations_operation("gpc.registerpatient"),
            Some(REGISTER_PATIENT)
        );
        assert_eq!(foundations_operation("gpc.migratestructuredrecord"), None);
        assert_eq!(
            definition_reference(GET_STRUCTURED_RECORD, foundations_pin(GET_STRUCTURED_RECORD, "1.2.7")),
            "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1/_history/1.12"
        );
        assert_eq!(foundations_pin(GET_STRUCTURED_RECORD, "1.6.2"), None);
        assert_eq!(foundations_pin(REGISTER_PATIENT, "1.2.7"), None);
        assert_eq!(
            structured_pin(GET_STRUCTURED_RECORD, (1, 6, 2)),
            Some("1.16")
        );
        assert_eq!(structured_operations((1, 2, 7)), [GET_STRUCTURED_RECORD]);
        assert_eq!(structured_operations((1, 6, 2)).len(), 2);
        assert!(FOUNDATIONS_PROFILES
            .iter()
            .all(|p| !p.contains("/_history/")));
    }
}
