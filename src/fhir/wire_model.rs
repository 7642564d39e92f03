//! The "wire model": for every FHIR type (and every backbone element path) the list of its
//! child elements in definition order, with their types and whether they repeat.
//!
//! It is what turns FHIR XML into the JSON form (arrays for repeating elements, typed
//! primitives) and JSON back into correctly ordered XML. It is generated from the base STU3
//! definitions by `gpc-assure schemas build` and embedded from `schemas/wire.json.gz`.

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

/// How a primitive type is represented in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonKind {
    String,
    Number,
    Boolean,
}

/// One child element of a type or backbone element.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireElem {
    /// Element name without `[x]`.
    #[serde(rename = "n")]
    pub name: String,
    /// `true` for choice elements (`value[x]`).
    #[serde(rename = "c", default, skip_serializing_if = "is_false")]
    pub choice: bool,
    /// Type codes (`string`, `HumanName`, `Resource`) or, for backbone elements, the
    /// context key of the element itself (`Patient.contact`).
    #[serde(rename = "t")]
    pub types: Vec<String>,
    /// Max cardinality greater than one.
    #[serde(rename = "r", default, skip_serializing_if = "is_false")]
    pub repeats: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The whole wire model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WireModel {
    /// Context key (type name or backbone path) -> child elements in definition order (looked
    /// up for every element of an XML document).
    pub contexts: FxHashMap<String, Vec<WireElem>>,
    /// Primitive type name -> JSON representation.
    pub primitives: FxHashMap<String, JsonKind>,
    /// Names of all resource types.
    pub resources: Vec<String>,
}

/// Result of looking up a child element: the definition, the concrete type and the
/// position of the element in its parent (for ordering).
#[derive(Debug, Clone, Copy)]
pub struct ChildInfo<'a> {
    pub elem: &'a WireElem,
    pub ty: &'a str,
    pub index: usize,
}

impl WireModel {
    /// Finds child `name` (JSON/XML name, e.g. `valueQuantity`) of context `ctx`.
    pub fn child<'a>(&'a self, ctx: &str, name: &str) -> Option<ChildInfo<'a>> {
        Self::child_in(self.contexts.get(ctx)?, name)
    }

    /// [`WireModel::child`] among the elements of an already looked-up context.
    pub fn child_in<'a>(elems: &'a [WireElem], name: &str) -> Option<ChildInfo<'a>> {
        for (index, elem) in elems.iter().enumerate() {
            if !elem.choice {
                if elem.name == name {
                    return Some(ChildInfo {
                        elem,
                        ty: elem.types.first().map(String::as_str).unwrap_or("string"),
                        index,
                    });
                }
            } else if let Some(rest) = name.strip_prefix(elem.name.as_str()) {
                for ty in &elem.types {
                    if type_suffix_matches(ty, rest) {
                        return Some(ChildInfo { elem, ty, index });
                    }
                }
            }
        }
        None
    }

    /// Whether `ty` is a primitive type, and its JSON kind.
    pub fn primitive(&self, ty: &str) -> Option<JsonKind> {
        self.primitives.get(ty).copied()
    }

    /// Whether `name` is a resource type.
    pub fn is_resource(&self, name: &str) -> bool {
        self.resources.iter().any(|r| r == name)
    }
}

/// `valueQuantity` -> suffix `Quantity` must match type `Quantity`; `valueString` -> `string`.
pub fn type_suffix_matches(ty: &str, suffix: &str) -> bool {
    let mut t = ty.chars();
    let mut s = suffix.chars();
    match (t.next(), s.next()) {
        (Some(a), Some(b)) if a.to_ascii_uppercase() == b => t.as_str() == s.as_str(),
        _ => false,
    }
}

/// `string` -> `String` (used to build choice element names).
pub fn capitalise(ty: &str) -> String {
    let mut c = ty.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
