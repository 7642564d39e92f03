//! The reference provider over TLS with mutual authentication, as GP Connect requires of a provider
//! behind the Spine Secure Proxy (Security guidance,
//! <https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html>): TLS 1.2 or
//! 1.3 only, only the approved cipher suites (AES-GCM with ephemeral ECDH), a client certificate issued
//! by the trusted CA required before anything is served, and Strict-Transport-Security on every
//! response. The deliberate faults [`Fault::AcceptNoClientCert`], [`Fault::AcceptExpiredClientCert`]
//! and [`Fault::NoHsts`] each break one of these.
//!
//! The certificates come from a kit directory ([`crate::certs`]): `ca.pem`, `server.pem`, `server.key`,
//! and the client certificates a consumer presents.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::Response;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::faults::{Fault, FaultSet};
use crate::certs::{ClientCert, Kit};
use crate::gpconnect::transport::{approved_suite, STRICT_TRANSPORT_SECURITY};
use crate::http::tls_probe::iana_suite_name;

/// The Strict-Transport-Security value the provider sends: one year.
pub const HSTS_VALUE: &str = "max-age=31536000";

/// Where the provider's certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSource {
    /// A kit made at start-up in a temporary directory, removed when the provider stops.
    Fresh,
    /// The kit in this directory (written by `gpc-assure certs`); one is made there when it holds none.
    Dir(PathBuf),
}

/// The kit directory a running provider serves from.
#[derive(Debug)]
pub struct KitDir {
    pub path: PathBuf,
    /// Removed when dropped (a kit made for this provider alone).
    owned: bool,
}

impl KitDir {
    /// The directory for `source`, making a kit in it when needed.
    pub fn prepare(source: &CertSource) -> Result<KitDir, String> {
        let (path, owned) = match source {
            CertSource::Fresh => (
                std::env::temp_dir().join(format!(
                    "gpc-assure-tls-{}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                )),
                true,
            ),
            CertSource::Dir(dir) => (dir.clone(), false),
        };
        if !path.join("ca.pem").exists() {
            let kit = Kit::generate().map_err(|e| e.to_string())?;
            kit.write_to(&path).map_err(|e| e.to_string())?;
        }
        Ok(KitDir { path, owned })
    }

    pub fn ca(&self) -> PathBuf {
        self.path.join("ca.pem")
    }

    /// The certificate and key files of a client certificate.
    pub fn client(&self, which: ClientCert) -> (PathBuf, PathBuf) {
        (
            self.path.join(format!("{}.pem", which.stem())),
            self.path.join(format!("{}.key", which.stem())),
        )
    }
}

impl Drop for KitDir {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The provider's TLS configuration from the kit in `dir`, with `faults`.
pub fn server_config(dir: &Path, faults: &FaultSet) -> Result<Arc<rustls::ServerConfig>, String> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider
        .cipher_suites
        .retain(|s| approved_suite(&iana_suite_name(s.suite())));
    let provider = Arc::new(provider);
    let mut roots = rustls::RootCertStore::empty();
    let ca_path = dir.join("ca.pem");
    for cert in CertificateDer::pem_slice_iter(&read(&ca_path)?) {
        let cert = cert.map_err(|e| format!("{} is not PEM: {e}", ca_path.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{} is not a usable CA: {e}", ca_path.display()))?;
    }
    let mut verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if faults.has(Fault::AcceptNoClientCert) {
        verifier = verifier.allow_unauthenticated();
    }
    let mut verifier = verifier
        .build()
        .map_err(|e| format!("cannot verify client certificates: {e}"))?;
    if faults.has(Fault::AcceptExpiredClientCert) {
        verifier = Arc::new(IgnoresExpiry(verifier));
    }
    let server_pem = dir.join("server.pem");
    let certs = CertificateDer::pem_slice_iter(&read(&server_pem)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not PEM: {e}", server_pem.display()))?;
    let key_path = dir.join("server.key");
    let key = PrivateKeyDer::from_pem_slice(&read(&key_path)?)
        .map_err(|e| format!("{} holds no usable key: {e}", key_path.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("cannot offer TLS 1.2 and 1.3: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| format!("the server certificate cannot be used: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Middleware of a provider served over TLS: Strict-Transport-Security on every response.
pub async fn add_hsts(mut response: Response) -> Response {
    response.headers_mut().insert(
        STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS_VALUE),
    );
    response
}

/// [`Fault::AcceptExpiredClientCert`]: a client certificate that is only out of date is accepted.
#[derive(Debug)]
struct IgnoresExpiry(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for IgnoresExpiry {
    fn offer_client_auth(&self) -> bool {
        self.0.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.0.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match self.0.verify_client_cert(end_entity, intermediates, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. },
            )) => Ok(ClientCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
