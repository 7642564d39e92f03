//! Transport security: what a probe connection ([`crate::http::tls_probe`]) found. See
//! [`crate::gpconnect::transport`] for the rules.

use super::{ensure, CheckResult};
use crate::gpconnect::transport::{
    approved_suite, hsts_max_age, CERTIFICATE_REFUSAL_STATUSES, STRICT_TRANSPORT_SECURITY,
};
use crate::http::tls_probe::{Outcome, Probe, ServerCert};
use crate::http::RecordedResponse;

/// The provider refused the probe: the handshake failed, the connection ended without an HTTP answer,
/// or it answered 495 or 496 (the statuses a TLS-terminating server uses for a refused client
/// certificate). Any other answer is a failure: the provider served a connection it had to refuse.
pub fn refused(probe: &Probe, what: &str) -> CheckResult {
    match &probe.outcome {
        Outcome::Refused(_) => Ok(()),
        Outcome::Answered(r) if CERTIFICATE_REFUSAL_STATUSES.contains(&r.status) => Ok(()),
        Outcome::Answered(r) => Err(format!(
            "the provider accepted a connection {what}, and answered HTTP {}; it must refuse the \
             handshake (or close the connection, or answer 495/496)",
            r.status
        )),
        Outcome::Unreachable(why) => Err(format!(
            "the provider could not be reached, so the refusal could not be seen: {why}"
        )),
    }
}

/// The provider accepted the probe and answered 200.
pub fn accepted(probe: &Probe, what: &str) -> CheckResult {
    match &probe.outcome {
        Outcome::Answered(r) if r.status == 200 => Ok(()),
        Outcome::Answered(r) => Err(format!(
            "the provider answered HTTP {} to a connection {what}; it must serve it (200)",
            r.status
        )),
        Outcome::Refused(why) => Err(format!("the provider refused a connection {what}: {why}")),
        Outcome::Unreachable(why) => Err(format!("the provider could not be reached: {why}")),
    }
}

/// The handshake settled on TLS 1.2 or later and an approved cipher suite.
pub fn negotiated_approved(probe: &Probe) -> CheckResult {
    let session = probe
        .session
        .as_ref()
        .ok_or("no TLS session was established with the valid client certificate")?;
    let version_ok = session.version.is_some_and(|v| v.allowed());
    ensure(version_ok, || {
        format!(
            "the connection uses {}; GP Connect requires TLS 1.2 (TLS 1.0, 1.1, SSLv2 and SSLv3 \
             are forbidden)",
            session.describe()
        )
    })?;
    ensure(approved_suite(&session.suite), || {
        format!(
            "the provider chose the cipher suite {}, which is not one of the approved suites \
             (AESGCM+EECDH, AESGCM+EDH, AES256+EECDH, AES256+EDH)",
            session.suite
        )
    })
}

/// The server's certificate chains to the configured CA, is in date and names the host.
pub fn server_certificate_trusted(probe: &Probe) -> CheckResult {
    match &probe.server_cert {
        ServerCert::Trusted => Ok(()),
        ServerCert::Untrusted(why) => Err(format!(
            "the provider's certificate is not valid for this connection: {why}"
        )),
        ServerCert::NotJudged(why) => {
            Err(format!("the provider's certificate was not judged: {why}"))
        }
    }
}

/// The response carries `Strict-Transport-Security` with a positive `max-age`.
pub fn strict_transport_security(response: &RecordedResponse) -> CheckResult {
    let value = response.header(STRICT_TRANSPORT_SECURITY).ok_or(
        "the response has no Strict-Transport-Security header; HTTP Strict Transport Security \
         (RFC 6797) must be employed",
    )?;
    match hsts_max_age(value) {
        Some(age) if age > 0 => Ok(()),
        Some(_) => Err(format!(
            "Strict-Transport-Security is {value:?}: max-age=0 switches HSTS off"
        )),
        None => Err(format!(
            "Strict-Transport-Security is {value:?}, which has no max-age directive"
        )),
    }
}

/// A plain HTTP request to the TLS port was refused (connection closed, bytes that are not HTTP),
/// or redirected to `https` with Strict-Transport-Security; it was never served.
pub fn plain_http_refused(probe: &Probe) -> CheckResult {
    match &probe.outcome {
        Outcome::Refused(_) => Ok(()),
        Outcome::Answered(r) if (300..400).contains(&r.status) => {
            let location = r.header("location").unwrap_or_default();
            ensure(location.starts_with("https://"), || {
                format!(
                    "plain HTTP was redirected (HTTP {}) to {location:?}, which is not https",
                    r.status
                )
            })?;
            strict_transport_security(r)
                .map_err(|e| format!("plain HTTP was redirected to https, but {e}"))
        }
        Outcome::Answered(r) => Err(format!(
            "the provider answered a plain HTTP request with HTTP {}; it must only accept \
             encrypted connections (close it, or redirect to https with Strict-Transport-Security)",
            r.status
        )),
        Outcome::Unreachable(why) => Err(format!("the provider could not be reached: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpconnect::transport::ProtocolVersion;
    use crate::http::evidence::RecordedRequest;
    use crate::http::tls_probe::Session;

    fn probe(outcome: Outcome) -> Probe {
        Probe {
            request: RecordedRequest {
                method: "GET".into(),
                url: "https://127.0.0.1:1/metadata".into(),
                headers: vec![],
                body: None,
                body_info: None,
                jwt_claims: None,
            },
            session: Some(Session {
                version: Some(ProtocolVersion::Tls13),
                version_name: "TLSv1_3".into(),
                suite: "TLS_AES_128_GCM_SHA256".into(),
            }),
            server_cert: ServerCert::Trusted,
            outcome,
            elapsed_ms: 1.0,
            presented: "test".into(),
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)]) -> Outcome {
        Outcome::Answered(RecordedResponse::new(
            status,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            b"{}".to_vec(),
            None,
        ))
    }

    #[test]
    fn a_served_connection_is_not_a_refusal() {
        let what = "presenting no client certificate";
        assert_fails!(refused(&probe(answer(200, &[])), what), "answered HTTP 200");
        assert_fails!(
            refused(&probe(Outcome::Unreachable("nothing listens".into())), what),
            "could not be reached"
        );
        assert!(refused(&probe(Outcome::Refused("alert".into())), what).is_ok());
        assert!(refused(&probe(answer(496, &[])), what).is_ok());
    }

    #[test]
    fn a_refused_valid_certificate_fails() {
        let what = "presenting the valid client certificate";
        assert_fails!(
            accepted(&probe(Outcome::Refused("bad certificate".into())), what),
            "refused a connection presenting the valid client certificate"
        );
        assert_fails!(
            accepted(&probe(answer(403, &[])), what),
            "answered HTTP 403"
        );
        assert!(accepted(&probe(answer(200, &[])), what).is_ok());
    }

    #[test]
    fn old_protocols_and_unapproved_suites_fail() {
        let mut p = probe(answer(200, &[]));
        assert!(negotiated_approved(&p).is_ok());
        p.session = Some(Session {
            version: Some(ProtocolVersion::Tls12),
            version_name: "TLSv1_2".into(),
            suite: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        });
        assert_fails!(negotiated_approved(&p), "not one of the approved suites");
        p.session = Some(Session {
            version: Some(ProtocolVersion::Tls11),
            version_name: "TLSv1_1".into(),
            suite: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA".into(),
        });
        assert_fails!(negotiated_approved(&p), "uses TLS 1.1");
    }

    #[test]
    fn an_untrusted_server_certificate_fails() {
        let mut p = probe(answer(200, &[]));
        assert!(server_certificate_trusted(&p).is_ok());
        p.server_cert =
            ServerCert::Untrusted("certificate not valid for name \"localhost\"".into());
        assert_fails!(server_certificate_trusted(&p), "not valid for name");
    }

    #[test]
    fn hsts_must_be_there_with_a_max_age() {
        let r = |v: &str| {
            RecordedResponse::new(
                200,
                vec![(STRICT_TRANSPORT_SECURITY.into(), v.into())],
                vec![],
                None,
            )
        };
        assert!(strict_transport_security(&r("max-age=31536000")).is_ok());
        assert_fails!(
            strict_transport_security(&r("max-age=0")),
            "switches HSTS off"
        );
        assert_fails!(
            strict_transport_security(&r("includeSubDomains")),
            "no max-age"
        );
        let none = RecordedResponse::new(200, vec![], vec![], None);
        assert_fails!(
            strict_transport_security(&none),
            "no Strict-Transport-Security header"
        );
    }

    #[test]
    fn plain_http_served_or_redirected_badly_fails() {
        assert_fails!(
            plain_http_refused(&probe(answer(200, &[]))),
            "answered a plain HTTP request with HTTP 200"
        );
        assert_fails!(
            plain_http_refused(&probe(answer(301, &[("Location", "http://elsewhere/")]))),
            "which is not https"
        );
        assert_fails!(
            plain_http_refused(&probe(answer(301, &[("Location", "https://p/")]))),
            "no Strict-Transport-Security"
        );
        assert!(plain_http_refused(&probe(answer(
            301,
            &[
                ("Location", "https://p/"),
                (STRICT_TRANSPORT_SECURITY, "max-age=60")
            ]
        )))
        .is_ok());
        assert!(plain_http_refused(&probe(Outcome::Refused("closed".into()))).is_ok());
    }
}
