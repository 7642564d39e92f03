//! `gpc-assure schemas build`: compiles the official definitions into `schemas/`.
//!
//! Inputs (`--from DIR`, repeatable, in priority order):
//! * the STU3 core definitions directory (`package/profiles/stu3` of npm `fhir@3.3.1`),
//!   recognised by its `profiles-types.json`;
//! * the shared GP Connect assets root (recognised by its `gpconnect-1.2/` and
//!   `gpconnect-latest/` folders), giving two profile sets;
//! * any other directory: a user's own checkout of profiles, loaded with the highest priority
//!   into both sets.
//!
//! Provenance comes from a [`Sources`] description (TOML, `schemas/sources.toml`): for every input
//! folder, the package or repository it was taken from, the tag or commit, and the paths inside it.
//! The outputs record that, never where the inputs happened to lie on the maintainer's disk, and a
//! folder without a description is refused.
//!
//! Outputs (gzip JSON, see [`super::model`]): `wire.json.gz`, `base-schema.json.gz`,
//! `base.json.gz`, `gpc-1.2.json.gz`, `gpc-latest.json.gz`, the DSTU2 set of Access Record HTML
//! `gpc-dstu2.json.gz` (from the GP Connect DSTU2 folder, see [`dstu2`]) and a readable
//! `manifest.json`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::model::{
    canonical, Binding, Constraint, DefinitionSet, Node, Profile, Slicing, Strength, TypeRef,
    ValueSetExp,
};
use super::store::encode_gz_json;
use super::wire_model::{capitalise, JsonKind, WireElem, WireModel};
use super::xml::from_xml_with;

pub mod dstu2;

/// Folder priority inside the shared assets root, after the GP Connect folder of the set.
pub const ASSET_FALLBACK: &[&str] = &[
    "careconnect-hl7uk",
    "careconnect-base",
    "careconnect",
    "nhs-terminology",
];

/// The key of the STU3 core definitions directory in a [`Sources`] description.
pub const CORE_SOURCE: &str = "core";

/// Where one input folder came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// An npm package and version, e.g. `fhir@3.3.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npm: Option<String>,
    /// A GitHub repository, `owner/name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// The tag or branch the files were taken from.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The commit the files were taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Paths inside the package or repository.
    pub paths: Vec<String>,
    /// Anything a reader needs to reproduce the folder (files moved, archives unpacked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    /// One line: `npm fhir@3.3.1 package/profiles/stu3` or
    /// `github owner/name release/1.2.7 (commit) StructureDefinitions, ValueSets`.
    pub fn describe(&self) -> String {
        let mut s = match (&self.npm, &self.github) {
            (Some(p), _) => format!("npm {p}"),
            (None, Some(r)) => format!("github {r}"),
            (None, None) => "unknown origin".to_string(),
        };
        if let Some(r) = &self.reference {
            s.push(' ');
            s.push_str(r);
        }
        if let Some(c) = &self.commit {
            s.push_str(&format!(" ({c})"));
        }
        if !self.paths.is_empty() {
            s.push(' ');
            s.push_str(&self.paths.join(", "));
        }
        s
    }

    fn check(&self, name: &str) -> Result<(), String> {
        if self.npm.is_some() == self.github.is_some() {
            return Err(format!(
                "source {name}: give exactly one of npm (package@version) or github (owner/name)"
            ));
        }
        if self.github.is_some() && self.commit.is_none() {
            return Err(format!("source {name}: a github source needs its commit"));
        }
        if self.paths.is_empty() {
            return Err(format!(
                "source {name}: give the paths inside the package or repository"
            ));
        }
        if let Some(p) = self
            .paths
            .iter()
            .find(|p| p.starts_with('/') || p.contains(".."))
        {
            return Err(format!(
                "source {name}: {p} must be a path inside the package or repository"
            ));
        }
        Ok(())
    }
}

/// Provenance of every input folder, by folder name ([`CORE_SOURCE`] for the STU3 core directory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Sources(pub BTreeMap<String, Source>);

impl Sources {
    /// Reads and checks a TOML description.
    pub fn parse(text: &str) -> Result<Sources, String> {
        let sources: Sources = toml::from_str(text).map_err(|e| e.to_string())?;
        for (name, s) in &sources.0 {
            s.check(name)?;
        }
        Ok(sources)
    }

    /// Reads and checks the description in `path`.
    pub fn load(path: &Path) -> Result<Sources, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Sources::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The description of input folder `dir` (by its last path component, or `key` when given).
    fn of(&self, dir: &Path, key: Option<&str>) -> Result<(String, &Source), String> {
        let name = match key {
            Some(k) => k.to_string(),
            None => dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        self.0
            .get(&name)
            .map(|s| (name.clone(), s))
            .ok_or_else(|| {
                format!(
                    "no provenance for input folder {name}: describe it in the sources file (see schemas/README.md)"
                )
            })
    }
}

/// A manifest entry: the folder name and where it came from.
fn source_json(name: &str, s: &Source) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("folder".into(), json!(name));
    }
    v
}

/// What the generator did.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub warnings: Vec<String>,
    pub files: Vec<(String, usize)>,
    pub counts: Vec<String>,
}

/// A pool of definitions keyed by canonical URL (first loaded wins).
#[derive(Default)]
struct Pool {
    by_url: HashMap<String, Value>,
    origin: HashMap<String, String>,
}

impl Pool {
    fn add(&mut self, res: Value, origin: &str) {
        let Some(url) = res.get("url").and_then(Value::as_str) else {
            return;
        };
        let url = canonical(url).to_string();
        if !self.by_url.contains_key(&url) {
            self.origin.insert(url.clone(), origin.to_string());
            self.by_url.insert(url, res);
        }
    }
    fn get(&self, url: &str) -> Option<&Value> {
        self.by_url.get(canonical(url))
    }
}

/// Runs the generator. Every input folder must be described in `sources`.
///
/// The DSTU2 set (`gpc-dstu2.json.gz`, see [`dstu2`]) is built when a GP Connect DSTU2 folder is
/// among `--from` or in the assets root. Given the DSTU2 folder without the STU3 core, only the
/// DSTU2 set is built, and its entry in an existing `manifest.json` replaced.
pub fn build(from: &[PathBuf], sources: &Sources, out: &Path) -> Result<BuildReport, String> {
    let mut report = BuildReport::default();
    let dstu2_dir: Option<PathBuf> = from
        .iter()
        .find(|d| dstu2::is_dstu2_folder(d))
        .cloned()
        .or_else(|| {
            from.iter()
                .map(|d| d.join(dstu2::FOLDER))
                .find(|d| dstu2::is_dstu2_folder(d))
        });
    let Some(base_dir) = from
        .iter()
        .find(|d| d.join("profiles-types.json").is_file())
    else {
        return match &dstu2_dir {
            Some(d) => build_dstu2_only(d, sources, out, report),
            None => Err("no STU3 core directory among --from (needs profiles-types.json; see schemas/README.md)".into()),
        };
    };
    let asset_root = from
        .iter()
        .find(|d| d.join("gpconnect-1.2").is_dir() && d.join("gpconnect-latest").is_dir());
    let user_dirs: Vec<&PathBuf> = from
        .iter()
        .filter(|d| *d != base_dir && Some(*d) != asset_root && !dstu2::is_dstu2_folder(d))
        .collect();
    let core_source = sources.of(base_dir, Some(CORE_SOURCE))?;

    // ---- core
    let types = read_bundle(&base_dir.join("profiles-types.json"))?;
    let resources = read_bundle(&base_dir.join("profiles-resources.json"))?;
    let core_sds: Vec<Value> = types
        .iter()
        .chain(resources.iter())
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("StructureDefinition"))
        .cloned()
        .collect();
    let wire = build_wire_model(&core_sds);
    let schema = build_schema(&wire, &core_sds, "FHIR STU3 (3.0.1)");

    let mut core_pool = Pool::default();
    for f in ["valuesets.json", "v3-codesystems.json", "v2-tables.json"] {
        let p = base_dir.join(f);
        if p.is_file() {
            for r in read_bundle(&p)? {
                core_pool.add(r, f);
            }
        }
    }
    let mut core_ext_pool = Pool::default();
    let p = base_dir.join("extension-definitions.json");
    if p.is_file() {
        for r in read_bundle(&p)? {
            core_ext_pool.add(r, "extension-definitions.json");
        }
    }

    let mut base_set = DefinitionSet {
        source: format!("HL7 FHIR STU3 core from {}", core_source.1.describe()),
        ..Default::default()
    };
    for sd in &core_sds {
        let derivation = sd.get("derivation").and_then(Value::as_str);
        let kind = sd.get("kind").and_then(Value::as_str);
        if kind == Some("primitive-type") || kind == Some("logical") {
            continue;
        }
        if derivation == Some("constraint")
            && sd.get("type").and_then(Value::as_str) != Some("Quantity")
        {
            continue;
        }
        if let Some(p) = compile_sd(sd, &mut report.warnings) {
            base_set.profiles.insert(p.url.clone(), p);
        }
    }

    // ---- GP Connect sets
    let mut sets: Vec<(&str, Vec<PathBuf>)> = Vec::new();
    for (name, folder) in [
        ("gpc-1.2", "gpconnect-1.2"),
        ("gpc-latest", "gpconnect-latest"),
    ] {
        let mut dirs: Vec<PathBuf> = user_dirs.iter().map(|d| (*d).clone()).collect();
        if let Some(root) = asset_root {
            dirs.push(root.join(folder));
            dirs.extend(ASSET_FALLBACK.iter().map(|f| root.join(f)));
        }
        sets.push((name, dirs));
    }

    let mut needed_core_ext: BTreeSet<String> = BTreeSet::new();
    let mut outputs: Vec<(String, DefinitionSet)> = Vec::new();
    let mut provenance: Vec<Vec<Value>> = Vec::new();
    for (name, dirs) in &sets {
        let described = dirs
            .iter()
            .map(|d| sources.of(d, None))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pool = Pool::default();
        let mut roots: Vec<String> = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            let primary = i < user_dirs.len() + 1;
            for (res, origin) in load_dir(dir, &wire, &mut report.warnings) {
                if primary
                    && res.get("resourceType").and_then(Value::as_str)
                        == Some("StructureDefinition")
                {
                    if let Some(u) = res.get("url").and_then(Value::as_str) {
                        roots.push(canonical(u).to_string());
                    }
                }
                pool.add(res, &origin);
            }
        }
        let mut set = DefinitionSet {
            source: described
                .iter()
                .map(|(_, s)| s.describe())
                .collect::<Vec<_>>()
                .join("; "),
            ..Default::default()
        };
        provenance.push(described.iter().map(|(n, s)| source_json(n, s)).collect());
        // closure over referenced profiles
        let mut todo: Vec<String> = roots.clone();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(url) = todo.pop() {
            if !seen.insert(url.clone()) || base_set.profiles.contains_key(&url) {
                continue;
            }
            let Some(sd) = pool.get(&url).or_else(|| core_ext_pool.get(&url)) else {
                continue;
            };
            if sd.get("resourceType").and_then(Value::as_str) != Some("StructureDefinition") {
                continue;
            }
            let Some(p) = compile_sd(sd, &mut report.warnings) else {
                continue;
            };
            for n in &p.nodes {
                for t in &n.types {
                    for pr in &t.profiles {
                        todo.push(canonical(pr).to_string());
                    }
                }
            }
            if core_ext_pool.get(&url).is_some() && pool.get(&url).is_none() {
                needed_core_ext.insert(url.clone());
                continue;
            }
            set.profiles.insert(p.url.clone(), p);
        }
        // value sets
        let bound = bound_valuesets(set.profiles.values());
        for vs in bound {
            if let Some(exp) = expand(&vs, &[&pool, &core_pool], &mut HashSet::new()) {
                set.valuesets.insert(vs, exp);
            }
        }
        outputs.push((name.to_string(), set));
    }
    for url in &needed_core_ext {
        if let Some(sd) = core_ext_pool.get(url) {
            if let Some(p) = compile_sd(sd, &mut report.warnings) {
                base_set.profiles.insert(p.url.clone(), p);
            }
        }
    }
    for vs in bound_valuesets(base_set.profiles.values()) {
        if let Some(exp) = expand(&vs, &[&core_pool], &mut HashSet::new()) {
            base_set.valuesets.insert(vs, exp);
        }
    }

    // ---- write
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut write = |file: &str, bytes: Vec<u8>| -> Result<(), String> {
        let p = out.join(file);
        std::fs::write(&p, &bytes).map_err(|e| format!("{}: {e}", p.display()))?;
        report.files.push((file.to_string(), bytes.len()));
        Ok(())
    };
    write("wire.json.gz", encode_gz_json(&wire)?)?;
    write("base-schema.json.gz", encode_gz_json(&schema)?)?;
    write("base.json.gz", encode_gz_json(&base_set)?)?;
    let mut counts = vec![format!(
        "base: {} profiles, {} value sets",
        base_set.profiles.len(),
        base_set.valuesets.len()
    )];
    for (name, set) in &outputs {
        write(&format!("{name}.json.gz"), encode_gz_json(set)?)?;
        counts.push(format!(
            "{name}: {} profiles, {} value sets",
            set.profiles.len(),
            set.valuesets.len()
        ));
    }
    let mut manifest = json!({
        "generator": "gpc-assure schemas build",
        "fhirVersion": "3.0.1",
        "base": source_json(&core_source.0, core_source.1),
        "sets": outputs.iter().zip(&provenance).map(|((n, s), p)| json!({"name": n, "sources": p,
            "profiles": s.profiles.keys().collect::<BTreeSet<_>>(),
            "valuesets": s.valuesets.len()})).collect::<Vec<_>>(),
    });
    if let Some(d) = &dstu2_dir {
        let (set, entry) = dstu2::build(d, sources, &mut report.warnings)?;
        write(dstu2::FILE, encode_gz_json(&set)?)?;
        counts.push(dstu2_counts(&set));
        manifest["dstu2"] = entry;
    }
    write(
        "manifest.json",
        serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?,
    )?;
    report.counts = counts;
    Ok(report)
}

fn dstu2_counts(set: &super::model::Dstu2Definitions) -> String {
    format!(
        "{}: {} profiles, {} value sets; DSTU2 core: {} profiles, {} value sets, {} resource types",
        dstu2::FILE.trim_end_matches(".json.gz"),
        set.gpc.profiles.len(),
        set.gpc.valuesets.len(),
        set.base.profiles.len(),
        set.base.valuesets.len(),
        set.wire.resources.len()
    )
}

/// Builds only the DSTU2 set and records it in `out/manifest.json` (kept otherwise as it is).
fn build_dstu2_only(
    dir: &Path,
    sources: &Sources,
    out: &Path,
    mut report: BuildReport,
) -> Result<BuildReport, String> {
    let (set, entry) = dstu2::build(dir, sources, &mut report.warnings)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let manifest_path = out.join("manifest.json");
    let mut manifest: Value = match std::fs::read(&manifest_path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
        Err(_) => json!({"generator": "gpc-assure schemas build"}),
    };
    manifest["dstu2"] = entry;
    for (file, bytes) in [
        (dstu2::FILE, encode_gz_json(&set)?),
        (
            "manifest.json",
            serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?,
        ),
    ] {
        let p = out.join(file);
        std::fs::write(&p, &bytes).map_err(|e| format!("{}: {e}", p.display()))?;
        report.files.push((file.to_string(), bytes.len()));
    }
    report.counts.push(dstu2_counts(&set));
    Ok(report)
}

fn read_bundle(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(flatten_bundle(v))
}

fn flatten_bundle(v: Value) -> Vec<Value> {
    if v.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
        v.get("entry")
            .and_then(Value::as_array)
            .map(|es| {
                es.iter()
                    .filter_map(|e| e.get("resource").cloned())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![v]
    }
}

/// Loads every `.xml` / `.json` definition under `dir` (recursively, sorted).
fn load_dir(dir: &Path, wire: &WireModel, warnings: &mut Vec<String>) -> Vec<(Value, String)> {
    let mut files = Vec::new();
    collect_files(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let is_xml = f.extension().is_some_and(|e| e == "xml");
        let parsed = if is_xml {
            from_xml_with(Some(wire), &text).map_err(|e| e.to_string())
        } else {
            serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(v) => {
                for r in flatten_bundle(v) {
                    if matches!(
                        r.get("resourceType").and_then(Value::as_str),
                        Some("StructureDefinition" | "ValueSet" | "CodeSystem")
                    ) {
                        out.push((r, f.display().to_string()));
                    }
                }
            }
            Err(e) => warnings.push(format!("skipped {}: {e}", f.display())),
        }
    }
    out
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml" || e == "json")
            && p.file_name().is_none_or(|n| n != "index.json")
        {
            out.push(p);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Wire model and base schema

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn elements(sd: &Value) -> &[Value] {
    sd.get("snapshot")
        .and_then(|s| s.get("element"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn type_codes(el: &Value) -> Vec<String> {
    el.get("type")
        .and_then(Value::as_array)
        .map(|ts| {
            let mut v: Vec<String> = Vec::new();
            for t in ts {
                if let Some(c) = str_of(t, "code") {
                    if !v.iter().any(|x| x == c) {
                        v.push(c.to_string());
                    }
                }
            }
            v
        })
        .unwrap_or_default()
}

/// Builds the wire model from core type and resource definitions.
pub fn build_wire_model(core_sds: &[Value]) -> WireModel {
    let mut m = WireModel::default();
    for sd in core_sds {
        let kind = str_of(sd, "kind").unwrap_or("");
        let id = str_of(sd, "id").unwrap_or("");
        if str_of(sd, "derivation") == Some("constraint") {
            continue;
        }
        if kind == "primitive-type" {
            let k = match id {
                "boolean" => JsonKind::Boolean,
                "integer" | "decimal" | "positiveInt" | "unsignedInt" => JsonKind::Number,
                _ => JsonKind::String,
            };
            m.primitives.insert(id.to_string(), k);
            continue;
        }
        if kind == "resource"
            && str_of(sd, "abstract") != Some("true")
            && sd.get("abstract") != Some(&Value::Bool(true))
        {
            m.resources.push(id.to_string());
        }
        let els = elements(sd);
        let paths_with_children: HashSet<&str> = els
            .iter()
            .filter_map(|e| str_of(e, "path"))
            .filter_map(|p| p.rsplit_once('.').map(|(a, _)| a))
            .collect();
        for el in els {
            let Some(path) = str_of(el, "path") else {
                continue;
            };
            let Some((parent, name)) = path.rsplit_once('.') else {
                continue;
            };
            let mut types = type_codes(el);
            if let Some(cr) = str_of(el, "contentReference") {
                types = vec![cr.trim_start_matches('#').to_string()];
            } else if paths_with_children.contains(path)
                && types
                    .first()
                    .is_some_and(|t| t == "BackboneElement" || t == "Element")
            {
                types = vec![path.to_string()];
            }
            if types.is_empty() {
                types.push("string".into());
            }
            let repeats = str_of(el, "max").is_some_and(|x| x != "0" && x != "1");
            let choice = name.ends_with("[x]");
            m.contexts
                .entry(parent.to_string())
                .or_default()
                .push(WireElem {
                    name: name.trim_end_matches("[x]").to_string(),
                    choice,
                    types,
                    repeats,
                });
        }
    }
    m.primitives.insert("xhtml".into(), JsonKind::String);
    m.resources.sort();
    m
}

fn primitive_regexes(core_sds: &[Value]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for sd in core_sds {
        if str_of(sd, "kind") != Some("primitive-type") {
            continue;
        }
        let id = str_of(sd, "id").unwrap_or("");
        for el in elements(sd) {
            if !str_of(el, "path").is_some_and(|p| p.ends_with(".value")) {
                continue;
            }
            for t in el
                .get("type")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for ext in t
                    .get("extension")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if str_of(ext, "url")
                        == Some("http://hl7.org/fhir/StructureDefinition/structuredefinition-regex")
                    {
                        if let Some(r) = str_of(ext, "valueString") {
                            out.insert(id.to_string(), r.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

/// Generates the strict base JSON Schema (draft 7): one definition per type, resource and
/// backbone element; no unknown properties; anchored primitive patterns; nested resources are
/// only checked for `resourceType` (the validator validates each against its own type).
pub fn build_schema(wire: &WireModel, core_sds: &[Value], release: &str) -> Value {
    let regexes = primitive_regexes(core_sds);
    let prim_schema = |ty: &str, nullable: bool| -> Value {
        let kind = wire.primitive(ty).unwrap_or(JsonKind::String);
        let base = match kind {
            JsonKind::Boolean => "boolean",
            JsonKind::Number => {
                if ty == "decimal" {
                    "number"
                } else {
                    "integer"
                }
            }
            JsonKind::String => "string",
        };
        let mut s = Map::new();
        s.insert(
            "type".into(),
            if nullable {
                json!([base, "null"])
            } else {
                json!(base)
            },
        );
        if kind == JsonKind::String {
            if let Some(r) = regexes.get(ty) {
                s.insert("pattern".into(), json!(format!("^(?:{r})$")));
            } else if ty != "xhtml" {
                s.insert("pattern".into(), json!("[^\\s]"));
            }
        }
        match ty {
            "positiveInt" => {
                s.insert("minimum".into(), json!(1));
            }
            "unsignedInt" => {
                s.insert("minimum".into(), json!(0));
            }
            _ => {}
        }
        Value::Object(s)
    };
    let mut defs = Map::new();
    let element_ref = json!({"$ref": "#/definitions/Element"});
    for (ctx, elems) in &wire.contexts {
        let is_res = wire.is_resource(ctx);
        if wire.primitive(ctx).is_some() {
            continue;
        }
        let mut props = Map::new();
        if is_res {
            props.insert("resourceType".into(), json!({"const": ctx}));
        }
        for e in elems {
            let names: Vec<(String, &String)> = if e.choice {
                e.types
                    .iter()
                    .map(|t| (format!("{}{}", e.name, capitalise(t)), t))
                    .collect()
            } else {
                e.types
                    .first()
                    .map(|t| vec![(e.name.clone(), t)])
                    .unwrap_or_default()
            };
            for (name, ty) in names {
                let is_prim = wire.primitive(ty).is_some();
                let item = if is_prim {
                    prim_schema(ty, e.repeats)
                } else if ty == "Resource" {
                    json!({"type": "object", "required": ["resourceType"],
                        "properties": {"resourceType": {"enum": wire.resources}}})
                } else {
                    json!({"$ref": format!("#/definitions/{ty}")})
                };
                let schema = if e.repeats {
                    json!({"type": "array", "minItems": 1, "items": item})
                } else {
                    item
                };
                props.insert(name.clone(), schema);
                if is_prim {
                    let ext = if e.repeats {
                        json!({"type": "array", "items": {"anyOf": [element_ref, {"type": "null"}]}})
                    } else {
                        element_ref.clone()
                    };
                    props.insert(format!("_{name}"), ext);
                }
            }
        }
        let mut def = json!({"type": "object", "additionalProperties": false, "properties": props});
        if is_res {
            def["required"] = json!(["resourceType"]);
        } else {
            def["minProperties"] = json!(1);
        }
        defs.insert(ctx.clone(), def);
    }
    json!({"$schema": "http://json-schema.org/draft-07/schema#",
        "description": format!("{release} base structure, generated by gpc-assure schemas build"),
        "definitions": defs})
}

// ---------------------------------------------------------------------------------------------
// StructureDefinition -> compiled profile

fn u32_of(v: Option<&Value>) -> Option<u32> {
    match v {
        Some(Value::Number(n)) => n.as_u64().map(|x| x as u32),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn prefixed(el: &Value, prefix: &str) -> Option<Value> {
    el.as_object()?
        .iter()
        .find(|(k, _)| {
            k.starts_with(prefix)
                && k.len() > prefix.len()
                && k[prefix.len()..].starts_with(|c: char| c.is_ascii_uppercase())
        })
        .map(|(_, v)| v.clone())
}

/// Compiles one StructureDefinition (with a snapshot) into a [`Profile`] tree.
pub fn compile_sd(sd: &Value, warnings: &mut Vec<String>) -> Option<Profile> {
    let url = canonical(str_of(sd, "url")?).to_string();
    let els = elements(sd);
    if els.is_empty() {
        warnings.push(format!("{url}: no snapshot, not compiled"));
        return None;
    }
    let ty = str_of(sd, "type")
        .or_else(|| str_of(sd, "constrainedType"))
        .map(str::to_string)
        .or_else(|| {
            str_of(&els[0], "path").map(|p| p.split('.').next().unwrap_or(p).to_string())
        })?;
    let mut nodes: Vec<Node> = Vec::new();
    // stack of (path, node index)
    let mut stack: Vec<(String, u32)> = Vec::new();
    let mut pending_refs: Vec<(u32, String)> = Vec::new();
    let mut path_of: Vec<String> = Vec::new();
    for el in els {
        let Some(path) = str_of(el, "path") else {
            continue;
        };
        let path = path.to_string();
        let slice = str_of(el, "sliceName").map(str::to_string);
        while let Some((p, _)) = stack.last() {
            let is_parent = path.len() > p.len()
                && path.starts_with(p.as_str())
                && path.as_bytes()[p.len()] == b'.';
            if is_parent {
                break;
            }
            stack.pop();
        }
        let name = path.rsplit('.').next().unwrap_or(&path).to_string();
        let parent = stack.last().map(|(_, i)| *i);
        let id = match parent {
            Some(pi) => format!("{}.{}", nodes[pi as usize].id, name),
            None => path.clone(),
        };
        let id = match &slice {
            Some(s) => format!("{id}:{s}"),
            None => id,
        };
        let mut types: Vec<TypeRef> = Vec::new();
        for t in el
            .get("type")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(code) = str_of(t, "code") else {
                continue;
            };
            let pr: Vec<String> = match t.get("profile") {
                Some(Value::String(s)) => vec![canonical(s).to_string()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| canonical(s).to_string())
                    .collect(),
                _ => vec![],
            };
            let tg: Vec<String> = match t.get("targetProfile") {
                Some(Value::String(s)) => vec![canonical(s).to_string()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| canonical(s).to_string())
                    .collect(),
                _ => vec![],
            };
            match types.iter_mut().find(|x| x.code == code) {
                Some(x) => {
                    x.profiles.extend(pr);
                    x.targets.extend(tg);
                }
                None => types.push(TypeRef {
                    code: code.to_string(),
                    profiles: pr,
                    targets: tg,
                }),
            }
        }
        let binding = el.get("binding").and_then(|b| {
            let strength = match str_of(b, "strength")? {
                "required" => Strength::Required,
                "extensible" => Strength::Extensible,
                "preferred" => Strength::Preferred,
                _ => Strength::Example,
            };
            let vs = b
                .get("valueSetReference")
                .and_then(|r| str_of(r, "reference"))
                .or_else(|| str_of(b, "valueSetUri"))
                .or_else(|| str_of(b, "valueSet"))
                .map(|s| canonical(s).to_string());
            Some(Binding {
                strength,
                valueset: vs,
            })
        });
        let slicing = el.get("slicing").map(|s| {
            let discriminators = s
                .get("discriminator")
                .and_then(Value::as_array)
                .map(|ds| {
                    ds.iter()
                        .filter_map(|d| match d {
                            Value::String(p) => Some(("value".to_string(), p.clone())),
                            Value::Object(_) => Some((
                                str_of(d, "type").unwrap_or("value").to_string(),
                                str_of(d, "path").unwrap_or("$this").to_string(),
                            )),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            Slicing {
                discriminators,
                closed: str_of(s, "rules") == Some("closed"),
            }
        });
        let constraints = el
            .get("constraint")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        Some(Constraint {
                            key: str_of(c, "key")?.to_string(),
                            severity: str_of(c, "severity").unwrap_or("error").to_string(),
                            human: str_of(c, "human").unwrap_or("").to_string(),
                            expression: str_of(c, "expression").map(str::to_string),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let node = Node {
            id,
            name: name.clone(),
            slice: slice.clone(),
            min: u32_of(el.get("min")).unwrap_or(0),
            max: match str_of(el, "max") {
                Some("*") | None => None,
                Some(m) => m.parse().ok(),
            },
            types,
            fixed: prefixed(el, "fixed"),
            pattern: prefixed(el, "pattern"),
            binding,
            slicing,
            constraints,
            short: str_of(el, "short").map(str::to_string),
            ..Default::default()
        };
        let idx = nodes.len() as u32;
        if let Some(cr) = str_of(el, "contentReference") {
            pending_refs.push((idx, cr.trim_start_matches('#').to_string()));
        }
        nodes.push(node);
        path_of.push(path.clone());
        if let Some(pi) = parent {
            let pi = pi as usize;
            let sibling_root =
                nodes[pi].children.iter().rev().copied().find(|c| {
                    nodes[*c as usize].name == name && nodes[*c as usize].slice.is_none()
                });
            match (&slice, sibling_root) {
                (Some(_), Some(root)) => nodes[root as usize].slices.push(idx),
                _ => nodes[pi].children.push(idx),
            }
        }
        stack.push((path, idx));
    }
    for (idx, target) in pending_refs {
        if let Some(t) = path_of.iter().position(|p| *p == target) {
            nodes[idx as usize].content_ref = Some(t as u32);
        }
    }
    Some(Profile {
        url,
        name: str_of(sd, "name").unwrap_or("").to_string(),
        version: str_of(sd, "version").map(str::to_string),
        ty,
        core: str_of(sd, "derivation") == Some("specialization") || sd.get("derivation").is_none(),
        nodes,
        child_masks: Default::default(),
    })
}

// ---------------------------------------------------------------------------------------------
// Value sets

fn bound_valuesets<'a>(profiles: impl Iterator<Item = &'a Profile>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in profiles {
        for n in &p.nodes {
            if let Some(Binding {
                strength,
                valueset: Some(vs),
            }) = &n.binding
            {
                if *strength != Strength::Example {
                    out.insert(vs.clone());
                }
            }
        }
    }
    out
}

fn collect_concepts(concepts: &Value, system: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    for c in concepts.as_array().into_iter().flatten() {
        if let Some(code) = str_of(c, "code") {
            out.entry(system.to_string())
                .or_default()
                .insert(code.to_string());
        }
        if let Some(sub) = c.get("concept") {
            collect_concepts(sub, system, out);
        }
    }
}

fn find_in<'a>(pools: &[&'a Pool], url: &str) -> Option<&'a Value> {
    pools.iter().find_map(|p| p.get(url))
}

fn find_codesystem<'a>(pools: &[&'a Pool], system: &str) -> Option<&'a Value> {
    if let Some(v) = find_in(pools, system) {
        if str_of(v, "resourceType") == Some("CodeSystem") {
            return Some(v);
        }
        if let Some(cs) = v.get("codeSystem") {
            return Some(cs);
        }
    }
    // STU3 ValueSets may define an inline code system; search by system too
    for p in pools {
        for v in p.by_url.values() {
            if str_of(v, "resourceType") == Some("CodeSystem")
                && str_of(v, "url").map(canonical) == Some(system)
            {
                return Some(v);
            }
        }
    }
    None
}

/// Adds the codes of the value set `url` (a DSTU2 import, an STU3 include.valueSet) to `codes`; an
/// unknown one leaves the expansion open.
fn take_value_set(
    url: &str,
    pools: &[&Pool],
    visiting: &mut HashSet<String>,
    codes: &mut BTreeMap<String, BTreeSet<String>>,
    open: &mut BTreeSet<String>,
) {
    if let Some(e) = expand(canonical(url), pools, visiting) {
        for (s, cs) in e.codes {
            codes.entry(s).or_default().extend(cs);
        }
        open.extend(e.open_systems);
    } else {
        open.insert(format!("valueset:{url}"));
    }
}

/// Expands a value set from its compose (or expansion); `None` if unknown.
fn expand(url: &str, pools: &[&Pool], visiting: &mut HashSet<String>) -> Option<ValueSetExp> {
    if !visiting.insert(url.to_string()) {
        return None;
    }
    let vs = find_in(pools, url)?;
    if str_of(vs, "resourceType") != Some("ValueSet") {
        return None;
    }
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut open: BTreeSet<String> = BTreeSet::new();
    if let Some(compose) = vs.get("compose") {
        // DSTU2: whole value sets imported by url
        for u in compose
            .get("import")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            take_value_set(u, pools, visiting, &mut codes, &mut open);
        }
        for inc in compose
            .get("include")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let system = str_of(inc, "system").map(|s| canonical(s).to_string());
            for sub in inc.get("valueSet").into_iter().flat_map(|v| match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            }) {
                if let Some(u) = sub.as_str() {
                    take_value_set(u, pools, visiting, &mut codes, &mut open);
                }
            }
            let Some(system) = system else { continue };
            if let Some(concepts) = inc.get("concept") {
                for c in concepts.as_array().into_iter().flatten() {
                    if let Some(code) = str_of(c, "code") {
                        codes
                            .entry(system.clone())
                            .or_default()
                            .insert(code.to_string());
                    }
                }
            } else if inc.get("filter").is_some() {
                open.insert(system);
            } else if let Some(cs) = find_codesystem(pools, &system) {
                let before = codes.get(&system).map(BTreeSet::len).unwrap_or(0);
                if let Some(c) = cs.get("concept") {
                    collect_concepts(c, &system, &mut codes);
                }
                if codes.get(&system).map(BTreeSet::len).unwrap_or(0) == before
                    || str_of(cs, "content").is_some_and(|c| c != "complete")
                {
                    open.insert(system);
                }
            } else {
                open.insert(system);
            }
        }
        for exc in compose
            .get("exclude")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(system), Some(concepts)) = (str_of(exc, "system"), exc.get("concept")) {
                if let Some(set) = codes.get_mut(canonical(system)) {
                    for c in concepts.as_array().into_iter().flatten() {
                        if let Some(code) = str_of(c, "code") {
                            set.remove(code);
                        }
                    }
                }
            }
        }
    }
    // STU3 inline code system (ValueSet.codeSystem, DSTU2 style)
    if let Some(cs) = vs.get("codeSystem") {
        if let Some(system) = str_of(cs, "system") {
            collect_concepts(
                cs.get("concept").unwrap_or(&Value::Null),
                system,
                &mut codes,
            );
        }
    }
    if codes.is_empty() {
        if let Some(exp) = vs.get("expansion").and_then(|e| e.get("contains")) {
            for c in exp.as_array().into_iter().flatten() {
                if let (Some(s), Some(code)) = (str_of(c, "system"), str_of(c, "code")) {
                    codes
                        .entry(s.to_string())
                        .or_default()
                        .insert(code.to_string());
                }
            }
        }
    }
    visiting.remove(url);
    if codes.is_empty() && open.is_empty() {
        return None;
    }
    Some(ValueSetExp {
        name: str_of(vs, "name").unwrap_or("").to_string(),
        codes: codes
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
        open_systems: open.into_iter().collect(),
    })
}
