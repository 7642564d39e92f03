//! FHIR XML <-> the FHIR JSON form.
//!
//! [`from_xml`] turns a FHIR XML document into exactly the JSON a FHIR JSON server would
//! have sent (arrays for repeating elements, numbers and booleans typed, `_name` objects for
//! primitive ids/extensions, XHTML `div` as a string), so both wire formats go through the
//! same validation. [`to_xml`] goes the other way, in definition order.
//!
//! Both use the wire model generated from the STU3 definitions (see [`super::wire_model`]);
//! when it is not available a small built-in list of repeating elements is used.

use std::borrow::Cow;
use std::sync::OnceLock;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::{Map, Value};

use super::wire_model::{capitalise, JsonKind, WireElem, WireModel};
use super::WireError;

/// FHIR XML namespace.
pub const FHIR_NS: &str = "http://hl7.org/fhir";
/// XHTML namespace (narrative `div`).
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

static EMBEDDED_WIRE: &[u8] = include_bytes!("../../schemas/wire.json.gz");

/// The embedded wire model, if `schemas/wire.json.gz` holds one.
pub fn wire_model() -> Option<&'static WireModel> {
    static MODEL: OnceLock<Option<WireModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| super::store::decode_gz_json(EMBEDDED_WIRE).ok())
        .as_ref()
}

/// Converts a FHIR XML document to the FHIR JSON form.
pub fn from_xml(xml: &str) -> Result<Value, WireError> {
    from_xml_with(wire_model(), xml)
}

/// [`from_xml`] with an explicit wire model (the generator uses the one it just built).
pub fn from_xml_with(model: Option<&WireModel>, xml: &str) -> Result<Value, WireError> {
    let root = parse_tree(xml)?;
    if root.ns.as_deref() != Some(FHIR_NS) {
        return Err(WireError::WrongNamespace(format!(
            "root element <{}> is in namespace {}, expected {FHIR_NS}",
            root.name,
            root.ns
                .as_deref()
                .map(|n| format!("'{n}'"))
                .unwrap_or_else(|| "(none)".into())
        )));
    }
    if let Some(m) = model {
        if !m.is_resource(&root.name) {
            return Err(WireError::WrongRoot(format!(
                "root element <{}> is not a FHIR resource type",
                root.name
            )));
        }
    } else if !root.name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err(WireError::WrongRoot(format!(
            "root element <{}> is not a FHIR resource type",
            root.name
        )));
    }
    Ok(Conv { model }.resource(root))
}

// ---------------------------------------------------------------------------------------------
// A minimal DOM

#[derive(Debug, Default)]
struct Node {
    name: String,
    /// Namespace URI (the FHIR and XHTML namespaces without allocating).
    ns: Option<Cow<'static, str>>,
    /// (local name, value); the common names (`value`, `url`, `id`) without allocating.
    attrs: Vec<(Cow<'static, str>, String)>,
    children: Vec<Node>,
    /// Raw XHTML markup, for `div` elements in the XHTML namespace.
    raw: Option<String>,
}

fn xml_err(e: impl std::fmt::Display, pos: u64) -> WireError {
    WireError::Xml(format!("malformed XML at byte {pos}: {e}"))
}

fn parse_tree(xml: &str) -> Result<Node, WireError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if xml.trim().is_empty() {
        return Err(WireError::Empty);
    }
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(true);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let pos = reader.buffer_position();
        let (res, ev) = reader.read_resolved_event().map_err(|e| xml_err(e, pos))?;
        let ns = match res {
            ResolveResult::Bound(ns) => Some(match ns.as_ref() {
                b if b == FHIR_NS.as_bytes() => Cow::Borrowed(FHIR_NS),
                b if b == XHTML_NS.as_bytes() => Cow::Borrowed(XHTML_NS),
                b => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
            }),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(WireError::Xml(format!(
                    "malformed XML at byte {pos}: unknown namespace prefix '{}'",
                    String::from_utf8_lossy(&p)
                )))
            }
        };
        match ev {
            Event::Start(e) => {
                let mut node = start_node(&e, ns, pos)?;
                if node.name == "div" && node.ns.as_deref() == Some(XHTML_NS) {
                    let name = e.name().as_ref().to_vec();
                    let span = reader
                        .read_to_end(quick_xml::name::QName(&name))
                        .map_err(|err| xml_err(err, pos))?;
                    let inner = xml
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or_default();
                    let tag = String::from_utf8_lossy(&name).into_owned();
                    node.raw = Some(div_markup(&e, &tag, inner));
                    push_child(&mut stack, &mut root, node)?;
                } else {
                    stack.push(node);
                }
            }
            Event::Empty(e) => {
                let mut node = start_node(&e, ns, pos)?;
                if node.name == "div" && node.ns.as_deref() == Some(XHTML_NS) {
                    let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    node.raw = Some(div_markup(&e, &tag, ""));
                }
                push_child(&mut stack, &mut root, node)?;
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| xml_err("unexpected end tag", pos))?;
                push_child(&mut stack, &mut root, node)?;
            }
            Event::Text(t) => {
                if stack.is_empty() && !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(xml_err("text outside the root element", pos));
                }
            }
            Event::CData(_) | Event::GeneralRef(_) => {}
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(WireError::Xml(format!(
            "malformed XML: document ends inside <{}>",
            stack.last().map(|n| n.name.as_str()).unwrap_or("?")
        )));
    }
    root.ok_or(WireError::Empty)
}

fn push_child(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), WireError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => {
            if root.is_some() {
                return Err(WireError::Xml(
                    "malformed XML: more than one root element".into(),
                ));
            }
            *root = Some(node);
        }
    }
    Ok(())
}

fn start_node(
    e: &BytesStart<'_>,
    ns: Option<Cow<'static, str>>,
    pos: u64,
) -> Result<Node, WireError> {
    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| xml_err(err, pos))?;
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let k = match a.key.local_name().as_ref() {
            b"value" => Cow::Borrowed("value"),
            b"url" => Cow::Borrowed("url"),
            b"id" => Cow::Borrowed("id"),
            other => Cow::Owned(String::from_utf8_lossy(other).into_owned()),
        };
        let v = a.unescape_value().map_err(|err| xml_err(err, pos))?;
        attrs.push((k, v.into_owned()));
    }
    Ok(Node {
        name: local,
        ns,
        attrs,
        ..Default::default()
    })
}

fn div_markup(e: &BytesStart<'_>, tag: &str, inner: &str) -> String {
    let raw = String::from_utf8_lossy(e.as_ref()).into_owned();
    let has_ns = e.attributes().flatten().any(|a| {
        let k = a.key.as_ref();
        k == b"xmlns" || k.starts_with(b"xmlns:")
    });
    let open = if has_ns || tag.contains(':') {
        raw
    } else {
        format!("{tag} xmlns=\"{XHTML_NS}\"{}", &raw[tag.len()..])
    };
    if inner.is_empty() {
        format!("<{open}/>")
    } else {
        format!("<{open}>{inner}</{tag}>")
    }
}

// ---------------------------------------------------------------------------------------------
// DOM -> JSON

struct Conv<'m> {
    model: Option<&'m WireModel>,
}

/// Elements that repeat in (almost) every context; used without a wire model.
const FALLBACK_REPEATING: &[&str] = &[
    "extension",
    "modifierExtension",
    "identifier",
    "name",
    "telecom",
    "address",
    "given",
    "prefix",
    "suffix",
    "line",
    "coding",
    "entry",
    "link",
    "contained",
    "issue",
    "profile",
    "security",
    "tag",
    "contact",
    "participant",
    "parameter",
    "part",
];

enum Slot {
    Prim(Option<Value>, Option<Map<String, Value>>),
    Complex(Value),
}

impl Conv<'_> {
    fn resource(&self, node: Node) -> Value {
        let mut obj = Map::new();
        let Node {
            name,
            attrs,
            children,
            ..
        } = node;
        obj.insert("resourceType".into(), Value::String(name.clone()));
        self.fill(attrs, children, Some(&name), &mut obj);
        Value::Object(obj)
    }

    /// Converts the children (and attributes) of a node, in context `ctx`, into `obj`.
    fn fill(
        &self,
        attrs: Vec<(Cow<'static, str>, String)>,
        children: Vec<Node>,
        ctx: Option<&str>,
        obj: &mut Map<String, Value>,
    ) {
        for (k, v) in attrs {
            obj.insert(k.into_owned(), Value::String(v));
        }
        self.fill_children(children, ctx, obj);
    }

    /// Converts one child: its name, whether it repeats, and its value.
    fn child(&self, child: Node, elems: Option<&[WireElem]>) -> (String, bool, Slot) {
        let info = elems.and_then(|e| WireModel::child_in(e, &child.name));
        let repeats = match info {
            Some(i) => i.elem.repeats,
            None => FALLBACK_REPEATING.contains(&child.name.as_str()),
        };
        let ty = info.map(|i| i.ty);
        let mut child = child;
        let name = std::mem::take(&mut child.name);
        let slot = self.convert(child, ty);
        (name, repeats, slot)
    }

    fn fill_children(&self, children: Vec<Node>, ctx: Option<&str>, obj: &mut Map<String, Value>) {
        // (name, repeats, first item, further items): most elements occur once
        let mut slots: Vec<(String, bool, Slot, Vec<Slot>)> = Vec::with_capacity(children.len());
        let elems = match (self.model, ctx) {
            (Some(m), Some(c)) => m.contexts.get(c).map(Vec::as_slice),
            _ => None,
        };
        for child in children {
            let (name, repeats, slot) = self.child(child, elems);
            match slots.iter_mut().find(|(n, ..)| *n == name) {
                Some((_, _, _, more)) => more.push(slot),
                None => slots.push((name, repeats, slot, Vec::new())),
            }
        }
        for (name, repeats, first, more) in slots {
            if !repeats && more.is_empty() {
                match first {
                    Slot::Complex(v) => {
                        obj.insert(name, v);
                    }
                    Slot::Prim(v, x) => {
                        let v = v.filter(|v| !v.is_null());
                        let x = x.map(Value::Object);
                        match (v, x) {
                            (Some(v), Some(x)) => {
                                let ext_key = format!("_{name}");
                                obj.insert(name, v);
                                obj.insert(ext_key, x);
                            }
                            (Some(v), None) => {
                                obj.insert(name, v);
                            }
                            (None, Some(x)) => {
                                obj.insert(format!("_{name}"), x);
                            }
                            (None, None) => {}
                        }
                    }
                }
                continue;
            }
            let mut items = Vec::with_capacity(1 + more.len());
            items.push(first);
            items.extend(more);
            let is_prim = items.iter().any(|s| matches!(s, Slot::Prim(..)));
            if !is_prim {
                let vals: Vec<Value> = items
                    .into_iter()
                    .map(|s| match s {
                        Slot::Complex(v) => v,
                        Slot::Prim(..) => Value::Null,
                    })
                    .collect();
                obj.insert(name, collapse(vals, repeats));
                continue;
            }
            let mut values = Vec::with_capacity(items.len());
            let mut extras = Vec::with_capacity(items.len());
            for s in items {
                match s {
                    Slot::Prim(v, x) => {
                        values.push(v.unwrap_or(Value::Null));
                        extras.push(x.map(Value::Object).unwrap_or(Value::Null));
                    }
                    Slot::Complex(v) => {
                        values.push(v);
                        extras.push(Value::Null);
                    }
                }
            }
            if values.iter().any(|v| !v.is_null()) {
                obj.insert(name.clone(), collapse(values, repeats));
            }
            if extras.iter().any(|v| !v.is_null()) {
                obj.insert(format!("_{name}"), collapse(extras, repeats));
            }
        }
    }

    fn convert(&self, node: Node, ty: Option<&str>) -> Slot {
        if let Some(raw) = node.raw {
            return Slot::Prim(Some(Value::String(raw)), None);
        }
        // Resource containers: <resource><Patient>..</Patient></resource>
        if ty == Some("Resource") || ty.is_none() && is_container(&node) {
            if let Some(inner) = node.children.into_iter().next() {
                return Slot::Complex(self.resource(inner));
            }
            return Slot::Complex(Value::Object(Map::new()));
        }
        let kind = match (self.model, ty) {
            (Some(m), Some(t)) => m.primitive(t),
            (None, _) | (_, None) => {
                if node.attrs.iter().any(|(k, _)| k == "value") {
                    Some(JsonKind::String)
                } else {
                    None
                }
            }
        };
        match kind {
            Some(kind) => {
                let mut value = None;
                let mut extra = Map::new();
                for (k, v) in node.attrs {
                    if k == "value" {
                        value = Some(typed(kind, v));
                    } else {
                        extra.insert(k.into_owned(), Value::String(v));
                    }
                }
                if !node.children.is_empty() {
                    self.fill_children(node.children, Some("Element"), &mut extra);
                }
                Slot::Prim(value, (!extra.is_empty()).then_some(extra))
            }
            None => {
                let mut obj = Map::new();
                self.fill(node.attrs, node.children, ty, &mut obj);
                Slot::Complex(Value::Object(obj))
            }
        }
    }
}

fn is_container(node: &Node) -> bool {
    node.attrs.is_empty()
        && node.children.len() == 1
        && node.children[0]
            .name
            .starts_with(|c: char| c.is_ascii_uppercase())
}

fn collapse(mut vals: Vec<Value>, repeats: bool) -> Value {
    if repeats || vals.len() != 1 {
        Value::Array(vals)
    } else {
        vals.pop().unwrap_or(Value::Null)
    }
}

fn typed(kind: JsonKind, v: String) -> Value {
    match kind {
        JsonKind::String => Value::String(v),
        JsonKind::Boolean => match v.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v),
        },
        JsonKind::Number => {
            if let Ok(i) = v.parse::<i64>() {
                Value::from(i)
            } else if let Some(n) = v
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && !v.contains(['e', 'E', 'i', 'n']))
                .and_then(serde_json::Number::from_f64)
            {
                Value::Number(n)
            } else {
                Value::String(v)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON -> XML

/// Converts a FHIR JSON resource to FHIR XML text (with an XML declaration).
///
/// Elements are written in definition order when the wire model is available. Anything that
/// is not a JSON object with a `resourceType` produces an (empty) `<Unknown>` root.
pub fn to_xml(resource: &Value) -> String {
    to_xml_with(wire_model(), resource)
}

/// [`to_xml`] with an explicit wire model.
pub fn to_xml_with(model: Option<&WireModel>, resource: &Value) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let w = Writer { model };
    match resource.as_object() {
        Some(obj) => {
            let rt = obj
                .get("resourceType")
                .and_then(Value::as_str)
                .unwrap_or("Unknown");
            w.resource(rt, obj, true, &mut out);
        }
        None => out.push_str(&format!("<Unknown xmlns=\"{FHIR_NS}\"/>")),
    }
    out
}

struct Writer<'m> {
    model: Option<&'m WireModel>,
}

impl Writer<'_> {
    fn resource(&self, rt: &str, obj: &Map<String, Value>, root: bool, out: &mut String) {
        let rt = sanitize_name(rt);
        out.push('<');
        out.push_str(&rt);
        if root {
            out.push_str(&format!(" xmlns=\"{FHIR_NS}\""));
        }
        out.push('>');
        self.children(obj, Some(&rt), true, false, out);
        out.push_str(&format!("</{rt}>"));
    }

    /// Writes the child elements of `obj` (attributes are written by the caller).
    fn children(
        &self,
        obj: &Map<String, Value>,
        ctx: Option<&str>,
        is_resource: bool,
        is_ext: bool,
        out: &mut String,
    ) {
        let mut keys: Vec<(usize, &String, &Value)> = Vec::new();
        for (k, v) in obj {
            if k == "resourceType" || (!is_resource && k == "id") || k == "url" && is_ext {
                continue;
            }
            let name = match k.strip_prefix('_') {
                Some(base) => {
                    if obj.contains_key(base) {
                        continue;
                    }
                    base
                }
                None => k.as_str(),
            };
            let idx = match (self.model, ctx) {
                (Some(m), Some(c)) => m.child(c, name).map(|i| i.index).unwrap_or(usize::MAX),
                _ => usize::MAX,
            };
            keys.push((idx, k, v));
        }
        keys.sort_by_key(|(i, _, _)| *i);
        for (_, k, v) in keys {
            let name = k.strip_prefix('_').unwrap_or(k);
            let extra = if k.starts_with('_') {
                Some(v)
            } else {
                obj.get(&format!("_{k}"))
            };
            let value = if k.starts_with('_') { None } else { Some(v) };
            let ty = match (self.model, ctx) {
                (Some(m), Some(c)) => m.child(c, name).map(|i| i.ty.to_string()),
                _ => None,
            };
            let n = value
                .map(|v| if let Value::Array(a) = v { a.len() } else { 1 })
                .unwrap_or(0)
                .max(
                    extra
                        .map(|v| if let Value::Array(a) = v { a.len() } else { 1 })
                        .unwrap_or(0),
                );
            let arr = |v: Option<&Value>, i: usize| -> Option<Value> {
                match v {
                    Some(Value::Array(a)) => a.get(i).cloned(),
                    Some(x) if i == 0 => Some(x.clone()),
                    _ => None,
                }
            };
            for i in 0..n {
                let val = arr(value, i).filter(|v| !v.is_null());
                let ext = arr(extra, i).filter(|v| !v.is_null());
                self.element(name, val.as_ref(), ext.as_ref(), ty.as_deref(), ctx, out);
            }
        }
    }

    fn element(
        &self,
        name: &str,
        value: Option<&Value>,
        extra: Option<&Value>,
        ty: Option<&str>,
        ctx: Option<&str>,
        out: &mut String,
    ) {
        let name = sanitize_name(name);
        match value {
            Some(Value::String(s)) if name == "div" => {
                if s.trim_start().starts_with("<") {
                    out.push_str(s);
                } else {
                    out.push_str(&format!("<div xmlns=\"{XHTML_NS}\">{}</div>", escape(s)));
                }
            }
            Some(Value::Object(o)) if o.contains_key("resourceType") => {
                let rt = o
                    .get("resourceType")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown");
                out.push_str(&format!("<{name}>"));
                self.resource(rt, o, false, out);
                out.push_str(&format!("</{name}>"));
            }
            Some(Value::Object(o)) => {
                out.push('<');
                out.push_str(&name);
                if let Some(Value::String(id)) = o.get("id") {
                    out.push_str(&format!(" id=\"{}\"", escape(id)));
                }
                let is_ext =
                    name == "extension" || name == "modifierExtension" || ty == Some("Extension");
                if is_ext {
                    if let Some(Value::String(u)) = o.get("url") {
                        out.push_str(&format!(" url=\"{}\"", escape(u)));
                    }
                }
                out.push('>');
                let child_ctx = ty
                    .map(str::to_string)
                    .or_else(|| ctx.map(|c| format!("{c}.{name}")));
                self.children(o, child_ctx.as_deref(), false, is_ext, out);
                out.push_str(&format!("</{name}>"));
            }
            _ => {
                // primitive (possibly with only an extra part)
                out.push('<');
                out.push_str(&name);
                let eo = extra.and_then(Value::as_object);
                if let Some(Value::String(id)) = eo.and_then(|o| o.get("id")) {
                    out.push_str(&format!(" id=\"{}\"", escape(id)));
                }
                match value {
                    Some(Value::String(s)) => out.push_str(&format!(" value=\"{}\"", escape(s))),
                    Some(Value::Number(n)) => out.push_str(&format!(" value=\"{n}\"")),
                    Some(Value::Bool(b)) => out.push_str(&format!(" value=\"{b}\"")),
                    Some(other) => {
                        out.push_str(&format!(" value=\"{}\"", escape(&other.to_string())))
                    }
                    None => {}
                }
                match eo {
                    Some(o) if o.keys().any(|k| k != "id") => {
                        out.push('>');
                        self.children(o, Some("Element"), false, false, out);
                        out.push_str(&format!("</{name}>"));
                    }
                    _ => out.push_str("/>"),
                }
            }
        }
    }
}

fn sanitize_name(n: &str) -> String {
    let s: String = n
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
        .collect();
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        format!("x{s}")
    } else {
        s
    }
}

/// Escapes an attribute value. Hand-written because `quick_xml::escape` leaves newlines and tabs
/// as they are, and XML attribute normalisation would then turn them into spaces.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#xA;"),
            '\r' => o.push_str("&#xD;"),
            '\t' => o.push_str("&#x9;"),
            c => o.push(c),
        }
    }
    o
}

/// Capitalised choice-type suffix, re-exported for other modules.
pub fn choice_name(base: &str, ty: &str) -> String {
    format!("{base}{}", capitalise(ty))
}
