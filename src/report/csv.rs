//! scenarios.csv and requirements.csv: the run as two tables, for a spreadsheet or a quick `grep`.
//!
//! - scenarios.csv: `feature,line,name,outcome,requirements,message`, one row per scenario (outline
//!   rows included, named as in junit.xml: see [`names`](super::names)); requirements separated by
//!   spaces; the message is why the scenario did not pass, empty when it passed.
//! - requirements.csv: `id,outcome,scenarios,failed`, one row per requirement id the run checked.
//!
//! Quoting follows RFC 4180 (the `csv` crate quotes any field holding a comma, quote or line break).
//! Scenario names and messages come from feature authors and from the provider under test, and a
//! spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (so could a tab or a
//! carriage return before one): such a text cell gets a leading `'`, which spreadsheets show as
//! text. Number cells are written as numbers.

use super::model::RunReport;
use super::names;

/// Render scenarios.csv.
pub fn scenarios(report: &RunReport) -> std::io::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "feature",
        "line",
        "name",
        "outcome",
        "requirements",
        "message",
    ])?;
    for f in &report.features {
        for (s, name) in f.scenarios.iter().zip(names::of_feature(f)) {
            let message = s.failure.as_ref().map(|x| x.message.as_str()).unwrap_or("");
            w.write_record([
                text(&f.path),
                s.line.to_string(),
                text(&name.to_string()),
                s.status.label().to_string(),
                text(&s.requirements.join(" ")),
                text(message),
            ])?;
        }
    }
    finish(w)
}

/// Render requirements.csv.
pub fn requirements(report: &RunReport) -> std::io::Result<String> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "outcome", "scenarios", "failed"])?;
    for r in report.requirements() {
        w.write_record([
            text(&r.id),
            r.status.label().to_string(),
            r.scenarios.to_string(),
            r.failed.to_string(),
        ])?;
    }
    finish(w)
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> std::io::Result<String> {
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

/// A text cell a spreadsheet will not run as a formula (see the module doc).
pub fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_other_text_kept() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-2+3"), "'-2+3");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("\t=1"), "'\t=1");
        assert_eq!(text("a=b"), "a=b");
        assert_eq!(text(""), "");
    }
}
