//! Turning handler results into wire responses, in one place.
//!
//! Handlers return [`Fhir`]: a status, a FHIR JSON value and an optional version for the ETag. The
//! [`finalise`] middleware, wrapped around the whole router, then:
//! 1. negotiates the response format (415 before anything else runs; a JSON-only provider also
//!    refuses XML, asked for or sent, here);
//! 2. turns every non-FHIR error (axum's 404/405, body-limit 413, a panic) into an OperationOutcome;
//! 3. applies the response-level faults;
//! 4. serialises as JSON or XML with the exact `Content-Type`, and adds `Cache-Control: no-store`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use serde_json::Value;

use super::chaos::ChaosSet;
use super::faults::{Fault, FaultSet};
use super::negotiate::{self, Format};
use super::outcome::ApiError;
use super::state::ProviderState;
use crate::gpconnect::headers::{parse_weak_etag, weak_etag, NO_STORE};
use crate::gpconnect::{systems, ErrorCode};

/// A FHIR response before serialisation.
#[derive(Debug, Clone)]
pub struct Fhir {
    pub status: StatusCode,
    pub body: Value,
    /// Sent as `ETag: W/"<version>"` (reads, creates, updates).
    pub etag: Option<String>,
}

impl Fhir {
    pub fn new(status: StatusCode, body: Value) -> Fhir {
        Fhir {
            status,
            body,
            etag: None,
        }
    }

    pub fn ok(body: Value) -> Fhir {
        Fhir::new(StatusCode::OK, body)
    }

    /// A single resource with its ETag taken from `meta.versionId`.
    pub fn resource(body: Value) -> Fhir {
        let etag = body
            .pointer("/meta/versionId")
            .and_then(Value::as_str)
            .map(str::to_string);
        Fhir {
            status: StatusCode::OK,
            body,
            etag,
        }
    }
}

/// The unserialised body, carried in the response extensions to [`finalise`].
#[derive(Debug, Clone)]
struct Payload(Value);

impl IntoResponse for Fhir {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = self.status;
        if let Some(v) = self
            .etag
            .and_then(|v| HeaderValue::from_str(&weak_etag(&v)).ok())
        {
            res.headers_mut().insert(ETAG, v);
        }
        res.extensions_mut().insert(Payload(self.body));
        res
    }
}

/// The outermost middleware: negotiation, error bodies, faults, serialisation, `Cache-Control`.
pub async fn finalise(
    State(state): State<Arc<ProviderState>>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let xml = !state
        .settings
        .departs(super::departures::Departure::JsonOnly);
    let (format, mut res) =
        match negotiate::response_format_offering(req.uri().query(), req.headers(), xml) {
            Err(e) => (Format::Json, e.into_response()),
            Ok(format) => {
                let res = AssertUnwindSafe(next.run(req))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        ApiError::new(
                            ErrorCode::InternalServerError,
                            "the provider failed unexpectedly",
                        )
                        .into_response()
                    });
                (format, res)
            }
        };
    let payload = match res.extensions_mut().remove::<Payload>() {
        Some(Payload(v)) => Some(v),
        None if res.status().is_client_error() || res.status().is_server_error() => {
            let e = plain_error(res.status(), &method, &path);
            res = e.clone().into_response();
            Some(e.outcome())
        }
        None => None,
    };
    // Metadata answers normally whatever chaos is played, so a run's preflight passes.
    let chaos = (!path.ends_with("/metadata")).then_some(&state.chaos);
    finish(res, payload, format, &state.faults, chaos)
}

/// An OperationOutcome for a response the router produced without one.
fn plain_error(status: StatusCode, method: &Method, path: &str) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::new(
            ErrorCode::NoRecordFound,
            format!("there is no resource or operation at {path}"),
        ),
        // A verb the endpoint does not serve is a BAD_REQUEST (error-handling guidance).
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::bad_request(format!("{method} is not a valid verb for {path}"))
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::bad_request(format!(
            "the request body exceeds {} bytes",
            negotiate::MAX_BODY_BYTES
        ))
        .with_status(status),
        s if s.is_server_error() => ApiError::new(
            ErrorCode::InternalServerError,
            format!("{method} {path} failed ({s})"),
        ),
        s => ApiError::bad_request(format!("{method} {path} could not be processed ({s})"))
            .with_status(s),
    }
}

fn finish(
    mut res: Response,
    payload: Option<Value>,
    format: Format,
    faults: &FaultSet,
    chaos: Option<&ChaosSet>,
) -> Response {
    let is_error = res.status().is_client_error() || res.status().is_server_error();
    if let Some(mut body) = payload {
        apply_body_faults(&mut body, faults);
        if let Some(chaos) = chaos {
            chaos.alter_value(&mut body);
        }
        let format = if faults.has(Fault::IgnoreFormat) {
            Format::Json
        } else {
            format
        };
        let content_type = if faults.has(Fault::WrongContentType) {
            "application/json"
        } else {
            format.content_type()
        };
        let omit_body = is_error && faults.has(Fault::NoOperationOutcomeBody);
        if omit_body {
            res.headers_mut().remove(CONTENT_TYPE);
        } else {
            let mut rendered = negotiate::render(&body, format);
            if let Some(chaos) = chaos {
                rendered = chaos.encode(rendered);
            }
            *res.body_mut() = Body::from(rendered);
            res.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    if is_error && faults.has(Fault::WrongHttpStatusForErrors) {
        *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    }
    if faults.has(Fault::OmitEtag) {
        res.headers_mut().remove(ETAG);
    } else if faults.has(Fault::EtagMismatch) {
        let version = res
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_weak_etag)
            .map(str::to_string);
        if let Some(h) =
            version.and_then(|v| HeaderValue::from_str(&weak_etag(&format!("{v}9"))).ok())
        {
            res.headers_mut().insert(ETAG, h);
        }
    }
    if !faults.has(Fault::OmitCacheControl) {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    }
    res
}

/// Faults that alter the FHIR content itself.
fn apply_body_faults(body: &mut Value, faults: &FaultSet) {
    if faults.has(Fault::WrongErrorCodeSystem) {
        if let Some(issues) = body.get_mut("issue").and_then(Value::as_array_mut) {
            for coding in issues
                .iter_mut()
                .filter_map(|i| i.pointer_mut("/details/coding/0"))
            {
                coding["system"] = Value::from(systems::SPINE_ERROR_OR_WARNING_CODE_VALUESET);
            }
        }
    }
    if faults.has(Fault::BundleWithFullUrl) {
        if let Some(entries) = body.get_mut("entry").and_then(Value::as_array_mut) {
            for entry in entries {
                let reference = match (
                    entry.pointer("/resource/resourceType"),
                    entry.pointer("/resource/id"),
                ) {
                    (Some(Value::String(t)), Some(Value::String(id))) => {
                        format!("urn:gpc-assure:{t}/{id}")
                    }
                    _ => "urn:gpc-assure:unknown".to_string(),
                };
                entry["fullUrl"] = Value::from(reference);
            }
        }
    }
    for_each_resource(body, &mut |resource| {
        if faults.has(Fault::MissingMetaProfile) {
            if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
                meta.remove("profile");
            }
        }
        if faults.has(Fault::MissingVersionId) {
            if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
                meta.remove("versionId");
            }
        }
        if faults.has(Fault::PatientWithForbiddenElement) && resource["resourceType"] == "Patient" {
            resource["maritalStatus"] = serde_json::json!({"text": "Married"});
        }
    });
}

/// Visit the top-level resource and every Bundle entry resource.
fn for_each_resource(body: &mut Value, f: &mut impl FnMut(&mut Value)) {
    if let Some(entries) = body.get_mut("entry").and_then(Value::as_array_mut) {
        for resource in entries.iter_mut().filter_map(|e| e.get_mut("resource")) {
            f(resource);
        }
    }
    if body.is_object() {
        f(body);
    }
}
