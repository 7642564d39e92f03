//! Content negotiation beyond "the body is in format X" (General API guidance: Content types): refused media types, the
//! DSTU2 media type, and gzip.
//!
//! General API guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>

use super::outcome::well_formed;
use super::response::{body_as_json, body_format_is, in_context, response, Format};
use super::{ensure, CheckResult};
use crate::gpconnect::systems::mime;
use crate::http::Exchange;

/// The DSTU2 (0.x) JSON media type, which 1.3.1 clarified is *not* the STU3 one.
pub const DSTU2_FHIR_JSON: &str = "application/json+fhir";
/// The DSTU2 (0.x) XML media type.
pub const DSTU2_FHIR_XML: &str = "application/xml+fhir";

/// The content coding GP Connect servers SHALL support when a consumer asks for it.
pub const GZIP: &str = "gzip";

/// 415 Unsupported Media Type with a GP Connect OperationOutcome (General API guidance, Wire format
/// representations; every error carries one, Error handling guidance). The error code is not pinned: `UNSUPPORTED_MEDIA_TYPE` only entered the code system in 1.6.0.
pub fn unsupported_media_type(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    ensure(r.status == 415, || {
        format!("a format the server does not support must be refused with 415 Unsupported Media Type, got HTTP {}", r.status)
    })?;
    let outcome = body_as_json(exchange)
        .map_err(|e| in_context("the 415 response must carry an OperationOutcome", e))?;
    well_formed(&outcome).map(|_| ())
}

/// A request for a DSTU2 media type is either refused (415 with an OperationOutcome) or answered in STU3
/// FHIR `format` with the STU3 media type: never with the DSTU2 type echoed back, which an STU3 consumer
/// would not recognise. The spec (Accept note, 1.3.1) only says the DSTU2 type is not the GP Connect one,
/// so both behaviours are accepted.
pub fn dstu2_media_type_handled(exchange: &Exchange, format: Format) -> CheckResult {
    let r = response(exchange)?;
    if r.status == 415 {
        return unsupported_media_type(exchange);
    }
    ensure((200..300).contains(&r.status), || {
        format!(
            "a request for the DSTU2 media type must get 415 or a normal STU3 answer, got HTTP {}",
            r.status
        )
    })?;
    let ct = r.header("content-type").unwrap_or("(none)");
    ensure(!ct.to_ascii_lowercase().contains("+fhir"), || {
        format!("the response Content-Type {ct:?} is the DSTU2 media type; an STU3 response uses {} or {}", mime::FHIR_JSON, mime::FHIR_XML)
    })?;
    body_format_is(exchange, format)
}

/// The body is FHIR JSON or FHIR XML, correctly labelled (media type and `charset=utf-8`): for requests
/// that state no preference (`Accept: */*`), where either format is a fair answer.
pub fn body_is_fhir(exchange: &Exchange) -> CheckResult {
    body_format_is(exchange, Format::Json).or_else(|json| {
        body_format_is(exchange, Format::Xml).map_err(|xml| {
            format!("the body is neither labelled FHIR JSON nor FHIR XML: {json}; {xml}")
        })
    })
}

/// The response says `Content-Encoding: gzip` (the client has already decompressed the body, keeping the
/// header in the evidence) and the decompressed body is a FHIR resource.
pub fn gzip_encoded(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    let (encodings, found) =
        super::headers::header_tokens(r, crate::gpconnect::headers::CONTENT_ENCODING, GZIP);
    ensure(found, || {
        match encodings.is_empty() {
            true => "the request asked for Accept-Encoding: gzip but the response has no Content-Encoding; servers SHALL support gzip".into(),
            false => format!("the request asked for gzip but Content-Encoding is {:?}", encodings.join(", ")),
        }
    })?;
    body_as_json(exchange).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;
    use crate::gpconnect::systems::{profiles, SPINE_ERROR_OR_WARNING_CODE};

    const JSON: (&str, &str) = ("Content-Type", "application/fhir+json;charset=utf-8");

    fn outcome() -> String {
        serde_json::json!({
            "resourceType": "OperationOutcome",
            "meta": {"profile": [profiles::OPERATION_OUTCOME]},
            "issue": [{"severity": "error", "code": "not-supported", "details": {"coding": [{"system": SPINE_ERROR_OR_WARNING_CODE, "code": "UNSUPPORTED_MEDIA_TYPE", "display": "Unsupported media type"}]}}]
        })
        .to_string()
    }

    #[test]
    fn refused_media_type_needs_415_and_an_outcome() {
        unsupported_media_type(&exchange(415, &[JSON], &outcome())).unwrap();
        assert_fails!(unsupported_media_type(&exchange(200, &[JSON], "{}")), "415");
        assert_fails!(
            unsupported_media_type(&exchange(406, &[JSON], &outcome())),
            "406"
        );
        assert_fails!(
            unsupported_media_type(&exchange(415, &[], "")),
            "OperationOutcome"
        );
    }

    #[test]
    fn dstu2_type_must_not_be_echoed() {
        dstu2_media_type_handled(&exchange(415, &[JSON], &outcome()), Format::Json).unwrap();
        dstu2_media_type_handled(
            &exchange(200, &[JSON], r#"{"resourceType":"CapabilityStatement"}"#),
            Format::Json,
        )
        .unwrap();
        let echoed = exchange(
            200,
            &[("Content-Type", "application/json+fhir;charset=utf-8")],
            "{}",
        );
        assert_fails!(dstu2_media_type_handled(&echoed, Format::Json), "DSTU2");
        assert_fails!(
            dstu2_media_type_handled(&exchange(500, &[JSON], &outcome()), Format::Json),
            "500"
        );
        let xml_instead = exchange(
            200,
            &[("Content-Type", "application/fhir+xml;charset=utf-8")],
            "<x/>",
        );
        assert_fails!(
            dstu2_media_type_handled(&xml_instead, Format::Json),
            "expected Content-Type application/fhir+json"
        );
    }

    #[test]
    fn either_fhir_format_but_labelled() {
        body_is_fhir(&exchange(200, &[JSON], "{}")).unwrap();
        body_is_fhir(&exchange(
            200,
            &[("Content-Type", "application/fhir+xml;charset=utf-8")],
            "<Patient/>",
        ))
        .unwrap();
        assert_fails!(
            body_is_fhir(&exchange(
                200,
                &[("Content-Type", "application/json")],
                "{}"
            )),
            "neither labelled FHIR JSON nor FHIR XML"
        );
        assert_fails!(
            body_is_fhir(&exchange(
                200,
                &[("Content-Type", "application/fhir+xml")],
                "<Patient/>"
            )),
            "charset"
        );
        assert_fails!(
            body_is_fhir(&exchange(200, &[JSON], "<Patient/>")),
            "neither labelled FHIR JSON nor FHIR XML"
        );
    }

    #[test]
    fn gzip_needs_the_content_encoding() {
        gzip_encoded(&exchange(
            200,
            &[JSON, ("Content-Encoding", "gzip")],
            r#"{"resourceType":"Patient"}"#,
        ))
        .unwrap();
        assert_fails!(
            gzip_encoded(&exchange(200, &[JSON], "{}")),
            "no Content-Encoding"
        );
        assert_fails!(
            gzip_encoded(&exchange(200, &[JSON, ("Content-Encoding", "br")], "{}")),
            "br"
        );
        assert_fails!(
            gzip_encoded(&exchange(200, &[JSON, ("Content-Encoding", "gzip")], "")),
            "has no body"
        );
    }
}
