//! The TLS files of a configuration, checked before anything is sent: each exists, is a readable file,
//! holds PEM of the right kind, and the client key belongs to the client certificate. A mistake here
//! would otherwise surface later as a bare "builder error" or a failed handshake.

use std::path::Path;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{ConfigError, TlsConfig};

fn invalid(key: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message,
    }
}

/// The bytes of the file a TLS setting names, or a sentence saying why it cannot be used.
fn read(key: &str, path: &Path, expected: &str) -> Result<Vec<u8>, ConfigError> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            invalid(
                key,
                format!("{shown} does not exist; set {key} to {expected} (a relative path is read from the current directory)"),
            )
        } else {
            invalid(key, format!("cannot open {shown}: {e}"))
        }
    })?;
    if meta.is_dir() {
        return Err(invalid(
            key,
            format!(
                "{shown} is a directory; set {key} to {expected}, not to the folder holding it"
            ),
        ));
    }
    std::fs::read(path).map_err(|e| invalid(key, format!("cannot read {shown}: {e}")))
}

/// What a PEM file holds besides what was asked for, as a hint (a swapped setting is a common slip).
fn holds_instead(pem: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(pem);
    if text.contains("PRIVATE KEY-----") {
        " (it holds a private key: is it the file meant for tls.client_key?)"
    } else if text.contains("-----BEGIN") {
        ""
    } else {
        " (it is not PEM text: convert a DER or PKCS#12 file with openssl first)"
    }
}

/// The certificates of a PEM file: at least one, each well-formed PEM.
fn certificates(
    key: &str,
    path: &Path,
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            invalid(
                key,
                format!("{} is not valid PEM: {}", path.display(), pem_problem(&e)),
            )
        })?;
    if certs.is_empty() {
        return Err(invalid(
            key,
            format!(
                "{} holds no certificate: expected one or more -----BEGIN CERTIFICATE----- blocks{}",
                path.display(),
                holds_instead(pem)
            ),
        ));
    }
    Ok(certs)
}

fn pem_problem(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "a block is not closed (no {} line)",
            String::from_utf8_lossy(end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => format!(
            "a -----BEGIN line is malformed: {}",
            String::from_utf8_lossy(line)
        ),
        pem::Error::Base64Decode(e) => format!("a block is not valid base64: {e}"),
        other => other.to_string(),
    }
}

/// The private key of a PEM file.
fn private_key(path: &Path, pem: &[u8]) -> Result<PrivateKeyDer<'static>, ConfigError> {
    const KEY: &str = "tls.client_key";
    if String::from_utf8_lossy(pem).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(invalid(
            KEY,
            format!(
                "{} is encrypted with a passphrase, which gpc-assure cannot prompt for; write an \
                 unencrypted copy (openssl pkey -in {0} -out client-key.pem) and keep it private",
                path.display()
            ),
        ));
    }
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        pem::Error::NoItemsFound => invalid(
            KEY,
            format!(
                "{} holds no private key: expected a -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE \
                 KEY) block{}",
                path.display(),
                if String::from_utf8_lossy(pem).contains("CERTIFICATE-----") {
                    " (it holds a certificate: is it the file meant for tls.client_cert?)"
                } else {
                    ""
                }
            ),
        ),
        other => invalid(
            KEY,
            format!(
                "{} is not valid PEM: {}",
                path.display(),
                pem_problem(&other)
            ),
        ),
    })
}

/// Check every TLS file the configuration names: each exists, is a readable file, holds PEM of the
/// right kind, and the client key belongs to the client certificate.
pub fn check(tls: &TlsConfig) -> Result<(), ConfigError> {
    match (&tls.client_cert, &tls.client_key) {
        (Some(_), None) => {
            return Err(invalid(
                "tls.client_key",
                "is required when tls.client_cert is set: mutual TLS needs the certificate and its private key".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(invalid(
                "tls.client_cert",
                "is required when tls.client_key is set: mutual TLS needs the certificate and its private key".into(),
            ))
        }
        _ => {}
    }
    if let Some(dir) = &tls.test_certs_dir {
        if !dir.is_dir() {
            return Err(invalid(
                "tls.test_certs_dir",
                format!(
                    "{} is not a directory; set it to a directory of test client certificates, as \
                     `gpc-assure certs DIR` writes one",
                    dir.display()
                ),
            ));
        }
    }
    if let Some(path) = &tls.ca_file {
        const KEY: &str = "tls.ca_file";
        let pem = read(
            KEY,
            path,
            "the PEM file of the CA certificates that issued the provider's certificate",
        )?;
        let certs = certificates(KEY, path, &pem)?;
        for (i, cert) in certs.into_iter().enumerate() {
            rustls::RootCertStore::empty().add(cert).map_err(|e| {
                invalid(
                    KEY,
                    format!(
                        "certificate {} of {} is not a usable X.509 certificate: {e}",
                        i + 1,
                        path.display()
                    ),
                )
            })?;
        }
    }
    if let (Some(cert_path), Some(key_path)) = (&tls.client_cert, &tls.client_key) {
        let cert_pem = read(
            "tls.client_cert",
            cert_path,
            "the PEM file of the client certificate (and its chain) issued for this consumer",
        )?;
        let certs = certificates("tls.client_cert", cert_path, &cert_pem)?;
        let key_pem = read(
            "tls.client_key",
            key_path,
            "the PEM file of the client certificate's private key",
        )?;
        let key = private_key(key_path, &key_pem)?;
        key_matches(certs, key, cert_path, key_path)?;
    }
    Ok(())
}

/// The key must be the one the certificate was issued for, or every handshake fails.
fn key_matches(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    cert_path: &Path,
    key_path: &Path,
) -> Result<(), ConfigError> {
    use rustls::sign::CertifiedKey;
    use rustls::{Error, InconsistentKeys};
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let signing = provider.key_provider.load_private_key(key).map_err(|e| {
        invalid(
            "tls.client_key",
            format!(
                "the private key in {} cannot be used: {e}",
                key_path.display()
            ),
        )
    })?;
    match CertifiedKey::new(certs, signing).keys_match() {
        Ok(()) | Err(Error::InconsistentKeys(InconsistentKeys::Unknown)) => Ok(()),
        Err(Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => Err(invalid(
            "tls.client_key",
            format!(
                "the private key in {} does not belong to the certificate in {} (their public keys \
                 differ); set tls.client_key to the key the certificate was issued for",
                key_path.display(),
                cert_path.display()
            ),
        )),
        Err(e) => Err(invalid(
            "tls.client_cert",
            format!(
                "the first certificate in {} is not a usable X.509 certificate: {e}",
                cert_path.display()
            ),
        )),
    }
}
