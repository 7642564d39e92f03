//! The compiled definitions format stored under `schemas/` (our own design).
//!
//! A [`DefinitionSet`] holds compiled profiles (StructureDefinition snapshots turned into a tree
//! of [`Node`]s with child indices, so validation never searches paths) and expanded value sets.
//! One set holds the STU3 core (types, resources, core extensions); one set per GP Connect
//! version holds the GP Connect / CareConnect profiles.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Compiled profiles and expanded value sets.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DefinitionSet {
    /// Human-readable description of where the set came from.
    #[serde(default)]
    pub source: String,
    /// Canonical URL (no version) -> profile (looked up for every extension and reference met).
    pub profiles: FxHashMap<String, Profile>,
    /// Canonical URL (no version) -> expansion.
    pub valuesets: FxHashMap<String, ValueSetExp>,
}

/// A compiled StructureDefinition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The FHIR type it constrains (`Patient`, `Extension`, `HumanName`).
    #[serde(rename = "type")]
    pub ty: String,
    /// `true` for core definitions (`derivation = specialization`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub core: bool,
    /// Element tree; index 0 is the root.
    pub nodes: Vec<Node>,
    /// Per node, which of its children an object's keys name (see [`ChildMask`]); made on
    /// first use, never stored.
    #[serde(skip)]
    pub child_masks: OnceLock<Vec<OnceLock<Option<ChildMask>>>>,
}

impl Profile {
    /// The [`ChildMask`] of node `owner`'s children, made on first use with `always` saying
    /// which children are visited whether present or not; `None` for a node with more than 64.
    pub fn child_mask(&self, owner: usize, always: impl Fn(&Node) -> bool) -> Option<&ChildMask> {
        let masks = self
            .child_masks
            .get_or_init(|| (0..self.nodes.len()).map(|_| OnceLock::new()).collect());
        masks
            .get(owner)?
            .get_or_init(|| ChildMask::new(self, &self.nodes.get(owner)?.children, always))
            .as_ref()
    }
}

/// Which children of an element an object's keys reach, as bits by position among the
/// element's `children`: a walk visits those, and the few children that have something to say
/// when absent (a minimum, a slice with a minimum, a choice element), instead of every child
/// of the definition.
#[derive(Debug, Clone)]
pub struct ChildMask {
    /// Children visited whatever the object holds.
    always: u64,
    /// Children by element name (a key names its element, `_name` too).
    by_name: FxHashMap<String, u64>,
}

impl ChildMask {
    fn new(p: &Profile, children: &[u32], always: impl Fn(&Node) -> bool) -> Option<ChildMask> {
        if children.len() > 64 {
            return None;
        }
        let mut mask = ChildMask {
            always: 0,
            by_name: FxHashMap::default(),
        };
        for (pos, &ci) in children.iter().enumerate() {
            let bit = 1u64 << pos;
            let c = p.nodes.get(ci as usize)?;
            if always(c) {
                mask.always |= bit;
            } else {
                *mask.by_name.entry(c.name.clone()).or_default() |= bit;
            }
        }
        Some(mask)
    }

    /// The children to visit for `obj`: bit `i` for `children[i]`.
    pub fn visit(&self, obj: &serde_json::Map<String, Value>) -> u64 {
        let mut bits = self.always;
        for k in obj.keys() {
            let name = k.strip_prefix('_').unwrap_or(k);
            if let Some(b) = self.by_name.get(name) {
                bits |= b;
            }
        }
        bits
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One element definition in a compiled tree.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Node {
    /// Element id (`Patient.identifier:nhsNumber.system`).
    pub id: String,
    /// Last path segment (`system`, `value[x]`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<String>,
    pub min: u32,
    /// `None` = `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TypeRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<Binding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slicing: Option<Slicing>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Child element nodes (not slices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<u32>,
    /// Slices of this element (for a slicing root).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slices: Vec<u32>,
    /// `contentReference`: the node whose children apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_ref: Option<u32>,
    /// Short description, for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
}

impl Node {
    pub fn is_choice(&self) -> bool {
        self.name.ends_with("[x]")
    }
    pub fn base_name(&self) -> &str {
        // same as `trim_end_matches("[x]")`, without setting up a substring searcher
        let mut n = self.name.as_str();
        while let Some(rest) = n.strip_suffix("[x]") {
            n = rest;
        }
        n
    }
    pub fn max_label(&self) -> String {
        self.max
            .map(|m| m.to_string())
            .unwrap_or_else(|| "*".into())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TypeRef {
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Required,
    Extensible,
    Preferred,
    Example,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binding {
    pub strength: Strength,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valueset: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slicing {
    /// (type, path), e.g. (`value`, `url`).
    pub discriminators: Vec<(String, String)>,
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Constraint {
    pub key: String,
    pub severity: String,
    pub human: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// An expanded value set: codes per system, and systems whose codes cannot be enumerated
/// (SNOMED CT, filters): codes from those are accepted without a code check.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ValueSetExp {
    #[serde(default)]
    pub name: String,
    /// system -> sorted codes.
    pub codes: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_systems: Vec<String>,
}

impl ValueSetExp {
    /// `Some(true)` in the set, `Some(false)` not in it, `None` cannot tell.
    pub fn contains(&self, system: Option<&str>, code: &str) -> Option<bool> {
        match system {
            Some(s) => {
                if self.open_systems.iter().any(|o| o == s) {
                    return None;
                }
                Some(
                    self.codes
                        .get(s)
                        .is_some_and(|c| c.binary_search_by(|x| x.as_str().cmp(code)).is_ok()),
                )
            }
            None => {
                if self
                    .codes
                    .values()
                    .any(|c| c.binary_search_by(|x| x.as_str().cmp(code)).is_ok())
                {
                    Some(true)
                } else if !self.open_systems.is_empty() {
                    None
                } else {
                    Some(false)
                }
            }
        }
    }

    /// The systems of the set that have `code` (for a coding whose system is wrong).
    pub fn systems_with(&self, code: &str) -> Vec<&str> {
        self.codes
            .iter()
            .filter(|(_, c)| c.binary_search_by(|x| x.as_str().cmp(code)).is_ok())
            .map(|(s, _)| s.as_str())
            .collect()
    }

    /// Whether nothing at all can be checked.
    pub fn is_unknown(&self) -> bool {
        self.codes.is_empty()
    }

    /// A few codes, for messages.
    pub fn sample(&self) -> String {
        let all: Vec<&str> = self.codes.values().flatten().map(String::as_str).collect();
        let mut s = all.iter().take(8).copied().collect::<Vec<_>>().join(", ");
        if all.len() > 8 {
            s.push_str(&format!(", ... ({} codes)", all.len()));
        }
        s
    }
}

/// Strips `|version` and `/_history/n` and surrounding spaces from a canonical URL.
pub fn canonical(url: &str) -> &str {
    let u = url.trim();
    let u = u.split('|').next().unwrap_or(u);
    const HISTORY: &[u8] = b"/_history/";
    match u
        .as_bytes()
        .windows(HISTORY.len())
        .position(|w| w == HISTORY)
    {
        Some(i) => &u[..i],
        None => u,
    }
}

/// The DSTU2 (FHIR 1.0.2) definitions of Access Record HTML (`schemas/gpc-dstu2.json.gz`), in one
/// file: DSTU2 differs from STU3 down to its structure, so the set carries its own wire model (XML
/// conversion), strict base JSON Schema and compiled core, beside the GP Connect DSTU2 profiles.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Dstu2Definitions {
    #[serde(rename = "fhirVersion")]
    pub fhir_version: String,
    pub wire: super::wire_model::WireModel,
    /// The strict base JSON Schema (draft 7), as for STU3.
    pub schema: Value,
    /// Compiled core definitions: complex data types and the resources the 0.x answers carry.
    pub base: DefinitionSet,
    /// The GP Connect DSTU2 profiles and the value sets they bind.
    pub gpc: DefinitionSet,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A profile whose root has `names` as children (a name ending in `!` has a minimum of 1).
    fn profile(names: &[&str]) -> Profile {
        let mut nodes = vec![Node {
            id: "Thing".into(),
            name: "Thing".into(),
            ..Node::default()
        }];
        for n in names {
            let name = n.trim_end_matches('!');
            nodes.push(Node {
                id: format!("Thing.{name}"),
                name: name.into(),
                min: u32::from(n.ends_with('!')),
                ..Node::default()
            });
        }
        nodes[0].children = (1..nodes.len() as u32).collect();
        Profile {
            url: "https://example.org/Thing".into(),
            name: "Thing".into(),
            version: None,
            ty: "Thing".into(),
            core: false,
            nodes,
            child_masks: Default::default(),
        }
    }

    #[test]
    fn an_object_reaches_the_children_it_names_and_those_always_visited() {
        let p = profile(&["id", "status!", "value[x]", "note", "code"]);
        let mask = p
            .child_mask(0, |c| c.min > 0 || c.is_choice())
            .expect("a mask");
        let obj = |v: Value| v.as_object().expect("object").clone();
        // status (min 1) and value[x] (a choice) always: positions 1 and 2
        assert_eq!(mask.visit(&obj(json!({}))), 0b00110);
        // `code` by its name, `id` by `_id` (its extensions alone), an unknown key reaches none
        assert_eq!(
            mask.visit(&obj(json!({"code": "x", "_id": {}, "other": 1}))),
            0b10111
        );
    }

    #[test]
    fn an_element_with_more_than_64_children_has_no_mask() {
        let names: Vec<String> = (0..65).map(|i| format!("e{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(profile(&names).child_mask(0, |_| false).is_none());
        assert!(profile(&names[..64]).child_mask(0, |_| false).is_some());
    }
}
