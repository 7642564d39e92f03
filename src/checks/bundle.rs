//! Searchset bundles (Find interactions, Register patient).

use serde_json::Value;

use super::response::resource_type_is;
use super::{ensure, CheckResult};

/// The entries' resources of a bundle.
pub fn entries(bundle: &Value) -> Vec<&Value> {
    bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(|x| x.get("resource")).collect())
        .unwrap_or_default()
}

/// A Bundle of type searchset, without `entry.fullUrl` (SHOULD NOT since 1.2.3; we treat it as a failure
/// as the official suite's users expect).
pub fn is_searchset(bundle: &Value) -> CheckResult {
    resource_type_is(bundle, "Bundle")?;
    let ty = bundle
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    ensure(ty == "searchset", || {
        format!("Bundle.type is {ty:?}; expected \"searchset\"")
    })?;
    if let Some(list) = bundle.get("entry").and_then(Value::as_array) {
        for (i, e) in list.iter().enumerate() {
            ensure(e.get("resource").is_some(), || {
                format!("Bundle.entry[{i}] has no resource")
            })?;
            ensure(e.get("fullUrl").is_none(), || {
                format!("Bundle.entry[{i}].fullUrl is populated; GP Connect says it SHOULD NOT be")
            })?;
        }
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
        let full_url = json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"fullUrl": "http://x/Patient/1", "resource": {"resourceType": "Patient"}}]});
        assert_fails!(is_searchset(&full_url), "fullUrl");
        let empty = json!({"resourceType": "Bundle", "type": "searchset"});
        entry_count_is(&empty, 0).unwrap();
    }
}
