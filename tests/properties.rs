//! Property tests: whatever bytes, JSON or XML arrive, reading, converting and validating them
//! returns a result (a value, a clear error, a list of issues) and never panics.
//!
//! Inputs: arbitrary bytes; generated FHIR-like JSON values and XML documents (nested, with the
//! element names, attributes and containers FHIR uses); and valid payloads mutated byte by byte.
//! Case counts are modest so the file runs in seconds.

use gpc_assure::fhir::{self, parse_body, xml, ProfileSet, WireError, MAX_NESTING};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/fhir+json"),
    Some("application/fhir+xml"),
    Some("text/plain"),
];

/// Names FHIR uses (and a few it does not), for keys and elements.
const NAMES: &[&str] = &[
    "id",
    "meta",
    "profile",
    "extension",
    "modifierExtension",
    "url",
    "valueString",
    "valueBoolean",
    "valueCodeableConcept",
    "valueReference",
    "identifier",
    "system",
    "value",
    "name",
    "family",
    "given",
    "use",
    "text",
    "div",
    "status",
    "gender",
    "birthDate",
    "telecom",
    "address",
    "line",
    "contact",
    "entry",
    "resource",
    "fullUrl",
    "type",
    "contained",
    "reference",
    "coding",
    "code",
    "display",
    "parameter",
    "part",
    "issue",
    "severity",
    "details",
    "start",
    "end",
    "slot",
    "participant",
    "actor",
    "unknownThing",
    "x",
];

const RESOURCE_TYPES: &[&str] = &[
    "Patient",
    "Bundle",
    "Organization",
    "Practitioner",
    "Appointment",
    "Slot",
    "Schedule",
    "Location",
    "Parameters",
    "OperationOutcome",
    "List",
    "AllergyIntolerance",
    "MedicationStatement",
    "NotAResource",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(NAMES).prop_map(str::to_string),
        1 => select(NAMES).prop_map(|n| format!("_{n}")),
        1 => "[a-zA-Z_]{1,6}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "",
                " ",
                "1",
                "true",
                "2024-01-31",
                "urn:uuid:1",
                "#c1",
                "Patient/1",
                "<p>x</p>"
            ][..]
        )
        .prop_map(str::to_string),
        "[ -~]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

/// FHIR-like JSON values, nested up to a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 80, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner.clone()), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            // a nested resource
            (
                select(RESOURCE_TYPES),
                prop::collection::vec((key(), inner), 0..4)
            )
                .prop_map(|(rt, kv)| {
                    let mut m: Map<String, Value> = kv.into_iter().collect();
                    m.insert("resourceType".into(), Value::String(rt.into()));
                    Value::Object(m)
                }),
        ]
    })
}

/// A resource: an object with a `resourceType`, sometimes claiming a GP Connect profile.
fn resource() -> impl Strategy<Value = Value> {
    let profiles: Vec<String> = fhir::validator()
        .expect("load")
        .profile_urls(ProfileSet::Latest)
        .into_iter()
        .map(str::to_string)
        .collect();
    (
        select(RESOURCE_TYPES),
        prop::option::of(select(profiles)),
        prop::collection::vec((key(), json_value()), 0..8),
    )
        .prop_map(|(rt, profile, kv)| {
            let mut m: Map<String, Value> = kv.into_iter().collect();
            m.insert("resourceType".into(), Value::String(rt.into()));
            if let Some(p) = profile {
                m.insert("meta".into(), serde_json::json!({"profile": [p]}));
            }
            Value::Object(m)
        })
}

/// An XML element tree as text: FHIR names, `value`/`url`/`id` attributes, XHTML divs, text,
/// resource containers.
/// Attributes of an element: FHIR's own, namespace declarations, prefixed and unknown ones.
fn attrs() -> BoxedStrategy<String> {
    let name = select(&["value", "url", "id", "xmlns", "x:y", "other"][..]);
    prop::collection::vec((name, text()), 0..3)
        .prop_map(|a| {
            a.into_iter()
                .map(|(k, v)| {
                    let v = v
                        .replace('&', "&amp;")
                        .replace('"', "&quot;")
                        .replace('<', "&lt;");
                    format!(" {k}=\"{v}\"")
                })
                .collect::<String>()
        })
        .boxed()
}

fn xml_element() -> impl Strategy<Value = String> {
    let leaf = (select(NAMES), attrs()).prop_map(|(n, a)| format!("<{n}{a}/>"));
    leaf.prop_recursive(6, 60, 5, |inner| {
        prop_oneof![
            (
                select(NAMES),
                attrs(),
                prop::collection::vec(inner.clone(), 0..5)
            )
                .prop_map(|(n, a, kids)| format!("<{n}{a}>{}</{n}>", kids.concat())),
            // a contained resource
            (select(RESOURCE_TYPES), prop::collection::vec(inner, 0..4)).prop_map(
                |(rt, kids)| format!("<contained><{rt}>{}</{rt}></contained>", kids.concat())
            ),
            Just(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; <b>b</b></p></div>"
                    .to_string()
            ),
            text().prop_map(|t| t.replace('<', "&lt;").replace('&', "&amp;")),
        ]
    })
}

fn xml_document() -> impl Strategy<Value = String> {
    (
        select(RESOURCE_TYPES),
        select(&["http://hl7.org/fhir", "http://example.org", ""][..]),
        prop::collection::vec(xml_element(), 0..6),
    )
        .prop_map(|(rt, ns, kids)| format!("<{rt} xmlns=\"{ns}\">{}</{rt}>", kids.concat()))
}

/// Edits applied to a valid payload: insert, delete or replace bytes, or cut it short.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    Truncate(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let byte = prop_oneof![select(&b"<>/\"'{}[],:&;=x0 \n"[..]), any::<u8>()];
    let edit = prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..6)
}

fn mutate(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Edit::Replace(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Edit::Truncate(i) => bytes.truncate(i % n),
            _ => {}
        }
    }
    bytes
}

/// Valid payloads to mutate: the fixtures in JSON and XML, and a Bundle holding them.
fn seeds() -> Vec<(Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    for f in ["patient-valid.json", "operationoutcome-valid.json"] {
        let path = format!("{}/tests/fixtures/fhir/{f}", env!("CARGO_MANIFEST_DIR"));
        let v: Value =
            serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json");
        let bundle = serde_json::json!({"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": "urn:uuid:1", "resource": v.clone()}],
            "contained": [v.clone()]});
        for v in [v, bundle] {
            out.push((serde_json::to_vec(&v).unwrap(), "application/fhir+json"));
            out.push((xml::to_xml(&v).into_bytes(), "application/fhir+xml"));
        }
    }
    out
}

/// Reads and validates a body in every way the product does; any panic fails the property.
fn read_and_validate(bytes: &[u8], ct: Option<&str>) {
    let v = fhir::validator().expect("load");
    match parse_body(bytes, ct) {
        Ok(value) => {
            assert!(value.get("resourceType").is_some_and(Value::is_string));
            assert!(fhir::nesting_depth(&value) <= MAX_NESTING);
            let issues = v.validate(&value, None, ProfileSet::Latest);
            let _ = v.validate(&value, None, ProfileSet::V1_2);
            // every issue says where and what
            assert!(issues
                .iter()
                .all(|i| !i.location.is_empty() && !i.message.is_empty()));
            // the XML written for it reads back (possibly as a clear error, never a panic)
            let _ = xml::from_xml(&xml::to_xml(&value));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let issues = v.validate_body(bytes, ct, None, ProfileSet::Latest);
    assert!(issues.iter().all(|i| !i.message.is_empty()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300), ct in select(CONTENT_TYPES)) {
        read_and_validate(&bytes, ct);
    }

    #[test]
    fn arbitrary_text_that_looks_like_xml_or_json_never_panics(
        head in select(&["<", "<?xml version=\"1.0\"?>", "{", "[", "\u{feff}<", " \n{"][..]),
        body in "[<>/=\"'{}\\[\\]:,a-zA-Z0-9 &;#!?-]{0,200}",
        ct in select(CONTENT_TYPES),
    ) {
        read_and_validate(format!("{head}{body}").as_bytes(), ct);
    }

    #[test]
    fn generated_json_values_validate_without_panicking(v in json_value()) {
        let validator = fhir::validator().expect("load");
        let issues = validator.validate(&v, None, ProfileSet::Latest);
        prop_assert!(issues.iter().all(|i| !i.message.is_empty()));
        let _ = xml::to_xml(&v);
        read_and_validate(&serde_json::to_vec(&v).unwrap(), None);
    }

    #[test]
    fn generated_resources_validate_and_convert_without_panicking(r in resource()) {
        let text = serde_json::to_vec(&r).unwrap();
        read_and_validate(&text, Some("application/fhir+json"));
        let x = xml::to_xml(&r);
        read_and_validate(x.as_bytes(), Some("application/fhir+xml"));
    }

    #[test]
    fn generated_xml_documents_convert_without_panicking(doc in xml_document(), model in any::<bool>()) {
        let wire = if model { xml::wire_model() } else { None };
        match xml::from_xml_with(wire, &doc) {
            Ok(v) => {
                // what was read is written and read again to the same value
                let again = xml::from_xml_with(wire, &xml::to_xml_with(wire, &v));
                prop_assert!(again.is_ok(), "{doc}\n{again:?}");
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        read_and_validate(doc.as_bytes(), None);
    }

    #[test]
    fn mutated_valid_payloads_never_panic(seed in 0usize..8, edits in edits(), declared in any::<bool>()) {
        let seeds = seeds();
        let (bytes, ct) = &seeds[seed % seeds.len()];
        let bytes = mutate(bytes.clone(), &edits);
        read_and_validate(&bytes, declared.then_some(*ct));
    }

    #[test]
    fn nesting_at_any_depth_is_read_or_refused(levels in 0usize..400, xml_form in any::<bool>()) {
        let body = if xml_form {
            format!("<Patient xmlns=\"http://hl7.org/fhir\">{}{}</Patient>", "<a>".repeat(levels), "</a>".repeat(levels))
        } else {
            format!("{{\"resourceType\":\"Patient\",\"a\":{}1{}}}", "[".repeat(levels), "]".repeat(levels))
        };
        match parse_body(body.as_bytes(), None) {
            // the Patient and its nesting
            Ok(v) => prop_assert!(levels < MAX_NESTING && fhir::nesting_depth(&v) == levels + 1),
            Err(WireError::TooDeep(_)) => prop_assert!(levels >= MAX_NESTING),
            Err(e) => prop_assert!(false, "{levels}: {e}"),
        }
    }
}
