//! FHIR STU3 wire formats and the validation engine (issue 3).
//!
//! * [`parse_body`], [`xml::from_xml`], [`xml::to_xml`]: JSON and FHIR XML, converted to one
//!   JSON form so both are validated identically.
//! * [`Validator`]: base STU3 structure (generated JSON Schema, `jsonschema` crate), GP Connect
//!   profile conformance from compiled StructureDefinition snapshots, and invariants.
//! * [`generator`]: `gpc-assure schemas build`, which compiles the official definitions into
//!   the compact files under `schemas/` that are embedded in the binary.

pub mod generator;
pub mod model;
pub mod store;
pub mod wire_model;
pub mod xml;

use serde_json::Value;

/// A response body that could not be read as FHIR JSON or FHIR XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("empty body")]
    Empty,
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Xml(String),
    #[error("wrong root element: {0}")]
    WrongRoot(String),
    #[error("wrong namespace: {0}")]
    WrongNamespace(String),
    #[error("body is not UTF-8: {0}")]
    Encoding(String),
}

/// Reads a response body as FHIR JSON or FHIR XML (detected from the content type, else from
/// the first non-blank character) into the FHIR JSON form.
pub fn parse_body(bytes: &[u8], content_type: Option<&str>) -> Result<Value, WireError> {
    let text = std::str::from_utf8(bytes).map_err(|e| WireError::Encoding(e.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(WireError::Empty);
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let is_xml = if ct.contains("xml") {
        true
    } else if ct.contains("json") {
        false
    } else {
        trimmed.starts_with('<')
    };
    if is_xml {
        xml::from_xml(text)
    } else {
        let v: Value = serde_json::from_str(text).map_err(|e| WireError::Json(e.to_string()))?;
        match v.get("resourceType") {
            Some(Value::String(_)) => Ok(v),
            _ if !v.is_object() => Err(WireError::WrongRoot(
                "the JSON body is not an object".into(),
            )),
            _ => Err(WireError::WrongRoot(
                "the JSON object has no \"resourceType\" string".into(),
            )),
        }
    }
}
