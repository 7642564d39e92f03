//! FHIR STU3 wire formats and the validation engine.
//!
//! * [`parse_body`], [`xml::from_xml`], [`xml::to_xml`]: JSON and FHIR XML, converted to one
//!   JSON form so both are validated identically.
//! * [`Validator`]: base STU3 structure (generated JSON Schema, `jsonschema` crate), GP Connect
//!   profile conformance from compiled StructureDefinition snapshots, and invariants.
//! * `generator` (cargo feature `generator`, maintainers only): `gpc-assure schemas build`, which
//!   compiles the official definitions into the compact files under `schemas/` that are embedded in
//!   the binary.

pub mod fhirpath;
#[cfg(feature = "generator")]
pub mod generator;
mod json;
pub mod memo;
pub mod model;
pub mod narrative;
mod pointer;
pub mod store;
pub mod wire_model;
pub mod xml;

use serde_json::Value;

pub use memo::CleanResources;
pub use pointer::Pointer;

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
    /// Elements nested deeper than [`MAX_NESTING`] levels.
    #[error("{0}")]
    TooDeep(String),
}

/// The deepest nesting accepted anywhere a FHIR body is read, converted or validated: JSON objects
/// and arrays (counted as JSON text nests them), and XML elements.
///
/// Why 127: `serde_json` stops parsing JSON text at 128 levels, so 127 is the deepest JSON body
/// that can be read at all, and XML bodies (and values built in code) are held to the same limit,
/// so a resource behaves the same in either wire format. The deepest real GP Connect payload (a
/// structured record Bundle with contained resources and nested extensions) stays under 30
/// levels. Bounded nesting is what keeps the recursive conversion and validation within a small
/// thread stack: an unbounded document (a few kilobytes of nested tags) would overflow it and
/// abort the whole process.
pub const MAX_NESTING: usize = 127;

/// The error for a document nested deeper than [`MAX_NESTING`]; `what` says which and where.
pub(crate) fn too_deep(what: &str) -> WireError {
    WireError::TooDeep(format!(
        "{what} nests more than {MAX_NESTING} levels deep; FHIR resources nest far less, so it was \
         not read (check what generated it)"
    ))
}

/// How deeply a JSON value nests (objects and arrays, as in [`MAX_NESTING`]); stops counting at
/// `MAX_NESTING + 1`. Walks with its own stack, so any value can be measured without recursion.
pub fn nesting_depth(v: &Value) -> usize {
    fn nests(v: &Value) -> bool {
        matches!(v, Value::Object(_) | Value::Array(_))
    }
    if !nests(v) {
        return 0;
    }
    let mut deepest = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, level)) = stack.pop() {
        deepest = deepest.max(level);
        if deepest > MAX_NESTING {
            break;
        }
        match v {
            Value::Object(m) => {
                stack.extend(m.values().filter(|x| nests(x)).map(|x| (x, level + 1)))
            }
            Value::Array(a) => stack.extend(a.iter().filter(|x| nests(x)).map(|x| (x, level + 1))),
            _ => {}
        }
    }
    deepest
}

/// Objects of at most this many keys are searched by a scan rather than through the map's index:
/// FHIR elements have a handful of keys, and comparing them costs less than hashing the name.
const SCAN_KEYS_UP_TO: usize = 16;

/// `obj[name]`, the same entry as [`serde_json::Map::get`] without hashing for small objects.
#[inline]
pub(crate) fn field<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    if obj.len() <= SCAN_KEYS_UP_TO {
        obj.iter().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        obj.get(name)
    }
}

/// `obj["_" + name]` (a primitive's id and extensions), without building the key for small objects.
#[inline]
pub(crate) fn field_ext<'a>(
    obj: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Option<&'a Value> {
    if obj.len() <= SCAN_KEYS_UP_TO {
        obj.iter()
            .find_map(|(k, v)| (k.strip_prefix('_') == Some(name)).then_some(v))
    } else {
        obj.get(&format!("_{name}"))
    }
}

/// Reads a response body as FHIR JSON or FHIR XML (detected from the content type, else from
/// the first non-blank character) into the FHIR JSON form.
pub fn parse_body(bytes: &[u8], content_type: Option<&str>) -> Result<Value, WireError> {
    parse_body_as(xml::wire_model(), bytes, content_type)
}

/// [`parse_body`] with the wire model of another FHIR release (DSTU2 XML).
pub fn parse_body_with(
    wire: &wire_model::WireModel,
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<Value, WireError> {
    parse_body_as(Some(wire), bytes, content_type)
}

/// [`parse_body`] with the given wire model. The value's nesting is within [`MAX_NESTING`]: both
/// readers hold to it (the XML conversion measures its JSON form; serde_json reads no deeper).
fn parse_body_as(
    wire: Option<&wire_model::WireModel>,
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<Value, WireError> {
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
        xml::from_xml_with(wire, text)
    } else {
        // a large Bundle's entries are read on all cores (the same value, or `None` and one pass)
        let parsed =
            json::read_entries_on_all_cores(text).map_or_else(|| serde_json::from_str(text), Ok);
        let v: Value = parsed.map_err(|e| {
            // serde_json stops at its recursion limit (the same 128 levels as MAX_NESTING)
            if e.to_string().starts_with("recursion limit exceeded") {
                too_deep(&format!(
                    "the JSON body (at line {}, column {})",
                    e.line(),
                    e.column()
                ))
            } else {
                WireError::Json(e.to_string())
            }
        })?;
        match v.get("resourceType") {
            // serde_json reads no deeper than MAX_NESTING (tests/nesting.rs holds it to that)
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

pub mod issue;
pub mod profile;
pub mod schema;

pub use issue::{Issue, Severity, MAX_ISSUES_OF_A_KIND};

use std::collections::HashMap;
use std::sync::OnceLock;

use model::{canonical, DefinitionSet, Profile, ValueSetExp};
use schema::BaseSchema;
use wire_model::WireModel;

/// Which GP Connect profile set to validate against.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ProfileSet {
    /// GP Connect 1.2.x (nhsconnect/gpconnect-fhir `release/1.2.7`).
    #[serde(rename = "1.2")]
    V1_2,
    /// Newest GP Connect profiles (`release/1.5.0`, 1.5/1.6 line).
    #[default]
    #[serde(rename = "latest")]
    Latest,
    /// Access Record HTML, GP Connect 0.5.x / 0.7.x: FHIR DSTU2 (1.0.2) with the GP Connect DSTU2
    /// profiles (`release/0.7.2`, the same tree as 0.5.x). Validated with its own wire model, base
    /// schema and core definitions, never the STU3 ones.
    #[serde(rename = "dstu2")]
    Dstu2,
}

impl ProfileSet {
    /// The names `--version` accepts, for messages.
    pub const ACCEPTED: &'static str = "1.2, latest or dstu2";

    /// Whether the set is FHIR DSTU2 (Access Record HTML).
    pub fn is_dstu2(self) -> bool {
        self == ProfileSet::Dstu2
    }
}

impl std::str::FromStr for ProfileSet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1.2" | "1.2.x" | "v1_2" | "v1.2" | "1.2.7" => Ok(ProfileSet::V1_2),
            "latest" | "1.5" | "1.6" | "1.5.x" | "1.6.x" => Ok(ProfileSet::Latest),
            "dstu2" | "0.5" | "0.7" | "0.5.x" | "0.7.x" => Ok(ProfileSet::Dstu2),
            other => Err(format!(
                "unknown profile set '{other}' (use {})",
                ProfileSet::ACCEPTED
            )),
        }
    }
}

/// Error loading the compiled definitions.
#[derive(Debug, thiserror::Error)]
#[error("cannot load compiled FHIR definitions ({file}): {message}")]
pub struct LoadError {
    pub file: String,
    pub message: String,
}

static EMB_SCHEMA: &[u8] = include_bytes!("../../schemas/base-schema.json.gz");
static EMB_BASE: &[u8] = include_bytes!("../../schemas/base.json.gz");
static EMB_V12: &[u8] = include_bytes!("../../schemas/gpc-1.2.json.gz");
static EMB_LATEST: &[u8] = include_bytes!("../../schemas/gpc-latest.json.gz");
static EMB_DSTU2: &[u8] = include_bytes!("../../schemas/gpc-dstu2.json.gz");
const DSTU2_FILE: &str = "gpc-dstu2.json.gz";

/// The DSTU2 definitions, decoded.
struct Dstu2 {
    wire: WireModel,
    schema: BaseSchema,
    base: DefinitionSet,
    gpc: DefinitionSet,
}

/// The FHIR validation engine. Load once ([`validator()`]) and share: it is `Sync`.
///
/// The core definitions are decoded at load; each GP Connect profile set is decoded on first
/// use (so start-up pays only for what a run needs).
pub struct Validator {
    pub(crate) wire: WireModel,
    pub(crate) schema: BaseSchema,
    base: DefinitionSet,
    v12_src: std::borrow::Cow<'static, [u8]>,
    latest_src: std::borrow::Cow<'static, [u8]>,
    v12: OnceLock<DefinitionSet>,
    latest: OnceLock<DefinitionSet>,
    dstu2_src: std::borrow::Cow<'static, [u8]>,
    dstu2: OnceLock<Dstu2>,
}

fn load<T: serde::de::DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, LoadError> {
    store::decode_gz_json(bytes).map_err(|message| LoadError {
        file: file.into(),
        message,
    })
}

impl Validator {
    /// Loads the definitions embedded in the binary from `schemas/` (no file system access).
    pub fn load_default() -> Result<Self, LoadError> {
        let wire = match xml::wire_model() {
            Some(w) => w.clone(),
            None => load("wire.json.gz", &[])?,
        };
        let (schema, base) = std::thread::scope(|s| {
            let b = s.spawn(|| load::<DefinitionSet>("base.json.gz", EMB_BASE));
            let schema = load::<serde_json::Value>("base-schema.json.gz", EMB_SCHEMA);
            let b = b.join().unwrap_or_else(|_| {
                Err(LoadError {
                    file: "base.json.gz".into(),
                    message: "loader thread failed".into(),
                })
            });
            (schema, b)
        });
        let v = Validator {
            wire,
            schema: BaseSchema::new(schema?),
            base: base?,
            v12_src: std::borrow::Cow::Borrowed(EMB_V12),
            latest_src: std::borrow::Cow::Borrowed(EMB_LATEST),
            v12: OnceLock::new(),
            latest: OnceLock::new(),
            dstu2_src: std::borrow::Cow::Borrowed(EMB_DSTU2),
            dstu2: OnceLock::new(),
        };
        Ok(v)
    }

    /// Loads the definitions from a directory written by `gpc-assure schemas build` (the embedded
    /// DSTU2 set when the directory has none).
    pub fn load_dir(dir: &std::path::Path) -> Result<Self, LoadError> {
        let read = |f: &str| {
            std::fs::read(dir.join(f)).map_err(|e| LoadError {
                file: f.into(),
                message: e.to_string(),
            })
        };
        Ok(Validator {
            wire: load("wire.json.gz", &read("wire.json.gz")?)?,
            schema: BaseSchema::new(load("base-schema.json.gz", &read("base-schema.json.gz")?)?),
            base: load("base.json.gz", &read("base.json.gz")?)?,
            v12_src: std::borrow::Cow::Owned(read("gpc-1.2.json.gz")?),
            latest_src: std::borrow::Cow::Owned(read("gpc-latest.json.gz")?),
            v12: OnceLock::new(),
            latest: OnceLock::new(),
            dstu2_src: match std::fs::read(dir.join(DSTU2_FILE)) {
                Ok(bytes) => std::borrow::Cow::Owned(bytes),
                Err(_) => std::borrow::Cow::Borrowed(EMB_DSTU2),
            },
            dstu2: OnceLock::new(),
        })
    }

    /// The DSTU2 definitions, decoded on first use; unreadable ones give an empty set whose
    /// source says why (reported by [`Validator::validate`]).
    fn dstu2(&self) -> &Dstu2 {
        self.dstu2.get_or_init(|| {
            match load::<model::Dstu2Definitions>(DSTU2_FILE, &self.dstu2_src) {
                Ok(d) => Dstu2 {
                    wire: d.wire,
                    schema: BaseSchema::new(d.schema),
                    base: d.base,
                    gpc: d.gpc,
                },
                Err(e) => Dstu2 {
                    wire: WireModel::default(),
                    schema: BaseSchema::new(serde_json::json!({
                        "description": "FHIR DSTU2 (unreadable)"
                    })),
                    base: DefinitionSet::default(),
                    gpc: DefinitionSet {
                        source: format!("unreadable: {e}"),
                        ..Default::default()
                    },
                },
            }
        })
    }

    /// The wire model of a set's FHIR release (XML conversion, resource types).
    pub fn wire_for(&self, set: ProfileSet) -> &WireModel {
        match set {
            ProfileSet::Dstu2 => &self.dstu2().wire,
            _ => &self.wire,
        }
    }

    /// The base schema of a set's FHIR release.
    pub(crate) fn schema_for(&self, set: ProfileSet) -> &BaseSchema {
        match set {
            ProfileSet::Dstu2 => &self.dstu2().schema,
            _ => &self.schema,
        }
    }

    /// The compiled core definitions of a set's FHIR release.
    fn base_for(&self, set: ProfileSet) -> &DefinitionSet {
        match set {
            ProfileSet::Dstu2 => &self.dstu2().base,
            _ => &self.base,
        }
    }

    fn set(&self, set: ProfileSet) -> &DefinitionSet {
        let (cell, src, file) = match set {
            ProfileSet::V1_2 => (&self.v12, &self.v12_src, "gpc-1.2.json.gz"),
            ProfileSet::Latest => (&self.latest, &self.latest_src, "gpc-latest.json.gz"),
            ProfileSet::Dstu2 => return &self.dstu2().gpc,
        };
        cell.get_or_init(|| {
            load::<DefinitionSet>(file, src).unwrap_or_else(|e| DefinitionSet {
                source: format!("unreadable: {e}"),
                ..Default::default()
            })
        })
    }

    /// A compiled profile by canonical URL (version suffixes ignored): the set first, then core.
    pub fn profile(&self, set: ProfileSet, url: &str) -> Option<&Profile> {
        let u = canonical(url);
        self.set(set)
            .profiles
            .get(u)
            .or_else(|| self.base_for(set).profiles.get(u))
    }

    /// An expanded value set by canonical URL.
    pub fn valueset(&self, set: ProfileSet, url: &str) -> Option<&ValueSetExp> {
        let u = canonical(url);
        self.set(set)
            .valuesets
            .get(u)
            .or_else(|| self.base_for(set).valuesets.get(u))
    }

    /// Canonical URLs of the GP Connect / CareConnect profiles of a set.
    pub fn profile_urls(&self, set: ProfileSet) -> Vec<&str> {
        let mut v: Vec<&str> = self.set(set).profiles.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    /// The known profile (of the set, else core) of type `ty` whose url is closest to `url`, when
    /// one is close enough to be what was meant.
    pub fn nearest_profile(&self, set: ProfileSet, url: &str, ty: &str) -> Option<&str> {
        let urls = self
            .set(set)
            .profiles
            .values()
            .chain(self.base_for(set).profiles.values())
            .filter(|p| p.ty == ty)
            .map(|p| p.url.as_str());
        profile::nearest(url, urls)
    }

    /// The wire model (used for XML conversion).
    pub fn wire(&self) -> &WireModel {
        &self.wire
    }

    /// Validates a resource (JSON form). `profile`: the profile the interaction must return
    /// (checked against `meta.profile`); `None`: the resource's own `meta.profile`, else base.
    /// Bundle entries and contained resources are each validated against their own profile.
    pub fn validate(
        &self,
        resource: &serde_json::Value,
        profile: Option<&str>,
        version: ProfileSet,
    ) -> Vec<Issue> {
        self.validate_measured(resource, profile, version, false, None)
    }

    /// [`Validator::validate`], for a run that meets the same resources again and again: a
    /// resource (a Bundle's entry, or one answered on its own) found among `memo`'s clean walks is
    /// not walked again, and clean walks are added to it. The issues are those
    /// [`Validator::validate`] gives (see [`memo`]).
    pub fn validate_remembering(
        &self,
        resource: &serde_json::Value,
        profile: Option<&str>,
        version: ProfileSet,
        memo: &CleanResources,
    ) -> Vec<Issue> {
        self.validate_measured(resource, profile, version, false, Some(memo))
    }

    /// [`Validator::validate`]; `measured`: the value's nesting is known to be within the limit.
    fn validate_measured(
        &self,
        resource: &serde_json::Value,
        profile: Option<&str>,
        version: ProfileSet,
        measured: bool,
        memo: Option<&CleanResources>,
    ) -> Vec<Issue> {
        let rt = resource
            .get("resourceType")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("Resource")
            .to_string();
        // the walks below recurse as deep as the value nests: a value built in code (or a parsed
        // body, already bounded) deeper than the limit is refused, never walked
        if !measured && nesting_depth(resource) > MAX_NESTING {
            return vec![Issue::error(rt, format!("{}", too_deep("the resource")))];
        }
        let walk = |defer: bool| {
            let mut w = profile::Walker::new(self, version);
            // top-level Bundle entries are validated in parallel, issues kept in walk order
            w.defer = defer;
            w.memo = memo;
            if self.set(version).source.starts_with("unreadable") {
                w.issues.push(Issue::error(rt.clone(), format!("GP Connect profile set {version:?} could not be loaded ({}); only base checks ran", self.set(version).source)));
            }
            // a resource answered on its own (a Bundle's entries are remembered one by one)
            let remembered = memo
                .filter(|_| rt != "Bundle" && w.issues.is_empty())
                .map(|m| {
                    let key =
                        memo::walk_key(version, profile, 0, &[], &Default::default(), resource);
                    (m, key)
                });
            if let Some((m, key)) = &remembered {
                if let Some(unchecked) = m.get(key) {
                    w.unchecked.extend(unchecked.iter().cloned());
                    return (w, true);
                }
            }
            w.resource(resource, &profile::Loc::Root(&rt), profile, 0);
            let complete = w.finish();
            if let Some((m, key)) = remembered {
                if complete && w.issues.is_empty() {
                    m.insert(key, w.unchecked.iter().cloned());
                }
            }
            (w, complete)
        };
        let (mut w, complete) = walk(rt == "Bundle");
        if !complete {
            // a nested Bundle: its fullUrls affect what follows, so walk in order
            w = walk(false).0;
        }
        let mut issues = std::mem::take(&mut w.issues);
        if !w.unchecked.is_empty() {
            not_evaluated()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(w.unchecked.iter().cloned());
            let keys: Vec<&str> = w.unchecked.iter().map(String::as_str).collect();
            issues.push(Issue::new(
                Severity::Information,
                rt,
                format!(
                    "Not checked: {} FHIRPath invariant(s) of the applicable definitions cannot be evaluated by this validator ({})",
                    keys.len(),
                    keys.join(", ")
                ),
            ));
        }
        dedupe(&mut issues);
        issue::cap_per_kind(&mut issues);
        issues
    }

    /// Parses a body (JSON or XML) and validates it; wire errors become one error issue.
    pub fn validate_body(
        &self,
        body: &[u8],
        content_type: Option<&str>,
        profile: Option<&str>,
        version: ProfileSet,
    ) -> Vec<Issue> {
        match parse_body_as(Some(self.wire_for(version)), body, content_type) {
            Ok(v) => {
                let issues = self.validate_measured(&v, profile, version, true, None);
                free_elsewhere(v, body.len());
                issues
            }
            Err(e) => vec![Issue::error("(body)", e.to_string())],
        }
    }
}

/// Bodies at least this large are freed on a thread of their own.
const FREE_ELSEWHERE_BYTES: usize = 1 << 20;

/// Frees a parsed body read from `size` bytes. A large one (a 2,000-entry Bundle is some 200,000
/// values) takes milliseconds to free, all on one core, after its issues are known: a thread of its
/// own does it while the caller goes on. A small one, or one no thread can be started for, is
/// freed here.
fn free_elsewhere(value: serde_json::Value, size: usize) {
    if size < FREE_ELSEWHERE_BYTES {
        return;
    }
    // if the thread cannot start, the closure (and the value with it) is dropped here
    let _ = std::thread::Builder::new()
        .name("free-body".into())
        .spawn(move || drop(value));
}

fn dedupe(issues: &mut Vec<Issue>) {
    // an unknown element (base layer) is not also reported as a wrong choice type
    let unknown: std::collections::HashSet<String> = issues
        .iter()
        .filter(|i| i.message.starts_with("Unknown element"))
        .map(|i| i.location.clone())
        .collect();
    issues.retain(|i| i.message.starts_with("Unknown element") || !unknown.contains(&i.location));
    let mut seen: HashMap<(String, String), ()> = HashMap::new();
    issues.retain(|i| {
        seen.insert(
            (i.location.clone(), same_finding(&i.message).to_string()),
            (),
        )
        .is_none()
    });
}

/// What makes two messages at one location the same finding: an unknown extension met twice (a
/// sliced element is walked as the element and as its slice) is one finding whatever url each
/// walk suggests instead, and the first suggestion is kept.
fn same_finding(message: &str) -> &str {
    if message.starts_with("Unknown extension ") {
        if let Some((head, _)) = message.split_once(" (did you mean ") {
            return head;
        }
    }
    message
}

/// The process-wide validator, loaded on first use from the embedded `schemas/`.
pub fn validator() -> Result<&'static Validator, &'static LoadError> {
    static V: OnceLock<Result<Validator, LoadError>> = OnceLock::new();
    V.get_or_init(Validator::load_default).as_ref()
}

fn not_evaluated() -> &'static std::sync::Mutex<std::collections::BTreeSet<String>> {
    static SET: OnceLock<std::sync::Mutex<std::collections::BTreeSet<String>>> = OnceLock::new();
    SET.get_or_init(Default::default)
}

/// Every invariant this process met and could not evaluate (`key (what it lacks)`), sorted: a run
/// lists them once in its report.
pub fn not_evaluated_invariants() -> Vec<String> {
    not_evaluated()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// Whether any issue is an error.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(|i| i.severity == Severity::Error)
}

/// `f(0)`, `f(1)` ... `f(len - 1)` on all cores (see [`on_all_cores`]; on the calling thread alone
/// below `min` items), in index order; `None` as soon as any is `None`.
pub(crate) fn map_on_all_cores<T: Send>(
    len: usize,
    min: usize,
    f: impl Fn(usize) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= len {
                return Some(out);
            }
            out.push((i, f(i)?));
        }
    };
    let mut slots: Vec<Option<T>> = (0..len).map(|_| None).collect();
    for part in on_all_cores(len, min, work) {
        for (i, v) in part? {
            slots[i] = Some(v);
        }
    }
    slots.into_iter().collect()
}

/// How many threads can run at once (1 when the system does not say).
pub(crate) fn cores() -> usize {
    // Asked once: the answer reads the cgroup's files on every call.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Run `work` on as many threads as there are cores, the calling thread among them (at most `jobs`
/// threads, and only the calling one when there are fewer than `min` jobs), and return each
/// thread's result, the calling thread's first. `work` takes its jobs from a counter it shares, so
/// the split follows how long each job takes; a panic in a thread is raised again here.
///
/// The other threads are a pool kept for the process ([`helpers`]): a run asks for them hundreds
/// of times, and starting and ending a thread each time cost more than handing it the work. When
/// the pool could not be started, the calling thread does all the work.
pub(crate) fn on_all_cores<T: Send>(
    jobs: usize,
    min: usize,
    work: impl Fn() -> T + Sync,
) -> Vec<T> {
    let threads = cores().min(jobs);
    // the pool is started only when there is work to share
    let pool = match (threads >= 2 && jobs >= min).then(helpers).flatten() {
        Some(pool) => pool,
        None => return vec![work()],
    };
    let others = std::sync::Mutex::new(Vec::with_capacity(threads - 1));
    let mine = pool.in_place_scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| {
                let part = work();
                others.lock().unwrap_or_else(|e| e.into_inner()).push(part);
            });
        }
        work()
    });
    let mut parts = vec![mine];
    parts.extend(others.into_inner().unwrap_or_else(|e| e.into_inner()));
    parts
}

/// The threads that help the calling one in [`on_all_cores`]: one fewer than the cores, started
/// when first asked for. `None` on a single core, or if the system refused the threads.
fn helpers() -> Option<&'static rayon::ThreadPool> {
    static HELPERS: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    HELPERS
        .get_or_init(|| {
            let n = cores().checked_sub(1).filter(|&n| n > 0)?;
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("gpc-assure-core-{i}"))
                .build()
                .ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `on_all_cores` over `jobs` jobs: which thread did each job, per part.
    fn who_does(jobs: usize, min: usize) -> Vec<Vec<(usize, std::thread::ThreadId)>> {
        let next = AtomicUsize::new(0);
        on_all_cores(jobs, min, || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    return done;
                }
                // long enough for a helper to take some
                std::thread::sleep(std::time::Duration::from_millis(2));
                done.push((i, std::thread::current().id()));
            }
        })
    }

    #[test]
    fn every_job_is_done_once_the_calling_thread_first_and_helpers_kept() {
        let me = std::thread::current().id();
        let mut helpers_seen = std::collections::HashSet::new();
        for _ in 0..3 {
            let parts = who_does(40, 2);
            let mut all: Vec<usize> = parts.iter().flatten().map(|(i, _)| *i).collect();
            all.sort_unstable();
            assert_eq!(all, (0..40).collect::<Vec<_>>());
            assert!(
                parts[0].iter().all(|(_, t)| *t == me),
                "the first part is mine"
            );
            assert!(parts[1..].iter().flatten().all(|(_, t)| *t != me));
            assert_eq!(parts.len(), cores().min(40));
            helpers_seen.extend(parts[1..].iter().flatten().map(|(_, t)| *t));
        }
        // the same threads help every time: none is started per call
        assert!(helpers_seen.len() < cores(), "{helpers_seen:?}");
        // below the minimum, the calling thread alone
        let alone = who_does(3, 4);
        assert_eq!(alone.len(), 1);
        assert!(alone[0].iter().all(|(_, t)| *t == me));
    }

    #[test]
    fn a_panic_in_a_helper_is_raised_in_the_caller() {
        if cores() < 2 {
            return;
        }
        let me = std::thread::current().id();
        let helper_ran = std::sync::atomic::AtomicBool::new(false);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            on_all_cores(10, 2, || {
                if std::thread::current().id() != me {
                    helper_ran.store(true, Ordering::SeqCst);
                    panic!("helper failed");
                }
                // the calling thread waits for the helper (a bound, should it never come)
                let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while !helper_ran.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            })
        }));
        let panic = caught.expect_err("the helper's panic");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"helper failed"));
    }
}
