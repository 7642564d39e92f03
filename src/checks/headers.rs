//! Response headers every GP Connect response must carry.

use serde_json::Value;

use super::response::response;
use super::{ensure, CheckResult};
use crate::fhir::Pointer as _;
use crate::gpconnect::headers::{parse_weak_etag, CACHE_CONTROL, ETAG, NO_STORE};
use crate::http::{Exchange, RecordedResponse};

/// The values of the comma-separated header `name`, and whether one of its tokens is `token`
/// (case-insensitively).
pub(crate) fn header_tokens<'a>(
    r: &'a RecordedResponse,
    name: &str,
    token: &str,
) -> (Vec<&'a str>, bool) {
    let values = r.header_all(name);
    let found = values
        .iter()
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token));
    (values, found)
}

/// `Cache-Control` contains `no-store` (every response, success or error).
pub fn cache_control_no_store(exchange: &Exchange) -> CheckResult {
    let r = response(exchange)?;
    let (values, found) = header_tokens(r, CACHE_CONTROL, NO_STORE);
    ensure(found, || {
        match values.is_empty() {
            true => "the response has no Cache-Control header; GP Connect requires Cache-Control: no-store on every response".into(),
            false => format!("Cache-Control is {:?}; it must contain no-store", values.join(", ")),
        }
    })
}

/// `ETag` is `W/"<versionId>"` and equals the resource's `meta.versionId`.
pub fn etag_matches_version(exchange: &Exchange, resource: &Value) -> CheckResult {
    let r = response(exchange)?;
    let etag = r
        .header(ETAG)
        .ok_or("the response has no ETag header; reads must carry ETag: W/\"<versionId>\"")?;
    let version = parse_weak_etag(etag).ok_or_else(|| {
        format!("ETag {etag:?} is not a weak validator of the form W/\"<versionId>\"")
    })?;
    let meta_version = resource
        .at("/meta/versionId")
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
        assert_fails!(
            cache_control_no_store(&exchange(200, &[("Cache-Control", "no-cache")], "")),
            "it must contain no-store"
        );
        assert_fails!(
            cache_control_no_store(&exchange(200, &[], "")),
            "no Cache-Control"
        );
    }

    #[test]
    fn a_named_header_must_carry_a_value() {
        present(
            &exchange(
                201,
                &[("Location", "http://p/Appointment/1/_history/1")],
                "",
            ),
            "Location",
        )
        .unwrap();
        assert_fails!(
            present(&exchange(201, &[], ""), "Location"),
            "no Location header"
        );
        assert_fails!(
            present(&exchange(201, &[("Location", " ")], ""), "Location"),
            "no Location header"
        );
    }

    #[test]
    fn etag_must_match_version() {
        let res = json!({"meta": {"versionId": "3"}});
        assert!(etag_matches_version(&exchange(200, &[("ETag", "W/\"3\"")], ""), &res).is_ok());
        assert_fails!(
            etag_matches_version(&exchange(200, &[("ETag", "W/\"4\"")], ""), &res),
            "does not match meta.versionId"
        );
        assert_fails!(
            etag_matches_version(&exchange(200, &[("ETag", "\"3\"")], ""), &res),
            "not a weak validator"
        );
        assert_fails!(
            etag_matches_version(&exchange(200, &[], ""), &res),
            "no ETag header"
        );
        assert_fails!(
            etag_matches_version(&exchange(200, &[("ETag", "W/\"3\"")], ""), &json!({})),
            "no meta.versionId"
        );
    }
}
