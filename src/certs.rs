//! Certificates for mutual TLS, made at run time and never committed: a small certificate authority,
//! a server certificate for the loopback host, and client certificates that are valid, expired, not
//! yet valid, issued by another authority, or issued for the wrong purpose.
//!
//! The embedded reference provider serves TLS with a [`Kit`] made at start-up; the @tls scenarios
//! present its client certificates; `gpc-assure certs DIR` writes one as PEM files (see
//! [`Kit::write_to`]) for trying a provider's test environment or for reaching `serve --tls` by hand.
//! The file names are [`ClientCert::stem`] plus `.pem` / `.key`, the CA is `ca.pem`, the server's
//! certificate `server.pem` / `server.key`.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// The client certificates of a [`Kit`]: one that a provider trusting the kit's CA must accept, and
/// the ones it must refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientCert {
    /// Issued by the CA for client authentication, in its validity period.
    Valid,
    /// Issued by the CA, but its validity period ended 30 days ago.
    Expired,
    /// Issued by the CA, but its validity period starts in 30 days.
    NotYetValid,
    /// Valid and for client authentication, but issued by another CA the provider does not trust.
    Untrusted,
    /// Issued by the CA and in date, but its extended key usage is server authentication only.
    WrongUsage,
}

impl ClientCert {
    /// Every client certificate, in the order files are written.
    pub const ALL: [ClientCert; 5] = [
        ClientCert::Valid,
        ClientCert::Expired,
        ClientCert::NotYetValid,
        ClientCert::Untrusted,
        ClientCert::WrongUsage,
    ];

    /// The file name without extension (`expired-client` -> `expired-client.pem`, `.key`).
    pub fn stem(self) -> &'static str {
        match self {
            ClientCert::Valid => "client",
            ClientCert::Expired => "expired-client",
            ClientCert::NotYetValid => "not-yet-valid-client",
            ClientCert::Untrusted => "untrusted-client",
            ClientCert::WrongUsage => "wrong-usage-client",
        }
    }

    /// How the scenarios name it (`the "expired" client certificate`).
    pub fn phrase(self) -> &'static str {
        match self {
            ClientCert::Valid => "valid",
            ClientCert::Expired => "expired",
            ClientCert::NotYetValid => "not yet valid",
            ClientCert::Untrusted => "from another authority",
            ClientCert::WrongUsage => "not for client authentication",
        }
    }

    /// Look one up by its [`phrase`](ClientCert::phrase).
    pub fn from_phrase(phrase: &str) -> Option<ClientCert> {
        Self::ALL.into_iter().find(|c| c.phrase() == phrase)
    }

    /// What it is, for the README of a written kit and for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ClientCert::Valid => "issued by ca.pem for client authentication, valid for a year: a provider must accept it",
            ClientCert::Expired => "issued by ca.pem, expired 30 days ago: a provider must refuse it",
            ClientCert::NotYetValid => "issued by ca.pem, valid only from 30 days on: a provider must refuse it",
            ClientCert::Untrusted => "in date and for client authentication, but issued by another authority: a provider must refuse it",
            ClientCert::WrongUsage => "issued by ca.pem and in date, but for server authentication only (extended key usage): a provider must refuse it",
        }
    }
}

/// A certificate and its private key, as PEM.
#[derive(Debug, Clone)]
pub struct Pem {
    pub cert: String,
    pub key: String,
}

/// A certificate authority with the certificates it issued (and one issued by another authority).
#[derive(Debug, Clone)]
pub struct Kit {
    /// The CA certificate a provider trusts for client certificates, and a client for the server's.
    pub ca: String,
    /// The server certificate for `localhost`, `127.0.0.1` and `::1`.
    pub server: Pem,
    clients: Vec<(ClientCert, Pem)>,
}

/// Certificates could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("cannot make the certificates: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Directory(String),
}

/// Host names the server certificate is valid for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Make `params` valid from `from` days from today to `to` days from today (negative: in the past),
/// each at midnight UTC.
fn validity(params: &mut CertificateParams, from: i64, to: i64) {
    use chrono::Datelike as _;
    let today = chrono::Utc::now().date_naive();
    let at = |days: i64| {
        let d = today + chrono::Duration::days(days);
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    params.not_before = at(from);
    params.not_after = at(to);
}

fn named(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "gpc-assure test certificates");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn authority(common_name: &str) -> Result<(CertificateParams, KeyPair, String), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = named(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, -1, 3650);
    let cert = params.self_signed(&key)?;
    Ok((params, key, cert.pem()))
}

fn leaf(
    names: &[&str],
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
    valid: (i64, i64),
    issuer: &Issuer<'_, KeyPair>,
) -> Result<Pem, rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name = named(common_name);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    validity(&mut params, valid.0, valid.1);
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, issuer)?;
    Ok(Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}

impl Kit {
    /// A fresh CA, server certificate and every [`ClientCert`] (ECDSA P-256 keys).
    pub fn generate() -> Result<Kit, CertError> {
        let (ca_params, ca_key, ca) = authority("gpc-assure test CA")?;
        let issuer = Issuer::new(ca_params, ca_key);
        let (other_params, other_key, _) = authority("gpc-assure other CA (not trusted)")?;
        let other = Issuer::new(other_params, other_key);
        use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
        let server = leaf(&SERVER_NAMES, "localhost", ServerAuth, (-1, 365), &issuer)?;
        let consumer = ["consumer.gpc-assure.invalid"];
        let mut clients = Vec::new();
        for which in ClientCert::ALL {
            let (usage, valid, by) = match which {
                ClientCert::Valid => (ClientAuth, (-1, 365), &issuer),
                ClientCert::Expired => (ClientAuth, (-60, -30), &issuer),
                ClientCert::NotYetValid => (ClientAuth, (30, 365), &issuer),
                ClientCert::Untrusted => (ClientAuth, (-1, 365), &other),
                ClientCert::WrongUsage => (ServerAuth, (-1, 365), &issuer),
            };
            let pem = leaf(&consumer, consumer[0], usage, valid, by)?;
            clients.push((which, pem));
        }
        Ok(Kit {
            ca,
            server,
            clients,
        })
    }

    /// The certificate and key of one client certificate.
    pub fn client(&self, which: ClientCert) -> &Pem {
        &self
            .clients
            .iter()
            .find(|(w, _)| *w == which)
            .expect("every client certificate is made")
            .1
    }

    /// Write the kit as PEM files into `dir` (created if missing; it must not already hold a kit),
    /// with a README.txt saying what each file is. Private keys are written readable by the owner only.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>, CertError> {
        if dir.join("ca.pem").exists() {
            return Err(CertError::Directory(format!(
                "{} already holds certificates (ca.pem); give an empty or new directory",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|source| CertError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut written = Vec::new();
        let mut put = |name: String, text: &str, secret: bool| -> Result<(), CertError> {
            let path = dir.join(name);
            write_file(&path, text, secret).map_err(|source| CertError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
            Ok(())
        };
        put("ca.pem".into(), &self.ca, false)?;
        put("server.pem".into(), &self.server.cert, false)?;
        put("server.key".into(), &self.server.key, true)?;
        for (which, pem) in &self.clients {
            put(format!("{}.pem", which.stem()), &pem.cert, false)?;
            put(format!("{}.key", which.stem()), &pem.key, true)?;
        }
        put("README.txt".into(), &readme(), false)?;
        Ok(written)
    }
}

fn write_file(path: &Path, text: &str, secret: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    options.open(path)?.write_all(text.as_bytes())
}

/// What a written kit holds and how to use it.
fn readme() -> String {
    let mut out = String::from(
        "Certificates made by `gpc-assure certs` for testing mutual TLS. Throwaway: never use them for\n\
         anything real, and make a fresh set rather than sharing one.\n\n\
         ca.pem                    the certificate authority that issued server.pem and the client certificates\n\
         server.pem, server.key    a server certificate for localhost, 127.0.0.1 and ::1\n",
    );
    for which in ClientCert::ALL {
        out.push_str(&format!(
            "{:<25} {}\n",
            format!("{}.pem, .key", which.stem()),
            which.describe()
        ));
    }
    out.push_str(
        "\nTo test a provider's test environment, make it trust ca.pem for client certificates, then give\n\
         gpc-assure this directory as tls.test_certs_dir (the @tls scenarios present each client\n\
         certificate) and client.pem / client.key as tls.client_cert / tls.client_key.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_stems_are_distinct_and_round_trip() {
        for c in ClientCert::ALL {
            assert_eq!(ClientCert::from_phrase(c.phrase()), Some(c));
        }
        let mut stems: Vec<_> = ClientCert::ALL.iter().map(|c| c.stem()).collect();
        stems.dedup();
        assert_eq!(stems.len(), ClientCert::ALL.len());
    }

    #[test]
    fn a_kit_is_written_once_with_private_keys_kept_private() {
        let kit = Kit::generate().unwrap();
        assert!(kit.ca.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(kit
            .client(ClientCert::Expired)
            .key
            .contains("PRIVATE KEY-----"));
        let dir = std::env::temp_dir().join(format!("gpc-assure-certs-{}", uuid::Uuid::new_v4()));
        let written = kit.write_to(&dir).unwrap();
        assert_eq!(written.len(), 3 + 2 * ClientCert::ALL.len() + 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.join("expired-client.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "a private key is readable by others");
        }
        let again = kit.write_to(&dir).unwrap_err().to_string();
        assert!(again.contains("already holds certificates"), "{again}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
