//! Progress shown while a run goes on: every failure as it happens, and a count every 50 scenarios.
//! Plain lines (no cursor tricks) so CI logs read as well as terminals.

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
        let mut err = std::io::stderr().lock();
        if outcome != Outcome::Passed {
            let word = match outcome {
                Outcome::Failed => "FAIL",
                Outcome::Inconclusive => "INCONCLUSIVE",
                Outcome::Warning => "WARN",
                _ => "ERROR",
            };
            let _ = writeln!(err, "  {word:<5} {feature}: {scenario}");
            if let Some(first) = message.and_then(|m| m.lines().next()) {
                let _ = writeln!(err, "        {first}");
            }
        }
        if done.is_multiple_of(COUNT_EVERY) {
            let _ = writeln!(err, "  ... {done} scenarios run, {failed} failed");
        }
    }

    /// The run is over.
    pub fn done(self) {}
}
