//! The `gpc-assure` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gpc_assure::cli;

/// A run builds and drops millions of small JSON values (bodies, evidence, reports): mimalloc
/// serves them with far less CPU than the system allocator (benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Conformance and assurance harness for NHS England's GP Connect provider APIs (FHIR STU3).
///
/// Runs Gherkin assurance scenarios against a provider as a consumer behind the Spine Secure Proxy would
/// (Ssp-* headers, JWT, TLS), validates every response, and writes an HTML compliance report with the
/// evidence, plus JUnit XML and JSON for CI.
#[derive(Debug, Parser)]
#[command(name = "gpc-assure", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the assurance scenarios. With no target, against the embedded reference provider.
    ///
    /// Exit status: 0 every applicable scenario passed; 1 at least one failed (the provider broke a
    /// rule); 3 none failed but some were inconclusive (missing test data) or ended in error; 2 the run
    /// could not start (bad configuration, unreadable features, a service root that does not answer).
    Run(cli::run::RunArgs),
    /// Run the embedded reference provider alone, to explore it or to target it from another tool.
    Serve(cli::serve::ServeArgs),
    /// Prove the scenarios catch faults: run them against the reference provider as it is (all must
    /// pass), then once per deliberate fault (some must fail), and print which requirements caught each.
    Prove(cli::prove::ProveArgs),
    /// Compare two runs (report directories or results.json files): newly failing, fixed, still
    /// failing, changed to or from error or inconclusive, added and removed scenarios.
    ///
    /// Exit status: 0 nothing got worse; 1 a scenario is newly failing, or NEW has a run error OLD did
    /// not have; 2 an input could not be read.
    Diff(cli::diff::DiffArgs),
    /// Validate FHIR resources (JSON or XML files, or - for stdin) against FHIR STU3 and the GP Connect
    /// profiles. Exit status 1 if any error is found.
    Validate(cli::validate::ValidateArgs),
    /// Write a throwaway set of mutual-TLS certificates (a CA, a server certificate for localhost,
    /// client certificates that are valid, expired, not yet valid, from another authority, or for the
    /// wrong purpose) as PEM files, for testing a provider's TLS or for `serve --tls --certs DIR`.
    ///
    /// Exit status 2 when they cannot be written (the directory already holds a set, or is not writable).
    Certs(cli::certs::CertsArgs),
    /// Compile FHIR definitions into the validator's schemas/ (maintainers; `--features generator`).
    #[cfg(feature = "generator")]
    Schemas(cli::schemas::SchemasArgs),
}

/// Keeps the process's memory in ordinary 4 KiB pages. The allocator asks the kernel for
/// transparent huge pages on its regions; a run allocates and frees steadily, the allocator hands
/// freed memory back, and each 2 MiB page touched again is zeroed whole: up to a quarter of the
/// harness's CPU, varying from run to run with what the kernel has to give (benches/README.md).
fn ordinary_pages() {
    #[cfg(target_os = "linux")]
    {
        // refused only by kernels before 3.15, which then keep their own setting
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}

fn main() -> ExitCode {
    ordinary_pages();
    let cli = Cli::parse();
    // One thread for a run; a pool for the provider served alone (see `runtime`).
    let runtime = match gpc_assure::runtime::for_command(matches!(cli.command, Command::Serve(_))) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Run(args) => cli::run::run(args).await,
            Command::Serve(args) => cli::serve::run(args).await,
            Command::Prove(args) => cli::prove::run(args).await,
            Command::Validate(args) => cli::validate::run(args),
            Command::Diff(args) => cli::diff::run(args),
            Command::Certs(args) => cli::certs::run(args),
            #[cfg(feature = "generator")]
            Command::Schemas(args) => cli::schemas::run(args),
        }
    })
}
