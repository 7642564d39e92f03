//! The DSTU2 (FHIR 1.0.2) definition set of Access Record HTML (GP Connect 0.5.x / 0.7.x):
//! `gpc-dstu2.json.gz`.
//!
//! Input: the GP Connect DSTU2 folder (`gpconnect-dstu2`: the profiles of nhsconnect/gpconnect-fhir
//! `release/0.7.2` in `StructureDefinitions/`, their value sets in `ValueSets/` and
//! `ValueSets-supplementary/`, and the HL7 DSTU2 core definitions in `hl7-dstu2-base/`), each folder
//! described in the sources file like the STU3 inputs.
//!
//! DSTU2 definitions differ from STU3 in ways the STU3 compiler does not read, so each
//! StructureDefinition is first rewritten into the STU3 shape ([`normalise`]); the differences are
//! data here, not special cases in the compiler:
//!
//! | DSTU2 | STU3 shape it becomes |
//! |---|---|
//! | `constrainedType` + `base` | `type`, `baseDefinition`, `derivation` (`constraint` / `specialization`) |
//! | `kind = datatype` | `primitive-type` (lower-case ids) or `complex-type` |
//! | a slice named by `name` on a sliced path | `sliceName` |
//! | `nameReference` (another element's `name`) | `contentReference` (`#` and its path) |
//! | `type.profile` of a `Reference` (its target) | `type.targetProfile` |
//! | `ValueSet.codeSystem` (inline code system) | a CodeSystem with that system url, for includes |
//! | `ValueSet.compose.import` | an included value set (read by the expander) |
//!
//! The wire model and the strict base JSON Schema are built from the DSTU2 core with the same
//! functions as STU3's. The core profiles compiled are the complex data types and the resources the
//! 0.x responses carry ([`RESOURCES`]); any other resource is checked by the base schema only.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::{
    bound_valuesets, build_schema, build_wire_model, compile_sd, expand, flatten_bundle,
    source_json, str_of, Pool, Sources,
};
use crate::fhir::model::{canonical, DefinitionSet, Dstu2Definitions};
use crate::fhir::wire_model::WireModel;
use crate::fhir::xml::from_xml_with;
use crate::gpconnect::html as gh;

/// The input folder's name (its key in the sources file).
pub const FOLDER: &str = "gpconnect-dstu2";
/// The HL7 DSTU2 core definitions, inside [`FOLDER`] (its own key in the sources file).
pub const BASE_FOLDER: &str = "hl7-dstu2-base";
/// The output file.
pub const FILE: &str = "gpc-dstu2.json.gz";
/// The FHIR version of the set.
pub const FHIR_VERSION: &str = "1.0.2";

/// Sub-folders of [`FOLDER`] holding GP Connect definitions, first one wins a url.
const GPC_DIRS: &[&str] = &[
    "StructureDefinitions",
    "ValueSets",
    "ValueSets-supplementary",
];

/// The resources whose core definitions are compiled: those the 0.x responses and requests carry
/// (the care record Bundle and its entries, errors, the operation's Parameters, metadata).
pub const RESOURCES: &[&str] = &[
    "Bundle",
    "Composition",
    "Patient",
    "Practitioner",
    "Organization",
    "Device",
    "Location",
    "OperationOutcome",
    "Parameters",
    "Conformance",
];

/// Definitions in the HAPI copy of the core that are not part of DSTU2 1.0.2: drafts from before it
/// (replaced by DetectedIssue and QuestionnaireResponse) and two working files without a `kind`
/// (`definition` restates ValueSet, `geneticsmockup` Observation).
const NOT_IN_RELEASE: &[&str] = &[
    "Contraindication",
    "QuestionnaireAnswers",
    "definition",
    "geneticsmockup",
];

/// Element types a GP Connect DSTU2 profile gets wrong: (profile, element path, type it gives, the
/// DSTU2 type, why). The compiled profile has the DSTU2 type.
const TYPE_CORRECTIONS: &[(&str, &str, &str, &str, &str)] = &[(
    "http://fhir.nhs.net/StructureDefinition/gpconnect-operationoutcome-1",
    "OperationOutcome.issue.code",
    "CodeableConcept",
    "code",
    "DSTU2 OperationOutcome.issue.code is a code, as the Error handling guidance's examples send it",
)];

/// Whether `dir` is a GP Connect DSTU2 folder.
pub fn is_dstu2_folder(dir: &Path) -> bool {
    dir.join(BASE_FOLDER).is_dir() && dir.join("StructureDefinitions").is_dir()
}

/// Builds the DSTU2 set from `dir` (see [`is_dstu2_folder`]); returns it with its manifest entry.
pub fn build(
    dir: &Path,
    sources: &Sources,
    warnings: &mut Vec<String>,
) -> Result<(Dstu2Definitions, Value), String> {
    let base_dir = dir.join(BASE_FOLDER);
    let described = [sources.of(dir, None)?, sources.of(&base_dir, None)?];

    // ---- core: read once with the STU3 wire model (StructureDefinition has nearly the same
    // shape), build the DSTU2 wire model, then read everything again with it
    // (what the first reading skips, the second reports)
    let boot = load(&base_dir, crate::fhir::xml::wire_model(), &mut Vec::new());
    let core_sds: Vec<Value> = boot
        .into_iter()
        .filter(|r| str_of(r, "resourceType") == Some("StructureDefinition"))
        .map(normalise)
        .filter(in_release)
        .collect();
    let wire = build_wire_model(&core_sds);
    let core: Vec<Value> = load(&base_dir, Some(&wire), warnings)
        .into_iter()
        .map(|r| match str_of(&r, "resourceType") {
            Some("StructureDefinition") => normalise(r),
            _ => r,
        })
        .collect();
    let core_sds: Vec<Value> = core
        .iter()
        .filter(|r| str_of(r, "resourceType") == Some("StructureDefinition"))
        .filter(|r| in_release(r))
        .cloned()
        .collect();
    let schema = build_schema(&wire, &core_sds, &format!("FHIR DSTU2 ({FHIR_VERSION})"));

    let mut core_pool = Pool::default();
    for r in core
        .iter()
        .filter(|r| str_of(r, "resourceType") != Some("StructureDefinition"))
    {
        add_with_code_system(&mut core_pool, r, BASE_FOLDER);
    }

    let mut base = DefinitionSet {
        source: format!(
            "HL7 FHIR DSTU2 core ({FHIR_VERSION}) from {}",
            described[1].1.describe()
        ),
        ..Default::default()
    };
    for sd in &core_sds {
        let kind = str_of(sd, "kind");
        let ty = str_of(sd, "type").unwrap_or("");
        let wanted = match kind {
            Some("complex-type") => {
                str_of(sd, "derivation") == Some("specialization") || ty == "Quantity"
            }
            Some("resource") => {
                str_of(sd, "derivation") == Some("specialization") && RESOURCES.contains(&ty)
            }
            _ => false,
        };
        if wanted {
            if let Some(p) = compile_sd(sd, warnings) {
                base.profiles.insert(p.url.clone(), p);
            }
        }
    }

    // ---- GP Connect DSTU2 profiles
    let mut pool = Pool::default();
    let mut roots = Vec::new();
    for sub in GPC_DIRS {
        for r in load(&dir.join(sub), Some(&wire), warnings) {
            if str_of(&r, "resourceType") == Some("StructureDefinition") {
                let r = normalise(r);
                if let Some(u) = str_of(&r, "url") {
                    roots.push(canonical(u).to_string());
                }
                pool.add(r, sub);
            } else {
                add_with_code_system(&mut pool, &r, sub);
            }
        }
    }
    let mut gpc = DefinitionSet {
        source: format!(
            "GP Connect DSTU2 (FHIR {FHIR_VERSION}) from {}",
            described[0].1.describe()
        ),
        ..Default::default()
    };
    let mut seen = HashSet::new();
    while let Some(url) = roots.pop() {
        if !seen.insert(url.clone()) || base.profiles.contains_key(&url) {
            continue;
        }
        let Some(sd) = pool.get(&url) else { continue };
        let Some(p) = compile_sd(sd, warnings) else {
            continue;
        };
        for n in &p.nodes {
            for t in &n.types {
                roots.extend(t.profiles.iter().map(|u| canonical(u).to_string()));
            }
        }
        gpc.profiles.insert(p.url.clone(), p);
    }
    for vs in bound_valuesets(gpc.profiles.values()) {
        if let Some(exp) = expand(&vs, &[&pool, &core_pool], &mut HashSet::new()) {
            gpc.valuesets.insert(vs, exp);
        }
    }
    // the error codes: the specification's list, not the published ValueSet's obsolete three
    let errors = gh::systems::ERROR_OR_WARNING_CODE;
    if let Some(exp) = gpc.valuesets.get_mut(errors) {
        let mut codes: Vec<String> = gh::PUBLISHED_ERROR_CODES
            .iter()
            .map(|c| c.to_string())
            .collect();
        codes.sort();
        exp.codes = [(errors.to_string(), codes)].into_iter().collect();
        exp.open_systems.clear();
    }
    for vs in bound_valuesets(base.profiles.values()) {
        if let Some(exp) = expand(&vs, &[&core_pool], &mut HashSet::new()) {
            base.valuesets.insert(vs, exp);
        }
    }

    let manifest = json!({
        "name": FILE.trim_end_matches(".json.gz"),
        "fhirVersion": FHIR_VERSION,
        "sources": described.iter().map(|(n, s)| source_json(n, s)).collect::<Vec<_>>(),
        "profiles": gpc.profiles.keys().collect::<BTreeSet<_>>(),
        "valuesets": gpc.valuesets.len(),
        "core": {
            "profiles": base.profiles.keys().collect::<BTreeSet<_>>(),
            "valuesets": base.valuesets.len(),
            "resources": wire.resources.len(),
        },
    });
    Ok((
        Dstu2Definitions {
            fhir_version: FHIR_VERSION.into(),
            wire,
            schema,
            base,
            gpc,
        },
        manifest,
    ))
}

/// Every definition (StructureDefinition, ValueSet, CodeSystem; Bundles opened) under `dir`, read
/// with `wire`.
fn load(dir: &Path, wire: Option<&WireModel>, warnings: &mut Vec<String>) -> Vec<Value> {
    let mut files = Vec::new();
    super::collect_files(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let parsed = if f.extension().is_some_and(|e| e == "xml") {
            from_xml_with(wire, &text).map_err(|e| e.to_string())
        } else {
            serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(v) => out.extend(flatten_bundle(v).into_iter().filter(|r| {
                matches!(
                    str_of(r, "resourceType"),
                    Some("StructureDefinition" | "ValueSet" | "CodeSystem")
                )
            })),
            Err(e) => warnings.push(format!(
                "skipped {}: {e}",
                f.file_name().unwrap_or_default().to_string_lossy()
            )),
        }
    }
    out
}

fn in_release(sd: &Value) -> bool {
    !str_of(sd, "id").is_some_and(|id| NOT_IN_RELEASE.contains(&id))
        && str_of(sd, "kind").is_some_and(|k| k != "logical")
}

/// Adds a value set or code system; a DSTU2 value set's inline code system is also added as a
/// CodeSystem of its own system url, so other value sets' includes of that system find it.
fn add_with_code_system(pool: &mut Pool, r: &Value, origin: &str) {
    if let Some(cs) = r.get("codeSystem") {
        if let Some(system) = str_of(cs, "system") {
            let mut c = Map::new();
            c.insert("resourceType".into(), json!("CodeSystem"));
            c.insert("url".into(), json!(system));
            c.insert("content".into(), json!("complete"));
            if let Some(concept) = cs.get("concept") {
                c.insert("concept".into(), concept.clone());
            }
            // a value set whose url is its own system (GP Connect's style) keeps the url for itself
            if str_of(r, "url").map(canonical) != Some(canonical(system)) {
                pool.add(Value::Object(c), origin);
            }
        }
    }
    pool.add(r.clone(), origin);
}

/// Rewrites a DSTU2 StructureDefinition into the STU3 shape the compiler reads (see the module
/// documentation).
pub fn normalise(mut sd: Value) -> Value {
    let Some(o) = sd.as_object_mut() else {
        return sd;
    };
    let id = o
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let constrained = o
        .get("constrainedType")
        .and_then(Value::as_str)
        .map(str::to_string);
    let first_path = o
        .get("snapshot")
        .and_then(|s| s.get("element"))
        .and_then(|e| e.get(0))
        .and_then(|e| e.get("path"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // DSTU2 defines code, id, oid, uuid, markdown, positiveInt, unsignedInt as constraints on
    // string or integer; they are primitive types of their own, as in STU3
    let primitive = o.get("kind").and_then(Value::as_str) == Some("datatype")
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if o.get("kind").and_then(Value::as_str) == Some("datatype") {
        o.insert(
            "kind".into(),
            json!(if primitive {
                "primitive-type"
            } else {
                "complex-type"
            }),
        );
    }
    let constrained = constrained.filter(|_| !primitive);
    let ty = if primitive {
        id
    } else {
        constrained.clone().or(first_path).unwrap_or(id)
    };
    o.insert("type".into(), json!(ty));
    o.insert(
        "derivation".into(),
        json!(if constrained.is_some() {
            "constraint"
        } else {
            "specialization"
        }),
    );
    if let Some(b) = o.get("base").cloned() {
        o.insert("baseDefinition".into(), b);
    }
    let url = o
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    for part in ["snapshot", "differential"] {
        if let Some(els) = o
            .get_mut(part)
            .and_then(|s| s.get_mut("element"))
            .and_then(Value::as_array_mut)
        {
            normalise_elements(els);
            correct_types(&url, els);
        }
    }
    sd
}

/// A primitive's text, whether read as a string or (an element the reading model did not know) as an
/// object holding its `value` or a list of one.
fn text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        // `name` is a repeating element in the models that do not know ElementDefinition.name
        Value::Array(a) if a.len() == 1 => text(&a[0]),
        _ => v.get("value").and_then(Value::as_str),
    }
}

fn normalise_elements(els: &mut [Value]) {
    for el in els.iter_mut() {
        if let Some(o) = el.as_object_mut() {
            for k in ["name", "nameReference"] {
                if let Some(t) = o.get(k).and_then(text).map(str::to_string) {
                    o.insert(k.into(), json!(t));
                }
            }
        }
    }
    // the element a nameReference names: the first (not a slice) with that name
    let mut named: HashMap<String, String> = HashMap::new();
    let mut sliced: HashSet<String> = HashSet::new();
    for el in els.iter() {
        let (Some(path), Some(name)) = (str_of(el, "path"), str_of(el, "name")) else {
            if let (Some(path), true) = (str_of(el, "path"), el.get("slicing").is_some()) {
                sliced.insert(path.to_string());
            }
            continue;
        };
        if el.get("slicing").is_some() {
            sliced.insert(path.to_string());
        } else if !sliced.contains(path) {
            named.entry(name.to_string()).or_insert(path.to_string());
        }
    }
    let mut sliced: HashSet<String> = HashSet::new();
    let mut unnamed = 0;
    for el in els.iter_mut() {
        let Some(o) = el.as_object_mut() else {
            continue;
        };
        let path = o
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // a slicing group ends at the first element outside the sliced path: a later element at
        // the same path under another parent (another slice of the parent) is not a slice
        sliced.retain(|s| path == *s || path.starts_with(&format!("{s}.")));
        if o.contains_key("slicing") {
            sliced.insert(path.clone());
        } else if sliced.contains(&path) {
            let name = match o.get("name").and_then(Value::as_str) {
                Some(n) => n.to_string(),
                None => {
                    unnamed += 1;
                    format!("slice{unnamed}")
                }
            };
            o.insert("sliceName".into(), json!(name));
        }
        if let Some(r) = o.get("nameReference").and_then(Value::as_str) {
            let target = if r.contains('.') {
                Some(r.to_string())
            } else {
                named.get(r).cloned()
            };
            if let Some(t) = target {
                o.insert("contentReference".into(), json!(format!("#{t}")));
            }
        }
        // a fixed string with surrounding spaces (Bundle.type "searchset " in the searchset Bundle
        // profile) can never be met by a valid code: the value meant is the trimmed one
        for (_, v) in o.iter_mut().filter(|(k, _)| k.starts_with("fixed")) {
            if let Some(t) = v.as_str().filter(|t| t.trim() != *t) {
                *v = json!(t.trim());
            }
        }
        // bindings to a value set's web page (`.../DSTU2/valueset-bundle-type.html`) mean the value
        // set itself (`http://hl7.org/fhir/ValueSet/bundle-type`)
        if let Some(r) = o
            .get_mut("binding")
            .and_then(|b| b.get_mut("valueSetReference"))
            .and_then(|r| r.get_mut("reference"))
        {
            if let Some(url) = r.as_str().and_then(valueset_of_page) {
                *r = json!(url);
            }
        }
        if let Some(types) = o.get_mut("type").and_then(Value::as_array_mut) {
            for t in types {
                let Some(to) = t.as_object_mut() else {
                    continue;
                };
                if to.get("code").and_then(Value::as_str) == Some("Reference") {
                    if let Some(p) = to.remove("profile") {
                        to.insert("targetProfile".into(), p);
                    }
                }
            }
        }
    }
}

/// The HL7 value set url a DSTU2 value set page names: `http://hl7.org/fhir/DSTU2/valueset-X.html` and
/// `http://hl7.org/fhir/valueset-X.html` are `http://hl7.org/fhir/ValueSet/X`.
fn valueset_of_page(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://hl7.org/fhir/DSTU2/valueset-")
        .or_else(|| url.strip_prefix("http://hl7.org/fhir/valueset-"))?;
    let id = rest.strip_suffix(".html")?;
    Some(format!("http://hl7.org/fhir/ValueSet/{id}"))
}

/// Applies [`TYPE_CORRECTIONS`] to the elements of profile `url`.
fn correct_types(url: &str, els: &mut [Value]) {
    for (profile, path, given, dstu2, _why) in TYPE_CORRECTIONS {
        if canonical(url) != *profile {
            continue;
        }
        for el in els.iter_mut() {
            if str_of(el, "path") != Some(path) {
                continue;
            }
            for t in el
                .get_mut("type")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if t.get("code").and_then(Value::as_str) == Some(given) {
                    t["code"] = json!(dstu2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dstu2_definitions_take_the_stu3_shape() {
        let sd = json!({"resourceType": "StructureDefinition", "url": "http://example.org/P",
        "constrainedType": "Patient", "base": "http://hl7.org/fhir/StructureDefinition/Patient",
        "snapshot": {"element": [
            {"path": "Patient"},
            {"path": "Patient.identifier", "slicing": {"discriminator": ["system"]}},
            {"path": "Patient.identifier", "name": "nhs"},
            {"path": "Patient.identifier.system", "fixedUri": "urn:x "},
            {"path": "Patient.link", "name": "link"},
            {"path": "Patient.link.other", "type": [{"code": "Reference", "profile": ["http://hl7.org/fhir/StructureDefinition/Patient"]}]},
            {"path": "Patient.contact", "nameReference": "link"},
            {"path": "Patient.binding", "binding": {"strength": "required", "valueSetReference": {"reference": "http://hl7.org/fhir/DSTU2/valueset-bundle-type.html"}}}
        ]}});
        let n = normalise(sd);
        assert_eq!(n["type"], "Patient");
        assert_eq!(n["derivation"], "constraint");
        assert_eq!(
            n["baseDefinition"],
            "http://hl7.org/fhir/StructureDefinition/Patient"
        );
        let els = &n["snapshot"]["element"];
        assert!(els[1].get("sliceName").is_none());
        assert_eq!(els[2]["sliceName"], "nhs");
        assert_eq!(els[3]["fixedUri"], "urn:x");
        assert!(els[4].get("sliceName").is_none());
        assert!(els[5]["type"][0].get("profile").is_none());
        assert_eq!(
            els[5]["type"][0]["targetProfile"],
            json!(["http://hl7.org/fhir/StructureDefinition/Patient"])
        );
        assert_eq!(els[6]["contentReference"], "#Patient.link");
        assert_eq!(
            els[7]["binding"]["valueSetReference"]["reference"],
            "http://hl7.org/fhir/ValueSet/bundle-type"
        );
        // DSTU2 defines code as a constraint on string: still a primitive type of its own
        let code = normalise(json!({"resourceType": "StructureDefinition", "id": "code",
            "kind": "datatype", "constrainedType": "string", "snapshot": {"element": [{"path": "code"}]}}));
        assert_eq!(code["kind"], "primitive-type");
        assert_eq!(code["type"], "code");
        assert_eq!(code["derivation"], "specialization");
    }
}
