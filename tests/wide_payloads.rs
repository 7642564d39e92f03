//! Payloads with very many elements: validation stays linear and its report readable.
//!
//! Timings are measured in `benches/validation.rs`; the bound here only catches a return to
//! quadratic cost (which took minutes on this payload).

use std::time::{Duration, Instant};

use gpc_assure::fhir::{self, ProfileSet, Severity, MAX_ISSUES_OF_A_KIND};

const NAMES: usize = 100_000;

/// A Patient with `n` elements of distinct names the definitions do not know (~1.9 MB of XML).
fn distinct_names_xml(n: usize) -> String {
    let mut s = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    for i in 0..n {
        s.push_str(&format!("<unknown{i} value=\"x\"/>"));
    }
    s.push_str("</Patient>");
    s
}

/// The same as FHIR JSON.
fn distinct_names_json(n: usize) -> String {
    let mut s = String::from("{\"resourceType\":\"Patient\"");
    for i in 0..n {
        s.push_str(&format!(",\"unknown{i}\":\"x\""));
    }
    s.push('}');
    s
}

#[test]
fn distinct_element_names_validate_in_linear_time_with_a_capped_report() {
    let v = fhir::validator().expect("load");
    let xml = distinct_names_xml(NAMES);
    assert!(xml.len() > 1_800_000, "{}", xml.len());
    for (body, ct) in [
        (xml.into_bytes(), "application/fhir+xml"),
        (
            distinct_names_json(NAMES).into_bytes(),
            "application/fhir+json",
        ),
    ] {
        let started = Instant::now();
        let issues = v.validate_body(&body, Some(ct), None, ProfileSet::Latest);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(30),
            "{ct}: {took:?} for {NAMES} distinct elements"
        );
        let unknown: Vec<_> = issues
            .iter()
            .filter(|i| i.message.starts_with("Unknown element"))
            .collect();
        assert_eq!(unknown.len(), MAX_ISSUES_OF_A_KIND, "{ct}");
        assert_eq!(unknown[0].location, "Patient.unknown0");
        let more: Vec<_> = issues
            .iter()
            .filter(|i| i.message.starts_with("... and "))
            .collect();
        assert_eq!(more.len(), 1, "{ct}: {issues:#?}");
        assert!(
            more[0]
                .message
                .starts_with("... and 99,990 more issues like \"Unknown element"),
            "{}",
            more[0].message
        );
        assert_eq!(more[0].severity, Severity::Error);
        assert_eq!(more[0].location, "Patient");
        assert_eq!(more[0].omitted, Some(NAMES - MAX_ISSUES_OF_A_KIND));
        let errors: usize = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.count())
            .sum();
        assert_eq!(errors, NAMES, "{ct}: every one counted");
    }
}
