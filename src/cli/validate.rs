//! `gpc-assure validate FILE... [--profile URL] [--version 1.2|latest|dstu2] [--format text|json]`
//!
//! Validates FHIR JSON or XML files (or `-` for stdin) with the embedded validator and prints
//! the issues: FHIR STU3 with the GP Connect 1.2 or latest profiles, or FHIR DSTU2 with the GP
//! Connect DSTU2 profiles of Access Record HTML (0.5.x / 0.7.x). Exit status: 0 no errors, 1 at
//! least one error (an input that cannot be read counts as one), 2 the validator could not load or
//! the output could not be written.
//!
//! An input that cannot be read (missing, a directory, no permission, larger than
//! [`MAX_INPUT_BYTES`]) is reported and the others are still validated: on stderr in text
//! format, and as an entry with an `error` in JSON format, so a JSON consumer sees every input
//! it asked about.
//!
//! When stdout is closed early (`gpc-assure validate FILE | head -1`), the command stops writing
//! and exits quietly with status 0, as `head` users expect of a command whose output they cut.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::fhir::{self, Issue, ProfileSet, Severity};

/// The largest input `validate` reads (64 MiB), from a file or stdin. GP Connect payloads are far
/// smaller (a whole structured record is a few megabytes); the cap keeps a wrong file or an
/// endless stream from exhausting memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Validate FHIR JSON or XML files against the base definitions and GP Connect profiles: FHIR STU3
/// (`--version 1.2` or `latest`) or, for Access Record HTML 0.5.x / 0.7.x, FHIR DSTU2
/// (`--version dstu2`).
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files to validate (JSON or XML); `-` reads stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Profile the resource must conform to (canonical URL); default: its meta.profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// Profile set: 1.2 or latest (GP Connect 1.x, FHIR STU3), or dstu2 (Access Record HTML 0.5.x
    /// and 0.7.x: FHIR DSTU2 1.0.2 with the GP Connect DSTU2 profiles).
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
            complain(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let v = match fhir::validator() {
        Ok(v) => v,
        Err(e) => {
            complain(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let mut out = io::stdout().lock();
    match validate_all(&args, v, version, &mut out) {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            complain(&format!("error: cannot write the results to stdout: {e}"));
            ExitCode::from(2)
        }
    }
}

/// Validates every input, writing as it goes; `Ok(true)` when any input had an error or could
/// not be read.
fn validate_all(
    args: &ValidateArgs,
    v: &fhir::Validator,
    version: ProfileSet,
    out: &mut impl Write,
) -> io::Result<bool> {
    let mut any_error = false;
    let mut json_out = Vec::new();
    for f in &args.files {
        let name = f.display().to_string();
        let (bytes, ct) = match read_input(f) {
            Ok(read) => read,
            Err(message) => {
                any_error = true;
                match args.format {
                    Format::Text => complain(&format!("error: {name}: {message}")),
                    Format::Json => json_out.push(serde_json::json!({
                        "file": name, "error": message, "issues": []
                    })),
                }
                continue;
            }
        };
        let issues = v.validate_body(&bytes, ct, args.profile.as_deref(), version);
        any_error |= fhir::has_errors(&issues);
        match args.format {
            Format::Text => write_text(out, &name, &issues)?,
            Format::Json => json_out.push(serde_json::json!({"file": name, "issues": issues})),
        }
    }
    if args.format == Format::Json {
        let text = serde_json::to_string_pretty(&json_out).map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    }
    out.flush()?;
    Ok(any_error)
}

/// Reads one input (`-`: stdin) with its content type from the file extension, or says why it
/// cannot be read.
fn read_input(path: &Path) -> Result<(Vec<u8>, Option<&'static str>), String> {
    if path.as_os_str() == "-" {
        return read_capped(io::stdin().lock()).map(|b| (b, None));
    }
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(&e))?;
    if meta.is_dir() {
        return Err("is a directory; give the FHIR JSON or XML files in it".into());
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(Some(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot_read(&e))?;
    let bytes = read_capped(file)?;
    let ct = match path.extension().and_then(|e| e.to_str()) {
        Some("xml") => Some("application/fhir+xml"),
        Some("json") => Some("application/fhir+json"),
        _ => None,
    };
    Ok((bytes, ct))
}

/// Reads at most [`MAX_INPUT_BYTES`]; more is an error (a special file or a stream can be larger
/// than its size said, or have none).
fn read_capped(input: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(&e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(None));
    }
    Ok(bytes)
}

fn cannot_read(e: &io::Error) -> String {
    let hint = match e.kind() {
        io::ErrorKind::NotFound => " (check the path)",
        io::ErrorKind::PermissionDenied => " (check its permissions)",
        _ => "",
    };
    format!("cannot be read: {e}{hint}")
}

fn too_large(size: Option<u64>) -> String {
    const MIB: u64 = 1024 * 1024;
    let size = match size {
        Some(s) => format!("is {} MiB", s.div_ceil(MIB)),
        None => format!("is more than {} MiB", MAX_INPUT_BYTES / MIB),
    };
    format!(
        "{size}; validate reads at most {} MiB per input (GP Connect payloads are far smaller: check that this is the payload you meant)",
        MAX_INPUT_BYTES / MIB
    )
}

/// A message on stderr; a closed stderr is not worth failing over.
fn complain(message: &str) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

fn write_text(out: &mut impl Write, name: &str, issues: &[Issue]) -> io::Result<()> {
    // a summary of issues left out counts for all of them
    let count = |s: Severity| {
        issues
            .iter()
            .filter(|i| i.severity == s)
            .map(Issue::count)
            .sum::<usize>()
    };
    writeln!(
        out,
        "{name}: {} error(s), {} warning(s), {} information",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Information)
    )?;
    for i in issues {
        writeln!(out, "  {i}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_capped() {
        let just = [b' '; 16];
        assert_eq!(read_capped(&just[..]).unwrap().len(), 16);
        // an endless stream stops one byte past the cap
        let endless = io::repeat(b'x');
        let e = read_capped(endless).unwrap_err();
        assert!(e.contains("more than 64 MiB"), "{e}");
    }

    #[test]
    fn unreadable_inputs_say_why() {
        let dir = std::env::temp_dir();
        assert!(read_input(&dir).unwrap_err().contains("is a directory"));
        let missing = dir.join("gpc-assure-no-such-file.json");
        let e = read_input(&missing).unwrap_err();
        assert!(
            e.contains("cannot be read") && e.contains("check the path"),
            "{e}"
        );
        assert!(too_large(Some(70 * 1024 * 1024)).starts_with("is 70 MiB;"));
    }
}
