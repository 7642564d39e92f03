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

/// Run the binary on the scenarios matching `tags`, against the embedded provider, with one setting
/// given the way a user gives it (the environment variable `setting` = `value`, every other
/// `GPC_ASSURE_*` variable removed), and return its exit status, stdout and results.json.
pub fn run_tagged_with(tags: &str, setting: &str, value: &str) -> (i32, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let mut cmd = bin();
    cmd.args([
        "run",
        "--features",
        &features(),
        "--tags",
        tags,
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
    .env_remove("RUST_BACKTRACE");
    for (name, _) in std::env::vars() {
        if name.starts_with("GPC_ASSURE_") {
            cmd.env_remove(name);
        }
    }
    let output = cmd.env(setting, value).output().expect("binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let results = std::fs::read_to_string(out.join("results.json"))
        .unwrap_or_else(|e| panic!("{setting}={value}: no results.json ({e}); stdout:\n{stdout}"));
    (
        output.status.code().unwrap_or(-1),
        stdout,
        serde_json::from_str(&results).expect("results.json is JSON"),
    )
}

/// The names of the entries of `dir`, sorted.
pub fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{} cannot be listed: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
