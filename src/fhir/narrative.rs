//! The narrative's XHTML rules, txt-1 and txt-2 of `Narrative.div`
//! (<http://hl7.org/fhir/STU3/narrative.html>, "Narrative", rules for the XHTML content).
//!
//! Their FHIRPath expression is `htmlchecks()`, a function the FHIRPath evaluator does not have,
//! so the validator checks them here, on the parsed XHTML of the `div` (read as XML events):
//!
//! * **txt-1**: the `div` is well-formed XHTML whose root is a `div` in the XHTML namespace, and
//!   every element and attribute is one of the basic HTML 4.0 formatting ones the specification
//!   allows (chapters 7-11 and 15 of HTML 4.0, less section 9.4; `a` with `name` or `href`;
//!   images; inline `style`). Scripts, forms, frames, objects, `head`/`body`, links, deprecated
//!   elements and event attributes (`onclick`...) are outside that list, and so fail.
//! * **txt-2**: the narrative has some content that is not whitespace (text, an entity or an
//!   image).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::xml::XHTML_NS;

/// The elements a narrative may use.
const ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// The attributes (unprefixed; `xml:lang` and namespace declarations are allowed besides). DSTU2's
/// narrative rule (txt-3) allows the same list.
pub(crate) const ATTRIBUTES: &[&str] = &[
    "abbr",
    "accesskey",
    "align",
    "alt",
    "axis",
    "bgcolor",
    "border",
    "cellhalign",
    "cellpadding",
    "cellspacing",
    "cellvalign",
    "char",
    "charoff",
    "charset",
    "cite",
    "class",
    "colspan",
    "compact",
    "coords",
    "dir",
    "frame",
    "headers",
    "height",
    "href",
    "hreflang",
    "hspace",
    "id",
    "lang",
    "longdesc",
    "name",
    "nowrap",
    "rel",
    "rev",
    "rowspan",
    "rules",
    "scope",
    "shape",
    "span",
    "src",
    "start",
    "style",
    "summary",
    "tabindex",
    "title",
    "type",
    "valign",
    "value",
    "vspace",
    "width",
];

/// At most this many disallowed names are listed in one finding.
const MAX_LISTED: usize = 5;

/// One rule the narrative breaks: the invariant's key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub key: &'static str,
    pub detail: String,
}

/// Checks a `Narrative.div` (its XHTML markup) against txt-1 and txt-2; nothing when it keeps
/// both. A `div` that is not well-formed fails txt-1 and is not checked for txt-2.
pub fn check(div: &str) -> Vec<Finding> {
    match walk(div) {
        Err(e) => vec![Finding {
            key: "txt-1",
            detail: format!("the narrative is not well-formed XHTML ({e})"),
        }],
        Ok(seen) => {
            let mut out = Vec::new();
            let mut bad: Vec<String> = Vec::new();
            if let Some(root) = &seen.wrong_root {
                bad.push(root.clone());
            }
            if !seen.elements.is_empty() {
                bad.push(format!("element(s) {} not allowed", listed(&seen.elements)));
            }
            if !seen.attributes.is_empty() {
                bad.push(format!(
                    "attribute(s) {} not allowed",
                    listed(&seen.attributes)
                ));
            }
            if !bad.is_empty() {
                out.push(Finding {
                    key: "txt-1",
                    detail: bad.join("; "),
                });
            }
            if !seen.content {
                out.push(Finding {
                    key: "txt-2",
                    detail: "the narrative has no text and no image".into(),
                });
            }
            out
        }
    }
}

fn listed(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(MAX_LISTED)
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_LISTED {
        s.push_str(&format!(" and {} more", names.len() - MAX_LISTED));
    }
    s
}

/// What a walk of the markup found.
#[derive(Default)]
struct Seen {
    /// Why the root is not an XHTML `div`, if it is not.
    wrong_root: Option<String>,
    /// Disallowed element and attribute names, each once, in document order.
    elements: Vec<String>,
    attributes: Vec<String>,
    /// Non-whitespace text, an entity or an image.
    content: bool,
}

fn note(list: &mut Vec<String>, name: String) {
    if !list.contains(&name) {
        list.push(name);
    }
}

fn walk(div: &str) -> Result<Seen, String> {
    let mut reader = NsReader::from_str(div);
    reader.config_mut().check_end_names = true;
    let mut seen = Seen::default();
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let read = reader.read_resolved_event().map(|(ns, event)| {
            let in_xhtml =
                matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XHTML_NS.as_bytes());
            (in_xhtml, event)
        });
        let (in_xhtml, event) =
            read.map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
        let opened = match &event {
            Event::Start(e) | Event::Empty(e) => {
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err("more than one root element".into());
                    }
                }
                element(&reader, in_xhtml, e, depth == 0, &mut seen);
                matches!(event, Event::Start(_))
            }
            _ => false,
        };
        match event {
            _ if opened => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if !t.iter().all(u8::is_ascii_whitespace) => {
                if depth == 0 {
                    return Err("text outside the root element".into());
                }
                seen.content = true;
            }
            Event::CData(t) if !t.iter().all(u8::is_ascii_whitespace) => seen.content = true,
            Event::GeneralRef(_) if depth > 0 => seen.content = true,
            Event::DocType(_) => return Err("a DOCTYPE is not allowed".into()),
            Event::Eof => break,
            _ => {}
        }
    }
    if roots == 0 {
        return Err("no root element".into());
    }
    Ok(seen)
}

/// Checks one element's name and attributes (`root`: whether it is the outermost).
fn element(
    reader: &NsReader<&[u8]>,
    in_xhtml: bool,
    e: &BytesStart<'_>,
    root: bool,
    seen: &mut Seen,
) {
    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    if root {
        if !in_xhtml {
            seen.wrong_root = Some(format!(
                "the root element must be a div in the XHTML namespace ({XHTML_NS}), found <{local}> outside it"
            ));
        } else if local != "div" {
            seen.wrong_root = Some(format!("the root element must be a div, found <{local}>"));
        }
    } else if !in_xhtml {
        note(
            &mut seen.elements,
            format!("{local} (outside the XHTML namespace)"),
        );
    } else if !ELEMENTS.contains(&local.as_str()) {
        note(&mut seen.elements, local.clone());
    }
    if local == "img" {
        seen.content = true;
    }
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key;
        let raw = key.as_ref();
        if raw == b"xmlns" || raw.starts_with(b"xmlns:") {
            continue;
        }
        let name = String::from_utf8_lossy(raw).into_owned();
        let (ans, alocal) = reader.resolve_attribute(key);
        let ok = match ans {
            // an unprefixed attribute is in no namespace
            ResolveResult::Unbound => {
                ATTRIBUTES.contains(&std::str::from_utf8(alocal.as_ref()).unwrap_or(""))
            }
            _ => name == "xml:lang",
        };
        if !ok {
            note(&mut seen.attributes, format!("{name} (on <{local}>)"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(div: &str) -> Vec<&'static str> {
        check(div).into_iter().map(|f| f.key).collect()
    }

    fn x(inner: &str) -> String {
        format!("<div xmlns=\"{XHTML_NS}\">{inner}</div>")
    }

    #[test]
    fn basic_formatting_keeps_both_rules() {
        for inner in [
            "Ada",
            "<p>Ada <b>Lovelace</b><br/>born <em>1815</em></p>",
            "<table border=\"1\"><caption>Meds</caption><thead><tr><th colspan=\"2\">x</th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>",
            "<ul><li><a href=\"#x\">one</a></li></ul><a name=\"x\"/><span style=\"color:red\" class=\"c\" id=\"i\">t</span>",
            "<img src=\"#photo\" alt=\"\"/>",
            "&#160;",
            "<p xml:lang=\"en\" lang=\"en\" dir=\"ltr\">H<sub>2</sub>O</p>",
        ] {
            assert_eq!(keys(&x(inner)), Vec::<&str>::new(), "{inner}");
        }
        // a prefixed XHTML namespace is the same namespace
        let prefixed = format!("<h:div xmlns:h=\"{XHTML_NS}\"><h:p>Ada</h:p></h:div>");
        assert!(check(&prefixed).is_empty(), "{:?}", check(&prefixed));
    }

    #[test]
    fn txt_1_catches_what_is_not_basic_html() {
        for (inner, named) in [
            ("<script>x()</script>t", "'script'"),
            ("<form><input/></form>t", "'form', 'input'"),
            ("<iframe src=\"https://example.org\"/>t", "'iframe'"),
            ("<object data=\"x\"/>t", "'object'"),
            ("<font color=\"red\">t</font>", "'font'"),
            ("<center>t</center>", "'center'"),
            ("<body>t</body>", "'body'"),
            ("<p onclick=\"x()\">t</p>", "'onclick (on <p>)'"),
            ("<img src=\"x\" onerror=\"x()\"/>", "'onerror (on <img>)'"),
            (
                "<a xmlns:xl=\"http://www.w3.org/1999/xlink\" xl:href=\"x\">t</a>",
                "'xl:href (on <a>)'",
            ),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>t",
                "'svg (outside the XHTML namespace)'",
            ),
        ] {
            let f = check(&x(inner));
            assert_eq!(f.len(), 1, "{inner}: {f:?}");
            assert_eq!(f[0].key, "txt-1", "{inner}");
            assert!(f[0].detail.contains(named), "{inner}: {}", f[0].detail);
        }
    }

    #[test]
    fn txt_1_wants_one_xhtml_div_at_the_root() {
        for (div, says) in [
            ("<div>Ada</div>", "XHTML namespace"),
            (
                &format!("<p xmlns=\"{XHTML_NS}\">Ada</p>") as &str,
                "found <p>",
            ),
            ("Ada", "text outside the root"),
            ("", "no root element"),
            (&format!("{}{}", x("a"), x("b")), "more than one root"),
            (&x("<p>Ada</div>"), "not well-formed"),
            (&x("<p>Ada</b></p>"), "not well-formed"),
            (&x("<p class=\"a>Ada</p>"), "not well-formed"),
        ] {
            let f = check(div);
            assert!(
                f.iter()
                    .any(|f| f.key == "txt-1" && f.detail.contains(says)),
                "{div}: {f:?}"
            );
        }
    }

    #[test]
    fn txt_2_wants_text_or_an_image() {
        for inner in ["", "  \n\t ", "<p> </p><span/>", "<!-- only a comment -->"] {
            assert_eq!(keys(&x(inner)), vec!["txt-2"], "{inner:?}");
        }
        // both rules at once
        assert_eq!(keys(&x("<script> </script>")), vec!["txt-1", "txt-2"]);
    }

    #[test]
    fn long_lists_are_cut() {
        let inner: String = (1..=8).map(|i| format!("<x{i}/>")).collect();
        let f = check(&x(&format!("{inner}t")));
        assert!(f[0].detail.contains("and 3 more"), "{}", f[0].detail);
    }
}
