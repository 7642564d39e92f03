//! The three report writers against a hand-built run: escaping of hostile provider content,
//! verdicts, and that junit.xml / results.json are well-formed and carry the failure.

mod common;

use gpc_assure::http::evidence::Finding;
use gpc_assure::http::{Exchange, RecordedRequest, RecordedResponse};
use gpc_assure::report::{
    self, Failure, FeatureResult, RunReport, RunStopped, ScenarioResult, Status, StepResult,
    StopReason, TargetSummary, Verdict,
};
use quick_xml::events::Event;
use quick_xml::Reader;

const HOSTILE_BODY: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#;

fn target() -> TargetSummary {
    TargetSummary {
        foundations_url: "https://provider.example/B82617/STU3/1/gpconnect/fhir".into(),
        structured_url: "https://provider.example/B82617/STU3/1/gpconnect/structured/fhir".into(),
        documents_url: "https://provider.example/B82617/STU3/1/gpconnect/documents/fhir".into(),
        html_url: "https://provider.example/B82617/DSTU2/0/gpconnect".into(),
        provider_asid: "918999198738".into(),
        provider_ods_code: "B82617".into(),
        gpconnect_version: "1.2.7".into(),
        structured_version: "1.6.0".into(),
        html_version: "0.7.4".into(),
        embedded: false,
        tls_verify: true,
        ssp_url: None,
        cover: Default::default(),
    }
}

fn step(keyword: &str, text: &str, status: Status, message: Option<&str>) -> StepResult {
    StepResult {
        keyword: keyword.into(),
        text: text.into(),
        status,
        message: message.map(Into::into),
        background: false,
    }
}

fn exchange(url: &str, status: u16, body: &str, findings: Vec<Finding>) -> Exchange {
    Exchange {
        interaction: Some("read metadata".into()),
        role: gpc_assure::http::Role::UnderTest,
        request: RecordedRequest {
            method: "GET".into(),
            url: url.into(),
            headers: vec![
                (
                    "Ssp-TraceID".into(),
                    "09a01679-2564-0fb4-5129-aecc81ea2706".into(),
                ),
                (
                    "Authorization".into(),
                    "Bearer eyJhbGciOiJub25lIn0.e30.".into(),
                ),
            ],
            body: None,
            body_info: None,
            jwt_claims: Some(
                serde_json::json!({"iss": "https://consumer.example", "reason_for_request": "directcare"}),
            ),
        },
        response: Some(RecordedResponse::new(
            status,
            vec![
                (
                    "Content-Type".into(),
                    "text/html\"><script>alert(3)</script>".into(),
                ),
                ("X-Evil".into(), "\"><img src=x onerror=alert(4)>".into()),
            ],
            body.as_bytes().to_vec(),
            None,
        )),
        error: None,
        elapsed_ms: 42.0,
        findings,
    }
}

fn passed_scenario() -> ScenarioResult {
    ScenarioResult {
        name: "The CapabilityStatement is returned".into(),
        line: 7,
        tags: vec!["foundations".into(), "req:GPC-FND-001".into()],
        requirements: vec!["GPC-FND-001".into()],
        status: Status::Passed,
        steps: vec![
            step("Given", "the provider", Status::Passed, None),
            step("When", "I read the metadata", Status::Passed, None),
            step("Then", "the response status is 200", Status::Passed, None),
        ],
        failure: None,
        evidence: vec![exchange(
            "https://provider.example/metadata",
            200,
            r#"{"resourceType":"CapabilityStatement","fhirVersion":"3.0.1"}"#,
            vec![],
        )],
        culprit: None,
        duration_ms: 120.0,
    }
}

/// A failed scenario whose every provider-controlled string is hostile.
fn failed_scenario(line: usize) -> ScenarioResult {
    let message =
        "expected status 200, got 500\nbody: <script>alert(5)</script> & \u{0}NUL \u{1b}[31mESC";
    ScenarioResult {
        name: "Patient <b>search</b> & \"quotes\"".into(),
        line,
        tags: vec!["structured".into(), "jwt".into()],
        requirements: vec!["GPC-STR-010".into()],
        status: Status::Failed,
        steps: vec![
            step("Given", "the provider", Status::Passed, None),
            step(
                "When",
                "I search for patient 9690937286",
                Status::Passed,
                None,
            ),
            step(
                "Then",
                "the response status is 200",
                Status::Failed,
                Some(message),
            ),
            step(
                "And",
                "the response is a searchset Bundle",
                Status::Skipped,
                None,
            ),
        ],
        failure: Some(Failure {
            step: "Then the response status is 200".into(),
            message: message.into(),
        }),
        evidence: vec![
            exchange("https://provider.example/metadata", 200, "{}", vec![]),
            exchange(
                "https://provider.example/Patient?identifier=9690937286&x=<y>",
                500,
                HOSTILE_BODY,
                vec![Finding {
                    severity: "error".into(),
                    location: "X-Evil".into(),
                    message: "header must not contain <script>alert(6)</script>".into(),
                }],
            ),
        ],
        culprit: Some(1),
        duration_ms: 230.5,
    }
}

fn report(features: Vec<FeatureResult>) -> RunReport {
    RunReport {
        tool: "gpc-assure".into(),
        tool_version: "0.1.0".into(),
        started_at: "2025-01-01T10:00:00Z".into(),
        finished_at: "2025-01-01T10:00:03Z".into(),
        duration_ms: 3000.0,
        target: target(),
        tag_filter: Some("@foundations or @structured".into()),
        meta: Default::default(),
        concurrency: 4,
        features,
        run_errors: vec![],
        stopped: None,
        not_evaluated: Vec::new(),
        connections_opened: None,
    }
}

fn mixed_report() -> RunReport {
    report(vec![
        FeatureResult {
            name: "Foundations: metadata".into(),
            path: "foundations/metadata.feature".into(),
            tags: vec!["foundations".into()],
            description: None,
            scenarios: vec![passed_scenario()],
        },
        FeatureResult {
            name: "Structured <record>".into(),
            path: "structured/search.feature".into(),
            tags: vec!["structured".into()],
            description: None,
            // Two rows of one outline: same name, different lines.
            scenarios: vec![failed_scenario(20), failed_scenario(21)],
        },
    ])
}

fn passing_report() -> RunReport {
    report(vec![FeatureResult {
        name: "Foundations: metadata".into(),
        path: "foundations/metadata.feature".into(),
        tags: vec![],
        description: None,
        scenarios: vec![passed_scenario()],
    }])
}

// ------------------------------------------------------------------------------------------------
// HTML
// ------------------------------------------------------------------------------------------------

#[test]
fn html_escapes_every_provider_controlled_string() {
    let html = report::html::render(&mixed_report()).unwrap();
    // Exactly one script element: ours.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "a provider string reached the page unescaped"
    );
    assert!(
        !html.contains("<img"),
        "attribute-breaking payload reached the page unescaped"
    );
    assert!(!html.contains("<b>search"));
    assert!(!html.contains('\u{0}'));
    // ...and the content is still there, escaped, for the reader.
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
    ));
    assert!(html.contains("text/html&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(4)&gt;"));
    assert!(html.contains("Patient &lt;b&gt;search&lt;/b&gt; &amp; &quot;quotes&quot;"));
    assert!(html.contains("header must not contain &lt;script&gt;alert(6)&lt;/script&gt;"));
    assert!(html.contains("Patient?identifier=9690937286&amp;x=&lt;y&gt;"));
}

#[test]
fn html_is_verdict_first_and_self_contained() {
    let html = report::html::render(&mixed_report()).unwrap();
    let verdict = html
        .find("class=\"verdict-text\">FAIL<")
        .expect("FAIL verdict text");
    assert!(verdict < html.find("id=\"capabilities\"").unwrap());
    assert!(html.contains("2 of 3 applicable scenarios failed: the provider broke a rule."));
    // Target details.
    assert!(html.contains("Supplier provider") && !html.contains("Embedded reference provider"));
    for s in [
        "B82617",
        "918999198738",
        "1.2.7",
        "https://provider.example/B82617/STU3/1/gpconnect/fhir",
    ] {
        assert!(html.contains(s), "target detail {s} missing");
    }
    // Capability table has a FAIL for structured and a PASS for foundations.
    let caps =
        &html[html.find("id=\"capabilities\"").unwrap()..html.find("id=\"requirements\"").unwrap()];
    assert!(caps.contains("@structured</code></td><td><span class=\"badge failed\">"));
    assert!(caps.contains("@foundations</code></td><td><span class=\"badge passed\">"));
    // Failures list links to open scenario details.
    assert!(html.contains("<a href=\"#f1-s0\">") && html.contains("<a href=\"#f1-s1\">"));
    assert!(html.contains("<details class=\"scenario failed\" id=\"f1-s0\" open>"));
    assert!(html.contains("<details class=\"scenario passed\" id=\"f0-s0\">"));
    // Failing feature open, passing one closed.
    assert!(html.contains("<details class=\"feature has-failed\" id=\"f1\" open>"));
    assert!(html.contains("<details class=\"feature\" id=\"f0\">"));
    // No external assets of any kind, and the CSP forbids loading any.
    assert!(html.contains("content=\"default-src 'none';"));
    assert!(!html.contains(" src=\"") && !html.contains("<link") && !html.contains("@import"));
    // Requirement coverage is collapsed.
    assert!(html.contains("<section id=\"requirements\">\n<details>\n"));
}

#[test]
fn html_evidence_open_for_failures_with_findings_highlighted() {
    let html = report::html::render(&mixed_report()).unwrap();
    let failed = &html[html.find("id=\"f1-s0\"").unwrap()..html.find("id=\"f1-s1\"").unwrap()];
    // Two exchanges: the one the failing step judged (the culprit) shown first, open and marked,
    // then the other one as a line.
    let opens: Vec<bool> = failed
        .match_indices("<details class=\"exchange")
        .map(|(i, _)| failed[i..].starts_with("<details class=\"exchange culprit\" open>"))
        .collect();
    assert_eq!(opens, vec![true]);
    let culprit_at = failed.find("exchange culprit").unwrap();
    let line_at = failed
        .find("<div class=\"xline\"><span class=\"muted\">#1</span>")
        .expect("#1 as a line");
    assert!(culprit_at < line_at);
    assert!(failed.contains("the response the failing step judged"));
    assert!(failed.contains("<details class=\"evidence\" open>"));
    // The finding is listed, its location marked, and the header it names highlighted.
    assert!(failed.contains("<li class=\"finding error\"><span class=\"sev\">error</span> <mark class=\"loc\">X-Evil</mark>"));
    assert!(failed.contains("<tr class=\"flagged\"><th scope=\"row\">X-Evil</th>"));
    // Failure message under the failing step, decoded JWT claims shown.
    assert!(failed
        .contains("the response status is 200<pre class=\"msg\">expected status 200, got 500"));
    assert!(failed.contains("&quot;reason_for_request&quot;: &quot;directcare&quot;"));
    // Passing scenario's evidence is collapsed.
    let passed = &html[html.find("id=\"f0-s0\"").unwrap()..html.find("id=\"f1\"").unwrap()];
    assert!(passed.contains("<details class=\"evidence\">") && !passed.contains("exchange\" open"));
    // JSON bodies are re-indented.
    assert!(passed.contains("{\n  &quot;resourceType&quot;: &quot;CapabilityStatement&quot;"));
}

#[test]
fn html_passing_run_says_pass() {
    let mut r = passing_report();
    r.target.embedded = true;
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("Embedded reference provider"));
    assert!(html.contains("class=\"verdict-text\">PASS<"));
    assert!(html.contains("<header class=\"top pass\">"));
    assert!(!html.contains("verdict-text\">FAIL"));
    assert!(html.contains("Every applicable scenario passed."));
}

#[test]
fn html_cuts_large_bodies_of_passing_scenarios_sooner() {
    let mut r = passing_report();
    // The page without the big body: the requirement matrix alone is a few hundred KB.
    let baseline = report::html::render(&r).unwrap().len();
    let big = "A".repeat(200 * 1024);
    let response = r.features[0].scenarios[0].evidence[0]
        .response
        .as_mut()
        .unwrap();
    response.body_info = gpc_assure::http::evidence::BodyInfo::of(big.as_bytes());
    response.body = big.clone();
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("cut: 4096 of 204800 bytes shown, sha256 "));
    assert!(
        html.len() - baseline < 100 * 1024,
        "body not cut: {} bytes more",
        html.len() - baseline
    );
    assert!(html.contains(&"A".repeat(4 * 1024)) && !html.contains(&"A".repeat(4 * 1024 + 1)));

    // A failed scenario shows up to 32 KB of each body (results.json keeps more).
    r.features[0].scenarios[0].status = report::Status::Failed;
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("cut: 32768 of 204800 bytes shown, sha256 "));
    assert!(html.contains(&"A".repeat(32 * 1024)) && !html.contains(&"A".repeat(32 * 1024 + 1)));
}

#[test]
fn html_size_scales_reasonably() {
    // ~1000 scenarios x 2 exchanges of a small FHIR body must stay well under what a browser opens
    // comfortably; a regression that duplicates bodies or evidence would blow this up.
    let body = serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"fullUrl": "https://provider.example/Patient/1", "resource": {"resourceType": "Patient", "id": "1"}}]}).to_string();
    let mut scenarios = Vec::new();
    for i in 0..1000 {
        let mut s = passed_scenario();
        s.line = i;
        s.evidence = vec![
            exchange("https://provider.example/Patient?x=1", 200, &body, vec![]),
            exchange("https://provider.example/Patient?x=2", 200, &body, vec![]),
        ];
        scenarios.push(s);
    }
    let r = report(vec![FeatureResult {
        name: "big".into(),
        path: "big.feature".into(),
        tags: vec![],
        description: None,
        scenarios,
    }]);
    let html = report::html::render(&r).unwrap();
    let per_exchange = html.len() / 2000;
    assert!(per_exchange < 4096, "{per_exchange} bytes per exchange");
}

// ------------------------------------------------------------------------------------------------
// JUnit
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Suite {
    attrs: Vec<(String, String)>,
    cases: Vec<Case>,
}

#[derive(Debug, Default)]
struct Case {
    attrs: Vec<(String, String)>,
    failure: Option<(String, String)>,
    error: Option<(String, String)>,
    skipped: bool,
    /// `<skipped message>` and its text, when it has any.
    skipped_reason: Option<(String, String)>,
    /// `(name, value)` of each `<property>`.
    properties: Vec<(String, String)>,
    /// The text of `<system-out>`.
    system_out: Option<String>,
}

fn attrs(e: &quick_xml::events::BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().expect("escaped value").into_owned(),
            )
        })
        .collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Parse junit.xml with a real XML parser (fails the test on any well-formedness error).
fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<Suite>) {
    let mut reader = Reader::from_str(xml);
    let (mut root, mut suites) = (Vec::new(), Vec::<Suite>::new());
    let mut text = String::new();
    let mut pending: Option<(String, String)> = None; // (element, message) of failure/error
    loop {
        match reader.read_event().expect("junit.xml is well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuites" => {
                root = attrs(&e)
            }
            Event::Start(e) if e.name().as_ref() == b"testsuite" => suites.push(Suite {
                attrs: attrs(&e),
                cases: vec![],
            }),
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                suites.last_mut().unwrap().cases.push(Case {
                    attrs: attrs(&e),
                    ..Default::default()
                })
            }
            Event::Start(e) if e.name().as_ref() == b"system-out" => {
                pending = Some(("system-out".into(), String::new()));
                text.clear();
            }
            Event::End(e) if e.name().as_ref() == b"system-out" => {
                pending = None;
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                case.system_out = Some(std::mem::take(&mut text));
            }
            Event::Start(e) if matches!(e.name().as_ref(), b"failure" | b"error" | b"skipped") => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                pending = Some((name, attr(&attrs(&e), "message").to_string()));
                text.clear();
            }
            // A suite's own properties (how the target was reached) come before its first test case;
            // `junit_properties` reads those.
            Event::Empty(e)
                if e.name().as_ref() == b"property"
                    && suites.last().is_some_and(|s| !s.cases.is_empty()) =>
            {
                let a = attrs(&e);
                let p = (attr(&a, "name").to_string(), attr(&a, "value").to_string());
                suites
                    .last_mut()
                    .unwrap()
                    .cases
                    .last_mut()
                    .unwrap()
                    .properties
                    .push(p)
            }
            Event::Empty(e) if e.name().as_ref() == b"skipped" => {
                suites.last_mut().unwrap().cases.last_mut().unwrap().skipped = true
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let c = r
                    .resolve_char_ref()
                    .unwrap()
                    .map(String::from)
                    .unwrap_or_else(|| {
                        quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap())
                            .expect("known entity")
                            .into()
                    });
                text.push_str(&c);
            }
            Event::End(e) if matches!(e.name().as_ref(), b"failure" | b"error" | b"skipped") => {
                let (kind, message) = pending.take().unwrap();
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                let v = Some((message, std::mem::take(&mut text)));
                match kind.as_str() {
                    "failure" => case.failure = v,
                    "error" => case.error = v,
                    _ => {
                        case.skipped = true;
                        case.skipped_reason = v
                    }
                }
            }
            _ => {}
        }
    }
    (root, suites)
}

#[test]
fn junit_parses_and_counts_match() {
    let r = mixed_report();
    let xml = report::junit::render(&r);
    let (root, suites) = parse_junit(&xml);
    assert_eq!(attr(&root, "tests"), "3");
    assert_eq!(attr(&root, "failures"), "2");
    assert_eq!(attr(&root, "errors"), "0");
    assert_eq!(suites.len(), 2);
    assert_eq!(attr(&suites[0].attrs, "name"), "Foundations: metadata");
    assert_eq!(attr(&suites[0].attrs, "tests"), "1");
    assert_eq!(attr(&suites[0].attrs, "failures"), "0");
    assert_eq!(attr(&suites[1].attrs, "name"), "Structured <record>");
    assert_eq!(attr(&suites[1].attrs, "tests"), "2");
    assert_eq!(attr(&suites[1].attrs, "failures"), "2");
    assert_eq!(suites[1].cases.len(), 2);

    let case = &suites[1].cases[0];
    assert_eq!(attr(&case.attrs, "classname"), "structured/search.feature");
    // Rows of one outline share its name: each is named by its row, never by its line, which is kept
    // in its own attribute.
    assert_eq!(
        attr(&case.attrs, "name"),
        "Patient <b>search</b> & \"quotes\" [row 1]"
    );
    assert_eq!(
        attr(&suites[1].cases[1].attrs, "name"),
        "Patient <b>search</b> & \"quotes\" [row 2]"
    );
    assert_eq!(attr(&case.attrs, "line"), "20");
    assert_eq!(attr(&suites[1].cases[1].attrs, "line"), "21");
    assert_eq!(
        attr(&suites[0].cases[0].attrs, "name"),
        "The CapabilityStatement is returned"
    );
    assert_eq!(
        case.properties,
        [("requirement".to_string(), "GPC-STR-010".to_string())]
    );
    assert_eq!(
        suites[0].cases[0].properties,
        [("requirement".to_string(), "GPC-FND-001".to_string())]
    );
    let (message, body) = case.failure.as_ref().expect("failure element");
    assert_eq!(message, "expected status 200, got 500");
    assert!(body.contains("Step: Then the response status is 200"));
    assert!(
        body.contains("<script>alert(5)</script> & \u{FFFD}NUL \u{FFFD}[31mESC"),
        "{body}"
    );
    assert!(body.contains(
        "Exchange judged: GET https://provider.example/Patient?identifier=9690937286&x=<y> -> 500"
    ));
    assert!(suites[0].cases[0].failure.is_none());
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1b}'));
}

#[test]
fn junit_reports_run_errors_and_transport_failures() {
    let mut r = mixed_report();
    r.run_errors =
        vec!["features/broken.feature: parse error at line 3\n  unexpected <token> & \u{7}".into()];
    let last = r.features[1].scenarios[0].evidence.last_mut().unwrap();
    last.response = None;
    last.error = Some("connection refused".into());
    let xml = report::junit::render(&r);
    let (root, suites) = parse_junit(&xml);
    assert_eq!(attr(&root, "tests"), "4");
    assert_eq!(attr(&root, "errors"), "1");
    assert_eq!(attr(&suites[0].attrs, "name"), "run errors");
    let (message, body) = suites[0].cases[0].error.as_ref().expect("error element");
    assert_eq!(message, "features/broken.feature: parse error at line 3");
    assert!(body.contains("unexpected <token> & \u{FFFD}"));
    let (_, body) = suites[2].cases[0].failure.as_ref().unwrap();
    assert!(body.contains("-> error: connection refused"), "{body}");
}

// ------------------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------------------

#[test]
fn json_has_metadata_verdict_and_failing_step() {
    let r = mixed_report();
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 3);
    assert_eq!(v["tool"], "gpc-assure");
    assert_eq!(v["tool_version"], "0.1.0");
    assert_eq!(v["concurrency"], 4);
    assert_eq!(v["tag_filter"], "@foundations or @structured");
    assert_eq!(v["passed"], false);
    assert_eq!(v["verdict"], "failed");
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["totals"]["scenarios"], 3);
    assert_eq!(v["totals"]["failed"], 2);
    assert_eq!(v["target"]["provider_ods_code"], "B82617");
    assert_eq!(v["capabilities"][0]["capability"], "foundations");
    let req = v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "GPC-STR-010")
        .expect("the tagged requirement is listed");
    assert_eq!(req["failed"], 2);
    assert_eq!(req["coverage"], "failed");
    assert_eq!(req["catalogued"], false);

    let s = &v["features"][1]["scenarios"][0];
    assert_eq!(s["feature"], "Structured <record>");
    assert_eq!(s["feature_path"], "structured/search.feature");
    assert_eq!(s["line"], 20);
    assert_eq!(s["status"], "failed");
    assert_eq!(s["failure"]["step"], "Then the response status is 200");
    assert!(s["failure"]["message"]
        .as_str()
        .unwrap()
        .starts_with("expected status 200, got 500"));
    assert_eq!(s["failing_step_index"], 2);
    assert_eq!(s["culprit"], 1);
    assert_eq!(s["evidence"][1]["role"], "under_test");
    assert_eq!(s["steps"][3]["status"], "skipped");
    // Evidence is kept exactly as received.
    assert_eq!(s["evidence"][1]["response"]["body"], HOSTILE_BODY);
    assert_eq!(s["evidence"][1]["findings"][0]["location"], "X-Evil");
    assert_eq!(
        v["features"][0]["scenarios"][0]["failure"],
        serde_json::Value::Null
    );
}

// ------------------------------------------------------------------------------------------------
// Edge cases
// ------------------------------------------------------------------------------------------------

#[test]
fn zero_scenarios_render_and_fail() {
    let r = report(vec![]);
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("class=\"verdict-text\">INCOMPLETE<"));
    assert!(html.contains("No applicable scenario ran: nothing was assured."));
    let (root, suites) = parse_junit(&report::junit::render(&r));
    assert_eq!(attr(&root, "tests"), "0");
    assert!(suites.is_empty());
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["features"], serde_json::json!([]));
}

#[test]
fn write_all_writes_three_files() {
    let dir = tempfile::tempdir().unwrap();
    let written = report::write_all(&mixed_report(), &dir.path().join("out")).unwrap();
    for p in [&written.html, &written.junit, &written.json] {
        assert!(
            std::fs::metadata(p).unwrap().len() > 0,
            "{} empty",
            p.display()
        );
    }
}

#[test]
fn the_files_written_as_they_render_hold_what_each_writer_renders() {
    let dir = tempfile::tempdir().unwrap();
    for (n, r) in [mixed_report(), passing_report()].iter().enumerate() {
        let out = dir.path().join(format!("out{n}"));
        let written = report::write_all(r, &out).unwrap();
        let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
        assert!(read(&written.json) == report::json::render(r).unwrap());
        assert!(read(&written.html) == report::html::render(r).unwrap());
        assert!(read(&out.join("cucumber.json")) == report::cucumber::render(r).unwrap());
        assert!(read(&written.junit) == report::junit::render(r));
    }
}

#[test]
fn write_all_replaces_files_whole_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    report::write_all(&mixed_report(), &out).unwrap();
    let written = report::write_all(&passing_report(), &out).unwrap();
    let names = common::file_names(&out);
    assert_eq!(
        names,
        [
            "cucumber.json",
            "index.html",
            "junit.xml",
            "requirements.csv",
            "results.json",
            "scenarios.csv",
            "summary.md"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written.json).unwrap()).unwrap();
    assert_eq!(
        json["verdict"], "passed",
        "the second report replaced the first"
    );
}

fn stopped(reason: StopReason) -> Option<RunStopped> {
    Some(RunStopped {
        reason,
        message: "The run reached its time limit of 2s (--max-duration): 3 scenarios were not run and 1 cut short <x>".into(),
        not_run: 3,
        cut: 1,
    })
}

#[test]
fn a_stopped_run_is_never_passed_and_every_report_says_why() {
    let mut r = passing_report();
    assert_eq!(r.verdict(), Verdict::Passed);
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert!(json["stopped"].is_null(), "{}", json["stopped"]);
    assert!(!report::html::render(&r)
        .unwrap()
        .contains("class=\"stopped\""));

    r.stopped = stopped(StopReason::Deadline);
    assert_eq!(r.verdict(), Verdict::Incomplete);
    assert_eq!(r.verdict().exit_code(), 3);
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("class=\"verdict-text\">INCOMPLETE<"));
    assert!(
        html.contains("Run stopped at its deadline."),
        "banner at the top"
    );
    assert!(html.contains(
        "time limit of 2s (--max-duration): 3 scenarios were not run and 1 cut short &lt;x&gt;"
    ));
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(json["stopped"]["reason"], "deadline");
    assert_eq!(json["stopped"]["not_run"], 3);
    assert_eq!(json["stopped"]["cut"], 1);
    assert_eq!(json["exit_code"], 3);
    assert_eq!(json["passed"], false);
    let (root, suites) = parse_junit(&report::junit::render(&r));
    assert_eq!(attr(&root, "errors"), "1");
    assert_eq!(attr(&root, "tests"), "2");
    let suite = suites
        .iter()
        .find(|s| attr(&s.attrs, "name") == "run stopped")
        .expect("a run stopped suite");
    assert_eq!(attr(&suite.cases[0].attrs, "name"), "run stopped: deadline");
    let (message, _) = suite.cases[0].error.as_ref().expect("an error test case");
    assert!(message.contains("3 scenarios were not run"), "{message}");

    // A failure found before the stop still decides: failed, exit 1.
    let mut f = mixed_report();
    f.stopped = stopped(StopReason::Interrupted);
    assert_eq!(f.verdict(), Verdict::Failed);
    let html = report::html::render(&f).unwrap();
    assert!(html.contains("Run interrupted."), "banner");
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&f).unwrap()).unwrap();
    assert_eq!(json["stopped"]["reason"], "interrupted");
}

#[test]
fn run_that_could_not_start_reports_its_error_everywhere() {
    let mut r = report(vec![]);
    r.run_errors = vec!["provider did not answer: connection refused <127.0.0.1:443>".into()];
    let html = report::html::render(&r).unwrap();
    assert!(html.contains("class=\"verdict-text\">INCOMPLETE<"));
    assert!(html.contains("1 run error stopped part of the run."));
    assert!(html.contains("<section id=\"run-errors\""));
    assert!(html.contains("connection refused &lt;127.0.0.1:443&gt;"));
    let (root, suites) = parse_junit(&report::junit::render(&r));
    assert_eq!((attr(&root, "tests"), attr(&root, "errors")), ("1", "1"));
    assert!(suites[0].cases[0].error.is_some());
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(
        v["run_errors"][0],
        "provider did not answer: connection refused <127.0.0.1:443>"
    );
}

// ------------------------------------------------------------------------------------------------
// Outcomes beyond pass and fail
// ------------------------------------------------------------------------------------------------

/// One scenario of each outcome: passed, inconclusive, error, not applicable.
fn outcomes_report() -> RunReport {
    let mut inconclusive = failed_scenario(30);
    inconclusive.status = Status::Inconclusive;
    inconclusive.failure = Some(Failure {
        step: "Given a \"read patient\" request for \"patient2\"".into(),
        message: "the test data name \"patient2\" is not mapped".into(),
    });
    let mut error = failed_scenario(31);
    error.status = Status::Error;
    error.failure = Some(Failure {
        step: "Then the response status is 200".into(),
        message: "the request got no response (connection reset)".into(),
    });
    let mut na = passed_scenario();
    na.line = 40;
    na.status = Status::NotApplicable;
    na.steps.clear();
    na.evidence.clear();
    report(vec![FeatureResult {
        name: "Mixed outcomes".into(),
        path: "foundations/mixed.feature".into(),
        tags: vec!["foundations".into()],
        description: None,
        scenarios: vec![passed_scenario(), inconclusive, error, na],
    }])
}

#[test]
fn inconclusive_and_error_make_an_incomplete_verdict_with_exit_3() {
    let r = outcomes_report();
    let t = r.totals();
    assert_eq!(
        (
            t.passed,
            t.failed,
            t.inconclusive,
            t.error,
            t.not_applicable
        ),
        (1, 0, 1, 1, 1)
    );
    assert_eq!(r.verdict(), report::Verdict::Incomplete);
    assert_eq!(r.verdict().exit_code(), 3);
    assert!(!r.passed());
    // The requirement checked by the inconclusive and the errored scenario is not passed: error is the
    // worse of the two.
    let req = r
        .requirements()
        .into_iter()
        .find(|q| q.id == "GPC-STR-010")
        .unwrap();
    assert_eq!(req.status, Status::Error);
    // A failure anywhere makes the verdict failed, whatever else happened.
    let mut failed = r.clone();
    failed.features[0].scenarios[1].status = Status::Failed;
    assert_eq!(failed.verdict(), report::Verdict::Failed);
    // Only not-applicable scenarios: nothing was assured.
    let mut none = r.clone();
    none.features[0]
        .scenarios
        .retain(|s| s.status == Status::NotApplicable);
    assert_eq!(none.verdict(), report::Verdict::Incomplete);
}

#[test]
fn junit_maps_outcomes_to_failure_error_and_skipped() {
    let (root, suites) = parse_junit(&report::junit::render(&outcomes_report()));
    assert_eq!(attr(&root, "tests"), "4");
    assert_eq!(attr(&root, "failures"), "0");
    assert_eq!(attr(&root, "errors"), "1");
    assert_eq!(attr(&root, "skipped"), "2");
    let cases = &suites[0].cases;
    assert!(cases[0].failure.is_none() && cases[0].error.is_none() && !cases[0].skipped);
    let (message, _) = cases[1]
        .skipped_reason
        .as_ref()
        .expect("inconclusive is <skipped> with a reason");
    assert!(
        message.starts_with("inconclusive: the test data name"),
        "{message}"
    );
    let (message, _) = cases[2].error.as_ref().expect("error is <error>");
    assert!(message.contains("no response"), "{message}");
    assert!(cases[3].skipped, "not applicable is <skipped>");
}

#[test]
fn html_counts_and_filters_every_outcome() {
    let html = report::html::render(&outcomes_report()).unwrap();
    assert!(html.contains("class=\"verdict-text\">INCOMPLETE<"));
    assert!(html.contains("<header class=\"top incomplete\">"));
    for (n, label) in [(1, "inconclusive"), (1, "error"), (1, "not applicable")] {
        assert!(
            html.contains(&format!(
                "<span class=\"num\">{n}</span><span class=\"lbl\">{label}</span>"
            )),
            "count of {label}"
        );
    }
    assert!(html.contains("<details class=\"scenario inconclusive\""));
    assert!(html.contains("<details class=\"scenario error\""));
    assert!(html.contains("<details class=\"scenario not-applicable\""));
    assert!(html.contains("<option value=\"inconclusive\">inconclusive</option>"));
    // The not-passed list carries each outcome's badge.
    let list = &html[html.find("id=\"failures\"").unwrap()..html.find("id=\"results\"").unwrap()];
    assert!(list.contains("<span class=\"badge inconclusive\">INCONCLUSIVE</span>"));
    assert!(list.contains("<span class=\"badge error\">ERROR</span>"));
    assert!(!list.contains("badge not-applicable"));
}

// ------------------------------------------------------------------------------------------------
// Warnings: a SHOULD or MAY not followed is shown everywhere and fails nothing
// ------------------------------------------------------------------------------------------------

/// A passed scenario and a warning (the provider validated iat, a SHOULD NOT).
fn warning_report() -> RunReport {
    let mut warning = failed_scenario(50);
    let message = "SHOULD not followed: status 400; expected 200";
    warning.status = Status::Warning;
    warning.requirements = vec!["XC-JWT-07".into()];
    warning.steps[2].status = Status::Warning;
    warning.steps[2].message = Some(message.into());
    warning.steps.truncate(3);
    warning.failure = Some(Failure {
        step: "Then the response status is 200".into(),
        message: message.into(),
    });
    report(vec![FeatureResult {
        name: "JWT".into(),
        path: "cross-cutting/jwt.feature".into(),
        tags: vec!["jwt".into()],
        description: None,
        scenarios: vec![passed_scenario(), warning],
    }])
}

#[test]
fn warnings_leave_the_verdict_passed_with_exit_0() {
    let r = warning_report();
    let t = r.totals();
    assert_eq!((t.passed, t.warning, t.failed), (1, 1, 0));
    assert_eq!(r.verdict(), Verdict::Passed);
    assert_eq!(r.verdict().exit_code(), 0);
    assert!(r.failure_lines().is_empty());
    // Only warnings, and nothing passed: still no rule broken, the run passes.
    let mut only = r.clone();
    only.features[0].scenarios.remove(0);
    assert_eq!(only.verdict(), Verdict::Passed);
    // The requirement stands at warning, below every outcome that is not a pass.
    let req = r
        .requirements()
        .into_iter()
        .find(|q| q.id == "XC-JWT-07")
        .unwrap();
    assert_eq!(req.status, Status::Warning);
    assert_eq!(req.coverage, report::model::Coverage::Warning);
    assert_eq!(req.failed, 0);
    assert_eq!(
        report::worst([Status::Passed, Status::Warning]),
        Status::Warning
    );
    assert_eq!(
        report::worst([Status::Warning, Status::Inconclusive]),
        Status::Inconclusive
    );
    // A failure still fails the run.
    let mut failed = r.clone();
    failed.features[0].scenarios.push(failed_scenario(60));
    assert_eq!(failed.verdict(), Verdict::Failed);
}

#[test]
fn junit_shows_a_warning_as_a_passing_test_case_that_says_so() {
    let xml = report::junit::render(&warning_report());
    let (root, suites) = parse_junit(&xml);
    assert_eq!(attr(&root, "failures"), "0");
    assert_eq!(attr(&root, "errors"), "0");
    assert_eq!(attr(&root, "skipped"), "0");
    let case = &suites[0].cases[1];
    assert!(case.failure.is_none() && case.error.is_none() && !case.skipped);
    assert!(case
        .properties
        .contains(&("outcome".to_string(), "warning".to_string())));
    assert!(case
        .properties
        .contains(&("requirement".to_string(), "XC-JWT-07".to_string())));
    let out = case.system_out.as_deref().expect("<system-out>");
    assert!(
        out.starts_with("warning (not a failure): SHOULD not followed: status 400"),
        "{out}"
    );
}

#[test]
fn json_and_html_count_and_show_warnings() {
    let r = warning_report();
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["totals"]["warning"], 1);
    assert_eq!(v["verdict"], "passed");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["features"][0]["scenarios"][1]["status"], "warning");

    let html = report::html::render(&r).unwrap();
    assert!(html.contains("<header class=\"top pass\">"), "verdict PASS");
    assert!(html.contains("<span class=\"num\">1</span><span class=\"lbl\">warning</span>"));
    assert!(html.contains("<details class=\"scenario warning\""));
    assert!(html.contains("<option value=\"warning\">warning</option>"));
    let list = &html[html.find("id=\"failures\"").unwrap()..html.find("id=\"results\"").unwrap()];
    assert!(list.contains("<span class=\"badge warning\">WARNING</span>"));
    assert!(list.contains("SHOULD not followed: status 400"));
}

// ------------------------------------------------------------------------------------------------
// Traceability matrix: every catalogued requirement with its rule, citation, scenarios and status
// ------------------------------------------------------------------------------------------------

/// A run of three scenarios against catalogued requirements: XC-CACHE-01 fails in one of its two
/// scenarios, XC-ETAG-01 passes; the feature cites the specification in its description.
fn traced_report(structured_version: &str) -> RunReport {
    let mut cache_ok = passed_scenario();
    cache_ok.requirements = vec!["XC-CACHE-01".into()];
    let mut cache_bad = failed_scenario(12);
    cache_bad.requirements = vec!["XC-CACHE-01".into()];
    let mut etag = passed_scenario();
    etag.line = 30;
    etag.requirements = vec!["XC-ETAG-01".into()];
    let mut r = report(vec![FeatureResult {
        name: "Caching headers".into(),
        path: "cross-cutting/caching.feature".into(),
        tags: vec!["caching".into()],
        description: Some(
            "Every response carries Cache-Control: no-store.\n\nSpecification:\n- GP Connect 1.2.7, General API guidance <caching>"
                .into(),
        ),
        scenarios: vec![cache_ok, cache_bad, etag],
    }]);
    r.target.structured_version = structured_version.into();
    r
}

fn row<'a>(
    rows: &'a [report::model::RequirementCoverage],
    id: &str,
) -> &'a report::model::RequirementCoverage {
    rows.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the matrix"))
}

#[test]
fn the_matrix_lists_every_catalogued_requirement_with_its_status() {
    use gpc_assure::gpconnect::requirements::{Catalogue, Level};
    use report::model::Coverage;
    let rows = traced_report("1.6.0").requirements();
    let catalogue = Catalogue::embedded();
    assert_eq!(
        rows.len(),
        catalogue.len(),
        "one row per catalogued requirement"
    );
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");

    // A requirement with a failed scenario is failed, with both its scenarios linked.
    let cache = row(&rows, "XC-CACHE-01");
    assert_eq!(cache.coverage, Coverage::Failed);
    assert_eq!((cache.scenarios, cache.failed), (2, 1));
    assert_eq!(
        cache
            .scenario_refs
            .iter()
            .map(|s| (s.feature, s.scenario))
            .collect::<Vec<_>>(),
        [(0, 0), (0, 1)]
    );
    assert_eq!(cache.level, Some(Level::Must));
    assert_eq!(cache.section.as_deref(), Some("Caching headers"));
    assert!(cache.rule.as_deref().unwrap().contains("no-store"));
    assert_eq!(row(&rows, "XC-ETAG-01").coverage, Coverage::Passed);

    // No scenario in the run: uncovered, untestable, merely not selected, or outside the version.
    assert_eq!(row(&rows, "XC-FMT-11").coverage, Coverage::NotCovered);
    assert!(row(&rows, "XC-FMT-11").gap.is_some());
    assert_eq!(row(&rows, "XC-AUDIT-01").coverage, Coverage::NotTestable);
    let migrate = row(&rows, "STR-MIG-01");
    assert_eq!((migrate.coverage, migrate.scenarios), (Coverage::NotRun, 0));
    let older = traced_report("1.5.0").requirements();
    assert_eq!(row(&older, "STR-MIG-01").coverage, Coverage::NotApplicable);

    // A tag the catalogue lacks is still listed, marked as such.
    let stray = mixed_report().requirements();
    let r = row(&stray, "GPC-STR-010");
    assert!(!r.catalogued && r.rule.is_none());
    assert_eq!(r.coverage, Coverage::Failed);
}

#[test]
fn a_requirement_whose_scenarios_were_all_not_applicable_is_not_applicable() {
    use report::model::Coverage;
    let mut r = traced_report("1.6.0");
    for s in &mut r.features[0].scenarios {
        s.status = Status::NotApplicable;
    }
    let rows = r.requirements();
    assert_eq!(row(&rows, "XC-CACHE-01").coverage, Coverage::NotApplicable);
    assert_eq!(row(&rows, "XC-CACHE-01").scenarios, 2);
}

#[test]
fn html_matrix_shows_rule_citation_scenario_links_and_status() {
    let html = report::html::render(&traced_report("1.6.0")).unwrap();
    let section = &html[html.find("<section id=\"requirements\">").unwrap()
        ..html.find("<section id=\"failures\">").unwrap()];
    let cache = &section[section.find("<code>XC-CACHE-01</code>").unwrap()..];
    let cache = &cache[..cache.find("</tr>").unwrap()];
    assert!(
        cache.contains("<span class=\"level must\">MUST</span>"),
        "{cache}"
    );
    assert!(cache.contains(
        "<a href=\"https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html\" rel=\"noreferrer\">Caching headers</a>"
    ));
    assert!(cache.contains("1.2.7 · development_general_api_guidance"));
    assert!(cache.contains("<a href=\"#f0-s0\">") && cache.contains("<a href=\"#f0-s1\">"));
    assert!(
        cache.ends_with("<span class=\"badge failed\">FAIL</span></td>"),
        "{cache}"
    );
    // The scenario ids linked to exist on the page.
    assert!(html.contains("id=\"f0-s1\""));

    let uncovered = &section[section.find("<code>XC-FMT-11</code>").unwrap()..];
    let uncovered = &uncovered[..uncovered.find("</tr>").unwrap()];
    assert!(uncovered.contains("<span class=\"muted\">none</span>"));
    assert!(
        uncovered.contains("badge not-covered\">NOT COVERED<"),
        "{uncovered}"
    );
    let untestable = &section[section.find("<code>XC-AUDIT-01</code>").unwrap()..];
    assert!(untestable[..untestable.find("</tr>").unwrap()].contains(">NOT TESTABLE<"));
    // The summary counts what the rows show.
    assert!(section.contains("1 not passed"));
    assert!(section.contains(" · 1 failed · "));
}

#[test]
fn feature_descriptions_appear_with_their_scenarios_escaped() {
    let r = traced_report("1.6.0");
    let html = report::html::render(&r).unwrap();
    let feature = &html[html.find("id=\"f0\"").unwrap()..];
    let desc = feature
        .find("<div class=\"fdesc\">")
        .expect("the description is shown");
    assert!(desc < feature.find("id=\"f0-s0\"").unwrap());
    assert!(feature.contains("Every response carries Cache-Control: no-store.\n\nSpecification:"));
    assert!(feature.contains("General API guidance &lt;caching&gt;"));
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert!(v["features"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Every response carries"));
}

#[test]
fn json_requirements_carry_rule_level_citation_and_coverage() {
    let v: serde_json::Value =
        serde_json::from_str(&report::json::render(&traced_report("1.6.0")).unwrap()).unwrap();
    let reqs = v["requirements"].as_array().unwrap();
    let get = |id: &str| reqs.iter().find(|r| r["id"] == id).unwrap().clone();
    let cache = get("XC-CACHE-01");
    assert_eq!(cache["coverage"], "failed");
    assert_eq!(cache["status"], "failed");
    assert_eq!(cache["level"], "must");
    assert_eq!(cache["section"], "Caching headers");
    assert_eq!(
        cache["spec"],
        "https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html"
    );
    assert_eq!(cache["scenario_refs"][1]["line"], 12);
    assert_eq!(cache["scenario_refs"][1]["status"], "failed");
    assert_eq!(get("XC-FMT-11")["coverage"], "not_covered");
    assert_eq!(get("XC-AUDIT-01")["coverage"], "not_testable");
    assert_eq!(get("STR-MIG-01")["coverage"], "not_run");
    assert_eq!(get("STR-MIG-01")["versions"]["since"], "1.6.0");
    assert_eq!(get("XC-JWT-07")["level"], "should");
}

// ------------------------------------------------------------------------------------------------
// Weaker evidence: the provider's certificate not verified
// ------------------------------------------------------------------------------------------------

/// `(name, value)` of every `<property>` in junit.xml, in document order.
fn junit_properties(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("junit.xml is well-formed XML") {
            Event::Eof => break,
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == b"property" => {
                let a = attrs(&e);
                out.push((attr(&a, "name").to_string(), attr(&a, "value").to_string()));
            }
            _ => {}
        }
    }
    out
}

#[test]
fn a_plain_http_target_is_not_said_to_have_a_verified_certificate() {
    let mut r = mixed_report();
    let row = |html: &str| {
        let at = html
            .find("Provider certificate")
            .expect("the certificate row");
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&report::html::render(&r).unwrap()).contains("verified (<code>tls.verify = true"));

    r.target.foundations_url = "http://127.0.0.1:8080/B82617/STU3/1/gpconnect".into();
    let plain = row(&report::html::render(&r).unwrap());
    assert!(plain.contains("plain HTTP, no TLS"), "{plain}");
    assert!(!plain.contains("tls.verify"), "{plain}");

    // Through a proxy, the first hop decides.
    r.target.ssp_url = Some("https://ssp.example".into());
    assert!(row(&report::html::render(&r).unwrap()).contains("tls.verify = true"));
}

#[test]
fn unverified_tls_is_flagged_in_every_report() {
    let mut r = mixed_report();
    r.target.tls_verify = false;

    let html = report::html::render(&r).unwrap();
    let header = &html[..html.find("<main>").expect("a main element")];
    assert!(
        header.contains("TLS not verified") && header.contains("tls.verify = false"),
        "the page header must warn that the certificate was not checked"
    );
    assert!(html.contains("not verified</span>"));

    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["target"]["tls_verify"], false);

    let xml = report::junit::render(&r);
    let props = junit_properties(&xml);
    let tls: Vec<&str> = props
        .iter()
        .filter(|(k, _)| k == "tls.verify")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(tls, ["false", "false"], "one per feature suite: {xml}");
}

#[test]
fn verified_tls_raises_no_warning() {
    let r = mixed_report();
    let html = report::html::render(&r).unwrap();
    assert!(!html.contains("TLS not verified"));
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    assert_eq!(v["target"]["tls_verify"], true);
    let props = junit_properties(&report::junit::render(&r));
    assert!(props.contains(&("tls.verify".to_string(), "true".to_string())));
    assert!(props.contains(&(
        "target.foundations_url".to_string(),
        "https://provider.example/B82617/STU3/1/gpconnect/fhir".to_string()
    )));
}

// ------------------------------------------------------------------------------------------------
// The evidence pack: failures grouped, warnings counted and folded, setup and teardown folded,
// the cover sheet, readable durations and times
// ------------------------------------------------------------------------------------------------

/// The part of the page between two markers.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("{from} missing"));
    let end = start
        + html[start..]
            .find(to)
            .unwrap_or_else(|| panic!("{to} missing"));
    &html[start..end]
}

#[test]
fn html_lists_every_failure_group_with_its_count_requirements_and_scenarios() {
    let mut r = mixed_report();
    // A third failure with another cause, in another feature.
    let mut other = failed_scenario(40);
    other.requirements = vec!["GPC-FND-009".into()];
    other.failure = Some(Failure {
        step: "Then the response is a Bundle".into(),
        message: "the body is not a Bundle".into(),
    });
    r.features[0].scenarios.push(other);
    let groups: Vec<_> = report::groups::failure_groups(&r)
        .into_iter()
        .filter(|g| g.outcome != Status::Warning)
        .collect();
    assert_eq!(groups.len(), 2);
    let html = report::html::render(&r).unwrap();
    let section = between(&html, "<section id=\"failures\">", "</section>");
    assert_eq!(
        section.matches("<li class=\"group ").count(),
        groups.len(),
        "one entry per group: {section}"
    );
    assert!(section.contains("2 root causes, 3 scenarios"));
    // The largest group first: the two rows of the outline, with their requirement and both links.
    let first = between(section, "<li class=\"group failed\">", "</li>\n");
    assert!(first.contains("<strong class=\"gcount\">2 scenarios</strong>"));
    assert!(first.contains("<code class=\"reqid\">GPC-STR-010</code>"));
    assert!(first.contains("<div class=\"gcheck\">the response status is 200</div>"));
    assert!(first.contains("<details class=\"gmembers\" open>"));
    assert!(first.contains("<a href=\"#f1-s0\">") && first.contains("<a href=\"#f1-s1\">"));
    let second = &section[section
        .find("the body is not a Bundle")
        .expect("second group")..];
    assert!(second.contains("<a href=\"#f0-s1\">"));
    assert!(section.contains("<code class=\"reqid\">GPC-FND-009</code>"));
    // Failures come before the evidence, after the matrix.
    assert!(html.find("<section id=\"requirements\">") < html.find("<section id=\"failures\">"));
    assert!(html.find("<section id=\"failures\">") < html.find("<section id=\"results\">"));
}

/// A passed scenario whose response carries two validator warnings and an error finding, and a
/// scenario that ended in a warning.
fn warned_report() -> RunReport {
    let mut r = warning_report();
    let warn = |message: &str| Finding {
        severity: "warning".into(),
        location: "Bundle.entry[0].resource.extension[3].valueCodeableConcept.coding[0]".into(),
        message: message.into(),
    };
    let x = &mut r.features[0].scenarios[0].evidence[0];
    x.findings = vec![
        warn("code 'x1' is not in the extensible value set"),
        Finding {
            severity: "error".into(),
            location: "Bundle.type".into(),
            message: "expected searchset".into(),
        },
        warn("code 'x2' is not in the extensible value set"),
    ];
    r
}

#[test]
fn html_counts_warnings_in_a_folded_section_linked_to_the_filter() {
    let html = report::html::render(&warned_report()).unwrap();
    let section = between(&html, "<section id=\"warnings\">", "</section>");
    assert!(
        section.starts_with("<section id=\"warnings\">\n<details class=\"warnings\">\n"),
        "folded: {section}"
    );
    assert!(section.contains("1 scenario ended in a warning · 2 validator warnings"));
    // The warning scenario's group, its count linked to the outcome filter.
    assert!(section.contains("<td class=\"n\"><a href=\"#only-warning\">1</a></td>"));
    assert!(section.contains("<span class=\"badge warning\">WARNING</span>"));
    // The two validator warnings differ only in a number, set aside: one kind, counted twice.
    assert!(section.contains("<td class=\"n\"><a href=\"#only-has-warnings\">2</a></td>"));
    assert!(section.contains("In 1 scenario</summary>"));
    // The filter offers what the links ask for, and the anchors exist without script.
    assert!(html.contains("<option value=\"warning\">warning</option>"));
    assert!(html.contains("<option value=\"has-warnings\">with validator warnings</option>"));
    assert!(html.contains("id=\"only-warning\"") && html.contains("id=\"only-has-warnings\""));
    assert!(html.contains("id=\"expand-all\"") && html.contains("id=\"collapse-all\""));
}

#[test]
fn html_folds_an_exchanges_warnings_below_its_errors() {
    let html = report::html::render(&warned_report()).unwrap();
    let scenario = between(&html, "id=\"f0-s0\"", "id=\"f0-s1\"");
    let error = scenario
        .find("<li class=\"finding error\">")
        .expect("error finding");
    let fold = scenario
        .find("<details class=\"minor-findings\">\n<summary>2 warnings and notes")
        .expect("warnings folded");
    let warning = scenario
        .find("<li class=\"finding warning\">")
        .expect("warning finding");
    assert!(
        error < fold && fold < warning,
        "errors, then the fold, then warnings"
    );
    assert!(scenario.contains("<span class=\"badge failed\">1 error</span>"));
    assert!(scenario.contains("<span class=\"badge warning\">2 warnings</span>"));
}

#[test]
fn html_folds_setup_and_teardown_and_shows_the_judged_exchange_first() {
    use gpc_assure::http::Role;
    let mut r = mixed_report();
    let s = &mut r.features[1].scenarios[0];
    let mut setup = s.evidence[0].clone();
    setup.role = Role::Setup;
    setup.request.url = "https://provider.example/setup-find-slot".into();
    let mut teardown = s.evidence[0].clone();
    teardown.role = Role::Teardown;
    teardown.request.url = "https://provider.example/teardown-cancel".into();
    let mut follow = s.evidence[0].clone();
    follow.role = Role::FollowUp;
    follow.request.url = "https://provider.example/follow-up-read".into();
    let judged = s.evidence[1].clone();
    s.evidence = vec![setup, judged, follow, teardown];
    s.culprit = Some(1);
    let html = report::html::render(&r).unwrap();
    let scenario = between(&html, "id=\"f1-s0\"", "id=\"f1-s1\"");
    // The judged exchange first, open and marked, in full; its number says it was sent second.
    let judged_at = scenario
        .find("<details class=\"exchange culprit\" open>\n<summary><span class=\"muted\">#2</span> <span class=\"role\">under test</span>")
        .expect("the judged exchange, open");
    assert_eq!(scenario.matches("<details class=\"exchange").count(), 1);
    assert!(scenario.contains("Repeat with curl"));
    // The follow-up as a line, after it and outside the fold.
    let follow_at = scenario
        .find("<div class=\"xline\"><span class=\"muted\">#3</span> <span class=\"role\">follow-up</span>")
        .expect("follow-up line");
    // Setup and teardown in a fold of their own, closed, after the scenario's own exchanges.
    let fold = scenario
        .find("<details class=\"aside\">\n<summary>Setup and teardown · 2 exchanges")
        .expect("setup and teardown folded");
    let setup_at = scenario
        .find("<span class=\"muted\">#1</span> <span class=\"role\">setup</span>")
        .unwrap();
    let teardown_at = scenario
        .find("<span class=\"muted\">#4</span> <span class=\"role\">teardown</span>")
        .unwrap();
    assert!(judged_at < follow_at && follow_at < fold && fold < setup_at && setup_at < teardown_at);
    assert!(scenario.contains("Evidence · 4 exchanges"));

    // An exchange with a validation error is evidence too: in full, even in the fold.
    let mut r2 = r.clone();
    r2.features[1].scenarios[0].evidence[0].findings = vec![Finding {
        severity: "error".into(),
        location: "Slot.status".into(),
        message: "not a code".into(),
    }];
    let html = report::html::render(&r2).unwrap();
    let scenario = between(&html, "id=\"f1-s0\"", "id=\"f1-s1\"");
    let fold = scenario.find("<details class=\"aside\">").unwrap();
    assert!(scenario[fold..].contains("<details class=\"exchange\">\n<summary><span class=\"muted\">#1</span> <span class=\"role\">setup</span>"));
}

#[test]
fn a_large_run_lists_the_exchanges_of_passing_scenarios_one_line_each() {
    let mut r = mixed_report();
    let passed = r.features[0].scenarios[0].clone();
    r.features[0].scenarios = (0..=report::html::PASSING_EVIDENCE_IN_FULL)
        .map(|i| {
            let mut s = passed.clone();
            s.line = i + 1;
            s
        })
        .collect();
    let html = report::html::render(&r).unwrap();
    let scenario = between(&html, "id=\"f0-s0\"", "id=\"f0-s1\"");
    assert!(scenario.contains("<div class=\"xline\"><span class=\"muted\">#1</span> <span class=\"role\">under test</span> <span class=\"method\">GET</span>"));
    assert!(
        !scenario.contains("<table class=\"headers\">") && !scenario.contains("Repeat with curl")
    );
    assert!(html.contains("those of passing scenarios are listed one line each"));
    // The failed ones keep their judged exchange in full.
    let failed = between(&html, "id=\"f1-s0\"", "id=\"f1-s1\"");
    assert!(
        failed.contains("<details class=\"exchange culprit\" open>")
            && failed.contains("Repeat with curl")
    );
    // One passing exchange fewer, and they are shown in full.
    r.features[0].scenarios.pop();
    let html = report::html::render(&r).unwrap();
    let scenario = between(&html, "id=\"f0-s0\"", "id=\"f0-s1\"");
    assert!(
        scenario.contains("<table class=\"headers\">") && scenario.contains("Repeat with curl")
    );
}

#[test]
fn html_cover_sheet_shows_every_configured_field() {
    use gpc_assure::report::{CoverSheet, SignOffBox};
    let mut r = mixed_report();
    r.target.cover = CoverSheet {
        supplier: Some("Example <Systems> Ltd".into()),
        product: Some("Example GP".into()),
        product_version: Some("4.2.1".into()),
        ods_code: "A99999".into(),
        asid: "123456789012".into(),
        assessor: Some("A. Analyst".into()),
        sign_off: vec![
            SignOffBox {
                role: "Clinical Safety Officer".into(),
                name: Some("Dr B. Safe".into()),
            },
            SignOffBox {
                role: "Assurance lead".into(),
                name: None,
            },
        ],
        notes: Some("Scope: Foundations.\nTest environment.".into()),
    };
    let html = report::html::render(&r).unwrap();
    let cover = between(&html, "<section id=\"cover\"", "</section>");
    for field in [
        "Example &lt;Systems&gt; Ltd",
        "Example GP",
        "4.2.1",
        "<code>A99999</code>",
        "<code>123456789012</code>",
        "A. Analyst",
        "Clinical Safety Officer",
        "Dr B. Safe",
        "Assurance lead",
        "Scope: Foundations.\nTest environment.",
        "2025-01-01 10:00:00 UTC",
        "gpc-assure 0.1.0",
        "<strong class=\"cover-verdict fail\">FAIL</strong>",
    ] {
        assert!(
            cover.contains(field),
            "the cover sheet lacks {field}: {cover}"
        );
    }
    assert_eq!(cover.matches("<div class=\"signbox\">").count(), 2);
    // The cover comes right after the verdict, before the counts.
    assert!(html.find("<section id=\"cover\"") < html.find("class=\"summary\""));
    // Printed on page 1 of A4.
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains(".cover { break-after: page;"));
    let v: serde_json::Value = serde_json::from_str(&report::json::render(&r).unwrap()).unwrap();
    let c = &v["target"]["cover"];
    assert_eq!(c["supplier"], "Example <Systems> Ltd");
    assert_eq!(c["product_version"], "4.2.1");
    assert_eq!(c["asid"], "123456789012");
    assert_eq!(c["sign_off"][1]["role"], "Assurance lead");
    assert_eq!(c["notes"], "Scope: Foundations.\nTest environment.");

    // Nothing configured: the identifiers are the target's, the rest says what to set.
    let html = report::html::render(&mixed_report()).unwrap();
    let cover = between(&html, "<section id=\"cover\"", "</section>");
    assert!(cover.contains("<dt>ODS code</dt><dd><code>B82617</code>"));
    assert!(cover.contains("<dt>ASID</dt><dd><code>918999198738</code>"));
    assert!(cover.contains("<code>report.supplier</code>"));
    assert!(!cover.contains("signbox"));
}

#[test]
fn html_durations_are_readable_and_jwt_times_have_an_iso_time() {
    let mut r = mixed_report();
    let s = &mut r.features[1].scenarios[0];
    s.duration_ms = 125_000.0;
    s.evidence[1].elapsed_ms = 1_534.0;
    s.evidence[1].request.jwt_claims = Some(serde_json::json!({
        "iat": 1_735_725_600, "exp": 1_735_725_900, "reason_for_request": "directcare"
    }));
    let html = report::html::render(&r).unwrap();
    let scenario = between(&html, "id=\"f1-s0\"", "id=\"f1-s1\"");
    assert!(
        scenario.contains("line 20 · 2 min 5 s"),
        "scenario duration"
    );
    assert!(
        scenario.contains("<span class=\"muted\">1.5 s</span>"),
        "elapsed"
    );
    assert!(!scenario.contains("1534") && !scenario.contains("125000"));
    assert!(scenario.contains("<span class=\"muted\">42 ms</span>"));
    assert!(scenario.contains(
        "<code>iat</code> 1735725600 = <time>2025-01-01T10:00:00Z</time></span><span><code>exp</code> 1735725900 = <time>2025-01-01T10:05:00Z</time>"
    ));
}

#[test]
fn html_makes_trace_ids_searchable_and_keeps_the_title_clear_of_the_sticky_bar() {
    let html = report::html::render(&mixed_report()).unwrap();
    let scenario = between(&html, "id=\"f1-s0\"", "id=\"f1-s1\"");
    assert!(scenario.contains(
        "<p class=\"traces muted\">Ssp-TraceID <code>09a01679-2564-0fb4-5129-aecc81ea2706</code>"
    ));
    assert!(html.contains("var traces = s.querySelector(\".sbody > .traces\");"));
    assert!(html.contains("scroll-margin-top"));
    assert!(html
        .contains(".finding .loc, .finding .fmsg, .url, .line code { overflow-wrap: anywhere; }"));
}
