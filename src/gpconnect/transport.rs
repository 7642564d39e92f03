//! Transport security: what the connection between the Spine Secure Proxy and a provider must be.
//!
//! GP Connect 1.2.7, Security guidance
//! (<https://developer.nhs.uk/apis/gpconnect-1-2-7/development_api_security_guidance.html>): providers
//! SHALL use TLS 1.2 with mutual authentication and SHALL NOT use TLS 1.0, TLS 1.1, SSLv2 or SSLv3
//! ("Secure Socket Layer (SSL), and Transport Layer Security (TLS) protocols"); SHALL only permit the
//! approved cipher suites, `AESGCM+EECDH`, `AESGCM+EDH`, `AES256+EECDH`, `AES256+EDH` in that order of
//! preference ("Supported ciphers"); SHALL authenticate the SSP by its client certificate before
//! responding, and SHALL only accept encrypted connections ("Secure connection negotiation"); client
//! certificates are issued by NHS Digital, must chain to the Spine authority and be in date ("Client
//! certificates (TLSMA)"). HTTP Strict Transport Security (RFC 6797) is employed.

/// The response header of HTTP Strict Transport Security (RFC 6797).
pub const STRICT_TRANSPORT_SECURITY: &str = "Strict-Transport-Security";

/// Statuses a TLS-terminating web server answers with instead of closing the connection when it
/// refuses a client certificate (495 "SSL Certificate Error", 496 "SSL Certificate Required"; NHS
/// Digital's provider suite counts either as a refusal).
pub const CERTIFICATE_REFUSAL_STATUSES: [u16; 2] = [495, 496];

/// Protocol versions, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProtocolVersion {
    Ssl2,
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl ProtocolVersion {
    /// Every version, oldest first.
    pub const ALL: [ProtocolVersion; 6] = [
        ProtocolVersion::Ssl2,
        ProtocolVersion::Ssl3,
        ProtocolVersion::Tls10,
        ProtocolVersion::Tls11,
        ProtocolVersion::Tls12,
        ProtocolVersion::Tls13,
    ];

    /// How the specification and the scenarios write it.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolVersion::Ssl2 => "SSLv2",
            ProtocolVersion::Ssl3 => "SSLv3",
            ProtocolVersion::Tls10 => "TLS 1.0",
            ProtocolVersion::Tls11 => "TLS 1.1",
            ProtocolVersion::Tls12 => "TLS 1.2",
            ProtocolVersion::Tls13 => "TLS 1.3",
        }
    }

    /// Look one up by its [`name`](ProtocolVersion::name).
    pub fn from_name(name: &str) -> Option<ProtocolVersion> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Whether a provider may negotiate it: TLS 1.2, or TLS 1.3 (which the specification predates; it
    /// forbids only the older versions, and every TLS 1.3 suite uses ephemeral key exchange).
    pub fn allowed(self) -> bool {
        self >= ProtocolVersion::Tls12
    }
}

/// The cipher suites the approved OpenSSL cipher strings (`AESGCM+EECDH`, `AESGCM+EDH`,
/// `AES256+EECDH`, `AES256+EDH`) expand to, by IANA name, and the TLS 1.3 AES-GCM suites.
pub const APPROVED_CIPHER_SUITES: &[&str] = &[
    // AESGCM+EECDH
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    // AESGCM+EDH
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    // AES256+EECDH
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    // AES256+EDH
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    // TLS 1.3: AES-GCM, always with ephemeral key exchange
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
];

/// Whether the cipher suite of IANA name `name` is approved.
pub fn approved_suite(name: &str) -> bool {
    APPROVED_CIPHER_SUITES.contains(&name)
}

/// The `max-age` of a Strict-Transport-Security value (`max-age=31536000; includeSubDomains`), if it
/// has a well-formed one.
pub fn hsts_max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|directive| {
        let (name, v) = directive.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        v.trim().trim_matches('"').parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tls_1_2_and_later_are_allowed() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::from_name(v.name()), Some(v));
        }
        assert!(!ProtocolVersion::Tls11.allowed());
        assert!(ProtocolVersion::Tls12.allowed());
        assert!(ProtocolVersion::Tls13.allowed());
    }

    #[test]
    fn approved_suites_are_aes_with_ephemeral_key_exchange() {
        assert!(approved_suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assert!(!approved_suite(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        ));
        assert!(!approved_suite("TLS_RSA_WITH_AES_128_CBC_SHA256"));
        for s in APPROVED_CIPHER_SUITES {
            assert!(s.contains("AES"), "{s}");
        }
    }

    #[test]
    fn hsts_max_age_is_read_from_its_directive() {
        assert_eq!(
            hsts_max_age("max-age=31536000; includeSubDomains"),
            Some(31536000)
        );
        assert_eq!(hsts_max_age("includeSubDomains; Max-Age=\"60\""), Some(60));
        assert_eq!(hsts_max_age("includeSubDomains"), None);
        assert_eq!(hsts_max_age("max-age=soon"), None);
    }
}
