//! What an amend or a cancel may change in an appointment, and the comparison that finds what else
//! changed. The reference provider refuses a request that changes more; the checks fail a response that
//! does.
//!
//! Specification: "Amend an appointment"
//! (<https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_amend_an_appointment.html>):
//! only `description` and `comment`; "Cancel an appointment"
//! (<https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_use_case_cancel_an_appointment.html>):
//! only `status` and the cancellation-reason extension.

use serde_json::{Map, Value};

use super::EXT_CANCELLATION_REASON;

/// Elements an amend may change.
pub const AMEND_MAY_CHANGE: &[&str] = &["description", "comment"];
/// Elements a cancel may change; a cancel also adds the cancellation-reason extension.
pub const CANCEL_MAY_CHANGE: &[&str] = &["status"];
/// Elements never compared: the version (`meta`) and the provider-owned `serviceType` and
/// `serviceCategory` (a provider ignores them when sent and fills them itself).
pub const NOT_COMPARED: &[&str] = &["meta", "serviceType", "serviceCategory"];

/// Top-level elements that differ between `before` and `after`, other than [`NOT_COMPARED`] and
/// `may_change`. `extension` is compared without the cancellation reason when `status` may change
/// (a cancel adds the reason as it changes the status); otherwise a reason added or changed counts.
pub fn changed_elements(before: &Value, after: &Value, may_change: &[&str]) -> Vec<String> {
    let empty = Map::new();
    let (a, b) = (
        before.as_object().unwrap_or(&empty),
        after.as_object().unwrap_or(&empty),
    );
    let cancel = may_change.contains(&"status");
    let extensions = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter(|e| {
                        !cancel
                            || e.get("url").and_then(Value::as_str) != Some(EXT_CANCELLATION_REASON)
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !NOT_COMPARED.contains(&k.as_str()) && !may_change.contains(&k.as_str()))
        .filter(|k| match k.as_str() {
            "extension" => extensions(a.get(*k)) != extensions(b.get(*k)),
            _ => a.get(*k) != b.get(*k),
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_what_changed_beyond_what_may() {
        let reason = json!({"url": EXT_CANCELLATION_REASON, "valueString": "r"});
        let a = json!({"id": "1", "meta": {"versionId": "1"}, "description": "a", "priority": 1,
            "serviceType": [{"text": "x"}], "extension": [{"url": "x"}]});
        let b = json!({"id": "1", "meta": {"versionId": "2"}, "description": "b", "priority": 2,
            "status": "cancelled", "extension": [{"url": "x"}, reason]});
        assert_eq!(
            changed_elements(&a, &b, CANCEL_MAY_CHANGE),
            ["description", "priority"]
        );
        assert_eq!(
            changed_elements(&a, &b, AMEND_MAY_CHANGE),
            ["extension", "priority", "status"]
        );
        assert!(changed_elements(&a, &a, &[]).is_empty());
    }
}
