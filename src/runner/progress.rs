//! Progress shown while a run goes on: every failure as it happens, and a count every 50 scenarios.
//! Plain lines (no cursor tricks) so CI logs read as well as terminals.

use crate::terminal::inert_line;
use crate::verdict::Outcome;
use std::io::Write;

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing (tests, machine output).
    Silent,
    /// Lines on stderr.
    Terminal,
}

/// How often the running count is printed.
const COUNT_EVERY: usize = 50;

impl Progress {
    /// Report a finished scenario.
    pub fn scenario_finished(
        self,
        done: usize,
        failed: usize,
        feature: &str,
        scenario: &str,
        outcome: Outcome,
        message: Option<&str>,
    ) {
        if self == Progress::Silent {
            return;
        }
        let lines = lines(done, failed, feature, scenario, outcome, message);
        if lines.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        for line in lines {
            let _ = writeln!(err, "{line}");
        }
    }

    /// The run is over.
    pub fn done(self) {}
}

/// The lines a finished scenario adds to the progress. Feature and scenario names come from feature
/// files and the message can quote the provider: all are made inert (control characters spelt out),
/// each on its own line, so nothing they hold can rewrite what the terminal shows.
fn lines(
    done: usize,
    failed: usize,
    feature: &str,
    scenario: &str,
    outcome: Outcome,
    message: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    if outcome != Outcome::Passed {
        let word = match outcome {
            Outcome::Failed => "FAIL",
            Outcome::Inconclusive => "INCONCLUSIVE",
            Outcome::Warning => "WARN",
            _ => "ERROR",
        };
        out.push(format!(
            "  {word:<5} {}: {}",
            inert_line(feature),
            inert_line(scenario)
        ));
        if let Some(first) = message.and_then(|m| m.lines().next()) {
            out.push(format!("        {}", inert_line(first)));
        }
    }
    if done.is_multiple_of(COUNT_EVERY) {
        out.push(format!("  ... {done} scenarios run, {failed} failed"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_failure_message_cannot_fake_a_pass() {
        let lines = lines(
            1,
            1,
            "foundations/patient.feature",
            "Read a patient\x1b]0;pwned\x07",
            Outcome::Failed,
            Some("expected 200\x1b[2K\rPASS  Read a patient\nsecond line"),
        );
        assert_eq!(
            lines,
            [
                "  FAIL  foundations/patient.feature: Read a patient\\x1b]0;pwned\\x07",
                "        expected 200\\x1b[2K\\rPASS  Read a patient",
            ]
        );
        for line in &lines {
            assert!(
                !line.chars().any(|c| c.is_control()),
                "a control character reached the terminal: {line:?}"
            );
        }
    }

    #[test]
    fn passes_print_nothing_but_the_periodic_count() {
        assert!(lines(1, 0, "f", "s", Outcome::Passed, None).is_empty());
        assert_eq!(
            lines(COUNT_EVERY, 2, "f", "s", Outcome::Passed, None),
            ["  ... 50 scenarios run, 2 failed"]
        );
    }
}
