//! A FHIRPath evaluator for the invariants of the FHIR STU3 and GP Connect definitions.
//!
//! It covers the part of FHIRPath (<http://hl7.org/fhirpath/2017Jan/>, as used by FHIR STU3,
//! <http://hl7.org/fhir/STU3/fhirpath.html>) that the invariants of the compiled definitions
//! use: paths (choice elements by their typed names), `$this`, `%resource`, `%ucum`, literals,
//! the operators `and or xor implies in contains = != ~ !~ < > <= >= | & + - * / div mod is as`,
//! and the functions `empty exists not count first last tail trace hasValue isDistinct distinct
//! where select all children descendants is as ofType extension resolve toInteger toString
//! startsWith endsWith contains matches substring length iif`.
//!
//! Semantics kept deliberately simple where the specification leaves room:
//! * as in the FHIR reference validator, an invariant holds when its expression evaluates to
//!   `true` (or to any non-empty collection that is not `false`), and fails when it is `false` or
//!   empty; `startsWith`, `endsWith`, `contains` and `matches` of nothing are `false`, and `=`
//!   between one item and nothing is `false` (`!=`: `true`), as FHIRPath 1.0 compared collections;
//! * dates and times of different precision that agree as far as both go compare as equal;
//! * `resolve()` finds contained resources (`#id`); any other reference resolves to a resource
//!   known by its type only (from the Bundle's fullUrl or the reference's `Type/id`), enough
//!   for `resolve() is Practitioner`.
//!
//! An expression outside the subset (`htmlchecks()`, `conformsTo()`, ...) is reported as
//! [`Unsupported`]: the validator lists its invariant as not checked, never as passed. (The
//! narrative rules txt-1 and txt-2, whose expression is `htmlchecks()`, never get here: the
//! validator checks them natively, in [`crate::fhir::narrative`].)

mod eval;
mod parse;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

pub use parse::{parse, Expr};

/// Part of an expression this evaluator does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The verdict of one invariant on one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Fails,
    /// The expression cannot be evaluated by this evaluator (why).
    NotEvaluable(String),
}

/// The functions the evaluator implements (name, argument counts).
const FUNCTIONS: &[(&str, &[usize])] = &[
    ("empty", &[0]),
    ("exists", &[0, 1]),
    ("not", &[0]),
    ("count", &[0]),
    ("first", &[0]),
    ("last", &[0]),
    ("tail", &[0]),
    ("trace", &[1, 2]),
    ("hasValue", &[0]),
    ("isDistinct", &[0]),
    ("distinct", &[0]),
    ("where", &[1]),
    ("select", &[1]),
    ("all", &[1]),
    ("children", &[0]),
    ("descendants", &[0]),
    ("is", &[1]),
    ("as", &[1]),
    ("ofType", &[1]),
    ("extension", &[1]),
    ("resolve", &[0]),
    ("toInteger", &[0]),
    ("toString", &[0]),
    ("startsWith", &[1]),
    ("endsWith", &[1]),
    ("contains", &[1]),
    ("matches", &[1]),
    ("substring", &[1, 2]),
    ("length", &[0]),
    ("iif", &[2, 3]),
];

/// The variables the evaluator knows.
const VARIABLES: &[&str] = &[
    "resource",
    "rootResource",
    "context",
    "ucum",
    "sct",
    "loinc",
];

/// The first part of `e` outside the supported subset, if any: an expression is judged
/// not evaluable before it runs, whichever branch its data would take.
pub fn unsupported(e: &Expr) -> Option<Unsupported> {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Var(v) if !VARIABLES.contains(&v.as_str()) => {
                return Some(Unsupported(format!("variable %{v}")))
            }
            Expr::Member(t, _) => stack.extend(t.as_deref()),
            Expr::Call(t, name, args) => {
                let known = FUNCTIONS
                    .iter()
                    .any(|(f, n)| f == name && n.contains(&args.len()));
                if !known {
                    return Some(Unsupported(format!("function {name}()")));
                }
                stack.extend(t.as_deref());
                stack.extend(args.iter());
            }
            Expr::Index(a, b) | Expr::Bin(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Expr::Neg(a) | Expr::Is(a, _) | Expr::As(a, _) => stack.push(a),
            _ => {}
        }
    }
    None
}

/// A parsed expression, shared: parsing happens once per distinct expression text per process.
/// An expression outside the subset is refused here, with what it lacks.
pub fn compile(src: &str) -> Result<Arc<Expr>, Unsupported> {
    type Cache = Mutex<HashMap<String, Result<Arc<Expr>, Unsupported>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(src.to_string())
        .or_insert_with(|| {
            let e = parse(src).map_err(|e| Unsupported(format!("cannot parse: {e}")))?;
            match unsupported(&e) {
                Some(u) => Err(u),
                None => Ok(Arc::new(e)),
            }
        })
        .clone()
}

/// The element an invariant is evaluated on.
#[derive(Clone, Copy)]
pub enum Focus<'a> {
    /// A complex element or resource.
    Object(&'a Map<String, Value>),
    /// A primitive element's value.
    Primitive(&'a Value),
}

/// Evaluates invariant `expr` on the element `focus` of `resource`; `full_urls` (Bundle fullUrl ->
/// resource type) lets `resolve()` see the Bundle's entries.
pub fn check(
    expr: &Expr,
    focus: Focus<'_>,
    resource: &Value,
    full_urls: Option<&rustc_hash::FxHashMap<String, String>>,
) -> Verdict {
    let env = eval::Env {
        resource,
        full_urls,
    };
    let item = match focus {
        Focus::Object(o) => eval::Item::Obj(o),
        Focus::Primitive(v) => eval::Item::Node(v, None),
    };
    match env.eval(expr, &vec![item]) {
        Ok(c) => match c.as_slice() {
            [] | [eval::Item::Bool(false)] | [eval::Item::Node(Value::Bool(false), _)] => {
                Verdict::Fails
            }
            _ => Verdict::Holds,
        },
        Err(u) => Verdict::NotEvaluable(u.0),
    }
}

/// Evaluates `src` on `focus` inside `resource`: the verdict, parse errors included.
pub fn check_str(src: &str, focus: &Value, resource: &Value) -> Verdict {
    let focus = match focus.as_object() {
        Some(o) => Focus::Object(o),
        None => Focus::Primitive(focus),
    };
    match compile(src) {
        Ok(e) => check(&e, focus, resource, None),
        Err(u) => Verdict::NotEvaluable(u.0),
    }
}

#[cfg(test)]
mod tests;
