//! Evaluation of a parsed expression over the FHIR JSON form of a resource.

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::parse::{Expr, Op};
use super::Unsupported;
use crate::fhir::{field, field_ext};

/// The UCUM code system (`%ucum`).
const UCUM: &str = "http://unitsofmeasure.org";

/// One item of a collection.
#[derive(Debug, Clone)]
pub enum Item<'a> {
    /// A node of the instance; `ty` is the type a choice element's name gives (`valueBoolean`).
    Node(&'a Value, Option<&'a str>),
    /// The element an invariant is evaluated on (an object of the instance).
    Obj(&'a Map<String, Value>),
    /// A primitive element that carries only extensions (`_birthDate`): it exists, has no value.
    NoValue,
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Dec(f64),
    /// A resource `resolve()` found by its type only (a reference to a resource not at hand).
    Resolved(Cow<'a, str>),
}

type Coll<'a> = Vec<Item<'a>>;

/// What the expression is evaluated against.
pub struct Env<'a> {
    /// `%resource`: the resource that holds the element.
    pub resource: &'a Value,
    /// Bundle fullUrl -> resource type, for `resolve()`.
    pub full_urls: Option<&'a FxHashMap<String, String>>,
}

/// Element names that are followed by a type name in a choice element (`value` + `Quantity`).
const CHOICE_TYPES: &[&str] = &[
    "Base64Binary",
    "Boolean",
    "Code",
    "Date",
    "DateTime",
    "Decimal",
    "Id",
    "Instant",
    "Integer",
    "Markdown",
    "Oid",
    "PositiveInt",
    "String",
    "Time",
    "UnsignedInt",
    "Uri",
    "Address",
    "Age",
    "Annotation",
    "Attachment",
    "CodeableConcept",
    "Coding",
    "ContactPoint",
    "Count",
    "Distance",
    "Duration",
    "HumanName",
    "Identifier",
    "Money",
    "Period",
    "Quantity",
    "Range",
    "Ratio",
    "Reference",
    "SampledData",
    "Signature",
    "Timing",
    "Meta",
    "Dosage",
    "ContactDetail",
    "Contributor",
    "DataRequirement",
    "ParameterDefinition",
    "RelatedArtifact",
    "TriggerDefinition",
    "UsageContext",
    "Narrative",
    "Element",
    "Extension",
    "BackboneElement",
    "ElementDefinition",
];

impl<'a> Item<'a> {
    /// The item as an object of the instance, if it is one.
    fn object(&self) -> Option<&'a Map<String, Value>> {
        match *self {
            Item::Node(Value::Object(o), _) => Some(o),
            Item::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// The item as a primitive, for comparisons (`None` for complex nodes and value-less items).
    fn prim(&self) -> Option<Prim<'_>> {
        Some(match self {
            Item::Node(Value::String(s), _) => Prim::Str(s),
            Item::Node(Value::Bool(b), _) => Prim::Bool(*b),
            Item::Node(Value::Number(n), _) => match n.as_i64() {
                Some(i) => Prim::Int(i),
                None => Prim::Dec(n.as_f64()?),
            },
            Item::Str(s) => Prim::Str(s),
            Item::Bool(b) => Prim::Bool(*b),
            Item::Int(i) => Prim::Int(*i),
            Item::Dec(d) => Prim::Dec(*d),
            _ => return None,
        })
    }

    fn type_name(&self) -> Cow<'a, str> {
        match self {
            Item::Node(v, ty) => {
                if let Some(t) = ty {
                    return Cow::Borrowed(t);
                }
                match v {
                    Value::Object(o) => match o.get("resourceType").and_then(Value::as_str) {
                        Some(rt) => Cow::Borrowed(rt),
                        None => Cow::Borrowed("Element"),
                    },
                    Value::String(_) => Cow::Borrowed("string"),
                    Value::Bool(_) => Cow::Borrowed("boolean"),
                    Value::Number(n) if n.is_i64() || n.is_u64() => Cow::Borrowed("integer"),
                    Value::Number(_) => Cow::Borrowed("decimal"),
                    _ => Cow::Borrowed("Element"),
                }
            }
            Item::Obj(o) => match o.get("resourceType").and_then(Value::as_str) {
                Some(rt) => Cow::Borrowed(rt),
                None => Cow::Borrowed("Element"),
            },
            Item::NoValue => Cow::Borrowed("Element"),
            Item::Str(_) => Cow::Borrowed("string"),
            Item::Bool(_) => Cow::Borrowed("boolean"),
            Item::Int(_) => Cow::Borrowed("integer"),
            Item::Dec(_) => Cow::Borrowed("decimal"),
            Item::Resolved(t) => t.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Prim<'p> {
    Str(&'p str),
    Bool(bool),
    Int(i64),
    Dec(f64),
}

fn is_type(item: &Item<'_>, ty: &str) -> bool {
    let have = item.type_name();
    if have.eq_ignore_ascii_case(ty) {
        return true;
    }
    // the primitive specialisations of string and integer
    match ty.to_ascii_lowercase().as_str() {
        "string" => matches!(
            have.as_ref(),
            "code" | "id" | "markdown" | "uri" | "oid" | "uuid"
        ),
        "integer" => matches!(have.as_ref(), "positiveInt" | "unsignedInt"),
        "resource" | "domainresource" => {
            matches!(item, Item::Resolved(_))
                || item
                    .object()
                    .is_some_and(|o| o.contains_key("resourceType"))
        }
        _ => false,
    }
}

/// Children of a node called `name`, flattening arrays; a choice element (`value`) matches its
/// typed names (`valueQuantity`).
fn member<'a>(o: &'a Map<String, Value>, name: &str, out: &mut Coll<'a>) {
    let push =
        |x: &'a Value, ext: Option<&'a Value>, ty: Option<&'a str>, out: &mut Coll<'a>| match (
            x, ext,
        ) {
            (Value::Array(a), e) => {
                let ea = e.and_then(Value::as_array);
                for (i, y) in a.iter().enumerate() {
                    if y.is_null() {
                        if ea.and_then(|ea| ea.get(i)).is_some_and(|e| !e.is_null()) {
                            out.push(Item::NoValue);
                        }
                    } else {
                        out.push(Item::Node(y, ty));
                    }
                }
            }
            (Value::Null, Some(_)) => out.push(Item::NoValue),
            (Value::Null, None) => {}
            (y, _) => out.push(Item::Node(y, ty)),
        };
    if let Some(x) = field(o, name) {
        push(x, field_ext(o, name), None, out);
        return;
    }
    if let Some(e) = field_ext(o, name) {
        match e {
            Value::Array(a) => out.extend(a.iter().filter(|x| !x.is_null()).map(|_| Item::NoValue)),
            _ => out.push(Item::NoValue),
        }
        return;
    }
    for (k, x) in o {
        let Some(rest) = k.strip_prefix(name) else {
            continue;
        };
        if let Some(t) = CHOICE_TYPES.iter().find(|t| **t == rest) {
            // the type name as FHIR spells it: `boolean` for primitives, `Quantity` for the rest
            let ty: &'a str = if PRIMITIVES.contains(t) {
                primitive_name(t)
            } else {
                t
            };
            push(x, field_ext(o, k), Some(ty), out);
        }
    }
}

const PRIMITIVES: &[&str] = &[
    "Base64Binary",
    "Boolean",
    "Code",
    "Date",
    "DateTime",
    "Decimal",
    "Id",
    "Instant",
    "Integer",
    "Markdown",
    "Oid",
    "PositiveInt",
    "String",
    "Time",
    "UnsignedInt",
    "Uri",
];

fn primitive_name(t: &str) -> &'static str {
    match t {
        "Base64Binary" => "base64Binary",
        "Boolean" => "boolean",
        "Code" => "code",
        "Date" => "date",
        "DateTime" => "dateTime",
        "Decimal" => "decimal",
        "Id" => "id",
        "Instant" => "instant",
        "Integer" => "integer",
        "Markdown" => "markdown",
        "Oid" => "oid",
        "PositiveInt" => "positiveInt",
        "String" => "string",
        "Time" => "time",
        "UnsignedInt" => "unsignedInt",
        _ => "uri",
    }
}

/// Every node below `v` (not `v` itself), depth first.
fn descendants<'a>(o: &'a Map<String, Value>, out: &mut Coll<'a>) {
    let mut stack: Vec<&'a Map<String, Value>> = vec![o];
    while let Some(o) = stack.pop() {
        for (k, c) in o {
            if k == "resourceType" || k.starts_with('_') {
                continue;
            }
            match c {
                Value::Array(a) => {
                    for y in a.iter().filter(|y| !y.is_null()) {
                        out.push(Item::Node(y, None));
                        if let Value::Object(yo) = y {
                            stack.push(yo);
                        }
                    }
                }
                Value::Null => {}
                y => {
                    out.push(Item::Node(y, None));
                    if let Value::Object(yo) = y {
                        stack.push(yo);
                    }
                }
            }
        }
    }
}

fn children<'a>(o: &'a Map<String, Value>, out: &mut Coll<'a>) {
    {
        for (k, c) in o {
            if k == "resourceType" || k.starts_with('_') {
                continue;
            }
            match c {
                Value::Array(a) => out.extend(
                    a.iter()
                        .filter(|y| !y.is_null())
                        .map(|y| Item::Node(y, None)),
                ),
                Value::Null => {}
                y => out.push(Item::Node(y, None)),
            }
        }
    }
}

/// Boolean value of a collection: `Some(b)` for one boolean (or one other item: `true`), `None`
/// for an empty collection.
fn truth(c: &Coll<'_>) -> Result<Option<bool>, Unsupported> {
    match c.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(match one.prim() {
            Some(Prim::Bool(b)) => b,
            _ => true,
        })),
        _ => Err(Unsupported(
            "a collection of several items used as a boolean".into(),
        )),
    }
}

fn boolean<'a>(b: Option<bool>) -> Coll<'a> {
    match b {
        Some(b) => vec![Item::Bool(b)],
        None => vec![],
    }
}

/// A date, dateTime, instant or time split into comparable parts, or `None` when it is none of
/// them.
fn temporal(s: &str) -> Option<(Vec<i64>, Option<i64>)> {
    let b = s.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 4 && b[4] != b'-' {
        return None;
    }
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts: Vec<i64> = Vec::new();
    for p in date.split('-') {
        parts.push(p.parse().ok()?);
    }
    if parts.len() > 3 {
        return None;
    }
    let mut offset = None;
    if let Some(t) = time {
        let (clock, tz) = match t.find(['Z', '+', '-']) {
            Some(i) => (&t[..i], Some(&t[i..])),
            None => (t, None),
        };
        for (n, p) in clock.split(':').enumerate() {
            if n == 2 {
                let secs: f64 = p.parse().ok()?;
                parts.push((secs * 1000.0).round() as i64);
            } else {
                parts.push(p.parse().ok()?);
            }
        }
        offset = match tz {
            None => None,
            Some("Z") => Some(0),
            Some(z) => {
                let sign = if z.starts_with('-') { -1 } else { 1 };
                let (h, m) = z[1..].split_once(':')?;
                Some(sign * (h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?))
            }
        };
    }
    Some((parts, offset))
}

/// Minutes since 0000-01-01 (approximate calendar, exact for ordering within a month table).
fn to_minutes(parts: &[i64], offset: i64) -> Option<(i64, i64)> {
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(parts[0]).ok()?,
        u32::try_from(*parts.get(1)?).ok()?,
        u32::try_from(*parts.get(2)?).ok()?,
    )?;
    let days = i64::from(chrono::Datelike::num_days_from_ce(&date));
    let mins = days * 1440 + parts.get(3)? * 60 + parts.get(4).copied().unwrap_or(0) - offset;
    Some((mins, parts.get(5).copied().unwrap_or(0)))
}

/// Order of two date/time values; `None` when they cannot be ordered. Values of different
/// precision that agree as far as both go are taken as equal (lenient: the specification would
/// give an empty result, which cannot fail an invariant either).
fn compare_temporal(a: &str, b: &str) -> Option<Ordering> {
    let (pa, oa) = temporal(a)?;
    let (pb, ob) = temporal(b)?;
    if pa.len() > 3 && pb.len() > 3 {
        if let (Some(oa), Some(ob)) = (oa, ob) {
            if let (Some(x), Some(y)) = (to_minutes(&pa, oa), to_minutes(&pb, ob)) {
                return Some(x.cmp(&y));
            }
        }
    }
    let n = pa
        .len()
        .min(pb.len())
        .min(if oa != ob { 3 } else { usize::MAX });
    Some(pa[..n].cmp(&pb[..n]))
}

fn compare(a: &Item<'_>, b: &Item<'_>) -> Option<Ordering> {
    match (a.prim()?, b.prim()?) {
        (Prim::Int(x), Prim::Int(y)) => Some(x.cmp(&y)),
        (Prim::Int(x), Prim::Dec(y)) => (x as f64).partial_cmp(&y),
        (Prim::Dec(x), Prim::Int(y)) => x.partial_cmp(&(y as f64)),
        (Prim::Dec(x), Prim::Dec(y)) => x.partial_cmp(&y),
        (Prim::Str(x), Prim::Str(y)) => compare_temporal(x, y).or_else(|| Some(x.cmp(y))),
        (Prim::Int(x), Prim::Str(y)) => y
            .parse::<f64>()
            .ok()?
            .partial_cmp(&(x as f64))
            .map(Ordering::reverse),
        (Prim::Str(x), Prim::Int(y)) => x.parse::<f64>().ok()?.partial_cmp(&(y as f64)),
        _ => None,
    }
}

/// Order of two Quantities (objects with a numeric `value`) of the same unit; quantities in
/// different units would need unit conversion, which this evaluator does not do.
fn compare_quantities(a: &Item<'_>, b: &Item<'_>) -> Result<Option<Ordering>, Unsupported> {
    let (Some(x), Some(y)) = (a.object(), b.object()) else {
        return Ok(None);
    };
    let (Some(vx), Some(vy)) = (
        x.get("value").and_then(Value::as_f64),
        y.get("value").and_then(Value::as_f64),
    ) else {
        return Ok(None);
    };
    let unit = |o: &Map<String, Value>| o.get("code").or_else(|| o.get("unit")).cloned();
    if unit(x) != unit(y) {
        return Err(Unsupported(
            "comparison of quantities in different units".into(),
        ));
    }
    Ok(vx.partial_cmp(&vy))
}

fn item_eq(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a.prim(), b.prim()) {
        (Some(Prim::Str(x)), Some(Prim::Str(y))) => {
            x == y || compare_temporal(x, y) == Some(Ordering::Equal) && x.len() == y.len()
        }
        (Some(Prim::Bool(x)), Some(Prim::Bool(y))) => x == y,
        (Some(Prim::Bool(x)), Some(Prim::Str(y))) | (Some(Prim::Str(y)), Some(Prim::Bool(x))) => {
            (if x { "true" } else { "false" }) == y
        }
        (Some(_), Some(_)) => compare(a, b) == Some(Ordering::Equal),
        (None, None) => match (a.object(), b.object()) {
            (Some(x), Some(y)) => x == y,
            _ => matches!((a, b), (Item::Resolved(x), Item::Resolved(y)) if x == y),
        },
        _ => false,
    }
}

fn to_string(item: &Item<'_>) -> Option<String> {
    Some(match item.prim()? {
        Prim::Str(s) => s.to_string(),
        Prim::Bool(b) => b.to_string(),
        Prim::Int(i) => i.to_string(),
        Prim::Dec(_) => match item {
            Item::Node(Value::Number(n), _) => n.to_string(),
            Item::Dec(d) => d.to_string(),
            _ => return None,
        },
    })
}

fn single_string<'c>(c: &'c Coll<'_>, what: &str) -> Result<Option<Cow<'c, str>>, Unsupported> {
    match c.as_slice() {
        [] => Ok(None),
        [one] => Ok(match one.prim() {
            Some(Prim::Str(s)) => Some(Cow::Borrowed(s)),
            _ => to_string(one).map(Cow::Owned),
        }),
        _ => Err(Unsupported(format!(
            "{what} of a collection of several items"
        ))),
    }
}

fn distinct(c: &Coll<'_>) -> bool {
    // Strings none of which is a date or time are equal only when identical: a sort finds a
    // repeat in n log n (a Bundle's fullUrls, bdl-7) where the pairwise test below is quadratic.
    let plain: Option<Vec<&str>> = c
        .iter()
        .map(|i| match i.prim() {
            Some(Prim::Str(s)) if temporal(s).is_none() => Some(s),
            _ => None,
        })
        .collect();
    if let Some(mut strs) = plain {
        strs.sort_unstable();
        return strs.windows(2).all(|w| w[0] != w[1]);
    }
    for (i, a) in c.iter().enumerate() {
        if c[..i].iter().any(|b| item_eq(a, b)) {
            return false;
        }
    }
    true
}

fn union<'a>(mut a: Coll<'a>, b: Coll<'a>) -> Coll<'a> {
    for x in b {
        if !a.iter().any(|y| item_eq(&x, y)) {
            a.push(x);
        }
    }
    let mut out: Coll<'a> = Vec::with_capacity(a.len());
    for x in a {
        if !out.iter().any(|y| item_eq(&x, y)) {
            out.push(x);
        }
    }
    out
}

impl<'a> Env<'a> {
    /// Evaluates `e` with `focus` as its input collection.
    pub fn eval(&self, e: &Expr, focus: &Coll<'a>) -> Result<Coll<'a>, Unsupported> {
        Ok(match e {
            Expr::Str(s) => vec![Item::Str(Cow::Owned(s.clone()))],
            Expr::Int(i) => vec![Item::Int(*i)],
            Expr::Dec(d) => vec![Item::Dec(*d)],
            Expr::Bool(b) => vec![Item::Bool(*b)],
            Expr::Empty => vec![],
            Expr::This => focus.clone(),
            Expr::Var(v) => match v.as_str() {
                "resource" | "rootResource" | "context" => vec![Item::Node(self.resource, None)],
                "ucum" => vec![Item::Str(Cow::Borrowed(UCUM))],
                "sct" => vec![Item::Str(Cow::Borrowed("http://snomed.info/sct"))],
                "loinc" => vec![Item::Str(Cow::Borrowed("http://loinc.org"))],
                other => return Err(Unsupported(format!("variable %{other}"))),
            },
            Expr::Member(target, name) => {
                let input = match target {
                    Some(t) => self.eval(t, focus)?,
                    None => {
                        // `Patient.name`: a type name at the start selects the focus of that type
                        if name.starts_with(|c: char| c.is_ascii_uppercase())
                            && focus.iter().all(|i| is_type(i, name))
                            && !focus.is_empty()
                        {
                            return Ok(focus.clone());
                        }
                        focus.clone()
                    }
                };
                let mut out = Vec::new();
                for i in &input {
                    if let Some(o) = i.object() {
                        member(o, name, &mut out);
                    }
                }
                out
            }
            Expr::Index(target, idx) => {
                let c = self.eval(target, focus)?;
                let i = self.eval(idx, focus)?;
                match i.first().and_then(Item::prim) {
                    Some(Prim::Int(n)) if n >= 0 => {
                        c.into_iter().nth(n as usize).into_iter().collect()
                    }
                    _ => vec![],
                }
            }
            Expr::Neg(x) => {
                let c = self.eval(x, focus)?;
                match c.first().and_then(Item::prim) {
                    Some(Prim::Int(i)) => vec![Item::Int(-i)],
                    Some(Prim::Dec(d)) => vec![Item::Dec(-d)],
                    _ => vec![],
                }
            }
            Expr::Is(x, ty) => {
                let c = self.eval(x, focus)?;
                match c.as_slice() {
                    [] => vec![],
                    [one] => vec![Item::Bool(is_type(one, ty))],
                    _ => return Err(Unsupported("'is' on several items".into())),
                }
            }
            Expr::As(x, ty) => {
                let c = self.eval(x, focus)?;
                c.into_iter().filter(|i| is_type(i, ty)).collect()
            }
            Expr::Bin(op, l, r) => self.binary(*op, l, r, focus)?,
            Expr::Call(target, name, args) => {
                let input = match target {
                    Some(t) => self.eval(t, focus)?,
                    None => focus.clone(),
                };
                self.call(name, args, input)?
            }
        })
    }

    fn binary(
        &self,
        op: Op,
        l: &Expr,
        r: &Expr,
        focus: &Coll<'a>,
    ) -> Result<Coll<'a>, Unsupported> {
        let a = self.eval(l, focus)?;
        // short cuts of the three-valued logic
        match op {
            Op::And if truth(&a)? == Some(false) => return Ok(boolean(Some(false))),
            Op::Or if truth(&a)? == Some(true) => return Ok(boolean(Some(true))),
            Op::Implies if truth(&a)? == Some(false) => return Ok(boolean(Some(true))),
            _ => {}
        }
        let b = self.eval(r, focus)?;
        Ok(match op {
            Op::And => boolean(match (truth(&a)?, truth(&b)?) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }),
            Op::Or => boolean(match (truth(&a)?, truth(&b)?) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }),
            Op::Xor => boolean(match (truth(&a)?, truth(&b)?) {
                (Some(x), Some(y)) => Some(x != y),
                _ => None,
            }),
            Op::Implies => boolean(match (truth(&a)?, truth(&b)?) {
                (Some(false), _) | (_, Some(true)) => Some(true),
                (Some(true), Some(false)) => Some(false),
                _ => None,
            }),
            Op::In | Op::Contains => {
                let (needle, hay) = if op == Op::In { (&a, &b) } else { (&b, &a) };
                match needle.as_slice() {
                    [] => vec![],
                    [one] => vec![Item::Bool(hay.iter().any(|h| item_eq(one, h)))],
                    _ => return Err(Unsupported("'in' with several items".into())),
                }
            }
            Op::Eq | Op::Ne | Op::Equiv | Op::NotEquiv => {
                if a.is_empty() || b.is_empty() {
                    if a.is_empty() && b.is_empty() && matches!(op, Op::Eq | Op::Ne) {
                        return Ok(vec![]);
                    }
                    let same = a.is_empty() && b.is_empty();
                    return Ok(vec![Item::Bool(same == matches!(op, Op::Eq | Op::Equiv))]);
                }
                let same = a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| item_eq(x, y));
                vec![Item::Bool(same == matches!(op, Op::Eq | Op::Equiv))]
            }
            Op::Lt | Op::Gt | Op::Le | Op::Ge => match (a.as_slice(), b.as_slice()) {
                ([x], [y]) => match compare(x, y).or(compare_quantities(x, y)?) {
                    Some(o) => vec![Item::Bool(match op {
                        Op::Lt => o == Ordering::Less,
                        Op::Gt => o == Ordering::Greater,
                        Op::Le => o != Ordering::Greater,
                        _ => o != Ordering::Less,
                    })],
                    None => vec![],
                },
                ([], _) | (_, []) => vec![],
                _ => return Err(Unsupported("comparison of several items".into())),
            },
            Op::Union => union(a, b),
            Op::Concat => {
                let x = single_string(&a, "&")?.unwrap_or_default();
                let y = single_string(&b, "&")?.unwrap_or_default();
                vec![Item::Str(Cow::Owned(format!("{x}{y}")))]
            }
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::IntDiv | Op::Mod => {
                match (a.as_slice(), b.as_slice()) {
                    ([x], [y]) => arith(op, x, y).into_iter().collect(),
                    _ => vec![],
                }
            }
        })
    }

    fn arg(&self, args: &[Expr], n: usize, input: &Coll<'a>) -> Result<Coll<'a>, Unsupported> {
        match args.get(n) {
            Some(e) => self.eval(e, input),
            None => Err(Unsupported("a function argument is missing".into())),
        }
    }

    /// Evaluates `e` once per item of `input`, each as `$this`.
    fn each<'c>(
        &'c self,
        e: &'c Expr,
        input: &'c Coll<'a>,
    ) -> impl Iterator<Item = Result<(Item<'a>, Coll<'a>), Unsupported>> + 'c {
        input.iter().map(move |i| {
            let one = vec![i.clone()];
            self.eval(e, &one).map(|r| (i.clone(), r))
        })
    }

    fn call(&self, name: &str, args: &[Expr], input: Coll<'a>) -> Result<Coll<'a>, Unsupported> {
        let n = args.len();
        Ok(match (name, n) {
            ("empty", 0) => vec![Item::Bool(input.is_empty())],
            ("exists", 0) => vec![Item::Bool(!input.is_empty())],
            ("exists", 1) => {
                let mut any = false;
                for r in self.each(&args[0], &input) {
                    if truth(&r?.1)? == Some(true) {
                        any = true;
                        break;
                    }
                }
                vec![Item::Bool(any)]
            }
            ("not", 0) => boolean(truth(&input)?.map(|b| !b)),
            ("count", 0) => vec![Item::Int(input.len() as i64)],
            ("first", 0) => input.into_iter().take(1).collect(),
            ("last", 0) => input.into_iter().last().into_iter().collect(),
            ("tail", 0) => input.into_iter().skip(1).collect(),
            ("trace", _) => input,
            ("hasValue", 0) => vec![Item::Bool(input.len() == 1 && input[0].prim().is_some())],
            ("isDistinct", 0) => vec![Item::Bool(distinct(&input))],
            ("distinct", 0) => union(input, vec![]),
            ("where", 1) => {
                let mut out = Vec::new();
                for r in self.each(&args[0], &input) {
                    let (i, c) = r?;
                    if truth(&c)? == Some(true) {
                        out.push(i);
                    }
                }
                out
            }
            ("select", 1) => {
                let mut out = Vec::new();
                for r in self.each(&args[0], &input) {
                    out.extend(r?.1);
                }
                out
            }
            ("all", 1) => {
                let mut all = true;
                for r in self.each(&args[0], &input) {
                    if truth(&r?.1)? != Some(true) {
                        all = false;
                        break;
                    }
                }
                vec![Item::Bool(all)]
            }
            ("children", 0) => {
                let mut out = Vec::new();
                for i in &input {
                    if let Some(o) = i.object() {
                        children(o, &mut out);
                    }
                }
                out
            }
            ("descendants", 0) => {
                let mut out = Vec::new();
                for i in &input {
                    if let Some(o) = i.object() {
                        descendants(o, &mut out);
                    }
                }
                out
            }
            ("is", 1) | ("as", 1) | ("ofType", 1) => {
                let ty = match &args[0] {
                    Expr::Member(None, t) => t.as_str(),
                    _ => return Err(Unsupported(format!("{name}() with a computed type"))),
                };
                match name {
                    "is" => match input.as_slice() {
                        [] => vec![],
                        [one] => vec![Item::Bool(is_type(one, ty))],
                        _ => return Err(Unsupported("is() on several items".into())),
                    },
                    _ => input.into_iter().filter(|i| is_type(i, ty)).collect(),
                }
            }
            ("extension", 1) => {
                let url = self.arg(args, 0, &input)?;
                let url = single_string(&url, "extension()")?.map(|s| s.into_owned());
                let mut exts = Vec::new();
                for i in &input {
                    if let Some(o) = i.object() {
                        member(o, "extension", &mut exts);
                    }
                }
                exts.into_iter()
                    .filter(|e| {
                        e.object()
                            .and_then(|o| o.get("url"))
                            .and_then(Value::as_str)
                            .is_some_and(|u| Some(u) == url.as_deref())
                    })
                    .collect()
            }
            ("resolve", 0) => input.iter().filter_map(|i| self.resolve(i)).collect(),
            ("toInteger", 0) => match input.as_slice() {
                [one] => match one.prim() {
                    Some(Prim::Int(i)) => vec![Item::Int(i)],
                    Some(Prim::Str(s)) => s.parse().map(Item::Int).into_iter().collect(),
                    Some(Prim::Bool(b)) => vec![Item::Int(i64::from(b))],
                    _ => vec![],
                },
                _ => vec![],
            },
            ("toString", 0) => match input.as_slice() {
                [one] => to_string(one)
                    .map(|s| Item::Str(Cow::Owned(s)))
                    .into_iter()
                    .collect(),
                _ => vec![],
            },
            ("startsWith" | "endsWith" | "contains" | "matches", 1) => {
                let Some(s) = single_string(&input, name)? else {
                    return Ok(vec![Item::Bool(false)]);
                };
                let a = self.arg(args, 0, &vec![])?;
                let Some(p) = single_string(&a, name)? else {
                    return Ok(vec![]);
                };
                let b = match name {
                    "startsWith" => s.starts_with(p.as_ref()),
                    "endsWith" => s.ends_with(p.as_ref()),
                    "contains" => s.contains(p.as_ref()),
                    _ => regex_match(&p, &s)?,
                };
                vec![Item::Bool(b)]
            }
            ("substring", 1 | 2) => {
                let Some(s) = single_string(&input, name)? else {
                    return Ok(vec![]);
                };
                let start = int_arg(&self.arg(args, 0, &vec![])?);
                let len = if n == 2 {
                    int_arg(&self.arg(args, 1, &vec![])?)
                } else {
                    None
                };
                let chars: Vec<char> = s.chars().collect();
                match start {
                    Some(st) if st >= 0 && (st as usize) < chars.len() => {
                        let st = st as usize;
                        let end = match len {
                            Some(l) => (st + l.max(0) as usize).min(chars.len()),
                            None => chars.len(),
                        };
                        vec![Item::Str(Cow::Owned(chars[st..end].iter().collect()))]
                    }
                    _ => vec![],
                }
            }
            ("length", 0) => match single_string(&input, name)? {
                Some(s) => vec![Item::Int(s.chars().count() as i64)],
                None => vec![],
            },
            ("iif", 2 | 3) => {
                let c = self.arg(args, 0, &input)?;
                if truth(&c)? == Some(true) {
                    self.arg(args, 1, &input)?
                } else if n == 3 {
                    self.arg(args, 2, &input)?
                } else {
                    vec![]
                }
            }
            _ => {
                return Err(Unsupported(format!(
                    "function {name}() with {n} argument(s)"
                )))
            }
        })
    }

    /// `resolve()` of a Reference: a contained resource (`#id`), else the type the reference or
    /// the Bundle's fullUrl names.
    fn resolve(&self, item: &Item<'a>) -> Option<Item<'a>> {
        let r = match item {
            Item::Node(Value::String(s), _) => s.as_str(),
            other => other.object()?.get("reference")?.as_str()?,
        };
        if let Some(id) = r.strip_prefix('#') {
            return self
                .resource
                .get("contained")?
                .as_array()?
                .iter()
                .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
                .map(|c| Item::Node(c, None));
        }
        if let Some(t) = self.full_urls.and_then(|m| m.get(r)) {
            return Some(Item::Resolved(Cow::Owned(t.clone())));
        }
        let segs: Vec<&str> = r.split('/').collect();
        let at = match segs.iter().position(|s| *s == "_history") {
            Some(h) if h >= 2 => h - 2,
            _ if segs.len() >= 2 => segs.len() - 2,
            _ => return None,
        };
        let t = segs[at];
        t.starts_with(|c: char| c.is_ascii_uppercase())
            .then(|| Item::Resolved(Cow::Owned(t.to_string())))
    }
}

fn int_arg(c: &Coll<'_>) -> Option<i64> {
    match c.first()?.prim()? {
        Prim::Int(i) => Some(i),
        _ => None,
    }
}

fn arith<'a>(op: Op, x: &Item<'_>, y: &Item<'_>) -> Option<Item<'a>> {
    let (a, b) = (x.prim()?, y.prim()?);
    if let (Op::Add, Prim::Str(s), Prim::Str(t)) = (op, a, b) {
        return Some(Item::Str(Cow::Owned(format!("{s}{t}"))));
    }
    if let (Prim::Int(i), Prim::Int(j)) = (a, b) {
        return match op {
            Op::Add => i.checked_add(j).map(Item::Int),
            Op::Sub => i.checked_sub(j).map(Item::Int),
            Op::Mul => i.checked_mul(j).map(Item::Int),
            Op::IntDiv => i.checked_div(j).map(Item::Int),
            Op::Mod => i.checked_rem(j).map(Item::Int),
            _ => (j != 0).then(|| Item::Dec(i as f64 / j as f64)),
        };
    }
    let f = |p: Prim<'_>| match p {
        Prim::Int(i) => Some(i as f64),
        Prim::Dec(d) => Some(d),
        _ => None,
    };
    let (a, b) = (f(a)?, f(b)?);
    Some(Item::Dec(match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div if b != 0.0 => a / b,
        Op::IntDiv if b != 0.0 => (a / b).trunc(),
        Op::Mod if b != 0.0 => a % b,
        _ => return None,
    }))
}

fn regex_match(pattern: &str, s: &str) -> Result<bool, Unsupported> {
    // compiled once per pattern and thread: the walk of a Bundle's entries runs on several
    // threads, which would otherwise take turns at one lock for every match
    thread_local! {
        static CACHE: std::cell::RefCell<FxHashMap<String, Option<regex::Regex>>> =
            std::cell::RefCell::default();
    }
    CACHE.with_borrow_mut(|cache| {
        if !cache.contains_key(pattern) {
            cache.insert(pattern.to_string(), regex::Regex::new(pattern).ok());
        }
        match cache.get(pattern) {
            Some(Some(re)) => Ok(re.is_match(s)),
            _ => Err(Unsupported(format!("regular expression {pattern:?}"))),
        }
    })
}
