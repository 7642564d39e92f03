//! reqwest-based client: sends a [`RequestSpec`] and returns the [`Exchange`] as evidence.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::config::{Config, HttpConfig, TlsConfig};
use crate::gpconnect::headers::AUTHORIZATION;
use crate::gpconnect::jwt;

use super::evidence::{
    BodyInfo, CutStage, Exchange, Finding, RecordedRequest, RecordedResponse, Role, Truncation,
};
use super::request::{Body, RequestSpec, Token};

/// The client could not be built from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot read {what} {path}: {source}")]
    ReadFile {
        what: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{what} {path} is not usable PEM: {message}")]
    BadPem {
        what: &'static str,
        path: String,
        message: String,
    },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
    /// A TLS setting that cannot be used (the sentence names the setting, the file and the fix).
    #[error("{0}")]
    Tls(String),
}

/// Sends requests to one provider.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    max_response_bytes: usize,
    /// Connections the pool has opened, and the turns of the exchanges in flight they serve.
    pool: Arc<PoolWatch>,
}

impl Client {
    /// Build a client from the HTTP and TLS settings.
    pub fn new(config: &Config) -> Result<Client, TransportError> {
        let HttpConfig {
            timeout_seconds,
            max_response_bytes,
            ..
        } = config.http;
        let pool = Arc::new(PoolWatch::new(in_flight_limit(config.http.concurrency)));
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_seconds))
            .connect_timeout(Duration::from_secs(timeout_seconds.min(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            // Every scenario running at once may hold a connection, and each goes back to the pool
            // when its exchange is over: keeping that many idle means a run never opens more
            // connections than it has requests in flight (behind the SSP each is a TLS handshake).
            .pool_max_idle_per_host(idle_pool_size(config.http.concurrency))
            .connector_layer(WatchConnections(Arc::clone(&pool)));
        builder = apply_tls(builder, &config.tls)?;
        let inner = builder.build().map_err(|e| {
            // reqwest says only "builder error"; the cause is in its sources.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            TransportError::Build(message)
        })?;
        Ok(Client {
            inner,
            max_response_bytes,
            pool,
        })
    }

    /// How many connections this client has opened so far (each pooled connection once, however
    /// many requests it carried).
    pub fn connections_opened(&self) -> u64 {
        self.pool.opened.load(Ordering::Relaxed)
    }

    /// Send a request; transport failures are recorded in the exchange rather than returned.
    pub async fn send(&self, spec: &RequestSpec) -> Exchange {
        self.send_until(spec, std::future::pending::<String>())
            .await
    }

    /// As [`Client::send`], but give up as soon as `abandon` resolves (checked before the request goes
    /// out, and while it waits): the exchange then has no response and `abandon`'s text as its error.
    pub async fn send_until(
        &self,
        spec: &RequestSpec,
        abandon: impl std::future::Future<Output = String>,
    ) -> Exchange {
        let url = spec.url();
        let mut headers: Vec<(String, String)> = spec.headers.clone();
        let authorization = spec.authorization();
        if let Some(a) = &authorization {
            headers.push((AUTHORIZATION.to_string(), a.clone()));
        }
        let body = spec
            .body
            .as_ref()
            .map(|b| render_body(b, spec.header("Content-Type")));
        let jwt_claims = match &spec.token {
            // what the token encodes, without decoding it again
            Token::Claims(claims) => Some(serde_json::Value::Object(claims.0.clone())),
            _ => authorization
                .as_deref()
                .and_then(|a| jwt::decode_authorization(a).ok())
                .map(serde_json::Value::Object),
        };
        let mut recorded_headers = headers.clone();
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
        {
            // reqwest sends `Accept: */*` when a request has none; the evidence says what went out.
            recorded_headers.push(("accept".to_string(), "*/*".to_string()));
        }
        let request = RecordedRequest {
            method: spec.method.clone(),
            // The evidence is read by many: credentials in the service root are sent, never recorded.
            url: crate::redact::userinfo(&url).into_owned(),
            headers: recorded_headers,
            body_info: body.as_deref().map(|b| BodyInfo::of(b.as_bytes())),
            body: body.clone(),
            jwt_claims,
        };
        let interaction = spec.interaction.map(|i| i.spec().name.to_string());

        let method = match reqwest::Method::from_bytes(spec.method.as_bytes()) {
            Ok(m) => m,
            Err(_) => {
                return Exchange {
                    interaction,
                    role: Role::default(),
                    request,
                    response: None,
                    error: Some(format!("invalid HTTP method {:?}", spec.method)),
                    elapsed_ms: 0.0,
                    findings: vec![],
                };
            }
        };
        let mut builder = self.inner.request(method, &url);
        for (k, v) in &headers {
            builder = builder.header(k, v);
        }
        if let Some(b) = body {
            builder = builder.body(b);
        }
        let mut started = Instant::now();
        let result = tokio::select! {
            biased;
            why = abandon => Err(why),
            (received, at) = self.receive_in_turn(builder) => {
                started = at;
                received
            }
        };
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(response) => Exchange {
                interaction,
                role: Role::default(),
                request,
                // A body that is not UTF-8 breaks a rule whichever step reads it.
                findings: Finding::invalid_utf8(&response)
                    .filter(|_| carries_text(response.header("content-type")))
                    .into_iter()
                    .collect(),
                response: Some(response),
                error: None,
                elapsed_ms,
            },
            Err(error) => Exchange {
                interaction,
                role: Role::default(),
                request,
                response: None,
                error: Some(error),
                elapsed_ms,
                findings: vec![],
            },
        }
    }

    /// Wait for a turn among the exchanges in flight, then send and read the answer; also returns when
    /// the request went out (a wait for a turn is not the provider's time).
    async fn receive_in_turn(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> (Result<RecordedResponse, String>, Instant) {
        // The semaphore is never closed, so a permit always comes.
        let _turn = self.pool.turns.acquire().await.ok();
        let started = Instant::now();
        (self.receive(builder).await, started)
    }

    async fn receive(&self, builder: reqwest::RequestBuilder) -> Result<RecordedResponse, String> {
        let mut response = builder.send().await.map_err(describe_error)?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.max_response_bytes;
        // Room for the body the provider announces (within the limit, and at most 8 MiB on its word
        // alone), so a large body is not copied at every doubling.
        let announced = response
            .content_length()
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut body = Vec::with_capacity(announced.min(cap).min(8 << 20));
        let mut truncated = None;
        while let Some(chunk) = response.chunk().await.map_err(describe_error)? {
            let room = cap.saturating_sub(body.len());
            if chunk.len() > room {
                // Stop reading: a provider sending gigabytes must not fill the harness's memory.
                body.extend_from_slice(&chunk[..room]);
                truncated = Some(Truncation {
                    at_bytes: cap,
                    stage: CutStage::Receiving,
                });
                break;
            }
            body.extend_from_slice(&chunk);
        }
        if response_is_gzip(&headers) {
            let (plain, cut) = gunzip(&body, cap, truncated.is_some()).map_err(|e| {
                format!("the body says Content-Encoding: gzip but does not decompress: {e}")
            })?;
            body = plain;
            if cut && truncated.is_none() {
                truncated = Some(Truncation {
                    at_bytes: cap,
                    stage: CutStage::Ungzipping,
                });
            }
        }
        Ok(RecordedResponse::new(status, headers, body, truncated))
    }
}

/// Exchanges in flight at once for a run of `concurrency` scenarios: one per scenario, and one more
/// for a scenario that sends two requests at the same instant (a booking race). A scenario that
/// asks for more waits its turn rather than open another connection: with the idle pool below, a run
/// opens about as many connections as it runs scenarios at once (behind the SSP each is a TLS
/// handshake).
fn in_flight_limit(concurrency: usize) -> usize {
    concurrency.max(1) + 1
}

/// Idle connections kept per host for a run of `concurrency` scenarios at once: one per scenario,
/// and a few for the teardown and the capability reads that overlap them.
fn idle_pool_size(concurrency: usize) -> usize {
    concurrency.max(1) + 4
}

/// What the connector knows of the pool: the connections it has opened, the turns of the exchanges
/// in flight, and the waits for a pooled connection that came to nothing.
#[derive(Debug)]
struct PoolWatch {
    /// Connections opened (TCP, and TLS over it), counted as each is established.
    opened: AtomicU64,
    /// Connections being made: asked of the connector without a long wait, or after one, and not
    /// yet made nor given up.
    coming: AtomicU64,
    /// Long waits for a pooled connection that ended with none: each is taken for a connection
    /// closed (by the provider, or by the pool when idle too long).
    waits_in_vain: AtomicU64,
    /// One turn per exchange in flight (see [`in_flight_limit`]).
    turns: tokio::sync::Semaphore,
    turn_limit: usize,
}

impl PoolWatch {
    fn new(turn_limit: usize) -> PoolWatch {
        PoolWatch {
            opened: AtomicU64::new(0),
            coming: AtomicU64::new(0),
            waits_in_vain: AtomicU64::new(0),
            turns: tokio::sync::Semaphore::new(turn_limit),
            turn_limit,
        }
    }

    /// The wait before a connection is made for a request that found no idle one (asked when the
    /// request holds its turn).
    fn grace(&self) -> Grace {
        let in_vain = self.waits_in_vain.load(Ordering::Relaxed);
        let open = self.opened.load(Ordering::Relaxed) + self.coming.load(Ordering::Relaxed);
        Grace::choose(
            open.saturating_sub(in_vain),
            self.turn_limit
                .saturating_sub(self.turns.available_permits()) as u64,
            in_vain,
        )
    }
}

/// How long a request that found no idle connection waits for one to come back to the pool before
/// its own connection's handshake begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grace {
    /// A moment: a new connection is likely needed.
    Short,
    /// Longer: a connection is on its way back, or being made for a request that got another.
    Long,
}

impl Grace {
    /// Choose from the connections presumed open or being made, the exchanges holding a turn (the
    /// asking one among them) and the long waits that came to nothing so far. With at least as
    /// many connections as exchanges in flight, one is free for every request waiting: it has
    /// answered and is on its way back to the pool (hyper-util returns it from a task of its own,
    /// so it can lag behind the next request when the run's thread is busy checking), or it is
    /// being made for a request that got a pooled one first. Waiting for it is cheaper than a
    /// handshake (behind the SSP, two round trips), and opening a spare would put the run over its
    /// connections. A provider that closes its connections makes those waits vain; after
    /// [`LONG_WAITS_IN_VAIN`] of them the run stops waiting long.
    fn choose(open: u64, in_flight: u64, waits_in_vain: u64) -> Grace {
        if open >= in_flight.max(1) && waits_in_vain < LONG_WAITS_IN_VAIN {
            Grace::Long
        } else {
            Grace::Short
        }
    }

    fn duration(self) -> Duration {
        match self {
            Grace::Short => Duration::from_millis(2),
            Grace::Long => Duration::from_millis(50),
        }
    }
}

/// Long waits for a pooled connection that may come to nothing in a run before it stops waiting
/// long (against a provider closing every connection, 0.2 s lost in all).
const LONG_WAITS_IN_VAIN: u64 = 4;

/// Watches the connections the pool's connector establishes (a tower layer over reqwest's
/// connector: it is called once per new connection, never for a reused one).
#[derive(Clone)]
struct WatchConnections(Arc<PoolWatch>);

impl<S> tower::Layer<S> for WatchConnections {
    type Service = Watched<S>;

    fn layer(&self, inner: S) -> Watched<S> {
        Watched {
            inner,
            pool: Arc::clone(&self.0),
        }
    }
}

#[derive(Clone)]
struct Watched<S> {
    inner: S,
    pool: Arc<PoolWatch>,
}

type Connecting<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, R> tower::Service<R> for Watched<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: From<SpareConnection> + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Connecting<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let pool = Arc::clone(&self.pool);
        let grace = pool.grace();
        // A request waiting long is a waiter, not a connection coming, until its wait is over.
        let coming = grace == Grace::Short;
        if coming {
            pool.coming.fetch_add(1, Ordering::Relaxed);
        }
        let connecting = self.inner.call(request);
        Box::pin(UnlessSpare {
            owner: None,
            coming,
            grace: Some((grace, Box::pin(tokio::time::sleep(grace.duration())))),
            pool: Arc::clone(&pool),
            connecting: Box::pin(async move {
                let connection = connecting.await;
                if connection.is_ok() {
                    pool.opened.fetch_add(1, Ordering::Relaxed);
                }
                connection
            }),
        })
    }
}

/// The connector's error when the request a connection was for got a pooled one first.
#[derive(Debug, thiserror::Error)]
#[error("connection not needed: the request it was for got a pooled connection first")]
struct SpareConnection;

/// A connection for one request, not made when that request gets a pooled one during its
/// [`Grace`].
///
/// hyper-util starts connecting as soon as a request finds no idle connection, and watches the
/// pool at the same time; when a connection comes back to the pool first, the request takes it, and
/// the connection being made goes on in a task of its own, to end idle in the pool. At concurrency
/// N that opened more than N connections (behind the SSP, each a TLS handshake). Moving to another
/// task is the sign the request no longer waits for this connection: during the grace the
/// connection is then given up before any packet is sent; once its handshake has begun it is
/// finished (dropping it half-made would cost the provider as much as a spare).
struct UnlessSpare<T, E> {
    /// The task that asked for the connection (none on a runtime's `block_on`).
    owner: Option<Option<tokio::task::Id>>,
    /// The wait before connecting; `None` once over.
    grace: Option<(Grace, Pin<Box<tokio::time::Sleep>>)>,
    /// Whether this connection is counted among those coming.
    coming: bool,
    pool: Arc<PoolWatch>,
    connecting: Connecting<T, E>,
}

impl<T, E> Drop for UnlessSpare<T, E> {
    fn drop(&mut self) {
        // Made, failed or given up: no longer coming.
        if self.coming {
            self.pool.coming.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl<T, E: From<SpareConnection>> Future for UnlessSpare<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is boxed or plain data: the future is Unpin.
        let this = self.get_mut();
        if let Some((grace, sleep)) = this.grace.as_mut() {
            let task = tokio::task::try_id();
            match this.owner {
                None => this.owner = Some(task),
                Some(owner) if owner != task => {
                    return Poll::Ready(Err(SpareConnection.into()));
                }
                Some(_) => {}
            }
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if *grace == Grace::Long {
                this.pool.waits_in_vain.fetch_add(1, Ordering::Relaxed);
                this.pool.coming.fetch_add(1, Ordering::Relaxed);
                this.coming = true;
            }
            this.grace = None;
        }
        this.connecting.as_mut().poll(cx)
    }
}

/// Whether a body of this Content-Type is text, so must be UTF-8 (every GP Connect body is FHIR JSON or
/// XML; a declared binary type is left to the format checks).
fn carries_text(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return true;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    !(mime.starts_with("image/")
        || mime.starts_with("audio/")
        || mime.starts_with("video/")
        || matches!(
            mime.as_str(),
            "application/octet-stream" | "application/pdf" | "application/zip"
        ))
}

fn response_is_gzip(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-encoding") && v.trim().eq_ignore_ascii_case("gzip")
    })
}

/// Decompress a gzip body (reqwest's own decompression is off so the evidence shows what was sent), to
/// at most `cap` bytes; the flag says the output was cut there. When the compressed bytes were
/// themselves cut (`wire_cut`), what they decompress to is kept: the stream is unfinished by our doing.
fn gunzip(body: &[u8], cap: usize, wire_cut: bool) -> std::io::Result<(Vec<u8>, bool)> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut reader = flate2::read::GzDecoder::new(body).take(cap as u64 + 1);
    let mut buf = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) if wire_cut => break,
            Err(e) => return Err(e),
        }
    }
    let cut = out.len() > cap;
    out.truncate(cap);
    Ok((out, cut))
}

fn render_body(body: &Body, content_type: Option<&str>) -> String {
    match body {
        Body::Raw(s) => s.clone(),
        Body::Resource(v) => {
            if content_type.is_some_and(|c| c.contains("xml")) {
                crate::fhir::xml::to_xml(v)
            } else {
                v.to_string()
            }
        }
    }
}

fn describe_error(e: reqwest::Error) -> String {
    use std::error::Error as _;
    let mut msg = if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn read(what: &'static str, path: &std::path::Path) -> Result<Vec<u8>, TransportError> {
    std::fs::read(path).map_err(|source| TransportError::ReadFile {
        what,
        path: path.display().to_string(),
        source,
    })
}

fn apply_tls(
    mut builder: reqwest::ClientBuilder,
    tls: &TlsConfig,
) -> Result<reqwest::ClientBuilder, TransportError> {
    // The files are checked as the configuration is (exists, is a file, PEM of the right kind, the key
    // belongs to the certificate) so every caller gets a sentence naming the setting and the fix.
    crate::config::check_tls(tls).map_err(|e| TransportError::Tls(e.to_string()))?;
    if !tls.verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(ca) = &tls.ca_file {
        let pem = read("CA file", ca)?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| TransportError::BadPem {
                what: "CA file",
                path: ca.display().to_string(),
                message: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(TransportError::BadPem {
                what: "CA file",
                path: ca.display().to_string(),
                message: "no certificate found".into(),
            });
        }
        builder = builder.tls_certs_only(certs);
    }
    if let (Some(cert), Some(key)) = (&tls.client_cert, &tls.client_key) {
        let mut pem = read("client certificate", cert)?;
        pem.push(b'\n');
        pem.extend(read("client key", key)?);
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| TransportError::BadPem {
            what: "client certificate/key",
            path: format!("{} + {}", cert.display(), key.display()),
            message: e.to_string(),
        })?;
        builder = builder.identity(identity);
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpconnect::Interaction;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_body_that_ungzips_past_the_cap_is_marked_cut() {
        let plain = vec![b'a'; 10_000];
        let (out, cut) = gunzip(&gzip(&plain), 4096, false).unwrap();
        assert_eq!(out.len(), 4096);
        assert!(cut, "cut while un-gzipping must be marked");
        let (out, cut) = gunzip(&gzip(&plain), 10_000, false).unwrap();
        assert_eq!(out, plain);
        assert!(!cut, "exactly the cap is whole");
    }

    #[test]
    fn a_gzip_stream_cut_on_the_wire_keeps_what_it_decodes() {
        let plain: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = gzip(&plain);
        let half = &packed[..packed.len() / 2];
        let (out, _) = gunzip(half, usize::MAX / 2, true).unwrap();
        assert!(!out.is_empty() && plain.starts_with(&out));
        // The same broken stream, not cut by us, is the provider's broken gzip.
        assert!(gunzip(half, usize::MAX / 2, false).is_err());
    }

    #[test]
    fn binary_content_types_are_not_held_to_utf8() {
        assert!(carries_text(Some("application/fhir+json;charset=utf-8")));
        assert!(carries_text(Some("text/html")));
        assert!(carries_text(None));
        assert!(!carries_text(Some("application/pdf")));
        assert!(!carries_text(Some("image/png")));
    }

    #[tokio::test]
    async fn credentials_in_the_service_root_are_not_recorded_nor_sent_in_the_token() {
        let mut config = Config::default();
        // Nothing listens on the discard port: the exchange is recorded with its transport error.
        config.target.foundations_url = "http://alice:s3cret@127.0.0.1:9/gpconnect".into();
        config.http.timeout_seconds = 2;
        let client = Client::new(&config).unwrap();
        let spec = RequestSpec::new(&config, Interaction::Metadata, None);
        let exchange = client.send(&spec).await;
        assert_eq!(
            exchange.request.url,
            "http://***:***@127.0.0.1:9/gpconnect/metadata"
        );
        let claims = exchange.request.jwt_claims.as_ref().unwrap();
        assert_eq!(claims["aud"], "http://127.0.0.1:9/gpconnect");
        let everything = serde_json::to_string(&exchange).unwrap();
        assert!(!everything.contains("s3cret"), "{everything}");
        assert!(!everything.contains("alice"), "{everything}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pool_reuses_its_connections_and_counts_those_it_opens() {
        let running = crate::provider::start(
            crate::provider::ProviderSettings::default(),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .unwrap();
        let mut config = running.config();
        config.http.concurrency = 4;
        let client = Client::new(&config).unwrap();
        assert_eq!(client.connections_opened(), 0);
        let spec = RequestSpec::new(&config, Interaction::Metadata, None);
        for _ in 0..10 {
            let exchange = client.send(&spec).await;
            assert_eq!(exchange.response.map(|r| r.status), Some(200));
        }
        // One kept-alive connection: each request after the first finds it on its way back to the
        // pool and waits for it rather than open a spare.
        assert_eq!(
            client.connections_opened(),
            1,
            "connections for 10 requests one after another"
        );
        // As many at once as scenarios run at once, three times over: the pool holds them all idle
        // between rounds, so no round opens more. (Fewer than four is fine: a request that finds
        // the pool empty waits a moment for a connection to come back before it makes one.)
        for _ in 0..3 {
            let round = (0..4).map(|_| client.send(&spec));
            for exchange in futures::future::join_all(round).await {
                assert_eq!(exchange.response.map(|r| r.status), Some(200));
            }
        }
        let opened = client.connections_opened();
        assert!(
            (1..=4).contains(&opened),
            "{opened} connections for 4 at once, three times"
        );
        assert_eq!(client.pool.waits_in_vain.load(Ordering::Relaxed), 0);
        running.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn more_requests_at_once_than_the_run_allows_wait_their_turn_on_pooled_connections() {
        let running = crate::provider::start(
            crate::provider::ProviderSettings::default(),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .unwrap();
        let mut config = running.config();
        config.http.concurrency = 2;
        let client = Client::new(&config).unwrap();
        let spec = RequestSpec::new(&config, Interaction::Metadata, None);
        let burst = (0..12).map(|_| client.send(&spec));
        for exchange in futures::future::join_all(burst).await {
            assert_eq!(exchange.response.map(|r| r.status), Some(200));
        }
        // Three in flight at most (two scenarios, one of them racing two requests), each on a
        // connection of its own: never one per request, and no spare.
        let opened = client.connections_opened();
        assert!(
            (1..=in_flight_limit(2) as u64).contains(&opened),
            "{opened} connections for 12 requests at once at concurrency 2"
        );
        running.shutdown().await;
    }

    #[test]
    fn a_request_waits_long_for_a_pooled_connection_only_when_one_is_on_its_way_back() {
        use Grace::{Long, Short};
        // (connections presumed open, exchanges holding a turn, long waits in vain so far)
        let cases = [
            ((0, 1, 0), Short),
            ((0, 0, 0), Short),
            ((3, 4, 0), Short),
            ((1, 1, 0), Long),
            ((1, 0, 0), Long),
            ((4, 4, 0), Long),
            ((5, 4, 3), Long),
            ((5, 4, LONG_WAITS_IN_VAIN), Short),
            ((9, 1, LONG_WAITS_IN_VAIN + 1), Short),
        ];
        for ((open, in_flight, in_vain), grace) in cases {
            assert_eq!(
                Grace::choose(open, in_flight, in_vain),
                grace,
                "{open} open, {in_flight} in flight, {in_vain} waits in vain"
            );
        }
        assert!(Grace::Long.duration() > Grace::Short.duration());
    }

    /// A provider that answers every request with `Connection: close`, on plain HTTP.
    async fn closing_provider() -> std::net::SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let answer =
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        addr
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_provider_closing_every_connection_costs_a_few_long_waits_then_none() {
        let addr = closing_provider().await;
        let mut config = Config::default();
        config.target.foundations_url = format!("http://{addr}/gpconnect");
        config.http.concurrency = 1;
        let client = Client::new(&config).unwrap();
        let spec = RequestSpec::new(&config, Interaction::Metadata, None);
        for _ in 0..10 {
            let exchange = client.send(&spec).await;
            assert_eq!(exchange.response.map(|r| r.status), Some(200));
        }
        // A connection per request, as the provider wants; the run waited in vain for a pooled
        // one a few times, then stopped waiting.
        assert_eq!(client.connections_opened(), 10);
        assert_eq!(
            client.pool.waits_in_vain.load(Ordering::Relaxed),
            LONG_WAITS_IN_VAIN
        );
    }

    #[test]
    fn the_idle_pool_holds_a_connection_for_every_scenario_running_at_once() {
        for concurrency in [0, 1, 4, 32, 64, 200] {
            assert!(idle_pool_size(concurrency) >= concurrency.max(1));
        }
    }

    #[test]
    fn tls_mistakes_are_sentences_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.tls.ca_file = Some(dir.path().to_path_buf());
        let e = Client::new(&config).unwrap_err().to_string();
        assert!(
            e.starts_with("tls.ca_file: ") && e.contains("is a directory"),
            "{e}"
        );
    }
}
