//! GP Connect error codes (Spine-ErrorOrWarningCode-1) with the HTTP status and FHIR issue type each uses
//! (Error handling guidance: error codes).
//!
//! Error handling guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html>

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $variant:ident => ($code:literal, $status:literal, $issue:literal, $display:literal) ),+ $(,)?) => {
        /// A GP Connect error code, as carried in `OperationOutcome.issue.details.coding.code`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode { $( $variant ),+ }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant ),+ ];

            /// The code as it appears on the wire.
            pub fn code(self) -> &'static str { match self { $( Self::$variant => $code ),+ } }
            /// The HTTP status a provider returns with this code.
            pub fn http_status(self) -> u16 { match self { $( Self::$variant => $status ),+ } }
            /// The FHIR `issue.code` (issue-type) that goes with this code.
            pub fn issue_type(self) -> &'static str { match self { $( Self::$variant => $issue ),+ } }
            /// The display text of the code system.
            pub fn display(self) -> &'static str { match self { $( Self::$variant => $display ),+ } }
        }
    };
}

error_codes! {
    InvalidIdentifierSystem => ("INVALID_IDENTIFIER_SYSTEM", 400, "value", "Invalid identifier system"),
    InvalidIdentifierValue => ("INVALID_IDENTIFIER_VALUE", 400, "value", "Invalid identifier value"),
    InvalidNhsNumber => ("INVALID_NHS_NUMBER", 400, "value", "Invalid NHS number"),
    InvalidPatientDemographics => ("INVALID_PATIENT_DEMOGRAPHICS", 400, "business-rule", "Invalid patient demographics"),
    OrganisationNotFound => ("ORGANISATION_NOT_FOUND", 404, "not-found", "Organisation not found"),
    PatientNotFound => ("PATIENT_NOT_FOUND", 404, "not-found", "Patient not found"),
    PractitionerNotFound => ("PRACTITIONER_NOT_FOUND", 404, "not-found", "Practitioner not found"),
    NoRecordFound => ("NO_RECORD_FOUND", 404, "not-found", "No record found"),
    NoPatientConsent => ("NO_PATIENT_CONSENT", 403, "forbidden", "Patient has not provided consent to share data"),
    NoOrganisationalConsent => ("NO_ORGANISATIONAL_CONSENT", 403, "forbidden", "Organisation has not provided consent to share data"),
    AccessDenied => ("ACCESS DENIED", 403, "forbidden", "Access has been denied to process this request"),
    NoRelationship => ("NO_RELATIONSHIP", 403, "forbidden", "No legitimate relationship exists with this patient"),
    // Migrate a document (1.6.x) names this code; Spine-ErrorOrWarningCode-1 does not hold it.
    NotAuthorised => ("NOT_AUTHORISED", 403, "forbidden", "Not authorised"),
    DuplicateRejected => ("DUPLICATE_REJECTED", 409, "duplicate", "Create would lead to creation of a duplicate resource"),
    FhirConstraintViolation => ("FHIR_CONSTRAINT_VIOLATION", 409, "invalid", "FHIR constraint violated"),
    InvalidResource => ("INVALID_RESOURCE", 422, "invalid", "Invalid validation of resource"),
    InvalidParameter => ("INVALID_PARAMETER", 422, "invalid", "Invalid parameter"),
    ReferenceNotFound => ("REFERENCE_NOT_FOUND", 422, "invalid", "Reference not found"),
    BadRequest => ("BAD_REQUEST", 400, "invalid", "Bad request"),
    ConflictingValues => ("CONFLICTING_VALUES", 400, "invalid", "Conflicting values have been specified in different fields"),
    NotImplemented => ("NOT_IMPLEMENTED", 501, "not-supported", "Not implemented"),
    InternalServerError => ("INTERNAL_SERVER_ERROR", 500, "processing", "Unexpected internal server error"),
    UnsupportedMediaType => ("UNSUPPORTED_MEDIA_TYPE", 415, "not-supported", "Unsupported media type"),
}

impl ErrorCode {
    /// Look a code up by its wire form. `ACCESS_DENIED` (1.2.6/1.2.7 spelling) maps to [`ErrorCode::AccessDenied`].
    pub fn from_code(code: &str) -> Option<ErrorCode> {
        if code == "ACCESS_DENIED" {
            return Some(ErrorCode::AccessDenied);
        }
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(*c));
        }
        let mut codes: Vec<_> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn statuses_follow_the_spec_table() {
        assert_eq!(ErrorCode::BadRequest.http_status(), 400);
        assert_eq!(ErrorCode::PatientNotFound.http_status(), 404);
        assert_eq!(ErrorCode::InvalidParameter.http_status(), 422);
        assert_eq!(ErrorCode::DuplicateRejected.http_status(), 409);
        assert_eq!(
            ErrorCode::from_code("ACCESS_DENIED"),
            Some(ErrorCode::AccessDenied)
        );
        assert_eq!(ErrorCode::from_code("NOPE"), None);
    }
}
