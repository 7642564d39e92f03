//! `gpc-assure diff OLD NEW [--html FILE]`
//!
//! Compares two runs, each given as a report directory or its results.json, and prints what changed:
//! newly failing, fixed, still failing, changed to or from error or inconclusive, added and removed
//! scenarios (see [`crate::report::diff`]). With `--html FILE` it also writes the comparison as a
//! small self-contained HTML page.
//!
//! Exit status: 0 nothing got worse; 1 a scenario is newly failing (failed in NEW, not in OLD,
//! scenarios new in NEW included) or NEW has a run error OLD did not have; 2 an input could not be
//! read (or the HTML page could not be written).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::report::diff;

/// Compare two runs: what is newly failing, fixed, still failing, added or removed.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier run: a report directory (holding results.json) or a results.json file.
    pub old: PathBuf,
    /// The later run: a report directory (holding results.json) or a results.json file.
    pub new: PathBuf,
    /// Also write the comparison as a self-contained HTML page to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Runs `gpc-assure diff`.
pub fn run(args: DiffArgs) -> ExitCode {
    let old = match diff::load(&args.old) {
        Ok(r) => r,
        Err(e) => return unreadable("OLD", &e),
    };
    let new = match diff::load(&args.new) {
        Ok(r) => r,
        Err(e) => return unreadable("NEW", &e),
    };
    let d = diff::compare(old, new);
    // Scenario names and messages come from the reports compared: printed inert, and a closed pipe
    // ends the printing, not the command.
    let text = diff::render_text(&d);
    crate::terminal::outln(format_args!(
        "{}",
        crate::terminal::inert(text.trim_end_matches('\n'))
    ));
    if let Some(path) = &args.html {
        if let Err(e) = std::fs::write(path, diff::render_html(&d)) {
            eprintln!(
                "error: cannot write the HTML comparison to {}: {e}. Choose a writable path for --html.",
                path.display()
            );
            return ExitCode::from(2);
        }
        crate::terminal::outln(format_args!(
            "HTML comparison written to {}",
            path.display()
        ));
    }
    ExitCode::from(d.exit_code())
}

fn unreadable(which: &str, message: &str) -> ExitCode {
    eprintln!("error: {which}: {message}");
    ExitCode::from(2)
}
