//! Layer 3 (and 4): profile conformance from compiled StructureDefinition snapshots.
//!
//! Walks the instance alongside the compiled element tree: cardinality (also inside
//! datatypes, through the core datatype definitions), choice types, fixed and pattern values,
//! bindings, extensions (known URL, own profile), slicing (value/pattern/type/exists
//! discriminators), reference target types, contained and Bundle entry resources (each against
//! its own `meta.profile`), and the invariants that are implemented natively.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde_json::{Map, Value};

use super::fhirpath::{self, Expr, Unsupported, Verdict};
use super::issue::{Issue, Severity};
use super::memo::{self, CleanResources};
use super::model::{canonical, Constraint, Node, Profile, Strength, ValueSetExp};
use super::schema::BASE_URL;
use super::wire_model::type_suffix_matches;
use super::{field, field_ext, ProfileSet, Validator};

/// Invariants evaluated natively (structurally) by this module, the base schema or, for the
/// narrative's XHTML (txt-1, txt-2), [`super::narrative`].
const NATIVE_INVARIANTS: &[&str] = &[
    "ele-1", "ext-1", "dom-1", "dom-2", "dom-3", "dom-4", "txt-1", "txt-2",
];

/// `depth` of the walk is the nesting level of the object being checked (arrays and the
/// resource's own profiles add none), so it never exceeds the value's nesting, which
/// [`Validator::validate`] bounds by this before walking; the checks below are a second guard.
const MAX_DEPTH: usize = super::MAX_NESTING;

/// Fewest deferred Bundle entries worth spreading over threads.
const PARALLEL_MIN_JOBS: usize = 8;

/// A location in the instance (`Bundle.entry[3].resource.ofType(Patient).name[0]`), kept as a
/// chain of borrowed segments and rendered to a string only when an issue is reported.
#[derive(Clone, Copy)]
pub(crate) enum Loc<'a> {
    Root(&'a str),
    Field(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, &'a str, usize),
    OfType(&'a Loc<'a>, &'a str),
}

impl Loc<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Loc::Root(s) => out.push_str(s),
            Loc::Field(p, n) => {
                p.write(out);
                out.push('.');
                out.push_str(n);
            }
            Loc::Index(p, n, i) => {
                p.write(out);
                out.push('.');
                out.push_str(n);
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Loc::OfType(p, t) => {
                p.write(out);
                out.push_str(".ofType(");
                out.push_str(t);
                out.push(')');
            }
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut s = String::with_capacity(64);
        self.write(&mut s);
        s
    }

    /// The rendered location followed by `suffix` (`.reference`, `.contained[0]`).
    fn with(&self, suffix: &str) -> String {
        let mut s = self.render();
        s.push_str(suffix);
        s
    }
}

/// Hasher for pointer keys (address, length) of strings owned by the loaded definitions.
#[derive(Default)]
struct PtrHasher(u64);

impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

type PtrMap<V> = HashMap<(usize, usize), V, BuildHasherDefault<PtrHasher>>;

fn key(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

/// A nested resource whose validation is deferred (top-level Bundle entries), to run in
/// parallel; its issues are spliced in at `at`, where a sequential walk would have put them.
struct Job<'v, 'i> {
    res: &'i Value,
    loc: String,
    expected: Option<&'v str>,
    depth: usize,
    contained: Vec<FxHashMap<String, String>>,
    at: usize,
}

pub(crate) struct Walker<'v, 'i> {
    pub v: &'v Validator,
    pub set: ProfileSet,
    pub issues: Vec<Issue>,
    /// Invariant keys seen but not evaluated, for the "not checked" summary.
    pub unchecked: BTreeSet<String>,
    /// fullUrl -> resource type, for Bundle reference resolution.
    full_urls: FxHashMap<String, String>,
    /// Contained ids of the current resource -> type.
    contained: Vec<FxHashMap<String, String>>,
    /// Defer nested resources into `jobs` (set for a top-level Bundle).
    pub defer: bool,
    jobs: Vec<Job<'v, 'i>>,
    /// Whether a Bundle was met (its fullUrls change reference resolution for what follows).
    saw_bundle: bool,
    /// Profile lookups by URL strings of the definitions (keyed by address), and by type name.
    url_cache: PtrMap<Option<&'v Profile>>,
    vs_cache: PtrMap<Option<&'v ValueSetExp>>,
    type_cache: FxHashMap<String, Option<&'v Profile>>,
    /// Parsed invariant expressions, by the address of their text in the definitions.
    expr_cache: PtrMap<Result<Arc<Expr>, Unsupported>>,
    /// The resources being walked, innermost last (`%resource` of the invariants).
    resources: Vec<&'i Value>,
    /// Clean walks of deferred entries, remembered across walks (see [`CleanResources`]); set
    /// by the run only.
    pub memo: Option<&'v CleanResources>,
}

struct Item<'i, 'l> {
    v: Option<&'i Value>,
    ext: Option<&'i Value>,
    ty: &'l str,
    /// Element name (JSON key) and index, if the element is an array.
    name: &'l str,
    index: Option<usize>,
    loc: Loc<'l>,
}

impl<'v, 'i> Walker<'v, 'i> {
    pub fn new(v: &'v Validator, set: ProfileSet) -> Self {
        Walker {
            v,
            set,
            issues: Vec::new(),
            unchecked: BTreeSet::new(),
            full_urls: FxHashMap::default(),
            contained: Vec::new(),
            defer: false,
            jobs: Vec::new(),
            saw_bundle: false,
            url_cache: PtrMap::default(),
            vs_cache: PtrMap::default(),
            type_cache: FxHashMap::default(),
            expr_cache: PtrMap::default(),
            resources: Vec::new(),
            memo: None,
        }
    }

    /// A profile by a URL taken from the instance (not cached).
    fn profile(&self, url: &str) -> Option<&'v Profile> {
        self.v.profile(self.set, url)
    }

    /// A profile by a URL owned by the definitions (cached by address).
    fn profile_v(&mut self, url: &'v str) -> Option<&'v Profile> {
        let (v, set) = (self.v, self.set);
        *self
            .url_cache
            .entry(key(url))
            .or_insert_with(|| v.profile(set, url))
    }

    /// The core definition of a type (`{BASE_URL}{ty}`), cached by type name.
    fn type_profile(&mut self, ty: &str) -> Option<&'v Profile> {
        if let Some(p) = self.type_cache.get(ty) {
            return *p;
        }
        let p = self.v.profile(self.set, &format!("{BASE_URL}{ty}"));
        self.type_cache.insert(ty.to_string(), p);
        p
    }

    fn valueset(&mut self, url: &'v str) -> Option<&'v ValueSetExp> {
        let (v, set) = (self.v, self.set);
        *self
            .vs_cache
            .entry(key(url))
            .or_insert_with(|| v.valueset(set, url))
    }

    fn push(&mut self, sev: Severity, loc: &Loc<'_>, prof: &Profile, node: &Node, msg: String) {
        self.push_at(sev, loc.render(), prof, node, msg);
    }

    fn push_at(&mut self, sev: Severity, loc: String, prof: &Profile, node: &Node, msg: String) {
        self.issues.push(Issue {
            severity: sev,
            location: loc,
            profile: Some(prof.url.clone()),
            element: Some(node.id.clone()),
            message: msg,
            omitted: None,
        });
    }

    /// A walker for deferred jobs: same definitions and Bundle fullUrls, nothing deferred.
    fn sub(v: &'v Validator, set: ProfileSet, full_urls: &FxHashMap<String, String>) -> Self {
        let mut w = Walker::new(v, set);
        w.full_urls = full_urls.clone();
        w
    }

    /// Walks a deferred job, or finds it among the remembered clean walks; its issues, and the
    /// invariants it could not evaluate added to `unchecked`.
    fn job(&mut self, job: &Job<'v, 'i>) -> Vec<Issue> {
        let key = self.memo.map(|memo| {
            let key = memo::walk_key(
                self.set,
                job.expected,
                job.depth,
                &job.contained,
                &self.full_urls,
                job.res,
            );
            (memo, key)
        });
        if let Some((memo, key)) = &key {
            if let Some(unchecked) = memo.get(key) {
                self.unchecked.extend(unchecked.iter().cloned());
                return Vec::new();
            }
        }
        let before = std::mem::take(&mut self.unchecked);
        self.contained.clone_from(&job.contained);
        self.resource(job.res, &Loc::Root(&job.loc), job.expected, job.depth);
        let issues = std::mem::take(&mut self.issues);
        let own = std::mem::replace(&mut self.unchecked, before);
        if let Some((memo, key)) = key {
            if issues.is_empty() && !self.saw_bundle {
                memo.insert(key, own.iter().cloned());
            }
        }
        self.unchecked.extend(own);
        issues
    }

    /// Runs the deferred jobs (in parallel when there are enough) and splices their issues in
    /// at the positions a sequential walk would have produced them. `false`: a deferred
    /// resource contained a Bundle, so the caller must walk again sequentially.
    pub fn finish(&mut self) -> bool {
        let jobs = std::mem::take(&mut self.jobs);
        if jobs.is_empty() {
            return true;
        }
        let (v, set, full_urls, memo) = (self.v, self.set, &self.full_urls, self.memo);
        let next = AtomicUsize::new(0);
        let run = || {
            let mut w = Walker::sub(v, set, full_urls);
            w.memo = memo;
            let mut outs: Vec<(usize, Vec<Issue>)> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                outs.push((i, w.job(job)));
                if w.saw_bundle {
                    break;
                }
            }
            (outs, w.unchecked, w.saw_bundle)
        };
        let parts = super::on_all_cores(jobs.len(), PARALLEL_MIN_JOBS, run);
        let mut results: Vec<Option<Vec<Issue>>> = (0..jobs.len()).map(|_| None).collect();
        for (outs, unchecked, saw_bundle) in parts {
            if saw_bundle {
                return false;
            }
            self.unchecked.extend(unchecked);
            for (i, issues) in outs {
                results[i] = Some(issues);
            }
        }
        let own = std::mem::take(&mut self.issues);
        let mut own = own.into_iter();
        let mut merged = Vec::with_capacity(own.len());
        let mut taken = 0;
        for (job, res) in jobs.iter().zip(results) {
            merged.extend(own.by_ref().take(job.at - taken));
            taken = job.at;
            merged.extend(res.unwrap_or_default());
        }
        merged.extend(own);
        self.issues = merged;
        true
    }

    /// Validates a resource at `loc` (the resource's own location).
    ///
    /// This and [`Walker::complex`] and [`Walker::item`] recurse once per nesting level of the
    /// instance: they keep to the walk and leave each check to a helper, so their frames (what
    /// every level costs on the stack) stay small.
    pub fn resource(
        &mut self,
        res: &'i Value,
        loc: &Loc<'_>,
        expected: Option<&str>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some((obj, rt)) = self.resource_checks(res, loc) else {
            return;
        };
        self.resources.push(res);
        for p in self.profiles_to_apply(obj, rt, loc, expected) {
            if p.ty == rt {
                self.complex(p, 0, obj, loc, depth);
            } else {
                self.wrong_resource_type(p, rt, loc);
            }
        }
        self.resources.pop();
        self.contained.pop();
    }

    /// The base schema of a resource, and what it adds to reference resolution (Bundle fullUrls,
    /// contained ids: pushed, popped by the caller). `None`: not a resource to walk.
    fn resource_checks(
        &mut self,
        res: &'i Value,
        loc: &Loc<'_>,
    ) -> Option<(&'i Map<String, Value>, &'i str)> {
        let Some(obj) = res.as_object() else {
            self.issues.push(Issue::error(
                loc.render(),
                "A resource must be a JSON object",
            ));
            return None;
        };
        self.v.schema_for(self.set).validate_lazy(
            self.v.wire_for(self.set),
            res,
            || loc.render(),
            &mut self.issues,
        );
        let rt = obj.get("resourceType").and_then(Value::as_str)?;
        // Bundle: remember fullUrls for reference resolution
        if rt == "Bundle" {
            self.saw_bundle = true;
            for e in obj
                .get("entry")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(fu), Some(t)) = (
                    e.get("fullUrl").and_then(Value::as_str),
                    e.get("resource")
                        .and_then(|r| r.get("resourceType"))
                        .and_then(Value::as_str),
                ) {
                    self.full_urls.insert(fu.to_string(), t.to_string());
                }
            }
        }
        let mut contained = FxHashMap::default();
        for c in obj
            .get("contained")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(t)) = (
                c.get("id").and_then(Value::as_str),
                c.get("resourceType").and_then(Value::as_str),
            ) {
                contained.insert(id.to_string(), t.to_string());
            }
        }
        self.contained.push(contained);
        Some((obj, rt))
    }

    /// The profiles a resource is checked against: the expected one, those it declares, else its
    /// type's core definition.
    fn profiles_to_apply(
        &mut self,
        obj: &Map<String, Value>,
        rt: &str,
        loc: &Loc<'_>,
        expected: Option<&str>,
    ) -> Vec<&'v Profile> {
        let declared: Vec<String> = obj
            .get("meta")
            .and_then(|m| m.get("profile"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let mut to_apply: Vec<&'v Profile> = Vec::new();
        if let Some(exp) = expected {
            let exp_c = canonical(exp);
            if !declared.is_empty() && !declared.iter().any(|d| canonical(d) == exp_c) {
                self.issues.push(Issue {
                    severity: Severity::Error,
                    location: loc.with(".meta.profile"),
                    profile: Some(exp_c.to_string()),
                    element: Some(format!("{rt}.meta.profile")),
                    message: format!(
                        "meta.profile declares {} but this interaction must return a {exp_c} resource",
                        declared.join(", ")
                    ),
                    omitted: None,
                });
            }
            match self.profile(exp_c) {
                Some(p) => to_apply.push(p),
                None => self.issues.push(Issue::new(
                    Severity::Warning,
                    loc.render(),
                    format!("Profile {exp_c} is not known to this validator; checked against the base {rt} definition only"),
                )),
            }
        }
        for d in &declared {
            let dc = canonical(d);
            if to_apply.iter().any(|p| p.url == dc) {
                continue;
            }
            match self.profile(dc) {
                Some(p) => to_apply.push(p),
                None => self.unknown_declared_profile(dc, rt, loc),
            }
        }
        if to_apply.is_empty() {
            if let Some(p) = self.type_profile(rt) {
                to_apply.push(p);
            }
        }
        to_apply
    }

    /// A `meta.profile` no loaded definition knows: an error for a GP Connect / CareConnect url
    /// (misspelt, or of another version), a warning for anyone else's.
    fn unknown_declared_profile(&mut self, url: &str, rt: &str, loc: &Loc<'_>) {
        let hint = self
            .v
            .nearest_profile(self.set, url, rt)
            .map(|g| format!(" (did you mean {g}?)"))
            .unwrap_or_default();
        let unpublished = UNPUBLISHED_PROFILES
            .iter()
            .find(|(u, _)| *u == canonical(url));
        let (severity, message) = if let Some((_, why)) = unpublished {
            (
                Severity::Warning,
                format!("Declared profile {url} is named by the specification ({why}), but its definition was never published; checked against the base {rt} definition only"),
            )
        } else if in_known_space(url) {
            (
                Severity::Error,
                format!("Declared profile {url} is not a GP Connect profile, nor one of the CareConnect or FHIR STU3 definitions GP Connect builds on{hint}; checked against the base {rt} definition only"),
            )
        } else {
            (
                Severity::Warning,
                format!("Declared profile {url} is not known to this validator; checked against the base {rt} definition only{hint}"),
            )
        };
        self.issues
            .push(Issue::new(severity, loc.with(".meta.profile"), message));
    }

    fn wrong_resource_type(&mut self, p: &Profile, rt: &str, loc: &Loc<'_>) {
        self.issues.push(Issue {
            severity: Severity::Error,
            location: loc.render(),
            profile: Some(p.url.clone()),
            element: None,
            message: format!(
                "Profile {} constrains {} resources, but this is a {rt}",
                p.name, p.ty
            ),
            omitted: None,
        });
    }

    /// Children of node `ni` of `p` against object `obj`.
    fn complex(
        &mut self,
        p: &'v Profile,
        ni: usize,
        obj: &'i Map<String, Value>,
        loc: &Loc<'_>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = &p.nodes[ni];
        self.constraints(p, node, &node.constraints, obj, loc);
        // an element defined by reference to another (`Parameters.parameter.part`,
        // `Observation.component.referenceRange`) is held to that element's invariants too
        if let Some(cr) = node.content_ref.filter(|_| node.constraints.is_empty()) {
            self.constraints(p, node, &p.nodes[cr as usize].constraints, obj, loc);
        }
        let owner = node.content_ref.map_or(ni, |cr| cr as usize);
        let children: &[u32] = &p.nodes[owner].children;
        // the children the object names, and those with something to say when absent; every
        // child of an element with more than 64
        let visit = p
            .child_mask(owner, |c| visit_when_absent(p, c))
            .map_or(u64::MAX, |m| m.visit(obj));
        let has_ext_keys = obj.keys().any(|k| k.starts_with('_'));
        for (pos, &ci) in children.iter().enumerate() {
            if pos < 64 && visit & (1 << pos) == 0 {
                continue;
            }
            let c = &p.nodes[ci as usize];
            let items = self.gather(p, c, obj, loc, has_ext_keys);
            self.cardinality(p, c, &items, loc);
            let sliced = c.slicing.is_some() && !c.slices.is_empty();
            for it in &items {
                // DSTU2: an item that matches a slice is judged by the slice alone (its profiles
                // leave the slicing root's children as the default for unmatched items, e.g. a
                // Composition.section.code 0..0 beside slices requiring it 1..1)
                if sliced
                    && self.set.is_dstu2()
                    && it.v.is_some_and(|v| self.matching_slice(p, c, v).is_some())
                {
                    continue;
                }
                self.item(p, ci as usize, it, depth);
            }
            if c.slicing.is_some() && !c.slices.is_empty() {
                self.slicing(p, ci as usize, &items, loc, depth);
            } else if c.base_name() == "extension" || c.base_name() == "modifierExtension" {
                for it in &items {
                    self.extension_unsliced(it, p, c, depth);
                }
            }
        }
        if p.ty == "Extension" {
            self.extension_value_type(p, node, children, obj, loc);
        }
    }

    /// An extension (or sub-extension) whose definition names its value element by type
    /// (`valuePeriod`, not `value[x]`) allows that value only: any other `value...` is an error.
    fn extension_value_type(
        &mut self,
        p: &Profile,
        node: &Node,
        children: &[u32],
        obj: &Map<String, Value>,
        loc: &Loc<'_>,
    ) {
        let mut allowed: Vec<&str> = Vec::new();
        for &ci in children {
            let c = &p.nodes[ci as usize];
            if c.base_name() == "value" {
                return; // value[x]: its types are checked by gather
            }
            if is_value_name(&c.name) && c.max != Some(0) {
                allowed.push(&c.name);
                if let Some((name, _)) = known_value_type_defect(&p.url, &c.id) {
                    allowed.push(name);
                }
            }
        }
        if allowed.is_empty() {
            return;
        }
        for k in obj.keys() {
            let k = k.trim_start_matches('_');
            if is_value_name(k) && !allowed.contains(&k) {
                self.push(
                    Severity::Error,
                    &Loc::Field(loc, k),
                    p,
                    node,
                    format!(
                        "'{k}' is not allowed here by {}: the value must be {}",
                        p.name,
                        allowed.join(" or ")
                    ),
                );
            }
        }
    }

    /// The number of items of child `c` against its min and max.
    fn cardinality(&mut self, p: &Profile, c: &Node, items: &[Item<'i, '_>], loc: &Loc<'_>) {
        let count = items.len() as u32;
        if count < c.min {
            let (severity, why) = match known_minimum_defect(&p.url, &c.id) {
                Some(reason) => (Severity::Warning, format!(" (a warning: {reason})")),
                None => (Severity::Error, String::new()),
            };
            self.push(
                severity,
                loc,
                p,
                c,
                format!(
                    "Missing '{}': {} requires at least {} (found {count}){}{why}",
                    c.name,
                    p.name,
                    c.min,
                    describe(c)
                ),
            );
        }
        if let Some(max) = c.max {
            if count > max {
                let at = items.get(max as usize).map(|i| i.loc).unwrap_or(*loc);
                let msg = if max == 0 {
                    format!(
                        "'{}' must not be present: {} does not allow it (max 0)",
                        c.name, p.name
                    )
                } else {
                    format!(
                        "Too many '{}': {} allows at most {max}, found {count}",
                        c.name, p.name
                    )
                };
                self.push(Severity::Error, &at, p, c, msg);
            }
        }
    }

    fn gather<'l>(
        &mut self,
        p: &'v Profile,
        c: &'v Node,
        obj: &'i Map<String, Value>,
        loc: &'l Loc<'l>,
        has_ext_keys: bool,
    ) -> Vec<Item<'i, 'l>>
    where
        'i: 'l,
        'v: 'l,
    {
        let mut out = Vec::new();
        let push_named = |name: &'l str, ty: &'l str, out: &mut Vec<Item<'i, 'l>>| {
            let vals = field(obj, name);
            let exts = if has_ext_keys {
                field_ext(obj, name)
            } else {
                None
            };
            let (va, ea) = (as_list(vals), as_list(exts));
            let repeated =
                matches!(vals, Some(Value::Array(_))) || matches!(exts, Some(Value::Array(_)));
            let n = va.len().max(ea.len());
            for i in 0..n {
                let v = va.get(i).copied().filter(|v| !v.is_null());
                let e = ea.get(i).copied().filter(|v| !v.is_null());
                if v.is_none() && e.is_none() {
                    continue;
                }
                let (index, l) = if repeated {
                    (Some(i), Loc::Index(loc, name, i))
                } else {
                    (None, Loc::Field(loc, name))
                };
                out.push(Item {
                    v,
                    ext: e,
                    ty,
                    name,
                    index,
                    loc: l,
                });
            }
        };
        if c.is_choice() {
            let base = c.base_name();
            for k in obj.keys() {
                let k: &'i str = k.trim_start_matches('_');
                let Some(rest) = k.strip_prefix(base) else {
                    continue;
                };
                if !rest.starts_with(|ch: char| ch.is_ascii_uppercase()) {
                    continue;
                }
                if out.iter().any(|i: &Item| i.index.is_none() && i.name == k) {
                    continue;
                }
                match c.types.iter().find(|t| type_suffix_matches(&t.code, rest)) {
                    Some(t) => push_named(k, &t.code, &mut out),
                    None => {
                        if !c.types.is_empty() {
                            let allowed: Vec<String> = c
                                .types
                                .iter()
                                .map(|t| {
                                    format!("{base}{}", super::wire_model::capitalise(&t.code))
                                })
                                .collect();
                            self.push(
                                Severity::Error,
                                &Loc::Field(loc, k),
                                p,
                                c,
                                format!(
                                    "'{k}' is not allowed here by {}: use one of {}",
                                    p.name,
                                    allowed.join(", ")
                                ),
                            );
                        }
                    }
                }
            }
        } else {
            let ty = c.types.first().map(|t| t.code.as_str()).unwrap_or("");
            push_named(&c.name, ty, &mut out);
            if let Some((name, ty)) = known_value_type_defect(&p.url, &c.id) {
                push_named(name, ty, &mut out);
            }
        }
        out
    }

    fn item(&mut self, p: &'v Profile, ni: usize, it: &Item<'i, '_>, depth: usize) {
        let c = &p.nodes[ni];
        self.item_checks(p, c, it);
        if let Some(ext) = it.ext.and_then(Value::as_object) {
            if let Some(el) = self.type_profile("Element") {
                self.complex(el, 0, ext, &it.loc, depth + 1);
            }
        }
        let Some(val) = it.v else { return };
        let Some(obj) = val.as_object() else { return };
        let resource_type = field(obj, "resourceType");
        if it.ty == "Resource" || resource_type.is_some() {
            let rt = resource_type.and_then(Value::as_str).unwrap_or("Resource");
            let expected = resource_profile(c);
            let l = Loc::OfType(&it.loc, rt);
            if self.defer {
                self.defer_resource(val, &l, expected, depth + 1);
            } else {
                self.resource(val, &l, expected, depth + 1);
            }
            return;
        }
        if let Some(ep) = self.extension_definition(c) {
            self.complex(ep, 0, obj, &it.loc, depth + 1);
        } else if !c.children.is_empty() || c.content_ref.is_some() {
            self.complex(p, ni, obj, &it.loc, depth + 1);
        } else if self.judged_by_own_definition(c, obj) {
            // the extension's own definition (through its slice or its url) checks all of it
        } else if let Some(tp) = self.item_type_profile(c, it.ty) {
            self.complex(tp, 0, obj, &it.loc, depth + 1);
        }
    }

    /// The definition of the extension an extension slice requires, when it is loaded: a profile's
    /// snapshot inlines only the core Extension structure there, the definition has its
    /// sub-extensions and value type.
    fn extension_definition(&mut self, c: &'v Node) -> Option<&'v Profile> {
        if c.slice.is_none() || !matches!(c.base_name(), "extension" | "modifierExtension") {
            return None;
        }
        let url = c
            .types
            .iter()
            .find(|t| t.code == "Extension")
            .and_then(|t| t.profiles.first())?;
        self.profile_v(url).filter(|ep| ep.ty == "Extension")
    }

    /// Whether an extension in an `extension` element is walked against its own definition (a slice
    /// of the element names it, or its url is known), which includes everything the core
    /// Extension definition would check.
    fn judged_by_own_definition(&self, c: &Node, obj: &Map<String, Value>) -> bool {
        if c.slice.is_some() || !matches!(c.base_name(), "extension" | "modifierExtension") {
            return false;
        }
        match field(obj, "url").and_then(Value::as_str) {
            Some(url) if is_absolute(url) => self.profile(url).is_some(),
            _ => false,
        }
    }

    /// An item's value against its element: fixed value, pattern, binding, reference target, and
    /// the invariants of a primitive element (those of complex ones run in [`Walker::complex`]).
    fn item_checks(&mut self, p: &'v Profile, c: &'v Node, it: &Item<'i, '_>) {
        if let Some(v) = it.v.filter(|v| !v.is_object()) {
            for k in &c.constraints {
                if let (false, Some(expr)) =
                    (NATIVE_INVARIANTS.contains(&k.key.as_str()), &k.expression)
                {
                    self.invariant(p, c, k, expr, fhirpath::Focus::Primitive(v), &it.loc);
                }
            }
            if let Some(div) = v.as_str() {
                self.narrative(p, c, div, &it.loc);
            }
        }
        if let (Some(f), Some(v)) = (&c.fixed, it.v) {
            if f != v {
                let (severity, why) = match known_fixed_defect(&p.url, &c.id, v) {
                    Some(reason) => (Severity::Warning, format!(" (a warning: {reason})")),
                    None => (Severity::Error, String::new()),
                };
                self.push(
                    severity,
                    &it.loc,
                    p,
                    c,
                    format!(
                        "Value must be exactly {} (fixed by {}), found {}{why}",
                        short(f),
                        p.name,
                        short(v)
                    ),
                );
            }
        }
        if let (Some(pat), Some(v)) = (&c.pattern, it.v) {
            if !matches_pattern(v, pat) {
                self.push(
                    Severity::Error,
                    &it.loc,
                    p,
                    c,
                    format!(
                        "Value must include {} (pattern required by {}), found {}",
                        short(pat),
                        p.name,
                        short(v)
                    ),
                );
            }
        }
        if let (Some(b), Some(v)) = (&c.binding, it.v) {
            if b.strength != Strength::Example {
                if let Some(vs) = &b.valueset {
                    self.binding(p, c, b.strength, vs, it.ty, v, &it.loc);
                }
            }
        }
        if it.ty == "Reference" {
            if let Some(v) = it.v {
                self.reference(p, c, v, &it.loc);
            }
        }
    }

    /// The definition an item of type `ty` is checked against: the profile its element names
    /// for that type, else the type's core definition.
    fn item_type_profile(&mut self, c: &'v Node, ty: &str) -> Option<&'v Profile> {
        let named = c
            .types
            .iter()
            .find(|t| t.code == ty)
            .and_then(|t| t.profiles.first());
        match named.and_then(|u| self.profile_v(u)) {
            Some(tp) => Some(tp),
            None if !ty.is_empty() => self.type_profile(ty),
            None => None,
        }
    }

    /// Queues a nested resource for the parallel walk of a top-level Bundle.
    fn defer_resource(
        &mut self,
        res: &'i Value,
        loc: &Loc<'_>,
        expected: Option<&'v str>,
        depth: usize,
    ) {
        self.jobs.push(Job {
            res,
            loc: loc.render(),
            expected,
            depth,
            contained: self.contained.clone(),
            at: self.issues.len(),
        });
    }

    /// An extension no slice of its element claims, in element `node` of `owner`: checked against
    /// the definition its url names. A relative url is a sub-extension: an error unless `owner`
    /// (an extension definition) defines it.
    fn extension_unsliced(
        &mut self,
        it: &Item<'i, '_>,
        owner: &'v Profile,
        node: &'v Node,
        depth: usize,
    ) {
        let Some(url) =
            it.v.and_then(Value::as_object)
                .and_then(|o| field(o, "url"))
                .and_then(Value::as_str)
        else {
            return;
        };
        if !is_absolute(url) {
            if !inside_extension(owner, node) {
                self.push(
                    Severity::Error,
                    &it.loc,
                    owner,
                    node,
                    format!("Extension url '{url}' is not absolute: only a sub-extension (inside a complex extension) has a relative url"),
                );
            } else if owner.ty == "Extension" && !owner.core {
                self.unknown_sub_extension(owner, node, url, it);
            }
            // under the core Extension definition, or a copy of it inlined in a profile whose
            // extension definition is not loaded: nothing says which sub-extensions it has
            return;
        }
        match self.profile(url) {
            Some(ep) => {
                if let Some(obj) = it.v.and_then(Value::as_object) {
                    self.complex(ep, 0, obj, &it.loc, depth + 1);
                }
            }
            None if unpublished_extension(url).is_some() => {
                self.unpublished_extension_value(url, it)
            }
            None => {
                // the urls the element's slices name: the likeliest intent of a near miss
                let prefix = format!("{}:", node.id);
                let sliced: Vec<&str> = owner
                    .nodes
                    .iter()
                    .filter(|n| {
                        n.id.strip_prefix(&prefix)
                            .is_some_and(|rest| !rest.contains('.'))
                    })
                    .flat_map(|n| n.types.iter().filter(|t| t.code == "Extension"))
                    .flat_map(|t| t.profiles.iter().map(String::as_str))
                    .collect();
                self.unknown_extension(url, &sliced, it)
            }
        }
    }

    /// An extension the specification names whose definition was never published: its value is
    /// checked against what the specification says of it (value element and codes).
    fn unpublished_extension_value(&mut self, url: &str, it: &Item<'i, '_>) {
        let Some(&(_, value, codes, named)) = unpublished_extension(url) else {
            return;
        };
        let Some(obj) = it.v.and_then(Value::as_object) else {
            return;
        };
        let message = match obj.get(value).and_then(Value::as_str) {
            Some(code) if codes.contains(&code) => return,
            Some(code) => format!(
                "Extension {url}: '{code}' is not one of the codes the specification lists ({}; {named})",
                codes.join(", ")
            ),
            None => format!(
                "Extension {url} carries its value in {value} ({named}); found {}",
                obj.keys()
                    .filter(|k| is_value_name(k))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.issues
            .push(Issue::new(Severity::Error, it.loc.render(), message));
    }

    /// A sub-extension url (relative) its parent extension does not define: an error.
    fn unknown_sub_extension(&mut self, p: &Profile, node: &Node, url: &str, it: &Item<'i, '_>) {
        let defined: Vec<&str> = node
            .slices
            .iter()
            .filter_map(|s| p.nodes[*s as usize].slice.as_deref())
            .collect();
        let hint = match nearest(url, defined.iter().copied()) {
            Some(n) => format!(" (did you mean '{n}'?)"),
            None if defined.is_empty() => " (it defines none)".to_string(),
            None => format!(" (it defines {})", defined.join(", ")),
        };
        self.push(
            Severity::Error,
            &it.loc,
            p,
            node,
            format!(
                "Unknown sub-extension '{url}': {} does not define it{hint}",
                p.name
            ),
        );
    }

    /// An extension url no loaded definition knows: an error in the NHS, HL7 UK and HL7 spaces
    /// (a misspelt url of a known definition), a warning elsewhere.
    fn unknown_extension(&mut self, url: &str, sliced: &[&str], it: &Item<'i, '_>) {
        // whitespace around a url (never part of one) is named first, then the nearest url
        let trimmed = url.trim();
        let known = |u: &str| self.profile(u).is_some() || sliced.contains(&u);
        let mut hint = padded(url, known);
        let guess = if known(trimmed) {
            None
        } else {
            nearest(trimmed, sliced.iter().copied())
                .or_else(|| self.v.nearest_profile(self.set, trimmed, "Extension"))
        };
        if let Some(g) = guess {
            hint.push_str(&format!(" (did you mean {g}?)"));
        }
        let (severity, message) = if in_known_space(url) {
            (
                Severity::Error,
                format!("Unknown extension {url}: no GP Connect definition, nor any CareConnect or FHIR STU3 definition GP Connect builds on, has this url{hint}"),
            )
        } else {
            (
                Severity::Warning,
                format!("Unknown extension {url}: it is not defined by the GP Connect / CareConnect profiles, so its content was not checked{hint}"),
            )
        };
        self.issues
            .push(Issue::new(severity, it.loc.render(), message));
    }

    fn slicing(
        &mut self,
        p: &'v Profile,
        ni: usize,
        items: &[Item<'i, '_>],
        loc: &Loc<'_>,
        depth: usize,
    ) {
        let c = &p.nodes[ni];
        let Some(sl) = &c.slicing else { return };
        let mut counts = vec![0u32; c.slices.len()];
        let is_ext = c.base_name() == "extension" || c.base_name() == "modifierExtension";
        for it in items {
            let Some(v) = it.v else { continue };
            match self.matching_slice(p, c, v) {
                Some((k, si)) => {
                    counts[k] += 1;
                    self.item(p, si as usize, it, depth);
                }
                None => {
                    if sl.closed {
                        self.push(
                            Severity::Error,
                            &it.loc,
                            p,
                            c,
                            format!(
                                "This '{}' does not match any of the slices {} allows ({}) and the slicing is closed",
                                c.name,
                                p.name,
                                c.slices.iter().filter_map(|s| p.nodes[*s as usize].slice.clone()).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    } else if is_ext {
                        self.extension_unsliced(it, p, c, depth);
                    }
                }
            }
        }
        for (k, &si) in c.slices.iter().enumerate() {
            let s = &p.nodes[si as usize];
            let sname = s.slice.as_deref().unwrap_or("?");
            if counts[k] < s.min {
                self.push(
                    Severity::Error,
                    loc,
                    p,
                    s,
                    format!(
                        "Missing '{}' slice '{sname}': {} requires at least {} (found {}){}",
                        c.name,
                        p.name,
                        s.min,
                        counts[k],
                        describe(s)
                    ),
                );
            }
            if let Some(max) = s.max {
                if counts[k] > max {
                    let msg = if max == 0 {
                        format!(
                            "'{}' slice '{sname}' must not be present: {} does not allow it",
                            c.name, p.name
                        )
                    } else {
                        format!(
                            "Too many '{}' in slice '{sname}': {} allows at most {max}, found {}",
                            c.name, p.name, counts[k]
                        )
                    };
                    self.push(Severity::Error, loc, p, s, msg);
                }
            }
        }
    }

    /// The first slice of slicing root `c` that `v` matches: its position and node index.
    fn matching_slice(&self, p: &Profile, c: &Node, v: &Value) -> Option<(usize, u32)> {
        let sl = c.slicing.as_ref()?;
        c.slices
            .iter()
            .enumerate()
            .find(|(_, &si)| self.slice_matches(p, si as usize, v, &sl.discriminators))
            .map(|(k, &si)| (k, si))
    }

    fn slice_matches(&self, p: &Profile, si: usize, v: &Value, discs: &[(String, String)]) -> bool {
        if discs.is_empty() {
            return false;
        }
        for (kind, path) in discs {
            let ok = match kind.as_str() {
                "value" | "pattern" => match self.slice_value(p, si, path) {
                    Some(expected) => {
                        let expected = expected.as_ref();
                        let got = json_path(v, path);
                        got.iter().any(|g| {
                            if kind == "value" {
                                *g == expected || matches_pattern(g, expected)
                            } else {
                                matches_pattern(g, expected)
                            }
                        })
                    }
                    None => false,
                },
                "type" => {
                    let s = &p.nodes[si];
                    let got = json_path(v, path);
                    let want: Vec<&str> = s.types.iter().map(|t| t.code.as_str()).collect();
                    got.iter().any(|g| {
                        g.get("resourceType")
                            .and_then(Value::as_str)
                            .is_some_and(|rt| want.contains(&rt))
                    })
                }
                "exists" => {
                    let got = json_path(v, path);
                    let want = self
                        .slice_node_at(p, si, path)
                        .map(|n| p.nodes[n].min > 0)
                        .unwrap_or(true);
                    got.is_empty() != want
                }
                "profile" => {
                    let s = &p.nodes[si];
                    let declared: Vec<&str> = v
                        .get("meta")
                        .and_then(|m| m.get("profile"))
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).map(canonical).collect())
                        .unwrap_or_default();
                    s.types
                        .iter()
                        .flat_map(|t| t.profiles.iter())
                        .any(|pr| declared.contains(&pr.as_str()))
                }
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn slice_node_at(&self, p: &Profile, si: usize, path: &str) -> Option<usize> {
        let mut cur = si;
        if path == "$this" {
            return Some(cur);
        }
        for seg in path.split('.') {
            let node = &p.nodes[cur];
            cur = node.children.iter().map(|c| *c as usize).find(|c| {
                p.nodes[*c].base_name() == without_choice_suffix(seg) || p.nodes[*c].name == seg
            })?;
        }
        Some(cur)
    }

    /// The value a slice requires at a discriminator path.
    fn slice_value<'p>(&self, p: &'p Profile, si: usize, path: &str) -> Option<Cow<'p, Value>> {
        if let Some(n) = self.slice_node_at(p, si, path) {
            let node = &p.nodes[n];
            if let Some(v) = node.fixed.as_ref().or(node.pattern.as_ref()) {
                return Some(Cow::Borrowed(v));
            }
            // DSTU2 profiles fix the parts of a complex discriminator (`code` of a Composition
            // section: its coding's system and code), not the element itself
            if self.set.is_dstu2() {
                if let Some(v) = descendant_pattern(p, n) {
                    return Some(Cow::Owned(v));
                }
            }
        }
        // extension slices: the url is the type profile's URL
        if path == "url" {
            let s = &p.nodes[si];
            if let Some(u) = s.types.iter().flat_map(|t| t.profiles.iter()).next() {
                return Some(Cow::Owned(Value::String(u.clone())));
            }
        }
        // a pattern/fixed on an ancestor part of the path (e.g. pattern on `coding`, path `coding.system`)
        let segs: Vec<&str> = if path == "$this" {
            vec![]
        } else {
            path.split('.').collect()
        };
        for cut in (0..segs.len()).rev() {
            let prefix = segs[..cut].join(".");
            let n = if prefix.is_empty() {
                Some(si)
            } else {
                self.slice_node_at(p, si, &prefix)
            };
            if let Some(n) = n {
                if let Some(v) = p.nodes[n].fixed.as_ref().or(p.nodes[n].pattern.as_ref()) {
                    let rest = segs[cut..].join(".");
                    if let Some(x) = json_path(v, &rest).first() {
                        return Some(Cow::Borrowed(*x));
                    }
                }
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn binding(
        &mut self,
        p: &Profile,
        c: &Node,
        strength: Strength,
        vs_url: &'v str,
        ty: &str,
        v: &Value,
        loc: &Loc<'_>,
    ) {
        let Some(vs) = self.valueset(vs_url) else {
            return;
        };
        if vs.is_unknown() {
            return;
        }
        let codes: Vec<(Option<String>, String)> = match ty {
            "code" | "string" | "uri" => v
                .as_str()
                .map(|s| vec![(None, s.to_string())])
                .unwrap_or_default(),
            "Coding" | "Quantity" => coding_of(v).into_iter().collect(),
            "CodeableConcept" => v
                .get("coding")
                .and_then(Value::as_array)
                .map(|cs| cs.iter().filter_map(coding_of).collect())
                .unwrap_or_default(),
            _ => return,
        };
        let vs_name = if vs.name.is_empty() {
            vs_url.rsplit('/').next().unwrap_or(vs_url).to_string()
        } else {
            vs.name.clone()
        };
        let sev = match strength {
            Strength::Required => Severity::Error,
            _ => Severity::Warning,
        };
        if codes.is_empty() {
            if strength == Strength::Required && ty != "Quantity" {
                self.push(
                    Severity::Warning,
                    loc,
                    p,
                    c,
                    format!("No code given, but a code from value set {vs_name} ({vs_url}) is required here"),
                );
            }
            return;
        }
        // GP Connect's DSTU2 profiles fix `coding.system` to the url of the value set they bind (the
        // 0.x convention, even where the set's codes have another system, as marital-status and
        // cda-person-relationship-type-1 have): that system names the set, so the code is looked up
        // in all of it
        let dstu2 = self.set.is_dstu2();
        let results: Vec<Option<bool>> = codes
            .iter()
            .map(|(s, code)| match s.as_deref() {
                Some(s) if dstu2 && canonical(s) == canonical(vs_url) => vs.contains(None, code),
                s => vs.contains(s, code),
            })
            .collect();
        if results.contains(&Some(true)) || results.iter().all(Option::is_none) {
            return;
        }
        let shown: Vec<String> = codes
            .iter()
            .map(|(s, code)| match s {
                Some(s) => format!("'{code}' (system {s})"),
                None => format!("'{code}'"),
            })
            .collect();
        let strength_s = match strength {
            Strength::Required => "required",
            Strength::Extensible => "extensible",
            Strength::Preferred => "preferred",
            Strength::Example => "example",
        };
        // a code the set has, under another system: the coding's system is what is wrong
        let elsewhere: Vec<String> = codes
            .iter()
            .filter_map(|(s, code)| {
                let s = s.as_deref()?;
                let others = vs.systems_with(code);
                (!others.is_empty() && !others.contains(&s)).then(|| {
                    format!(
                        "'{code}' is in it under system {}, not {s}",
                        others.join(" or ")
                    )
                })
            })
            .collect();
        let tail = if elsewhere.is_empty() {
            format!("allowed codes: {}", vs.sample())
        } else {
            format!("{} (the coding's system is wrong)", elsewhere.join("; "))
        };
        self.push(
            sev,
            loc,
            p,
            c,
            format!(
                "Code {} is not in value set {vs_name} ({vs_url}, {strength_s} binding); {tail}",
                shown.join(", "),
            ),
        );
    }

    fn reference(&mut self, p: &'v Profile, c: &'v Node, v: &Value, loc: &Loc<'_>) {
        let Some(r) = v.get("reference").and_then(Value::as_str) else {
            return;
        };
        let targets: Vec<&'v String> = c
            .types
            .iter()
            .filter(|t| t.code == "Reference")
            .flat_map(|t| t.targets.iter())
            .collect();
        let target_type = if let Some(id) = r.strip_prefix('#') {
            match self.contained.last().and_then(|m| m.get(id)) {
                Some(t) => Some(t.clone()),
                None => {
                    self.push_at(
                        Severity::Error,
                        loc.with(".reference"),
                        p,
                        c,
                        format!(
                            "Reference '{r}' points at a contained resource that does not exist"
                        ),
                    );
                    return;
                }
            }
        } else if let Some(t) = self.full_urls.get(r) {
            Some(t.clone())
        } else {
            let segs: Vec<&str> = r.split('/').collect();
            let n = segs.len();
            let hist = segs.iter().position(|s| *s == "_history");
            let type_idx = match hist {
                Some(h) if h >= 2 => Some(h - 2),
                _ if n >= 2 => Some(n - 2),
                _ => None,
            };
            type_idx
                .map(|i| segs[i].to_string())
                .filter(|t| self.v.wire_for(self.set).is_resource(t))
        };
        let Some(tt) = target_type else { return };
        if targets.is_empty() {
            return;
        }
        let mut allowed: Vec<String> = Vec::new();
        for t in &targets {
            let ty = if let Some(name) = t.strip_prefix(BASE_URL) {
                name.to_string()
            } else if let Some(pr) = self.profile_v(t) {
                pr.ty.clone()
            } else {
                return; // unknown target profile: cannot judge
            };
            if ty == "Resource" || ty == tt {
                return;
            }
            allowed.push(ty);
        }
        let mut message = format!(
            "Reference '{r}' points at a {tt}, but {} only allows {}",
            p.name,
            allowed.join(" or ")
        );
        let severity = match known_target_defect(&p.url, &c.id, &tt) {
            Some(reason) => {
                message.push_str(&format!(" (reported as a warning: {reason})"));
                Severity::Warning
            }
            None => Severity::Error,
        };
        self.push_at(severity, loc.with(".reference"), p, c, message);
    }

    /// A FHIRPath invariant on `obj`: an issue when it does not hold, a "not checked" entry when
    /// it cannot be evaluated.
    fn invariant(
        &mut self,
        p: &Profile,
        node: &Node,
        k: &'v Constraint,
        expr: &'v str,
        focus: fhirpath::Focus<'_>,
        loc: &Loc<'_>,
    ) {
        let compiled = self
            .expr_cache
            .entry(key(expr))
            .or_insert_with(|| fhirpath::compile(expr))
            .clone();
        let verdict = match (&compiled, self.resources.last()) {
            (Ok(e), Some(res)) => fhirpath::check(e, focus, res, Some(&self.full_urls)),
            (Ok(_), None) => return,
            (Err(u), _) => Verdict::NotEvaluable(u.0.clone()),
        };
        match verdict {
            Verdict::Holds => {}
            Verdict::Fails => {
                let severity = if k.severity == "error" {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                self.push(
                    severity,
                    loc,
                    p,
                    node,
                    format!("Invariant {} does not hold: {} ({})", k.key, k.human, expr),
                );
            }
            Verdict::NotEvaluable(why) => {
                self.unchecked.insert(format!("{} ({why})", k.key));
            }
        }
    }

    /// The narrative's XHTML rules (txt-1, txt-2) on an element that declares them.
    fn narrative(&mut self, p: &Profile, c: &Node, div: &str, loc: &Loc<'_>) {
        if !c
            .constraints
            .iter()
            .any(|k| k.key == "txt-1" || k.key == "txt-2")
        {
            return;
        }
        for f in super::narrative::check(div) {
            let Some(k) = c.constraints.iter().find(|k| k.key == f.key) else {
                continue;
            };
            let severity = if k.severity == "error" {
                Severity::Error
            } else {
                Severity::Warning
            };
            self.push(
                severity,
                loc,
                p,
                c,
                format!(
                    "Invariant {} does not hold: {} ({})",
                    k.key, k.human, f.detail
                ),
            );
        }
    }

    /// Invariants: native ones (ext-1, dom-*), the rest through the FHIRPath evaluator.
    fn constraints(
        &mut self,
        p: &Profile,
        node: &'v Node,
        constraints: &'v [Constraint],
        obj: &Map<String, Value>,
        loc: &Loc<'_>,
    ) {
        for k in constraints {
            if valueless_operation_parameter(node, &k.key, obj) {
                continue;
            }
            if !NATIVE_INVARIANTS.contains(&k.key.as_str()) {
                if let Some(expr) = &k.expression {
                    self.invariant(p, node, k, expr, fhirpath::Focus::Object(obj), loc);
                } else if self.set.is_dstu2() {
                    // DSTU2 states its invariants in XPath only
                    self.unchecked
                        .insert(format!("{} (DSTU2: XPath only, no FHIRPath)", k.key));
                }
                continue;
            }
            match k.key.as_str() {
                "ext-1" => {
                    let has_ext = obj.contains_key("extension");
                    let has_val = obj.keys().any(|x| x.starts_with("value"));
                    if has_ext == has_val {
                        self.push(Severity::Error, loc, p, node, format!("ext-1: {} (an extension has either a value[x] or nested extensions, not both and not neither)", k.human));
                    }
                }
                "dom-2" | "dom-1" | "dom-4" => {
                    for (i, c) in obj
                        .get("contained")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let bad = match k.key.as_str() {
                            "dom-2" => c.get("contained").is_some(),
                            "dom-1" => c.get("text").is_some(),
                            _ => c.get("meta").is_some_and(|m| {
                                m.get("versionId").is_some() || m.get("lastUpdated").is_some()
                            }),
                        };
                        if bad {
                            self.push_at(
                                Severity::Error,
                                loc.with(&format!(".contained[{i}]")),
                                p,
                                node,
                                format!("{}: {}", k.key, k.human),
                            );
                        }
                    }
                }
                "dom-3" if obj.contains_key("contained") => {
                    let text = Value::Object(obj.clone()).to_string();
                    for (i, c) in obj
                        .get("contained")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        if let Some(id) = c.get("id").and_then(Value::as_str) {
                            if !text.contains(&format!("\"#{id}\"")) {
                                self.push_at(
                                    Severity::Error,
                                    loc.with(&format!(".contained[{i}]")),
                                    p,
                                    node,
                                    format!("dom-3: {} (nothing references '#{id}')", k.human),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A pattern built from the fixed values below node `n` (repeating elements as one-item arrays), for
/// a DSTU2 slice discriminated by a complex element; displays are left out (a coding is identified by
/// its system and code). `None` when nothing below is fixed.
fn descendant_pattern(p: &Profile, n: usize) -> Option<Value> {
    let mut out = Map::new();
    for &ci in &p.nodes[n].children {
        let c = &p.nodes[ci as usize];
        if c.name == "display" {
            continue;
        }
        let v = c
            .fixed
            .clone()
            .or_else(|| c.pattern.clone())
            .or_else(|| descendant_pattern(p, ci as usize));
        if let Some(v) = v {
            let v = if c.max == Some(1) || c.max == Some(0) {
                v
            } else {
                Value::Array(vec![v])
            };
            out.insert(c.name.clone(), v);
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// The profile an element of type `Resource` requires of its resource, if any.
fn resource_profile(c: &Node) -> Option<&str> {
    c.types
        .iter()
        .find(|t| t.code == "Resource")
        .and_then(|t| t.profiles.first())
        .map(String::as_str)
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None => vec![],
        Some(Value::Array(a)) => a.iter().collect(),
        Some(x) => vec![x],
    }
}

fn coding_of(v: &Value) -> Option<(Option<String>, String)> {
    let code = v.get("code").and_then(Value::as_str)?;
    Some((
        v.get("system").and_then(Value::as_str).map(str::to_string),
        code.to_string(),
    ))
}

fn describe(n: &Node) -> String {
    match &n.short {
        Some(s) if !s.is_empty() => format!(" - {s}"),
        _ => String::new(),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}...", s.chars().take(77).collect::<String>())
    } else {
        s
    }
}

/// `seg` without its `[x]` suffixes (as `trim_end_matches("[x]")`, without a substring searcher).
fn without_choice_suffix(mut seg: &str) -> &str {
    while let Some(rest) = seg.strip_suffix("[x]") {
        seg = rest;
    }
    seg
}

/// Values at a simple dotted path (`coding.system`), flattening arrays; `$this` = the value.
fn json_path<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut cur: Vec<&Value> = vec![v];
    if path == "$this" || path.is_empty() {
        return cur;
    }
    for seg in path.split('.') {
        let seg = without_choice_suffix(seg);
        let mut next = Vec::new();
        for c in cur {
            let Some(o) = c.as_object() else { continue };
            let found: Vec<&Value> = match field(o, seg) {
                Some(x) => vec![x],
                None => o
                    .iter()
                    .filter(|(k, _)| {
                        k.starts_with(seg)
                            && k[seg.len()..].starts_with(|ch: char| ch.is_ascii_uppercase())
                    })
                    .map(|(_, x)| x)
                    .collect(),
            };
            for x in found {
                match x {
                    Value::Array(a) => next.extend(a.iter()),
                    other => next.push(other),
                }
            }
        }
        cur = next;
    }
    cur
}

/// FHIR pattern semantics: every property of the pattern is present with the same value;
/// arrays: every pattern item matches some instance item.
pub fn matches_pattern(v: &Value, pat: &Value) -> bool {
    match (v, pat) {
        (Value::Object(o), Value::Object(po)) => po
            .iter()
            .all(|(k, pv)| field(o, k).is_some_and(|x| matches_pattern(x, pv))),
        (Value::Array(a), Value::Array(pa)) => {
            pa.iter().all(|pv| a.iter().any(|x| matches_pattern(x, pv)))
        }
        (Value::Array(a), pv) => a.iter().any(|x| matches_pattern(x, pv)),
        (x, y) => x == y,
    }
}

/// A top-level parameter the structured record operations send with neither value, resource nor
/// part (`{"name": "includeImmunisations"}`): allowed by the operations although FHIR's inv-1 asks
/// for one of them; any other parameter, and every part, is still held to inv-1.
fn valueless_operation_parameter(node: &Node, key: &str, obj: &Map<String, Value>) -> bool {
    key == "inv-1"
        && node.id == "Parameters.parameter"
        && !obj
            .keys()
            .any(|k| k == "part" || k == "resource" || is_value_name(k))
        && obj
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(crate::gpconnect::structured::valueless_parameter)
}

/// `valueQuantity`, `valueString`: a value element named by its type.
fn is_value_name(k: &str) -> bool {
    k.strip_prefix("value")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Whether element `node` of `owner` is the `extension` element of an extension (where urls are
/// relative) rather than of a resource or datatype.
fn inside_extension(owner: &Profile, node: &Node) -> bool {
    if owner.ty == "Extension" {
        return true;
    }
    let parent = node.id.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
    let last = parent.rsplit('.').next().unwrap_or("");
    let last = last.split(':').next().unwrap_or("");
    matches!(last, "extension" | "modifierExtension")
}

/// Whether a url is absolute (`https://...`, `urn:...`), as extension urls are; a sub-extension's
/// url is a bare name relative to its parent.
fn is_absolute(url: &str) -> bool {
    url.contains("://") || url.starts_with("urn:")
}

/// Hosts whose definitions the validator loads: an url there that it does not know is a mistake
/// (`http://` for `https://`, a misspelt name), not someone else's extension.
const KNOWN_SPACES: &[&str] = &["fhir.nhs.uk", "fhir.hl7.org.uk", "hl7.org"];

pub(crate) fn in_known_space(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.to_ascii_lowercase();
    KNOWN_SPACES
        .iter()
        .any(|s| host == *s || host.strip_prefix("www.") == Some(s))
}

/// The hint for a url with whitespace around it (a uri has none, so it cannot be the url of a
/// definition as it stands), saying whether it is a known url without it; empty when it has none.
fn padded(url: &str, known: impl Fn(&str) -> bool) -> String {
    let t = url.trim();
    if t == url || t.is_empty() {
        String::new()
    } else if known(t) {
        format!(" (it has whitespace around it: without it, it is the known url {t})")
    } else {
        " (it has whitespace around it, which no url has)".to_string()
    }
}

/// The candidate closest to `word` (edit distance, case ignored), when it is close enough to be
/// a likely intent.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let (best, dist) = candidates
        .map(|c| (c, strsim::levenshtein(&w, &c.to_ascii_lowercase())))
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)))?;
    let limit = (word.chars().count() / 4).clamp(2, 12);
    (dist <= limit && best != word).then_some(best)
}

/// Profiles the specification names whose StructureDefinitions were never published (in
/// nhsconnect/gpconnect-fhir or the STU3 asset repositories): a resource declaring one is
/// checked against its base definition, with a warning, not an error. (url, where it is named)
const UNPUBLISHED_PROFILES: &[(&str, &str)] = &[(
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-HealthcareService-1",
    "Foundations 1.2.8, Read and Find a healthcare service: \
     https://developer.nhs.uk/apis/gpconnect-1-2-8/foundations_use_case_read_a_healthcareservice.html",
)];

/// Extensions the specification names whose StructureDefinitions were never published: not an
/// unknown url, but checked against what the specification says. (url, value element, codes,
/// where it is named)
const UNPUBLISHED_EXTENSIONS: &[(&str, &str, &[&str], &str)] = &[(
    crate::gpconnect::appointments::EXT_SERVICE_FILTERING_STATUS,
    "valueCode",
    crate::gpconnect::appointments::SERVICE_FILTERING_STATUSES,
    "Appointments 1.2.8, Search for free slots: \
     https://developer.nhs.uk/apis/gpconnect-1-2-8/appointments_use_case_search_for_free_slots.html",
)];

fn unpublished_extension(
    url: &str,
) -> Option<&'static (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
)> {
    UNPUBLISHED_EXTENSIONS.iter().find(|(u, ..)| *u == url)
}

/// Reference targets a published profile forbids although the specification requires them: the
/// profile is out of date, so a provider following the specification gets a warning, not an error.
/// (profile URL, element id prefix, allowed target types, reason)
const KNOWN_TARGET_DEFECTS: &[(&str, &str, &[&str], &str)] = &[(
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-ProblemHeader-Condition-1",
    "Condition.extension:relatedClinicalContent",
    &["MedicationRequest", "MedicationStatement", "ReferralRequest", "DiagnosticReport", "Condition"],
    "Access Record Structured 1.3+ links problems to medications, referrals and investigations, which the \
     profile's target list omits",
)];

/// Value types a published extension definition gets wrong: the specification's type is accepted
/// as well as the definition's. (extension url, element id, the specification's value element,
/// its type, reason)
const KNOWN_VALUE_TYPE_DEFECTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1",
        "Extension.extension:numberOfRepeatPrescriptionsAllowed.valuePositiveInt:valuePositiveInt",
        "valueUnsignedInt",
        "unsignedInt",
        "Access Record Structured 1.2.6 and 1.3.2 made the repeat counts unsignedInt; the definition still says positiveInt",
    ),
    (
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1",
        "Extension.extension:numberOfRepeatPrescriptionsIssued.valuePositiveInt:valuePositiveInt",
        "valueUnsignedInt",
        "unsignedInt",
        "Access Record Structured 1.2.6 and 1.3.2 made the repeat counts unsignedInt (0 when none was issued); the definition still says positiveInt",
    ),
];

/// Whether child `c` of a definition must be visited when the object has no element of its
/// name: an absent child is silent unless it has a minimum, a slice with a minimum, a choice of
/// names (`value[x]`), or a known defect that admits another name.
fn visit_when_absent(p: &Profile, c: &Node) -> bool {
    c.is_choice()
        || c.min > 0
        || c.slices
            .iter()
            .any(|&s| p.nodes.get(s as usize).is_none_or(|s| s.min > 0))
        || known_value_type_defect(&p.url, &c.id).is_some()
}

/// The value element (and its type) the specification allows in place of element `element` of
/// extension definition `profile`, when the definition is known to be out of date there.
fn known_value_type_defect(profile: &str, element: &str) -> Option<(&'static str, &'static str)> {
    KNOWN_VALUE_TYPE_DEFECTS
        .iter()
        .find(|(p, e, ..)| *p == profile && *e == element)
        .map(|(_, _, name, ty, _)| (*name, *ty))
}

/// Fixed values the specification contradicts: (profile, element id, the value the specification
/// gives, why). That value is a warning, not an error; any other value stays an error.
const KNOWN_FIXED_DEFECTS: &[(&str, &str, &str, &str)] = &[(
    "http://fhir.nhs.net/StructureDefinition/gpconnect-carerecord-composition-1",
    "Composition.section:Allergies and Sensitivities.code.coding.display",
    "Allergies and Adverse Reactions",
    "GP Connect 0.7.x titles the section 'Allergies and Adverse Reactions' and NHS Digital's provider suite expects that display; the profile fixes the value set's text",
)];

fn known_fixed_defect(profile: &str, element: &str, found: &Value) -> Option<&'static str> {
    KNOWN_FIXED_DEFECTS
        .iter()
        .find(|(p, e, given, _)| *p == profile && *e == element && found.as_str() == Some(given))
        .map(|(.., reason)| *reason)
}

/// Minimum cardinalities the specification contradicts: (profile, element id, why). A missing
/// element there is a warning.
const KNOWN_MINIMUM_DEFECTS: &[(&str, &str, &str)] = &[(
    "http://hl7.org/fhir/StructureDefinition/Conformance",
    "Conformance.rest.resource",
    "GP Connect 0.x's Conformance (FHIR API guidance, Conformance) declares the gpc.getcarerecord operation and no resource; DSTU2 asks for one",
)];

fn known_minimum_defect(profile: &str, element: &str) -> Option<&'static str> {
    KNOWN_MINIMUM_DEFECTS
        .iter()
        .find(|(p, e, _)| *p == profile && *e == element)
        .map(|(.., reason)| *reason)
}

fn known_target_defect(profile: &str, element: &str, target: &str) -> Option<&'static str> {
    KNOWN_TARGET_DEFECTS
        .iter()
        .find(|(p, e, targets, _)| {
            *p == profile && element.starts_with(e) && targets.contains(&target)
        })
        .map(|(_, _, _, reason)| *reason)
}

#[cfg(test)]
mod known_defect_tests {
    use super::known_target_defect;

    const PROBLEM: &str =
        "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-ProblemHeader-Condition-1";

    #[test]
    fn only_the_listed_value_types_are_excused() {
        use super::known_value_type_defect;
        let ext = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1";
        let el = "Extension.extension:numberOfRepeatPrescriptionsIssued.valuePositiveInt:valuePositiveInt";
        assert_eq!(
            known_value_type_defect(ext, el),
            Some(("valueUnsignedInt", "unsignedInt"))
        );
        assert_eq!(
            known_value_type_defect(ext, "Extension.extension:x.valueString"),
            None
        );
        assert_eq!(known_value_type_defect("https://x/Other", el), None);
    }

    #[test]
    fn only_the_listed_targets_of_the_listed_element_are_excused() {
        let el = "Condition.extension:relatedClinicalContent.value[x]";
        assert!(known_target_defect(PROBLEM, el, "MedicationRequest").is_some());
        assert!(known_target_defect(PROBLEM, el, "Patient").is_none());
        assert!(known_target_defect(PROBLEM, "Condition.subject", "MedicationRequest").is_none());
        assert!(known_target_defect("https://x/Other", el, "MedicationRequest").is_none());
    }
}
