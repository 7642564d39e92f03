//! junit.xml: the report CI systems (GitLab, Jenkins, Azure DevOps, GitHub actions) understand.
//!
//! Layout: one `<testsuite>` per feature file, one `<testcase>` per scenario. Test case names are
//! stable from run to run, so CI dashboards can follow a test's history: the scenario's name, and
//! when Examples rows of an outline share it, its row (`Amending the description [row 2]`, see
//! [`names`](super::names)); never the line, which moves whenever the file is edited (it is kept in
//! the `file` and `line` attributes). Each requirement id a scenario checks is a
//! `<property name="requirement" value="..."/>` of its test case. A warning (a SHOULD or MAY the
//! provider does not follow, or XML it does not offer) is never a failure: its test case passes, with
//! `<property name="outcome" value="warning"/>` and the warning in `<system-out>`, so a CI gate stays
//! green and a reader still sees it. Problems that stopped part of the
//! run become `<error>` test cases in a separate suite, so that a run which could not even parse a
//! feature is red in CI instead of silently reporting fewer tests.
//!
//! Everything in the document except its fixed markup is provider- or feature-controlled, so every
//! value goes through [`escape_text`] / [`escape_attr`], which also drop the characters XML 1.0
//! cannot represent at all (a provider can send a NUL in a response body; quick-xml's `escape` would
//! pass it through and make the whole file unparsable).

use std::fmt::Write as _;

use super::model::{FeatureResult, RunReport, ScenarioResult, Status};
use super::names::{self, StableName};
use crate::http::Exchange;

/// Render junit.xml.
pub fn render(report: &RunReport) -> String {
    let totals = report.totals();
    let skipped_total = totals.inconclusive + totals.not_applicable;
    // A stopped run (deadline, Ctrl-C) is one more run error: CI shows it red, with the reason.
    let run_errors = report.run_errors.len() + usize::from(report.stopped.is_some());
    let errors = run_errors + totals.error;
    let mut out = String::with_capacity(4096 + totals.scenarios * 256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        escape_attr(&format!("{} {}", report.tool, report.tool_version)),
        totals.scenarios + run_errors,
        totals.failed,
        errors,
        skipped_total,
        seconds(report.duration_ms),
        escape_attr(&report.started_at),
    );
    let properties = suite_properties(report);
    if !report.run_errors.is_empty() {
        write_run_errors(&mut out, report, &properties);
    }
    if let Some(stopped) = &report.stopped {
        let _ = writeln!(
            out,
            "  <testsuite name=\"run stopped\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" timestamp=\"{}\">\n    <properties>\n      <property name=\"stopped\" value=\"{}\"/>\n    </properties>\n    <testcase classname=\"{}\" name=\"run stopped: {}\" time=\"0\">\n      <error message=\"{}\" type=\"run-stopped\">{}</error>\n    </testcase>\n  </testsuite>",
            escape_attr(&report.started_at),
            stopped.reason,
            escape_attr(&report.tool),
            stopped.reason,
            escape_attr(&stopped.message),
            escape_text(&stopped.message),
        );
    }
    for feature in &report.features {
        write_feature(&mut out, feature, &report.started_at, &properties);
    }
    out.push_str("</testsuites>\n");
    out
}

/// The `<properties>` of every suite: how the target was reached. `tls.verify` is `false` when the
/// provider's certificate was not checked, which a CI gate may refuse as evidence.
fn suite_properties(report: &RunReport) -> String {
    format!(
        "    <properties>\n      <property name=\"target.foundations_url\" value=\"{}\"/>\n      <property name=\"tls.verify\" value=\"{}\"/>\n    </properties>\n",
        escape_attr(&report.target.foundations_url),
        report.target.tls_verify,
    )
}

/// Run errors as one suite of `<error>` test cases.
fn write_run_errors(out: &mut String, report: &RunReport, properties: &str) {
    let n = report.run_errors.len();
    let _ = writeln!(
        out,
        "  <testsuite name=\"run errors\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\" time=\"0\" timestamp=\"{}\">",
        escape_attr(&report.started_at),
    );
    out.push_str(properties);
    for (i, e) in report.run_errors.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"run error {}\" time=\"0\">\n      <error message=\"{}\" type=\"run-error\">{}</error>\n    </testcase>",
            escape_attr(&report.tool),
            i + 1,
            escape_attr(&first_line(e)),
            escape_text(e),
        );
    }
    out.push_str("  </testsuite>\n");
}

fn write_feature(out: &mut String, f: &FeatureResult, timestamp: &str, properties: &str) {
    let skipped = f.count(Status::Inconclusive) + f.count(Status::NotApplicable);
    let errors = f.count(Status::Error);
    // Scenarios may run concurrently, so the suite time is the sum of its scenarios' times (the
    // work done), not wall-clock time.
    let time_ms: f64 = f.scenarios.iter().map(|s| s.duration_ms).sum();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\" file=\"{}\">",
        escape_attr(&f.name),
        f.scenarios.len(),
        f.failed(),
        errors,
        skipped,
        seconds(time_ms),
        escape_attr(timestamp),
        escape_attr(&f.path),
    );
    out.push_str(properties);
    for (s, name) in f.scenarios.iter().zip(names::of_feature(f)) {
        write_scenario(out, f, s, &name);
    }
    out.push_str("  </testsuite>\n");
}

fn write_scenario(out: &mut String, f: &FeatureResult, s: &ScenarioResult, name: &StableName) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\"",
        escape_attr(&f.path),
        escape_attr(&name.to_string()),
        escape_attr(&f.path),
        s.line,
        seconds(s.duration_ms),
    );
    let properties = properties(s);
    if s.status == Status::Passed && properties.is_empty() {
        return out.push_str("/>\n");
    }
    out.push_str(">\n");
    out.push_str(&properties);
    if s.status == Status::Warning {
        let (step, message) = failing_step(s);
        let _ = write!(
            out,
            "      <system-out>{}</system-out>\n    </testcase>\n",
            escape_text(&format!(
                "warning (not a failure): {message}\nStep: {step}\n"
            )),
        );
        return;
    }
    // failed -> <failure> (the provider broke a rule), error -> <error> (the harness or the
    // connection failed), inconclusive and not applicable -> <skipped> with the reason.
    let element = match s.status {
        Status::Passed | Status::Warning => return out.push_str("    </testcase>\n"),
        Status::Skipped => return out.push_str("      <skipped/>\n    </testcase>\n"),
        Status::NotApplicable => {
            return out.push_str("      <skipped message=\"not applicable to the target's version\"/>\n    </testcase>\n")
        }
        Status::Failed => ("failure", "assertion"),
        Status::Error => ("error", "error"),
        Status::Inconclusive => ("skipped", "inconclusive"),
    };
    let (step, message) = failing_step(s);
    let mut body = format!("Step: {step}\n\n{message}\n");
    if let Some(x) = s.culprit.and_then(|i| s.evidence.get(i)) {
        let _ = write!(body, "\nExchange judged: {}\n", exchange_summary(x));
    }
    let message = match s.status {
        Status::Inconclusive => format!("inconclusive: {}", first_line(&message)),
        _ => first_line(&message),
    };
    let _ = write!(
        out,
        "      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n    </testcase>\n",
        element.0,
        escape_attr(&message),
        element.1,
        escape_text(&body),
    );
}

/// `<properties>` with one `requirement` property per requirement id, and `outcome` `warning` for a
/// warning; empty when there are none.
fn properties(s: &ScenarioResult) -> String {
    let warning = s.status == Status::Warning;
    if s.requirements.is_empty() && !warning {
        return String::new();
    }
    let mut out = String::from("      <properties>\n");
    if warning {
        out.push_str("        <property name=\"outcome\" value=\"warning\"/>\n");
    }
    for id in &s.requirements {
        let _ = writeln!(
            out,
            "        <property name=\"requirement\" value=\"{}\"/>",
            escape_attr(id)
        );
    }
    out.push_str("      </properties>\n");
    out
}

/// The failing step and its message: from [`ScenarioResult::failure`], else the first failed step,
/// so a failed scenario always gets a useful `<failure>` even if the runner left `failure` unset.
fn failing_step(s: &ScenarioResult) -> (String, String) {
    if let Some(f) = &s.failure {
        return (f.step.clone(), f.message.clone());
    }
    match s.steps.iter().find(|st| st.message.is_some()) {
        Some(st) => (
            format!("{} {}", st.keyword.trim(), st.text),
            st.message
                .clone()
                .unwrap_or_else(|| "step failed".to_string()),
        ),
        None => ("(unknown)".to_string(), "scenario failed".to_string()),
    }
}

/// `GET https://… -> 200`, or the transport error that stood in for the response.
pub(crate) fn exchange_summary(x: &Exchange) -> String {
    let outcome = match (&x.response, &x.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => format!("error: {e}"),
        (None, None) => "no response".to_string(),
    };
    format!(
        "{} {} -> {} ({:.0} ms)",
        x.request.method, x.request.url, outcome, x.elapsed_ms
    )
}

/// JUnit `time` is in seconds.
fn seconds(ms: f64) -> String {
    if ms.is_finite() && ms > 0.0 {
        format!("{:.3}", ms / 1000.0)
    } else {
        "0".to_string()
    }
}

/// The first line of a message, for the `message` attribute that CI lists show in one line; the
/// whole message goes in the element text.
fn first_line(s: &str) -> String {
    const MAX: usize = 500;
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Whether XML 1.0 can carry this character at all (production `Char` of the spec). Rust `char`s
/// are never surrogates, so only C0 controls and U+FFFE/U+FFFF are excluded.
fn xml_char_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape for element text: `&`, `<`, `>` as entities; characters XML 1.0 forbids replaced by
/// U+FFFD so the reader can see something was there.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if !xml_char_allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape for a double-quoted attribute value. Tab, CR and LF are written as character references
/// because a parser would otherwise normalise them to spaces.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char_allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_controls() {
        assert_eq!(
            escape_text("a<b>&c\u{0}d\u{1b}e\u{FFFF}"),
            "a&lt;b&gt;&amp;c\u{FFFD}d\u{FFFD}e\u{FFFD}"
        );
        assert_eq!(
            escape_attr("\"x'\n\ty\u{8}"),
            "&quot;x&apos;&#10;&#9;y\u{FFFD}"
        );
        // Characters XML allows pass through untouched, astral plane included.
        assert_eq!(escape_text("é – 𝄞\t\r\n"), "é – 𝄞\t\r\n");
    }

    #[test]
    fn first_line_skips_blank_lines_and_caps_length() {
        assert_eq!(first_line("\n  \nboom\nmore"), "boom");
        let long = "x".repeat(600);
        assert_eq!(first_line(&long).chars().count(), 501);
    }

    #[test]
    fn seconds_handles_non_finite() {
        assert_eq!(seconds(1234.0), "1.234");
        assert_eq!(seconds(f64::NAN), "0");
    }
}
