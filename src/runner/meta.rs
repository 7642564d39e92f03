//! What it takes to repeat a run ([`RunMeta`]): the feature files and their fingerprint, the
//! configuration as used, the command line, the host; secrets redacted wherever they could appear.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::{Config, ENV_PREFIX};
use crate::report::{FeatureFileHash, FeatureSet};

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "REDACTED";

/// The `.feature` files at `root` (a directory, searched recursively, or one file), each with its
/// SHA-256, and the SHA-256 of the manifest they make: one line `<hex>  <path>\n` per file, paths
/// relative to `root` with `/`, sorted by bytes, which is what `sha256sum` prints for them, so
///
/// ```sh
/// cd features && find . -name '*.feature' | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum
/// ```
///
/// gives the same hash.
pub fn feature_set(root: &Path) -> std::io::Result<FeatureSet> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if root.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, root.to_path_buf()));
    } else {
        walk(root, root, &mut files)?;
    }
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut manifest = Vec::with_capacity(files.len());
    let mut listing = String::new();
    for (rel, path) in files {
        let sha256 = hex(&Sha256::digest(std::fs::read(&path)?));
        listing.push_str(&format!("{sha256}  {rel}\n"));
        manifest.push(FeatureFileHash { path: rel, sha256 });
    }
    Ok(FeatureSet {
        root: root.display().to_string(),
        files: manifest.len(),
        sha256: hex(&Sha256::digest(listing.as_bytes())),
        manifest,
    })
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            walk(root, &p, out)?;
        } else if p.extension().is_some_and(|e| e == "feature") {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((rel.join("/"), p));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The configuration as TOML, secrets redacted: a password (or a lone user name, which is how tokens
/// are often passed) in any URL, query parameters named like secrets, and the value of any key named
/// like one. File paths (a client key's path) are kept: they are not secrets.
pub fn config_toml(config: &Config) -> String {
    let mut value = match toml::Value::try_from(config) {
        Ok(v) => v,
        Err(e) => return format!("# the configuration could not be rendered: {e}\n"),
    };
    redact_value(None, &mut value);
    toml::to_string_pretty(&value)
        .unwrap_or_else(|e| format!("# the configuration could not be rendered: {e}\n"))
}

fn redact_value(key: Option<&str>, value: &mut toml::Value) {
    match value {
        toml::Value::String(s) => {
            *s = if key.is_some_and(secret_name) {
                REDACTED.to_string()
            } else {
                redact_url(s)
            }
        }
        toml::Value::Array(items) => items.iter_mut().for_each(|v| redact_value(key, v)),
        toml::Value::Table(t) => t.iter_mut().for_each(|(k, v)| redact_value(Some(k), v)),
        _ => {}
    }
}

/// Whether a key or parameter name says its value is a secret.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['-', '.'], "_");
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "access_key",
        "credential",
        "passphrase",
        "signature",
        "sig",
        "auth",
        "authorization",
        "cookie",
    ]
    .iter()
    .any(|s| n == *s || n.ends_with(&format!("_{s}")) || n.starts_with(&format!("{s}_")))
}

/// `url` with its credentials (user name and password) and the values of query parameters named
/// like secrets replaced by [`REDACTED`]; anything that is not an http(s) URL, or holds no secret,
/// is returned as it is.
pub fn redact_url(url: &str) -> String {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return url.to_string();
    }
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_string();
    };
    let mut changed = false;
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(REDACTED));
        changed = true;
    } else if !parsed.username().is_empty() {
        let _ = parsed.set_username(REDACTED);
        changed = true;
    }
    if parsed.query_pairs().any(|(k, _)| secret_name(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret_name(&k) {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        parsed.to_string()
    } else {
        url.to_string()
    }
}

/// The command line with secrets redacted: URLs (alone or as `--option=URL`) lose their credentials
/// and secret query values, and the value of an option named like a secret (`--token X`,
/// `--password=X`) is replaced.
pub fn redact_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut secret_next = false;
    for arg in args {
        if secret_next {
            out.push(REDACTED.to_string());
            secret_next = false;
            continue;
        }
        if let Some(option) = arg.strip_prefix("--") {
            if let Some((name, value)) = option.split_once('=') {
                let value = if secret_name(name) {
                    REDACTED.to_string()
                } else {
                    redact_url(value)
                };
                out.push(format!("--{name}={value}"));
                continue;
            }
            secret_next = secret_name(option);
        }
        out.push(redact_url(&arg));
    }
    out
}

/// Names of the `GPC_ASSURE_*` variables in `env`, sorted.
pub fn env_overrides(env: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    let mut names: Vec<String> = env
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with(ENV_PREFIX))
        .collect();
    names.sort();
    names
}

/// The name of the host the run is on (`unknown` when the system does not say).
pub fn hostname() -> String {
    let from_file = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials_and_secret_parameters_only() {
        assert_eq!(
            redact_url("https://user:s3cret@p.example/gpconnect"),
            "https://user:REDACTED@p.example/gpconnect"
        );
        assert_eq!(
            redact_url("https://ghp_abc@p.example/x"),
            "https://REDACTED@p.example/x"
        );
        assert_eq!(
            redact_url("https://p.example/x?access_token=abc&_format=json"),
            "https://p.example/x?access_token=REDACTED&_format=json"
        );
        // Nothing secret: the URL is kept exactly as written.
        let plain = "https://p.example/B82617/STU3/1/gpconnect";
        assert_eq!(redact_url(plain), plain);
        assert_eq!(redact_url("not a url: pass"), "not a url: pass");
    }

    #[test]
    fn command_lines_are_redacted() {
        let args = [
            "/usr/bin/gpc-assure",
            "run",
            "--target",
            "https://u:pw@p.example/g",
            "--target=https://u:pw@p.example/g",
            "--token",
            "abc",
            "--api-key=xyz",
            "--tags",
            "@foundations",
        ]
        .map(String::from);
        let out = redact_args(args);
        assert_eq!(
            out,
            [
                "/usr/bin/gpc-assure",
                "run",
                "--target",
                "https://u:REDACTED@p.example/g",
                "--target=https://u:REDACTED@p.example/g",
                "--token",
                "REDACTED",
                "--api-key=REDACTED",
                "--tags",
                "@foundations",
            ]
        );
        assert!(!out.join(" ").contains("pw") && !out.join(" ").contains("abc"));
        assert_eq!(
            crate::report::curl::command_line(&out[..4]),
            "gpc-assure run --target https://u:REDACTED@p.example/g"
        );
    }

    #[test]
    fn the_configuration_keeps_paths_and_loses_secrets() {
        let mut config = Config::default();
        config.target.foundations_url = "https://u:pw@p.example/gpconnect".into();
        config.tls.client_key = Some("/etc/keys/client.key".into());
        let text = config_toml(&config);
        assert!(
            text.contains("https://u:REDACTED@p.example/gpconnect"),
            "{text}"
        );
        assert!(!text.contains(":pw@"), "{text}");
        assert!(
            text.contains("/etc/keys/client.key"),
            "a key's path is not a secret"
        );
        assert!(text.contains("provider_asid = \"918999198738\""), "{text}");
        // The rendering reads back as the same configuration (bar redactions).
        let back = Config::from_toml_str(&text, "rendered").unwrap();
        assert_eq!(back.target.provider_asid, config.target.provider_asid);
        assert_eq!(back.data, config.data);
        // A value under a key named like a secret is redacted wherever it is.
        let mut v: toml::Value =
            toml::from_str("[x]\nclient_secret = \"abc\"\nname = \"n\"").unwrap();
        redact_value(None, &mut v);
        assert_eq!(v["x"]["client_secret"].as_str(), Some(REDACTED));
        assert_eq!(v["x"]["name"].as_str(), Some("n"));
        assert!(!secret_name("client_key") && !secret_name("consumer_asid"));
    }

    #[test]
    fn the_features_hash_is_the_sha256sum_manifest_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/x.feature"), "Feature: x\n").unwrap();
        std::fs::write(dir.path().join("a.feature"), "Feature: a\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a feature").unwrap();
        let set = feature_set(dir.path()).unwrap();
        assert_eq!(set.files, 2);
        let paths: Vec<&str> = set.manifest.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.feature", "b/x.feature"]);
        // sha256("Feature: a\n"), as `sha256sum` prints it.
        let a = hex(&Sha256::digest(b"Feature: a\n"));
        assert_eq!(set.manifest[0].sha256, a);
        let listing = format!("{a}  a.feature\n{}  b/x.feature\n", set.manifest[1].sha256);
        assert_eq!(set.sha256, hex(&Sha256::digest(listing.as_bytes())));
        // Any change to any file changes the hash.
        std::fs::write(dir.path().join("b/x.feature"), "Feature: y\n").unwrap();
        assert_ne!(feature_set(dir.path()).unwrap().sha256, set.sha256);
        // A single file is named by its file name.
        let one = feature_set(&dir.path().join("a.feature")).unwrap();
        assert_eq!((one.files, one.manifest[0].path.as_str()), (1, "a.feature"));
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
