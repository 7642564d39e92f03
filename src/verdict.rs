//! Outcomes: how a step, a scenario or a requirement ended, and why a step did not pass, typed (the
//! provider broke a rule, a precondition was missing, or the harness or the transport failed), and the
//! outcome of a scenario that only checks a SHOULD or a MAY (a warning, never a failure).
//!
//! cucumber turns a step's `Err` into a panic carrying the error's `Display` text, so the kind travels
//! as a short prefix of that text (`INCONCLUSIVE: `, `ERROR: `), written by [`Problem`]'s `Display` and
//! read back by [`Problem::decode`] in the runner. A plain `String` error (every check's error type)
//! has no prefix and means "failed": checks only ever state rule violations.

use std::fmt;

/// How a step, a scenario or a requirement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every check held.
    Passed,
    /// The provider did not follow a SHOULD or a MAY (or offers no XML, which GP Connect says servers
    /// SHOULD support): reported, never a failure. Only a whole scenario ends so, when every rule it
    /// checks is of level should/may (see `runner::advisory`); steps never do.
    Warning,
    /// The provider broke a rule.
    Failed,
    /// A precondition was missing (test data not mapped or not found, no free slot), so the rule could
    /// not be tested. Not the provider's failure; the message says what to set up.
    Inconclusive,
    /// The harness or the transport failed (an undefined step, a dropped connection).
    Error,
    /// Excluded by `@since`/`@until` for the target's version.
    NotApplicable,
    /// A step not run because an earlier one did not pass.
    Skipped,
}

impl Outcome {
    /// The word used in reports and on the terminal.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Warning => "warning",
            Outcome::Failed => "failed",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Error => "error",
            Outcome::NotApplicable => "not applicable",
            Outcome::Skipped => "skipped",
        }
    }

    /// How bad an outcome is, for combining steps into a scenario: the first step that does not pass
    /// decides, but a later failure is never hidden behind an earlier inconclusive (a check that ran
    /// and found a broken rule is the stronger evidence). A warning is the mildest of the outcomes
    /// that are not a pass: it never hides anything else.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Passed | Outcome::Skipped | Outcome::NotApplicable => 0,
            Outcome::Warning => 1,
            Outcome::Inconclusive => 2,
            Outcome::Error => 3,
            Outcome::Failed => 4,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a run stopped before every scenario had run: scenarios it did not start are reported as
/// errors "not run: <reason>", those it cut short "stopped: <reason>", and the run's verdict can no
/// longer be passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The run's time limit (`--max-duration`, `http.max_duration`) was reached.
    Deadline,
    /// The user interrupted the run (Ctrl-C).
    Interrupted,
}

impl StopReason {
    /// The word used in reports and messages.
    pub fn label(self) -> &'static str {
        match self {
            StopReason::Deadline => "deadline",
            StopReason::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The error message of a step no step definition matches (report writers that have a status of their
/// own for it, such as Cucumber JSON's `undefined`, recognise it by this text).
pub const UNDEFINED_STEP: &str = "no step definition matches this step (a typo in the feature?)";

const INCONCLUSIVE_PREFIX: &str = "INCONCLUSIVE: ";
const ERROR_PREFIX: &str = "ERROR: ";

/// A step that did not pass, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub outcome: Outcome,
    pub message: String,
}

impl Problem {
    /// The provider broke a rule.
    pub fn failed(message: impl Into<String>) -> Problem {
        Problem {
            outcome: Outcome::Failed,
            message: message.into(),
        }
    }

    /// A precondition was missing; `message` says what to set up.
    pub fn inconclusive(message: impl Into<String>) -> Problem {
        Problem {
            outcome: Outcome::Inconclusive,
            message: message.into(),
        }
    }

    /// The harness or the transport failed.
    pub fn error(message: impl Into<String>) -> Problem {
        Problem {
            outcome: Outcome::Error,
            message: message.into(),
        }
    }

    /// The same problem with `context` put before its message, its kind kept.
    pub fn context(self, context: impl fmt::Display) -> Problem {
        Problem {
            outcome: self.outcome,
            message: format!("{context}: {}", self.message),
        }
    }

    /// Read back a step's failure text (see the module doc).
    pub fn decode(text: &str) -> Problem {
        if let Some(m) = text.strip_prefix(INCONCLUSIVE_PREFIX) {
            Problem::inconclusive(m)
        } else if let Some(m) = text.strip_prefix(ERROR_PREFIX) {
            Problem::error(m)
        } else {
            Problem::failed(text)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.outcome {
            Outcome::Inconclusive => write!(f, "{INCONCLUSIVE_PREFIX}{}", self.message),
            Outcome::Error => write!(f, "{ERROR_PREFIX}{}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// A check's message is a broken rule, unless it carries a kind's prefix (a check that could not
/// judge a body the harness cut says so with [`Problem::error`]'s text).
impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::decode(&message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::failed(message)
    }
}

/// What a step returns: `Ok`, or the [`Problem`] that stopped it.
pub type StepResult = Result<(), Problem>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_survives_the_trip_through_cucumber_text() {
        for p in [
            Problem::failed("Patient.gender is missing"),
            Problem::inconclusive("patient2 is not mapped"),
            Problem::error("connection reset"),
        ] {
            assert_eq!(Problem::decode(&p.to_string()), p);
        }
    }

    #[test]
    fn a_plain_check_message_is_a_failure() {
        let p: Problem = String::from("status 500; expected 200").into();
        assert_eq!(p.outcome, Outcome::Failed);
        assert_eq!(Problem::decode("status 500; expected 200"), p);
    }

    #[test]
    fn context_keeps_the_kind() {
        let p = Problem::inconclusive("no free slot").context("booking for patient1");
        assert_eq!(p.outcome, Outcome::Inconclusive);
        assert_eq!(p.message, "booking for patient1: no free slot");
    }

    #[test]
    fn a_failure_outweighs_an_inconclusive_which_outweighs_a_pass() {
        assert!(Outcome::Failed.severity() > Outcome::Error.severity());
        assert!(Outcome::Error.severity() > Outcome::Inconclusive.severity());
        assert!(Outcome::Inconclusive.severity() > Outcome::Warning.severity());
        assert!(Outcome::Warning.severity() > Outcome::Passed.severity());
    }
}
