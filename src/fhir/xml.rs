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
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::{Condvar, Mutex, OnceLock};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::{Map, Value};

use super::wire_model::{capitalise, JsonKind, WireElem, WireModel};
use super::{too_deep, WireError, MAX_NESTING};

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
///
/// The document is converted as it is read, one element at a time, with an explicit stack of the
/// open elements: no intermediate tree and no recursion, so the cost is linear in the document and
/// the call stack stays flat however deep the elements nest (they are refused beyond
/// [`MAX_NESTING`]). In a large document, the reading thread hands some of a root Bundle's entries
/// to the other cores as it meets them (see [`Handoff`]); a document that fails after that is read
/// again in document order, so errors name what an in-order reading meets first.
pub fn from_xml_with(model: Option<&WireModel>, xml: &str) -> Result<Value, WireError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if xml.trim().is_empty() {
        return Err(WireError::Empty);
    }
    let conv = Conv { model };
    let helpers = match xml.len() {
        n if n < HAND_OFF_FROM_BYTES => 0,
        _ => super::cores().saturating_sub(1),
    };
    let read = match helpers {
        0 => conv.document(xml, None),
        _ => conv.document_handing_off(xml, helpers, HAND_AHEAD_PER_HELPER * helpers),
    };
    match read {
        // entries may have been handed off: read again in one pass, so what is reported (and
        // where) is what a reading in document order finds first
        Err(_) if helpers > 0 => conv.document(xml, None),
        done => done,
    }
}

/// Smallest document whose root Bundle's entries are converted on several cores: below it,
/// starting a thread would be a noticeable share of the whole conversion (under a millisecond).
const HAND_OFF_FROM_BYTES: usize = 64 * 1024;

/// How many handed entries may wait for each helping thread before the reading thread converts
/// the next one itself.
const HAND_AHEAD_PER_HELPER: usize = 2;

impl<'m> Conv<'m> {
    /// Converts a whole document, the entries of a root Bundle all on the reading thread unless
    /// `handoff` takes some.
    fn document<'x>(
        &self,
        xml: &'x str,
        handoff: Option<&Handoff<'x, '_>>,
    ) -> Result<Value, WireError> {
        let (value, depth) = self.document_and_depth(xml, handoff)?;
        // repeating elements become arrays: the JSON form can nest deeper than the XML did
        if depth > MAX_NESTING {
            return Err(too_deep("the XML document, in its FHIR JSON form,"));
        }
        Ok(value)
    }

    /// [`Conv::document`] with `helpers` threads taking the root Bundle's entries the reading
    /// thread hands them, at most `ahead` waiting at a time.
    fn document_handing_off(
        &self,
        xml: &str,
        helpers: usize,
        ahead: usize,
    ) -> Result<Value, WireError> {
        let handoff = Handoff::new(self, ahead);
        std::thread::scope(|s| {
            // however the reading ends (an error, a panic), the helpers are let go
            let release = Release(&handoff);
            // a helper the system cannot start is done without: the reading thread converts
            // whatever no helper takes
            let threads: Vec<_> = (0..helpers)
                .filter_map(|_| {
                    let helper = std::thread::Builder::new().name("xml-entries".into());
                    helper.spawn_scoped(s, || handoff.help()).ok()
                })
                .collect();
            let read = self.document(xml, Some(&handoff));
            drop(release);
            for t in threads {
                if let Err(panic) = t.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            read
        })
    }

    /// The document's JSON form and how deeply it nests (as [`super::nesting_depth`] counts).
    fn document_and_depth<'x>(
        &self,
        xml: &'x str,
        handoff: Option<&Handoff<'x, '_>>,
    ) -> Result<(Value, usize), WireError> {
        let mut open = Open::new();
        let mut root: Option<(Value, usize)> = None;
        // a wrong root is reported after the whole document was read, as a malformed one is first
        let mut root_error: Option<WireError> = None;
        self.events(xml, &mut open, &mut root, &mut root_error, handoff)?;
        if let Some(open) = open.frames.last() {
            return Err(WireError::Xml(format!(
                "malformed XML: document ends inside <{}>",
                open.name
            )));
        }
        if let Some(e) = root_error {
            return Err(e);
        }
        root.ok_or(WireError::Empty)
    }

    /// One top-level `entry` element of a Bundle, read on its own (the text from its start tag to
    /// its end tag) under a Bundle as the one open element, as the whole document would have read
    /// it. `None` when anything is amiss: the caller then reads the whole document in order.
    fn entry(&self, text: &str) -> Option<Slot> {
        let mut open = Open::new();
        let bundle = self.frame(&open, "Bundle".into(), Role::Resource, false, 0);
        open.frames.push(bundle);
        let (mut root, mut root_error) = (None, None);
        self.events(text, &mut open, &mut root, &mut root_error, None)
            .ok()?;
        let bundle = open
            .frames
            .pop()
            .filter(|_| open.frames.is_empty() && root.is_none())?;
        match open.children.pop() {
            Some(child) if child.name == "entry" && open.children.len() == bundle.children_from => {
                Some(child.slot)
            }
            _ => None,
        }
    }

    /// Reads `xml` to its end with `open` holding the open elements, closing finished elements
    /// into their parents and the root into `root`. `handoff`: where a root Bundle's entries may
    /// be handed to other threads.
    fn events<'x>(
        &self,
        xml: &'x str,
        open: &mut Open<'x, 'm>,
        root: &mut Option<(Value, usize)>,
        root_error: &mut Option<WireError>,
        handoff: Option<&Handoff<'x, '_>>,
    ) -> Result<(), WireError> {
        let conv = self;
        let model = self.model;
        let mut reader = NsReader::from_str(xml);
        reader.config_mut().trim_text(true);
        reader.config_mut().check_end_names = true;
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
            let (e, empty) = match ev {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => {
                    let frame = open
                        .frames
                        .pop()
                        .ok_or_else(|| xml_err("unexpected end tag", pos))?;
                    if let Some(handoff) = handoff.filter(|_| open.frames.is_empty()) {
                        let slots = handoff
                            .collect()
                            .ok_or_else(|| xml_err("an entry could not be read on its own", pos))?;
                        open.fill(&frame, slots);
                    }
                    conv.close(frame, open, root)?;
                    continue;
                }
                Event::Text(t) => {
                    if open.frames.is_empty() && !t.iter().all(u8::is_ascii_whitespace) {
                        return Err(xml_err("text outside the root element", pos));
                    }
                    continue;
                }
                Event::CData(_) | Event::GeneralRef(_) => continue,
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => continue,
            };
            // one more element than JSON levels: an innermost primitive is an element in XML but a
            // plain value in JSON (the JSON form's exact depth, kept as it is built, is checked
            // once the document is read)
            if open.frames.len() > MAX_NESTING {
                return Err(too_deep(&format!(
                    "the XML document (at byte {pos}, inside <{}>)",
                    open.frames.last().map(|f| &*f.name).unwrap_or("?")
                )));
            }
            let attrs_from = open.attrs.len();
            let name = start_element(xml, &e, pos, &mut open.attrs)?;
            let top_level = open.frames.len() == 1;
            let Some(parent) = open.frames.last_mut() else {
                if root.is_some() {
                    return Err(WireError::Xml(
                        "malformed XML: more than one root element".into(),
                    ));
                }
                *root_error = root_problem(model, &name, ns.as_deref());
                let frame = conv.frame(open, name, Role::Resource, false, attrs_from);
                if empty {
                    conv.close(frame, open, root)?;
                } else {
                    open.frames.push(frame);
                }
                continue;
            };
            let (role, repeats) = conv.place(parent, attrs_from > parent.attrs_from, &name);
            parent.children += 1;
            // an entry of a root Bundle in the FHIR namespace: handed to another thread (its text
            // only found here), or converted here when enough are waiting already
            if let Some(handoff) = handoff.filter(|h| top_level && h.wants_more()) {
                if !empty
                    && name == "entry"
                    && root_error.is_none()
                    && parent.role == Role::Resource
                    && parent.name == "Bundle"
                    && matches!(role, Role::Typed(_))
                {
                    reader
                        .read_to_end(e.name())
                        .map_err(|err| xml_err(err, pos))?;
                    let text = xml
                        .get(pos as usize..reader.buffer_position() as usize)
                        .ok_or_else(|| xml_err("entry out of bounds", pos))?;
                    let slot = Slot::Deferred(handoff.hand(text));
                    open.attrs.truncate(attrs_from);
                    open.children.push(Child {
                        name,
                        repeats,
                        slot,
                    });
                    continue;
                }
            }
            // narrative: the XHTML `div` is kept as markup, a string in the JSON form
            if name == "div" && ns.as_deref() == Some(XHTML_NS) {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let raw = if empty {
                    div_markup(&e, &tag, "")
                } else {
                    let span = reader
                        .read_to_end(e.name())
                        .map_err(|err| xml_err(err, pos))?;
                    let inner = xml
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or_default();
                    div_markup(&e, &tag, inner)
                };
                if parent.role == Role::Container {
                    // where a resource belongs: a (wrong) resource named `div`, its markup dropped
                    let frame = conv.frame(open, name, role, repeats, attrs_from);
                    conv.close(frame, open, root)?;
                } else {
                    open.attrs.truncate(attrs_from);
                    open.children.push(Child {
                        name,
                        repeats,
                        slot: Slot::Prim(Some(Value::String(raw)), None),
                    });
                }
                continue;
            }
            let frame = conv.frame(open, name, role, repeats, attrs_from);
            if empty {
                conv.close(frame, open, root)?;
            } else {
                open.frames.push(frame);
            }
        }
        Ok(())
    }
}

/// The entries of a large root Bundle, handed by the thread reading the document to helping
/// threads as it meets them, and what they made of them.
///
/// Finding where an entry ends costs the reading thread a fraction of converting it, so while
/// the helpers keep up it only finds entries and hands them over; when `ahead` entries wait, it
/// converts the next one itself, in its one pass. The split follows the cores' pace, and the
/// reading thread converts what is still waiting when the Bundle closes.
struct Handoff<'x, 'm> {
    conv: &'m Conv<'m>,
    ahead: usize,
    state: Mutex<Handed<'x>>,
    /// Signalled when an entry is handed while a helper waits, when the reading ends, and when an
    /// entry is converted after that.
    changed: Condvar,
}

#[derive(Default)]
struct Handed<'x> {
    /// Entries handed and not yet taken: their number in handing order, and their text.
    waiting: VecDeque<(usize, &'x str)>,
    /// Entries handed so far.
    handed: usize,
    /// Converted entries, by number (`None`: the entry could not be read on its own).
    converted: Vec<(usize, Option<Slot>)>,
    /// Helpers waiting for an entry.
    idle: usize,
    /// No more entries will be handed.
    closed: bool,
}

impl<'x, 'm> Handoff<'x, 'm> {
    fn new(conv: &'m Conv<'m>, ahead: usize) -> Self {
        Handoff {
            conv,
            ahead,
            state: Mutex::new(Handed::default()),
            changed: Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Handed<'x>> {
        // a helper that panicked holding the lock is raised again when it is joined
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the reading thread should hand the next entry rather than convert it.
    fn wants_more(&self) -> bool {
        let state = self.state();
        !state.closed && state.waiting.len() < self.ahead
    }

    /// Hands an entry's text over; its number, to find its conversion by.
    fn hand(&self, text: &'x str) -> usize {
        let mut state = self.state();
        let number = state.handed;
        state.handed += 1;
        state.waiting.push_back((number, text));
        if state.idle > 0 {
            self.changed.notify_one();
        }
        number
    }

    /// A helping thread: converts handed entries until the reading ends and none is left.
    fn help(&self) {
        let mut state = self.state();
        loop {
            if let Some((number, text)) = state.waiting.pop_front() {
                drop(state);
                let slot = std::panic::catch_unwind(AssertUnwindSafe(|| self.conv.entry(text)));
                state = self.state();
                // a panic counts as an entry not read (so the reading thread never waits for it),
                // then is raised again, to be raised on the reading thread when joined
                let (slot, panic) = match slot {
                    Ok(slot) => (slot, None),
                    Err(panic) => (None, Some(panic)),
                };
                state.converted.push((number, slot));
                if state.closed {
                    self.changed.notify_all();
                }
                if let Some(panic) = panic {
                    drop(state);
                    std::panic::resume_unwind(panic);
                }
            } else if state.closed {
                return;
            } else {
                state.idle += 1;
                state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                state.idle -= 1;
            }
        }
    }

    /// Ends the handing (nothing more is handed, idle helpers leave).
    fn close(&self) {
        self.state().closed = true;
        self.changed.notify_all();
    }

    /// Every handed entry converted, in handing order: what is still waiting is converted here,
    /// then what the helpers are converting is waited for. `None` if any could not be read on its
    /// own.
    fn collect(&self) -> Option<Vec<Slot>> {
        self.close();
        let mut state = self.state();
        while let Some((number, text)) = state.waiting.pop_front() {
            drop(state);
            let slot = self.conv.entry(text);
            state = self.state();
            state.converted.push((number, slot));
        }
        while state.converted.len() < state.handed {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let mut converted = std::mem::take(&mut state.converted);
        converted.sort_unstable_by_key(|(number, _)| *number);
        converted.into_iter().map(|(_, slot)| slot).collect()
    }
}

/// Closes a [`Handoff`] when dropped, so its helpers leave however the reading ended.
struct Release<'h, 'x, 'm>(&'h Handoff<'x, 'm>);

impl Drop for Release<'_, '_, '_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Why the root element cannot be a FHIR resource, if it cannot.
fn root_problem(model: Option<&WireModel>, name: &str, ns: Option<&str>) -> Option<WireError> {
    if ns != Some(FHIR_NS) {
        return Some(WireError::WrongNamespace(format!(
            "root element <{name}> is in namespace {}, expected {FHIR_NS}",
            ns.map(|n| format!("'{n}'"))
                .unwrap_or_else(|| "(none)".into())
        )));
    }
    let known = match model {
        Some(m) => m.is_resource(name),
        None => name.starts_with(|c: char| c.is_ascii_uppercase()),
    };
    (!known)
        .then(|| WireError::WrongRoot(format!("root element <{name}> is not a FHIR resource type")))
}

fn xml_err(e: impl std::fmt::Display, pos: u64) -> WireError {
    WireError::Xml(format!("malformed XML at byte {pos}: {e}"))
}

/// `part` as the slice of `text` it is (so with `text`'s lifetime), if it lies within it: the
/// reader hands out names borrowed from the document, and a name kept this way costs nothing
/// until it becomes a key of the JSON form.
fn within<'x>(text: &'x str, part: &[u8]) -> Option<&'x str> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    text.get(start..start.checked_add(part.len())?)
}

/// `part` (a name the reader found in `text`) with `text`'s lifetime.
fn name_in<'x>(text: &'x str, part: &[u8]) -> Cow<'x, str> {
    match within(text, part) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(String::from_utf8_lossy(part).into_owned()),
    }
}

/// An element's local name; its attributes (namespace declarations left out) pushed on `attrs`.
fn start_element<'x>(
    xml: &'x str,
    e: &BytesStart<'_>,
    pos: u64,
    attrs: &mut Vec<Attr<'x>>,
) -> Result<Cow<'x, str>, WireError> {
    let name = name_in(xml, e.local_name().into_inner());
    // most elements have one attribute, written plainly: read without the general reader
    if let Some((key, value)) = plain_attr(e.attributes_raw()) {
        if let (Some(key), Some(value)) = (within(xml, key), within(xml, value)) {
            attrs.push((Cow::Borrowed(key), value.to_owned()));
            return Ok(name);
        }
    }
    let from = attrs.len();
    // Attribute names are checked for duplicates only where there are two or more: the check
    // keeps a list per element. An element with several is read again with the check, so
    // errors come in the order the checking reader finds them.
    let mut unchecked = e.attributes();
    unchecked.with_checks(false);
    let mut read = push_attrs(xml, unchecked, pos, attrs);
    if read.is_err() || attrs.len() - from > 1 {
        attrs.truncate(from);
        read = push_attrs(xml, e.attributes(), pos, attrs);
    }
    read?;
    Ok(name)
}

/// The name and value of the one attribute of a tag (`raw`: what follows the element's name),
/// when it is written the plain way: ` name="value"` (or single quotes), an unprefixed name other
/// than `xmlns`, a value with no reference to unescape and nothing after it but white space.
/// Anything else (`None`) is left to the general reader, errors included.
fn plain_attr(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    let (first, rest) = raw.split_first()?;
    if !first.is_ascii_whitespace() {
        return None;
    }
    let rest = rest.trim_ascii_start();
    let eq = rest.iter().position(|&b| b == b'=')?;
    let (key, rest) = (&rest[..eq], &rest[eq + 1..]);
    let plain_key = |b: &u8| !b.is_ascii_whitespace() && !b"\"'<>/&:".contains(b);
    if key.is_empty() || !key.iter().all(plain_key) || key.starts_with(b"xmlns") {
        return None;
    }
    let (&quote, rest) = rest.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let end = rest.iter().position(|&b| b == quote)?;
    let (value, after) = (&rest[..end], &rest[end + 1..]);
    let plain_value = !value.iter().any(|b| b"&<".contains(b));
    (plain_value && after.iter().all(u8::is_ascii_whitespace)).then_some((key, value))
}

fn push_attrs<'x>(
    xml: &'x str,
    found: quick_xml::events::attributes::Attributes<'_>,
    pos: u64,
    attrs: &mut Vec<Attr<'x>>,
) -> Result<(), WireError> {
    for a in found {
        let a = a.map_err(|err| xml_err(err, pos))?;
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let k = name_in(xml, a.key.local_name().into_inner());
        let v = a.unescape_value().map_err(|err| xml_err(err, pos))?;
        attrs.push((k, v.into_owned()));
    }
    Ok(())
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
// Elements -> JSON

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

/// Distinct child names of one element above which they are grouped through a hash map: a scan
/// of the names met is fastest for the usual handful but quadratic for thousands.
const INDEX_NAMES_ABOVE: usize = 16;

/// An attribute: its local name and value.
type Attr<'x> = (Cow<'x, str>, String);

/// A converted element. The depths are how deeply the JSON form nests (as
/// [`super::nesting_depth`] counts), kept as the document is built so it need not be walked again.
enum Slot {
    /// A primitive's value (never an object or array) and its `_name` object, with that object's
    /// depth.
    Prim(Option<Value>, Option<(Map<String, Value>, usize)>),
    /// A complex value and its depth.
    Complex(Value, usize),
    /// A Bundle entry handed to another thread (its number among the handed entries), filled in
    /// before its Bundle is closed.
    Deferred(usize),
}

/// A converted element waiting for its parent to close.
struct Child<'x> {
    name: Cow<'x, str>,
    /// Whether the element repeats in its parent.
    repeats: bool,
    slot: Slot,
}

/// What an open element becomes in the JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role<'m> {
    /// A resource (the root, or inside a container): `resourceType` and its elements.
    Resource,
    /// An element of type `Resource` (`entry.resource`, `contained`): its first child is the
    /// resource, the element itself disappears.
    Container,
    /// An element of a known FHIR type.
    Typed(&'m str),
    /// An element the wire model does not know (or no model): typed from what it holds.
    Untyped,
}

/// An open element.
struct Frame<'x, 'm> {
    name: Cow<'x, str>,
    role: Role<'m>,
    /// JSON kind of its `value` attribute, for primitives.
    kind: Option<JsonKind>,
    /// Its wire-model children, to type its own children.
    elems: Option<&'m [WireElem]>,
    /// Whether it repeats in its parent.
    repeats: bool,
    /// Child elements met so far (for container detection).
    children: usize,
    /// Where its attributes and its converted children start in [`Open`]'s lists.
    attrs_from: usize,
    children_from: usize,
    /// For a container: the first child's resource and its depth.
    resource: Option<(Value, usize)>,
}

/// The open elements of one reading, innermost last, and what they hold so far. An element's
/// attributes and converted children are the tails of `attrs` and `children` from where its
/// frame says: what an element holds is above what its parent holds, so closing it takes the
/// tails. Two lists for the whole reading rather than two per element, most of which would hold
/// one thing or none.
struct Open<'x, 'm> {
    frames: Vec<Frame<'x, 'm>>,
    attrs: Vec<Attr<'x>>,
    children: Vec<Child<'x>>,
    /// Reused to group a closing element's children by name.
    groups: Grouping,
}

impl<'x, 'm> Open<'x, 'm> {
    fn new() -> Self {
        Open {
            frames: Vec::with_capacity(16),
            attrs: Vec::new(),
            children: Vec::new(),
            groups: Grouping::default(),
        }
    }

    /// Puts the converted handed-off entries in their places among `frame`'s children.
    fn fill(&mut self, frame: &Frame<'_, '_>, entries: Vec<Slot>) {
        let mut entries: Vec<Option<Slot>> = entries.into_iter().map(Some).collect();
        for child in &mut self.children[frame.children_from..] {
            if let Slot::Deferred(i) = child.slot {
                if let Some(done) = entries.get_mut(i).and_then(Option::take) {
                    child.slot = done;
                }
            }
        }
    }
}

/// A closing element's children grouped by name, in the order each name first occurs: the
/// children of one group are `order[start..start + count]`, positions among the children.
#[derive(Default)]
struct Grouping {
    /// Each group's first child, number of children and start in `order`.
    groups: Vec<(usize, usize, usize)>,
    /// Each child's group.
    group_of: Vec<usize>,
    order: Vec<usize>,
    /// Where each group's next child goes in `order`, while filling it.
    next: Vec<usize>,
}

impl Grouping {
    /// Groups `kids` by name.
    fn of(&mut self, kids: &[Child<'_>]) {
        self.groups.clear();
        self.group_of.clear();
        let mut index: Option<HashMap<&str, usize>> = None;
        for (i, kid) in kids.iter().enumerate() {
            let found = match &index {
                Some(ix) => ix.get(&*kid.name).copied(),
                None => self
                    .groups
                    .iter()
                    .position(|&(first, ..)| kids[first].name == kid.name),
            };
            let g = match found {
                Some(g) => g,
                None => {
                    let g = self.groups.len();
                    self.groups.push((i, 0, 0));
                    match &mut index {
                        Some(ix) => {
                            ix.insert(&kid.name, g);
                        }
                        None if self.groups.len() > INDEX_NAMES_ABOVE => {
                            let firsts = self.groups.iter().enumerate();
                            index = Some(firsts.map(|(g, &(f, ..))| (&*kids[f].name, g)).collect());
                        }
                        None => {}
                    }
                    g
                }
            };
            self.groups[g].1 += 1;
            self.group_of.push(g);
        }
        // each group's children side by side in `order`, in document order
        let mut start = 0;
        for (_, count, at) in &mut self.groups {
            *at = start;
            start += *count;
        }
        self.order.clear();
        self.order.resize(kids.len(), 0);
        self.next.clear();
        self.next.extend(self.groups.iter().map(|&(.., at)| at));
        for (i, &g) in self.group_of.iter().enumerate() {
            self.order[self.next[g]] = i;
            self.next[g] += 1;
        }
    }
}

impl<'m> Conv<'m> {
    /// Where a child named `name` of `parent` belongs: its role and whether it repeats.
    /// `parent_has_attrs`: whether the parent has attributes.
    fn place(
        &self,
        parent: &Frame<'_, 'm>,
        parent_has_attrs: bool,
        name: &str,
    ) -> (Role<'m>, bool) {
        if parent.role == Role::Container {
            return (Role::Resource, false);
        }
        let info = parent.elems.and_then(|e| WireModel::child_in(e, name));
        let repeats = match info {
            Some(i) => i.elem.repeats,
            None => FALLBACK_REPEATING.contains(&name),
        };
        let role = match info.map(|i| i.ty) {
            Some("Resource") => Role::Container,
            Some(t) => Role::Typed(t),
            // the only child of an unknown element without attributes, named like a resource:
            // the element is a container (decided when it closes)
            None if parent.role == Role::Untyped
                && !parent_has_attrs
                && parent.children == 0
                && name.starts_with(|c: char| c.is_ascii_uppercase()) =>
            {
                Role::Resource
            }
            None => Role::Untyped,
        };
        (role, repeats)
    }

    /// The frame of an element whose attributes are `open`'s from `attrs_from`.
    fn frame<'x>(
        &self,
        open: &Open<'x, 'm>,
        name: Cow<'x, str>,
        role: Role<'m>,
        repeats: bool,
        attrs_from: usize,
    ) -> Frame<'x, 'm> {
        let kind = match (role, self.model) {
            (Role::Typed(t), Some(m)) => m.primitive(t),
            (Role::Untyped, _) | (Role::Typed(_), None) => open.attrs[attrs_from..]
                .iter()
                .any(|(k, _)| k == "value")
                .then_some(JsonKind::String),
            (Role::Resource | Role::Container, _) => None,
        };
        let ctx = match role {
            _ if kind.is_some() => Some("Element"),
            Role::Resource => Some(&*name),
            Role::Typed(t) => Some(t),
            Role::Container | Role::Untyped => None,
        };
        let elems = match (self.model, ctx) {
            (Some(m), Some(c)) => m.contexts.get(c).map(Vec::as_slice),
            _ => None,
        };
        Frame {
            name,
            role,
            kind,
            elems,
            repeats,
            children: 0,
            attrs_from,
            children_from: open.children.len(),
            resource: None,
        }
    }

    /// Closes an element: converts it and hands it to its parent (or makes it the root).
    fn close<'x>(
        &self,
        frame: Frame<'x, 'm>,
        open: &mut Open<'x, 'm>,
        root: &mut Option<(Value, usize)>,
    ) -> Result<(), WireError> {
        let repeats = frame.repeats;
        let (name, slot) = self.finish(frame, open);
        match open.frames.last_mut() {
            // only a container's first child is its resource (the schema has no room for more)
            Some(parent) if parent.role == Role::Container => {
                if parent.resource.is_none() {
                    parent.resource = Some(match slot {
                        Slot::Complex(v, depth) => (v, depth),
                        Slot::Prim(..) | Slot::Deferred(_) => (Value::Object(Map::new()), 1),
                    });
                }
            }
            Some(_) => open.children.push(Child {
                name,
                repeats,
                slot,
            }),
            None => {
                if root.is_some() {
                    return Err(WireError::Xml(
                        "malformed XML: more than one root element".into(),
                    ));
                }
                *root = Some(match slot {
                    Slot::Complex(v, depth) => (v, depth),
                    Slot::Prim(..) | Slot::Deferred(_) => (Value::Object(Map::new()), 1),
                });
            }
        }
        Ok(())
    }

    /// The element's name and the JSON form of the closed element; its attributes and children
    /// are taken off `open`'s lists.
    fn finish<'x>(&self, frame: Frame<'x, 'm>, open: &mut Open<'x, 'm>) -> (Cow<'x, str>, Slot) {
        let Open {
            attrs,
            children,
            groups,
            ..
        } = open;
        let has_attrs = attrs.len() > frame.attrs_from;
        match frame.role {
            Role::Container => {
                attrs.truncate(frame.attrs_from);
                children.truncate(frame.children_from);
                let (resource, depth) = frame
                    .resource
                    .unwrap_or_else(|| (Value::Object(Map::new()), 1));
                return (frame.name, Slot::Complex(resource, depth));
            }
            Role::Resource => {
                groups.of(&children[frame.children_from..]);
                let keys = 1 + attrs.len() - frame.attrs_from + groups.groups.len();
                let mut obj = Map::with_capacity(keys);
                obj.insert("resourceType".into(), Value::String(frame.name.to_string()));
                for (k, v) in attrs.drain(frame.attrs_from..) {
                    obj.insert(k.into_owned(), Value::String(v));
                }
                let depth = 1 + assemble(children, frame.children_from, groups, &mut obj);
                return (frame.name, Slot::Complex(Value::Object(obj), depth));
            }
            Role::Untyped if !has_attrs && frame.children == 1 => {
                // a container of a resource: <resource><Patient>..</Patient></resource>
                if let [kid] = &mut children[frame.children_from..] {
                    if let Slot::Complex(v, depth) = &mut kid.slot {
                        if kid.name.starts_with(|c: char| c.is_ascii_uppercase())
                            && v.get("resourceType").is_some()
                        {
                            let (resource, depth) = (std::mem::take(v), *depth);
                            children.truncate(frame.children_from);
                            return (frame.name, Slot::Complex(resource, depth));
                        }
                    }
                }
            }
            Role::Typed(_) | Role::Untyped => {}
        }
        match frame.kind {
            Some(kind) => {
                groups.of(&children[frame.children_from..]);
                let mut value = None;
                let mut extra = Map::new();
                for (k, v) in attrs.drain(frame.attrs_from..) {
                    if k == "value" {
                        value = Some(typed(kind, v));
                    } else {
                        extra.insert(k.into_owned(), Value::String(v));
                    }
                }
                let depth = 1 + assemble(children, frame.children_from, groups, &mut extra);
                (
                    frame.name,
                    Slot::Prim(value, (!extra.is_empty()).then_some((extra, depth))),
                )
            }
            None => {
                groups.of(&children[frame.children_from..]);
                let keys = attrs.len() - frame.attrs_from + groups.groups.len();
                let mut obj = Map::with_capacity(keys);
                for (k, v) in attrs.drain(frame.attrs_from..) {
                    obj.insert(k.into_owned(), Value::String(v));
                }
                let depth = 1 + assemble(children, frame.children_from, groups, &mut obj);
                (frame.name, Slot::Complex(Value::Object(obj), depth))
            }
        }
    }
}

/// Writes the children from `from` (taking them off `children`), as `grouping` grouped them, into
/// their parent's JSON object: a single non-repeating element as its value, repeating ones as
/// arrays, and the `_name` parts of primitives. Returns the depth of the deepest value written (0
/// when none is an object or array).
fn assemble(
    children: &mut Vec<Child<'_>>,
    from: usize,
    grouping: &Grouping,
    obj: &mut Map<String, Value>,
) -> usize {
    let kids = &mut children[from..];
    let mut deepest = 0;
    for &(first, count, at) in &grouping.groups {
        let name = std::mem::take(&mut kids[first].name).into_owned();
        let repeats = kids[first].repeats;
        let depth = place_group(obj, name, repeats, kids, &grouping.order[at..at + count]);
        deepest = deepest.max(depth);
    }
    children.truncate(from);
    deepest
}

/// Takes the slot of a child being written (what is left in its place is never read).
fn take(kid: &mut Child<'_>) -> Slot {
    std::mem::replace(&mut kid.slot, Slot::Deferred(usize::MAX))
}

/// Writes one group of same-named children (`members`: their positions in `kids`) under `name`;
/// the depth of what was written.
fn place_group(
    obj: &mut Map<String, Value>,
    name: String,
    repeats: bool,
    kids: &mut [Child<'_>],
    members: &[usize],
) -> usize {
    if let (false, [only]) = (repeats, members) {
        let mut deepest = 0;
        match take(&mut kids[*only]) {
            Slot::Complex(v, depth) => {
                obj.insert(name, v);
                deepest = depth;
            }
            Slot::Deferred(_) => {}
            Slot::Prim(v, x) => {
                let v = v.filter(|v| !v.is_null());
                if let Some((_, depth)) = &x {
                    deepest = *depth;
                }
                let x = x.map(|(x, _)| Value::Object(x));
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
        return deepest;
    }
    let is_prim = members
        .iter()
        .any(|&i| matches!(kids[i].slot, Slot::Prim(..)));
    if !is_prim {
        let mut inner = 0;
        let vals: Vec<Value> = members
            .iter()
            .map(|&i| match take(&mut kids[i]) {
                Slot::Complex(v, depth) => {
                    inner = inner.max(depth);
                    v
                }
                Slot::Prim(..) | Slot::Deferred(_) => Value::Null,
            })
            .collect();
        let (v, depth) = collapse(vals, repeats, inner);
        obj.insert(name, v);
        return depth;
    }
    let mut deepest = 0;
    let mut values = Vec::with_capacity(members.len());
    let mut extras = Vec::with_capacity(members.len());
    let (mut values_inner, mut extras_inner) = (0, 0);
    for &i in members {
        match take(&mut kids[i]) {
            Slot::Prim(v, x) => {
                values.push(v.unwrap_or(Value::Null));
                extras.push(match x {
                    Some((x, depth)) => {
                        extras_inner = extras_inner.max(depth);
                        Value::Object(x)
                    }
                    None => Value::Null,
                });
            }
            Slot::Complex(v, depth) => {
                values_inner = values_inner.max(depth);
                values.push(v);
                extras.push(Value::Null);
            }
            Slot::Deferred(_) => {
                values.push(Value::Null);
                extras.push(Value::Null);
            }
        }
    }
    if values.iter().any(|v| !v.is_null()) {
        let (v, depth) = collapse(values, repeats, values_inner);
        obj.insert(name.clone(), v);
        deepest = deepest.max(depth);
    }
    if extras.iter().any(|v| !v.is_null()) {
        let (v, depth) = collapse(extras, repeats, extras_inner);
        obj.insert(format!("_{name}"), v);
        deepest = deepest.max(depth);
    }
    deepest
}

/// The items as an array (or the one item, when it does not repeat), and its depth: `inner` is
/// the depth of the deepest item.
fn collapse(mut vals: Vec<Value>, repeats: bool, inner: usize) -> (Value, usize) {
    if repeats || vals.len() != 1 {
        (Value::Array(vals), 1 + inner)
    } else {
        (vals.pop().unwrap_or(Value::Null), inner)
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
/// is not a JSON object with a `resourceType` produces an (empty) `<Unknown>` root. The value is
/// walked with an explicit stack, not recursion, so any value can be written whatever its depth.
pub fn to_xml(resource: &Value) -> String {
    to_xml_with(wire_model(), resource)
}

/// [`to_xml`] with an explicit wire model.
pub fn to_xml_with(model: Option<&WireModel>, resource: &Value) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match resource.as_object() {
        Some(obj) => {
            let rt = obj
                .get("resourceType")
                .and_then(Value::as_str)
                .unwrap_or("Unknown");
            Writer { model }.write(rt, obj, &mut out);
        }
        None => out.push_str(&format!("<Unknown xmlns=\"{FHIR_NS}\"/>")),
    }
    out
}

struct Writer<'m> {
    model: Option<&'m WireModel>,
}

/// What is left to write, last first.
enum Work<'a, 'm> {
    /// A nested resource (`<resource>` or `<contained>` already open).
    Resource(&'a str, &'a Map<String, Value>),
    /// One element: its name, its value and `_name` part, its type, and its parent's context.
    Element {
        name: &'a str,
        value: Option<&'a Value>,
        extra: Option<&'a Value>,
        ty: Option<&'m str>,
        ctx: Option<Rc<str>>,
    },
    /// The end tag of an element whose content was written.
    Close(String),
}

impl<'m> Writer<'m> {
    fn write<'a>(&self, rt: &str, obj: &'a Map<String, Value>, out: &mut String) {
        let mut todo: Vec<Work<'a, 'm>> = Vec::new();
        self.open_resource(rt, obj, true, &mut todo, out);
        while let Some(work) = todo.pop() {
            match work {
                Work::Close(tag) => {
                    out.push_str("</");
                    out.push_str(&tag);
                    out.push('>');
                }
                Work::Resource(rt, obj) => self.open_resource(rt, obj, false, &mut todo, out),
                Work::Element {
                    name,
                    value,
                    extra,
                    ty,
                    ctx,
                } => self.element(name, (value, extra), ty, ctx, &mut todo, out),
            }
        }
    }

    fn open_resource<'a>(
        &self,
        rt: &str,
        obj: &'a Map<String, Value>,
        root: bool,
        todo: &mut Vec<Work<'a, 'm>>,
        out: &mut String,
    ) {
        let rt = sanitize_name(rt);
        out.push('<');
        out.push_str(&rt);
        if root {
            out.push_str(&format!(" xmlns=\"{FHIR_NS}\""));
        }
        out.push('>');
        let ctx: Rc<str> = Rc::from(rt.as_str());
        todo.push(Work::Close(rt));
        self.children(obj, Some(ctx), true, false, todo);
    }

    /// Queues the child elements of `obj` (attributes are written by the caller), in the order
    /// they are to be written.
    fn children<'a>(
        &self,
        obj: &'a Map<String, Value>,
        ctx: Option<Rc<str>>,
        is_resource: bool,
        is_ext: bool,
        todo: &mut Vec<Work<'a, 'm>>,
    ) {
        let info = |name: &str| match (self.model, ctx.as_deref()) {
            (Some(m), Some(c)) => m.child(c, name),
            _ => None,
        };
        let mut keys: Vec<(usize, &'a str, &'a Value)> = Vec::new();
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
            let idx = info(name).map(|i| i.index).unwrap_or(usize::MAX);
            keys.push((idx, k, v));
        }
        keys.sort_by_key(|(i, _, _)| *i);
        let first = todo.len();
        for (_, k, v) in keys {
            let (name, value, extra) = match k.strip_prefix('_') {
                Some(name) => (name, None, Some(v)),
                None => (k, Some(v), obj.get(&format!("_{k}"))),
            };
            let ty = info(name).map(|i| i.ty);
            let len = |v: Option<&Value>| match v {
                Some(Value::Array(a)) => a.len(),
                Some(_) => 1,
                None => 0,
            };
            let item = |v: Option<&'a Value>, i: usize| -> Option<&'a Value> {
                match v {
                    Some(Value::Array(a)) => a.get(i),
                    Some(x) if i == 0 => Some(x),
                    _ => None,
                }
                .filter(|v| !v.is_null())
            };
            for i in 0..len(value).max(len(extra)) {
                todo.push(Work::Element {
                    name,
                    value: item(value, i),
                    extra: item(extra, i),
                    ty,
                    ctx: ctx.clone(),
                });
            }
        }
        // last first: the first child is popped first
        todo[first..].reverse();
    }

    /// Writes one element, queueing what it contains.
    fn element<'a>(
        &self,
        name: &'a str,
        (value, extra): (Option<&'a Value>, Option<&'a Value>),
        ty: Option<&'m str>,
        ctx: Option<Rc<str>>,
        todo: &mut Vec<Work<'a, 'm>>,
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
                todo.push(Work::Close(name));
                todo.push(Work::Resource(rt, o));
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
                let child_ctx: Option<Rc<str>> = match (ty, ctx) {
                    (Some(t), _) => Some(Rc::from(t)),
                    (None, Some(c)) => Some(Rc::from(format!("{c}.{name}"))),
                    (None, None) => None,
                };
                todo.push(Work::Close(name));
                self.children(o, child_ctx, false, is_ext, todo);
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
                    // an array or object where a primitive belongs: written as its JSON text
                    // (serialised recursively, so only when it nests within the limit)
                    Some(other) if super::nesting_depth(other) <= MAX_NESTING => {
                        out.push_str(&format!(" value=\"{}\"", escape(&other.to_string())))
                    }
                    Some(_) => {}
                    None => {}
                }
                match eo {
                    Some(o) if o.keys().any(|k| k != "id") => {
                        out.push('>');
                        todo.push(Work::Close(name));
                        self.children(o, Some(Rc::from("Element")), false, false, todo);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A Bundle of `n` small Patient entries, as FHIR XML.
    fn bundle_xml(n: usize) -> String {
        let entries: Vec<Value> = (0..n)
            .map(|i| {
                json!({"fullUrl": format!("urn:uuid:{i}"), "resource": {
                    "resourceType": "Patient", "id": format!("p{i}"), "active": true,
                    "name": [{"family": "Fenwick", "given": ["Ada", "M"]}],
                    "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><b>Ada</b></div>"}}})
            })
            .collect();
        to_xml(&json!({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    }

    /// The result of reading in document order only, errors as their messages.
    fn in_order(xml: &str) -> Result<Value, String> {
        let conv = Conv {
            model: wire_model(),
        };
        conv.document(xml, None).map_err(|e| e.to_string())
    }

    /// The document read with `helpers` threads taking entries, `ahead` of them waiting at most.
    fn handing_off(xml: &str, helpers: usize, ahead: usize) -> Result<Value, String> {
        let conv = Conv {
            model: wire_model(),
        };
        conv.document_handing_off(xml, helpers, ahead)
            .map_err(|e| e.to_string())
    }

    /// Every way of sharing the entries out: none handed, all handed, and the reading thread
    /// converting some itself; one and several helpers.
    const SHARES: &[(usize, usize)] = &[
        (1, 0),
        (1, 1),
        (1, 2),
        (3, 2),
        (1, usize::MAX),
        (3, usize::MAX),
    ];

    #[test]
    fn entries_converted_on_other_threads_come_back_in_order() {
        let xml = bundle_xml(40);
        let expected: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
        for &(helpers, ahead) in SHARES {
            let value = handing_off(&xml, helpers, ahead).expect("converts");
            assert_eq!(Ok(value.clone()), in_order(&xml), "{helpers} {ahead}");
            let ids: Vec<&str> = value["entry"]
                .as_array()
                .expect("entries")
                .iter()
                .filter_map(|e| e["resource"]["id"].as_str())
                .collect();
            assert_eq!(ids, expected, "{helpers} {ahead}");
        }
        // a document large enough is read so by `from_xml` itself
        let large = bundle_xml(400);
        assert!(large.len() >= HAND_OFF_FROM_BYTES);
        assert_eq!(
            from_xml(&large).map_err(|e| e.to_string()),
            in_order(&large)
        );
    }

    #[test]
    fn a_broken_entry_is_reported_as_a_reading_in_order_reports_it() {
        let xml = bundle_xml(20);
        let mut broken = vec![
            xml.replacen("<id value=\"p7\"/>", "<id value=\"p7/>", 1),
            xml.replacen("<id value=\"p9\"/>", "<x:id value=\"p9\"/>", 1),
            xml.replacen("</name>", "</nam>", 1),
            xml.replacen("<entry>", "<entry><x:y/>", 1),
            xml.replacen(
                "<Bundle xmlns=\"http://hl7.org/fhir\">",
                "<Bundle xmlns=\"http://hl7.org/fhir/other\">",
                1,
            ),
        ];
        broken.extend((1..40).map(|k| xml[..xml.len() * k / 40].to_string()));
        for doc in &broken {
            let wanted = in_order(doc);
            assert!(wanted.is_err(), "{doc}");
            for &(helpers, ahead) in SHARES {
                // as `from_xml_with` does: a failure is read again in document order
                let read = handing_off(doc, helpers, ahead).or_else(|_| in_order(doc));
                assert_eq!(read, wanted, "{helpers} {ahead}: {doc}");
            }
        }
        // and `from_xml` on a large document
        let large = bundle_xml(400).replacen("<id value=\"p307\"/>", "<id value=\"p307/>", 1);
        let wanted = in_order(&large);
        assert!(wanted.is_err());
        assert_eq!(from_xml(&large).map_err(|e| e.to_string()), wanted);
    }

    /// `levels` extensions nested inside one another (two JSON levels each: an array and an
    /// object), around elements the definitions do not know, one repeated.
    fn nested_xml(levels: usize) -> String {
        let open = "<extension url=\"u\">".repeat(levels);
        let close = "</extension>".repeat(levels);
        format!("{open}<a><b value=\"1\"/><b value=\"2\"/></a><valueString value=\"x\"/>{close}")
    }

    /// How deeply a value nests, counted without a limit.
    fn exact_depth(v: &Value) -> usize {
        match v {
            Value::Object(m) => 1 + m.values().map(exact_depth).max().unwrap_or(0),
            Value::Array(a) => 1 + a.iter().map(exact_depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn the_depth_kept_while_reading_is_the_depth_of_the_result() {
        let mut docs = vec![
            bundle_xml(3),
            // primitives with extensions, alone and repeated, and an extension-only primitive
            r#"<Patient xmlns="http://hl7.org/fhir"><name><given value="A"><extension url="u"><valueString value="x"/></extension></given><given value="B"/><family><extension url="v"><valueBoolean value="true"/></extension></family></name><birthDate value="2000-01-01"><extension url="w"><extension url="n"><valueCode value="c"/></extension></extension></birthDate></Patient>"#.to_string(),
            // contained resources and a narrative
            r#"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p><b>x</b></p></div></text><contained><Organization><id value="o"/><name value="n"/></Organization></contained><active value="true"/></Patient>"#.to_string(),
            // empty elements, and elements the definitions do not know
            r#"<Patient xmlns="http://hl7.org/fhir"><active/><name/><unknown><deeper><deepest value="x"/></deeper></unknown></Patient>"#.to_string(),
            r#"<Basic xmlns="http://hl7.org/fhir"/>"#.to_string(),
        ];
        for levels in [
            0,
            1,
            5,
            MAX_NESTING / 2 - 2,
            MAX_NESTING / 2 - 1,
            MAX_NESTING / 2,
        ] {
            docs.push(format!(
                "<Basic xmlns=\"http://hl7.org/fhir\">{}</Basic>",
                nested_xml(levels)
            ));
            // deep inside a Bundle's entry, read on other threads
            let entries = format!(
                "<entry><resource><Basic>{}</Basic></resource></entry>",
                nested_xml(levels)
            );
            docs.push(format!(
                "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>{}{}</Bundle>",
                entries.repeat(3),
                "<entry><fullUrl value=\"u\"/></entry>".repeat(10)
            ));
        }
        let conv = Conv {
            model: wire_model(),
        };
        let mut over = 0;
        for doc in &docs {
            let (value, depth) = conv.document_and_depth(doc, None).expect(doc);
            assert_eq!(depth, exact_depth(&value), "{doc}");
            over += usize::from(depth > MAX_NESTING);
            for &(helpers, ahead) in SHARES {
                let read = handing_off(doc, helpers, ahead);
                assert_eq!(read, in_order(doc), "{helpers} {ahead}: {doc}");
                assert_eq!(read.is_err(), depth > MAX_NESTING, "{doc}");
            }
        }
        assert!(
            over > 0,
            "some documents must nest past the limit in their JSON form"
        );
    }

    #[test]
    fn a_plainly_written_attribute_is_read_as_the_general_reader_reads_it() {
        let tags = [
            r#"<a value="x"/>"#,
            r#"<a value='x y'/>"#,
            r#"<a   value="x">"#,
            r#"<a value="x" >"#,
            r#"<a value="">"#,
            r#"<a value="&amp;"/>"#,
            r#"<a value="1" id="2"/>"#,
            r#"<a value = "x"/>"#,
            r#"<a x:value="x"/>"#,
            r#"<a xmlns="http://hl7.org/fhir"/>"#,
            r#"<a value="x'/>"#,
            r#"<a value=x/>"#,
            r#"<a value="x"y/>"#,
            r#"<a value="a>b"/>"#,
            "<a\tvalue=\"x\"\n/>",
            r#"<a/>"#,
        ];
        let mut plain = 0;
        for tag in tags {
            let mut reader = quick_xml::Reader::from_str(tag);
            let e = match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) => e,
                // not a tag at all: the reader's error comes before any attribute is read
                _ => continue,
            };
            let Some((key, value)) = plain_attr(e.attributes_raw()) else {
                continue;
            };
            plain += 1;
            let general: Vec<(Vec<u8>, String)> = e
                .attributes()
                .map(|a| {
                    let a = a.expect(tag);
                    (
                        a.key.as_ref().to_vec(),
                        a.unescape_value().expect(tag).into_owned(),
                    )
                })
                .collect();
            let fast = (key.to_vec(), String::from_utf8(value.to_vec()).expect(tag));
            assert_eq!(general, vec![fast], "{tag}");
        }
        assert_eq!(plain, 7, "the plainly written ones are read the quick way");
    }
}
