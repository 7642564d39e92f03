//! `gpc-assure schemas ...`: maintenance of the compiled FHIR definitions under `schemas/`. Built only
//! with the `generator` feature, so the shipped binary does not carry the generator.

use std::path::PathBuf;
use std::process::ExitCode;

/// Manage the compiled FHIR definitions (`schemas/`).
#[derive(Debug, clap::Args)]
pub struct SchemasArgs {
    #[command(subcommand)]
    pub command: SchemasCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum SchemasCommand {
    /// Compile the official definitions into `schemas/` (see schemas/README.md).
    ///
    /// --from takes, in priority order: the STU3 core directory (npm fhir@3.3.1
    /// package/profiles/stu3), the GP Connect assets root (with gpconnect-1.2/ and
    /// gpconnect-latest/; its gpconnect-dstu2/ gives the DSTU2 set of Access Record HTML), the
    /// GP Connect DSTU2 folder itself (alone: only gpc-dstu2.json.gz is rebuilt), and any other
    /// directory of your own profiles (loaded first).
    Build(BuildArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Input directories (repeat or list several).
    #[arg(long, required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,
    /// Provenance of every input folder (TOML: package or repository, tag or commit, paths inside
    /// it), recorded in the outputs instead of local paths.
    #[arg(long, default_value = "schemas/sources.toml")]
    pub sources: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "schemas")]
    pub out: PathBuf,
    /// Print every loader warning (skipped files, profiles without snapshot).
    #[arg(long)]
    pub verbose: bool,
}

/// Runs `gpc-assure schemas`.
pub fn run(args: SchemasArgs) -> ExitCode {
    match args.command {
        SchemasCommand::Build(b) => build(b),
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let sources = match crate::fhir::generator::Sources::load(&args.sources) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match crate::fhir::generator::build(&args.from, &sources, &args.out) {
        Ok(report) => {
            if args.verbose {
                for w in &report.warnings {
                    eprintln!("warning: {w}");
                }
            } else if !report.warnings.is_empty() {
                eprintln!(
                    "{} loader warnings (use --verbose to list them)",
                    report.warnings.len()
                );
            }
            for c in &report.counts {
                println!("{c}");
            }
            for (f, n) in &report.files {
                println!("wrote {}/{f} ({n} bytes)", args.out.display());
            }
            println!("done in {:.1} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
