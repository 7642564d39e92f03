//! Query-string parsing that keeps repeated and mis-cased parameters visible.
//!
//! Search rules depend on *how many* `identifier` parameters arrived and on their exact case, which a
//! map-based extractor would hide, so the raw query is parsed here into ordered pairs.

/// The query string as ordered `(name, value)` pairs, percent-decoded.
///
/// `+` is kept literally (RFC 3986 query, not HTML form encoding): `_format=application/fhir+json` must
/// keep its `+`.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// All values of parameter `name` (exact, case-sensitive match).
pub fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Percent-decode; invalid escapes are kept as written and invalid UTF-8 is replaced, never panicking.
pub fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pipes_and_keeps_plus() {
        let p = pairs(Some("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937278&_format=application/fhir+json&flag"));
        assert_eq!(p[0].1, "https://fhir.nhs.uk/Id/nhs-number|9690937278");
        assert_eq!(p[1].1, "application/fhir+json");
        assert_eq!(p[2], ("flag".to_string(), String::new()));
        assert_eq!(values(&p, "identifier").len(), 1);
        assert!(values(&p, "Identifier").is_empty());
    }

    #[test]
    fn survives_bad_escapes() {
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%ff"), "\u{fffd}");
        assert_eq!(decode("a%7Cb"), "a|b");
    }
}
