//! Layer 2: base STU3 (or, for Access Record HTML, DSTU2) structure, with the generated JSON Schema
//! and the `jsonschema` crate.
//!
//! Each resource is validated against its own type's definition (compiled lazily, once per
//! type), so errors point at the element; nested resources are validated separately by the
//! caller.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jsonschema::error::ValidationErrorKind;
use serde_json::{json, Value};

use super::issue::{Issue, Severity};
use super::wire_model::WireModel;

pub const BASE_URL: &str = "http://hl7.org/fhir/StructureDefinition/";

/// The generated base schema and its compiled per-type validators.
pub struct BaseSchema {
    definitions: Value,
    /// `FHIR STU3` or `FHIR DSTU2`, for messages.
    release: &'static str,
    compiled: RwLock<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl BaseSchema {
    pub fn new(schema: Value) -> Self {
        let definitions = schema.get("definitions").cloned().unwrap_or(json!({}));
        let dstu2 = schema
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.starts_with("FHIR DSTU2"));
        BaseSchema {
            definitions,
            release: if dstu2 { "FHIR DSTU2" } else { "FHIR STU3" },
            compiled: RwLock::new(HashMap::new()),
        }
    }

    /// Compiles (once) the validator for a resource type; `None` for unknown types.
    pub fn validator_for(&self, ty: &str) -> Option<Arc<jsonschema::Validator>> {
        if let Ok(map) = self.compiled.read() {
            if let Some(v) = map.get(ty) {
                return Some(v.clone());
            }
        }
        self.definitions.get(ty)?;
        let schema = json!({
            "$ref": format!("#/definitions/{ty}"),
            "definitions": self.reachable_from(ty),
        });
        // The base schema's patterns (dates, ids, oids, codes) need neither look-around nor
        // back-references, so the `regex` engine reads them as `fancy-regex` would, without the
        // extra layer (5 % of a large Bundle's validation went to the patterns).
        let v = jsonschema::draft7::options()
            .should_validate_formats(false)
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .build(&schema)
            .ok()?;
        let v = Arc::new(v);
        if let Ok(mut map) = self.compiled.write() {
            map.insert(ty.to_string(), v.clone());
        }
        Some(v)
    }

    /// The definitions `ty` refers to, directly or not (itself included). Compiling a type's
    /// validator over these alone, rather than all ~490 definitions, spares `jsonschema` from
    /// reading the whole document for every type: the same checks, for a fifth of the compile
    /// time in a profile of a full run.
    fn reachable_from(&self, ty: &str) -> serde_json::Map<String, Value> {
        const PREFIX: &str = "#/definitions/";
        let mut out = serde_json::Map::new();
        let mut todo = vec![ty.to_string()];
        while let Some(name) = todo.pop() {
            if out.contains_key(&name) {
                continue;
            }
            let Some(def) = self.definitions.get(&name) else {
                continue;
            };
            let mut stack = vec![def];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Object(map) => {
                        for (k, v) in map {
                            match (k.as_str(), v.as_str()) {
                                ("$ref", Some(r)) => {
                                    if let Some(target) = r.strip_prefix(PREFIX) {
                                        todo.push(target.to_string());
                                    }
                                }
                                _ => stack.push(v),
                            }
                        }
                    }
                    Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
            out.insert(name, def.clone());
        }
        out
    }

    /// Validates one resource (not its nested resources). `loc` is the resource's location.
    pub fn validate(&self, wire: &WireModel, res: &Value, loc: &str, out: &mut Vec<Issue>) {
        self.validate_lazy(wire, res, || loc.to_string(), out)
    }

    /// [`BaseSchema::validate`] with the location built only if there is something to report
    /// (a valid resource is checked with the faster `is_valid` first).
    pub fn validate_lazy(
        &self,
        wire: &WireModel,
        res: &Value,
        loc: impl FnOnce() -> String,
        out: &mut Vec<Issue>,
    ) {
        let Some(rt) = res.get("resourceType").and_then(Value::as_str) else {
            out.push(base_issue(
                &loc(),
                "The resource has no \"resourceType\"",
                None,
            ));
            return;
        };
        let Some(v) = self.validator_for(rt) else {
            out.push(base_issue(
                &loc(),
                &format!("'{rt}' is not a {} resource type", self.release),
                None,
            ));
            return;
        };
        if v.is_valid(res) {
            return;
        }
        let loc = loc();
        let loc = loc.as_str();
        for err in v.iter_errors(res) {
            let segs = pointer_segments(err.instance_path().as_str());
            let at = fhirpath_of(loc, &segs);
            let ty = type_at(wire, rt, &segs);
            let el = element_id(rt, &segs);
            match err.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let parent = ty.as_deref().unwrap_or(rt);
                    // a resource written straight into an element that holds one in 'resource'
                    // (a Bundle entry): one finding, not one per element of the resource
                    if unexpected.iter().any(|u| u == "resourceType")
                        && wire.child(parent, "resource").is_some()
                    {
                        let held = err
                            .instance()
                            .get("resourceType")
                            .map(short)
                            .unwrap_or_default();
                        out.push(base_issue(
                            at.as_str(),
                            &format!("{parent} holds the elements of a resource ({held}) directly: a resource goes inside '{parent}.resource' ({} element(s) misplaced)", unexpected.len()),
                            Some(&el),
                        ));
                        continue;
                    }
                    for u in unexpected {
                        let parent = ty.as_deref().unwrap_or(rt);
                        out.push(base_issue(
                            &format!("{at}.{u}"),
                            &format!("Unknown element '{u}': {parent} has no such element in {} (check spelling and case; extensions go in 'extension')", self.release),
                            Some(&el),
                        ));
                    }
                }
                ValidationErrorKind::Type { .. } => {
                    let expected = ty.clone().unwrap_or_else(|| "?".into());
                    let shown = short(err.instance());
                    let msg = if segs.last().is_some_and(|s| s.parse::<usize>().is_err())
                        && err.instance().is_array()
                    {
                        format!("'{}' does not repeat in {}: expected a single {expected}, found an array", segs.last().map(String::as_str).unwrap_or(""), self.release)
                    } else if err.instance().is_null() {
                        "null is not allowed here (omit the element instead)".to_string()
                    } else if repeats_at(wire, rt, &segs) {
                        // a single value where the element repeats: the JSON type is right
                        // for one item, the container is not
                        let name = segs.last().map(String::as_str).unwrap_or("");
                        format!("'{name}' repeats in {}: expected a JSON array of {expected} (even for one), found a single value {shown}", self.release)
                    } else {
                        format!("Wrong JSON type: expected {} for FHIR type {expected}, found {shown}", json_kind_for(&expected, wire))
                    };
                    out.push(base_issue(&at, &msg, Some(&el)));
                }
                ValidationErrorKind::Pattern { .. } => {
                    let t = ty.clone().unwrap_or_else(|| "value".into());
                    let msg = if err.instance().as_str().is_some_and(|s| s.trim().is_empty()) {
                        "Empty or blank strings are not allowed in FHIR (omit the element instead)".to_string()
                    } else {
                        format!("{} is not a valid FHIR {t}{}", short(err.instance()), format_hint(&t))
                    };
                    out.push(base_issue(&at, &msg, Some(&el)));
                }
                ValidationErrorKind::MinItems { .. } => out.push(base_issue(
                    &at,
                    "Empty arrays are not allowed in FHIR JSON (omit the element instead)",
                    Some(&el),
                )),
                ValidationErrorKind::MinProperties { .. } => out.push(base_issue(
                    &at,
                    "Empty objects are not allowed in FHIR (every element must have a value or children: ele-1)",
                    Some(&el),
                )),
                ValidationErrorKind::Minimum { limit } => out.push(base_issue(
                    &at,
                    &format!("{} is below the minimum {limit} for FHIR {}", short(err.instance()), ty.clone().unwrap_or_default()),
                    Some(&el),
                )),
                ValidationErrorKind::Enum { .. } => out.push(base_issue(
                    &at,
                    &format!("{} is not a {} resource type", short(err.instance()), self.release),
                    Some(&el),
                )),
                ValidationErrorKind::Required { property } => out.push(base_issue(
                    &at,
                    &format!("Missing required {property}"),
                    Some(&el),
                )),
                _ => out.push(base_issue(&at, &err.to_string(), Some(&el))),
            }
        }
    }
}

fn base_issue(loc: &str, msg: &str, el: Option<&str>) -> Issue {
    let mut i = Issue::new(Severity::Error, loc, msg);
    if let Some(e) = el {
        let rt = e.split('.').next().unwrap_or(e);
        i.profile = Some(format!("{BASE_URL}{rt}"));
        i.element = Some(e.to_string());
    }
    i
}

fn json_kind_for(ty: &str, wire: &WireModel) -> &'static str {
    match wire.primitive(ty) {
        Some(super::wire_model::JsonKind::Boolean) => "a JSON boolean (true/false, not a string)",
        Some(super::wire_model::JsonKind::Number) => "a JSON number (not a string)",
        Some(super::wire_model::JsonKind::String) => "a JSON string",
        None => "a JSON object",
    }
}

fn format_hint(ty: &str) -> &'static str {
    match ty {
        "date" => " (expected YYYY, YYYY-MM or YYYY-MM-DD)",
        "dateTime" => " (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)",
        "instant" => " (expected YYYY-MM-DDThh:mm:ss(.sss)+zz:zz, with a time zone)",
        "time" => " (expected hh:mm:ss)",
        "id" => " (1-64 characters: letters, digits, '-' and '.')",
        "code" => " (no leading/trailing or double whitespace)",
        "oid" => " (expected urn:oid:...)",
        "uuid" => " (expected urn:uuid:...)",
        _ => "",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// Splits a JSON pointer into unescaped segments.
pub fn pointer_segments(p: &str) -> Vec<String> {
    if p.is_empty() {
        return vec![];
    }
    p.trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `Patient` + [`name`, `0`, `family`] -> `Patient.name[0].family`.
pub fn fhirpath_of(loc: &str, segs: &[String]) -> String {
    let mut out = loc.to_string();
    for s in segs {
        if s.parse::<usize>().is_ok() {
            out.push_str(&format!("[{s}]"));
        } else {
            out.push('.');
            out.push_str(s);
        }
    }
    out
}

fn element_id(rt: &str, segs: &[String]) -> String {
    let mut out = rt.to_string();
    for s in segs {
        if s.parse::<usize>().is_err() {
            out.push('.');
            out.push_str(s.trim_start_matches('_'));
        }
    }
    out
}

/// The FHIR type at a path (type name of the last element), using the wire model.
/// Whether the element a JSON pointer (already split) ends on repeats (is a JSON array in FHIR
/// JSON); false when the pointer ends on an array item or names no known element.
pub fn repeats_at(wire: &WireModel, rt: &str, segs: &[String]) -> bool {
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    if last.parse::<usize>().is_ok() || last.starts_with('_') {
        return false;
    }
    let Some(ctx) = type_at(wire, rt, parents) else {
        return false;
    };
    wire.child(&ctx, last).is_some_and(|i| i.elem.repeats)
}

pub fn type_at(wire: &WireModel, rt: &str, segs: &[String]) -> Option<String> {
    let mut ctx = rt.to_string();
    let mut ty = Some(rt.to_string());
    for s in segs {
        if s.parse::<usize>().is_ok() {
            continue;
        }
        let (name, prim_ext) = match s.strip_prefix('_') {
            Some(n) => (n, true),
            None => (s.as_str(), false),
        };
        let info = wire.child(&ctx, name)?;
        if prim_ext {
            ctx = "Element".into();
            ty = Some("Element".into());
        } else {
            ctx = info.ty.to_string();
            ty = Some(info.ty.to_string());
        }
    }
    ty
}

#[cfg(test)]
mod tests {
    use crate::fhir::{validator, ProfileSet};

    /// A type whose validator failed to compile would be reported as "not a resource type":
    /// every resource type of both base schemas (STU3, and DSTU2 for Access Record HTML) compiles.
    #[test]
    fn every_resource_type_of_the_base_schemas_compiles() {
        use crate::fhir::Pointer as _;
        let v = validator().expect("the embedded schemas load");
        for set in [ProfileSet::Latest, ProfileSet::Dstu2] {
            let schema = v.schema_for(set);
            let types: Vec<&String> = schema
                .definitions
                .as_object()
                .expect("definitions")
                .iter()
                .filter(|(_, d)| d.at("/properties/resourceType").is_some())
                .map(|(name, _)| name)
                .collect();
            assert!(
                types.len() > 90,
                "{set:?}: only {} resource types",
                types.len()
            );
            for ty in types {
                assert!(
                    schema.validator_for(ty).is_some(),
                    "{set:?}: {ty} does not compile"
                );
            }
        }
    }
}
