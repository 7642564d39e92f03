//! Checks for the protocol rules where the spec leaves the provider a choice (a wrong verb is 400 or 405,
//! a non-UUID trace id may be tolerated), and for what an error must explain (diagnostics).
//!
//! General API guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>
//! Error handling guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html>

use serde_json::Value;

use super::outcome::{is_any_error, is_error, well_formed};
use super::response::{body_as_json, in_context, response};
use super::{ensure, CheckResult};
use crate::gpconnect::ErrorCode;
use crate::http::Exchange;

/// A verb the endpoint does not serve: `400 BAD_REQUEST` (error-handling guidance) or `405 Method Not
/// Allowed` (in the spec's status list, and what the SSP itself answers), either way with an
/// OperationOutcome (General API guidance: HTTP verbs).
pub fn method_refused(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    match r.status {
        400 => is_error(exchange, ErrorCode::BadRequest),
        405 => is_any_error(exchange),
        s => Err(format!(
            "{} is not a verb this endpoint serves: expected 400 BAD_REQUEST or 405 with an OperationOutcome, got HTTP {s}",
            exchange.request.method
        )),
    }
}

/// A success (2xx), or the GP Connect error `code`: for inputs the spec does not require a provider to
/// refuse but lets it (e.g. an `Ssp-TraceID` that is not a UUID). Anything else (a server error, another
/// code) fails.
pub fn success_or_error(exchange: &Exchange, code: ErrorCode) -> CheckResult {
    let r = response(exchange)?;
    if (200..300).contains(&r.status) {
        return Ok(());
    }
    is_error(exchange, code).map_err(|e| format!("expected success or the error {code}: {e}"))
}

/// Every issue of the OperationOutcome carries a non-empty `diagnostics`: MUST for INVALID_RESOURCE,
/// INVALID_PARAMETER, REFERENCE_NOT_FOUND and INTERNAL_SERVER_ERROR (Error handling guidance: OperationOutcome), since the
/// code alone does not tell the consumer which parameter or element was wrong.
pub fn diagnostics_present(exchange: &Exchange) -> CheckResult {
    let outcome =
        body_as_json(exchange).map_err(|e| in_context("expected an OperationOutcome", e))?;
    well_formed(&outcome)?;
    for (i, issue) in outcome["issue"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let d = issue
            .get("diagnostics")
            .and_then(Value::as_str)
            .unwrap_or_default();
        ensure(!d.trim().is_empty(), || {
            format!("OperationOutcome.issue[{i}].diagnostics is missing or empty; this error MUST say what was wrong")
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;
    use crate::gpconnect::systems::{profiles, SPINE_ERROR_OR_WARNING_CODE};
    use serde_json::json;

    const CT: (&str, &str) = ("Content-Type", "application/fhir+json;charset=utf-8");

    fn outcome(code: ErrorCode, diagnostics: Option<&str>) -> String {
        let mut issue = json!({"severity": "error", "code": code.issue_type(),
            "details": {"coding": [{"system": SPINE_ERROR_OR_WARNING_CODE, "code": code.code(), "display": code.display()}]}});
        if let Some(d) = diagnostics {
            issue["diagnostics"] = json!(d);
        }
        json!({"resourceType": "OperationOutcome", "meta": {"profile": [profiles::OPERATION_OUTCOME]}, "issue": [issue]}).to_string()
    }

    fn error(status: u16, code: ErrorCode) -> Exchange {
        exchange(status, &[CT], &outcome(code, Some("why")))
    }

    #[test]
    fn wrong_verb_is_400_bad_request_or_405() {
        method_refused(&error(400, ErrorCode::BadRequest)).unwrap();
        method_refused(&error(405, ErrorCode::NotImplemented)).unwrap();
        assert_fails!(
            method_refused(&error(400, ErrorCode::InvalidParameter)),
            "got INVALID_PARAMETER"
        );
        assert_fails!(
            method_refused(&exchange(
                200,
                &[CT],
                r#"{"resourceType":"CapabilityStatement"}"#
            )),
            "HTTP 200"
        );
        assert_fails!(
            method_refused(&exchange(405, &[], "")),
            "an error response must carry an OperationOutcome"
        );
        assert_fails!(method_refused(&error(404, ErrorCode::NoRecordFound)), "404");
    }

    #[test]
    fn success_or_named_error() {
        success_or_error(&exchange(200, &[CT], "{}"), ErrorCode::BadRequest).unwrap();
        success_or_error(&error(400, ErrorCode::BadRequest), ErrorCode::BadRequest).unwrap();
        assert_fails!(
            success_or_error(
                &error(500, ErrorCode::InternalServerError),
                ErrorCode::BadRequest
            ),
            "got INTERNAL_SERVER_ERROR"
        );
        assert_fails!(
            success_or_error(&exchange(500, &[], ""), ErrorCode::BadRequest),
            "expected success or the error BAD_REQUEST"
        );
    }

    #[test]
    fn diagnostics_must_be_there() {
        diagnostics_present(&error(422, ErrorCode::InvalidParameter)).unwrap();
        let bare = exchange(422, &[CT], &outcome(ErrorCode::InvalidParameter, None));
        assert_fails!(diagnostics_present(&bare), "diagnostics");
        let blank = exchange(
            422,
            &[CT],
            &outcome(ErrorCode::InvalidParameter, Some("  ")),
        );
        assert_fails!(
            diagnostics_present(&blank),
            "diagnostics is missing or empty"
        );
    }
}
