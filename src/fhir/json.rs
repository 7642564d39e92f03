//! Reading a large FHIR JSON Bundle on all cores.
//!
//! `serde_json` reads a document on one thread: a 2,000-entry Bundle (4 MB) takes 30-40 ms, a
//! third of the time it takes to validate it, while the other core waits. A Bundle's entries are
//! independent JSON values, so this module finds where each one is in the text (a scan of the
//! structure alone, about a tenth of the reading) and reads them on all cores.
//!
//! The result is the value a one-pass reading gives, or nothing: anything the scan does not
//! expect (no top-level `entry` array, `entry` twice, an escaped key, nesting beyond
//! [`MAX_NESTING`], a malformed part) gives `None`, and the caller reads the document in one pass,
//! which also words any error exactly as it always has.

use std::ops::Range;

use serde_json::Value;

use super::MAX_NESTING;

/// Bodies smaller than this are read in one pass: splitting would gain less than it costs.
const SPLIT_FROM_BYTES: usize = 256 * 1024;

/// Fewest entries worth reading on several threads.
const MIN_ENTRIES: usize = 8;

/// Reads `text` (a whole JSON document) with its top-level `entry` array's items read on all
/// cores; `None` when the document is small, is not shaped so, or is not well-formed.
pub(super) fn read_entries_on_all_cores(text: &str) -> Option<Value> {
    if text.len() < SPLIT_FROM_BYTES {
        return None;
    }
    read_split(text)
}

/// [`read_entries_on_all_cores`] whatever the document's size.
fn read_split(text: &str) -> Option<Value> {
    let found = locate_entries(text.as_bytes())?;
    if found.items.len() < MIN_ENTRIES {
        return None;
    }
    // the document without its entries: `"entry": []` where they were
    let mut outer = String::with_capacity(text.len() - found.array.len() + 2);
    outer.push_str(text.get(..found.array.start)?);
    outer.push_str("[]");
    outer.push_str(text.get(found.array.end..)?);
    let mut doc: Value = serde_json::from_str(&outer).ok()?;

    let entries = super::map_on_all_cores(found.items.len(), MIN_ENTRIES, |i| {
        serde_json::from_str::<Value>(text.get(found.items[i].clone())?).ok()
    })?;
    match doc.get_mut("entry") {
        Some(slot @ Value::Array(_)) => *slot = Value::Array(entries),
        _ => return None,
    }
    Some(doc)
}

/// Where the top-level `entry` array is, and each of its items (with the white space around
/// them), in a document whose root is an object.
#[derive(Debug, PartialEq)]
struct Entries {
    /// From `[` to just after `]`.
    array: Range<usize>,
    items: Vec<Range<usize>>,
}

/// Scans the structure of `text`: strings are skipped, brackets counted. `None` when the root
/// is not an object, when it has no `entry` array or more than one `entry`, when one of its keys
/// holds an escape (it might spell `entry`), when anything nests deeper than [`MAX_NESTING`], or
/// when the brackets do not balance.
fn locate_entries(text: &[u8]) -> Option<Entries> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    if text[start] != b'{' {
        return None;
    }
    let mut depth = 0usize;
    // the last string met directly in the root object, and the key it became at its ':'
    let mut root_string: Option<Range<usize>> = None;
    let mut root_key_is_entry = false;
    let mut entry_keys = 0;
    let mut array: Option<Range<usize>> = None;
    let mut items: Vec<Range<usize>> = Vec::new();
    // inside the entry array: where the current item starts
    let mut item_start: Option<usize> = None;
    let mut i = start;
    while i < text.len() {
        let b = text[i];
        match b {
            b'"' => {
                let from = i + 1;
                let mut at = from;
                loop {
                    at += memchr::memchr2(b'"', b'\\', text.get(at..)?)?;
                    if text[at] == b'\\' {
                        at += 2;
                        continue;
                    }
                    break;
                }
                if depth == 1 {
                    root_string = Some(from..at);
                }
                i = at + 1;
                continue;
            }
            b':' if depth == 1 => {
                let key = &text[root_string.take()?];
                if key.contains(&b'\\') {
                    return None;
                }
                root_key_is_entry = key == b"entry";
                if root_key_is_entry {
                    entry_keys += 1;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return None;
                }
                if depth == 2 && b == b'[' && root_key_is_entry && array.is_none() {
                    array = Some(i..i);
                    item_start = Some(i + 1);
                }
            }
            b'}' | b']' => {
                if depth == 2 {
                    if let Some(from) = item_start.take() {
                        if b != b']' {
                            return None;
                        }
                        let last = from..i;
                        // `[]` and `[ ]` have no items; `[a,]` has an empty one, which fails
                        if !(items.is_empty()
                            && text[last.clone()].iter().all(u8::is_ascii_whitespace))
                        {
                            items.push(last);
                        }
                        array = array.map(|a| a.start..i + 1);
                    }
                }
                depth = depth.checked_sub(1)?;
            }
            b',' if depth == 2 => {
                if let Some(from) = item_start {
                    items.push(from..i);
                    item_start = Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let array = array.filter(|a| !a.is_empty())?;
    (depth == 0 && entry_keys == 1).then_some(Entries { array, items })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(n: usize) -> String {
        let entries: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "fullUrl": format!("urn:uuid:{i}"),
                    "resource": {
                        "resourceType": "Patient",
                        "id": format!("p{i}"),
                        "name": [{"family": "O'Brien [\"x\"] {y}", "given": ["A\\", "B,C"]}],
                        "birthDate": "1951-03-14"
                    }
                })
            })
            .collect();
        serde_json::to_string_pretty(&json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": entries,
            "meta": {"profile": ["https://example.org/a"]}
        }))
        .expect("json")
    }

    #[test]
    fn a_bundle_read_on_all_cores_is_the_bundle_read_in_one_pass() {
        let text = bundle(50);
        let split = read_split(&text).expect("read in parts");
        let whole: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(split, whole);
        // the keys keep their order ("entry" before "meta")
        let keys: Vec<&String> = split.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["resourceType", "type", "entry", "meta"]);
    }

    #[test]
    fn the_scan_finds_each_entry_and_nothing_else() {
        let text = r#"{"a":"entry","x":["entry"],"entry" : [ {"b":"]"} ,{"c":"\","} ],"d":{"entry":[1,2]}}"#;
        let found = locate_entries(text.as_bytes()).expect("found");
        let items: Vec<&str> = found.items.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(items, [r#" {"b":"]"} "#, r#"{"c":"\","} "#]);
        assert_eq!(&text[found.array], r#"[ {"b":"]"} ,{"c":"\","} ]"#);
    }

    #[test]
    fn what_the_scan_does_not_expect_is_left_to_a_reading_in_one_pass() {
        let e = r#"{"resourceType":"Patient"}"#;
        let many = [e; 10].join(",");
        for (why, text) in [
            (
                "no entry",
                format!(r#"{{"resourceType":"Bundle","link":[{}]}}"#, many),
            ),
            (
                "entry twice",
                format!(r#"{{"entry":[{}],"entry":[]}}"#, many),
            ),
            (
                "an escaped key",
                format!(r#"{{"entr\u0079":[],"entry":[{}]}}"#, many),
            ),
            (
                "entry not an array",
                format!(r#"{{"entry":{{"a":[{}]}}}}"#, many),
            ),
            ("an array root", format!("[{}]", many)),
            ("too few entries", format!(r#"{{"entry":[{e},{e}]}}"#)),
            ("unclosed root", format!(r#"{{"entry":[{}]"#, many)),
            (
                "wrong closing bracket",
                format!(r#"{{"entry":[{}}}}}"#, many),
            ),
        ] {
            assert_eq!(read_split(&text), None, "{why}");
        }
        let deep = format!(
            r#"{{"entry":[{}, {}{}]}}"#,
            many,
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert_eq!(locate_entries(deep.as_bytes()), None, "too deep");
    }

    /// Every document made by deleting, doubling or replacing one byte of a Bundle: whatever the
    /// reading in parts gives is what a reading in one pass gives, and a document that reading
    /// refuses is never read in parts.
    #[test]
    fn a_damaged_bundle_is_read_in_parts_only_as_a_reading_in_one_pass_reads_it() {
        let text = bundle(9);
        let bytes = text.as_bytes();
        let mut read_in_parts = 0;
        for at in 0..bytes.len() {
            for edit in 0..5 {
                let mut b = bytes.to_vec();
                match edit {
                    0 => {
                        b.remove(at);
                    }
                    1 => b.insert(at, bytes[at]),
                    2 => b[at] = b',',
                    3 => b[at] = b']',
                    _ => b[at] = b'"',
                }
                let Ok(damaged) = std::str::from_utf8(&b) else {
                    continue;
                };
                let whole = serde_json::from_str::<Value>(damaged).ok();
                if let Some(split) = read_split(damaged) {
                    read_in_parts += 1;
                    assert_eq!(Some(split), whole, "edit {edit} at byte {at}: {damaged}");
                }
            }
        }
        // damage to white space or inside a string leaves most of them readable
        assert!(read_in_parts > 1_000, "{read_in_parts}");
    }
}
