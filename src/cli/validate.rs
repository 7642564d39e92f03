//! `gpc-assure validate FILE... [--profile URL] [--version 1.2|latest] [--format text|json]`
//!
//! Validates FHIR JSON or XML files (or `-` for stdin) with the embedded validator and prints
//! the issues. Exit status: 0 no errors, 1 at least one error, 2 the validator could not load.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::fhir::{self, Issue, ProfileSet, Severity};

/// Validate FHIR STU3 JSON or XML files against the base definitions and GP Connect profiles.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files to validate (JSON or XML); `-` reads stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Profile the resource must conform to (canonical URL); default: its meta.profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// GP Connect profile set: 1.2 or latest.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Runs `gpc-assure validate`.
pub fn run(args: ValidateArgs) -> ExitCode {
    let version: ProfileSet = match args.version.parse() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let v = match fhir::validator() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut any_error = false;
    let mut json_out = Vec::new();
    for f in &args.files {
        let name = f.display().to_string();
        let (bytes, ct) = if name == "-" {
            let mut b = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut b) {
                eprintln!("error: stdin: {e}");
                return ExitCode::from(2);
            }
            (b, None)
        } else {
            match std::fs::read(f) {
                Ok(b) => {
                    let ct = match f.extension().and_then(|e| e.to_str()) {
                        Some("xml") => Some("application/fhir+xml"),
                        Some("json") => Some("application/fhir+json"),
                        _ => None,
                    };
                    (b, ct)
                }
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    any_error = true;
                    continue;
                }
            }
        };
        let issues = v.validate_body(&bytes, ct, args.profile.as_deref(), version);
        any_error |= fhir::has_errors(&issues);
        match args.format {
            Format::Text => print_text(&name, &issues),
            Format::Json => json_out.push(serde_json::json!({"file": name, "issues": issues})),
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_out).unwrap_or_default()
        );
    }
    if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_text(name: &str, issues: &[Issue]) {
    let count = |s: Severity| issues.iter().filter(|i| i.severity == s).count();
    println!(
        "{name}: {} error(s), {} warning(s), {} information",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Information)
    );
    for i in issues {
        println!("  {i}");
    }
}
