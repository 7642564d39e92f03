//! The checks a scenario makes on what a provider returned. Each is a plain function over an
//! [`Exchange`](crate::http::Exchange) or a parsed resource, returning a message a supplier's developer
//! can act on; each has a unit test in which it catches a broken response.
//!
//! # Every check is proven
//!
//! A check is a `pub fn` at the top level of one of these modules that returns [`CheckResult`] or
//! another `Result<_, String>` (an accessor that fails with a message is a check too). Each one must be
//! called, in the test module of its own file, inside
//! `assert_fails!(check(broken input...), "words of the message")`: the test gives it a realistic
//! broken input and requires the message to name the problem. Calls from another file name the module
//! (`assert_fails!(resource::declares_profile(...), ...)`). Where it helps, the same test also shows the
//! check passing a valid input, so that it proves the check discriminates.
//!
//! `every_check_has_a_failing_test` below reads the sources and fails, naming them, while a check has no
//! such call. Helpers that only read (`entries`, `of_type`, `resolve`) return no `Result` and are left out.

/// Asserts that a check fails, and that its message contains `needle` (what names the problem).
#[cfg(test)]
macro_rules! assert_fails {
    ($check:expr, $needle:expr $(,)?) => {{
        let needle: &str = $needle;
        assert!(
            !needle.is_empty(),
            "assert_fails! needs words of the expected message"
        );
        match $check {
            Ok(_) => panic!(
                "{} passed; it must fail with a message naming {:?}",
                stringify!($check),
                needle
            ),
            Err(message) => assert!(
                message.contains(needle),
                "{} failed with {:?}, which does not name {:?}",
                stringify!($check),
                message,
                needle
            ),
        }
    }};
}

pub mod appointment;
pub mod bundle;
pub mod capability;
pub mod documents;
pub mod headers;
pub mod html;
pub mod html_record;
pub mod location;
pub mod negotiation;
pub mod organisation;
pub mod outcome;
pub mod patient;
pub mod practitioner;
pub mod protocol;
pub mod register;
pub mod resource;
pub mod response;
pub mod slot;
pub mod structured;
pub mod transport;

/// A check passes, or fails with a message.
pub type CheckResult = Result<(), String>;

/// Fail with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> CheckResult {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::http::{Exchange, RecordedRequest, RecordedResponse};

    /// An exchange whose response has this status, headers and body.
    pub fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            interaction: None,
            role: crate::http::Role::UnderTest,
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://p/metadata".into(),
                headers: vec![],
                body: None,
                body_info: None,
                jwt_claims: None,
            },
            response: Some(RecordedResponse::new(
                status,
                headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body.as_bytes().to_vec(),
                None,
            )),
            error: None,
            elapsed_ms: 1.0,
            findings: vec![],
        }
    }
}

#[cfg(test)]
mod proven {
    /// The source of every check module, by module name.
    const SOURCES: &[(&str, &str)] = &[
        ("appointment", include_str!("appointment.rs")),
        ("bundle", include_str!("bundle.rs")),
        ("capability", include_str!("capability.rs")),
        ("documents", include_str!("documents.rs")),
        ("html", include_str!("html.rs")),
        ("html_record", include_str!("html_record.rs")),
        ("headers", include_str!("headers.rs")),
        ("location", include_str!("location.rs")),
        ("negotiation", include_str!("negotiation.rs")),
        ("organisation", include_str!("organisation.rs")),
        ("outcome", include_str!("outcome.rs")),
        ("patient", include_str!("patient.rs")),
        ("practitioner", include_str!("practitioner.rs")),
        ("protocol", include_str!("protocol.rs")),
        ("register", include_str!("register.rs")),
        ("resource", include_str!("resource.rs")),
        ("response", include_str!("response.rs")),
        ("slot", include_str!("slot.rs")),
        ("structured", include_str!("structured.rs")),
        ("transport", include_str!("transport.rs")),
    ];

    /// The code of a module (before its first `#[cfg(test)]` line) and its tests (after).
    fn split(source: &str) -> (&str, &str) {
        match source.find("\n#[cfg(test)]") {
            Some(i) => (&source[..i], &source[i..]),
            None => (source, ""),
        }
    }

    /// Names of the top-level `pub fn`s returning `CheckResult` or `Result<_, String>`.
    fn checks(code: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (at, _) in code.match_indices("\npub fn ") {
            let rest = &code[at + "\npub fn ".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let Some(open) = rest.find('(') else { continue };
            let mut depth = 0;
            let mut close = None;
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(open + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(close) = close else { continue };
            let signature_end = rest[close..].find('{').map_or(rest.len(), |i| close + i);
            let returns = rest[close + 1..signature_end]
                .trim()
                .trim_start_matches("->")
                .trim();
            let is_check = returns == "CheckResult"
                || (returns.starts_with("Result<") && returns.ends_with(", String>"));
            if is_check {
                found.push(name);
            }
        }
        found
    }

    /// `(module, check)` for every `assert_fails!(path::check(` in `tests` of `module`.
    fn proven(module: &str, tests: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (at, _) in tests.match_indices("assert_fails!(") {
            let rest = tests[at + "assert_fails!(".len()..].trim_start();
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if !rest[path.len()..].starts_with('(') {
                continue;
            }
            let mut parts: Vec<&str> = path.split("::").collect();
            let name = parts.pop().unwrap_or_default().to_string();
            let owner = match parts.last() {
                None | Some(&"super") | Some(&"self") => module.to_string(),
                Some(m) => m.to_string(),
            };
            found.push((owner, name));
        }
        found
    }

    #[test]
    fn the_source_reader_finds_checks_and_their_proofs() {
        let code = "//! x\npub fn a(x: &Value) -> CheckResult {\n}\npub fn b<'a>(\n    x: &'a Value,\n    f: impl Fn() -> String,\n) -> Result<Vec<(String, String)>, String> {\n}\npub fn c(x: &Value) -> Vec<String> {\n}\n    pub fn d() -> CheckResult {\n}\n";
        assert_eq!(checks(code), ["a", "b"]);
        let tests = "assert_fails!(a(&x), \"m\");\nassert_fails!(\n    super::b(&y),\n    \"n\"\n);\nassert_fails!(other::c(&z), \"o\");\nassert_fails!(broken(&|a| x), \"p\");";
        assert_eq!(
            proven("m", tests),
            [
                ("m".to_string(), "a".to_string()),
                ("m".to_string(), "b".to_string()),
                ("other".to_string(), "c".to_string()),
                ("m".to_string(), "broken".to_string()),
            ]
        );
    }

    #[test]
    fn every_check_module_is_read() {
        let declared: Vec<&str> = include_str!("mod.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
            .collect();
        let missing: Vec<&&str> = declared
            .iter()
            .filter(|m| !SOURCES.iter().any(|(s, _)| s == *m))
            .collect();
        assert!(
            missing.is_empty(),
            "add these check modules to SOURCES: {missing:?}"
        );
    }

    #[test]
    fn every_check_has_a_failing_test() {
        let proofs: Vec<(String, String)> = SOURCES
            .iter()
            .flat_map(|(m, s)| proven(m, split(s).1))
            .collect();
        let mut unproven = Vec::new();
        let mut count = 0;
        for (module, source) in SOURCES {
            for check in checks(split(source).0) {
                count += 1;
                if !proofs.iter().any(|(m, c)| m == module && *c == check) {
                    unproven.push(format!("checks::{module}::{check}"));
                }
            }
        }
        assert!(
            count > 100,
            "only {count} checks found: the source reader is broken"
        );
        assert!(
            unproven.is_empty(),
            "{} public checks have no test in which they fail (assert_fails!(check(...), \"message\")): {}",
            unproven.len(),
            unproven.join(", ")
        );
    }
}
