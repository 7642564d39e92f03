//! A `curl` command that repeats one recorded exchange: the same method, URL, headers (Ssp-*,
//! Authorization with its JWT, Accept, Content-Type, Accept-Encoding...) and body, so a supplier's
//! developer or an assurance analyst can send exactly what the harness sent.
//!
//! Everything that comes from a provider or a feature (URL, header values, body) is put inside POSIX
//! shell single quotes, where nothing is special but the quote itself, which is written `'\''`. So a
//! value holding `'`, `$(...)`, backticks or line breaks stays one argument and runs nothing.
//!
//! Exactness details, each because curl would otherwise send something the harness did not:
//! - `--globoff`: curl reads `[]{}` in a URL as a range pattern;
//! - `--path-as-is` when the path holds `/./` or `/../` (curl would squash them);
//! - `--http1.1` for https: the harness speaks HTTP/1.1, curl would offer HTTP/2;
//! - `-H 'User-Agent:'` removes curl's own User-Agent (the harness sends none); with a body,
//!   `-H 'Expect:'` stops curl waiting for a `100 Continue`, and `-H 'Content-Type:'` stops it adding
//!   a form content type when the request had none;
//! - `--data-binary` sends the body byte for byte (`--data-raw` when it starts with `@`, which
//!   `--data-binary` would read as a file name);
//! - `--compressed` only when the request asked for gzip (curl then decompresses for reading).
//!
//! A body that is not at hand whole (the report keeps only its beginning) is never sent cut without
//! saying so: the command reads it from a file, and a comment line says where the whole body is.

use serde::{Deserialize, Serialize};

use crate::http::RecordedRequest;

/// How the harness's connection was set up, for the TLS options of the command. Paths are never put in
/// the command: the certificate and key files are named by placeholders the reader replaces.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct CurlTls {
    /// The provider's certificate was not verified (`tls.verify = false`): `-k`.
    pub insecure: bool,
    /// A client certificate was presented (mutual TLS): `--cert CLIENT.pem --key CLIENT.key`.
    pub client_certificate: bool,
    /// The provider's certificate was checked against a CA file of the configuration: `--cacert CA.pem`.
    pub ca_file: bool,
}

impl CurlTls {
    /// The TLS options of a configuration.
    pub fn of(tls: &crate::config::TlsConfig) -> CurlTls {
        CurlTls {
            insecure: !tls.verify,
            client_certificate: tls.client_cert.is_some(),
            ca_file: tls.ca_file.is_some(),
        }
    }
}

/// The body of the request to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// The body exactly as sent.
    Whole(&'a str),
    /// The body is not at hand whole (the report keeps a capped prefix): the command reads it from
    /// `file` (a file holding the whole body, or a placeholder name), and a comment says where the
    /// whole body is (`whole_body_is`).
    Elsewhere {
        /// Size of the body as sent, when known.
        bytes: Option<usize>,
        /// File the command reads the body from.
        file: &'a str,
        /// Where the reader finds the whole body, e.g. "in results.json".
        whole_body_is: &'a str,
    },
}

/// The request to repeat.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<Body<'a>>,
}

impl<'a> From<&'a RecordedRequest> for Request<'a> {
    fn from(r: &'a RecordedRequest) -> Self {
        Request {
            method: &r.method,
            url: &r.url,
            headers: &r.headers,
            body: r.body.as_deref().map(Body::Whole),
        }
    }
}

/// Placeholder file name for a body that cannot be given on the command line.
pub const BODY_FILE_PLACEHOLDER: &str = "BODY.txt";

/// The command repeating `request`, one option per line (joined by ` \` continuations).
pub fn command(request: &Request, tls: CurlTls) -> String {
    let mut notes: Vec<String> = Vec::new();
    let mut args: Vec<String> = vec!["--globoff".into()];
    let https = request
        .url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    if path_of(request.url).contains("/./") || path_of(request.url).contains("/../") {
        args.push("--path-as-is".into());
    }
    if https {
        args.push("--http1.1".into());
        if tls.insecure {
            args.push("-k".into());
        }
        if tls.ca_file {
            args.push("--cacert CA.pem".into());
            notes.push("CA.pem: the CA certificates of tls.ca_file in the configuration".into());
        }
        if tls.client_certificate {
            args.push("--cert CLIENT.pem --key CLIENT.key".into());
            notes.push(
                "CLIENT.pem / CLIENT.key: the consumer's client certificate and private key (tls.client_cert, tls.client_key)".into(),
            );
        }
    }
    let has_body = request.body.is_some();
    let method = request.method;
    if method.eq_ignore_ascii_case("HEAD") && !has_body {
        args.push("--head".into());
    } else {
        // curl's own method: GET without a body, POST with one.
        let implied = if has_body { "POST" } else { "GET" };
        if method != implied {
            args.push(format!("-X {}", quote(method)));
        }
    }
    let has = |name: &str| {
        request
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    for (name, value) in request.headers {
        if name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
            notes.push(format!(
                "the {} header holds a line break, which HTTP does not allow: curl may refuse or change it",
                printable(name)
            ));
        }
        if name.eq_ignore_ascii_case(crate::gpconnect::headers::AUTHORIZATION)
            && crate::http::evidence::is_filed_token(value)
        {
            // The record keeps only the token's start: the command takes the whole value from the
            // shell, never a cut token.
            notes.push(format!(
                "AUTHORIZATION: set it to the Authorization header as sent, which the report keeps only the start of ({value})"
            ));
            args.push(format!("-H \"{name}: $AUTHORIZATION\""));
            continue;
        }
        // `-H 'Name:'` would remove the header; `-H 'Name;'` sends it empty.
        let header = if value.is_empty() {
            format!("{name};")
        } else {
            format!("{name}: {value}")
        };
        args.push(format!("-H {}", quote(&header)));
    }
    if !has("user-agent") {
        args.push("-H 'User-Agent:'".into());
    }
    if let Some(body) = request.body {
        if !has("content-type") {
            args.push("-H 'Content-Type:'".into());
        }
        if !has("expect") {
            args.push("-H 'Expect:'".into());
        }
        match body {
            Body::Whole(text) if text.contains('\0') => {
                notes.push(format!(
                    "the body holds NUL characters, which a shell argument cannot carry: save the body as {BODY_FILE_PLACEHOLDER}"
                ));
                args.push(format!("--data-binary @{BODY_FILE_PLACEHOLDER}"));
            }
            Body::Whole(text) if text.starts_with('@') => {
                args.push(format!("--data-raw {}", quote(text)));
            }
            Body::Whole(text) => args.push(format!("--data-binary {}", quote(text))),
            Body::Elsewhere {
                bytes,
                file,
                whole_body_is,
            } => {
                let size = bytes.map(|b| format!(" ({b} bytes)")).unwrap_or_default();
                notes.push(format!(
                    "the request body{size} is not shown whole here: {whole_body_is}; this command reads it from {file}"
                ));
                args.push(format!("--data-binary {}", quote(&format!("@{file}"))));
            }
        }
    }
    let accepts_gzip = request.headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("accept-encoding") && v.to_ascii_lowercase().contains("gzip")
    });
    if accepts_gzip {
        args.push("--compressed".into());
    }
    let mut out = String::new();
    for note in notes {
        out.push_str("# ");
        out.push_str(&printable(&note));
        out.push('\n');
    }
    out.push_str("curl ");
    out.push_str(&quote(request.url));
    for a in args {
        out.push_str(" \\\n  ");
        out.push_str(&a);
    }
    out
}

/// The command repeating a recorded request as it is (body whole).
pub fn command_for(request: &RecordedRequest, tls: CurlTls) -> String {
    command(&Request::from(request), tls)
}

/// The command line as one string a POSIX shell reads back as the same arguments (the program named
/// by its file name).
pub fn command_line(argv: &[String]) -> String {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            let a = if i == 0 {
                std::path::Path::new(a)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| a.clone())
            } else {
                a.clone()
            };
            quote(&a)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One shell word: as it is when it holds only characters no shell treats specially, else in single
/// quotes, each `'` written `'\''` (close the quote, an escaped quote, reopen).
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b',' | b'+' | b'@' | b'%' | b'='
                )
        });
    if plain {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// The path of a URL (between the authority and the query), for the `--path-as-is` decision.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path.split(['?', '#']).next().unwrap_or("")
}

/// A note for a comment line: line breaks would end the comment and run the rest, so they go.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            url: url.into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.map(str::to_string),
            body_info: None,
            jwt_claims: None,
        }
    }

    /// Split a command the way a POSIX shell would (quotes, `\` continuations, `'\''`), refusing
    /// anything that would expand or substitute: proof that what a shell runs is what was meant.
    fn shell_words(cmd: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut cur = String::new();
        let mut in_word = false;
        let mut chars = cmd.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    in_word = true;
                    for q in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        cur.push(q);
                    }
                }
                '\\' => match chars.next() {
                    Some('\n') => {}
                    Some(x) => {
                        in_word = true;
                        cur.push(x);
                    }
                    None => panic!("trailing backslash"),
                },
                ' ' | '\n' | '\t' => {
                    if in_word {
                        words.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                }
                '$' | '`' | '"' | ';' | '&' | '|' | '<' | '>' | '(' | ')' | '*' | '?' | '[' => {
                    panic!("unquoted {c:?} in {cmd}")
                }
                c => {
                    in_word = true;
                    cur.push(c);
                }
            }
        }
        if in_word {
            words.push(cur);
        }
        words
    }

    /// The command without its comment lines.
    fn body_of(cmd: &str) -> String {
        cmd.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_token_the_record_keeps_the_start_of_is_taken_from_the_shell() {
        let token = format!("Bearer eyJh.{}.", "p".repeat(300));
        let mut r = req(
            "GET",
            "https://p.example/gpconnect/metadata",
            &[("Ssp-TraceID", "5e1a"), ("Authorization", &token)],
            None,
        );
        r.file_token(Some("evidence.jsonl.gz"));
        let cmd = command_for(&r, CurlTls::default());
        assert!(
            !cmd.contains(&"p".repeat(60)),
            "a cut token was put in the command: {cmd}"
        );
        assert!(
            body_of(&cmd).contains("-H \"Authorization: $AUTHORIZATION\""),
            "{cmd}"
        );
        let note = cmd
            .lines()
            .find(|l| l.starts_with("# AUTHORIZATION"))
            .unwrap();
        assert!(note.contains("evidence.jsonl.gz"), "{note}");
        assert!(note.contains(&format!("{} bytes", token.len())), "{note}");
        // a whole token is sent as it is
        let whole = req("GET", "https://p/x", &[("Authorization", &token)], None);
        assert!(command_for(&whole, CurlTls::default()).contains(&token));
    }

    #[test]
    fn a_get_repeats_url_and_every_header_in_order() {
        let r = req(
            "GET",
            "https://p.example/gpconnect/Patient/1",
            &[
                ("Ssp-TraceID", "5e1a"),
                ("Ssp-From", "200000000359"),
                ("Authorization", "Bearer eyJh.eyJp."),
                ("Accept", "application/fhir+json;charset=utf-8"),
            ],
            None,
        );
        let cmd = command_for(&r, CurlTls::default());
        let w = shell_words(&cmd);
        assert_eq!(w[0], "curl");
        assert_eq!(w[1], "https://p.example/gpconnect/Patient/1");
        let headers: Vec<&str> = w
            .windows(2)
            .filter(|p| p[0] == "-H")
            .map(|p| p[1].as_str())
            .collect();
        assert_eq!(
            headers,
            [
                "Ssp-TraceID: 5e1a",
                "Ssp-From: 200000000359",
                "Authorization: Bearer eyJh.eyJp.",
                "Accept: application/fhir+json;charset=utf-8",
                "User-Agent:",
            ]
        );
        assert!(w.contains(&"--http1.1".to_string()) && w.contains(&"--globoff".to_string()));
        assert!(!w
            .iter()
            .any(|a| a == "-X" || a == "-k" || a == "--compressed"));
        assert!(!cmd.contains("--data"));
    }

    #[test]
    fn hostile_values_stay_single_arguments_and_run_nothing() {
        let evil = "a'b $(touch /tmp/x) `id` \"q\" ; rm -rf ~\nnext line\\";
        let url = "http://p.example/x?q=it's&r=$(id)";
        let r = req(
            "PUT",
            url,
            &[("X-Evil", evil), ("Content-Type", "application/fhir+json")],
            Some(evil),
        );
        let cmd = command_for(&r, CurlTls::default());
        let w = shell_words(&body_of(&cmd));
        assert_eq!(w[1], url);
        assert!(w.contains(&format!("X-Evil: {evil}")), "{w:?}");
        let data = w.iter().position(|a| a == "--data-binary").unwrap();
        assert_eq!(w[data + 1], evil);
        let x = w.iter().position(|a| a == "-X").unwrap();
        assert_eq!(w[x + 1], "PUT");
        // A line break in a header value is flagged on a comment line of its own.
        let notes: Vec<&str> = cmd.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(notes.len(), 1, "{cmd}");
        assert!(notes[0].contains("X-Evil header holds a line break"));
    }

    /// The real shell agrees: `curl` replaced by a function printing its arguments, NUL-separated.
    #[cfg(unix)]
    #[test]
    fn a_real_shell_sees_the_intended_arguments_and_runs_nothing_else() {
        let dir = std::env::temp_dir().join(format!("gpc-curl-{}", std::process::id()));
        let canary = dir.join("ran");
        let evil = format!(
            "x'$(touch {0})`touch {0}`\n\\\n; touch {0} #",
            canary.display()
        );
        let r = req(
            "POST",
            &format!("http://p.example/a?b='$(touch {})'", canary.display()),
            &[("X-Evil", &evil)],
            Some(&evil),
        );
        let cmd = command_for(&r, CurlTls::default());
        std::fs::create_dir_all(&dir).unwrap();
        let script =
            format!("curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{cmd}\n");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("sh runs");
        let ran = canary.exists();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(!ran, "the command ran something");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8(out.stdout).unwrap();
        let words: Vec<&str> = printed.trim_end_matches('\0').split('\0').collect();
        assert_eq!(words, shell_words(&body_of(&cmd))[1..]);
        assert!(words.contains(&evil.as_str()));
    }

    #[test]
    fn command_lines_read_back_as_the_same_arguments() {
        assert_eq!(
            command_line(&[
                "/opt/bin/gpc-assure".into(),
                "--tags".into(),
                "@a and not @b".into()
            ]),
            "gpc-assure --tags '@a and not @b'"
        );
    }

    #[test]
    fn a_quote_is_closed_escaped_and_reopened() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("-X"), "-X");
        assert_eq!(quote("~/x"), "'~/x'");
        assert_eq!(
            quote("https://a.example/b?c=d"),
            "'https://a.example/b?c=d'"
        );
        assert_eq!(quote("https://a.example/b/c"), "https://a.example/b/c");
    }

    #[test]
    fn a_post_with_a_body_sends_it_byte_for_byte() {
        let body = "{\"resourceType\":\"Appointment\"}";
        let r = req(
            "POST",
            "http://p.example/Appointment",
            &[("Content-Type", "application/fhir+json")],
            Some(body),
        );
        let w = shell_words(&command_for(&r, CurlTls::default()));
        assert!(!w.iter().any(|a| a == "-X"), "POST is implied by the body");
        let d = w.iter().position(|a| a == "--data-binary").unwrap();
        assert_eq!(w[d + 1], body);
        assert!(w.contains(&"Expect:".to_string()));
        assert!(!w.contains(&"Content-Type:".to_string()));
        assert!(
            !w.contains(&"--http1.1".to_string()),
            "plain http is 1.1 anyway"
        );
    }

    #[test]
    fn bodies_that_curl_would_misread_are_protected() {
        // Leading @ would make --data-binary read a file.
        let r = req("POST", "http://p.example/x", &[], Some("@/etc/passwd"));
        let w = shell_words(&command_for(&r, CurlTls::default()));
        let d = w.iter().position(|a| a == "--data-raw").unwrap();
        assert_eq!(w[d + 1], "@/etc/passwd");
        // No Content-Type sent: curl must not add its form type.
        assert!(w.contains(&"Content-Type:".to_string()));
        // NUL cannot be in an argument.
        let r = req("POST", "http://p.example/x", &[], Some("a\0b"));
        let cmd = command_for(&r, CurlTls::default());
        assert!(cmd.starts_with("# the body holds NUL"), "{cmd}");
        assert!(cmd.contains("--data-binary @BODY.txt") && !cmd.contains('\0'));
    }

    #[test]
    fn a_body_not_at_hand_whole_is_read_from_a_file_and_said_so() {
        let headers = vec![(
            "Content-Type".to_string(),
            "application/fhir+json".to_string(),
        )];
        let r = Request {
            method: "POST",
            url: "http://p.example/x",
            headers: &headers,
            body: Some(Body::Elsewhere {
                bytes: Some(70_000),
                file: "bodies/x 1.json",
                whole_body_is: "in results.json",
            }),
        };
        let cmd = command(&r, CurlTls::default());
        let first = cmd.lines().next().unwrap();
        assert!(
            first.starts_with(
                "# the request body (70000 bytes) is not shown whole here: in results.json"
            ),
            "{cmd}"
        );
        let w = shell_words(&body_of(&cmd));
        let d = w.iter().position(|a| a == "--data-binary").unwrap();
        assert_eq!(w[d + 1], "@bodies/x 1.json");
    }

    #[test]
    fn tls_options_follow_the_configuration() {
        let r = req("GET", "https://p.example/x", &[], None);
        let cmd = command_for(
            &r,
            CurlTls {
                insecure: true,
                client_certificate: true,
                ca_file: true,
            },
        );
        let w = shell_words(&body_of(&cmd));
        for opt in [
            "-k",
            "--cert",
            "CLIENT.pem",
            "--key",
            "CLIENT.key",
            "--cacert",
            "CA.pem",
        ] {
            assert!(w.contains(&opt.to_string()), "{opt} missing: {cmd}");
        }
        assert_eq!(cmd.lines().filter(|l| l.starts_with('#')).count(), 2);
        // Over plain http there is no TLS to configure.
        let r = req("GET", "http://p.example/x", &[], None);
        let cmd = command_for(
            &r,
            CurlTls {
                insecure: true,
                client_certificate: true,
                ca_file: true,
            },
        );
        assert!(!cmd.contains("-k") && !cmd.contains("CLIENT") && !cmd.contains('#'));
    }

    #[test]
    fn gzip_methods_and_paths() {
        let r = req(
            "GET",
            "http://p.example/a/../metadata",
            &[("Accept-Encoding", "gzip")],
            None,
        );
        let w = shell_words(&command_for(&r, CurlTls::default()));
        assert!(w.contains(&"--compressed".to_string()));
        assert!(w.contains(&"--path-as-is".to_string()));
        assert!(w.contains(&"Accept-Encoding: gzip".to_string()));
        let r = req(
            "DELETE",
            "http://p.example/a?x=/../",
            &[("X-Empty", "")],
            None,
        );
        let w = shell_words(&command_for(&r, CurlTls::default()));
        assert!(
            !w.contains(&"--path-as-is".to_string()),
            "only the path counts"
        );
        assert!(w.windows(2).any(|p| p[0] == "-X" && p[1] == "DELETE"));
        assert!(
            w.contains(&"X-Empty;".to_string()),
            "an empty header is sent, not removed"
        );
        let r = req("HEAD", "http://p.example/a", &[], None);
        assert!(shell_words(&command_for(&r, CurlTls::default())).contains(&"--head".to_string()));
    }
}
