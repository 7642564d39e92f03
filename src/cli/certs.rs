//! `gpc-assure certs DIR`: write a throwaway set of mutual-TLS certificates as PEM files: a CA, a
//! server certificate for the loopback host, and client certificates a provider must accept or refuse
//! (see [`crate::certs`]). For trying a provider's test environment (it trusts `ca.pem`; the directory
//! is then `tls.test_certs_dir`) or for `gpc-assure serve --tls --certs DIR` by hand.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::certs::Kit;

/// Arguments of `certs`.
#[derive(Debug, clap::Args)]
pub struct CertsArgs {
    /// Directory to write the certificates into (created if missing; must not already hold a set).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Write the set; exit 2 when it cannot be made or written.
pub fn run(args: CertsArgs) -> ExitCode {
    let written = Kit::generate().and_then(|kit| kit.write_to(&args.dir));
    match written {
        Ok(files) => {
            println!(
                "Wrote {} files to {} (README.txt there says what each is):",
                files.len(),
                args.dir.display()
            );
            for f in &files {
                println!("  {}", f.display());
            }
            println!(
                "\nTo test a provider's test environment: make it trust ca.pem for client certificates, then run with\n  GPC_ASSURE_TLS_TEST_CERTS_DIR={0} GPC_ASSURE_TLS_CLIENT_CERT={0}/client.pem GPC_ASSURE_TLS_CLIENT_KEY={0}/client.key\nTo serve the reference provider with them: gpc-assure serve --tls --certs {0}",
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
