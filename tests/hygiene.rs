//! Repository rules the compiler cannot see, checked over the files themselves.
//!
//! * Citations a reader can follow: no committed text file points at material that only exists beside a
//!   checkout (a sibling `shared` folder, absolute paths of a workstation, the names of private fact
//!   sheets). Features, comments and docs cite the public GP Connect pages on developer.nhs.uk instead.
//! * Layers: step definitions and checks never reach into the embedded reference provider (the harness
//!   must judge any provider by the specification, not by knowing how ours is built), and protocol facts
//!   (`gpconnect`) never depend on run settings (`config`).
//!
//! Each rule is a pure function over a file's text, proven on a broken sample below, then run over the tree.

use std::path::{Path, PathBuf};

/// Where an offence was found: file, 1-based line, the line, and why it offends.
#[derive(Debug)]
struct Offence {
    file: String,
    line: usize,
    text: String,
    why: &'static str,
}

impl std::fmt::Display for Offence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} ({})",
            self.file,
            self.line,
            self.text.trim(),
            self.why
        )
    }
}

/// Names of material that only exists beside a checkout. Spelt in pieces so this file does not match itself.
fn local_references() -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &'static str)> = [
        "foundations",
        "structured",
        "appointments",
        "cross-cutting",
        "profiles",
        "testing-data",
    ]
    .iter()
    .map(|n| {
        (
            format!("{n}.{}", "md"),
            "a private fact sheet: cite the public specification page",
        )
    })
    .collect();
    v.push((
        format!("..{}shared", '/'),
        "a folder beside the checkout: cite the public source",
    ));
    v.push((
        format!("catalogue {}", '§'),
        "a private catalogue: cite NHS Digital's public provider suite",
    ));
    v.push((
        format!("cross-cutting {}", '§'),
        "a private fact sheet: cite the public specification page",
    ));
    v
}

/// A line that names an absolute `/work/` path (a workstation's checkout), not a word like `home/work/`.
fn names_workstation_path(line: &str) -> bool {
    let needle = format!("{}work{}", '/', '/');
    line.match_indices(&needle).any(|(i, _)| {
        i == 0
            || matches!(
                line.as_bytes()[i - 1],
                b' ' | b'\t' | b'"' | b'\'' | b'`' | b'(' | b'=' | b'<' | b'['
            )
    })
}

/// Local path references in one file's text.
fn local_path_offences(file: &str, text: &str) -> Vec<Offence> {
    let refs = local_references();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let why = refs
            .iter()
            .find(|(needle, _)| line.contains(needle.as_str()))
            .map(|(_, why)| *why)
            .or_else(|| {
                names_workstation_path(line)
                    .then_some("an absolute workstation path: never record one")
            });
        if let Some(why) = why {
            out.push(Offence {
                file: file.to_string(),
                line: i + 1,
                text: line.to_string(),
                why,
            });
        }
    }
    out
}

/// `use` of a module a layer must not depend on (`forbidden` is e.g. `crate::provider`).
fn layer_offences(file: &str, text: &str, forbidden: &str, why: &'static str) -> Vec<Offence> {
    let external = forbidden.replacen("crate", "gpc_assure", 1);
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split("//").next().unwrap_or("");
            code.contains(forbidden) || code.contains(&external)
        })
        .map(|(i, l)| Offence {
            file: file.to_string(),
            line: i + 1,
            text: l.to_string(),
            why,
        })
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, skipping build output, VCS data and run reports.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name == ".git" {
            // A directory in a clone, a one-line pointer file in a worktree: not committed content.
            continue;
        }
        if p.is_dir() {
            if !matches!(name.as_str(), "target" | "reports" | "node_modules") {
                files_under(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

/// The text files of the tree (anything that is not valid UTF-8, such as the gzip schemas, is skipped).
fn text_files(under: &str) -> Vec<(String, String)> {
    let base = root();
    let mut paths = Vec::new();
    files_under(&base.join(under), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            let rel = p.strip_prefix(&base).unwrap_or(&p).display().to_string();
            Some((rel, text))
        })
        .collect()
}

fn report(offences: &[Offence]) -> String {
    offences
        .iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_local_reference_rule_catches_each_kind_of_reference() {
    let broken = [
        format!("  (foundations.{} §5)", "md"),
        format!("see ..{}shared/spec", '/'),
        format!("cd {}work{}main", '/', '/'),
        format!("\"base\": \"{}work{}shared/x\"", '/', '/'),
        format!("unlike the suite (catalogue {}11.4 D1)", '§'),
        format!("(cross-cutting {}6.1)", '§'),
        format!("structured.{}", "md"),
    ];
    for line in &broken {
        let found = local_path_offences("sample", line);
        assert_eq!(found.len(), 1, "not caught: {line}");
        assert_eq!(found[0].line, 1);
    }
    let fine = "Phones with use home/work/mobile/temp; https://developer.nhs.uk/apis/gpconnect-1-2-7/foundations_use_case_find_a_patient.html";
    assert!(local_path_offences("sample", fine).is_empty());
}

#[test]
fn no_committed_text_file_references_local_material() {
    let me = format!("tests{}hygiene.rs", std::path::MAIN_SEPARATOR);
    let mut offences = Vec::new();
    for (file, text) in text_files(".") {
        if file == me {
            continue;
        }
        offences.extend(local_path_offences(&file, &text));
    }
    assert!(
        offences.is_empty(),
        "local references in committed files:\n{}",
        report(&offences)
    );
}

#[test]
fn the_layer_rule_names_the_offending_line() {
    let text = "use std::fmt;\n// crate::provider is mentioned in a comment only\nlet x = crate::provider::structured::X;\nuse gpc_assure::provider::Fault;\n";
    let found = layer_offences("src/steps/x.rs", text, "crate::provider", "why");
    assert_eq!(found.iter().map(|o| o.line).collect::<Vec<_>>(), vec![3, 4]);
    assert!(found[0].to_string().starts_with("src/steps/x.rs:3: let x"));
}

#[test]
fn steps_and_checks_do_not_depend_on_the_reference_provider() {
    let mut offences = Vec::new();
    for dir in ["src/steps", "src/checks"] {
        for (file, text) in text_files(dir) {
            offences.extend(layer_offences(
                &file,
                &text,
                "crate::provider",
                "steps and checks judge any provider by the specification; move the fact to gpconnect or config",
            ));
        }
    }
    assert!(offences.is_empty(), "{}", report(&offences));
}

#[test]
fn protocol_facts_do_not_depend_on_settings() {
    let mut offences = Vec::new();
    for (file, text) in text_files("src/gpconnect") {
        offences.extend(layer_offences(
            &file,
            &text,
            "crate::config",
            "gpconnect holds protocol facts; config may use gpconnect, never the reverse",
        ));
    }
    assert!(offences.is_empty(), "{}", report(&offences));
}
