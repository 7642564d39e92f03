//! `gpc-assure validate FILE...`
use std::process::ExitCode;
/// Validate FHIR JSON or XML files against STU3 and the GP Connect profiles.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files to validate (`-` for stdin).
    pub files: Vec<std::path::PathBuf>,
}
/// Runs `gpc-assure validate`.
pub fn run(_args: ValidateArgs) -> ExitCode {
    ExitCode::SUCCESS
}
