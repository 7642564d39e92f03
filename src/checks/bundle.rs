//! Searchset bundles (Find interactions, Register patient).

use serde_json::Value;

use super::response::resource_type_is;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;

/// The entries' resources of a bundle.
pub fn entries(bundle: &Value) -> Vec<&Value> {
    bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(|x| x.get("resource")).collect())
        .unwrap_or_default()
}

/// The string at the JSON pointer `ptr`, or "" where there is none.
pub fn text<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.at(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// `Type/id` of a resource, as a reference to it reads.
pub fn label(r: &Value) -> String {
    format!("{}/{}", text(r, "/resourceType"), text(r, "/id"))
}

/// Resources of `ty` among the entries.
pub fn of_type<'a>(bundle: &'a Value, ty: &str) -> Vec<&'a Value> {
    entries(bundle)
        .into_iter()
        .filter(|r| text(r, "/resourceType") == ty)
        .collect()
}

/// The entry resource `Type/id` refers to.
pub fn resolve<'a>(bundle: &'a Value, reference: &str) -> Option<&'a Value> {
    let (ty, id) = reference.split_once('/')?;
    entries(bundle)
        .into_iter()
        .find(|r| text(r, "/resourceType") == ty && text(r, "/id") == id)
}

/// A Bundle of type searchset whose entries hold resources. `entry.fullUrl` is a SHOULD NOT in Foundations
/// and Appointments (1.2.3+), so it is not a failure here: [`full_url_warnings`] reports it ("FHIR
/// resource guidance", Bundle.entry.fullUrl:
/// https://developer.nhs.uk/apis/gpconnect-1-2-7/development_fhir_resource_guidance.html).
pub fn is_searchset(bundle: &Value) -> CheckResult {
    is_of_type(bundle, "searchset")
}

/// A Bundle of type `ty` whose entries each hold a resource.
pub fn is_of_type(bundle: &Value, ty: &str) -> CheckResult {
    resource_type_is(bundle, "Bundle")?;
    let actual = bundle
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(actual == ty, || {
        format!("Bundle.type is {actual:?}; expected {ty:?}")
    })?;
    if let Some(list) = bundle.get("entry").and_then(Value::as_array) {
        for (i, e) in list.iter().enumerate() {
            ensure(e.get("resource").is_some(), || {
                format!("Bundle.entry[{i}] has no resource")
            })?;
        }
    }
    Ok(())
}

/// None of the Bundle elements at these JSON pointers (`/meta/versionId`, `/total`...) is populated.
pub fn not_populated(bundle: &Value, pointers: &[&str]) -> CheckResult {
    for pointer in pointers {
        ensure(bundle.at(pointer).is_none(), || {
            format!("Bundle{} must not be populated", pointer.replace('/', "."))
        })?;
    }
    Ok(())
}

/// The bundle holds exactly `n` entries.
pub fn entry_count_is(bundle: &Value, n: usize) -> CheckResult {
    let found = entries(bundle).len();
    ensure(found == n, || {
        format!("expected {n} entries in the Bundle, found {found}")
    })
}

/// Every entry is a `resource_type`.
pub fn all_entries_are(bundle: &Value, resource_type: &str) -> CheckResult {
    for (i, r) in entries(bundle).iter().enumerate() {
        resource_type_is(r, resource_type).map_err(|e| format!("Bundle.entry[{i}]: {e}"))?;
    }
    Ok(())
}

/// `(location, message)` for every `entry.fullUrl` of a Foundations or Appointments Bundle: the
/// specification says it SHOULD NOT be populated (1.2.3+), a warning rather than a failure. (In Access
/// Record Structured it is a MUST NOT, enforced by the structured Bundle rules.)
pub fn full_url_warnings(bundle: &Value) -> Vec<(String, String)> {
    bundle
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, e)| e.get("fullUrl").is_some())
        .map(|(i, _)| {
            (
                format!("Bundle.entry[{i}].fullUrl"),
                "Bundle.entry.fullUrl is populated; GP Connect says it SHOULD NOT be (1.2.3+)"
                    .to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn searchset_rules() {
        let good = json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"resourceType": "Patient"}}]});
        is_searchset(&good).unwrap();
        entry_count_is(&good, 1).unwrap();
        all_entries_are(&good, "Patient").unwrap();
        assert_fails!(entry_count_is(&good, 0), "expected 0 entries");
        assert_fails!(all_entries_are(&good, "Organization"), "Bundle.entry[0]");
        let collection = json!({"resourceType": "Bundle", "type": "collection"});
        assert_fails!(is_searchset(&collection), "collection");
        is_of_type(&collection, "collection").unwrap();
        assert_fails!(is_of_type(&good, "collection"), "expected \"collection\"");
        let empty_entry = json!({"resourceType": "Bundle", "type": "collection", "entry": [{}]});
        assert_fails!(
            is_of_type(&empty_entry, "collection"),
            "Bundle.entry[0] has no resource"
        );
        not_populated(&good, &["/total", "/meta/versionId"]).unwrap();
        let versioned = json!({"resourceType": "Bundle", "meta": {"versionId": "1"}});
        assert_fails!(
            not_populated(&versioned, &["/total", "/meta/versionId"]),
            "Bundle.meta.versionId must not be populated"
        );
        let full_url = json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"fullUrl": "http://x/Patient/1", "resource": {"resourceType": "Patient"}}]});
        // fullUrl is a SHOULD NOT: the Bundle passes and the warning names the entry.
        is_searchset(&full_url).unwrap();
        let w = full_url_warnings(&full_url);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].0, "Bundle.entry[0].fullUrl");
        assert!(full_url_warnings(&good).is_empty());
        let empty = json!({"resourceType": "Bundle", "type": "searchset"});
        entry_count_is(&empty, 0).unwrap();
    }
}
