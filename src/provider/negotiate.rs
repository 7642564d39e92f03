//! Content negotiation (General API guidance: Content types): which wire format to answer in, reading request bodies in
//! JSON or XML, and rendering a FHIR JSON value in the chosen format.
//!
//! Precedence: `_format` beats `Accept`; with neither, the request's `Content-Type`; else JSON. A format
//! the provider does not speak is a 415 with an OperationOutcome (in JSON, since no format was agreed).
//! A JSON-only provider (servers SHALL support JSON and SHOULD support XML) speaks no XML: a request
//! for XML, or with an XML body, is a 415 too.
//!
//! General API guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::HeaderMap;
use serde_json::Value;

use super::outcome::ApiError;
use super::query;
use crate::fhir::WireError;
use crate::gpconnect::systems::mime;
use crate::gpconnect::ErrorCode;

/// A FHIR wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    /// The exact response `Content-Type` (no space before `charset`, General API guidance, Character encoding).
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => mime::FHIR_JSON_UTF8,
            Format::Xml => mime::FHIR_XML_UTF8,
        }
    }
}

/// What one media type (from `_format`, `Accept` or `Content-Type`) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Exact(Format),
    Any,
    Unsupported,
}

fn media(value: &str) -> Media {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // `application/fhir json`: a `+` that an intermediary decoded as a form-encoded space.
    match essence.as_str() {
        m if m == mime::FHIR_JSON || m == "application/fhir json" => Media::Exact(Format::Json),
        m if m == mime::FHIR_XML || m == "application/fhir xml" => Media::Exact(Format::Xml),
        "json" | "application/json" => Media::Exact(Format::Json),
        "xml" | "application/xml" | "text/xml" => Media::Exact(Format::Xml),
        "*/*" | "application/*" => Media::Any,
        _ => Media::Unsupported,
    }
}

/// [`media`], for a provider that offers XML or not.
fn offered_media(value: &str, xml: bool) -> Media {
    match media(value) {
        Media::Exact(Format::Xml) if !xml => Media::Unsupported,
        m => m,
    }
}

fn unsupported(what: &str, value: &str, xml: bool) -> ApiError {
    // 415 with BAD_REQUEST: UNSUPPORTED_MEDIA_TYPE only entered the Spine code system in 1.6.0, so a
    // 1.2.x provider's OperationOutcome could not carry it and stay valid against its profile.
    let supported = if xml {
        format!("use {} or {}", mime::FHIR_JSON, mime::FHIR_XML)
    } else {
        format!("this provider offers only {}", mime::FHIR_JSON)
    };
    ApiError::new(
        ErrorCode::BadRequest,
        format!("{what} {value:?} is not a supported format; {supported}"),
    )
    .with_status(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
}

/// The format to answer in, or a 415 error.
pub fn response_format(raw_query: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
    response_format_offering(raw_query, headers, true)
}

/// As [`response_format`], for a provider that offers XML (`xml`) or JSON alone: a JSON-only one
/// refuses a request for XML, and a request body in XML, with 415.
pub fn response_format_offering(
    raw_query: Option<&str>,
    headers: &HeaderMap,
    xml: bool,
) -> Result<Format, ApiError> {
    if !xml {
        if let Some(ct) = header_str(headers, CONTENT_TYPE.as_str()) {
            if media(ct) == Media::Exact(Format::Xml) {
                return Err(unsupported("Content-Type", ct, xml));
            }
        }
    }
    let pairs = query::pairs(raw_query);
    if let Some(f) = query::values(&pairs, "_format").first() {
        return match offered_media(f, xml) {
            Media::Exact(format) => Ok(format),
            Media::Any | Media::Unsupported => Err(unsupported("_format", f, xml)),
        };
    }
    // An Accept of only wildcards (`*/*`, which many clients send by default) states no preference, so
    // the request's own Content-Type still decides.
    let mut accepted = None;
    if let Some(accept) = header_str(headers, ACCEPT.as_str()).filter(|a| !a.trim().is_empty()) {
        match from_accept(accept, xml) {
            Media::Exact(format) => accepted = Some(format),
            Media::Any => {}
            Media::Unsupported => return Err(unsupported("Accept", accept, xml)),
        }
    }
    if let Some(format) = accepted {
        return Ok(format);
    }
    if let Some(ct) = header_str(headers, CONTENT_TYPE.as_str()) {
        if let Media::Exact(format) = media(ct) {
            return Ok(format);
        }
    }
    Ok(Format::Json)
}

/// The preferred supported media of an `Accept` list: the highest-`q` exact format (first on ties), else
/// [`Media::Any`] when only wildcards are acceptable, else [`Media::Unsupported`].
fn from_accept(accept: &str, xml: bool) -> Media {
    let mut best: Option<(f32, Format)> = None;
    let mut any = false;
    for range in accept.split(',') {
        let q = range
            .split(';')
            .skip(1)
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        match offered_media(range, xml) {
            Media::Exact(f) if best.is_none_or(|(bq, _)| q > bq) => best = Some((q, f)),
            Media::Exact(_) | Media::Unsupported => {}
            Media::Any => any = true,
        }
    }
    match (best, any) {
        (Some((_, f)), _) => Media::Exact(f),
        (None, true) => Media::Any,
        (None, false) => Media::Unsupported,
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Serialise a FHIR JSON value in `format`.
pub fn render(value: &Value, format: Format) -> Vec<u8> {
    match format {
        Format::Json => serde_json::to_vec(value).unwrap_or_default(),
        Format::Xml => crate::fhir::xml::to_xml(value).into_bytes(),
    }
}

/// A request body read as FHIR (JSON or XML per `Content-Type`), in the FHIR JSON form.
#[derive(Debug, Clone)]
pub struct FhirBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for FhirBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = header_str(req.headers(), CONTENT_TYPE.as_str()).map(str::to_string);
        if let Some(ct) = &content_type {
            if media(ct) == Media::Unsupported {
                return Err(unsupported("Content-Type", ct, true));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError::bad_request(format!("the request body could not be read: {rejection}"))
                .with_status(rejection.status())
        })?;
        crate::fhir::parse_body(&bytes, content_type.as_deref())
            .map(FhirBody)
            .map_err(body_error)
    }
}

fn body_error(e: WireError) -> ApiError {
    match e {
        WireError::WrongRoot(m) => {
            ApiError::invalid_resource(format!("the request body is not a FHIR resource: {m}"))
        }
        other => {
            ApiError::bad_request(format!("the request body is not well-formed FHIR: {other}"))
        }
    }
}

/// Largest request body accepted; larger ones get 413 with an OperationOutcome.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn format_beats_accept_and_accept_beats_content_type() {
        let h = headers(&[
            ("accept", "application/fhir+json"),
            ("content-type", "application/fhir+xml"),
        ]);
        assert_eq!(
            response_format(Some("_format=application/fhir+xml"), &h),
            Ok(Format::Xml)
        );
        assert_eq!(response_format(None, &h), Ok(Format::Json));
        let h = headers(&[("content-type", "application/fhir+xml;charset=utf-8")]);
        assert_eq!(response_format(None, &h), Ok(Format::Xml));
        assert_eq!(response_format(None, &HeaderMap::new()), Ok(Format::Json));
    }

    #[test]
    fn shorthands_and_lists() {
        let none = HeaderMap::new();
        assert_eq!(response_format(Some("_format=xml"), &none), Ok(Format::Xml));
        assert_eq!(
            response_format(Some("_format=json"), &none),
            Ok(Format::Json)
        );
        assert_eq!(
            response_format(Some("_format=application%2Ffhir%2Bxml"), &none),
            Ok(Format::Xml)
        );
        let h = headers(&[("accept", "text/html, application/fhir+xml;q=0.9, */*;q=0.1")]);
        assert_eq!(response_format(None, &h), Ok(Format::Xml));
        let h = headers(&[("accept", "*/*")]);
        assert_eq!(response_format(None, &h), Ok(Format::Json));
        let h = headers(&[("accept", "*/*"), ("content-type", "application/fhir+xml")]);
        assert_eq!(response_format(None, &h), Ok(Format::Xml));
    }

    /// Reads `body` as the handlers do.
    fn read_body(body: Vec<u8>, content_type: Option<&str>) -> Result<FhirBody, ApiError> {
        let mut req = axum::http::Request::builder().method("POST").uri("/x");
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        let req = req.body(axum::body::Body::from(body)).expect("request");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(FhirBody::from_request(req, &()))
    }

    #[test]
    fn a_body_nested_too_deep_is_a_bad_request() {
        let deep = format!(
            "<Parameters xmlns=\"http://hl7.org/fhir\">{}{}</Parameters>",
            "<parameter>".repeat(5_000),
            "</parameter>".repeat(5_000)
        );
        let e = read_body(deep.into_bytes(), Some("application/fhir+xml")).unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.code, ErrorCode::BadRequest);
        assert!(e.diagnostics.contains("levels deep"), "{}", e.diagnostics);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Whatever arrives, the body is read or refused with a client error, never a panic.
        #[test]
        fn any_request_body_is_read_or_refused(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            prefix in proptest::sample::select(&["", "<", "{", "<Parameters xmlns=\"http://hl7.org/fhir\">", "{\"resourceType\":"][..]),
            ct in proptest::sample::select(&[None, Some("application/fhir+json"), Some("application/fhir+xml"), Some("application/xml;charset=utf-8"), Some("text/html")][..]),
        ) {
            let mut body = prefix.as_bytes().to_vec();
            body.extend(bytes);
            match read_body(body, ct) {
                Ok(FhirBody(v)) => proptest::prop_assert!(v.get("resourceType").is_some()),
                Err(e) => proptest::prop_assert!(
                    matches!(e.status().as_u16(), 400 | 415 | 422),
                    "{}: {}", e.status(), e.diagnostics
                ),
            }
        }
    }

    #[test]
    fn a_json_only_provider_refuses_xml_with_415_and_still_serves_json() {
        let none = HeaderMap::new();
        for query in ["_format=application/fhir+xml", "_format=xml"] {
            let e = response_format_offering(Some(query), &none, false).unwrap_err();
            assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{query}");
        }
        let h = headers(&[("accept", "application/fhir+xml")]);
        let e = response_format_offering(None, &h, false).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(e
            .outcome()
            .to_string()
            .contains("only application/fhir+json"));
        let h = headers(&[("content-type", "application/fhir+xml;charset=utf-8")]);
        assert_eq!(
            response_format_offering(None, &h, false)
                .unwrap_err()
                .status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // _format wins over an Accept asking for XML; a list naming JSON too is answered in JSON.
        let h = headers(&[("accept", "application/fhir+xml")]);
        assert_eq!(
            response_format_offering(Some("_format=application/fhir+json"), &h, false),
            Ok(Format::Json)
        );
        let h = headers(&[(
            "accept",
            "application/fhir+xml, application/fhir+json;q=0.5",
        )]);
        assert_eq!(response_format_offering(None, &h, false), Ok(Format::Json));
        assert_eq!(response_format(None, &h), Ok(Format::Xml));
        assert_eq!(
            response_format_offering(None, &none, false),
            Ok(Format::Json)
        );
    }

    #[test]
    fn unsupported_is_415() {
        let e = response_format(Some("_format=text/plain"), &HeaderMap::new()).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let h = headers(&[("accept", "text/plain")]);
        assert_eq!(
            response_format(None, &h).unwrap_err().status().as_u16(),
            415
        );
    }
}
