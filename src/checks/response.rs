//! Status, body and format of a response.

use std::sync::Arc;

use serde_json::Value;

use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::http::evidence::Finding;
use crate::http::{Exchange, RecordedResponse};
use crate::verdict::Problem;

/// The response, or why there is none (connection refused, timeout...). No response is a transport
/// failure, not a broken rule: the message carries the error kind, so a check that needed the response
/// ends in error rather than failed.
pub fn response(exchange: &Exchange) -> Result<&RecordedResponse, String> {
    exchange.response.as_ref().ok_or_else(|| {
        Problem::error(format!(
            "no response from {} {}: {}",
            exchange.request.method,
            exchange.request.url,
            exchange
                .error
                .as_deref()
                .unwrap_or("unknown transport error")
        ))
        .to_string()
    })
}

/// The HTTP status is `expected`.
pub fn status_is(exchange: &Exchange, expected: u16) -> CheckResult {
    let r = response(exchange)?;
    ensure(r.status == expected, || {
        format!(
            "expected HTTP status {expected}, got {}{}",
            r.status,
            outcome_hint(r)
        )
    })
}

/// The HTTP status is one of `allowed`.
pub fn status_in(exchange: &Exchange, allowed: &[u16]) -> CheckResult {
    let r = response(exchange)?;
    ensure(allowed.contains(&r.status), || {
        let list: Vec<String> = allowed.iter().map(u16::to_string).collect();
        format!(
            "expected HTTP status {}, got {}{}",
            list.join(" or "),
            r.status,
            outcome_hint(r)
        )
    })
}

/// The response has no body (what `Prefer: return=minimal` asks of a create or update).
pub fn body_is_empty(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    let n = r.body_info.bytes.max(r.body.len());
    ensure(n == 0 && r.body.trim().is_empty(), || {
        format!("the response has a body of {n} bytes; Prefer: return=minimal asks for none")
    })
}

/// The status is a client or server error (4xx/5xx).
pub fn status_is_error(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    ensure(r.status >= 400, || {
        format!("expected an error status (4xx or 5xx), got {}", r.status)
    })
}

/// For a failure message: the error code in an OperationOutcome body, if there is one.
fn outcome_hint(r: &RecordedResponse) -> String {
    let code = serde_json::from_str::<Value>(&r.body).ok().and_then(|v| {
        v.at("/issue/0/details/coding/0/code")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    match code {
        Some(c) => format!(" (OperationOutcome code {c})"),
        None => String::new(),
    }
}

/// Wire format of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Json => crate::gpconnect::systems::mime::FHIR_JSON,
            Format::Xml => crate::gpconnect::systems::mime::FHIR_XML,
        }
    }
}

/// Sniff a body's format from its first non-blank character.
pub fn sniff(body: &str) -> Option<Format> {
    match body.trim_start().chars().next() {
        Some('{') => Some(Format::Json),
        Some('<') => Some(Format::Xml),
        _ => None,
    }
}

/// The body is in `format`, and the Content-Type says so with `charset=utf-8`.
pub fn body_format_is(exchange: &Exchange, format: Format) -> CheckResult {
    let r = response(exchange)?;
    let ct = r
        .header("content-type")
        .ok_or("the response has a body but no Content-Type header")?;
    let (mime, params) = ct.split_once(';').unwrap_or((ct, ""));
    ensure(mime.trim().eq_ignore_ascii_case(format.mime()), || {
        format!("expected Content-Type {}, got {ct:?}", format.mime())
    })?;
    ensure(
        params
            .replace(' ', "")
            .to_ascii_lowercase()
            .contains("charset=utf-8"),
        || format!("Content-Type {ct:?} does not state charset=utf-8"),
    )?;
    ensure(sniff(&r.body) == Some(format), || {
        format!(
            "the Content-Type says {:?} but the body is not {:?}: {}",
            format,
            format,
            snippet(&r.body)
        )
    })
}

/// The body parsed as FHIR JSON (XML bodies converted).
///
/// A body the harness cut at `http.max_response_bytes` cannot be judged: the error is the harness's
/// (its message carries the error marker of [`Problem`], so the step ends in error, not failed). A
/// body that is not UTF-8 fails: the provider broke the character encoding rule.
///
/// The body is read once per exchange: every later call shares the same tree.
pub fn body_as_json(exchange: &Exchange) -> Result<Arc<Value>, String> {
    let r = response(exchange)?;
    r.parsed.get_or_parse(|| {
        if let Some(cut) = &r.truncated {
            return Err(Problem::error(cut.describe()).to_string());
        }
        if let Some(finding) = Finding::invalid_utf8(r) {
            return Err(format!("{} ({})", finding.message, finding.location));
        }
        if r.body.trim().is_empty() {
            return Err(format!("the response (status {}) has no body", r.status));
        }
        crate::fhir::parse_body(r.body.as_bytes(), r.header("content-type")).map_err(|e| {
            format!(
                "the body is not FHIR JSON or XML ({e}): {}",
                snippet(&r.body)
            )
        })
    })
}

/// Put `context` before a check's message, keeping its kind: a harness error (a body cut by the
/// harness) stays an error rather than turning into a broken rule.
pub fn in_context(context: impl std::fmt::Display, message: String) -> String {
    Problem::decode(&message).context(context).to_string()
}

/// The body is a resource of `resource_type`.
pub fn resource_type_is(resource: &Value, resource_type: &str) -> CheckResult {
    let actual = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(actual == resource_type, || {
        format!("expected a {resource_type} resource, got resourceType {actual}")
    })
}

/// First 200 characters of a body, for messages.
pub fn snippet(body: &str) -> String {
    let s: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        format!("{s}...")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;

    #[test]
    fn a_body_where_none_was_asked_for_is_caught() {
        let full = exchange(201, &[], r#"{"resourceType":"Appointment","id":"1"}"#);
        assert_fails!(body_is_empty(&full), "return=minimal");
        body_is_empty(&exchange(201, &[], "")).unwrap();
    }

    #[test]
    fn status_checks_catch_the_wrong_status() {
        let e = exchange(
            500,
            &[],
            r#"{"resourceType":"OperationOutcome","issue":[{"details":{"coding":[{"code":"INTERNAL_SERVER_ERROR"}]}}]}"#,
        );
        let err = status_is(&e, 200).unwrap_err();
        assert!(
            err.contains("got 500") && err.contains("INTERNAL_SERVER_ERROR"),
            "{err}"
        );
        assert_fails!(
            status_in(&e, &[400, 405]),
            "expected HTTP status 400 or 405, got 500"
        );
        assert!(status_is_error(&e).is_ok());
        assert_fails!(
            status_is_error(&exchange(200, &[], "{}")),
            "expected an error status (4xx or 5xx), got 200"
        );
    }

    #[test]
    fn missing_response_is_reported() {
        let mut e = exchange(200, &[], "");
        e.response = None;
        e.error = Some("could not connect".into());
        assert_fails!(status_is(&e, 200), "could not connect");
        assert_fails!(response(&e), "no response from GET http://p/metadata");
        assert!(response(&exchange(200, &[], "")).is_ok());
        // A transport failure is the harness's error, never the provider's broken rule, even when a
        // step adds its own context to the message.
        let kind = |r: CheckResult| Problem::decode(&r.unwrap_err()).outcome;
        assert_eq!(kind(status_is(&e, 200)), crate::verdict::Outcome::Error);
        assert_eq!(
            kind(status_is(&e, 200).map_err(|m| in_context("finding a patient", m))),
            crate::verdict::Outcome::Error
        );
    }

    #[test]
    fn bodies_must_be_fhir() {
        let ct = ("Content-Type", "application/fhir+json;charset=utf-8");
        let v = body_as_json(&exchange(200, &[ct], r#"{"resourceType":"Patient"}"#)).unwrap();
        assert_eq!(v["resourceType"], "Patient");
        assert_fails!(
            body_as_json(&exchange(404, &[ct], " ")),
            "(status 404) has no body"
        );
        assert_fails!(
            body_as_json(&exchange(200, &[ct], "not json")),
            "not FHIR JSON or XML"
        );
    }

    #[test]
    fn a_body_is_read_once_and_shared_until_the_exchange_is_filed() {
        let ct = ("Content-Type", "application/fhir+json;charset=utf-8");
        let mut x = exchange(200, &[ct], r#"{"resourceType":"Patient","id":"1"}"#);
        let first = body_as_json(&x).unwrap();
        let again = body_as_json(&x).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second check re-parsed the body"
        );
        // a copy of the exchange (the evidence's) shares the tree too
        assert!(Arc::ptr_eq(&first, &body_as_json(&x.clone()).unwrap()));
        // filing keeps only the start of the body: the tree goes with the rest
        x.file(10, None);
        assert!(
            body_as_json(&x).is_err(),
            "a filed exchange still answered with the tree of its whole body"
        );
    }

    #[test]
    fn a_body_cut_by_the_harness_is_an_error_not_the_providers_failure() {
        use crate::http::evidence::{CutStage, Truncation};
        use crate::verdict::Outcome;
        let ct = ("Content-Type", "application/fhir+json;charset=utf-8");
        let mut x = exchange(200, &[ct], r#"{"resourceType":"Pati"#);
        x.response.as_mut().unwrap().truncated = Some(Truncation {
            at_bytes: 1024,
            stage: CutStage::Receiving,
        });
        assert_fails!(
            body_as_json(&x),
            "cut at 1024 bytes by the harness (http.max_response_bytes)"
        );
        let message = body_as_json(&x).unwrap_err();
        assert!(!message.contains("not FHIR JSON"), "{message}");
        assert_eq!(Problem::decode(&message).outcome, Outcome::Error);
        // Context put before it by a check keeps it an error.
        let wrapped = in_context("expected an OperationOutcome", message);
        let p = Problem::decode(&wrapped);
        assert_eq!(p.outcome, Outcome::Error);
        assert!(p
            .message
            .starts_with("expected an OperationOutcome: the body was cut"));
        // A plain failure stays a failure.
        assert_eq!(
            Problem::decode(&in_context("x", "status 500".into())).outcome,
            Outcome::Failed
        );
    }

    #[test]
    fn a_body_that_is_not_utf8_fails_at_its_offset() {
        use crate::http::RecordedResponse;
        let mut x = exchange(200, &[], "");
        x.response = Some(RecordedResponse::new(
            200,
            vec![(
                "Content-Type".into(),
                "application/fhir+json;charset=utf-8".into(),
            )],
            b"{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"Ren\xE9\"}]}".to_vec(),
            None,
        ));
        assert_fails!(body_as_json(&x), "not valid UTF-8: byte 0xE9");
        let message = body_as_json(&x).unwrap_err();
        assert!(message.contains("body, byte 46"), "{message}");
        assert_eq!(
            Problem::decode(&message).outcome,
            crate::verdict::Outcome::Failed
        );
    }

    #[test]
    fn format_checks() {
        let json = exchange(
            200,
            &[("Content-Type", "application/fhir+json;charset=utf-8")],
            "{}",
        );
        assert!(body_format_is(&json, Format::Json).is_ok());
        assert_fails!(
            body_format_is(&json, Format::Xml),
            "expected Content-Type application/fhir+xml"
        );
        let no_charset = exchange(200, &[("Content-Type", "application/fhir+json")], "{}");
        assert_fails!(body_format_is(&no_charset, Format::Json), "charset");
        let lying = exchange(
            200,
            &[("Content-Type", "application/fhir+xml;charset=utf-8")],
            "{}",
        );
        assert_fails!(
            body_format_is(&lying, Format::Xml),
            "the Content-Type says Xml but the body is not Xml"
        );
        let dstu2 = exchange(
            200,
            &[("Content-Type", "application/json+fhir;charset=utf-8")],
            "{}",
        );
        assert_fails!(
            body_format_is(&dstu2, Format::Json),
            "expected Content-Type application/fhir+json"
        );
    }

    #[test]
    fn resource_type() {
        let v: Value = serde_json::json!({"resourceType": "Bundle"});
        assert!(resource_type_is(&v, "Bundle").is_ok());
        assert_fails!(
            resource_type_is(&v, "Patient"),
            "expected a Patient resource, got resourceType Bundle"
        );
    }

    #[test]
    fn the_default_format_is_json_so_an_xml_answer_fails() {
        let xml = exchange(
            200,
            &[("Content-Type", "application/fhir+xml;charset=utf-8")],
            r#"<Patient xmlns="http://hl7.org/fhir"><id value="1"/></Patient>"#,
        );
        body_format_is(&xml, Format::Xml).unwrap();
        assert!(body_format_is(&xml, Format::Json)
            .unwrap_err()
            .contains("application/fhir+json"));
    }
}
