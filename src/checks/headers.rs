//! Response headers every GP Connect response must carry.

use serde_json::Value;

use super::response::response;
use super::{ensure, CheckResult};
use crate::gpconnect::headers::{parse_weak_etag, NO_STORE};
use crate::http::Exchange;

/// `Cache-Control` contains `no-store` (every response, success or error).
pub fn cache_control_no_store(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    let values = r.header_all("cache-control");
    ensure(
        values
            .iter()
            .flat_map(|v| v.split(','))
            .any(|d| d.trim().eq_ignore_ascii_case(NO_STORE)),
        || {
            match values.is_empty() {
            true => "the response has no Cache-Control header; GP Connect requires Cache-Control: no-store on every response".into(),
            false => format!("Cache-Control is {:?}; it must contain no-store", values.join(", ")),
        }
        },
    )
}

/// `ETag` is `W/"<versionId>"` and equals the resource's `meta.versionId`.
pub fn etag_matches_version(exchange: &Exchange, resource: &Value) -> CheckResult {
    let r = response(exchange)?;
    let etag = r
        .header("etag")
        .ok_or("the response has no ETag header; reads must carry ETag: W/\"<versionId>\"")?;
    let version = parse_weak_etag(etag).ok_or_else(|| {
        format!("ETag {etag:?} is not a weak validator of the form W/\"<versionId>\"")
    })?;
    let meta_version = resource
        .pointer("/meta/versionId")
        .and_then(Value::as_str)
        .ok_or("the resource has no meta.versionId to compare the ETag with")?;
    ensure(version == meta_version, || {
        format!("ETag {etag:?} does not match meta.versionId {meta_version:?}")
    })
}

/// A header is present with a non-empty value.
pub fn present(exchange: &Exchange, name: &str) -> CheckResult {
    let r = response(exchange)?;
    ensure(r.header(name).is_some_and(|v| !v.trim().is_empty()), || {
        format!("the response has no {name} header")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::fixtures::exchange;
    use serde_json::json;

    #[test]
    fn no_store_is_required() {
        assert!(
            cache_control_no_store(&exchange(200, &[("Cache-Control", "no-store")], "")).is_ok()
        );
        assert!(cache_control_no_store(&exchange(
            200,
            &[("cache-control", "private, no-store")],
            ""
        ))
        .is_ok());
        assert!(
            cache_control_no_store(&exchange(200, &[("Cache-Control", "no-cache")], "")).is_err()
        );
        assert!(cache_control_no_store(&exchange(200, &[], ""))
            .unwrap_err()
            .contains("no Cache-Control"));
    }

    #[test]
    fn etag_must_match_version() {
        let res = json!({"meta": {"versionId": "3"}});
        assert!(etag_matches_version(&exchange(200, &[("ETag", "W/\"3\"")], ""), &res).is_ok());
        assert!(etag_matches_version(&exchange(200, &[("ETag", "W/\"4\"")], ""), &res).is_err());
        assert!(etag_matches_version(&exchange(200, &[("ETag", "\"3\"")], ""), &res).is_err());
        assert!(etag_matches_version(&exchange(200, &[], ""), &res).is_err());
        assert!(
            etag_matches_version(&exchange(200, &[("ETag", "W/\"3\"")], ""), &json!({})).is_err()
        );
    }
}
