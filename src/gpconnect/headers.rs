//! HTTP header names and values fixed by GP Connect (General API guidance: HTTP headers).
//!
//! General API guidance: <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html>

/// Trace id of one request (a new UUID each time).
pub const SSP_TRACE_ID: &str = "Ssp-TraceID";
/// Consumer ASID.
pub const SSP_FROM: &str = "Ssp-From";
/// Provider ASID.
pub const SSP_TO: &str = "Ssp-To";
/// Interaction ID URN.
pub const SSP_INTERACTION_ID: &str = "Ssp-InteractionID";
/// The bearer token.
pub const AUTHORIZATION: &str = "Authorization";

/// The four Spine Secure Proxy headers every request carries.
pub const SSP_HEADERS: [&str; 4] = [SSP_TRACE_ID, SSP_FROM, SSP_TO, SSP_INTERACTION_ID];

/// Every response, success or error, SHALL carry this Cache-Control directive.
pub const NO_STORE: &str = "no-store";

/// The response header that carries [`NO_STORE`].
pub const CACHE_CONTROL: &str = "Cache-Control";
/// The version of a read, created or updated resource, as a weak validator ([`weak_etag`]).
pub const ETAG: &str = "ETag";
/// The version an amend or cancel expects to change (GP Connect 1.2.7, "Development - General API guidance", managing concurrency), as a weak validator.
pub const IF_MATCH: &str = "If-Match";
/// How a response asked for with `Accept-Encoding: gzip` is compressed.
pub const CONTENT_ENCODING: &str = "Content-Encoding";

/// How much of a created or updated resource the consumer wants back (optional; General API guidance,
/// HTTP headers): servers SHALL default to the full resource and SHOULD honour the preference.
pub const PREFER: &str = "Prefer";
/// `Prefer` asking for no body.
pub const RETURN_MINIMAL: &str = "return=minimal";
/// `Prefer` asking for the full resource (the default).
pub const RETURN_REPRESENTATION: &str = "return=representation";

/// Whether a `Prefer` header value asks for [`RETURN_MINIMAL`] (among other preferences, any case).
pub fn prefers_minimal(value: &str) -> bool {
    value
        .split([',', ';'])
        .any(|p| p.trim().eq_ignore_ascii_case(RETURN_MINIMAL))
}

/// Format an ETag value for a version id: `W/"<versionId>"`.
pub fn weak_etag(version_id: &str) -> String {
    format!("W/\"{version_id}\"")
}

/// Parse a weak ETag (`W/"5"`) back to its version id; `None` when not of that form.
pub fn parse_weak_etag(etag: &str) -> Option<&str> {
    etag.trim()
        .strip_prefix("W/\"")
        .and_then(|rest| rest.strip_suffix('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_minimal_is_recognised() {
        assert!(prefers_minimal("return=minimal"));
        assert!(prefers_minimal("respond-async, Return=Minimal"));
        assert!(!prefers_minimal(RETURN_REPRESENTATION));
        assert!(!prefers_minimal(""));
    }

    #[test]
    fn weak_etag_round_trips() {
        assert_eq!(weak_etag("17"), "W/\"17\"");
        assert_eq!(parse_weak_etag("W/\"17\""), Some("17"));
        assert_eq!(parse_weak_etag("\"17\""), None);
        assert_eq!(parse_weak_etag("W/17"), None);
    }
}
