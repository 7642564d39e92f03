//! Nesting depth: every reader, converter and walker of FHIR bodies holds to `fhir::MAX_NESTING`,
//! answering a document nested deeper with an error instead of overflowing the stack.
//!
//! Each case runs on a thread with a 256 KiB stack (a tenth of what the runtime gives a worker
//! thread), so a recursion that grows with the input shows up here as an abort.

use gpc_assure::fhir::{self, nesting_depth, parse_body, xml, ProfileSet, WireError, MAX_NESTING};
use serde_json::{json, Value};

const SMALL_STACK: usize = 256 * 1024;

/// Runs `f` on a thread with a small stack and returns its result.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("small-stack".into())
            .stack_size(SMALL_STACK)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .expect("the case panicked")
    })
}

const NS: &str = "http://hl7.org/fhir";

/// A JSON object from its members, built without `json!` (which would copy a nested value
/// recursively).
fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A Patient whose extension holds an extension ... `levels` deep, in XML.
fn nested_extensions_xml(levels: usize) -> String {
    let mut s = format!("<Patient xmlns=\"{NS}\">");
    for i in 0..levels {
        s.push_str(&format!("<extension url=\"http://example.org/e{i}\">"));
    }
    s.push_str("<valueString value=\"innermost\"/>");
    for _ in 0..levels {
        s.push_str("</extension>");
    }
    s.push_str("</Patient>");
    s
}

/// The same Patient as FHIR JSON.
fn nested_extensions_json(levels: usize) -> Value {
    let url = |i: usize| json!(format!("http://example.org/e{i}"));
    let mut inner = object([
        ("url", url(levels - 1)),
        ("valueString", json!("innermost")),
    ]);
    for i in (0..levels - 1).rev() {
        inner = object([("url", url(i)), ("extension", Value::Array(vec![inner]))]);
    }
    object([
        ("resourceType", json!("Patient")),
        ("extension", Value::Array(vec![inner])),
    ])
}

/// Elements the definitions do not know, each inside the last: one JSON level per element.
fn nested_unknown_xml(levels: usize) -> String {
    let mut s = format!("<Patient xmlns=\"{NS}\">");
    s.push_str(&"<a>".repeat(levels));
    s.push_str(&"</a>".repeat(levels));
    s.push_str("</Patient>");
    s
}

/// A Bundle whose only entry is a Bundle ..., `levels` Bundles deep.
fn nested_bundles(levels: usize) -> Value {
    let mut inner = json!({"resourceType": "Patient", "id": "p"});
    for i in 0..levels {
        let entry = object([
            ("fullUrl", json!(format!("urn:uuid:{i}"))),
            ("resource", inner),
        ]);
        inner = object([
            ("resourceType", json!("Bundle")),
            ("id", json!(format!("b{i}"))),
            ("type", json!("collection")),
            ("entry", Value::Array(vec![entry])),
        ]);
    }
    inner
}

/// Arrays inside arrays, built in code (no parser would produce it).
fn nested_arrays(levels: usize) -> Value {
    let mut v = json!("x");
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    let name = object([("family", v)]);
    object([
        ("resourceType", json!("Patient")),
        ("name", Value::Array(vec![name])),
    ])
}

/// Levels of `nested_extensions_json(n)`: the Patient, then an array and an object per extension.
fn extension_depth(levels: usize) -> usize {
    1 + 2 * levels
}

#[test]
fn depth_is_measured_as_json_text_nests() {
    assert_eq!(nesting_depth(&json!("x")), 0);
    assert_eq!(nesting_depth(&json!({})), 1);
    assert_eq!(nesting_depth(&json!({"a": [{"b": 1}]})), 3);
    assert_eq!(
        nesting_depth(&nested_extensions_json(5)),
        extension_depth(5)
    );
    // stops counting just past the limit, whatever the real depth
    let deep = nested_arrays(10_000);
    assert_eq!(nesting_depth(&deep), MAX_NESTING + 1);
    // serde_json drops a value recursively: dropping one this deep would overflow the stack
    std::mem::forget(deep);
}

#[test]
fn json_text_at_the_limit_is_read_and_one_deeper_is_a_clear_error() {
    let at = "[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING);
    let body = format!("{{\"resourceType\":\"Patient\",\"x\":{at}}}");
    // the object holding it is one more level
    let deeper = format!(
        "{{\"resourceType\":\"Patient\",\"x\":{}}}",
        "[".repeat(MAX_NESTING)
    );
    on_small_stack(|| {
        let levels = MAX_NESTING - 1;
        let ok = format!(
            "{{\"resourceType\":\"Patient\",\"x\":{}{}}}",
            "[".repeat(levels),
            "]".repeat(levels)
        );
        assert_eq!(
            nesting_depth(&parse_body(ok.as_bytes(), None).expect("at the limit")),
            MAX_NESTING
        );
        for b in [&body, &deeper] {
            match parse_body(b.as_bytes(), None) {
                Err(WireError::TooDeep(m)) => {
                    assert!(m.contains("more than 127 levels"), "{m}");
                    assert!(m.contains("line 1"), "says where: {m}");
                }
                other => panic!("expected TooDeep, got {other:?}"),
            }
        }
    });
}

/// A Bundle large enough to be read entry by entry on all cores (over 256 KiB), with `inner`
/// as the `valueString` of its last entry's Patient's extension.
fn large_bundle(inner: &str) -> String {
    let filler = "x".repeat(2_000);
    let mut entries: Vec<String> = (0..200)
        .map(|i| {
            format!(r#"{{"fullUrl":"urn:uuid:{i}","resource":{{"resourceType":"Patient","id":"p{i}","name":[{{"text":"{filler}"}}]}}}}"#)
        })
        .collect();
    entries.push(format!(
        r#"{{"resource":{{"resourceType":"Patient","extension":[{{"url":"http://example.org/x","valueString":{inner}}}]}}}}"#
    ));
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#,
        entries.join(",")
    )
}

#[test]
fn a_large_bundle_read_entry_by_entry_holds_to_the_same_limit() {
    // the last entry's value sits inside six levels: Bundle, entry, item, resource, extension, item
    let within = MAX_NESTING - 6;
    let ok = large_bundle(&("[".repeat(within) + &"]".repeat(within)));
    assert!(ok.len() > 256 * 1024);
    let read = parse_body(ok.as_bytes(), None).expect("at the limit");
    assert_eq!(nesting_depth(&read), MAX_NESTING);
    assert_eq!(read, serde_json::from_str::<Value>(&ok).expect("json"));
    let over = large_bundle(&("[".repeat(within + 1) + &"]".repeat(within + 1)));
    match parse_body(over.as_bytes(), None) {
        Err(WireError::TooDeep(m)) => assert!(m.contains("more than 127 levels"), "{m}"),
        other => panic!("expected TooDeep, got {:?}", other.map(|_| "a value")),
    }
}

#[test]
fn xml_nested_thousands_deep_is_refused_without_recursion() {
    for levels in [MAX_NESTING + 1, 1_000, 10_000, 100_000] {
        let doc = nested_unknown_xml(levels);
        let r = on_small_stack(|| parse_body(doc.as_bytes(), Some("application/fhir+xml")));
        match r {
            Err(WireError::TooDeep(m)) => {
                assert!(m.contains("XML document"), "{m}");
                assert!(m.contains("inside <a>"), "names the element: {m}");
            }
            other => panic!("{levels} levels: expected TooDeep, got {other:?}"),
        }
    }
}

#[test]
fn xml_at_the_limit_converts_validates_and_writes_back() {
    // the root and MAX_NESTING - 1 unknown elements: exactly the limit, in XML and in JSON
    let doc = nested_unknown_xml(MAX_NESTING - 1);
    let levels = on_small_stack(|| {
        let v = parse_body(doc.as_bytes(), None).expect("at the limit");
        let issues = fhir::validator()
            .expect("load")
            .validate(&v, None, ProfileSet::Latest);
        assert!(
            issues
                .iter()
                .any(|i| i.message.contains("Unknown element 'a'")),
            "{issues:#?}"
        );
        let back = xml::from_xml(&xml::to_xml(&v)).expect("written back and read again");
        assert_eq!(back, v);
        nesting_depth(&v)
    });
    assert_eq!(levels, MAX_NESTING);
    let one_more = nested_unknown_xml(MAX_NESTING);
    let r = on_small_stack(|| parse_body(one_more.as_bytes(), None));
    assert!(matches!(r, Err(WireError::TooDeep(_))), "{r:?}");
}

#[test]
fn repeating_elements_count_in_the_json_form_of_xml() {
    // each extension is an array and an object in JSON: the XML passes the element count but
    // its JSON form is too deep, and says so
    let levels = MAX_NESTING / 2 + 1;
    assert!(extension_depth(levels) > MAX_NESTING && levels < MAX_NESTING);
    let doc = nested_extensions_xml(levels);
    match on_small_stack(|| parse_body(doc.as_bytes(), None)) {
        Err(WireError::TooDeep(m)) => assert!(m.contains("FHIR JSON form"), "{m}"),
        other => panic!("expected TooDeep, got {other:?}"),
    }
}

#[test]
fn deepest_known_structures_validate_on_a_small_stack() {
    let v = fhir::validator().expect("load");
    // known elements all the way down: the schema, the profile walk and the conversion recurse
    let ext_levels = (MAX_NESTING - 1) / 2;
    let ext = nested_extensions_json(ext_levels);
    assert_eq!(nesting_depth(&ext), extension_depth(ext_levels));
    let ext_xml = nested_extensions_xml(ext_levels);
    // Bundle -> entry array -> entry -> resource Bundle: three levels per Bundle
    let bundles = nested_bundles((MAX_NESTING - 1) / 3);
    assert!(nesting_depth(&bundles) <= MAX_NESTING);
    on_small_stack(|| {
        let from_xml = parse_body(ext_xml.as_bytes(), None).expect("extensions at the limit");
        assert_eq!(from_xml, ext);
        for (what, value) in [("extensions", &ext), ("bundles", &bundles)] {
            for set in [ProfileSet::V1_2, ProfileSet::Latest] {
                let issues = v.validate(value, None, set);
                assert!(
                    !issues.iter().any(|i| i.message.contains("levels deep")),
                    "{what}: {issues:#?}"
                );
            }
            let text = xml::to_xml(value);
            let back = xml::from_xml(&text).expect("round trip");
            assert_eq!(&back, value, "{what}");
        }
    });
}

#[test]
fn values_built_in_code_deeper_than_the_limit_are_refused_not_walked() {
    let v = fhir::validator().expect("load");
    let arrays = nested_arrays(50_000);
    let extensions = nested_extensions_json(20_000);
    on_small_stack(|| {
        for value in [&arrays, &extensions] {
            let issues = v.validate(value, None, ProfileSet::Latest);
            assert_eq!(issues.len(), 1, "{issues:#?}");
            assert!(issues[0].message.contains("more than 127 levels"));
            assert_eq!(issues[0].severity, fhir::Severity::Error);
        }
        // the writer keeps its own stack: the XML is written in full, and reading it back is
        // refused, not crashed on
        let text = xml::to_xml(&extensions);
        assert_eq!(text.matches("<extension ").count(), 20_000);
        assert!(matches!(
            parse_body(text.as_bytes(), None),
            Err(WireError::TooDeep(_))
        ));
    });
    // (see above)
    std::mem::forget(arrays);
    std::mem::forget(extensions);
}

#[test]
fn checks_walk_the_deepest_accepted_body_on_a_small_stack() {
    use gpc_assure::checks::{patient, structured};
    // checks see only parsed bodies, which are bounded: the deepest one, objects all the way
    let levels = MAX_NESTING - 5;
    let mut inner = object([("reference", json!("Patient/missing"))]);
    for _ in 0..levels {
        inner = object([("a", inner)]);
    }
    let patient_value = object([
        ("resourceType", json!("Patient")),
        ("id", json!("p")),
        ("x", inner),
    ]);
    let entry = object([("resource", patient_value.clone())]);
    let bundle = object([
        ("resourceType", json!("Bundle")),
        ("entry", Value::Array(vec![entry])),
    ]);
    assert_eq!(nesting_depth(&bundle), MAX_NESTING);
    on_small_stack(|| {
        patient::no_empty_elements(&patient_value, "Patient").expect("nothing empty");
        let e = structured::references_resolve(&bundle).unwrap_err();
        assert!(e.contains("Patient/missing"), "{e}");
    });
}
