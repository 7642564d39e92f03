//! Evidence: what was sent and what came back, kept as received.
//!
//! While a scenario runs, its checks see every body whole (up to `http.max_response_bytes`). When it
//! ends, each exchange is written in full to the evidence sidecar ([`Sidecar`], `evidence.jsonl.gz`
//! beside the reports) and then [filed](Exchange::file): the record the reports are made from keeps
//! only the start of each body, with its full length and SHA-256, so neither memory nor results.json
//! grows with the size of what a provider sends.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body as sent; once filed, only its start (see `body_info`).
    pub body: Option<String>,
    /// Length and SHA-256 of the body as sent, and whether `body` keeps only its start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_info: Option<BodyInfo>,
    /// The decoded JWT claims, for the reader of the report.
    pub jwt_claims: Option<serde_json::Value>,
}

/// A response as it came back.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as received (un-gzipped when it came gzipped), as text: bytes that are not UTF-8 are
    /// written `\xNN` (see [`BodyInfo::invalid_utf8_at`]), never replaced. Once filed, only its start.
    pub body: String,
    /// Length and SHA-256 of the body as received, where it stops being UTF-8, and whether `body`
    /// keeps only its start.
    pub body_info: BodyInfo,
    /// Set when the harness stopped reading the body at `http.max_response_bytes`: the provider sent
    /// more, so no check can judge the body (see [`Truncation::describe`]).
    pub truncated: Option<Truncation>,
    /// The bytes as received, held only while a body that is not UTF-8 awaits the evidence sidecar,
    /// which stores them exactly (base64); dropped when the exchange is filed.
    #[serde(
        rename = "body_base64",
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_base64"
    )]
    pub raw: Option<Vec<u8>>,
    /// The body read as FHIR, once, for every check that looks at it (not part of the record;
    /// released when the exchange is filed).
    #[serde(skip)]
    pub parsed: ParsedBody,
}

/// A response body read as FHIR JSON (XML converted) the first time a check asks for it, and shared
/// by every later check, the SHOULD-warnings pass and the validator: one parse per body instead of
/// one per step. The outcome, failure included, depends on the body alone, which does not change
/// while the exchange is judged.
#[derive(Default, Clone)]
pub struct ParsedBody(std::sync::OnceLock<Result<std::sync::Arc<serde_json::Value>, String>>);

impl ParsedBody {
    /// The body as parsed by `parse` the first time, as remembered afterwards.
    pub fn get_or_parse(
        &self,
        parse: impl FnOnce() -> Result<serde_json::Value, String>,
    ) -> Result<std::sync::Arc<serde_json::Value>, String> {
        self.0
            .get_or_init(|| parse().map(std::sync::Arc::new))
            .clone()
    }
}

impl std::fmt::Debug for ParsedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0.get() {
            Some(_) => "ParsedBody(parsed)",
            None => "ParsedBody(not yet)",
        })
    }
}

/// A cache: two responses are equal by what was received, whether or not either has been read.
impl PartialEq for ParsedBody {
    fn eq(&self, _: &ParsedBody) -> bool {
        true
    }
}

impl RecordedResponse {
    /// A response whose body is these bytes as received (text, length, hash and UTF-8 offset derived).
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        truncated: Option<Truncation>,
    ) -> RecordedResponse {
        let mut body_info = BodyInfo::hashed(&body);
        let (body, raw) = match String::from_utf8(body) {
            Ok(text) => (text, None),
            Err(e) => {
                body_info.invalid_utf8_at = Some(e.utf8_error().valid_up_to());
                let bytes = e.into_bytes();
                (escape_invalid_utf8(&bytes), Some(bytes))
            }
        };
        RecordedResponse {
            status,
            headers,
            body,
            body_info,
            truncated,
            raw,
            parsed: ParsedBody::default(),
        }
    }

    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn as_base64<S: Serializer>(raw: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine as _;
    match raw {
        Some(bytes) => s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes)),
        None => s.serialize_none(),
    }
}

/// What the record knows of a body besides its text.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BodyInfo {
    /// Length of the whole body in bytes (as received, un-gzipped; as sent for a request).
    pub bytes: usize,
    /// SHA-256 of those bytes, lowercase hex.
    pub sha256: String,
    /// Byte offset of the first byte that is not part of a UTF-8 character; the text writes each such
    /// byte `\xNN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid_utf8_at: Option<usize>,
    /// Set when the record keeps only the start of the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut: Option<Cut>,
}

impl BodyInfo {
    /// Length, hash and UTF-8 validity of `bytes`.
    pub fn of(bytes: &[u8]) -> BodyInfo {
        BodyInfo {
            invalid_utf8_at: std::str::from_utf8(bytes).err().map(|e| e.valid_up_to()),
            ..BodyInfo::hashed(bytes)
        }
    }

    /// Length and hash of `bytes`, their UTF-8 validity left for the caller to set (a response's
    /// bytes are checked once, as they become its text).
    fn hashed(bytes: &[u8]) -> BodyInfo {
        let digest = Sha256::digest(bytes);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut sha256 = String::with_capacity(64);
        for b in digest.iter() {
            sha256.push(char::from(HEX[usize::from(b >> 4)]));
            sha256.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        BodyInfo {
            bytes: bytes.len(),
            sha256,
            invalid_utf8_at: None,
            cut: None,
        }
    }

    /// "cut: N of M bytes shown, sha256 ..., full body in evidence.jsonl.gz", when the record keeps
    /// only the start of the body.
    pub fn cut_note(&self) -> Option<String> {
        let cut = self.cut.as_ref()?;
        let whole = match &cut.full_body_in {
            Some(file) => format!("full body in {file}"),
            None => "the full body was not kept (no evidence file for this run)".to_string(),
        };
        Some(format!(
            "cut: {} of {} bytes shown, sha256 {}, {whole}",
            cut.shown_bytes, self.bytes, self.sha256
        ))
    }
}

/// The record keeps only the start of a body.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cut {
    /// Bytes of the body's text the record keeps.
    pub shown_bytes: usize,
    /// File name of the evidence sidecar holding the whole body, when the run wrote one.
    pub full_body_in: Option<String>,
}

/// Where the harness stopped reading a body.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Truncation {
    /// The limit that was reached (`http.max_response_bytes`).
    pub at_bytes: usize,
    /// Whether the limit was reached by the bytes on the wire or by the un-gzipped body.
    pub stage: CutStage,
}

/// When the harness cut a body.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CutStage {
    /// The bytes on the wire reached the limit.
    Receiving,
    /// The body un-gzipped to more than the limit.
    Ungzipping,
}

impl Truncation {
    /// "the body was cut at N bytes by the harness (http.max_response_bytes)": the provider is not to
    /// blame for a body it did not finish sending to us.
    pub fn describe(&self) -> String {
        let stage = match self.stage {
            CutStage::Receiving => "",
            CutStage::Ungzipping => " while un-gzipping it",
        };
        format!(
            "the body was cut at {} bytes by the harness{stage} (http.max_response_bytes), so it cannot be judged; raise http.max_response_bytes to judge it",
            self.at_bytes
        )
    }
}

/// Text of bytes that are not all UTF-8: the valid runs as they are, each other byte as `\xNN`.
pub fn escape_invalid_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// What an exchange was for in its scenario.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The request the scenario is about: its checks judge this response.
    #[default]
    UnderTest,
    /// A request made to prepare it (find a logical id, find a free slot, book what is then amended),
    /// or to learn what the provider holds (an unfiltered record to compare a filtered one with).
    Setup,
    /// A request made after it to see its effect (read back an amended appointment).
    FollowUp,
    /// A request that puts the provider back as it was (cancel what the scenario booked).
    Teardown,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::UnderTest => "under test",
            Role::Setup => "setup",
            Role::FollowUp => "follow-up",
            Role::Teardown => "teardown",
        }
    }
}

/// One request/response pair (or the transport failure that stood in for a response).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Exchange {
    /// The interaction named by the step, if any.
    pub interaction: Option<String>,
    /// What the exchange was for in its scenario.
    pub role: Role,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    /// Transport error (connection refused, timeout, TLS) when there is no response.
    pub error: Option<String>,
    /// Wall-clock time from sending to the end of the body.
    pub elapsed_ms: f64,
    /// Validation findings attached by steps, shown beside the response in the report.
    pub findings: Vec<Finding>,
}

impl Exchange {
    /// Keep at most `keep` bytes of each body (the record of a finished scenario; the whole bodies
    /// went to the evidence sidecar named `full_body_in`, if any). The memory of the rest is released.
    pub fn file(&mut self, keep: usize, full_body_in: Option<&str>) {
        if let (Some(body), Some(info)) = (&mut self.request.body, &mut self.request.body_info) {
            keep_start(body, info, false, keep, full_body_in);
        }
        if let Some(r) = &mut self.response {
            let escaped = r.raw.is_some() || r.body_info.invalid_utf8_at.is_some();
            keep_start(&mut r.body, &mut r.body_info, escaped, keep, full_body_in);
            r.raw = None;
            r.parsed = ParsedBody::default();
        }
    }
}

/// What a filed token leaves in its place after its start: no token has it (a bearer token is ASCII).
const TOKEN_CUT_MARK: char = '…';

/// Whether an Authorization header value is a token [`RecordedRequest::file_token`] kept only the
/// start of.
pub fn is_filed_token(value: &str) -> bool {
    value.contains(TOKEN_CUT_MARK)
}

impl RecordedRequest {
    /// Keep only the start of the bearer token (the record of a passing scenario's exchange: a token
    /// is a third of an exchange's record and every one is alike; the evidence file named
    /// `full_body_in` keeps it whole). The token's length is kept in its place.
    pub fn file_token(&mut self, full_body_in: Option<&str>) {
        const KEEP: usize = 48;
        for (name, value) in &mut self.headers {
            if !name.eq_ignore_ascii_case(crate::gpconnect::headers::AUTHORIZATION)
                || value.len() <= KEEP * 2
            {
                continue;
            }
            let mut end = KEEP;
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            let whole = match full_body_in {
                Some(file) => format!("whole in {file}"),
                None => "not kept".to_string(),
            };
            *value = format!(
                "{}{TOKEN_CUT_MARK} ({} bytes; {whole})",
                &value[..end],
                value.len()
            );
        }
    }
}

fn keep_start(
    text: &mut String,
    info: &mut BodyInfo,
    escaped: bool,
    keep: usize,
    full_body_in: Option<&str>,
) {
    if text.len() <= keep {
        return;
    }
    let mut end = keep;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if escaped {
        // Do not leave half of a `\xNN` escape at the end.
        let from = end.saturating_sub(3);
        if let Some(i) = text[from..end].rfind('\\') {
            if text[from + i..].starts_with("\\x") {
                end = from + i;
            }
        }
    }
    text.truncate(end);
    text.shrink_to_fit();
    info.cut = Some(Cut {
        shown_bytes: end,
        full_body_in: full_body_in.map(str::to_string),
    });
}

/// A finding about a response (a validation issue), shown under it in the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub severity: String,
    pub location: String,
    pub message: String,
}

/// Cross-cutting rule: every body is UTF-8 (General API guidance, Character encoding).
pub const UTF8_RULE: &str = "GP Connect bodies are UTF-8 (General API guidance, Character encoding: https://developer.nhs.uk/apis/gpconnect-1-2-7/development_general_api_guidance.html)";

impl Finding {
    /// The error of a response body that is not UTF-8, at the first offending byte.
    pub fn invalid_utf8(response: &RecordedResponse) -> Option<Finding> {
        let at = response.body_info.invalid_utf8_at?;
        let byte = response
            .raw
            .as_ref()
            .and_then(|raw| raw.get(at))
            .map(|b| format!(" 0x{b:02X} (shown as \\x{b:02X})"))
            .unwrap_or_default();
        Some(Finding {
            severity: "error".into(),
            location: format!("body, byte {at}"),
            message: format!(
                "the body is not valid UTF-8: byte{byte} at offset {at} is not part of a UTF-8 character{}; {UTF8_RULE}",
                match response.header("content-type") {
                    Some(ct) => format!(" although the Content-Type is {ct:?}"),
                    None => String::new(),
                }
            ),
        })
    }
}

/// The evidence sidecar: one JSON line per finished scenario with its exchanges in full, gzipped and
/// streamed to disk as the run goes. It is written under a temporary name (`<name>.partial`) and
/// renamed by [`Sidecar::finish`], so a file with the final name is always complete.
pub struct Sidecar {
    path: PathBuf,
    partial: PathBuf,
    out: Option<BufWriter<flate2::write::GzEncoder<File>>>,
    error: Option<String>,
}

/// One line of the evidence sidecar.
#[derive(Serialize)]
struct SidecarLine<'a> {
    feature_path: &'a str,
    line: usize,
    scenario: &'a str,
    status: crate::verdict::Outcome,
    exchanges: &'a [Exchange],
}

impl Sidecar {
    /// Start writing the sidecar that will be named `path` (its directory is created if missing).
    pub fn create(path: &Path) -> Result<Sidecar, String> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("the evidence file {} has no file name", path.display()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        }
        let partial = path.with_file_name(format!("{name}.partial"));
        let file = File::create(&partial)
            .map_err(|e| format!("cannot create the evidence file {}: {e}", partial.display()))?;
        Ok(Sidecar {
            path: path.to_path_buf(),
            partial,
            // serde_json writes token by token: buffer before the compressor, not after it.
            out: Some(BufWriter::with_capacity(
                64 * 1024,
                flate2::write::GzEncoder::new(file, flate2::Compression::fast()),
            )),
            error: None,
        })
    }

    /// The sidecar's file name, as reports name it.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Append a finished scenario. A write error is kept for [`Sidecar::finish`] and stops writing.
    pub fn write(
        &mut self,
        feature_path: &str,
        line: usize,
        scenario: &str,
        status: crate::verdict::Outcome,
        exchanges: &[Exchange],
    ) {
        let Some(out) = &mut self.out else {
            return;
        };
        let record = SidecarLine {
            feature_path,
            line,
            scenario,
            status,
            exchanges,
        };
        let result = serde_json::to_writer(&mut *out, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = result {
            self.error = Some(format!("writing {}: {e}", self.partial.display()));
            self.out = None;
        }
    }

    /// Complete the gzip stream and give the file its final name.
    pub fn finish(mut self) -> Result<PathBuf, String> {
        if let Some(e) = self.error.take() {
            return Err(format!(
                "the evidence file is incomplete ({e}); results.json and index.html hold only the start of each body"
            ));
        }
        let out = self.out.take().expect("present until finished or failed");
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|gz| gz.finish())
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&self.partial, &self.path))
            .map_err(|e| {
                format!(
                    "cannot complete the evidence file {}: {e}; results.json and index.html hold only the start of each body",
                    self.path.display()
                )
            })?;
        Ok(self.path.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &[u8]) -> RecordedResponse {
        RecordedResponse::new(
            200,
            vec![(
                "Content-Type".into(),
                "application/fhir+json;charset=utf-8".into(),
            )],
            body.to_vec(),
            None,
        )
    }

    #[test]
    fn a_filed_token_keeps_its_start_its_size_and_where_it_is_whole() {
        let token = format!("Bearer {}", "t".repeat(500));
        let mut r = RecordedRequest {
            method: "GET".into(),
            url: "http://p/x".into(),
            headers: vec![
                ("authorization".into(), token.clone()),
                ("Ssp-TraceID".into(), "x".repeat(300)),
            ],
            body: None,
            body_info: None,
            jwt_claims: None,
        };
        r.file_token(Some("evidence.jsonl.gz"));
        let filed = &r.headers[0].1;
        assert!(filed.len() < 120, "{filed}");
        assert!(filed.starts_with("Bearer ttt"), "{filed}");
        assert!(
            filed.contains("507 bytes; whole in evidence.jsonl.gz"),
            "{filed}"
        );
        assert!(is_filed_token(filed) && !is_filed_token(&token));
        // other headers and short values are left as they are
        assert_eq!(r.headers[1].1, "x".repeat(300));
        let mut short = RecordedRequest {
            headers: vec![("Authorization".into(), "Bearer abc".into())],
            ..r.clone()
        };
        short.file_token(None);
        assert_eq!(short.headers[0].1, "Bearer abc");
    }

    fn exchange_with(body: &[u8]) -> Exchange {
        let request_body = "{\"resourceType\":\"Parameters\"}".repeat(10);
        Exchange {
            interaction: None,
            role: Role::UnderTest,
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://p/x".into(),
                headers: vec![],
                body_info: Some(BodyInfo::of(request_body.as_bytes())),
                body: Some(request_body),
                jwt_claims: None,
            },
            response: Some(response(body)),
            error: None,
            elapsed_ms: 1.0,
            findings: vec![],
        }
    }

    #[test]
    fn invalid_bytes_are_escaped_not_replaced_and_located() {
        let r = response(b"{\"name\":\"Caf\xE9 \xFF\"}");
        assert_eq!(r.body, "{\"name\":\"Caf\\xE9 \\xFF\"}");
        assert_eq!(r.body_info.invalid_utf8_at, Some(12));
        assert_eq!(r.body_info.bytes, 17);
        let f = Finding::invalid_utf8(&r).expect("a finding");
        assert_eq!(f.severity, "error");
        assert_eq!(f.location, "body, byte 12");
        assert!(f.message.contains("0xE9 (shown as \\xE9)"), "{}", f.message);
        assert!(f.message.contains("charset=utf-8"), "{}", f.message);
        assert!(Finding::invalid_utf8(&response("Café".as_bytes())).is_none());
    }

    #[test]
    fn the_hash_is_of_the_bytes_as_received() {
        // SHA-256 of "abc" (FIPS 180-2 example).
        assert_eq!(
            BodyInfo::of(b"abc").sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn filing_keeps_the_start_and_says_where_the_rest_is() {
        let body = "é".repeat(100); // 200 bytes
        let mut x = exchange_with(body.as_bytes());
        x.file(51, Some("evidence.jsonl.gz"));
        let r = x.response.as_ref().unwrap();
        assert_eq!(r.body.len(), 50, "cut on a character boundary");
        assert_eq!(r.body_info.bytes, 200);
        let note = r.body_info.cut_note().expect("cut");
        assert!(
            note.starts_with("cut: 50 of 200 bytes shown, sha256 ")
                && note.ends_with("full body in evidence.jsonl.gz"),
            "{note}"
        );
        assert_eq!(x.request.body.as_ref().unwrap().len(), 51);
        assert!(x.request.body_info.as_ref().unwrap().cut.is_some());
        // Short bodies are kept whole, with no note.
        let mut short = exchange_with(b"{}");
        short.file(1000, None);
        assert!(short.response.unwrap().body_info.cut_note().is_none());
    }

    #[test]
    fn filing_never_leaves_half_an_escape_and_drops_the_raw_bytes() {
        let mut x = exchange_with(b"ab\xE9\xE9\xE9");
        assert!(x.response.as_ref().unwrap().raw.is_some());
        x.file(7, None); // "ab\xE9\x" would end inside the second escape
        let r = x.response.unwrap();
        assert_eq!(r.body, "ab\\xE9");
        assert!(r.raw.is_none());
    }

    #[test]
    fn truncation_blames_the_harness() {
        let t = Truncation {
            at_bytes: 1024,
            stage: CutStage::Ungzipping,
        };
        let m = t.describe();
        assert!(
            m.contains(
                "cut at 1024 bytes by the harness while un-gzipping it (http.max_response_bytes)"
            ),
            "{m}"
        );
    }

    #[test]
    fn the_sidecar_holds_every_body_whole_under_its_final_name_only_when_finished() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("evidence.jsonl.gz");
        let mut sidecar = Sidecar::create(&path).unwrap();
        assert_eq!(sidecar.file_name(), "evidence.jsonl.gz");
        let x = exchange_with(b"Caf\xE9");
        sidecar.write(
            "a.feature",
            3,
            "one",
            crate::verdict::Outcome::Failed,
            std::slice::from_ref(&x),
        );
        assert!(!path.exists(), "not under its final name before the end");
        let written = sidecar.finish().unwrap();
        assert_eq!(written, path);
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let line: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(line["scenario"], "one");
        let r = &line["exchanges"][0]["response"];
        assert_eq!(r["body"], "Caf\\xE9");
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(r["body_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(raw, b"Caf\xE9");
        assert_eq!(r["body_info"]["sha256"], BodyInfo::of(&raw).sha256);
    }
}
