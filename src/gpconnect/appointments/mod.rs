//! Extension URLs, code systems and limits of Appointment Management (the use-case pages below), shared by
//! the checks, the step definitions and the reference provider so that neither side can drift.
//!
//! Search for free slots: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_search_for_free_slots.html>
//! Book an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_book_an_appointment.html>
//! Read an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_read_an_appointment.html>
//! Retrieve a patient's appointments: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_retrieve_a_patients_appointments.html>
//! Amend an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html>
//! Cancel an appointment: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html>

pub mod change;
pub mod time;

/// Booking organisation (valueReference to a contained CareConnect-GPC-Organization-1).
pub const EXT_BOOKING_ORGANISATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1";
/// Delivery channel (valueCode) on Slot and Appointment since 1.2.1.
pub const EXT_DELIVERY_CHANNEL: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2";
/// The pre-1.2.1 delivery channel extension, which SHALL NOT appear on a Schedule any more.
pub const EXT_DELIVERY_CHANNEL_1: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-1";
/// Practitioner role (valueCodeableConcept) on Schedule and Appointment.
pub const EXT_PRACTITIONER_ROLE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-PractitionerRole-1";
/// Cancellation reason (valueString 1..1), only on Cancel.
pub const EXT_CANCELLATION_REASON: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1";

/// Service filtering status (valueCode), on the CapabilityStatement and on the Slot search
/// Bundle's `meta` when `service.identifier` is sent (Appointments 1.2.8, Search for free slots:
/// https://developer.nhs.uk/apis/gpconnect-1-2-8/appointments_use_case_search_for_free_slots.html).
/// Its StructureDefinition was never published.
pub const EXT_SERVICE_FILTERING_STATUS: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-ServiceFilteringStatus-1";
/// The codes of GPConnect-ServiceFilteringStatus-1.
pub const SERVICE_FILTERING_STATUSES: &[&str] =
    &["supplier-disabled", "organization-disabled", "enabled"];

/// Organisation type code system (searchFilter and the booking organisation's `type`).
pub const CS_ORGANISATION_TYPE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1";
/// The codes of GPConnect-OrganisationType-1.
pub const ORGANISATION_TYPES: &[&str] = &["gp-practice", "urgent-care"];
/// Delivery channel code system.
pub const CS_DELIVERY_CHANNEL: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-DeliveryChannel-1";
/// The codes of GPConnect-DeliveryChannel-1.
pub const DELIVERY_CHANNELS: &[&str] = &["In-person", "Telephone", "Video"];
/// SDS job role name code system (practitioner role).
pub const CS_SDS_JOB_ROLE_NAME: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
/// SDS job role name code system of HL7 UK CareConnect, which the practitionerRole extension binds to
/// from 1.2.9 (ValueSet CareConnect-SDSJobRoleName-1, every SDS job role).
pub const CS_SDS_JOB_ROLE_NAME_HL7_UK: &str =
    "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
/// The first version whose practitionerRole extension binds to the whole SDS job role value set.
pub const PRACTITIONER_ROLE_FULL_SET_SINCE: (u32, u32, u32) = (1, 2, 9);

/// The value set the practitionerRole extension binds to (extensibly) in one version of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PractitionerRoleSet {
    /// 1.2.1–1.2.8: GPConnect-PractitionerRole-1, the 20 roles of [`PRACTITIONER_ROLES`].
    GpConnect,
    /// 1.2.9 and later: CareConnect-SDSJobRoleName-1, every code of [`CS_SDS_JOB_ROLE_NAME_HL7_UK`].
    CareConnectSdsJobRoleName,
}

impl PractitionerRoleSet {
    /// The value set of the Appointment Management version `v` (major, minor, patch).
    pub fn for_version(v: (u32, u32, u32)) -> PractitionerRoleSet {
        if v >= PRACTITIONER_ROLE_FULL_SET_SINCE {
            PractitionerRoleSet::CareConnectSdsJobRoleName
        } else {
            PractitionerRoleSet::GpConnect
        }
    }

    /// Whether a coding (system, code) is in the value set.
    pub fn contains(self, system: &str, code: &str) -> bool {
        match self {
            PractitionerRoleSet::GpConnect => {
                system == CS_SDS_JOB_ROLE_NAME && PRACTITIONER_ROLES.iter().any(|(k, _)| *k == code)
            }
            PractitionerRoleSet::CareConnectSdsJobRoleName => {
                system == CS_SDS_JOB_ROLE_NAME_HL7_UK && !code.trim().is_empty()
            }
        }
    }

    /// The value set's canonical URL, for messages.
    pub fn url(self) -> &'static str {
        match self {
            PractitionerRoleSet::GpConnect => {
                "https://fhir.nhs.uk/STU3/ValueSet/GPConnect-PractitionerRole-1"
            }
            PractitionerRoleSet::CareConnectSdsJobRoleName => {
                "https://fhir.hl7.org.uk/STU3/ValueSet/CareConnect-SDSJobRoleName-1"
            }
        }
    }
}

/// GPConnect-PractitionerRole-1 (1.2.1–1.2.8): the 20 SDS job roles a schedule may carry.
pub const PRACTITIONER_ROLES: &[(&str, &str)] = &[
    ("R0260", "General Medical Practitioner"),
    ("R0270", "Salaried General Practitioner"),
    ("R0410", "Student Practice Nurse"),
    ("R0600", "Specialist Nurse Practitioner"),
    ("R0610", "Sister/Charge Nurse"),
    ("R0620", "Staff Nurse"),
    ("R0680", "Midwife"),
    ("R0690", "Community Practitioner"),
    ("R0700", "Community Nurse"),
    ("R0790", "Dietitian"),
    ("R1290", "Pharmacist"),
    ("R1300", "Psychotherapist"),
    ("R1310", "Clinical Psychologist"),
    ("R1330", "Social Worker"),
    ("R1450", "Health Care Support Worker"),
    ("R1480", "Healthcare Assistant"),
    ("R1550", "Counsellor"),
    ("R1590", "Phlebotomist"),
    ("R6200", "GP Registrar"),
    ("R6300", "Sessional GP"),
];

/// The Slot search include every consumer SHALL send.
pub const INCLUDE_SCHEDULE: &str = "Slot:schedule";
/// The recursive includes a consumer MAY send (all SHALL be accepted).
pub const INCLUDE_PRACTITIONER: &str = "Schedule:actor:Practitioner";
pub const INCLUDE_LOCATION: &str = "Schedule:actor:Location";
pub const INCLUDE_ORGANIZATION: &str = "Location:managingOrganization";
/// Query parameter name of the recursive includes.
pub const INCLUDE_RECURSE: &str = "_include:recurse";

/// Longest free-slot search window (Search for free slots: search parameters).
pub const MAX_SEARCH_DAYS: i64 = 14;
/// Characters of `description` a provider SHALL store without truncation (Book an appointment: request body).
pub const DESCRIPTION_MAX: usize = 100;
/// Characters of `comment` a provider SHALL store without truncation (Book an appointment: request body).
pub const COMMENT_MAX: usize = 500;

/// Elements GP Connect forbids on a booked Appointment (profile 0..0, or SHALL NOT be populated).
pub const APPOINTMENT_FORBIDDEN: &[&str] = &[
    "reason",
    "specialty",
    "appointmentType",
    "indication",
    "supportingInformation",
    "incomingReferral",
    "requestedPeriod",
];
/// Elements of an STU3 Appointment (anything else in a request body is not FHIR).
pub const APPOINTMENT_ELEMENTS: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "identifier",
    "status",
    "serviceCategory",
    "serviceType",
    "specialty",
    "appointmentType",
    "reason",
    "indication",
    "priority",
    "description",
    "supportingInformation",
    "start",
    "end",
    "minutesDuration",
    "slot",
    "created",
    "comment",
    "incomingReferral",
    "participant",
    "requestedPeriod",
];
