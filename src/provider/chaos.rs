//! Hostile-provider behaviours the reference provider can play, as data.
//!
//! A [`Fault`](super::Fault) breaks one rule of GP Connect so the scenarios can prove they notice it. A
//! [`Chaos`] case goes further: the provider misbehaves the way a broken, overloaded or malicious
//! server does on the wire (bodies nested beyond any parser's stack, gigabyte bodies, stalls, gzip bombs,
//! terminal escape sequences in names). Whatever a provider sends, the harness must finish in bounded time
//! and memory, say what happened, and write complete reports; [`Chaos::expected`] states how a run must
//! end against each case, and `tests/chaos.rs` plays every case against the built binary.
//!
//! `GET <root>/metadata` keeps answering normally (so a run's preflight passes) except for
//! [`Chaos::MetadataStall`], which is about metadata. Cases are applied where responses are produced:
//! [`play`] (a middleware around the whole router) replaces or reshapes responses, [`ChaosSet::alter_value`]
//! and [`ChaosSet::encode`] change text inside the rendered resources, and [`raw_classifier`] answers
//! whole connections below HTTP. Several cases can be given together; where two would replace the same
//! response only one plays.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, AUTHORIZATION, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE,
    LOCATION,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures::StreamExt;
use http_body_util::BodyExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::server::{Classify, Route};
use super::state::ProviderState;
use crate::gpconnect::systems::mime;
use crate::verdict::Outcome;

/// One hostile-provider behaviour. Each doc comment says what the provider does, then what the harness
/// must do about it (it is also the `--chaos` help and the README's catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Chaos {
    /// Every XML response is replaced by a Bundle whose extensions nest 50,000 elements deep. The harness
    /// must give up at a nesting bound and fail the scenario, never exhaust its stack.
    XmlDeepNesting,
    /// Every XML response is replaced by a Bundle of 100,000 distinct element names (about 1.9 MB). The
    /// harness must fail the scenario on the unknown elements with bounded memory and time.
    XmlManyNames,
    /// Every JSON response is replaced by a Bundle whose entry nests arrays 100,000 levels deep. The
    /// harness must give up at a nesting bound and fail the scenario, never exhaust its stack.
    JsonDeepNesting,
    /// Metadata is answered; every other request is accepted and never answered. The harness must time
    /// the requests out, keep to the run's deadline, report errors and still write complete reports.
    StallAfterFirst,
    /// Responses send their headers and half the body, then nothing, keeping the connection open. The
    /// harness must time out the body read, report an error and write complete reports.
    StallMidBody,
    /// Bodies are sent one byte every 300 ms, so a response takes minutes. The harness must bound the
    /// whole response (an idle timeout never fires), report an error and keep to the run's deadline.
    SlowDrip,
    /// Every response is a 1 GiB JSON body, generated as it is sent. The harness must stop reading at
    /// its response size cap, keep only capped evidence and fail the scenario.
    HugeBody,
    /// Every fourth request (metadata not counted) is answered 200 with 10 MB of random bytes declared
    /// as FHIR JSON. The harness must fail those scenarios and keep its evidence capped and printable.
    RandomBytesEveryFourth,
    /// Bodies declared charset=utf-8 are sent in Latin-1, and every name and diagnostic gains an é
    /// (the single byte 0xE9). The harness must report the body as invalid UTF-8, not repair it silently.
    Latin1AsUtf8,
    /// Every response is gzip-compressed (asked for or not) and the gzip stream is cut in half; the
    /// Content-Length fits the cut body. The harness must report the body as undecodable.
    GzipCut,
    /// Every response is a gzip stream of about 2 MB that expands to 2 GiB of zero bytes. The harness
    /// must stop decompressing at its size cap and fail the scenario.
    GzipBomb,
    /// Names, OperationOutcome diagnostics and the gender code carry ANSI escape sequences (erase line,
    /// carriage return, a fake PASS, an OSC window title). The harness must fail the scenarios on the
    /// broken code and never print the sequences raw to a terminal nor write them into JUnit XML.
    TerminalEscapes,
    /// Every connection is closed half-way through the body that Content-Length announces. The harness
    /// must report a transport error for the request.
    DropMidBody,
    /// Every request is answered 302 with a Location on another host (127.0.0.2), which logs any
    /// credentials that reach it. The harness must not follow (the JWT and Ssp headers never leave the target)
    /// and must fail the scenario.
    Redirect,
    /// Content-Length declares half of each body, so responses end early yet look complete. The harness
    /// must fail the scenario on the truncated body.
    WrongContentLength,
    /// Every connection whose first request is not for metadata is answered with a status line that is
    /// not HTTP. The harness must report a transport error.
    GarbageStatusLine,
    /// Metadata itself is never answered, so the run's preflight meets a stall. The harness must give up
    /// in bounded time and exit 2 with a message naming the service root.
    MetadataStall,
}

/// How a run of the harness against a provider playing one [`Chaos`] case must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// Exit statuses of `gpc-assure run` that are right (see the README's exit codes).
    pub exit_codes: &'static [u8],
    /// At least one scenario must end with one of these: the behaviour cannot pass unnoticed. Empty when
    /// nothing is required of the scenarios (the provider broke no rule the scenarios check, or none ran).
    pub outcomes: &'static [Outcome],
}

const FAILED: &[Outcome] = &[Outcome::Failed];
const ERROR: &[Outcome] = &[Outcome::Error];
const FAILED_OR_ERROR: &[Outcome] = &[Outcome::Failed, Outcome::Error];

impl Chaos {
    /// Every case, in declaration order.
    pub const ALL: &'static [Chaos] = &[
        Chaos::XmlDeepNesting,
        Chaos::XmlManyNames,
        Chaos::JsonDeepNesting,
        Chaos::StallAfterFirst,
        Chaos::StallMidBody,
        Chaos::SlowDrip,
        Chaos::HugeBody,
        Chaos::RandomBytesEveryFourth,
        Chaos::Latin1AsUtf8,
        Chaos::GzipCut,
        Chaos::GzipBomb,
        Chaos::TerminalEscapes,
        Chaos::DropMidBody,
        Chaos::Redirect,
        Chaos::WrongContentLength,
        Chaos::GarbageStatusLine,
        Chaos::MetadataStall,
    ];

    /// The kebab-case name used on the command line (`--chaos xml-deep-nesting`).
    pub fn name(self) -> &'static str {
        match self {
            Chaos::XmlDeepNesting => "xml-deep-nesting",
            Chaos::XmlManyNames => "xml-many-names",
            Chaos::JsonDeepNesting => "json-deep-nesting",
            Chaos::StallAfterFirst => "stall-after-first",
            Chaos::StallMidBody => "stall-mid-body",
            Chaos::SlowDrip => "slow-drip",
            Chaos::HugeBody => "huge-body",
            Chaos::RandomBytesEveryFourth => "random-bytes-every-fourth",
            Chaos::Latin1AsUtf8 => "latin1-as-utf8",
            Chaos::GzipCut => "gzip-cut",
            Chaos::GzipBomb => "gzip-bomb",
            Chaos::TerminalEscapes => "terminal-escapes",
            Chaos::DropMidBody => "drop-mid-body",
            Chaos::Redirect => "redirect",
            Chaos::WrongContentLength => "wrong-content-length",
            Chaos::GarbageStatusLine => "garbage-status-line",
            Chaos::MetadataStall => "metadata-stall",
        }
    }

    /// The table of expected harness behaviour: how `gpc-assure run` must end against this case.
    ///
    /// A response that arrived but is unusable (nested too deep, not UTF-8, truncated, a redirect) is
    /// the provider breaking a rule: failed. No usable response at all (a stall, a dropped connection,
    /// a status line that is not HTTP) is a transport failure: error, so the run exits 3. Where both
    /// readings are fair (a body the harness itself cut off at its cap), either is accepted.
    pub fn expected(self) -> Expected {
        let (exit_codes, outcomes): (&'static [u8], &'static [Outcome]) = match self {
            Chaos::XmlDeepNesting | Chaos::XmlManyNames | Chaos::JsonDeepNesting => (&[1], FAILED),
            Chaos::StallAfterFirst | Chaos::StallMidBody | Chaos::SlowDrip => (&[3], ERROR),
            Chaos::HugeBody | Chaos::GzipBomb | Chaos::GzipCut => (&[1, 3], FAILED_OR_ERROR),
            Chaos::RandomBytesEveryFourth => (&[1], FAILED),
            Chaos::Latin1AsUtf8 => (&[1], FAILED),
            // Control characters in names are a SHOULD NOT of FHIR, but a gender code that is not in
            // its value set breaks the profile.
            Chaos::TerminalEscapes => (&[1], FAILED),
            Chaos::DropMidBody | Chaos::GarbageStatusLine => (&[3], ERROR),
            Chaos::Redirect => (&[1], FAILED),
            Chaos::WrongContentLength => (&[1], FAILED),
            Chaos::MetadataStall => (&[2], &[]),
        };
        Expected {
            exit_codes,
            outcomes,
        }
    }

    /// The case's doc comment (the `--chaos` help text, which drops the final full stop; it is put back).
    pub fn description(self) -> String {
        use clap::ValueEnum;
        let help = self
            .to_possible_value()
            .and_then(|v| v.get_help().map(|h| h.to_string()))
            .unwrap_or_default();
        if help.ends_with('.') {
            help
        } else {
            format!("{help}.")
        }
    }

    /// Look a case up by its [`name`](Chaos::name).
    pub fn from_name(name: &str) -> Option<Chaos> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Chaos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The cases a running provider plays, with what they need at run time.
#[derive(Debug, Default)]
pub struct ChaosSet {
    cases: Vec<Chaos>,
    /// Requests seen other than metadata (for [`Chaos::RandomBytesEveryFourth`]).
    requests: AtomicU64,
    /// Base URL of the host [`Chaos::Redirect`] points at.
    redirect_target: OnceLock<String>,
}

impl ChaosSet {
    pub fn new(cases: &[Chaos]) -> ChaosSet {
        let mut v = cases.to_vec();
        v.dedup();
        ChaosSet {
            cases: v,
            ..ChaosSet::default()
        }
    }

    /// Whether `case` is played.
    pub fn has(&self, case: Chaos) -> bool {
        self.cases.contains(&case)
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Base URL (`http://host:port`) of the redirect target, once it listens.
    pub fn redirect_target(&self) -> Option<&str> {
        self.redirect_target.get().map(String::as_str)
    }

    pub(crate) fn set_redirect_target(&self, base: String) {
        let _ = self.redirect_target.set(base);
    }

    /// Change text inside a rendered resource (names and diagnostics) for the cases that work on text.
    /// Called before serialisation; metadata is left alone by the caller.
    pub fn alter_value(&self, body: &mut Value) {
        let latin1 = self.has(Chaos::Latin1AsUtf8);
        let escapes = self.has(Chaos::TerminalEscapes);
        if !latin1 && !escapes {
            return;
        }
        if escapes {
            visit_text(body, ESCAPED_KEYS, &mut |text| {
                text.insert_str(0, TERMINAL_ESCAPES)
            });
        }
        if latin1 {
            visit_text(body, TEXT_KEYS, &mut |text| text.push('é'));
        }
    }

    /// The bytes to send for a rendered body: Latin-1 instead of UTF-8 under [`Chaos::Latin1AsUtf8`].
    pub fn encode(&self, rendered: Vec<u8>) -> Vec<u8> {
        if !self.has(Chaos::Latin1AsUtf8) {
            return rendered;
        }
        match String::from_utf8(rendered) {
            Ok(text) => latin1(&text),
            Err(e) => e.into_bytes(),
        }
    }
}

/// Erase the line, return to its start, print a fake verdict, and set the terminal's window title.
pub const TERMINAL_ESCAPES: &str = "\u{1b}[2K\rPASS \u{1b}]0;gpc-assure: all passed\u{7}";

/// What the redirect target prints to stderr when a request carrying credentials reaches it.
pub const REDIRECT_LEAK: &str = "the redirect target received";

/// Object keys whose string values (or arrays of strings) are names or diagnostics.
const TEXT_KEYS: &[&str] = &["family", "given", "name", "diagnostics"];
/// [`TEXT_KEYS`] and `gender`: a code the profiles bind, so the escapes also land in a validation
/// failure's message, which a harness prints.
const ESCAPED_KEYS: &[&str] = &["family", "given", "name", "diagnostics", "gender"];

fn visit_text(value: &mut Value, keys: &[&str], f: &mut impl FnMut(&mut String)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_text = keys.contains(&key.as_str());
                match v {
                    Value::String(s) if is_text => f(s),
                    Value::Array(items) if is_text => {
                        for item in items.iter_mut() {
                            match item {
                                Value::String(s) => f(s),
                                other => visit_text(other, keys, f),
                            }
                        }
                    }
                    other => visit_text(other, keys, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| visit_text(i, keys, f)),
        _ => {}
    }
}

/// Latin-1 bytes of `text`; characters outside Latin-1 become `?`.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// Nesting depth of [`Chaos::XmlDeepNesting`].
pub const XML_DEPTH: usize = 50_000;
/// Distinct element names of [`Chaos::XmlManyNames`].
pub const XML_NAMES: usize = 100_000;
/// Nesting depth of [`Chaos::JsonDeepNesting`].
pub const JSON_DEPTH: usize = 100_000;
/// Body size of [`Chaos::HugeBody`].
pub const HUGE_BODY_BYTES: u64 = 1 << 30;
/// Body size of [`Chaos::RandomBytesEveryFourth`].
pub const RANDOM_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Uncompressed size of [`Chaos::GzipBomb`], in MiB.
pub const GZIP_BOMB_MIB: usize = 2048;
/// Pause before each byte of [`Chaos::SlowDrip`].
pub const DRIP_INTERVAL: Duration = Duration::from_millis(300);

const STREAM_CHUNK: usize = 64 * 1024;

fn is_metadata(path: &str) -> bool {
    path.ends_with("/metadata")
}

/// A future that never completes: the request stays open and unanswered.
async fn stall() -> Response {
    futures::future::pending::<()>().await;
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The middleware (outermost, around compression): replaces or reshapes responses for the cases that
/// work on whole responses.
pub async fn play(
    State(state): State<Arc<ProviderState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let chaos = &state.chaos;
    if is_metadata(req.uri().path()) {
        if chaos.has(Chaos::MetadataStall) {
            return stall().await;
        }
        let mut res = next.run(req).await;
        if chaos.has(Chaos::GarbageStatusLine) {
            // Each later request then opens a new connection, which `raw_classifier` sees first.
            res.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        return res;
    }
    if chaos.has(Chaos::StallAfterFirst) {
        return stall().await;
    }
    if chaos.has(Chaos::Redirect) {
        if let Some(base) = chaos.redirect_target() {
            return redirect(base, req.uri());
        }
    }
    let count = chaos.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if chaos.has(Chaos::RandomBytesEveryFourth) && count % 4 == 0 {
        return streamed(
            StatusCode::OK,
            mime::FHIR_JSON_UTF8,
            Some(RANDOM_BODY_BYTES),
            random_body(RANDOM_BODY_BYTES, count),
        );
    }
    if chaos.has(Chaos::HugeBody) {
        return streamed(
            StatusCode::OK,
            mime::FHIR_JSON_UTF8,
            Some(HUGE_BODY_BYTES),
            huge_body(HUGE_BODY_BYTES),
        );
    }
    if chaos.has(Chaos::GzipBomb) {
        let mut res = whole(StatusCode::OK, mime::FHIR_JSON_UTF8, gzip_bomb());
        res.headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return res;
    }
    let reshapes = [
        Chaos::GzipCut,
        Chaos::DropMidBody,
        Chaos::WrongContentLength,
        Chaos::StallMidBody,
        Chaos::SlowDrip,
    ]
    .into_iter()
    .any(|c| chaos.has(c));
    if reshapes {
        // The real body is reshaped below: have it uncompressed.
        req.headers_mut().remove(ACCEPT_ENCODING);
    }
    let res = next.run(req).await;
    let (mut parts, body) = res.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let xml = content_type.contains("xml");
    let json = content_type.contains("json");
    let replacement = if xml && chaos.has(Chaos::XmlDeepNesting) {
        Some(deep_xml())
    } else if xml && chaos.has(Chaos::XmlManyNames) {
        Some(many_names_xml())
    } else if json && chaos.has(Chaos::JsonDeepNesting) {
        Some(deep_json())
    } else {
        None
    };
    if let Some(bytes) = replacement {
        parts.headers.remove(CONTENT_LENGTH);
        parts.headers.remove(CONTENT_ENCODING);
        return Response::from_parts(parts, Body::from(bytes));
    }
    if !reshapes {
        return Response::from_parts(parts, body);
    }
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    parts.headers.remove(CONTENT_LENGTH);
    let half = bytes.len() / 2;
    let body = if chaos.has(Chaos::GzipCut) {
        let mut zipped = gzip(&bytes);
        zipped.truncate(zipped.len() / 2);
        parts
            .headers
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        Body::from(zipped)
    } else if chaos.has(Chaos::DropMidBody) {
        set_length(&mut parts.headers, bytes.len() as u64);
        let first = futures::stream::iter([Ok(bytes.slice(..half))]);
        // Pause first so the server flushes the head and the first half before the connection drops.
        let drop = futures::stream::once(async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "chaos: connection dropped mid-body",
            ))
        });
        Body::from_stream(first.chain(drop))
    } else if chaos.has(Chaos::WrongContentLength) {
        set_length(&mut parts.headers, half as u64);
        // A stream has no known size, so the server sends the declared length and drops the rest.
        Body::from_stream(futures::stream::iter([Ok::<_, std::io::Error>(bytes)]))
    } else if chaos.has(Chaos::StallMidBody) {
        set_length(&mut parts.headers, bytes.len() as u64);
        let first = futures::stream::iter([Ok::<_, std::io::Error>(bytes.slice(..half))]);
        let never = futures::stream::pending::<Result<Bytes, std::io::Error>>();
        Body::from_stream(first.chain(never))
    } else {
        set_length(&mut parts.headers, bytes.len() as u64);
        Body::from_stream(drip(bytes))
    };
    Response::from_parts(parts, body)
}

fn set_length(headers: &mut HeaderMap, len: u64) {
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
}

/// A response with a body known in full.
fn whole(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// A response whose body is generated as it is sent.
fn streamed(
    status: StatusCode,
    content_type: &'static str,
    length: Option<u64>,
    body: Body,
) -> Response {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(len) = length {
        set_length(res.headers_mut(), len);
    }
    res
}

fn redirect(base: &str, uri: &axum::http::Uri) -> Response {
    let target = format!(
        "{base}{}",
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut res = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

fn cached(cell: &'static OnceLock<Bytes>, make: fn() -> Vec<u8>) -> Bytes {
    cell.get_or_init(|| Bytes::from(make())).clone()
}

/// A Bundle whose extensions nest [`XML_DEPTH`] deep.
pub fn deep_xml() -> Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    cached(&BODY, || {
        let mut s = String::with_capacity(XML_DEPTH * 23 + 128);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"searchset\"/>");
        for _ in 0..XML_DEPTH {
            s.push_str("<extension>");
        }
        for _ in 0..XML_DEPTH {
            s.push_str("</extension>");
        }
        s.push_str("</Bundle>");
        s.into_bytes()
    })
}

/// A Bundle holding [`XML_NAMES`] distinct element names.
pub fn many_names_xml() -> Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    cached(&BODY, || {
        let mut s = String::with_capacity(XML_NAMES * 19 + 128);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"searchset\"/>");
        for i in 0..XML_NAMES {
            s.push_str(&format!("<n-{i:05}></n-{i:05}>"));
        }
        s.push_str("</Bundle>");
        s.into_bytes()
    })
}

/// A Bundle whose `entry` nests arrays [`JSON_DEPTH`] deep.
pub fn deep_json() -> Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    cached(&BODY, || {
        let mut s = String::with_capacity(JSON_DEPTH * 2 + 64);
        s.push_str("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":");
        s.extend(std::iter::repeat_n('[', JSON_DEPTH));
        s.extend(std::iter::repeat_n(']', JSON_DEPTH));
        s.push('}');
        s.into_bytes()
    })
}

/// `len` pseudo-random bytes (xorshift64), generated chunk by chunk as they are sent.
fn random_body(len: u64, seed: u64) -> Body {
    let state = (len, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let chunks = futures::stream::unfold(state, |(left, mut x)| async move {
        if left == 0 {
            return None;
        }
        let n = left.min(STREAM_CHUNK as u64) as usize;
        let mut buf = Vec::with_capacity(n + 8);
        while buf.len() < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.extend_from_slice(&x.to_le_bytes());
        }
        buf.truncate(n);
        Some((
            Ok::<_, std::io::Error>(Bytes::from(buf)),
            (left - n as u64, x),
        ))
    });
    Body::from_stream(chunks)
}

/// A syntactically valid JSON Bundle of exactly `len` bytes, made of one shared filler chunk sent
/// again and again (nothing of its size is ever held).
fn huge_body(len: u64) -> Body {
    const PREFIX: &str = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[";
    const ENTRY: &str = "{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"filler\"}},";
    const SUFFIX: &str = "{}]}";
    let filler = Bytes::from(ENTRY.repeat(STREAM_CHUNK / ENTRY.len()));
    let fixed = (PREFIX.len() + SUFFIX.len()) as u64;
    let fillers = len.saturating_sub(fixed) / filler.len() as u64;
    let pad = len.saturating_sub(fixed + fillers * filler.len() as u64) as usize;
    let tail = Bytes::from(format!("{}{SUFFIX}", " ".repeat(pad)));
    let head = futures::stream::iter([Bytes::from_static(PREFIX.as_bytes())]);
    let middle = futures::stream::iter(0..fillers).map(move |_| filler.clone());
    let end = futures::stream::iter([tail]);
    Body::from_stream(head.chain(middle).chain(end).map(Ok::<_, std::io::Error>))
}

/// One byte every [`DRIP_INTERVAL`].
fn drip(bytes: Bytes) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    futures::stream::unfold((bytes, 0usize), |(bytes, at)| async move {
        if at >= bytes.len() {
            return None;
        }
        tokio::time::sleep(DRIP_INTERVAL).await;
        Some((Ok(bytes.slice(at..at + 1)), (bytes, at + 1)))
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// The [`Chaos::GzipBomb`] body, built once.
pub fn gzip_bomb() -> Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    cached(&BODY, || gzip_of_zeros(GZIP_BOMB_MIB))
}

/// A gzip member (RFC 1952) whose content is `mib` MiB of zero bytes, built without compressing them
/// all: after a full flush a deflate compressor starts afresh, so the compressed form of one MiB of
/// zeros, flushed that way, is a byte-aligned run of blocks that can be repeated as it is. The trailer's
/// CRC-32 is combined from the CRC of one MiB.
pub fn gzip_of_zeros(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut compress = Compress::new(Compression::best(), false);
    let block = |compress: &mut Compress, input: &[u8], flush: FlushCompress| -> Vec<u8> {
        let mut out = Vec::with_capacity(4096);
        let start = compress.total_in();
        loop {
            let consumed = (compress.total_in() - start) as usize;
            if out.len() == out.capacity() {
                out.reserve(4096);
            }
            let before = (compress.total_in(), compress.total_out());
            if compress
                .compress_vec(&input[consumed..], &mut out, flush)
                .is_err()
            {
                break;
            }
            let done = (compress.total_in() - start) as usize == input.len();
            if done && out.len() < out.capacity() {
                break;
            }
            if (compress.total_in(), compress.total_out()) == before && out.len() < out.capacity() {
                break;
            }
        }
        out
    };
    let first = block(&mut compress, &zeros, FlushCompress::Full);
    let again = block(&mut compress, &zeros, FlushCompress::Full);
    let finish = block(&mut compress, &[], FlushCompress::Finish);
    let mut one = Crc::new();
    one.update(&zeros);
    let mut crc = Crc::new();
    for _ in 0..mib {
        crc.combine(&one);
    }
    let mut out = Vec::with_capacity(10 + first.len() + again.len() * mib + finish.len() + 8);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    if mib > 0 {
        out.extend_from_slice(&first);
        for _ in 1..mib {
            out.extend_from_slice(&again);
        }
    }
    out.extend_from_slice(&finish);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

/// The connection-level hook for [`Chaos::GarbageStatusLine`]: a connection whose first request line is
/// not for metadata is answered with garbage and closed; metadata goes on to HTTP (answered with
/// `Connection: close`, so the next request comes on a new connection and is looked at again).
pub(crate) fn raw_classifier(state: Arc<ProviderState>) -> Option<Classify> {
    if !state.chaos.has(Chaos::GarbageStatusLine) {
        return None;
    }
    let within = state.settings.limits.header_read_timeout;
    Some(Arc::new(
        move |stream: TcpStream| -> Pin<Box<dyn Future<Output = Route> + Send>> {
            Box::pin(async move {
                match request_line(&stream, within).await {
                    Some(line) if !line_is_metadata(&line) => {
                        answer_garbage(stream, within).await;
                        Route::Done
                    }
                    Some(_) => Route::Http(stream),
                    None => Route::Done,
                }
            })
        },
    ))
}

/// The status line and headers sent by [`Chaos::GarbageStatusLine`].
pub const GARBAGE: &[u8] =
    b"HTPP/1.1 2OO 0K\r\nContent-Type: application/fhir+json;charset=utf-8\r\n\x00\xff\xfe\r\n\r\n{}";

/// The first line of the connection's first request, looked at without taking it off the socket.
async fn request_line(stream: &TcpStream, within: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = tokio::time::timeout_at(deadline, stream.peek(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buf[..n].windows(2).position(|w| w == b"\r\n") {
            return Some(String::from_utf8_lossy(&buf[..end]).into_owned());
        }
        if n == buf.len() {
            return Some(String::from_utf8_lossy(&buf).into_owned());
        }
        // Only part of the line has arrived; `peek` would return the same bytes at once.
        tokio::time::sleep_until(
            deadline.min(tokio::time::Instant::now() + Duration::from_millis(5)),
        )
        .await;
    }
}

fn line_is_metadata(line: &str) -> bool {
    let target = line.split_whitespace().nth(1).unwrap_or("");
    is_metadata(target.split('?').next().unwrap_or(""))
}

/// Read the request head, answer with [`GARBAGE`], and close.
async fn answer_garbage(mut stream: TcpStream, within: Duration) {
    let _ = tokio::time::timeout(within, async {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let _ = stream.write_all(GARBAGE).await;
        let _ = stream.shutdown().await;
        // Read what the client still sends (a body) so closing does not reset the connection.
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// The host [`Chaos::Redirect`] points at: every request is logged on stderr when it carries
/// credentials (the Authorization header or any Ssp- header), and answered 404.
pub(crate) fn redirect_target_router() -> Router {
    Router::new().fallback(|req: Request| async move {
        let carried: Vec<String> = req
            .headers()
            .keys()
            .filter(|k| *k == AUTHORIZATION || k.as_str().starts_with("ssp-"))
            .map(|k| k.as_str().to_string())
            .collect();
        if !carried.is_empty() {
            eprintln!(
                "chaos redirect: {REDIRECT_LEAK} {} {} carrying {}: the consumer followed a redirect to another host with its credentials",
                req.method(),
                req.uri(),
                carried.join(", ")
            );
        }
        StatusCode::NOT_FOUND
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::io::Read;

    #[test]
    fn all_lists_every_variant_once_and_names_match_clap() {
        assert_eq!(Chaos::ALL.len(), Chaos::value_variants().len());
        for c in Chaos::ALL {
            assert_eq!(Chaos::from_name(c.name()), Some(*c));
            let clap_name = c.to_possible_value().map(|p| p.get_name().to_string());
            assert_eq!(clap_name.as_deref(), Some(c.name()));
            assert!(
                c.description().contains("The harness must"),
                "{c}: the doc comment says what the harness must do"
            );
        }
    }

    #[test]
    fn every_case_expects_a_defined_exit() {
        for c in Chaos::ALL {
            let e = c.expected();
            assert!(!e.exit_codes.is_empty(), "{c}");
            assert!(e.exit_codes.iter().all(|x| [0, 1, 2, 3].contains(x)), "{c}");
            assert!(!e.outcomes.contains(&Outcome::Passed), "{c}");
        }
        assert_eq!(Chaos::MetadataStall.expected().exit_codes, &[2]);
    }

    /// The README's "Hostile providers" section lists every case with its doc comment.
    #[test]
    fn readme_lists_every_case() {
        let readme = include_str!("../../README.md");
        let mut missing = Vec::new();
        for c in Chaos::ALL {
            let row = format!("| `{}` | {} |", c.name(), c.description());
            if !readme.contains(&row) {
                missing.push(row);
            }
        }
        assert!(
            missing.is_empty(),
            "README.md lacks these rows of the chaos catalogue:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn gzip_of_zeros_is_a_valid_gzip_member() {
        let zipped = gzip_of_zeros(5);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut out)
            .expect("decodes with a correct CRC and size");
        assert_eq!(out.len(), 5 << 20);
        assert!(out.iter().all(|b| *b == 0));
    }

    #[test]
    fn the_gzip_bomb_is_small_and_declares_its_full_size() {
        let bomb = gzip_bomb();
        eprintln!("gzip bomb: {} bytes", bomb.len());
        assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
        let isize = u32::from_le_bytes(bomb[bomb.len() - 4..].try_into().unwrap());
        assert_eq!(u64::from(isize), ((GZIP_BOMB_MIB as u64) << 20) % (1 << 32));
        // The start expands as promised (the decoder stops at the cap, as a consumer must).
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bomb[..])
            .take(64 << 20)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 64 << 20);
    }

    #[test]
    fn nested_bodies_are_as_deep_as_declared() {
        let xml = String::from_utf8(deep_xml().to_vec()).unwrap();
        assert_eq!(xml.matches("<extension>").count(), XML_DEPTH);
        let json = String::from_utf8(deep_json().to_vec()).unwrap();
        assert_eq!(json.matches('[').count(), JSON_DEPTH);
        let names = String::from_utf8(many_names_xml().to_vec()).unwrap();
        assert!(names.contains("<n-99999></n-99999>"));
        assert!(
            (1_800_000..2_100_000).contains(&names.len()),
            "{}",
            names.len()
        );
    }

    #[test]
    fn text_changes_reach_names_and_diagnostics_only() {
        let set = ChaosSet::new(&[Chaos::Latin1AsUtf8, Chaos::TerminalEscapes]);
        let mut body = serde_json::json!({
            "resourceType": "Bundle",
            "entry": [{"resource": {"resourceType": "Patient", "id": "2", "gender": "female",
                "name": [{"family": "Smith", "given": ["Jo"]}]}}],
            "issue": [{"diagnostics": "bad"}]
        });
        set.alter_value(&mut body);
        let family = body.pointer("/entry/0/resource/name/0/family").unwrap();
        assert_eq!(family, &Value::from(format!("{TERMINAL_ESCAPES}Smithé")));
        assert_eq!(body.pointer("/entry/0/resource/id").unwrap(), "2");
        let gender = body.pointer("/entry/0/resource/gender").unwrap();
        assert_eq!(gender, &Value::from(format!("{TERMINAL_ESCAPES}female")));
        assert!(body
            .pointer("/issue/0/diagnostics")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with('\u{1b}'));
        let bytes = set.encode("Sméth ☃".as_bytes().to_vec());
        assert_eq!(bytes, b"Sm\xe9th ?");
    }

    #[test]
    fn metadata_lines_are_recognised() {
        assert!(line_is_metadata(
            "GET /B82617/STU3/1/gpconnect/metadata?_format=xml HTTP/1.1"
        ));
        assert!(!line_is_metadata(
            "GET /B82617/STU3/1/gpconnect/Patient/2 HTTP/1.1"
        ));
        assert!(!line_is_metadata("garbage"));
    }
}
