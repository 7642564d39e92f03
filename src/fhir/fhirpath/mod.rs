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
//! [`Unsupported`]: the validator lists its invariant as not checked, never as passed.

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

/// A parsed expression, shared: parsing happens once per distinct expression text per process.
pub fn compile(src: &str) -> Result<Arc<Expr>, Unsupported> {
    type Cache = Mutex<HashMap<String, Result<Arc<Expr>, Unsupported>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(src.to_string())
        .or_insert_with(|| parse(src).map(Arc::new).map_err(Unsupported))
        .clone()
}

/// Evaluates invariant `expr` on the element `focus` of `resource`; `full_urls` (Bundle fullUrl ->
/// resource type) lets `resolve()` see the Bundle's entries.
pub fn check(
    expr: &Expr,
    focus: &Map<String, Value>,
    resource: &Value,
    full_urls: Option<&HashMap<String, String>>,
) -> Verdict {
    let env = eval::Env {
        resource,
        full_urls,
    };
    match env.eval(expr, &vec![eval::Item::Obj(focus)]) {
        Ok(c) => match c.as_slice() {
            [] | [eval::Item::Bool(false)] | [eval::Item::Node(Value::Bool(false), _)] => {
                Verdict::Fails
            }
            _ => Verdict::Holds,
        },
        Err(u) => Verdict::NotEvaluable(u.0),
    }
}

/// Evaluates `src` on `focus` (an object) inside `resource`: the verdict, parse errors included.
pub fn check_str(src: &str, focus: &Value, resource: &Value) -> Verdict {
    let Some(obj) = focus.as_object() else {
        return Verdict::NotEvaluable("the focus is not an object".into());
    };
    match compile(src) {
        Ok(e) => check(&e, obj, resource, None),
        Err(u) => Verdict::NotEvaluable(u.0),
    }
}

#[cfg(test)]
mod tests;
