//! The OperationOutcome every error response carries (GPConnect-OperationOutcome-1, Error handling guidance: OperationOutcome).
//!
//! Error handling guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html>

use serde_json::Value;

use super::resource::declares_profile;
use super::response::{body_as_json, in_context, resource_type_is, response};
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::systems::{
    profiles, SPINE_ERROR_OR_WARNING_CODE, SPINE_ERROR_OR_WARNING_CODE_VALUESET,
};
use crate::gpconnect::ErrorCode;
use crate::http::Exchange;

/// The body is a well-formed GP Connect OperationOutcome; returns its first error code.
pub fn well_formed(outcome: &Value) -> Result<String, String> {
    resource_type_is(outcome, "OperationOutcome")?;
    declares_profile(outcome, profiles::OPERATION_OUTCOME)?;
    let issues = outcome
        .get("issue")
        .and_then(Value::as_array)
        .filter(|i| !i.is_empty());
    let issues = issues.ok_or("OperationOutcome has no issue")?;
    let mut first_code = None;
    for (i, issue) in issues.iter().enumerate() {
        let at = format!("OperationOutcome.issue[{i}]");
        let severity = issue.get("severity").and_then(Value::as_str).unwrap_or("");
        ensure(!severity.is_empty(), || format!("{at}.severity is missing"))?;
        ensure(
            issue
                .get("code")
                .and_then(Value::as_str)
                .is_some_and(|c| !c.is_empty()),
            || format!("{at}.code is missing"),
        )?;
        let codings = issue.at("/details/coding").and_then(Value::as_array);
        let codings = codings.ok_or_else(|| format!("{at}.details.coding is missing"))?;
        ensure(codings.len() == 1, || {
            format!(
                "{at}.details.coding must hold exactly one coding, found {}",
                codings.len()
            )
        })?;
        let coding = &codings[0];
        let system = coding
            .get("system")
            .and_then(Value::as_str)
            .unwrap_or("(none)");
        ensure(system == SPINE_ERROR_OR_WARNING_CODE, || {
            let hint = if system == SPINE_ERROR_OR_WARNING_CODE_VALUESET {
                " (that is the ValueSet URL; the profile fixes the CodeSystem URL)"
            } else {
                ""
            };
            format!("{at}.details.coding.system is {system:?}; it must be {SPINE_ERROR_OR_WARNING_CODE}{hint}")
        })?;
        let code = coding
            .get("code")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{at}.details.coding.code is missing"))?;
        ensure(
            coding
                .get("display")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty()),
            || format!("{at}.details.coding.display is missing or empty"),
        )?;
        for forbidden in ["version", "userSelected"] {
            ensure(coding.get(forbidden).is_none(), || {
                format!("{at}.details.coding.{forbidden} must not be present")
            })?;
        }
        first_code.get_or_insert_with(|| code.to_string());
    }
    Ok(first_code.unwrap_or_default())
}

/// The response is the GP Connect error `code`: its HTTP status, an OperationOutcome with severity error,
/// the matching issue type, and the code in the Spine code system.
pub fn is_error(exchange: &Exchange, code: ErrorCode) -> CheckResult {
    is_error_with_status(exchange, code, &[code.http_status()])
}

/// As [`is_error`], accepting any of `statuses` (where the spec and the official suite disagree).
pub fn is_error_with_status(exchange: &Exchange, code: ErrorCode, statuses: &[u16]) -> CheckResult {
    let r = response(exchange)?;
    let outcome = body_as_json(exchange).map_err(|e| {
        in_context(
            format_args!("expected the error {code} with an OperationOutcome body"),
            e,
        )
    })?;
    let actual = well_formed(&outcome).map_err(|e| format!("expected the error {code}: {e}"))?;
    let matches_code = ErrorCode::from_code(&actual) == Some(code);
    ensure(matches_code, || {
        format!(
            "expected error code {code}, got {actual} (HTTP {})",
            r.status
        )
    })?;
    let statuses_text: Vec<String> = statuses.iter().map(u16::to_string).collect();
    ensure(statuses.contains(&r.status), || {
        format!(
            "error {code} must come with HTTP {}, got {}",
            statuses_text.join(" or "),
            r.status
        )
    })?;
    let issue = &outcome["issue"][0];
    let severity = issue["severity"].as_str().unwrap_or_default();
    ensure(severity == "error", || {
        format!("OperationOutcome.issue[0].severity is {severity:?}; errors use \"error\"")
    })?;
    let issue_type = issue["code"].as_str().unwrap_or_default();
    // INTERNAL_SERVER_ERROR examples use `exception`; the table says `processing`.
    let allowed_types: &[&str] = match code {
        ErrorCode::InternalServerError => &["processing", "exception"],
        ErrorCode::FhirConstraintViolation => &["invalid", "conflict", "processing"],
        _ => &[code.issue_type()],
    };
    ensure(allowed_types.contains(&issue_type), || {
        format!(
            "OperationOutcome.issue[0].code is {issue_type:?}; {code} uses {:?}",
            allowed_types.join(" or ")
        )
    })
}

/// The response is an error (4xx/5xx) with a well-formed OperationOutcome, whatever the code.
pub fn is_any_error(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    ensure(r.status >= 400, || {
        format!("expected an error status, got {}", r.status)
    })?;
    let outcome = body_as_json(exchange)
        .map_err(|e| in_context("an error response must carry an OperationOutcome", e))?;
    well_formed(&outcome).map(|_| ())
}

/// The response refuses the request as the consumer's fault: a 4xx status with a well-formed
/// OperationOutcome whose code is a GP Connect error code sent with its own HTTP status. A 5xx is the
/// provider failing, not a refusal; a code sent with another code's status is not the error it names
/// (cross-cutting error handling, "Error handling guidance":
/// https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_error_handling_guidance.html).
pub fn is_client_error(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    ensure((400..500).contains(&r.status), || {
        format!(
            "expected the request to be refused with a 4xx status and an OperationOutcome, got {}{}",
            r.status,
            if r.status >= 500 {
                " (a server error is the provider failing, not a refusal)"
            } else {
                ""
            }
        )
    })?;
    let outcome = body_as_json(exchange)
        .map_err(|e| in_context("an error response must carry an OperationOutcome", e))?;
    let code = well_formed(&outcome)?;
    let known = ErrorCode::from_code(&code)
        .ok_or_else(|| format!("error code {code:?} is not a GP Connect error code"))?;
    ensure(known.http_status() == r.status, || {
        format!(
            "error {known} comes with HTTP {}, not {}",
            known.http_status(),
            r.status
        )
    })
}

/// The response is either the error `code` (checked as [`is_error`]) or a success (2xx). Where the
/// specification does not oblige a provider to refuse a request, a success is not a failure: it returns
/// `Ok(Some(note))` for the caller to show as a warning; the refusal returns `Ok(None)`. Anything else
/// (another code, a 5xx, an error without an OperationOutcome) fails.
pub fn is_error_or_success(exchange: &Exchange, code: ErrorCode) -> Result<Option<String>, String> {
    let r = response(exchange)?;
    if (200..300).contains(&r.status) {
        return Ok(Some(format!(
            "the request was answered with HTTP {} rather than refused with {code}",
            r.status
        )));
    }
    is_error(exchange, code).map(|_| None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;
    use serde_json::json;

    fn outcome(code: &str, system: &str, issue_type: &str) -> String {
        json!({
            "resourceType": "OperationOutcome",
            "meta": {"profile": [profiles::OPERATION_OUTCOME]},
            "issue": [{"severity": "error", "code": issue_type, "details": {"coding": [{"system": system, "code": code, "display": "x"}]}, "diagnostics": "d"}]
        })
        .to_string()
    }

    const CT: (&str, &str) = ("Content-Type", "application/fhir+json;charset=utf-8");

    #[test]
    fn accepts_a_conformant_error() {
        let e = exchange(
            400,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        is_error(&e, ErrorCode::BadRequest).unwrap();
        is_any_error(&e).unwrap();
    }

    #[test]
    fn catches_each_defect() {
        let wrong_status = exchange(
            500,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_fails!(is_error(&wrong_status, ErrorCode::BadRequest), "HTTP 400");
        assert_fails!(
            is_error_with_status(&wrong_status, ErrorCode::BadRequest, &[400, 422]),
            "must come with HTTP 400 or 422, got 500"
        );
        let unprocessable = exchange(
            422,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        is_error_with_status(&unprocessable, ErrorCode::BadRequest, &[400, 422]).unwrap();
        let wrong_code = exchange(
            400,
            &[CT],
            &outcome("INVALID_RESOURCE", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_fails!(
            is_error(&wrong_code, ErrorCode::BadRequest),
            "INVALID_RESOURCE"
        );
        let valueset_system = exchange(
            400,
            &[CT],
            &outcome(
                "BAD_REQUEST",
                SPINE_ERROR_OR_WARNING_CODE_VALUESET,
                "invalid",
            ),
        );
        assert_fails!(
            is_error(&valueset_system, ErrorCode::BadRequest),
            "ValueSet URL"
        );
        let wrong_type = exchange(
            400,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "value"),
        );
        assert_fails!(
            is_error(&wrong_type, ErrorCode::BadRequest),
            "issue[0].code"
        );
        let no_body = exchange(400, &[], "");
        assert_fails!(
            is_error(&no_body, ErrorCode::BadRequest),
            "with an OperationOutcome body"
        );
        let not_outcome = exchange(400, &[CT], r#"{"resourceType":"Bundle"}"#);
        assert_fails!(is_any_error(&not_outcome), "got resourceType Bundle");
        let mut v: Value = serde_json::from_str(&outcome(
            "BAD_REQUEST",
            SPINE_ERROR_OR_WARNING_CODE,
            "invalid",
        ))
        .unwrap();
        v["meta"] = json!({});
        assert_fails!(well_formed(&v), "meta.profile");
        v["meta"] = json!({"profile": [profiles::OPERATION_OUTCOME]});
        v["issue"][0]["details"]["coding"] = json!([{"system": SPINE_ERROR_OR_WARNING_CODE, "code": "BAD_REQUEST", "display": "x"}, {"system": "s", "code": "c", "display": "d"}]);
        assert_fails!(well_formed(&v), "exactly one");
        v["issue"][0]["details"]["coding"] =
            json!([{"system": SPINE_ERROR_OR_WARNING_CODE, "code": "BAD_REQUEST", "display": ""}]);
        assert_fails!(well_formed(&v), "display");
        v["issue"] = json!([]);
        assert_fails!(well_formed(&v), "no issue");
    }

    #[test]
    fn a_refusal_is_a_4xx_with_its_own_code() {
        let refused = exchange(
            400,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        is_client_error(&refused).unwrap();
        let unprocessable = exchange(
            422,
            &[CT],
            &outcome("INVALID_PARAMETER", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        is_client_error(&unprocessable).unwrap();
        let server = exchange(
            500,
            &[CT],
            &outcome(
                "INTERNAL_SERVER_ERROR",
                SPINE_ERROR_OR_WARNING_CODE,
                "exception",
            ),
        );
        assert_fails!(is_client_error(&server), "server error");
        is_any_error(&server).unwrap();
        let mismatched = exchange(
            404,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_fails!(is_client_error(&mismatched), "HTTP 400");
        let unknown = exchange(
            400,
            &[CT],
            &outcome("WHATEVER", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_fails!(is_client_error(&unknown), "not a GP Connect error code");
        let ok = exchange(200, &[CT], r#"{"resourceType":"Bundle"}"#);
        assert!(is_client_error(&ok).is_err());
    }

    #[test]
    fn error_or_success_accepts_only_the_named_error_or_a_2xx() {
        let refused = exchange(
            400,
            &[CT],
            &outcome("BAD_REQUEST", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_eq!(
            is_error_or_success(&refused, ErrorCode::BadRequest).unwrap(),
            None
        );
        let ok = exchange(200, &[CT], r#"{"resourceType":"Patient"}"#);
        assert!(is_error_or_success(&ok, ErrorCode::BadRequest)
            .unwrap()
            .unwrap()
            .contains("200"));
        let server = exchange(
            500,
            &[CT],
            &outcome(
                "INTERNAL_SERVER_ERROR",
                SPINE_ERROR_OR_WARNING_CODE,
                "exception",
            ),
        );
        assert_fails!(
            is_error_or_success(&server, ErrorCode::BadRequest),
            "BAD_REQUEST"
        );
        let other = exchange(
            422,
            &[CT],
            &outcome("INVALID_RESOURCE", SPINE_ERROR_OR_WARNING_CODE, "invalid"),
        );
        assert_fails!(
            is_error_or_success(&other, ErrorCode::BadRequest),
            "BAD_REQUEST"
        );
    }
}
