//! Access Record HTML checks: the care record Bundle and its Composition, and the section's XHTML read
//! as a parsed tree (never by substring): well-formed, in the XHTML namespace, safe for a clinician's
//! browser, and laid out as the section's view says (headings, banners, table ids and columns, date
//! cells).
//!
//! Specification (GP Connect 0.7.2):
//! - HTML layout: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html>
//! - HTML implementation guide (views of each section): <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_development_html_implementation_guide.html>
//! - Retrieve a care record section, response: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_use_case_retrieve_a_care_record_section.html>
//! - FHIR DSTU2 Narrative (txt-1, txt-3): <https://hl7.org/fhir/DSTU2/narrative.html>

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::Value;

// The attributes the DSTU2 narrative allows (txt-3) are STU3's (txt-1).
use crate::fhir::narrative::ATTRIBUTES as ALLOWED_ATTRIBUTES;
use crate::fhir::Pointer as _;
use crate::gpconnect::html::{
    self as gh, banner, composition, profiles, systems, DateBanner, Section, Table,
};

/// URL schemes that run code or smuggle content when a clinician follows a link.
const UNSAFE_SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

/// An element of the section's XHTML.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// Local name, lower case as written (XHTML names are lower case).
    pub name: String,
    /// The namespace the element is in, if any.
    pub namespace: Option<String>,
    /// Attributes as written (`xmlns` declarations left out).
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// This element and every element under it, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for e in self.elements() {
            out.extend(e.descendants());
        }
        out
    }

    /// The text content, whitespace runs collapsed.
    pub fn text(&self) -> String {
        let mut raw = String::new();
        self.collect_text(&mut raw);
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => {
                    e.collect_text(out);
                    if matches!(e.name.as_str(), "p" | "br" | "div" | "td" | "th") {
                        out.push(' ');
                    }
                }
            }
        }
    }
}

/// Parse the section's XHTML: well-formed XML, exactly one root `<div>`, XML's own entities and
/// numeric references only (a named HTML entity such as `&nbsp;` is not XML).
pub fn parse_div(xhtml: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(xhtml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_resolved_event().map_err(|e| {
            format!("the section's HTML is not well-formed XML after byte {position}: {e}")
        })?;
        let empty = matches!(event.1, Event::Empty(_));
        match event {
            (ns, Event::Start(start)) | (ns, Event::Empty(start)) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).to_string();
                let namespace = match ns {
                    ResolveResult::Bound(n) => {
                        Some(String::from_utf8_lossy(n.as_ref()).to_string())
                    }
                    _ => None,
                };
                let mut attributes = Vec::new();
                for a in start.attributes() {
                    let a = a.map_err(|e| {
                        format!("the section's HTML has a malformed attribute: {e}")
                    })?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).to_string();
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        continue;
                    }
                    let value = a
                        .unescape_value()
                        .map_err(|e| format!("the section's HTML has an attribute value that is not XML ({key}): {e}"))?
                        .to_string();
                    attributes.push((key, value));
                }
                let element = Element {
                    name,
                    namespace,
                    attributes,
                    children: Vec::new(),
                };
                if root.is_some() && stack.is_empty() {
                    return Err("the section's HTML has more than one root element".into());
                }
                stack.push(element);
                if empty {
                    close(&mut stack, &mut root);
                }
            }
            (_, Event::End(_)) => close(&mut stack, &mut root),
            (_, Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| format!("the section's HTML text is not UTF-8: {e}"))?
                    .to_string();
                push_text(&mut stack, &root, text)?;
            }
            (_, Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(r.as_ref()).to_string();
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match name.as_str() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => {
                            return Err(format!(
                                "the section's HTML uses the named entity &{other}; which is not XML: use the character or a numeric reference"
                            ))
                        }
                    },
                };
                push_text(&mut stack, &root, text)?;
            }
            (_, Event::CData(c)) => {
                let text = String::from_utf8_lossy(c.as_ref()).to_string();
                push_text(&mut stack, &root, text)?;
            }
            (_, Event::DocType(_)) => {
                return Err("the section's HTML carries a DOCTYPE".into());
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!(
            "the section's HTML is not well-formed XML: <{}> is never closed",
            stack.last().map(|e| e.name.as_str()).unwrap_or("?")
        ));
    }
    let root = root.ok_or("the section's HTML is empty")?;
    if root.name != "div" {
        return Err(format!(
            "the section's HTML root is <{}>, not <div>",
            root.name
        ));
    }
    Ok(root)
}

fn close(stack: &mut Vec<Element>, root: &mut Option<Element>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(done)),
            None => *root = Some(done),
        }
    }
}

fn push_text(stack: &mut [Element], root: &Option<Element>, text: String) -> Result<(), String> {
    match stack.last_mut() {
        Some(e) => {
            e.children.push(Node::Text(text));
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if root.is_some() => Err("the section's HTML has text after its root <div>".into()),
        None => Err("the section's HTML has text before its root <div>".into()),
    }
}

/// The root `<div>` and every element in it are in the XHTML namespace (FHIR narrative).
pub fn in_xhtml_namespace(root: &Element) -> Result<(), String> {
    let outside: Vec<String> = root
        .descendants()
        .into_iter()
        .filter(|e| e.namespace.as_deref() != Some(gh::XHTML_NS))
        .map(|e| format!("<{}>", e.name))
        .collect();
    match outside.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} element(s) of the section's HTML are not in the XHTML namespace {} (first: {first}); the root <div> declares xmlns=\"{}\"",
            outside.len(),
            gh::XHTML_NS,
            gh::XHTML_NS
        )),
    }
}

/// Nothing in the HTML can run, load or restyle anything in a clinician's browser: no script, style,
/// frame, form or object elements, only the narrative's elements and attributes, no event-handler
/// attributes, no `javascript:` (or `vbscript:`, `data:`) links.
pub fn is_safe(root: &Element) -> Result<(), String> {
    let mut problems = Vec::new();
    for e in root.descendants() {
        let name = e.name.to_ascii_lowercase();
        if gh::FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
            problems.push(format!("a <{}> element", e.name));
        } else if !gh::ALLOWED_ELEMENTS.contains(&name.as_str()) {
            problems.push(format!("<{}>, which the narrative does not allow", e.name));
        }
        for (k, v) in &e.attributes {
            let key = k.to_ascii_lowercase();
            if key.starts_with("on") {
                problems.push(format!("an event handler {k}=\"{v}\" on <{}>", e.name));
            } else if !ALLOWED_ATTRIBUTES.contains(&key.as_str()) {
                problems.push(format!(
                    "the attribute {k} on <{}>, which the narrative does not allow",
                    e.name
                ));
            }
            if matches!(key.as_str(), "href" | "src" | "longdesc" | "cite") {
                let target: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if let Some(scheme) = UNSAFE_SCHEMES.iter().find(|s| target.starts_with(**s)) {
                    problems.push(format!("a {scheme} link in {k} on <{}>", e.name));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the section's HTML is not safe to show: {}",
            problems.join("; ")
        ))
    }
}

/// No carriage return, line feed or tab anywhere in the HTML: formatting characters a consumer would
/// have to interpret (clinical safety: the view is shown as sent).
pub fn no_formatting_characters(xhtml: &str) -> Result<(), String> {
    let found: Vec<String> = [('\r', "CR"), ('\n', "LF"), ('\t', "TAB")]
        .iter()
        .filter_map(|(c, name)| xhtml.find(*c).map(|at| format!("{name} at byte {at}")))
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the section's HTML carries formatting characters: {}",
            found.join(", ")
        ))
    }
}

/// The Bundle's care record Composition, its single section, and that section's HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct CareRecord {
    pub section_code: String,
    pub section_title: String,
    pub div: String,
}

/// A searchset Bundle whose first entry is the care record Composition (fixed title, status final)
/// with exactly one section: the one asked for, coded in the record-section value set, with generated
/// XHTML.
pub fn care_record(bundle: &Value, asked: Section) -> Result<CareRecord, String> {
    if bundle["resourceType"] != "Bundle" {
        return Err(format!(
            "the answer is a {}, not a Bundle",
            bundle["resourceType"]
                .as_str()
                .unwrap_or("(no resourceType)")
        ));
    }
    if bundle["type"].as_str().map(str::trim) != Some("searchset") {
        return Err(format!("Bundle.type is {}, not searchset", bundle["type"]));
    }
    let entries: Vec<&Value> = bundle["entry"]
        .as_array()
        .map(|a| a.iter().map(|e| &e["resource"]).collect())
        .unwrap_or_default();
    let count = |t: &str| entries.iter().filter(|r| r["resourceType"] == t).count();
    if count("Composition") != 1 || count("Patient") != 1 {
        return Err(format!(
            "the Bundle holds {} Composition(s) and {} Patient(s); exactly one of each is required",
            count("Composition"),
            count("Patient")
        ));
    }
    let c = entries[0];
    if c["resourceType"] != "Composition" {
        return Err(format!(
            "the first entry is a {}, not the Composition",
            c["resourceType"].as_str().unwrap_or("(no resourceType)")
        ));
    }
    let mut problems = Vec::new();
    if c["title"] != composition::TITLE {
        problems.push(format!(
            "Composition.title is {}, not {:?}",
            c["title"],
            composition::TITLE
        ));
    }
    if c["status"] != "final" {
        problems.push(format!("Composition.status is {}, not final", c["status"]));
    }
    let declared = c.at("/meta/profile").map(|p| match p {
        Value::Array(a) => a.iter().any(|v| v == profiles::COMPOSITION),
        other => other == profiles::COMPOSITION,
    });
    if declared != Some(true) {
        problems.push(format!(
            "the Composition does not declare {}",
            profiles::COMPOSITION
        ));
    }
    let sections = c["section"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if sections.len() != 1 {
        problems.push(format!(
            "the Composition has {} sections; exactly one (the one asked for) is required",
            sections.len()
        ));
    }
    let s = sections.first().cloned().unwrap_or(Value::Null);
    let coding = &s["code"]["coding"][0];
    if coding["system"] != systems::RECORD_SECTION || coding["code"] != asked.code() {
        problems.push(format!(
            "the section is coded {}|{}, not {}|{}",
            coding["system"].as_str().unwrap_or("-"),
            coding["code"].as_str().unwrap_or("-"),
            systems::RECORD_SECTION,
            asked.code()
        ));
    }
    if s["title"] != asked.title() {
        problems.push(format!(
            "section.title is {}, not {:?}",
            s["title"],
            asked.title()
        ));
    }
    if s["text"]["status"] != "generated" {
        problems.push(format!(
            "section.text.status is {}, not generated",
            s["text"]["status"]
        ));
    }
    let div = s["text"]["div"].as_str().unwrap_or_default().to_string();
    if div.is_empty() {
        problems.push("section.text.div is missing".into());
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(CareRecord {
        section_code: asked.code().into(),
        section_title: asked.title().into(),
        div,
    })
}

/// What the section's view should show for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub section: Section,
    /// Access Record HTML version of the provider.
    pub version: String,
    /// The period sent, widened to whole days: `(start, end)`, either open.
    pub period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
}

/// One heading of the view and what follows it up to the next heading.
#[derive(Debug, Clone, Default)]
struct Block<'a> {
    level: u8,
    title: String,
    banners: Vec<(String, String)>,
    tables: Vec<&'a Element>,
    paragraphs: Vec<String>,
}

/// The view flattened into headed blocks, in document order.
fn blocks(root: &Element) -> Vec<Block<'_>> {
    fn walk<'a>(e: &'a Element, out: &mut Vec<Block<'a>>) {
        for child in e.elements() {
            match child.name.as_str() {
                "h1" | "h2" => out.push(Block {
                    level: if child.name == "h1" { 1 } else { 2 },
                    title: child.text(),
                    ..Block::default()
                }),
                "table" => {
                    if let Some(b) = out.last_mut() {
                        b.tables.push(child);
                    }
                }
                "div" => {
                    let class = [
                        banner::CLASS_DATE,
                        banner::CLASS_CONTENT,
                        banner::CLASS_TRANSFER,
                        banner::CLASS_EXCLUSION,
                    ]
                    .into_iter()
                    .find(|c| child.has_class(c));
                    match (class, out.last_mut()) {
                        (Some(c), Some(b)) => b.banners.push((c.to_string(), child.text())),
                        (Some(_), None) => {}
                        (None, _) => walk(child, out),
                    }
                }
                "p" => {
                    if let Some(b) = out.last_mut() {
                        b.paragraphs.push(child.text());
                    }
                }
                _ => walk(child, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}

/// The heading of a table's block: its `<h2>`, or the section's `<h1>`.
fn table_heading(section: Section, t: &Table) -> String {
    t.heading.unwrap_or(section.title()).to_string()
}

/// Whether a block says it holds no table, with one of the view's "no content" fragments.
fn says_empty(b: &Block, title: &str) -> bool {
    let fragments = [
        banner::no_data(title),
        format!("This system does not support retrieval of '{title}' data."),
        format!("Access is denied to '{title}' data for this patient."),
        format!("'{title}' data is not supported by this system."),
    ];
    b.paragraphs
        .iter()
        .any(|p| fragments.iter().any(|f| p.contains(f.as_str())))
}

/// The `<h1>` is the section title and comes first; multi-table sections have their `<h2>`
/// subsection headings, in the view's order.
pub fn headings(root: &Element, expected: &Expected) -> Result<(), String> {
    let blocks = blocks(root);
    let first = root.elements().next();
    if first.map(|e| e.name.as_str()) != Some("h1") {
        return Err(format!(
            "the section's HTML does not start with its <h1> (first element: {})",
            first
                .map(|e| format!("<{}>", e.name))
                .unwrap_or("none".into())
        ));
    }
    let h1: Vec<&str> = blocks
        .iter()
        .filter(|b| b.level == 1)
        .map(|b| b.title.as_str())
        .collect();
    if h1 != [expected.section.title()] {
        return Err(format!(
            "the <h1> heading(s) are {h1:?}; the {} section has exactly one, {:?}",
            expected.section.code(),
            expected.section.title()
        ));
    }
    let want: Vec<&str> = expected
        .section
        .tables(&expected.version)
        .iter()
        .filter_map(|t| t.heading)
        .collect();
    let got: Vec<&str> = blocks
        .iter()
        .filter(|b| b.level == 2)
        .map(|b| b.title.as_str())
        .collect();
    if got != want {
        return Err(format!(
            "the <h2> subsection headings are {got:?}; the {} view has {want:?}, in that order",
            expected.section.code()
        ));
    }
    Ok(())
}

/// Each of the section's tables is there under its heading with its id, in the view's order; an empty
/// one is replaced by a "no content" fragment.
pub fn tables(root: &Element, expected: &Expected) -> Result<(), String> {
    let blocks = blocks(root);
    let mut problems = Vec::new();
    let wanted = expected.section.tables(&expected.version);
    let ids: Vec<&str> = root
        .descendants()
        .into_iter()
        .filter(|e| e.name == "table")
        .map(|e| e.attribute("id").unwrap_or("(no id)"))
        .collect();
    let mut next = 0;
    for id in &ids {
        match wanted[next..].iter().position(|t| t.id == *id) {
            Some(p) => next += p + 1,
            None => problems.push(format!(
                "a table with id {id:?} where the {} view has {:?} (in this order)",
                expected.section.code(),
                wanted.iter().map(|t| t.id).collect::<Vec<_>>()
            )),
        }
    }
    for t in &wanted {
        let heading = table_heading(expected.section, t);
        let Some(b) = blocks.iter().find(|b| b.title == heading) else {
            continue; // `headings` names a missing heading
        };
        let present = b.tables.iter().any(|e| e.attribute("id") == Some(t.id));
        if !present && !says_empty(b, &heading) {
            problems.push(format!(
                "under {heading:?} there is neither the table {} nor the fragment {:?}",
                t.id,
                banner::no_data(&heading)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Each table's `<th>` header cells are the view's columns, in order.
pub fn columns(root: &Element, expected: &Expected) -> Result<(), String> {
    let mut problems = Vec::new();
    for t in expected.section.tables(&expected.version) {
        for table in root
            .descendants()
            .into_iter()
            .filter(|e| e.name == "table" && e.attribute("id") == Some(t.id))
        {
            let got: Vec<String> = table
                .descendants()
                .into_iter()
                .filter(|e| e.name == "thead")
                .flat_map(|h| h.descendants())
                .filter(|e| e.name == "th")
                .map(Element::text)
                .collect();
            if got != t.columns {
                problems.push(format!(
                    "table {} has the columns {got:?}; the view has {:?}, in that order",
                    t.id, t.columns
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Every non-empty cell of a date column holds a `dd-Mmm-yyyy` date and carries `class="date-column"`
/// (medication group rows, one cell spanning the table, are not data rows).
pub fn date_cells(root: &Element, expected: &Expected) -> Result<(), String> {
    let mut problems = Vec::new();
    for t in expected.section.tables(&expected.version) {
        for table in root
            .descendants()
            .into_iter()
            .filter(|e| e.name == "table" && e.attribute("id") == Some(t.id))
        {
            let rows = table
                .descendants()
                .into_iter()
                .filter(|e| e.name == "tbody")
                .flat_map(|b| b.elements().filter(|r| r.name == "tr").collect::<Vec<_>>());
            for (n, row) in rows.enumerate() {
                let cells: Vec<&Element> = row.elements().filter(|c| c.name == "td").collect();
                if cells.len() == 1 && cells[0].attribute("colspan").is_some() {
                    continue;
                }
                for &col in t.date_columns {
                    let Some(cell) = cells.get(col) else { continue };
                    let text = cell.text();
                    if text.is_empty() {
                        continue;
                    }
                    if !cell.has_class(gh::DATE_COLUMN_CLASS) {
                        problems.push(format!(
                            "{} row {} column {:?} holds {text:?} without class=\"{}\"",
                            t.id,
                            n + 1,
                            t.columns[col],
                            gh::DATE_COLUMN_CLASS
                        ));
                    }
                    if !gh::is_display_date(&text) {
                        problems.push(format!(
                            "{} row {} column {:?} holds {text:?}, not a dd-Mmm-yyyy date",
                            t.id,
                            n + 1,
                            t.columns[col]
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The date banner each (sub)section must show for the period sent: the period in words, `All
/// relevant items` without one, `Date filter not applied` where the subsection ignores it, none where
/// the section is never filtered; and the mandatory content banners.
pub fn banners(root: &Element, expected: &Expected) -> Result<(), String> {
    let blocks = blocks(root);
    let mut problems = Vec::new();
    let period_text = expected.period.map(|(start, end)| match (start, end) {
        (Some(s), Some(e)) => banner::period(&gh::format_date(s), &gh::format_date(e)),
        (Some(s), None) => banner::from(&gh::format_date(s)),
        (None, Some(e)) => banner::until(&gh::format_date(e)),
        (None, None) => banner::ALL_RELEVANT.to_string(),
    });
    for t in expected.section.tables(&expected.version) {
        let heading = table_heading(expected.section, &t);
        let Some(b) = blocks.iter().find(|b| b.title == heading) else {
            continue;
        };
        let dates: Vec<&str> = b
            .banners
            .iter()
            .filter(|(c, _)| c == banner::CLASS_DATE)
            .map(|(_, text)| text.as_str())
            .collect();
        let want: Option<Vec<String>> = match (t.banner, &period_text) {
            (DateBanner::None, _) => None,
            (DateBanner::Filtered, None) => Some(vec![banner::ALL_RELEVANT.into()]),
            (DateBanner::Filtered, Some(p)) => Some(vec![p.clone()]),
            // Without a period the view leaves the banner to the provider: none, or all relevant items.
            (DateBanner::NotApplied, None) => {
                if dates.is_empty() || dates == [banner::ALL_RELEVANT] {
                    Some(dates.iter().map(|d| d.to_string()).collect())
                } else {
                    Some(vec![banner::ALL_RELEVANT.into()])
                }
            }
            (DateBanner::NotApplied, Some(_)) => Some(vec![banner::NOT_APPLIED.into()]),
        };
        match want {
            None if !dates.is_empty() => problems.push(format!(
                "{heading:?} shows a date banner {dates:?}; it is never filtered, so it has none"
            )),
            Some(w) if !dates.iter().map(|d| d.to_string()).eq(w.iter().cloned()) => problems.push(
                format!("{heading:?} shows the date banner(s) {dates:?}; expected {w:?}"),
            ),
            _ => {}
        }
        if let Some(text) = t.content_banner {
            let shown = b
                .banners
                .iter()
                .any(|(c, body)| c == banner::CLASS_CONTENT && body.contains(text));
            if !shown {
                problems.push(format!(
                    "{heading:?} lacks its content banner {text:?} (a div of class {})",
                    banner::CLASS_CONTENT
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The 0.5.x layout: every table under its own heading, in the view's order, with its table (the
/// 0.5.x columns, in order) or the "no content" fragment; no attribute on any element but `xmlns`
/// (no ids, no classes). Two headings are accepted: NHS Digital's 0.5.x suite and reference provider
/// head every table with an `<h2>` (a single-table section with its title) and have no `<h1>`; the
/// 0.5.x HTML layout guide puts the section title first as the only `<h1>` and `<h2>` subsection
/// titles under it.
pub fn layout_05(root: &Element, expected: &Expected) -> Result<(), String> {
    let mut problems = Vec::new();
    let marked: Vec<String> = root
        .descendants()
        .into_iter()
        .filter(|e| !e.attributes.is_empty())
        .map(|e| {
            let attributes: Vec<String> = e
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            format!("<{} {}>", e.name, attributes.join(" "))
        })
        .collect();
    if !marked.is_empty() {
        problems.push(format!(
            "{} element(s) carry attributes, first {}: 0.5.x views allow no attribute but xmlns",
            marked.len(),
            marked[..marked.len().min(3)].join(", ")
        ));
    }
    let title = expected.section.title();
    let h1: Vec<String> = root
        .descendants()
        .into_iter()
        .filter(|e| e.name == "h1")
        .map(Element::text)
        .collect();
    let titled = match h1.as_slice() {
        [] => false,
        [t] if t == title && root.elements().next().is_some_and(|e| e.name == "h1") => true,
        _ => {
            problems.push(format!(
                "the <h1> heading(s) are {h1:?}: a 0.5.x view has none, or only its title {title:?} first"
            ));
            true
        }
    };
    let blocks = blocks(root);
    let wanted = expected.section.tables(&expected.version);
    let want: Vec<String> = wanted
        .iter()
        .map(|t| table_heading(expected.section, t))
        .collect();
    let got: Vec<&str> = blocks
        .iter()
        .filter(|b| b.level == 2)
        .map(|b| b.title.as_str())
        .collect();
    // Under the title's <h1>, a single-table section has no <h2>.
    let want_h2: Vec<&str> = want
        .iter()
        .map(String::as_str)
        .filter(|h| !titled || *h != title)
        .collect();
    if got != want_h2 {
        problems.push(format!(
            "the <h2> headings are {got:?}; the 0.5.x {} view heads its tables {want_h2:?}, in that order",
            expected.section.code()
        ));
    }
    for heading in &want {
        let Some(b) = blocks.iter().find(|b| &b.title == heading) else {
            continue;
        };
        match b.tables.len() {
            1 => {
                let t = wanted
                    .iter()
                    .find(|t| &table_heading(expected.section, t) == heading);
                let got: Vec<String> = b.tables[0]
                    .descendants()
                    .into_iter()
                    .filter(|e| e.name == "thead")
                    .flat_map(|h| h.descendants())
                    .filter(|e| e.name == "th")
                    .map(Element::text)
                    .collect();
                if let Some(t) = t.filter(|t| got != t.columns) {
                    problems.push(format!(
                        "the table under {heading:?} has the columns {got:?}; the 0.5.x view has {:?}, in that order",
                        t.columns
                    ));
                }
            }
            0 if says_empty(b, heading) => {}
            0 => problems.push(format!(
                "under {heading:?} there is neither a table nor the fragment {:?}",
                banner::no_data(heading)
            )),
            n => problems.push(format!("under {heading:?} there are {n} tables, not one")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The 0.5.x date banners (a `<p>` in the table's block, no class to find them by): the filterable
/// tables show `All relevant items` (or 0.5.0's longer wording) without a period, `For the period
/// '...' to '...'` or `All data items from / until '...'` with one; the others show none, or
/// `All relevant items` when no period was sent.
pub fn banners_05(root: &Element, expected: &Expected) -> Result<(), String> {
    let layout = gh::Layout::of(&expected.version);
    let blocks = blocks(root);
    let mut problems = Vec::new();
    for t in expected.section.tables(&expected.version) {
        let heading = table_heading(expected.section, &t);
        let Some(b) = blocks.iter().find(|b| b.title == heading) else {
            continue;
        };
        // 0.5.0's longer wording of All relevant items says the same.
        let shown: Vec<&str> = b
            .paragraphs
            .iter()
            .map(String::as_str)
            .filter(|p| layout.is_date_banner(p))
            .map(|p| {
                if p.starts_with(banner::ALL_RELEVANT) {
                    banner::ALL_RELEVANT
                } else {
                    p
                }
            })
            .collect();
        let want: Vec<String> = match (t.banner, expected.period) {
            (DateBanner::None, Some(_)) => Vec::new(),
            // The 0.5.x suite finds All relevant items in every section: allowed, not required.
            (DateBanner::None, None) if shown.is_empty() => Vec::new(),
            (DateBanner::None, None) => vec![layout.all_relevant.to_string()],
            (_, None) => vec![layout.all_relevant.to_string()],
            (_, Some((start, end))) => vec![layout.period_banner(
                start.map(gh::format_date).as_deref(),
                end.map(gh::format_date).as_deref(),
            )],
        };
        if shown != want {
            problems.push(format!(
                "{heading:?} shows the date banner(s) {shown:?}; expected {want:?}"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The GP transfer banner under the `<h1>`, holding the `dd-Mmm-yyyy` date before which information may
/// be missing (a record still in transit from the previous practice).
pub fn transfer_banner(root: &Element) -> Result<(), String> {
    let blocks = blocks(root);
    let shown: Vec<&String> = blocks
        .iter()
        .filter(|b| b.level == 1)
        .flat_map(|b| b.banners.iter())
        .filter(|(c, _)| c == banner::CLASS_TRANSFER)
        .map(|(_, t)| t)
        .collect();
    let Some(text) = shown.first() else {
        return Err(format!(
            "the section shows no GP transfer banner (a div of class {} under the <h1>), though the record is still in transit",
            banner::CLASS_TRANSFER
        ));
    };
    let dated = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .any(gh::is_display_date);
    if dated {
        Ok(())
    } else {
        Err(format!(
            "the GP transfer banner {text:?} holds no dd-Mmm-yyyy date"
        ))
    }
}

/// One body row of a view's table: a medication group heading (a single cell spanning the table) or
/// the texts of a data row's cells.
#[derive(Debug, Clone, PartialEq)]
enum TableRow {
    Group { title: String, classed: bool },
    Data(Vec<String>),
}

/// The body rows of the table with `id`, or `None` when the view has no such table.
fn table_rows(root: &Element, id: &str) -> Option<Vec<TableRow>> {
    let table = root
        .descendants()
        .into_iter()
        .find(|e| e.name == "table" && e.attribute("id") == Some(id))?;
    let rows = table
        .descendants()
        .into_iter()
        .filter(|e| e.name == "tbody")
        .flat_map(|b| b.elements().filter(|r| r.name == "tr").collect::<Vec<_>>())
        .map(|row| {
            let cells: Vec<&Element> = row.elements().filter(|c| c.name == "td").collect();
            if cells.len() == 1 && cells[0].attribute("colspan").is_some() {
                TableRow::Group {
                    title: cells[0].text(),
                    classed: cells[0].has_class(gh::MED_ITEM_CLASS),
                }
            } else {
                TableRow::Data(cells.iter().map(|c| c.text()).collect())
            }
        })
        .collect();
    Some(rows)
}

/// The position of `column` in a table of the view.
fn column_of(t: &Table, column: &str) -> usize {
    t.columns.iter().position(|c| *c == column).unwrap_or(0)
}

/// The cell of `row` under `column` ("" when the row is short).
fn cell<'a>(t: &Table, row: &'a [String], column: &str) -> &'a str {
    row.get(column_of(t, column))
        .map(String::as_str)
        .unwrap_or("")
}

/// A medication as both tables describe it: type, medication item, dosage instruction and quantity.
type MedicationKey = (String, String, String, String);

fn medication_key(t: &Table, row: &[String]) -> MedicationKey {
    (
        cell(t, row, gh::med::TYPE).to_string(),
        cell(t, row, gh::med::ITEM).to_string(),
        cell(t, row, gh::med::DOSAGE).to_string(),
        cell(t, row, gh::med::QUANTITY).to_string(),
    )
}

/// One grouped medication table: group headings once each, in ascending order of the medication item,
/// with class med-item-column; every data row under the group of its own medication item; rows of a
/// group newest first by `date_column`.
fn grouped_table(t: &Table, rows: &[TableRow], date_column: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut titles: Vec<&str> = Vec::new();
    let mut last_date: Option<NaiveDate> = None;
    for (n, row) in rows.iter().enumerate() {
        match row {
            TableRow::Group { title, classed } => {
                if !classed {
                    problems.push(format!(
                        "{} group row {title:?} has no class=\"{}\"",
                        t.id,
                        gh::MED_ITEM_CLASS
                    ));
                }
                if titles.contains(&title.as_str()) {
                    problems.push(format!(
                        "{} heads the medication {title:?} more than once: each medication item is one group",
                        t.id
                    ));
                } else if titles
                    .last()
                    .is_some_and(|prev| prev.to_lowercase() > title.to_lowercase())
                {
                    problems.push(format!(
                        "{} group {title:?} comes after {:?}: groups are in ascending order of medication item",
                        t.id,
                        titles.last().unwrap_or(&"")
                    ));
                }
                titles.push(title);
                last_date = None;
            }
            TableRow::Data(cells) => {
                let item = cell(t, cells, gh::med::ITEM);
                match titles.last() {
                    None => problems.push(format!(
                        "{} row {} ({item:?}) comes before any medication group row",
                        t.id,
                        n + 1
                    )),
                    Some(group) if *group != item => problems.push(format!(
                        "{} row {} is {item:?} under the group {group:?}",
                        t.id,
                        n + 1
                    )),
                    Some(_) => {}
                }
                let date = NaiveDate::parse_from_str(cell(t, cells, date_column), "%d-%b-%Y").ok();
                if let (Some(prev), Some(d)) = (last_date, date) {
                    if d > prev {
                        problems.push(format!(
                            "{} row {} ({item:?}, {date_column} {}) follows an older row of its group: rows of a group are newest first",
                            t.id,
                            n + 1,
                            gh::format_date(d)
                        ));
                    }
                }
                if date.is_some() {
                    last_date = date;
                }
            }
        }
    }
    problems
}

/// All Medication agrees with All Medication Issues, recomputed from the issues: both tables group
/// their rows by medication item (one group each, ascending, rows newest first); for each medication
/// (type, item, dosage, quantity) the Number of Prescriptions Issued is the number of its issues, the
/// Last Issued Date the latest of them, and the Start Date no later than the first; every medication
/// issued appears in All Medication. Inconclusive when neither table holds a row.
pub fn medication_grouping(root: &Element, version: &str) -> Result<(), String> {
    let tables = Section::Med.tables(version);
    let (Some(sum_t), Some(iss_t)) = (
        tables.iter().find(|t| t.id == gh::med::ALL_SUMMARY_TABLE),
        tables.iter().find(|t| t.id == gh::med::ALL_ISSUES_TABLE),
    ) else {
        return Err(crate::verdict::Problem::inconclusive(format!(
            "the Medications view of Access Record HTML {version} has no All Medication and All Medication Issues tables"
        ))
        .to_string());
    };
    let sum = table_rows(root, sum_t.id).unwrap_or_default();
    let iss = table_rows(root, iss_t.id).unwrap_or_default();
    let data = |rows: &[TableRow]| -> Vec<Vec<String>> {
        rows.iter()
            .filter_map(|r| match r {
                TableRow::Data(c) => Some(c.clone()),
                TableRow::Group { .. } => None,
            })
            .collect()
    };
    let (sum_rows, iss_rows) = (data(&sum), data(&iss));
    if sum_rows.is_empty() && iss_rows.is_empty() {
        return Err(crate::verdict::Problem::inconclusive(
            "neither All Medication nor All Medication Issues holds a medication, so their agreement cannot be shown",
        )
        .to_string());
    }
    let mut problems = grouped_table(sum_t, &sum, gh::med::START_DATE);
    problems.extend(grouped_table(iss_t, &iss, gh::med::ISSUE_DATE));

    let parse = |s: &str| NaiveDate::parse_from_str(s, "%d-%b-%Y").ok();
    let mut issued: std::collections::BTreeMap<MedicationKey, Vec<NaiveDate>> = Default::default();
    for row in &iss_rows {
        let dates = issued.entry(medication_key(iss_t, row)).or_default();
        if let Some(d) = parse(cell(iss_t, row, gh::med::ISSUE_DATE)) {
            dates.push(d);
        }
    }
    let mut summarised: std::collections::BTreeMap<
        MedicationKey,
        (usize, Option<NaiveDate>, Option<NaiveDate>),
    > = Default::default();
    for row in &sum_rows {
        let key = medication_key(sum_t, row);
        let count_text = cell(sum_t, row, gh::med::ISSUED_COUNT);
        let count = if count_text.is_empty() {
            0
        } else {
            match count_text.parse::<usize>() {
                Ok(c) => c,
                Err(_) => {
                    problems.push(format!(
                        "All Medication {:?} gives {count_text:?} prescriptions issued, not a whole number",
                        key.1
                    ));
                    0
                }
            }
        };
        let entry = summarised.entry(key).or_insert((0, None, None));
        entry.0 += count;
        let last = parse(cell(sum_t, row, gh::med::LAST_ISSUED));
        entry.1 = entry.1.max(last);
        if let Some(start) = parse(cell(sum_t, row, gh::med::START_DATE)) {
            entry.2 = Some(entry.2.map_or(start, |s: NaiveDate| s.min(start)));
        }
    }
    for (key, (count, last, start)) in &summarised {
        let dates = issued.get(key).cloned().unwrap_or_default();
        let name = format!("{} ({}, {}, {})", key.1, key.0, key.2, key.3);
        if *count != dates.len() {
            problems.push(format!(
                "All Medication gives {name} {count} prescription(s) issued; All Medication Issues lists {}",
                dates.len()
            ));
        }
        let latest = dates.iter().max().copied();
        if *last != latest {
            problems.push(format!(
                "All Medication gives {name} the Last Issued Date {}; its latest issue in All Medication Issues is {}",
                last.map(gh::format_date).unwrap_or("(none)".into()),
                latest.map(gh::format_date).unwrap_or("(none)".into())
            ));
        }
        if let (Some(start), Some(first)) = (start, dates.iter().min()) {
            if start > first {
                problems.push(format!(
                    "All Medication starts {name} on {}, after its first issue on {}",
                    gh::format_date(*start),
                    gh::format_date(*first)
                ));
            }
        }
    }
    for (key, dates) in &issued {
        if !summarised.contains_key(key) {
            problems.push(format!(
                "All Medication Issues lists {} issue(s) of {} ({}, {}, {}) that All Medication does not show",
                dates.len(),
                key.1,
                key.0,
                key.2,
                key.3
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The filtered tables of a single-table section (Administrative Items, Clinical Items, Encounters,
/// Observations, Referrals) hold exactly the rows of the unfiltered view whose date lies within the
/// period (whole days, both ends inclusive): none missing, none extra. Rows without a date may be
/// shown or not. Inconclusive when the unfiltered view holds no dated row within the period.
pub fn filtered_rows(
    filtered: &Element,
    unfiltered: &Element,
    expected: &Expected,
) -> Result<(), String> {
    let Some((start, end)) = expected.period else {
        return Err(crate::verdict::Problem::error("no time period was sent").to_string());
    };
    let within = |d: NaiveDate| start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e);
    let mut problems = Vec::new();
    let mut selected = 0;
    for t in expected.section.tables(&expected.version) {
        if t.banner != DateBanner::Filtered || t.heading.is_some() {
            continue;
        }
        let date_col = t.date_columns[0];
        let data = |root: &Element| -> Vec<Vec<String>> {
            table_rows(root, t.id)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| match r {
                    TableRow::Data(c) => Some(c),
                    TableRow::Group { .. } => None,
                })
                .collect()
        };
        let date_of = |row: &[String]| {
            row.get(date_col)
                .and_then(|d| NaiveDate::parse_from_str(d, "%d-%b-%Y").ok())
        };
        let (got, all) = (data(filtered), data(unfiltered));
        let mut want: Vec<&Vec<String>> = all
            .iter()
            .filter(|r| date_of(r).is_some_and(within))
            .collect();
        selected += want.len();
        for row in &got {
            match date_of(row) {
                Some(d) if !within(d) => problems.push(format!(
                    "{} shows {:?} dated {}, outside the period",
                    t.id,
                    row.get(1).cloned().unwrap_or_default(),
                    gh::format_date(d)
                )),
                None => {}
                Some(_) => match want.iter().position(|w| *w == row) {
                    Some(p) => {
                        want.remove(p);
                    }
                    None => problems.push(format!(
                        "{} shows {row:?}, which the unfiltered view does not hold",
                        t.id
                    )),
                },
            }
        }
        for missing in want {
            problems.push(format!(
                "{} leaves out {:?} dated {}, within the period (the unfiltered view holds it)",
                t.id,
                missing.get(1).cloned().unwrap_or_default(),
                missing.get(date_col).cloned().unwrap_or_default()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if selected == 0 {
        return Err(crate::verdict::Problem::inconclusive(
            "the unfiltered view holds no dated row within the period, so the test data cannot show the filter works",
        )
        .to_string());
    }
    Ok(())
}

/// The response is in the DSTU2 media type `mime` (`application/json+fhir` or `application/xml+fhir`;
/// the STU3 names `application/fhir+json` and `application/fhir+xml` are not the DSTU2 ones) and its
/// body is in that format.
pub fn dstu2_format(exchange: &crate::http::Exchange, mime: &str) -> Result<(), String> {
    use crate::checks::response::{self as resp, Format};
    let r = resp::response(exchange)?;
    let ct = r.header("content-type").unwrap_or("(none)");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(mime) {
        return Err(format!(
            "the response's Content-Type is {ct:?}, not {mime} (DSTU2)"
        ));
    }
    let want = if mime == gh::mime::XML {
        Format::Xml
    } else {
        Format::Json
    };
    if resp::sniff(&r.body) != Some(want) {
        return Err(format!(
            "the Content-Type says {mime} but the body is not in that format: {}",
            resp::snippet(&r.body)
        ));
    }
    Ok(())
}

/// An XML body whose root element is the FHIR resource `resource_type` (in the FHIR namespace): for
/// DSTU2 resources, such as the Conformance, that the harness's STU3 FHIR reader does not know.
pub fn xml_root_is(body: &str, resource_type: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(body);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
                let ns = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"xmlns")
                    .map(|a| String::from_utf8_lossy(&a.value).to_string());
                if name != resource_type {
                    return Err(format!(
                        "the XML body is a <{name}>, not a <{resource_type}>"
                    ));
                }
                if ns.as_deref() != Some("http://hl7.org/fhir") {
                    return Err(format!(
                        "the XML body's <{name}> is not in the FHIR namespace http://hl7.org/fhir"
                    ));
                }
                return Ok(());
            }
            Ok(Event::Eof) => return Err("the XML body has no root element".into()),
            Err(e) => return Err(format!("the body is not well-formed XML: {e}")),
            Ok(_) => {}
        }
    }
}

/// A request the provider cannot serve is refused: a 4xx status with an OperationOutcome.
pub fn refused(got_status: u16, body: &Value) -> Result<(), String> {
    if !(400..500).contains(&got_status) {
        return Err(format!(
            "the response status is {got_status}; the request must be refused with a 4xx status"
        ));
    }
    if body["resourceType"] != "OperationOutcome" {
        return Err(format!(
            "the {got_status} answer is {}, not an OperationOutcome",
            body["resourceType"]
                .as_str()
                .unwrap_or("not a FHIR resource")
        ));
    }
    Ok(())
}

/// A DSTU2 Conformance for Access Record HTML: FHIR 1.0.2, both DSTU2 formats, the software named with
/// its version, and the `gpc.getcarerecord` operation with its definition.
pub fn conformance(body: &Value) -> Result<(), String> {
    if body["resourceType"] != "Conformance" {
        return Err(format!(
            "the metadata answer is {}, not a Conformance (DSTU2)",
            body["resourceType"]
                .as_str()
                .unwrap_or("not a FHIR resource")
        ));
    }
    let mut problems = Vec::new();
    if body["fhirVersion"] != gh::FHIR_VERSION {
        problems.push(format!(
            "fhirVersion is {}, not {}",
            body["fhirVersion"],
            gh::FHIR_VERSION
        ));
    }
    let formats: Vec<&str> = body["format"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (media, short) in [(gh::mime::JSON, "json"), (gh::mime::XML, "xml")] {
        if !formats.iter().any(|f| *f == media || *f == short) {
            problems.push(format!("format does not declare {media}"));
        }
    }
    for field in ["name", "version"] {
        if body["software"][field].as_str().is_none_or(str::is_empty) {
            problems.push(format!("software.{field} is missing"));
        }
    }
    let operation = body["rest"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["operation"].as_array().into_iter().flatten())
        .find(|o| o["name"] == "gpc.getcarerecord");
    match operation {
        None => problems.push("rest.operation does not list gpc.getcarerecord".into()),
        Some(o)
            if o["definition"]["reference"]
                .as_str()
                .is_none_or(str::is_empty) =>
        {
            problems.push("the gpc.getcarerecord operation has no definition reference".into())
        }
        Some(_) => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// The answer to a changed 0.x token is the one the token rules give: 200 when the change must be
/// tolerated, else one of the errors allowed (status, OperationOutcome and code).
pub fn token_answer(answer: gh::TokenAnswer, body: &Value, got_status: u16) -> Result<(), String> {
    match answer {
        gh::TokenAnswer::Accepted if got_status == 200 => Ok(()),
        gh::TokenAnswer::Accepted => Err(format!(
            "the response status is {got_status}: the token must be accepted (200){}",
            body["issue"][0]["diagnostics"]
                .as_str()
                .map(|d| format!("; the provider said {d:?}"))
                .unwrap_or_default()
        )),
        gh::TokenAnswer::Refused(codes) => {
            let mut problems = Vec::new();
            for code in codes {
                match error_0x(code.http_status(), body, got_status, Some(*code)) {
                    Ok(()) => return Ok(()),
                    Err(e) => problems.push(e),
                }
            }
            Err(format!(
                "the token must be refused with {}: {}",
                answer.describe(),
                problems.join("; or ")
            ))
        }
    }
}

/// A 0.x error answer: the HTTP status `status`, and an OperationOutcome (declaring the 0.x profile)
/// whose issue carries `code` (when given) in the 0.x error code system, with a display.
pub fn error_0x(
    status: u16,
    body: &Value,
    got_status: u16,
    code: Option<gh::ErrorCode0>,
) -> Result<(), String> {
    if got_status != status {
        return Err(format!("the response status is {got_status}, not {status}"));
    }
    if body["resourceType"] != "OperationOutcome" {
        return Err(format!(
            "the error body is {}, not an OperationOutcome",
            body["resourceType"]
                .as_str()
                .unwrap_or("not a FHIR resource")
        ));
    }
    let codings: Vec<&Value> = body["issue"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i.at("/details/coding/0")).collect())
        .unwrap_or_default();
    let Some(code) = code else { return Ok(()) };
    let found = codings
        .iter()
        .any(|c| c["system"] == systems::ERROR_OR_WARNING_CODE && c["code"] == code.code());
    if !found {
        let got: Vec<String> = codings
            .iter()
            .map(|c| {
                format!(
                    "{}|{}",
                    c["system"].as_str().unwrap_or("-"),
                    c["code"].as_str().unwrap_or("-")
                )
            })
            .collect();
        return Err(format!(
            "the OperationOutcome carries {got:?}, not {}|{}",
            systems::ERROR_OR_WARNING_CODE,
            code.code()
        ));
    }
    if codings
        .iter()
        .any(|c| c["display"].as_str().is_none_or(str::is_empty))
    {
        return Err("the OperationOutcome's error coding has no display".into());
    }
    Ok(())
}

/// The `(start, end)` days a `timePeriod` covers (partial dates widened), from the text sent.
pub fn period_days(
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let bound = |v: Option<&str>, pick_end: bool| -> Result<Option<NaiveDate>, String> {
        v.map(|v| {
            gh::date_bounds(v)
                .map(|(a, b)| if pick_end { b } else { a })
                .ok_or_else(|| format!("{v:?} is not a FHIR date the period can start or end at"))
        })
        .transpose()
    };
    Ok((bound(start, false)?, bound(end, true)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn div(inner: &str) -> String {
        format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{inner}</div>")
    }

    fn table_html(t: &Table, rows: &[&[&str]]) -> String {
        let head: String = t.columns.iter().map(|c| format!("<th>{c}</th>")).collect();
        let body: String = rows
            .iter()
            .map(|r| {
                let cells: String = r
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if t.date_columns.contains(&i) {
                            format!("<td class=\"date-column\">{v}</td>")
                        } else {
                            format!("<td>{v}</td>")
                        }
                    })
                    .collect();
                format!("<tr>{cells}</tr>")
            })
            .collect();
        format!(
            "<table id=\"{}\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
            t.id
        )
    }

    fn encounters(banner_text: &str) -> String {
        let t = Section::Enc.tables("0.7.4")[0];
        div(&format!(
            "<h1>Encounters</h1><div class=\"date-banner\"><p>{banner_text}</p></div>{}",
            table_html(&t, &[&["03-May-2014", "Dr A at ORG1", "Seen"]])
        ))
    }

    fn expected(section: Section) -> Expected {
        Expected {
            section,
            version: "0.7.4".into(),
            period: None,
        }
    }

    #[test]
    fn parsing_requires_well_formed_xml_with_one_div() {
        assert!(parse_div(&encounters("All relevant items")).is_ok());
        assert_fails!(parse_div("<div><p>open</div>"), "not well-formed");
        assert_fails!(parse_div("<p>x</p>"), "not <div>");
        assert_fails!(parse_div("<div>a&nbsp;b</div>"), "named entity &nbsp;");
        assert_fails!(parse_div("<div/><div/>"), "more than one root");
        assert_fails!(parse_div(""), "empty");
        assert_eq!(
            parse_div("<div>a&#160;b&amp;&lt;</div>").unwrap().text(),
            "a b&<"
        );
    }

    #[test]
    fn the_namespace_is_xhtml() {
        assert!(in_xhtml_namespace(&parse_div(&encounters("x")).unwrap()).is_ok());
        assert_fails!(
            in_xhtml_namespace(&parse_div("<div><h1>Encounters</h1></div>").unwrap()),
            "not in the XHTML namespace"
        );
    }

    #[test]
    fn unsafe_markup_is_caught() {
        assert!(is_safe(&parse_div(&encounters("All relevant items")).unwrap()).is_ok());
        let cases = [
            ("<script>alert(1)</script>", "a <script> element"),
            ("<style>p{}</style>", "a <style> element"),
            ("<iframe src=\"x\"/>", "a <iframe> element"),
            ("<form/>", "a <form> element"),
            ("<object/>", "a <object> element"),
            ("<p onclick=\"steal()\">x</p>", "event handler onclick"),
            ("<a href=\" JaVaScript:alert(1)\">x</a>", "javascript: link"),
            (
                "<marquee>x</marquee>",
                "<marquee>, which the narrative does not allow",
            ),
            ("<p data-x=\"1\">x</p>", "attribute data-x"),
        ];
        for (inner, needle) in cases {
            assert_fails!(is_safe(&parse_div(&div(inner)).unwrap()), needle);
        }
    }

    #[test]
    fn formatting_characters_are_caught() {
        assert!(no_formatting_characters(&encounters("All relevant items")).is_ok());
        assert_fails!(
            no_formatting_characters("<div>\r\n<p>x</p></div>"),
            "CR at byte 5"
        );
        assert_fails!(no_formatting_characters("<div>\t</div>"), "TAB");
    }

    #[test]
    fn headings_are_checked_in_order() {
        let e = expected(Section::Enc);
        assert!(headings(&parse_div(&encounters("x")).unwrap(), &e).is_ok());
        let wrong = div("<h1>Encounter</h1>");
        assert_fails!(
            headings(&parse_div(&wrong).unwrap(), &e),
            "exactly one, \"Encounters\""
        );
        let late = div("<p>x</p><h1>Encounters</h1>");
        assert_fails!(
            headings(&parse_div(&late).unwrap(), &e),
            "does not start with its <h1>"
        );
        let all = div(
            "<h1>Allergies and Adverse Reactions</h1><div><h2>Historical Allergies and Adverse Reactions</h2></div><div><h2>Current Allergies and Adverse Reactions</h2></div>",
        );
        assert_fails!(
            headings(&parse_div(&all).unwrap(), &expected(Section::All)),
            "in that order"
        );
    }

    #[test]
    fn table_ids_and_columns_are_checked() {
        let e = expected(Section::Enc);
        assert!(tables(&parse_div(&encounters("x")).unwrap(), &e).is_ok());
        assert!(columns(&parse_div(&encounters("x")).unwrap(), &e).is_ok());
        let swapped = encounters("x").replace(
            "<th>Title</th><th>Details</th>",
            "<th>Details</th><th>Title</th>",
        );
        assert!(tables(&parse_div(&swapped).unwrap(), &e).is_ok());
        assert_fails!(columns(&parse_div(&swapped).unwrap(), &e), "in that order");
        let renamed = encounters("x").replace("enc-tab", "encounters");
        assert_fails!(
            tables(&parse_div(&renamed).unwrap(), &e),
            "id \"encounters\""
        );
        let empty = div("<h1>Encounters</h1><div><p>No 'Encounters' data is recorded for this patient.</p></div>");
        assert!(tables(&parse_div(&empty).unwrap(), &e).is_ok());
        let bare = div("<h1>Encounters</h1>");
        assert_fails!(
            tables(&parse_div(&bare).unwrap(), &e),
            "neither the table enc-tab"
        );
    }

    #[test]
    fn date_cells_need_their_class_and_format() {
        let e = expected(Section::Enc);
        assert!(date_cells(&parse_div(&encounters("x")).unwrap(), &e).is_ok());
        let unclassed = encounters("x").replace("<td class=\"date-column\">", "<td>");
        assert_fails!(
            date_cells(&parse_div(&unclassed).unwrap(), &e),
            "without class=\"date-column\""
        );
        let iso = encounters("x").replace("03-May-2014", "2014-05-03");
        assert_fails!(
            date_cells(&parse_div(&iso).unwrap(), &e),
            "not a dd-Mmm-yyyy date"
        );
    }

    #[test]
    fn date_banners_follow_the_period_sent() {
        let mut e = expected(Section::Enc);
        assert!(banners(&parse_div(&encounters("All relevant items")).unwrap(), &e).is_ok());
        assert_fails!(
            banners(
                &parse_div(&encounters("For the period 'x' to 'y'")).unwrap(),
                &e
            ),
            "expected [\"All relevant items\"]"
        );
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        e.period = Some((d(2015, 5, 1), d(2016, 2, 29)));
        let p = "For the period '01-May-2015' to '29-Feb-2016'";
        assert!(banners(&parse_div(&encounters(p)).unwrap(), &e).is_ok());
        assert_fails!(
            banners(&parse_div(&encounters("All relevant items")).unwrap(), &e),
            "29-Feb-2016"
        );
        let imm =
            div("<h1>Immunisations</h1><div class=\"date-banner\"><p>All relevant items</p></div>");
        assert_fails!(
            banners(&parse_div(&imm).unwrap(), &expected(Section::Imm)),
            "never filtered"
        );
        let med = div("<h1>Medications</h1><div><h2>Discontinued Repeat Medication</h2></div>");
        assert_fails!(
            banners(&parse_div(&med).unwrap(), &expected(Section::Med)),
            "All repeat medication ended by a clinician action"
        );
    }

    /// A Medications view with All Medication and All Medication Issues holding `sum` and `iss` rows
    /// (a row of one cell is a group heading).
    fn medications(sum: &[&[&str]], iss: &[&[&str]]) -> Element {
        let body = |rows: &[&[&str]], width: usize| -> String {
            rows.iter()
                .map(|r| {
                    if r.len() == 1 {
                        format!("<tr><td colspan=\"{width}\" class=\"med-item-column\"><b>{}</b></td></tr>", r[0])
                    } else {
                        let cells: String = r.iter().map(|c| format!("<td>{c}</td>")).collect();
                        format!("<tr>{cells}</tr>")
                    }
                })
                .collect()
        };
        parse_div(&div(&format!(
            "<h1>Medications</h1><div><h2>All Medication</h2><table id=\"med-tab-all-sum\"><tbody>{}</tbody></table></div><div><h2>All Medication Issues</h2><table id=\"med-tab-all-iss\"><tbody>{}</tbody></table></div>",
            body(sum, 9),
            body(iss, 7)
        )))
        .unwrap()
    }

    const SALB: &[&str] = &["Salbutamol"];
    const SALB_SUM: &[&str] = &[
        "Repeat",
        "01-Jan-2020",
        "Salbutamol",
        "As directed",
        "1 pack",
        "01-Jun-2024",
        "3",
        "",
        "",
    ];
    const SALB_ISS: [&[&str]; 3] = [
        &[
            "Repeat",
            "01-Jun-2024",
            "Salbutamol",
            "As directed",
            "1 pack",
            "28",
            "",
        ],
        &[
            "Repeat",
            "01-Mar-2022",
            "Salbutamol",
            "As directed",
            "1 pack",
            "28",
            "",
        ],
        &[
            "Repeat",
            "01-Jan-2020",
            "Salbutamol",
            "As directed",
            "1 pack",
            "28",
            "",
        ],
    ];
    const AMOX: &[&str] = &["Amoxicillin"];
    const AMOX_SUM: &[&str] = &[
        "Acute",
        "05-May-2024",
        "Amoxicillin",
        "As directed",
        "1 pack",
        "05-May-2024",
        "1",
        "",
        "",
    ];
    const AMOX_ISS: &[&str] = &[
        "Acute",
        "05-May-2024",
        "Amoxicillin",
        "As directed",
        "1 pack",
        "28",
        "",
    ];

    #[test]
    fn all_medication_is_recomputed_from_the_issues() {
        let good = medications(
            &[AMOX, AMOX_SUM, SALB, SALB_SUM],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1], SALB_ISS[2]],
        );
        assert!(medication_grouping(&good, "0.7.4").is_ok());
        // The latest issue is not the Last Issued Date.
        let mut first = SALB_SUM.to_vec();
        first[5] = "01-Jan-2020";
        let v = medications(
            &[AMOX, AMOX_SUM, SALB, &first],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1], SALB_ISS[2]],
        );
        assert_fails!(medication_grouping(&v, "0.7.4"), "Last Issued Date 01-Jan-2020; its latest issue in All Medication Issues is 01-Jun-2024");
        // A count that disagrees with the issues.
        let v = medications(
            &[AMOX, AMOX_SUM, SALB, SALB_SUM],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1]],
        );
        assert_fails!(
            medication_grouping(&v, "0.7.4"),
            "3 prescription(s) issued; All Medication Issues lists 2"
        );
        // Groups out of order, and a row under another medication's group.
        let v = medications(
            &[SALB, SALB_SUM, AMOX, AMOX_SUM],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1], SALB_ISS[2]],
        );
        assert_fails!(
            medication_grouping(&v, "0.7.4"),
            "groups are in ascending order"
        );
        let v = medications(
            &[AMOX, AMOX_SUM, SALB_SUM],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1], SALB_ISS[2]],
        );
        assert_fails!(
            medication_grouping(&v, "0.7.4"),
            "is \"Salbutamol\" under the group \"Amoxicillin\""
        );
        // The same medication grouped twice; issues out of date order.
        let v = medications(
            &[AMOX, AMOX_SUM, SALB, SALB_SUM],
            &[
                AMOX,
                AMOX_ISS,
                SALB,
                SALB_ISS[0],
                SALB,
                SALB_ISS[2],
                SALB_ISS[1],
            ],
        );
        assert_fails!(medication_grouping(&v, "0.7.4"), "more than once");
        assert_fails!(
            medication_grouping(&v, "0.7.4"),
            "rows of a group are newest first"
        );
        // An issued medication All Medication leaves out.
        let v = medications(
            &[SALB, SALB_SUM],
            &[AMOX, AMOX_ISS, SALB, SALB_ISS[0], SALB_ISS[1], SALB_ISS[2]],
        );
        assert_fails!(
            medication_grouping(&v, "0.7.4"),
            "that All Medication does not show"
        );
        // Nothing to compare is inconclusive, never a pass.
        let empty = medications(&[], &[]);
        assert_fails!(medication_grouping(&empty, "0.7.4"), "cannot be shown");
    }

    #[test]
    fn a_filtered_table_holds_exactly_the_rows_within_the_period() {
        let t = Section::Enc.tables("0.7.4")[0];
        let view = |rows: &[&[&str]]| {
            parse_div(&div(&format!(
                "<h1>Encounters</h1>{}",
                table_html(&t, rows)
            )))
            .unwrap()
        };
        let a: &[&str] = &["03-May-2014", "Seen", "a"];
        let b: &[&str] = &["10-Jun-2015", "Seen", "b"];
        let c: &[&str] = &["31-Dec-2015", "Seen", "c"];
        let all = view(&[c, b, a]);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let mut e = expected(Section::Enc);
        e.period = Some((d(2015, 1, 1), d(2015, 12, 31)));
        assert!(filtered_rows(&view(&[c, b]), &all, &e).is_ok());
        assert_fails!(
            filtered_rows(&view(&[b]), &all, &e),
            "leaves out \"Seen\" dated 31-Dec-2015"
        );
        assert_fails!(
            filtered_rows(&view(&[c, b, a]), &all, &e),
            "dated 03-May-2014, outside the period"
        );
        e.period = Some((d(1990, 1, 1), d(1990, 12, 31)));
        assert_fails!(
            filtered_rows(&view(&[]), &all, &e),
            "cannot show the filter works"
        );
        e.period = None;
        assert_fails!(filtered_rows(&all, &all, &e), "no time period was sent");
    }

    #[test]
    fn the_dstu2_media_types_are_recognised() {
        use crate::checks::fixtures::exchange;
        let xml = "<Bundle xmlns=\"http://hl7.org/fhir\"/>";
        let ok = exchange(200, &[("Content-Type", "application/xml+fhir")], xml);
        assert!(dstu2_format(&ok, gh::mime::XML).is_ok());
        assert_fails!(
            dstu2_format(&ok, gh::mime::JSON),
            "not application/json+fhir"
        );
        assert_fails!(
            dstu2_format(
                &exchange(200, &[("Content-Type", "application/fhir+xml")], xml),
                gh::mime::XML
            ),
            "not application/xml+fhir"
        );
        assert_fails!(
            dstu2_format(
                &exchange(200, &[("Content-Type", "application/xml+fhir")], "{}"),
                gh::mime::XML
            ),
            "the body is not in that format"
        );
    }

    #[test]
    fn the_xml_root_names_the_resource() {
        let xml = "<?xml version=\"1.0\"?><Conformance xmlns=\"http://hl7.org/fhir\"><version value=\"0.7.4\"/></Conformance>";
        assert!(xml_root_is(xml, "Conformance").is_ok());
        assert_fails!(
            xml_root_is(xml, "CapabilityStatement"),
            "is a <Conformance>, not a <CapabilityStatement>"
        );
        assert_fails!(
            xml_root_is("<Conformance/>", "Conformance"),
            "not in the FHIR namespace"
        );
        assert_fails!(xml_root_is("{}", "Conformance"), "no root element");
    }

    #[test]
    fn a_refusal_is_a_4xx_with_an_operation_outcome() {
        let oo = serde_json::json!({"resourceType": "OperationOutcome"});
        assert!(refused(404, &oo).is_ok());
        assert_fails!(refused(200, &oo), "must be refused with a 4xx status");
        assert_fails!(
            refused(405, &serde_json::json!({"resourceType": "Bundle"})),
            "not an OperationOutcome"
        );
    }

    #[test]
    fn the_transfer_banner_carries_a_date() {
        let ok = div("<h1>Encounters</h1><div class=\"gptransfer-banner\"><p>Patient record transfer from previous GP practice not yet complete; information recorded before 03-May-2014 may be missing</p></div>");
        assert!(transfer_banner(&parse_div(&ok).unwrap()).is_ok());
        assert_fails!(
            transfer_banner(&parse_div(&encounters("x")).unwrap()),
            "no GP transfer banner"
        );
        let undated = ok.replace("03-May-2014", "recently");
        assert_fails!(
            transfer_banner(&parse_div(&undated).unwrap()),
            "holds no dd-Mmm-yyyy date"
        );
    }

    #[test]
    fn periods_widen_and_refuse_bad_text() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            period_days(Some("2014-05"), Some("2016")).unwrap(),
            (d(2014, 5, 1), d(2016, 12, 31))
        );
        assert_fails!(
            period_days(Some("abcd"), None),
            "\"abcd\" is not a FHIR date"
        );
    }

    #[test]
    fn the_conformance_is_checked() {
        let good = serde_json::json!({"resourceType": "Conformance", "fhirVersion": "1.0.2",
            "format": ["application/json+fhir", "application/xml+fhir"],
            "software": {"name": "x", "version": "1"},
            "rest": [{"operation": [{"name": "gpc.getcarerecord", "definition": {"reference": "OperationDefinition/gpc.getcarerecord"}}]}]});
        assert!(conformance(&good).is_ok());
        assert_fails!(
            conformance(&serde_json::json!({"resourceType": "CapabilityStatement"})),
            "not a Conformance"
        );
        let mut stu3 = good.clone();
        stu3["fhirVersion"] = "3.0.1".into();
        stu3["format"] = serde_json::json!(["application/fhir+json"]);
        assert_fails!(conformance(&stu3), "fhirVersion is \"3.0.1\"");
        assert_fails!(
            conformance(&stu3),
            "format does not declare application/xml+fhir"
        );
        let mut no_op = good.clone();
        no_op["rest"][0]["operation"] = serde_json::json!([]);
        assert_fails!(conformance(&no_op), "does not list gpc.getcarerecord");
    }

    #[test]
    fn errors_carry_the_0x_code() {
        let oo = serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid",
            "details": {"coding": [{"system": systems::ERROR_OR_WARNING_CODE, "code": "INVALID_PARAMETER", "display": "INVALID_PARAMETER"}]}}]});
        let code = Some(gh::ErrorCode0::InvalidParameter);
        assert!(error_0x(422, &oo, 422, code).is_ok());
        assert_fails!(error_0x(422, &oo, 200, code), "status is 200, not 422");
        assert_fails!(
            error_0x(400, &oo, 400, Some(gh::ErrorCode0::BadRequest)),
            "not http://fhir.nhs.net/ValueSet/gpconnect-error-or-warning-code-1|BAD_REQUEST"
        );
        assert_fails!(
            error_0x(
                400,
                &serde_json::json!({"resourceType": "Bundle"}),
                400,
                None
            ),
            "not an OperationOutcome"
        );
        let mut bare = oo.clone();
        bare["issue"][0]["details"]["coding"][0]["display"] = Value::Null;
        assert_fails!(error_0x(422, &bare, 422, code), "no display");
    }

    #[test]
    fn the_care_record_is_one_composition_section() {
        let bundle = serde_json::json!({
            "resourceType": "Bundle", "type": "searchset",
            "entry": [
                {"resource": {"resourceType": "Composition", "title": "Patient Care Record", "status": "final",
                  "meta": {"profile": [profiles::COMPOSITION]},
                  "section": [{"title": "Encounters", "code": {"coding": [{"system": systems::RECORD_SECTION, "code": "ENC"}]},
                               "text": {"status": "generated", "div": "<div/>"}}]}},
                {"resource": {"resourceType": "Patient"}}
            ]
        });
        assert_eq!(care_record(&bundle, Section::Enc).unwrap().div, "<div/>");
        assert_fails!(
            care_record(&bundle, Section::Imm),
            "not http://fhir.nhs.net/ValueSet/gpconnect-record-section-1|IMM"
        );
        let mut two = bundle.clone();
        two["entry"][1]["resource"]["resourceType"] = "Composition".into();
        assert_fails!(care_record(&two, Section::Enc), "exactly one of each");
        assert_fails!(
            care_record(
                &serde_json::json!({"resourceType": "OperationOutcome"}),
                Section::Enc
            ),
            "not a Bundle"
        );
    }

    fn expected_05(
        section: Section,
        period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    ) -> Expected {
        Expected {
            section,
            version: "0.5.2".into(),
            period,
        }
    }

    #[test]
    fn the_0_5_layout_is_judged_on_the_tree() {
        let ns = gh::XHTML_NS;
        let enc = "<table><thead><tr><th>Date</th><th>Title</th><th>Details</th></tr></thead><tbody></tbody></table>";
        let good = format!("<div xmlns=\"{ns}\"><div><h2>Encounters</h2><div><p>All relevant items</p></div>{enc}</div></div>");
        let e = expected_05(Section::Enc, None);
        layout_05(&parse_div(&good).unwrap(), &e).unwrap();
        banners_05(&parse_div(&good).unwrap(), &e).unwrap();
        // The layout guide's heading: the title as the only <h1>, first, no <h2> for a single table.
        let guide = good.replace("<div><h2>Encounters</h2>", "<h1>Encounters</h1><div>");
        layout_05(&parse_div(&guide).unwrap(), &e).unwrap();
        banners_05(&parse_div(&guide).unwrap(), &e).unwrap();
        let both = good.replace(
            "<div><h2>Encounters</h2>",
            "<h1>Encounters</h1><div><h2>Encounters</h2>",
        );
        assert_fails!(
            layout_05(&parse_div(&both).unwrap(), &e),
            "heads its tables []"
        );
        let other = guide.replace("<h1>Encounters</h1>", "<h1>Consultations</h1>");
        assert_fails!(
            layout_05(&parse_div(&other).unwrap(), &e),
            "only its title \"Encounters\""
        );
        let id = good.replace("<table>", "<table id=\"enc-tab\">");
        assert_fails!(
            layout_05(&parse_div(&id).unwrap(), &e),
            "no attribute but xmlns"
        );
        let empty = good.replace(enc, "");
        assert_fails!(
            layout_05(&parse_div(&empty).unwrap(), &e),
            "neither a table nor the fragment"
        );
        let fragment = good.replace(
            enc,
            "<div><p>No 'Encounters' data is recorded for this patient.</p></div>",
        );
        layout_05(&parse_div(&fragment).unwrap(), &e).unwrap();
        let h2 = good.replace("<h2>Encounters</h2>", "<h2>Consultations</h2>");
        assert_fails!(
            layout_05(&parse_div(&h2).unwrap(), &e),
            "heads its tables [\"Encounters\"]"
        );
        let columns = good.replace(
            "<th>Title</th><th>Details</th>",
            "<th>Details</th><th>Title</th>",
        );
        assert_fails!(
            layout_05(&parse_div(&columns).unwrap(), &e),
            "the 0.5.x view has"
        );
        // Banners: the 0.7.2 wording of an open end, and none where one is due.
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let from = expected_05(Section::Enc, Some((d(2015, 5, 1), None)));
        let new_wording = good.replace("All relevant items", "Data items from '01-May-2015'");
        assert_fails!(
            banners_05(&parse_div(&new_wording).unwrap(), &from),
            "All data items from '01-May-2015'"
        );
        let old_wording = good.replace("All relevant items", "All data items from '01-May-2015'");
        banners_05(&parse_div(&old_wording).unwrap(), &from).unwrap();
        let long = good.replace("All relevant items", gh::banner::ALL_RELEVANT_0_5_0);
        banners_05(&parse_div(&long).unwrap(), &e).unwrap();
        let none = good.replace("<div><p>All relevant items</p></div>", "");
        assert_fails!(
            banners_05(&parse_div(&none).unwrap(), &e),
            "expected [\"All relevant items\"]"
        );
        // A table the period never applies to shows no period banner.
        let imm = "<div><h2>Immunisations</h2><div><p>For the period '01-May-2015' to '01-Jul-2016'</p></div></div>";
        let imm = format!("<div xmlns=\"{ns}\">{imm}</div>");
        let period = expected_05(Section::Imm, Some((d(2015, 5, 1), d(2016, 7, 1))));
        assert_fails!(
            banners_05(&parse_div(&imm).unwrap(), &period),
            "expected []"
        );
    }

    #[test]
    fn a_changed_token_is_answered_as_the_rules_say() {
        use gh::{TokenAnswer, TokenChange};
        let outcome = |code: &str| {
            serde_json::json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "invalid",
                "details": {"coding": [{"system": gh::systems::ERROR_OR_WARNING_CODE, "code": code, "display": code}]}}]})
        };
        let refused = TokenChange::PractitionerUnknownElement.answer();
        token_answer(refused, &outcome("BAD_REQUEST"), 400).unwrap();
        token_answer(refused, &outcome("INVALID_RESOURCE"), 422).unwrap();
        assert_fails!(
            token_answer(refused, &serde_json::json!({"resourceType": "Bundle"}), 200),
            "400 BAD_REQUEST or 422 INVALID_RESOURCE"
        );
        assert_fails!(
            token_answer(
                TokenChange::DeviceUnknownElement.answer(),
                &outcome("BAD_REQUEST"),
                400
            ),
            "422 INVALID_RESOURCE"
        );
        token_answer(
            TokenAnswer::Accepted,
            &serde_json::json!({"resourceType": "Bundle"}),
            200,
        )
        .unwrap();
        assert_fails!(
            token_answer(TokenAnswer::Accepted, &outcome("BAD_REQUEST"), 400),
            "must be accepted"
        );
    }
}
