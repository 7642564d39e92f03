//! Progress shown while a run goes on.

use std::io::Write;

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing (tests, machine output).
    Silent,
    /// A line per finished scenario that failed and a running count, on stderr.
    Terminal,
}

impl Progress {
    /// Report a finished scenario.
    pub fn scenario_finished(self, done: usize, failed: usize, feature: &str, scenario: &str, passed: bool, message: Option<&str>) {
        if self == Progress::Silent {
            return;
        }
        let mut err = std::io::stderr().lock();
        if !passed {
            let _ = writeln!(err, "\r  FAIL  {feature}: {scenario}");
            if let Some(m) = message {
                let first = m.lines().next().unwrap_or_default();
                let _ = writeln!(err, "        {first}");
            }
        }
        if done % 10 == 0 || !passed {
            let _ = write!(err, "\r  {done} scenarios run, {failed} failed");
            let _ = err.flush();
        }
    }

    /// End the progress line.
    pub fn done(self) {
        if self == Progress::Terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}
