//! What the command-line tests share: the binary under test, and running it to completion.

// Each test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::Command;

/// The `gpc-assure` binary Cargo built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gpc-assure"))
}

/// Run the binary with `args` (no backtraces, so stderr is what a user sees) and return its exit
/// status (-1 when a signal ended it), stdout and stderr.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The features shipped in this repository.
pub fn features() -> String {
    format!("{}/features", env!("CARGO_MANIFEST_DIR"))
}
