//! Errors as GP Connect OperationOutcomes (Error handling guidance: OperationOutcome).
//!
//! Handlers and the guard fail with an [`ApiError`]: a Spine error code plus diagnostics. Its status comes
//! from the code's row of [`ErrorCode`], so a code and its HTTP status can never disagree.
//!
//! Error handling guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html>

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::respond::Fhir;
use crate::gpconnect::systems::{self, profiles};
use crate::gpconnect::ErrorCode;

/// A request the provider refuses, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    /// What exactly was wrong; names the offending header, claim or parameter.
    pub diagnostics: String,
    /// A status other than the code's own (e.g. 413 or 415 for transport-level refusals).
    pub status: Option<StatusCode>,
}

impl ApiError {
    pub fn new(code: ErrorCode, diagnostics: impl Into<String>) -> ApiError {
        ApiError {
            code,
            diagnostics: diagnostics.into(),
            status: None,
        }
    }

    pub fn bad_request(diagnostics: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, diagnostics)
    }

    pub fn invalid_resource(diagnostics: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidResource, diagnostics)
    }

    pub fn invalid_parameter(diagnostics: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidParameter, diagnostics)
    }

    /// Send with `status` instead of the code's own status.
    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status = Some(status);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
            .or_else(|| StatusCode::from_u16(self.code.http_status()).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The GPConnect-OperationOutcome-1 body.
    pub fn outcome(&self) -> Value {
        operation_outcome(self.code, &self.diagnostics)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.diagnostics)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Fhir::new(self.status(), self.outcome()).into_response()
    }
}

/// A one-issue OperationOutcome conforming to GPConnect-OperationOutcome-1.
pub fn operation_outcome(code: ErrorCode, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "meta": {"profile": [profiles::OPERATION_OUTCOME]},
        "issue": [{
            "severity": "error",
            "code": code.issue_type(),
            "details": {"coding": [{
                "system": systems::SPINE_ERROR_OR_WARNING_CODE,
                "code": code.code(),
                "display": code.display(),
            }]},
            "diagnostics": diagnostics,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_follows_the_profile() {
        let e = ApiError::invalid_parameter("identifier has no system");
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let oo = e.outcome();
        let issue = &oo["issue"][0];
        assert_eq!(oo["meta"]["profile"][0], profiles::OPERATION_OUTCOME);
        assert_eq!(issue["severity"], "error");
        assert_eq!(issue["code"], "invalid");
        assert_eq!(issue["details"]["coding"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            issue["details"]["coding"][0]["system"],
            systems::SPINE_ERROR_OR_WARNING_CODE
        );
        assert_eq!(issue["details"]["coding"][0]["code"], "INVALID_PARAMETER");
        assert!(issue["diagnostics"]
            .as_str()
            .is_some_and(|d| d.contains("identifier")));
    }

    #[test]
    fn status_override_wins() {
        let e = ApiError::bad_request("too big").with_status(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
