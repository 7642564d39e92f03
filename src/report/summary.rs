//! summary.md: a short Markdown summary of a run for a CI job page, e.g.
//! `cat reports/latest/summary.md >> "$GITHUB_STEP_SUMMARY"` in GitHub Actions.
//!
//! It holds the verdict, the count of each outcome, what was tested, the problems that stopped part
//! of the run, and the scenarios that did not pass grouped by root cause ([`failure_groups`]): the
//! largest [`MAX_FAILED_GROUPS`] failed groups, then the largest [`MAX_NOT_PROVEN_GROUPS`] error and
//! inconclusive groups, then the largest [`MAX_NOT_PROVEN_GROUPS`] warning groups (a SHOULD or MAY the
//! provider does not follow: never a failure), each with its count, its check, its message and the
//! requirement ids it concerns; the rest is counted in one line. The evidence is in index.html, linked relatively.
//!
//! Scenario names, messages and requirement ids come from feature authors and from the provider under
//! test: messages and checks are written as code spans (which Markdown renders as text, never as
//! HTML), other text with Markdown's specials backslash-escaped.

use std::fmt::Write as _;

use super::groups::{failure_groups, FailureGroup};
use super::model::{RunReport, Status, Verdict};

/// Failed groups shown; the others are counted.
pub const MAX_FAILED_GROUPS: usize = 10;
/// Error and inconclusive groups shown; the others are counted.
pub const MAX_NOT_PROVEN_GROUPS: usize = 5;
/// Requirement ids shown per group.
const MAX_REQUIREMENTS: usize = 6;
/// Characters of a message shown in a table cell.
const MAX_MESSAGE: usize = 200;

/// Render summary.md.
pub fn render(report: &RunReport) -> String {
    let verdict = report.verdict();
    let totals = report.totals();
    let mut out = String::new();
    let icon = match verdict {
        Verdict::Passed => "✅",
        Verdict::Failed => "❌",
        Verdict::Incomplete => "⚠️",
    };
    let _ = writeln!(out, "## {icon} GP Connect assurance: {}\n", verdict.label());
    let _ = writeln!(out, "{}\n", verdict_sentence(report));
    out.push_str("| passed | failed | inconclusive | error | not applicable | warning |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |\n",
        totals.passed,
        totals.failed,
        totals.inconclusive,
        totals.error,
        totals.not_applicable,
        totals.warning
    );
    let t = &report.target;
    let mut tested = format!(
        "Target {}, ODS code {}, ASID {}, GP Connect {}, structured {}",
        code(&t.foundations_url),
        code(&t.provider_ods_code),
        code(&t.provider_asid),
        escape(&t.gpconnect_version),
        escape(&t.structured_version),
    );
    if t.embedded {
        tested.push_str(" (the embedded reference provider)");
    }
    if let Some(tags) = &report.tag_filter {
        let _ = write!(tested, ", tags {}", code(tags));
    }
    let _ = writeln!(
        tested,
        "; {} requests in {:.1} s, started {}.",
        totals.requests,
        report.duration_ms.max(0.0) / 1000.0,
        escape(&report.started_at)
    );
    out.push_str(&tested);
    out.push('\n');

    if !report.run_errors.is_empty() {
        let _ = writeln!(out, "### Run errors ({})\n", report.run_errors.len());
        for e in &report.run_errors {
            let _ = writeln!(out, "- {}", code(&clip(e, MAX_MESSAGE * 2)));
        }
        out.push('\n');
    }

    let groups = failure_groups(report);
    let (warnings, groups): (Vec<&FailureGroup>, Vec<&FailureGroup>) =
        groups.iter().partition(|g| g.outcome == Status::Warning);
    let (failed, not_proven): (Vec<&FailureGroup>, Vec<&FailureGroup>) = groups
        .into_iter()
        .partition(|g| g.outcome == Status::Failed);
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "### Failures: {} {} in {} {}\n",
            totals.failed,
            plural(totals.failed, "scenario", "scenarios"),
            failed.len(),
            plural(failed.len(), "group", "groups"),
        );
        table(&mut out, &failed, MAX_FAILED_GROUPS, false);
    }
    if !not_proven.is_empty() {
        let n = totals.error + totals.inconclusive;
        let _ = writeln!(
            out,
            "### Not proven (error, inconclusive): {n} {} in {} {}\n",
            plural(n, "scenario", "scenarios"),
            not_proven.len(),
            plural(not_proven.len(), "group", "groups"),
        );
        table(&mut out, &not_proven, MAX_NOT_PROVEN_GROUPS, true);
    }
    if !warnings.is_empty() {
        let _ = writeln!(
            out,
            "### Warnings (a SHOULD or MAY not followed; not failures): {} {} in {} {}\n",
            totals.warning,
            plural(totals.warning, "scenario", "scenarios"),
            warnings.len(),
            plural(warnings.len(), "group", "groups"),
        );
        table(&mut out, &warnings, MAX_NOT_PROVEN_GROUPS, false);
    }
    out.push_str(
        "Full report with the evidence of every request: [index.html](index.html) \
         (also junit.xml, cucumber.json, results.json, scenarios.csv, requirements.csv).\n",
    );
    out
}

/// One sentence saying what the verdict means for this run.
fn verdict_sentence(report: &RunReport) -> String {
    let t = report.totals();
    let applicable = t.applicable();
    match report.verdict() {
        Verdict::Passed if t.warning > 0 => format!(
            "No scenario failed: {} passed and {} ended in a warning, a SHOULD or MAY the \
             provider does not follow, which is never a failure ({applicable} applicable). Exit \
             status 0.",
            t.passed, t.warning
        ),
        Verdict::Passed if t.not_applicable > 0 => format!(
            "Every applicable scenario passed ({applicable}; {} not applicable to the target's \
             version). Exit status 0.",
            t.not_applicable
        ),
        Verdict::Passed => {
            format!("Every applicable scenario passed ({applicable}). Exit status 0.")
        }
        Verdict::Failed => format!(
            "{} of {applicable} applicable {} failed: the provider broke a rule of the \
             specification. Exit status 1.",
            t.failed,
            plural(applicable, "scenario", "scenarios"),
        ),
        Verdict::Incomplete if !report.run_errors.is_empty() => {
            "Something stopped part of the run (below): conformance is not proven. Exit status 3."
                .to_string()
        }
        Verdict::Incomplete if applicable == 0 => {
            "No applicable scenario ran: nothing was assured. Exit status 3.".to_string()
        }
        Verdict::Incomplete => format!(
            "None failed, but {} {} inconclusive or ended in error: conformance is not proven. \
             Exit status 3.",
            t.inconclusive + t.error,
            plural(t.inconclusive + t.error, "was", "were"),
        ),
    }
}

/// The groups as a table, at most `max` rows, then a line counting the rest.
fn table(out: &mut String, groups: &[&FailureGroup], max: usize, with_outcome: bool) {
    if with_outcome {
        out.push_str("| Scenarios | Outcome | Check | Message | Requirements |\n");
        out.push_str("|---:|---|---|---|---|\n");
    } else {
        out.push_str("| Scenarios | Check | Message | Requirements |\n");
        out.push_str("|---:|---|---|---|\n");
    }
    for g in groups.iter().take(max) {
        let _ = write!(out, "| {} |", g.count());
        if with_outcome {
            let _ = write!(out, " {} |", g.outcome.label());
        }
        let _ = writeln!(
            out,
            " {} | {} | {} |",
            code_cell(&g.check),
            code_cell(&clip(&g.message, MAX_MESSAGE)),
            requirements(&g.requirements),
        );
    }
    if groups.len() > max {
        let rest = &groups[max..];
        let scenarios: usize = rest.iter().map(|g| g.count()).sum();
        let _ = writeln!(
            out,
            "\n... and {} more {} ({scenarios} {}).",
            rest.len(),
            plural(rest.len(), "group", "groups"),
            plural(scenarios, "scenario", "scenarios"),
        );
    }
    out.push('\n');
}

fn requirements(ids: &[String]) -> String {
    if ids.is_empty() {
        return "–".into();
    }
    let mut s = ids
        .iter()
        .take(MAX_REQUIREMENTS)
        .map(|id| escape(id))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > MAX_REQUIREMENTS {
        let _ = write!(s, " and {} more", ids.len() - MAX_REQUIREMENTS);
    }
    s
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// At most `max` characters, on one line.
fn clip(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// A Markdown code span holding `s` on one line, whatever backticks it contains.
pub fn code(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return "–".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A code span for a table cell: a `|` would end the cell even inside a code span, so it is escaped
/// (GitHub removes the backslash).
fn code_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// Text with Markdown's specials (and HTML's) backslash-escaped, on one line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '!' | '&' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a b"), "`a b`");
        assert_eq!(code("uses `x` here"), "``uses `x` here``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("two\nlines"), "`two lines`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
        assert_eq!(code(""), "–");
    }

    #[test]
    fn markdown_and_html_specials_are_escaped() {
        assert_eq!(
            escape("<img src=x> *bold* [link](u) a|b"),
            "\\<img src=x\\> \\*bold\\* \\[link\\](u) a\\|b"
        );
    }

    #[test]
    fn long_messages_are_clipped_on_one_line() {
        assert_eq!(clip("a\n  b", 10), "a b");
        assert_eq!(clip(&"x".repeat(12), 10), format!("{}…", "x".repeat(10)));
    }
}
