//! Probe connections to a provider's TLS endpoint, outside the pooled client: each opens one TCP
//! connection, makes one TLS handshake with the client certificate and cipher suites it is told to,
//! sends one request (`Connection: close`) and records what happened at each stage: the handshake,
//! the protocol version and cipher suite negotiated, whether the server's certificate is trusted for
//! its host name, and the HTTP answer or the refusal.
//!
//! The probe never refuses the server itself: it records what the configured CA thinks of the
//! server's certificate ([`ServerCert`]) and goes on, so that a refusal is always the provider's.
//! With TLS 1.3 a server refuses a client certificate after the client has finished its handshake:
//! the refusal is then the alert or the closed connection met when reading the answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::evidence::{Exchange, Finding, RecordedRequest, RecordedResponse, Role};
use crate::causes::chain;
use crate::gpconnect::transport::{approved_suite, ProtocolVersion};

/// At most this much of an answer is read (the probes ask for the CapabilityStatement).
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The client certificate a probe presents.
#[derive(Debug, Clone)]
pub enum Identity {
    /// None at all.
    None,
    /// This certificate (chain) and private key, as PEM; `label` says which it is ("the expired
    /// client certificate").
    Pem {
        cert: Vec<u8>,
        key: Vec<u8>,
        label: String,
    },
}

/// Which cipher suites a probe offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Every suite the client supports, approved or not (it prefers approved ones).
    Default,
    /// Only suites outside the approved list (ChaCha20-Poly1305, the only such suites this client
    /// implements): a provider permitting only the approved suites must refuse the handshake.
    OnlyUnapproved,
}

/// One probe: where, what to send, with what.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// The URL requested (an `https` URL; [`plain_http`] sends it as `http` to the same port).
    pub url: String,
    /// Headers as a consumer sends them (Ssp-*, Authorization...).
    pub headers: Vec<(String, String)>,
    /// The CA certificates (PEM) the server's certificate is judged against; `None`: not judged.
    pub ca_pem: Option<Vec<u8>>,
    pub identity: Identity,
    pub offer: Offer,
    /// Offer this protocol version alone (see [`can_offer`]); `None`: TLS 1.3 and 1.2.
    pub only: Option<ProtocolVersion>,
    /// Bound on the whole probe.
    pub timeout: Duration,
}

/// What the TLS handshake settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub version: Option<ProtocolVersion>,
    /// The rustls name of the version, when it is none of ours.
    pub version_name: String,
    /// IANA name of the cipher suite (`TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, `TLS_AES_128_GCM_SHA256`).
    pub suite: String,
}

impl Session {
    /// `TLS 1.3, TLS_AES_256_GCM_SHA384`.
    pub fn describe(&self) -> String {
        let version = self
            .version
            .map(|v| v.name().to_string())
            .unwrap_or_else(|| self.version_name.clone());
        format!("{version}, {}", self.suite)
    }
}

/// What the configured CA says of the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerCert {
    /// Chains to the CA, is in its validity period and names the host.
    Trusted,
    /// Why not (expired, another host, unknown issuer...).
    Untrusted(String),
    /// Not judged: no CA was given, or no certificate was received.
    NotJudged(String),
}

/// How the provider dealt with the probe.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It refused: the handshake failed, or the connection ended before an HTTP answer (or with
    /// bytes that are not HTTP). The text says where and how.
    Refused(String),
    /// It answered over the connection.
    Answered(RecordedResponse),
    /// It could not be reached at all (nothing listens, no answer in time): nothing was judged.
    Unreachable(String),
}

/// The record of one probe.
#[derive(Debug, Clone)]
pub struct Probe {
    pub request: RecordedRequest,
    /// What the handshake settled, when it completed on the client's side.
    pub session: Option<Session>,
    pub server_cert: ServerCert,
    pub outcome: Outcome,
    pub elapsed_ms: f64,
    /// What the probe presented and offered, for the evidence.
    pub presented: String,
}

impl Probe {
    /// The probe as an exchange of the scenario's evidence: the TLS session (or the refusal) is an
    /// information finding under it.
    pub fn exchange(&self) -> Exchange {
        let mut findings = vec![Finding {
            severity: "information".into(),
            location: "TLS".into(),
            message: format!(
                "{}; {}; server certificate: {}",
                self.presented,
                match &self.session {
                    Some(s) => format!("negotiated {}", s.describe()),
                    None => "no TLS session was established".into(),
                },
                match &self.server_cert {
                    ServerCert::Trusted =>
                        "trusted (chains to the configured CA, in date, names the host)".into(),
                    ServerCert::Untrusted(why) => format!("NOT trusted: {why}"),
                    ServerCert::NotJudged(why) => format!("not judged: {why}"),
                }
            ),
        }];
        let (response, error) = match &self.outcome {
            Outcome::Answered(r) => (Some(r.clone()), None),
            Outcome::Refused(why) => (None, Some(format!("refused: {why}"))),
            Outcome::Unreachable(why) => (None, Some(why.clone())),
        };
        if let Outcome::Refused(why) = &self.outcome {
            findings.push(Finding {
                severity: "information".into(),
                location: "TLS".into(),
                message: format!("the provider refused the connection: {why}"),
            });
        }
        Exchange {
            interaction: None,
            role: Role::UnderTest,
            request: self.request.clone(),
            response,
            error,
            elapsed_ms: self.elapsed_ms,
            findings,
        }
    }
}

/// Whether a probe can offer `version` alone: TLS 1.2 and 1.3. The TLS library of gpc-assure (rustls)
/// implements nothing older, so a provider's refusal of SSLv3, TLS 1.0 or TLS 1.1 cannot be tested
/// with this client.
pub fn can_offer(version: ProtocolVersion) -> bool {
    matches!(version, ProtocolVersion::Tls12 | ProtocolVersion::Tls13)
}

/// The IANA name of a rustls cipher suite (`TLS13_AES_128_GCM_SHA256` is `TLS_AES_128_GCM_SHA256`).
pub fn iana_suite_name(suite: rustls::CipherSuite) -> String {
    let name = format!("{suite:?}");
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name,
    }
}

fn our_version(v: rustls::ProtocolVersion) -> Option<ProtocolVersion> {
    match v {
        rustls::ProtocolVersion::SSLv2 => Some(ProtocolVersion::Ssl2),
        rustls::ProtocolVersion::SSLv3 => Some(ProtocolVersion::Ssl3),
        rustls::ProtocolVersion::TLSv1_0 => Some(ProtocolVersion::Tls10),
        rustls::ProtocolVersion::TLSv1_1 => Some(ProtocolVersion::Tls11),
        rustls::ProtocolVersion::TLSv1_2 => Some(ProtocolVersion::Tls12),
        rustls::ProtocolVersion::TLSv1_3 => Some(ProtocolVersion::Tls13),
        _ => None,
    }
}

/// Judges the server's certificate with the configured CA, records the verdict, and lets the
/// handshake go on whatever it is (handshake signatures are still verified).
#[derive(Debug)]
struct Recording {
    judge: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    verdict: Arc<Mutex<Option<ServerCert>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match &self.judge {
            Some(judge) => match judge.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(_) => ServerCert::Trusted,
                Err(e) => ServerCert::Untrusted(e.to_string()),
            },
            None => ServerCert::NotJudged(
                "no CA certificate was configured (tls.ca_file) to judge it by".into(),
            ),
        };
        *self.verdict.lock().unwrap_or_else(|e| e.into_inner()) = Some(verdict);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The client configuration of a probe, and where its verifier records its verdict.
#[allow(clippy::type_complexity)]
fn client_config(
    probe: &ProbeRequest,
) -> Result<(rustls::ClientConfig, Arc<Mutex<Option<ServerCert>>>), String> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if probe.offer == Offer::OnlyUnapproved {
        provider
            .cipher_suites
            .retain(|s| !approved_suite(&iana_suite_name(s.suite())));
    }
    let algorithms = provider.signature_verification_algorithms;
    let provider: Arc<CryptoProvider> = Arc::new(provider);
    let judge = match &probe.ca_pem {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| format!("the CA file is not PEM: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("a CA certificate is not usable: {e}"))?;
            }
            Some(
                rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider.clone(),
                )
                .build()
                .map_err(|e| format!("cannot judge server certificates: {e}"))?,
            )
        }
        None => None,
    };
    let verdict = Arc::new(Mutex::new(None));
    let verifier = Recording {
        judge,
        algorithms,
        verdict: verdict.clone(),
    };
    let versions: &[&'static rustls::SupportedProtocolVersion] = match probe.only {
        None => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Some(ProtocolVersion::Tls13) => &[&rustls::version::TLS13],
        Some(ProtocolVersion::Tls12) => &[&rustls::version::TLS12],
        Some(other) => return Err(format!("this client cannot offer {}", other.name())),
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| format!("cannot offer the protocol versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let config = match &probe.identity {
        Identity::None => builder.with_no_client_auth(),
        Identity::Pem { cert, key, .. } => {
            let certs = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("the client certificate is not PEM: {e}"))?;
            let key = PrivateKeyDer::from_pem_slice(key)
                .map_err(|e| format!("the client key is not PEM: {e}"))?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("the client certificate cannot be used: {e}"))?
        }
    };
    Ok((config, verdict))
}

/// The host, port and request target of an URL.
fn parts(url: &str) -> Result<(String, u16, String), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| format!("{url:?} names no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| format!("{url:?} has no port"))?;
    let mut target = parsed.path().to_string();
    if let Some(q) = parsed.query() {
        target.push('?');
        target.push_str(q);
    }
    Ok((host, port, target))
}

/// The request as bytes, and as the evidence records it.
fn request_bytes(
    url: &str,
    headers: &[(String, String)],
) -> Result<(Vec<u8>, RecordedRequest), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let (_, _, target) = parts(url)?;
    let host = match parsed.port() {
        Some(p) => format!("{}:{p}", parsed.host_str().unwrap_or_default()),
        None => parsed.host_str().unwrap_or_default().to_string(),
    };
    let mut sent = vec![("Host".to_string(), host)];
    sent.extend(headers.iter().cloned());
    sent.push(("Connection".into(), "close".into()));
    let mut text = format!("GET {target} HTTP/1.1\r\n");
    for (k, v) in &sent {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    let jwt_claims = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(crate::gpconnect::headers::AUTHORIZATION))
        .and_then(|(_, v)| crate::gpconnect::jwt::decode_authorization(v).ok())
        .map(serde_json::Value::Object);
    let recorded = RecordedRequest {
        method: "GET".into(),
        url: crate::redact::userinfo(url).into_owned(),
        headers: sent,
        body: None,
        body_info: None,
        jwt_claims,
    };
    Ok((text.into_bytes(), recorded))
}

/// Read an HTTP answer: `Ok(None)` when the connection ended before any byte.
async fn read_answer<S: AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<Option<Vec<u8>>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if got.len() >= MAX_ANSWER_BYTES {
                    break;
                }
            }
            // An answer cut by an unclean close is still an answer.
            Err(_) if !got.is_empty() => break,
            Err(e) => return Err(e),
        }
    }
    Ok((!got.is_empty()).then_some(got))
}

/// Parse bytes as an HTTP/1.x answer (head and whatever body came); `None` when they are not HTTP.
fn parse_answer(bytes: &[u8]) -> Option<RecordedResponse> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut words = status_line.splitn(3, ' ');
    if !words.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status: u16 = words.next()?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(RecordedResponse::new(
        status,
        headers,
        bytes[end + 4..].to_vec(),
        None,
    ))
}

/// What the answer read from a connection means.
fn judge_answer(read: std::io::Result<Option<Vec<u8>>>, after: &str) -> Outcome {
    match read {
        Ok(Some(bytes)) => match parse_answer(&bytes) {
            Some(response) => Outcome::Answered(response),
            None => Outcome::Refused(format!(
                "{after}, the provider sent {} byte{} that are not an HTTP answer{}",
                bytes.len(),
                if bytes.len() == 1 { "" } else { "s" },
                if bytes.first() == Some(&0x15) {
                    " (a TLS alert)"
                } else {
                    ""
                }
            )),
        },
        Ok(None) => Outcome::Refused(format!(
            "{after}, the provider closed the connection without an HTTP answer"
        )),
        Err(e) => Outcome::Refused(format!("{after}, the connection failed: {}", chain(&e))),
    }
}

async fn send_and_read<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
    after: &str,
) -> Outcome {
    if let Err(e) = stream.write_all(bytes).await {
        return Outcome::Refused(format!(
            "{after}, the request could not be sent: {}",
            chain(&e)
        ));
    }
    let _ = stream.flush().await;
    judge_answer(read_answer(stream).await, after)
}

async fn connect(host: &str, port: u16) -> Result<TcpStream, Outcome> {
    TcpStream::connect((host, port))
        .await
        .map_err(|e| Outcome::Unreachable(format!("could not connect to {host}:{port}: {e}")))
}

/// Make one TLS probe.
pub async fn probe(request: &ProbeRequest) -> Probe {
    let started = Instant::now();
    let presented = format!(
        "presenting {}, offering {}{}",
        match &request.identity {
            Identity::None => "no client certificate",
            Identity::Pem { label, .. } => label.as_str(),
        },
        match request.offer {
            Offer::Default => "the client's usual cipher suites",
            Offer::OnlyUnapproved => "only cipher suites outside the approved list",
        },
        match request.only {
            Some(v) => format!(" with {} alone", v.name()),
            None => " with TLS 1.3 and TLS 1.2".into(),
        }
    );
    let (bytes, recorded) = match request_bytes(&request.url, &request.headers) {
        Ok(x) => x,
        Err(e) => return failed_early(request, e, started, presented),
    };
    let mut probe = Probe {
        request: recorded,
        session: None,
        server_cert: ServerCert::NotJudged("no certificate was received".into()),
        outcome: Outcome::Unreachable(String::new()),
        elapsed_ms: 0.0,
        presented,
    };
    let within = request.timeout;
    match tokio::time::timeout(within, probe_tls(request, &bytes, &mut probe)).await {
        Ok(()) => {}
        Err(_) => {
            probe.outcome = Outcome::Unreachable(format!(
                "no answer within {}s (neither a refusal nor an HTTP answer)",
                within.as_secs()
            ))
        }
    }
    probe.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    probe
}

fn failed_early(request: &ProbeRequest, why: String, started: Instant, presented: String) -> Probe {
    Probe {
        request: RecordedRequest {
            method: "GET".into(),
            url: crate::redact::userinfo(&request.url).into_owned(),
            headers: request.headers.clone(),
            body: None,
            body_info: None,
            jwt_claims: None,
        },
        session: None,
        server_cert: ServerCert::NotJudged("nothing was sent".into()),
        outcome: Outcome::Unreachable(why),
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        presented,
    }
}

async fn probe_tls(request: &ProbeRequest, bytes: &[u8], probe: &mut Probe) {
    let (host, port, _) = match parts(&request.url) {
        Ok(p) => p,
        Err(e) => {
            probe.outcome = Outcome::Unreachable(e);
            return;
        }
    };
    let (config, verdict) = match client_config(request) {
        Ok(c) => c,
        Err(e) => {
            probe.outcome = Outcome::Unreachable(e);
            return;
        }
    };
    let name = match ServerName::try_from(host.clone()) {
        Ok(n) => n,
        Err(e) => {
            probe.outcome = Outcome::Unreachable(format!("{host:?} is not a server name: {e}"));
            return;
        }
    };
    let tcp = match connect(&host, port).await {
        Ok(s) => s,
        Err(outcome) => {
            probe.outcome = outcome;
            return;
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = connector.connect(name, tcp).await;
    if let Some(v) = verdict.lock().unwrap_or_else(|e| e.into_inner()).take() {
        probe.server_cert = v;
    }
    let mut tls = match handshake {
        Ok(s) => s,
        Err(e) => {
            probe.outcome = Outcome::Refused(format!("the TLS handshake failed: {}", chain(&e)));
            return;
        }
    };
    let (_, conn) = tls.get_ref();
    probe.session = Some(Session {
        version: conn.protocol_version().and_then(our_version),
        version_name: conn
            .protocol_version()
            .map(|v| format!("{v:?}"))
            .unwrap_or_default(),
        suite: conn
            .negotiated_cipher_suite()
            .map(|s| iana_suite_name(s.suite()))
            .unwrap_or_default(),
    });
    probe.outcome = send_and_read(&mut tls, bytes, "after the handshake").await;
}

/// Send the probe's request as plain HTTP to the port of its `https` URL.
pub async fn plain_http(request: &ProbeRequest) -> Probe {
    let started = Instant::now();
    let presented = "sending plain HTTP (no TLS) to the TLS port".to_string();
    // The same host and port (`http://host/` alone would mean port 80).
    let plain_url = match reqwest::Url::parse(&request.url) {
        Ok(mut u) => {
            let port = u.port_or_known_default();
            let _ = u.set_scheme("http");
            let _ = u.set_port(port);
            u.to_string()
        }
        Err(_) => request.url.clone(),
    };
    let (bytes, recorded) = match request_bytes(&plain_url, &request.headers) {
        Ok(x) => x,
        Err(e) => return failed_early(request, e, started, presented),
    };
    let mut probe = Probe {
        request: recorded,
        session: None,
        server_cert: ServerCert::NotJudged("plain HTTP has no certificate".into()),
        outcome: Outcome::Unreachable(String::new()),
        elapsed_ms: 0.0,
        presented,
    };
    let attempt = async {
        let (host, port, _) = parts(&plain_url).map_err(Outcome::Unreachable)?;
        let mut tcp = connect(&host, port).await?;
        Ok::<_, Outcome>(send_and_read(&mut tcp, &bytes, "to the plain HTTP request").await)
    };
    probe.outcome = match tokio::time::timeout(request.timeout, attempt).await {
        Ok(Ok(outcome)) | Ok(Err(outcome)) => outcome,
        // A TLS server waits for a handshake that never comes: it neither answers nor serves.
        Err(_) => Outcome::Refused(format!(
            "no HTTP answer within {}s (the connection was left waiting)",
            request.timeout.as_secs()
        )),
    };
    probe.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    probe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_non_http_bytes_are_refusals() {
        let ok = judge_answer(
            Ok(Some(
                b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=60\r\n\r\n{}".to_vec(),
            )),
            "after the handshake",
        );
        match ok {
            Outcome::Answered(r) => {
                assert_eq!(r.status, 200);
                assert_eq!(r.header("strict-transport-security"), Some("max-age=60"));
                assert_eq!(r.body, "{}");
            }
            other => panic!("{other:?}"),
        }
        let alert = judge_answer(Ok(Some(vec![0x15, 0x03, 0x03, 0, 2, 2, 40])), "x");
        assert!(
            matches!(&alert, Outcome::Refused(why) if why.contains("TLS alert")),
            "{alert:?}"
        );
        assert!(matches!(judge_answer(Ok(None), "x"), Outcome::Refused(_)));
    }

    #[test]
    fn tls13_suite_names_are_written_as_iana_names() {
        assert_eq!(
            iana_suite_name(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256),
            "TLS_AES_128_GCM_SHA256"
        );
        assert_eq!(
            iana_suite_name(rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        );
    }

    #[test]
    fn offering_only_unapproved_suites_leaves_chacha_alone() {
        let request = ProbeRequest {
            url: "https://127.0.0.1:1/x".into(),
            headers: vec![],
            ca_pem: None,
            identity: Identity::None,
            offer: Offer::OnlyUnapproved,
            only: None,
            timeout: Duration::from_secs(1),
        };
        let (config, _) = client_config(&request).unwrap();
        let names: Vec<String> = config
            .crypto_provider()
            .cipher_suites
            .iter()
            .map(|s| iana_suite_name(s.suite()))
            .collect();
        assert!(!names.is_empty());
        assert!(names.iter().all(|n| n.contains("CHACHA20")), "{names:?}");
    }
}
