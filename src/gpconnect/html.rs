//! Access Record HTML (GP Connect 0.5.x / 0.7.x, FHIR DSTU2), as data: the DSTU2 media types, the 0.x
//! identifier systems, JWT differences and error codes, the `$gpc.getcarerecord` parameters, and the
//! record sections with their headings, table ids, columns and banners.
//!
//! Specification (GP Connect 0.7.2, by page):
//! - Retrieve a care record section (operation, parameters, sections): <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html>
//! - HTML view layout (headings, banners, ids, classes): <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html>
//! - HTML implementation guide (views of each section): <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_development_html_implementation_guide.html>
//! - Error handling: <https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html>
//! - Cross-organisation audit and provenance (the 0.x JWT): <https://developer.nhs.uk/apis/gpconnect-0-7-2/integration_cross_organisation_audit_and_provenance.html>

use super::version::parse_version;

/// The FHIR release of Access Record HTML (DSTU2).
pub const FHIR_VERSION: &str = "1.0.2";

/// The Access Record HTML version assumed when none is configured.
pub const DEFAULT_VERSION: &str = "0.7.4";

/// The first Access Record HTML version serving a deceased patient's record, for a while after death.
pub const DECEASED_ACCESS_SINCE: &str = "0.7.4";

/// How many days after death a deceased patient's record stays available by default (0.7.4).
pub const DECEASED_WINDOW_DAYS: i64 = 28;

/// DSTU2 media types (General API guidance, Content types).
pub mod mime {
    pub const JSON: &str = "application/json+fhir";
    pub const XML: &str = "application/xml+fhir";
}

/// The 0.x identifier systems (`http://fhir.nhs.net/...`).
pub mod systems {
    pub const NHS_NUMBER: &str = "http://fhir.nhs.net/Id/nhs-number";
    pub const ODS_ORGANIZATION_CODE: &str = "http://fhir.nhs.net/Id/ods-organization-code";
    pub const ODS_SITE_CODE: &str = "http://fhir.nhs.net/Id/ods-site-code";
    /// The SDS user id system of a resource (profile).
    pub const SDS_USER_ID: &str = "http://fhir.nhs.net/Id/sds-user-id";
    /// The SDS user id system the JWT's `requesting_practitioner` carries (deliberately without `/Id/`).
    pub const JWT_SDS_USER_ID: &str = "http://fhir.nhs.net/sds-user-id";
    pub const SDS_JOB_ROLE: &str = "http://fhir.nhs.net/ValueSet/sds-job-role-name-1";
    pub const RECORD_SECTION: &str = "http://fhir.nhs.net/ValueSet/gpconnect-record-section-1";
    pub const ERROR_OR_WARNING_CODE: &str =
        "http://fhir.nhs.net/ValueSet/gpconnect-error-or-warning-code-1";
    pub const SNOMED: &str = "http://snomed.info/sct";
}

/// The 0.x profile URLs.
pub mod profiles {
    pub const COMPOSITION: &str =
        "http://fhir.nhs.net/StructureDefinition/gpconnect-carerecord-composition-1";
    pub const PATIENT: &str = "http://fhir.nhs.net/StructureDefinition/gpconnect-patient-1";
    pub const PRACTITIONER: &str =
        "http://fhir.nhs.net/StructureDefinition/gpconnect-practitioner-1";
    pub const ORGANIZATION: &str =
        "http://fhir.nhs.net/StructureDefinition/gpconnect-organization-1";
    pub const DEVICE: &str = "http://fhir.nhs.net/StructureDefinition/gpconnect-device-1";
    pub const OPERATION_OUTCOME: &str =
        "http://fhir.nhs.net/StructureDefinition/gpconnect-operationoutcome-1";
    pub const SEARCHSET_BUNDLE: &str =
        "http://fhir.nhs.net/StructureDefinition/gpconnect-searchset-bundle-1";
    pub const OPERATION: &str =
        "http://fhir.nhs.net/OperationDefinition/gpconnect-carerecord-operation-1";
}

/// The 0.x JWT: the fixed audience and the `requested_record` claim (0.x only).
pub mod jwt {
    /// `aud` of every 0.x token.
    pub const AUDIENCE: &str = "https://authorize.fhir.nhs.net/token";
    /// The claim naming the patient (or organisation) whose record is requested.
    pub const REQUESTED_RECORD: &str = "requested_record";
}

/// Set `requested_record` to the practice itself (metadata and other organisation-level requests).
pub fn request_organisation(claims: &mut super::jwt::Claims, ods_code: &str) {
    claims.set(
        jwt::REQUESTED_RECORD,
        serde_json::json!({
            "resourceType": "Organization",
            "identifier": [{"system": systems::ODS_ORGANIZATION_CODE, "value": ods_code}],
        }),
    );
}

/// Set `requested_record` to the patient whose care record is asked for.
pub fn request_patient(claims: &mut super::jwt::Claims, nhs_number: &str) {
    claims.set(
        jwt::REQUESTED_RECORD,
        serde_json::json!({
            "resourceType": "Patient",
            "identifier": [{"system": systems::NHS_NUMBER, "value": nhs_number}],
        }),
    );
}

/// A change made to an otherwise valid 0.x token, and how a provider must answer it (Cross-organisation
/// audit and provenance, JSON Web Tokens; the error spreadsheet of Error handling). The claim resources
/// need only be valid base DSTU2 resources: a requesting_device that is not one is 422 INVALID_RESOURCE,
/// every other fault of the token 400 BAD_REQUEST; a missing local user id, a missing job role and
/// `UNK` SDS ids are tolerated, and iat is not judged beyond exp's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenChange {
    DeviceUnknownElement,
    OrganizationUnknownElement,
    PractitionerUnknownElement,
    DeviceWrongType,
    OrganizationWrongType,
    PractitionerWrongType,
    OrganizationWithoutOdsCode,
    OrganizationWithoutIdentifier,
    PractitionerWithoutSdsUserId,
    PractitionerWithoutIdentifier,
    PractitionerWithoutName,
    SubNotPractitionerId,
    SdsUserIdUnk,
    PractitionerWithoutRoleOrLocalId,
    IssuedInTheFuture,
    NotBase64,
}

/// How a provider must answer a [`TokenChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAnswer {
    /// Served as if nothing were wrong (200).
    Accepted,
    /// Refused with one of these errors (more than one where the specification's own sources differ).
    Refused(&'static [ErrorCode0]),
}

impl TokenAnswer {
    /// As a feature writes it: `accepted`, `400 BAD_REQUEST`, `400 BAD_REQUEST or 422 INVALID_RESOURCE`.
    pub fn describe(self) -> String {
        match self {
            TokenAnswer::Accepted => "accepted".into(),
            TokenAnswer::Refused(codes) => codes
                .iter()
                .map(|c| format!("{} {}", c.http_status(), c.code()))
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// The SDS user id a consumer sends when the user has none.
pub const UNKNOWN_SDS_ID: &str = "UNK";

impl TokenChange {
    pub const ALL: &'static [TokenChange] = &[
        TokenChange::DeviceUnknownElement,
        TokenChange::OrganizationUnknownElement,
        TokenChange::PractitionerUnknownElement,
        TokenChange::DeviceWrongType,
        TokenChange::OrganizationWrongType,
        TokenChange::PractitionerWrongType,
        TokenChange::OrganizationWithoutOdsCode,
        TokenChange::OrganizationWithoutIdentifier,
        TokenChange::PractitionerWithoutSdsUserId,
        TokenChange::PractitionerWithoutIdentifier,
        TokenChange::PractitionerWithoutName,
        TokenChange::SubNotPractitionerId,
        TokenChange::SdsUserIdUnk,
        TokenChange::PractitionerWithoutRoleOrLocalId,
        TokenChange::IssuedInTheFuture,
        TokenChange::NotBase64,
    ];

    /// The change as the features word it.
    pub fn wording(self) -> &'static str {
        match self {
            Self::DeviceUnknownElement => "requesting_device has an element DSTU2 does not define",
            Self::OrganizationUnknownElement => {
                "requesting_organization has an element DSTU2 does not define"
            }
            Self::PractitionerUnknownElement => {
                "requesting_practitioner has an element DSTU2 does not define"
            }
            Self::DeviceWrongType => "requesting_device has another resourceType",
            Self::OrganizationWrongType => "requesting_organization has another resourceType",
            Self::PractitionerWrongType => "requesting_practitioner has another resourceType",
            Self::OrganizationWithoutOdsCode => "requesting_organization has no ODS code",
            Self::OrganizationWithoutIdentifier => "requesting_organization has no identifier",
            Self::PractitionerWithoutSdsUserId => "requesting_practitioner has no SDS user id",
            Self::PractitionerWithoutIdentifier => "requesting_practitioner has no identifier",
            Self::PractitionerWithoutName => "requesting_practitioner has no name",
            Self::SubNotPractitionerId => "sub is not the requesting_practitioner id",
            Self::SdsUserIdUnk => "requesting_practitioner SDS user id is UNK",
            Self::PractitionerWithoutRoleOrLocalId => {
                "requesting_practitioner has no job role and no local user id"
            }
            Self::IssuedInTheFuture => "iat is 200 seconds in the future, exp 300 seconds after it",
            Self::NotBase64 => "token parts are not base64url encoded",
        }
    }

    /// Find a change by its wording.
    pub fn from_wording(text: &str) -> Option<TokenChange> {
        Self::ALL.iter().copied().find(|c| c.wording() == text)
    }

    /// How a provider must answer the change.
    pub fn answer(self) -> TokenAnswer {
        use ErrorCode0::{BadRequest, InvalidResource};
        match self {
            Self::DeviceUnknownElement => TokenAnswer::Refused(&[InvalidResource]),
            // The error spreadsheet: "JWT invalid resource" 400 BAD_REQUEST; NHS Digital's suite: 422.
            Self::OrganizationUnknownElement | Self::PractitionerUnknownElement => {
                TokenAnswer::Refused(&[BadRequest, InvalidResource])
            }
            Self::SdsUserIdUnk
            | Self::PractitionerWithoutRoleOrLocalId
            | Self::IssuedInTheFuture => TokenAnswer::Accepted,
            _ => TokenAnswer::Refused(&[BadRequest]),
        }
    }

    /// Apply the change to a valid token's claims (every change but [`TokenChange::NotBase64`], which
    /// is in how the token is encoded: see [`TokenChange::encode`]).
    pub fn apply(self, claims: &mut super::jwt::Claims, now: i64) {
        use serde_json::json;
        let m = &mut claims.0;
        let mut on =
            |claim: &str, f: &mut dyn FnMut(&mut serde_json::Map<String, serde_json::Value>)| {
                if let Some(o) = m.get_mut(claim).and_then(serde_json::Value::as_object_mut) {
                    f(o);
                }
            };
        let keep_ids = |o: &mut serde_json::Map<String, serde_json::Value>,
                        keep: &dyn Fn(&str) -> bool| {
            if let Some(ids) = o
                .get_mut("identifier")
                .and_then(serde_json::Value::as_array_mut)
            {
                ids.retain(|id| keep(id["system"].as_str().unwrap_or_default()));
            }
        };
        match self {
            Self::DeviceUnknownElement => on(claim::DEVICE, &mut |o| {
                o.insert("colour".into(), json!("blue"));
            }),
            Self::OrganizationUnknownElement => on(claim::ORGANIZATION, &mut |o| {
                o.insert("colour".into(), json!("blue"));
            }),
            Self::PractitionerUnknownElement => on(claim::PRACTITIONER, &mut |o| {
                o.insert("colour".into(), json!("blue"));
            }),
            Self::DeviceWrongType => on(claim::DEVICE, &mut |o| {
                o.insert("resourceType".into(), json!("InvalidResourceType"));
            }),
            Self::OrganizationWrongType => on(claim::ORGANIZATION, &mut |o| {
                o.insert("resourceType".into(), json!("InvalidResourceType"));
            }),
            Self::PractitionerWrongType => on(claim::PRACTITIONER, &mut |o| {
                o.insert("resourceType".into(), json!("InvalidResourceType"));
            }),
            Self::OrganizationWithoutOdsCode => on(claim::ORGANIZATION, &mut |o| {
                keep_ids(o, &|s| s != systems::ODS_ORGANIZATION_CODE);
            }),
            Self::OrganizationWithoutIdentifier => on(claim::ORGANIZATION, &mut |o| {
                o.remove("identifier");
            }),
            Self::PractitionerWithoutSdsUserId => on(claim::PRACTITIONER, &mut |o| {
                keep_ids(o, &|s| s != systems::JWT_SDS_USER_ID);
            }),
            Self::PractitionerWithoutIdentifier => on(claim::PRACTITIONER, &mut |o| {
                o.remove("identifier");
            }),
            Self::PractitionerWithoutName => on(claim::PRACTITIONER, &mut |o| {
                o.remove("name");
            }),
            Self::SubNotPractitionerId => {
                let other = format!("{}-other", m["sub"].as_str().unwrap_or_default());
                m.insert("sub".into(), json!(other));
            }
            Self::SdsUserIdUnk => on(claim::PRACTITIONER, &mut |o| {
                if let Some(ids) = o
                    .get_mut("identifier")
                    .and_then(serde_json::Value::as_array_mut)
                {
                    for id in ids
                        .iter_mut()
                        .filter(|id| id["system"] == systems::JWT_SDS_USER_ID)
                    {
                        id["value"] = json!(UNKNOWN_SDS_ID);
                    }
                }
            }),
            Self::PractitionerWithoutRoleOrLocalId => on(claim::PRACTITIONER, &mut |o| {
                o.remove("practitionerRole");
                keep_ids(o, &|s| s == systems::JWT_SDS_USER_ID);
            }),
            Self::IssuedInTheFuture => {
                let iat = now + 200;
                m.insert("iat".into(), json!(iat));
                m.insert("exp".into(), json!(iat + super::jwt::LIFETIME_SECONDS));
            }
            Self::NotBase64 => {}
        }
    }

    /// The bearer token to send: the claims encoded, or for [`TokenChange::NotBase64`] its header and
    /// payload written as plain JSON.
    pub fn encode(self, claims: &super::jwt::Claims) -> String {
        match self {
            Self::NotBase64 => format!(
                "{}.{}.",
                serde_json::json!({"alg": "none", "typ": "JWT"}),
                serde_json::Value::Object(claims.0.clone())
            ),
            _ => claims.encode(),
        }
    }
}

/// The claims of a 0.x token that carry FHIR resources.
pub mod claim {
    pub const DEVICE: &str = "requesting_device";
    pub const ORGANIZATION: &str = "requesting_organization";
    pub const PRACTITIONER: &str = "requesting_practitioner";
}

/// Every claim a 0.x token carries.
pub const REQUIRED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "reason_for_request",
    jwt::REQUESTED_RECORD,
    "requested_scope",
    "requesting_device",
    "requesting_organization",
    "requesting_practitioner",
];

/// `$gpc.getcarerecord` parameter names (case-sensitive).
pub mod param {
    pub const PATIENT_NHS_NUMBER: &str = "patientNHSNumber";
    pub const RECORD_SECTION: &str = "recordSection";
    pub const TIME_PERIOD: &str = "timePeriod";
}

/// Composition fixed values (care record Composition profile).
pub mod composition {
    pub const TITLE: &str = "Patient Care Record";
    pub const TYPE_CODE: &str = "425173008";
    pub const TYPE_DISPLAY: &str = "record extract (record artifact)";
    pub const CLASS_CODE: &str = "700232004";
    pub const CLASS_DISPLAY: &str = "general medical service (qualifier value)";
    pub const DEVICE_TYPE_CODE: &str = "462240000";
    pub const DEVICE_TYPE_DISPLAY: &str =
        "Patient health record information system (physical object)";
}

/// The XHTML namespace narrative divs are in.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

macro_rules! error_codes_0x {
    ($( $variant:ident => ($code:literal, $status:literal, $issue:literal) ),+ $(,)?) => {
        /// A 0.x error code (`gpconnect-error-or-warning-code-1`) with its HTTP status and issue type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode0 { $( $variant ),+ }

        impl ErrorCode0 {
            pub const ALL: &'static [ErrorCode0] = &[ $( ErrorCode0::$variant ),+ ];
            pub fn code(self) -> &'static str { match self { $( Self::$variant => $code ),+ } }
            pub fn http_status(self) -> u16 { match self { $( Self::$variant => $status ),+ } }
            pub fn issue_type(self) -> &'static str { match self { $( Self::$variant => $issue ),+ } }
            /// Find a code by its wire form.
            pub fn from_code(code: &str) -> Option<ErrorCode0> {
                Self::ALL.iter().copied().find(|c| c.code() == code)
            }
        }
    };
}

error_codes_0x! {
    InvalidIdentifierSystem => ("INVALID_IDENTIFIER_SYSTEM", 400, "invalid"),
    InvalidIdentifierValue => ("INVALID_IDENTIFIER_VALUE", 400, "invalid"),
    InvalidNhsNumber => ("INVALID_NHS_NUMBER", 400, "value"),
    InvalidPatientDemographics => ("INVALID_PATIENT_DEMOGRAPHICS", 400, "invalid"),
    BadRequest => ("BAD_REQUEST", 400, "invalid"),
    NoPatientConsent => ("NO_PATIENT_CONSENT", 403, "forbidden"),
    PatientNotFound => ("PATIENT_NOT_FOUND", 404, "not-found"),
    InvalidResource => ("INVALID_RESOURCE", 422, "invalid"),
    InvalidParameter => ("INVALID_PARAMETER", 422, "invalid"),
    UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", 415, "not-supported"),
    InternalServerError => ("INTERNAL_SERVER_ERROR", 500, "exception"),
}

/// Every error code of the 0.x Error handling guidance
/// (<https://developer.nhs.uk/apis/gpconnect-0-7-2/development_fhir_error_handling_guidance.html>), in the
/// `gpconnect-error-or-warning-code-1` system. The published ValueSet of that name holds only the obsolete
/// `GPC-001` to `GPC-003`, which the page says to ignore: the DSTU2 validation set binds these instead.
pub const PUBLISHED_ERROR_CODES: &[&str] = &[
    "INVALID_IDENTIFIER_SYSTEM",
    "INVALID_IDENTIFIER_VALUE",
    "INVALID_PATIENT_DEMOGRAPHICS",
    "INVALID_NHS_NUMBER",
    "INVALID_ODS_CODE",
    "BAD_REQUEST",
    "NO_PATIENT_CONSENT",
    "NON_AUTHORITATIVE",
    "NO_ORGANISATIONAL_CONSENT",
    "PATIENT_NOT_FOUND",
    "ORGANISATION_NOT_FOUND",
    "PRACTITIONER_NOT_FOUND",
    "INVALID_RESOURCE",
    "INVALID_PARAMETER",
    "REFERENCE_NOT_FOUND",
    "UNSUPPORTED_MEDIA_TYPE",
    "INTERNAL_SERVER_ERROR",
    "NOT_IMPLEMENTED",
];

/// Which date banner a (sub)section carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBanner {
    /// The consumer's period applies: `All relevant items` without one, the period text with one.
    Filtered,
    /// The period is never applied: `All relevant items` without one, `Date filter not applied` with one.
    NotApplied,
    /// No date banner at all (ALL, IMM, every SUM subsection).
    None,
}

/// One table of a section: its `<h2>` (none for single-table sections), id, columns and date columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// The subsection heading; `None` in a single-table section (the `<h1>` heads it).
    pub heading: Option<&'static str>,
    pub id: &'static str,
    pub columns: &'static [&'static str],
    /// 0-based positions of the columns holding `dd-Mmm-yyyy` dates (`class="date-column"`).
    pub date_columns: &'static [usize],
    pub banner: DateBanner,
    /// A content banner this subsection must always carry.
    pub content_banner: Option<&'static str>,
    /// The first Access Record HTML version with this table (Emergency Codes: 0.7.3).
    pub since: &'static str,
}

const fn table(
    heading: Option<&'static str>,
    id: &'static str,
    columns: &'static [&'static str],
    date_columns: &'static [usize],
    banner: DateBanner,
) -> Table {
    Table {
        heading,
        id,
        columns,
        date_columns,
        banner,
        content_banner: None,
        since: "0.7.1",
    }
}

const DATE_ENTRY_DETAILS: &[&str] = &["Date", "Entry", "Details"];
const ENC_COLUMNS: &[&str] = &["Date", "Title", "Details"];
const IMM_COLUMNS: &[&str] = &["Date", "Vaccination", "Part", "Contents", "Details"];
const OBS_COLUMNS: &[&str] = &["Date", "Entry", "Value", "Range", "Details"];
const REF_COLUMNS: &[&str] = &["Date", "From", "To", "Priority", "Details"];
const ALL_CURR_COLUMNS: &[&str] = &["Start Date", "Details"];
const ALL_HIST_COLUMNS: &[&str] = &["Start Date", "End Date", "Details"];
const PRB_ACT_COLUMNS: &[&str] = &["Start Date", "Entry", "Significance", "Details"];
const PRB_INACT_COLUMNS: &[&str] = &["Start Date", "End Date", "Entry", "Significance", "Details"];
const MED_ACU_COLUMNS: &[&str] = &[
    "Type",
    "Start Date",
    "Medication Item",
    "Dosage Instruction",
    "Quantity",
    "Scheduled End Date",
    "Days Duration",
    "Additional Information",
];
const MED_REP_COLUMNS: &[&str] = &[
    "Type",
    "Start Date",
    "Medication Item",
    "Dosage Instruction",
    "Quantity",
    "Last Issued Date",
    "Number of Prescriptions Issued",
    "Max Issues",
    "Review Date",
    "Additional Information",
];
const MED_DIS_COLUMNS: &[&str] = &[
    "Type",
    "Last Issued Date",
    "Medication Item",
    "Dosage Instruction",
    "Quantity",
    "Discontinued Date",
    "Discontinuation Reason",
    "Additional Information",
];
const MED_ALL_COLUMNS: &[&str] = &[
    "Type",
    "Start Date",
    "Medication Item",
    "Dosage Instruction",
    "Quantity",
    "Last Issued Date",
    "Number of Prescriptions Issued",
    "Discontinuation Details",
    "Additional Information",
];
const MED_ISS_COLUMNS: &[&str] = &[
    "Type",
    "Issue Date",
    "Medication Item",
    "Dosage Instruction",
    "Quantity",
    "Days Duration",
    "Additional Information",
];
const EMERGENCY_COLUMNS: &[&str] = &[
    "Date",
    "Entry",
    "Details",
    "Location of further information",
];

/// The mandatory content banner of Discontinued Repeat Medication.
pub const DISCONTINUED_REPEAT_BANNER: &str = "All repeat medication ended by a clinician action";

use DateBanner::{Filtered, None as NoBanner, NotApplied};

const ADM_TABLES: &[Table] = &[table(None, "adm-tab", DATE_ENTRY_DETAILS, &[0], Filtered)];
const CLI_TABLES: &[Table] = &[table(None, "cli-tab", DATE_ENTRY_DETAILS, &[0], Filtered)];
const ENC_TABLES: &[Table] = &[table(None, "enc-tab", ENC_COLUMNS, &[0], Filtered)];
const IMM_TABLES: &[Table] = &[table(None, "imm-tab", IMM_COLUMNS, &[0], NoBanner)];
const OBS_TABLES: &[Table] = &[table(None, "obs-tab", OBS_COLUMNS, &[0], Filtered)];
const REF_TABLES: &[Table] = &[table(None, "ref-tab", REF_COLUMNS, &[0], Filtered)];
const ALL_TABLES: &[Table] = &[
    table(
        Some("Current Allergies and Adverse Reactions"),
        "all-tab-curr",
        ALL_CURR_COLUMNS,
        &[0],
        NoBanner,
    ),
    table(
        Some("Historical Allergies and Adverse Reactions"),
        "all-tab-hist",
        ALL_HIST_COLUMNS,
        &[0, 1],
        NoBanner,
    ),
];
const PRB_TABLES: &[Table] = &[
    table(
        Some("Active Problems and Issues"),
        "prb-tab-act",
        PRB_ACT_COLUMNS,
        &[0],
        NotApplied,
    ),
    table(
        Some("Major Inactive Problems and Issues"),
        "prb-tab-majinact",
        PRB_INACT_COLUMNS,
        &[0, 1],
        Filtered,
    ),
    table(
        Some("Other Inactive Problems and Issues"),
        "prb-tab-othinact",
        PRB_INACT_COLUMNS,
        &[0, 1],
        Filtered,
    ),
];
const MED_TABLES: &[Table] = &[
    table(
        Some("Acute Medication (Last 12 Months)"),
        "med-tab-acu-med",
        MED_ACU_COLUMNS,
        &[1, 5],
        NotApplied,
    ),
    table(
        Some("Current Repeat Medication"),
        "med-tab-curr-rep",
        MED_REP_COLUMNS,
        &[1, 5, 8],
        NotApplied,
    ),
    Table {
        content_banner: Some(DISCONTINUED_REPEAT_BANNER),
        ..table(
            Some("Discontinued Repeat Medication"),
            "med-tab-dis-rep",
            MED_DIS_COLUMNS,
            &[1, 5],
            NotApplied,
        )
    },
    table(
        Some("All Medication"),
        "med-tab-all-sum",
        MED_ALL_COLUMNS,
        &[1, 5],
        Filtered,
    ),
    table(
        Some("All Medication Issues"),
        "med-tab-all-iss",
        MED_ISS_COLUMNS,
        &[1],
        Filtered,
    ),
];
const SUM_TABLES: &[Table] = &[
    Table {
        since: "0.7.3",
        ..table(
            Some("Emergency Codes"),
            "cli-tab",
            EMERGENCY_COLUMNS,
            &[0],
            NoBanner,
        )
    },
    table(
        Some("Last 3 Encounters"),
        "enc-tab",
        ENC_COLUMNS,
        &[0],
        NoBanner,
    ),
    table(
        Some("Active Problems and Issues"),
        "prb-tab-act",
        PRB_ACT_COLUMNS,
        &[0],
        NoBanner,
    ),
    table(
        Some("Major Inactive Problems and Issues"),
        "prb-tab-majinact",
        PRB_INACT_COLUMNS,
        &[0, 1],
        NoBanner,
    ),
    table(
        Some("Current Allergies and Adverse Reactions"),
        "all-tab-curr",
        ALL_CURR_COLUMNS,
        &[0],
        NoBanner,
    ),
    table(
        Some("Acute Medication (Last 12 Months)"),
        "med-tab-acu-med",
        MED_ACU_COLUMNS,
        &[1, 5],
        NoBanner,
    ),
    table(
        Some("Current Repeat Medication"),
        "med-tab-curr-rep",
        MED_REP_COLUMNS,
        &[1, 5, 8],
        NoBanner,
    ),
];

/// A table of the 0.5.x views: every table is headed by its own `<h2>` (single-table sections by the
/// section title) and carries no id; `id` names the 0.7 table it shows the rows of (`prb-tab-inact` and
/// `med-past` have none).
const fn table05(
    heading: &'static str,
    id: &'static str,
    columns: &'static [&'static str],
    date_columns: &'static [usize],
    banner: DateBanner,
) -> Table {
    Table {
        heading: Some(heading),
        id,
        columns,
        date_columns,
        banner,
        content_banner: None,
        since: "0.5.0",
    }
}

/// The 0.5.x table shown instead of Inactive Problems and Issues' two 0.7.1 tables.
pub const INACTIVE_PROBLEMS_05: &str = "prb-tab-inact";
/// The 0.5.x Past Medications table (ended courses, filtered by the period).
pub const PAST_MEDICATIONS_05: &str = "med-past";

const OBS_COLUMNS_05: &[&str] = &["Date", "Entry", "Value", "Details"];
const MED_ISSUES_COLUMNS_05: &[&str] = &[
    "Start Date",
    "Medication Item",
    "Type",
    "Scheduled End",
    "Days Duration",
    "Details",
];
const MED_REPEAT_COLUMNS_05: &[&str] = &[
    "Last Issued",
    "Medication Item",
    "Start Date",
    "Review Date",
    "Number Issued",
    "Max Issues",
    "Details",
];
const MED_PAST_COLUMNS_05: &[&str] = &[
    "Start Date",
    "Medication Item",
    "Type",
    "Last Issued",
    "Review Date",
    "Number Issued",
    "Max Issues",
    "Details",
];

const ADM_TABLES_05: &[Table] = &[table05(
    "Administrative Items",
    "adm-tab",
    DATE_ENTRY_DETAILS,
    &[0],
    Filtered,
)];
const CLI_TABLES_05: &[Table] = &[table05(
    "Clinical Items",
    "cli-tab",
    DATE_ENTRY_DETAILS,
    &[0],
    Filtered,
)];
const ENC_TABLES_05: &[Table] = &[table05(
    "Encounters",
    "enc-tab",
    ENC_COLUMNS,
    &[0],
    Filtered,
)];
const IMM_TABLES_05: &[Table] = &[table05(
    "Immunisations",
    "imm-tab",
    IMM_COLUMNS,
    &[0],
    NoBanner,
)];
const OBS_TABLES_05: &[Table] = &[table05(
    "Observations",
    "obs-tab",
    OBS_COLUMNS_05,
    &[0],
    Filtered,
)];
const REF_TABLES_05: &[Table] = &[table05("Referrals", "ref-tab", REF_COLUMNS, &[0], Filtered)];
const ALL_CURRENT_05: Table = table05(
    "Current Allergies and Adverse Reactions",
    "all-tab-curr",
    ALL_CURR_COLUMNS,
    &[0],
    NoBanner,
);
const ALL_TABLES_05: &[Table] = &[
    ALL_CURRENT_05,
    table05(
        "Historical Allergies and Adverse Reactions",
        "all-tab-hist",
        ALL_HIST_COLUMNS,
        &[0, 1],
        NoBanner,
    ),
];
const PRB_ACTIVE_05: Table = table05(
    "Active Problems and Issues",
    "prb-tab-act",
    PRB_ACT_COLUMNS,
    &[0],
    NoBanner,
);
const PRB_TABLES_05: &[Table] = &[
    PRB_ACTIVE_05,
    table05(
        "Inactive Problems and Issues",
        INACTIVE_PROBLEMS_05,
        PRB_INACT_COLUMNS,
        &[0, 1],
        Filtered,
    ),
];
const MED_ISSUES_05: Table = table05(
    "Current Medication Issues",
    "med-tab-acu-med",
    MED_ISSUES_COLUMNS_05,
    &[0, 3],
    NoBanner,
);
const MED_REPEATS_05: Table = table05(
    "Current Repeat Medications",
    "med-tab-curr-rep",
    MED_REPEAT_COLUMNS_05,
    &[2, 0, 3],
    NoBanner,
);
const MED_TABLES_05: &[Table] = &[
    MED_ISSUES_05,
    MED_REPEATS_05,
    table05(
        "Past Medications",
        PAST_MEDICATIONS_05,
        MED_PAST_COLUMNS_05,
        &[0, 3, 4],
        Filtered,
    ),
];
const SUM_TABLES_05: &[Table] = &[
    Table {
        since: "0.5.3",
        ..table05(
            "Emergency Codes",
            "cli-tab",
            EMERGENCY_COLUMNS,
            &[0],
            NoBanner,
        )
    },
    PRB_ACTIVE_05,
    MED_ISSUES_05,
    MED_REPEATS_05,
    ALL_CURRENT_05,
    table05("Last 3 Encounters", "enc-tab", ENC_COLUMNS, &[0], NoBanner),
];

/// How the views of an Access Record HTML version are laid out and worded: 0.5.x heads every table
/// with its own `<h2>` and allows no attribute but `xmlns`; 0.7.0 brought the `<h1>` section title,
/// table ids and banner classes; 0.7.2 reworded the open-ended period and GP transfer banners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The section title heads the view as its `<h1>` (0.7.0+).
    pub section_heading: bool,
    /// Tables carry ids, banners and date cells classes (0.7.0+); before, no attribute but `xmlns`.
    pub ids_and_classes: bool,
    /// The banner of a filterable table when no period was sent.
    pub all_relevant: &'static str,
    /// The words before the quoted date of a period open at one end: `Data items` (0.7.2+) or `All
    /// data items` (`... from '...'`, `... until '...'`).
    pub open_period: &'static str,
    /// The GP transfer banner around its date.
    pub transfer: (&'static str, &'static str),
}

impl Layout {
    /// The layout of Access Record HTML `version` (an unreadable version reads as the newest).
    pub fn of(version: &str) -> Layout {
        let v = parse_version(version).unwrap_or((0, 7, 4));
        let old_transfer = (
            "Patient record transfer from previous GP Practice not yet complete; any information recorded before ",
            " has been excluded",
        );
        if v < (0, 7, 0) {
            Layout {
                section_heading: false,
                ids_and_classes: false,
                all_relevant: banner::ALL_RELEVANT,
                open_period: "All data items",
                transfer: old_transfer,
            }
        } else {
            Layout {
                section_heading: true,
                ids_and_classes: true,
                all_relevant: banner::ALL_RELEVANT,
                open_period: if v < (0, 7, 2) {
                    "All data items"
                } else {
                    "Data items"
                },
                transfer: if v < (0, 7, 2) {
                    old_transfer
                } else {
                    (banner::TRANSFER_START, banner::TRANSFER_END)
                },
            }
        }
    }

    /// The date banner of a filtered table for the period sent (dates already `dd-Mmm-yyyy`).
    pub fn period_banner(&self, start: Option<&str>, end: Option<&str>) -> String {
        match (start, end) {
            (Some(s), Some(e)) => banner::period(s, e),
            (Some(s), None) => format!("{} from '{s}'", self.open_period),
            (None, Some(e)) => format!("{} until '{e}'", self.open_period),
            (None, None) => self.all_relevant.to_string(),
        }
    }

    /// Whether `text` is worded as a date banner of this layout.
    pub fn is_date_banner(&self, text: &str) -> bool {
        text.starts_with(self.all_relevant)
            || text.starts_with("For the period '")
            || text.starts_with(&format!("{} from '", self.open_period))
            || text.starts_with(&format!("{} until '", self.open_period))
            || text == banner::NOT_APPLIED
    }
}

/// A record section a consumer may ask for (`recordSection`), 0.7.x scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Adm,
    All,
    Cli,
    Enc,
    Imm,
    Med,
    Obs,
    Prb,
    Ref,
    Sum,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Adm,
        Section::All,
        Section::Cli,
        Section::Enc,
        Section::Imm,
        Section::Med,
        Section::Obs,
        Section::Prb,
        Section::Ref,
        Section::Sum,
    ];

    /// The upper-case code of `gpconnect-record-section-1`.
    pub fn code(self) -> &'static str {
        match self {
            Section::Adm => "ADM",
            Section::All => "ALL",
            Section::Cli => "CLI",
            Section::Enc => "ENC",
            Section::Imm => "IMM",
            Section::Med => "MED",
            Section::Obs => "OBS",
            Section::Prb => "PRB",
            Section::Ref => "REF",
            Section::Sum => "SUM",
        }
    }

    /// The section title: the `<h1>` and `Composition.section.title`.
    pub fn title(self) -> &'static str {
        match self {
            Section::Adm => "Administrative Items",
            Section::All => "Allergies and Adverse Reactions",
            Section::Cli => "Clinical Items",
            Section::Enc => "Encounters",
            Section::Imm => "Immunisations",
            Section::Med => "Medications",
            Section::Obs => "Observations",
            Section::Prb => "Problems and Issues",
            Section::Ref => "Referrals",
            Section::Sum => "Summary",
        }
    }

    /// Whether a `timePeriod` may be sent (ALL, IMM and SUM refuse one with 400).
    pub fn accepts_period(self) -> bool {
        !matches!(self, Section::All | Section::Imm | Section::Sum)
    }

    /// Every table the section may carry, in order, whatever the version.
    pub fn all_tables(self) -> &'static [Table] {
        match self {
            Section::Adm => ADM_TABLES,
            Section::All => ALL_TABLES,
            Section::Cli => CLI_TABLES,
            Section::Enc => ENC_TABLES,
            Section::Imm => IMM_TABLES,
            Section::Med => MED_TABLES,
            Section::Obs => OBS_TABLES,
            Section::Prb => PRB_TABLES,
            Section::Ref => REF_TABLES,
            Section::Sum => SUM_TABLES,
        }
    }

    /// The tables of the section at 0.5.x, in order, whatever the 0.5 version.
    pub fn tables_05(self) -> &'static [Table] {
        match self {
            Section::Adm => ADM_TABLES_05,
            Section::All => ALL_TABLES_05,
            Section::Cli => CLI_TABLES_05,
            Section::Enc => ENC_TABLES_05,
            Section::Imm => IMM_TABLES_05,
            Section::Med => MED_TABLES_05,
            Section::Obs => OBS_TABLES_05,
            Section::Prb => PRB_TABLES_05,
            Section::Ref => REF_TABLES_05,
            Section::Sum => SUM_TABLES_05,
        }
    }

    /// The tables of the section in Access Record HTML `version`, in order.
    pub fn tables(self, version: &str) -> Vec<Table> {
        let v = parse_version(version);
        let tables = if Layout::of(version).section_heading {
            self.all_tables()
        } else {
            self.tables_05()
        };
        tables
            .iter()
            .filter(|t| v >= parse_version(t.since))
            .copied()
            .collect()
    }

    /// Whether the section is laid out with `<h2>` subsections (SUM, PRB, ALL, MED).
    pub fn has_subsections(self) -> bool {
        self.all_tables().iter().any(|t| t.heading.is_some())
    }

    /// Find a section by its exact (case-sensitive) code.
    pub fn from_code(code: &str) -> Option<Section> {
        Section::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// Banner texts (HTML view layout, banners), 0.7.2+ wording.
pub mod banner {
    pub const CLASS_DATE: &str = "date-banner";
    pub const CLASS_CONTENT: &str = "content-banner";
    pub const CLASS_TRANSFER: &str = "gptransfer-banner";
    pub const CLASS_EXCLUSION: &str = "exclusion-banner";
    pub const ALL_RELEVANT: &str = "All relevant items";
    /// The 0.5.0 wording of [`ALL_RELEVANT`] (also written `and / or`): any banner that begins with
    /// [`ALL_RELEVANT`] says it at 0.5.x.
    pub const ALL_RELEVANT_0_5_0: &str =
        "All relevant items subject to patient preferences and/or RCGP exclusions";
    pub const NOT_APPLIED: &str = "Date filter not applied";
    pub const TRANSFER_START: &str =
        "Patient record transfer from previous GP practice not yet complete; information recorded before ";
    pub const TRANSFER_END: &str = " may be missing";

    /// The banner of a period with both ends (dates already `dd-Mmm-yyyy`).
    pub fn period(start: &str, end: &str) -> String {
        format!("For the period '{start}' to '{end}'")
    }
    /// The banner of a period with only a start.
    pub fn from(start: &str) -> String {
        format!("Data items from '{start}'")
    }
    /// The banner of a period with only an end.
    pub fn until(end: &str) -> String {
        format!("Data items until '{end}'")
    }
    /// The fragment that replaces an empty table.
    pub fn no_data(title: &str) -> String {
        format!("No '{title}' data is recorded for this patient.")
    }
}

/// Class of every date cell.
pub const DATE_COLUMN_CLASS: &str = "date-column";

/// Class of the single cell heading each medication group in All Medication and All Medication Issues.
pub const MED_ITEM_CLASS: &str = "med-item-column";

/// The grouped medication tables and the columns their agreement is judged by (HTML implementation
/// guide, Medications: All Medication is summarised from All Medication Issues).
pub mod med {
    pub const ALL_SUMMARY_TABLE: &str = "med-tab-all-sum";
    pub const ALL_ISSUES_TABLE: &str = "med-tab-all-iss";
    pub const TYPE: &str = "Type";
    pub const ITEM: &str = "Medication Item";
    pub const DOSAGE: &str = "Dosage Instruction";
    pub const QUANTITY: &str = "Quantity";
    pub const START_DATE: &str = "Start Date";
    pub const ISSUE_DATE: &str = "Issue Date";
    pub const LAST_ISSUED: &str = "Last Issued Date";
    pub const ISSUED_COUNT: &str = "Number of Prescriptions Issued";
}

/// Elements the DSTU2 narrative allows (txt-1).
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// Elements that must never reach a clinician's browser (scripts, styling, frames, forms, objects).
pub const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "form", "input", "button", "object", "embed",
    "applet", "link", "base", "meta", "head", "body", "html",
];

/// A `dd-Mmm-yyyy` date (e.g. `03-May-2014`), as every date column and banner shows it.
pub fn format_date(date: chrono::NaiveDate) -> String {
    date.format("%d-%b-%Y").to_string()
}

/// Whether `text` is exactly a `dd-Mmm-yyyy` date.
pub fn is_display_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%d-%b-%Y").is_ok()
        && text.len() == 11
        && text.as_bytes()[2] == b'-'
}

/// The first and last day a FHIR `dateTime` of year, year-month or date precision (or a date-time with
/// an offset) covers; `None` for text that is not one (a date-time without an offset included).
pub fn date_bounds(value: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::{Datelike, NaiveDate};
    let v = value.trim();
    if v != value || v.is_empty() {
        return None;
    }
    match v.len() {
        4 => {
            let y: i32 = v.parse().ok()?;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
            ))
        }
        7 => {
            let first = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").ok()?;
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
            };
            Some((first, next.pred_opt()?))
        }
        10 => {
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
            Some((d, d))
        }
        _ => {
            let d = chrono::DateTime::parse_from_rfc3339(v).ok()?.date_naive();
            Some((d, d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn section_codes_are_exact_and_case_sensitive() {
        for s in Section::ALL {
            assert_eq!(Section::from_code(s.code()), Some(*s));
            assert_eq!(Section::from_code(&s.code().to_lowercase()), None);
        }
        assert_eq!(Section::from_code("INV"), None);
    }

    #[test]
    fn summary_gains_emergency_codes_in_0_7_3() {
        let ids = |v| -> Vec<&str> { Section::Sum.tables(v).iter().map(|t| t.id).collect() };
        assert_eq!(ids("0.7.2")[0], "enc-tab");
        assert_eq!(
            ids("0.7.4"),
            [
                "cli-tab",
                "enc-tab",
                "prb-tab-act",
                "prb-tab-majinact",
                "all-tab-curr",
                "med-tab-acu-med",
                "med-tab-curr-rep"
            ]
        );
    }

    #[test]
    fn the_0_5_views_head_every_table_and_add_emergency_codes_in_0_5_3() {
        let headings = |s: Section, v| -> Vec<&str> {
            s.tables(v).iter().map(|t| t.heading.unwrap()).collect()
        };
        assert_eq!(headings(Section::Enc, "0.5.2"), ["Encounters"]);
        assert_eq!(
            headings(Section::Sum, "0.5.2"),
            [
                "Active Problems and Issues",
                "Current Medication Issues",
                "Current Repeat Medications",
                "Current Allergies and Adverse Reactions",
                "Last 3 Encounters"
            ]
        );
        assert_eq!(headings(Section::Sum, "0.5.3")[0], "Emergency Codes");
        assert_eq!(Section::Med.tables("0.5.0").len(), 3);
        assert_eq!(Section::Med.tables("0.7.4").len(), 5);
        for v in ["0.5.0", "0.5.1", "0.5.2", "0.5.3"] {
            let l = Layout::of(v);
            assert!(!l.section_heading && !l.ids_and_classes, "{v}");
            assert_eq!(
                l.period_banner(Some("01-May-2015"), None),
                "All data items from '01-May-2015'"
            );
        }
        assert_eq!(
            Layout::of("0.7.4").period_banner(None, Some("29-Feb-2016")),
            banner::until("29-Feb-2016")
        );
        assert_eq!(
            Layout::of("0.5.0").period_banner(None, None),
            banner::ALL_RELEVANT
        );
        assert!(Layout::of("0.5.2").is_date_banner("All data items until '29-Feb-2016'"));
        assert!(!Layout::of("0.5.2")
            .is_date_banner("No 'Encounters' data is recorded for this patient."));
    }

    #[test]
    fn date_columns_lie_within_the_columns() {
        for s in Section::ALL {
            for t in s.all_tables().iter().chain(s.tables_05()) {
                assert!(
                    t.date_columns.iter().all(|&c| c < t.columns.len()),
                    "{}",
                    t.id
                );
                assert!(t.columns[t.date_columns[0]].contains("Date"), "{}", t.id);
            }
        }
    }

    #[test]
    fn partial_dates_widen_to_whole_days() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_bounds("2016"), Some((d(2016, 1, 1), d(2016, 12, 31))));
        assert_eq!(
            date_bounds("2016-02"),
            Some((d(2016, 2, 1), d(2016, 2, 29)))
        );
        assert_eq!(
            date_bounds("2016-12"),
            Some((d(2016, 12, 1), d(2016, 12, 31)))
        );
        assert_eq!(
            date_bounds("2015-10-23"),
            Some((d(2015, 10, 23), d(2015, 10, 23)))
        );
        assert!(date_bounds("2015-10-23T11:08:32+00:00").is_some());
        for bad in ["abcd", "2015-10-23T11:08:32", "", "2015-13", " 2015"] {
            assert_eq!(date_bounds(bad), None, "{bad}");
        }
        assert_eq!(format_date(d(2014, 5, 3)), "03-May-2014");
        assert!(is_display_date("03-May-2014"));
        assert!(!is_display_date("3 May 2014"));
        assert!(!is_display_date("2014-05-03"));
    }

    #[test]
    fn token_changes_are_found_by_their_wording_and_answered() {
        for c in TokenChange::ALL {
            assert_eq!(TokenChange::from_wording(c.wording()), Some(*c));
        }
        assert_eq!(
            TokenChange::DeviceUnknownElement.answer().describe(),
            "422 INVALID_RESOURCE"
        );
        assert_eq!(
            TokenChange::PractitionerUnknownElement.answer().describe(),
            "400 BAD_REQUEST or 422 INVALID_RESOURCE"
        );
        assert_eq!(TokenChange::SdsUserIdUnk.answer().describe(), "accepted");
        let mut claims = super::super::jwt::Claims::new_in(
            &super::super::jwt::Dialect::DSTU2,
            &super::super::jwt::ConsumerIdentity::default(),
            jwt::AUDIENCE,
            "patient/*.read",
            "directcare",
            1000,
        );
        TokenChange::IssuedInTheFuture.apply(&mut claims, 1000);
        assert_eq!(claims.get("iat"), Some(&serde_json::json!(1200)));
        assert_eq!(claims.get("exp"), Some(&serde_json::json!(1500)));
        TokenChange::PractitionerWithoutRoleOrLocalId.apply(&mut claims, 1000);
        let p = claims.get(claim::PRACTITIONER).unwrap();
        assert!(p.get("practitionerRole").is_none());
        assert_eq!(p["identifier"].as_array().unwrap().len(), 1);
        assert!(!TokenChange::NotBase64.encode(&claims).starts_with("eyJ"));
    }

    #[test]
    fn error_codes_are_found_by_their_wire_form() {
        for c in ErrorCode0::ALL {
            assert_eq!(ErrorCode0::from_code(c.code()), Some(*c));
        }
    }
}
