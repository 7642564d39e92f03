//! Steps of the transport-security feature (`features/cross-cutting/tls.feature`): probe connections
//! to the provider's TLS endpoint ([`crate::http::tls_probe`]) with the client certificate, cipher
//! suites or protocol version a scenario names, judged by [`crate::checks::transport`].
//!
//! The probes go to the provider's Foundations service root directly, never through the Spine Secure
//! Proxy (`target.ssp_url`): through it, the handshake would be the proxy's. The valid client
//! certificate is the configured one (`tls.client_cert`, `tls.client_key`); the certificates a provider
//! must refuse come from `tls.test_certs_dir`, except the one from another authority, which is made
//! on the spot when that directory has none.

use std::path::PathBuf;
use std::time::Duration;

use cucumber::{then, when};

use super::Assurance;
use crate::certs::{ClientCert, Kit};
use crate::checks::transport as check;
use crate::gpconnect::interactions::Capability;
use crate::gpconnect::transport::ProtocolVersion;
use crate::gpconnect::Interaction;
use crate::http::tls_probe::{self, Identity, Offer, Outcome, Probe, ProbeRequest};
use crate::http::RequestSpec;
use crate::steps::params::{ClientCertName, ProtocolName};
use crate::verdict::{Problem, StepResult};

impl Assurance {
    /// A probe of the provider's CapabilityStatement over TLS, as this scenario's request: not yet
    /// given its identity.
    fn probe_request(&self) -> Result<ProbeRequest, Problem> {
        let config = &self.ctx.config;
        let root = config.service_root(Capability::Foundations);
        if !root.starts_with("https://") {
            return Err(Problem::inconclusive(format!(
                "the Foundations service root {} is not https, so there is no TLS to test; give the \
                 provider's https:// service root (target.foundations_url)",
                crate::redact::userinfo(&root)
            )));
        }
        let mut spec = RequestSpec::new(config, Interaction::Metadata, None);
        // Straight to the provider, even when requests otherwise go through the SSP.
        spec.base = root;
        let mut headers = spec.headers.clone();
        if let Some(a) = spec.authorization() {
            headers.push((crate::gpconnect::headers::AUTHORIZATION.to_string(), a));
        }
        let ca_pem = match &config.tls.ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                Problem::error(format!("cannot read tls.ca_file {}: {e}", path.display()))
            })?),
            None => None,
        };
        Ok(ProbeRequest {
            url: spec.url(),
            headers,
            ca_pem,
            identity: Identity::None,
            offer: Offer::Default,
            only: None,
            timeout: Duration::from_secs(config.http.timeout_seconds),
        })
    }

    /// The certificate and key files of `which`, or why the scenario cannot present it.
    fn client_files(&self, which: ClientCert) -> Result<Option<(PathBuf, PathBuf)>, Problem> {
        let tls = &self.ctx.config.tls;
        if which == ClientCert::Valid {
            return match (&tls.client_cert, &tls.client_key) {
                (Some(c), Some(k)) => Ok(Some((c.clone(), k.clone()))),
                _ => Err(Problem::inconclusive(
                    "no client certificate is configured: set tls.client_cert and tls.client_key to \
                     the certificate the provider trusts (as the SSP's)",
                )),
            };
        }
        let Some(dir) = &tls.test_certs_dir else {
            if which == ClientCert::Untrusted {
                return Ok(None);
            }
            return Err(Problem::inconclusive(format!(
                "no test certificates are configured: set tls.test_certs_dir to a directory holding \
                 {0}.pem and {0}.key, a client certificate {1} (`gpc-assure certs DIR` writes a set; \
                 the provider must trust its ca.pem)",
                which.stem(),
                which.phrase()
            )));
        };
        let cert = dir.join(format!("{}.pem", which.stem()));
        let key = dir.join(format!("{}.key", which.stem()));
        if cert.is_file() && key.is_file() {
            return Ok(Some((cert, key)));
        }
        if which == ClientCert::Untrusted {
            return Ok(None);
        }
        Err(Problem::inconclusive(format!(
            "tls.test_certs_dir {} holds no {}.pem and {}.key: put there a client certificate {} \
             issued by the CA the provider trusts",
            dir.display(),
            which.stem(),
            which.stem(),
            which.phrase()
        )))
    }

    /// The identity presenting `which`.
    fn identity(&self, which: ClientCert) -> Result<Identity, Problem> {
        match self.client_files(which)? {
            Some((cert, key)) => {
                let read = |p: &PathBuf| {
                    std::fs::read(p)
                        .map_err(|e| Problem::error(format!("cannot read {}: {e}", p.display())))
                };
                Ok(Identity::Pem {
                    cert: read(&cert)?,
                    key: read(&key)?,
                    label: format!(
                        "the {} client certificate ({})",
                        which.phrase(),
                        cert.display()
                    ),
                })
            }
            None => {
                // A CA made here and now: no provider trusts it.
                let kit = Kit::generate().map_err(|e| Problem::error(e.to_string()))?;
                let pem = kit.client(ClientCert::Untrusted);
                Ok(Identity::Pem {
                    cert: pem.cert.clone().into_bytes(),
                    key: pem.key.clone().into_bytes(),
                    label: "a client certificate from another authority (made for this scenario)"
                        .into(),
                })
            }
        }
    }

    /// Make the probe (plain HTTP when `plain`), keep it as the response under test.
    async fn make_probe(&mut self, request: ProbeRequest, plain: bool) -> StepResult {
        if let Some(reason) = self.ctx.stop.reason() {
            self.cut.get_or_insert(reason);
            return Err(Problem::error(format!(
                "not sent: the run was stopped ({reason})"
            )));
        }
        let probe = if plain {
            tls_probe::plain_http(&request).await
        } else {
            tls_probe::probe(&request).await
        };
        self.keep_under_test(probe.exchange());
        self.memory.tls_probe = Some(probe);
        Ok(())
    }

    /// The probe this scenario made; a provider that could not be reached is an error of the run.
    fn probe(&self) -> Result<&Probe, Problem> {
        let probe = self
            .memory
            .tls_probe
            .as_ref()
            .ok_or_else(|| Problem::error("no connection has been made yet"))?;
        if let Outcome::Unreachable(why) = &probe.outcome {
            return Err(Problem::error(format!(
                "the provider could not be reached, so the rule could not be tested: {why}"
            )));
        }
        Ok(probe)
    }
}

#[when(expr = "the provider is reached over TLS with the {certificate} client certificate")]
async fn with_certificate(w: &mut Assurance, which: ClientCertName) -> StepResult {
    let mut request = w.probe_request()?;
    request.identity = w.identity(which.0)?;
    w.make_probe(request, false).await
}

#[when("the provider is reached over TLS without a client certificate")]
async fn without_certificate(w: &mut Assurance) -> StepResult {
    let request = w.probe_request()?;
    w.make_probe(request, false).await
}

#[when("the provider is reached over TLS offering only cipher suites outside the approved list")]
async fn unapproved_suites(w: &mut Assurance) -> StepResult {
    let mut request = w.probe_request()?;
    request.identity = w.identity(ClientCert::Valid)?;
    request.offer = Offer::OnlyUnapproved;
    w.make_probe(request, false).await
}

#[when(expr = "the provider is reached offering {protocol} alone")]
async fn one_protocol(w: &mut Assurance, version: ProtocolName) -> StepResult {
    let mut request = w.probe_request()?;
    if !tls_probe::can_offer(version.0) {
        return Err(Problem::inconclusive(format!(
            "not testable with this client: the TLS library of gpc-assure (rustls) cannot offer {}, \
             so whether the provider refuses it cannot be seen; check it with a client that can \
             (for example openssl s_client{})",
            version.0.name(),
            match version.0 {
                ProtocolVersion::Tls10 => " -tls1",
                ProtocolVersion::Tls11 => " -tls1_1",
                ProtocolVersion::Ssl3 => " -ssl3",
                _ => "",
            }
        )));
    }
    request.identity = w.identity(ClientCert::Valid)?;
    request.only = Some(version.0);
    w.make_probe(request, false).await
}

#[when("the provider is reached over plain HTTP on its TLS port")]
async fn plain_http(w: &mut Assurance) -> StepResult {
    let request = w.probe_request()?;
    w.make_probe(request, true).await
}

#[then("the provider refuses the connection")]
async fn refuses(w: &mut Assurance) -> StepResult {
    let probe = w.probe()?;
    Ok(check::refused(probe, &probe.presented)?)
}

#[then("the provider accepts the connection")]
async fn accepts(w: &mut Assurance) -> StepResult {
    let probe = w.probe()?;
    Ok(check::accepted(probe, &probe.presented)?)
}

#[then("the connection uses TLS 1.2 or later with an approved cipher suite")]
async fn approved(w: &mut Assurance) -> StepResult {
    Ok(check::negotiated_approved(w.probe()?)?)
}

#[then("the provider's certificate is trusted for its host name")]
async fn server_certificate(w: &mut Assurance) -> StepResult {
    if w.ctx.config.tls.ca_file.is_none() {
        return Err(Problem::inconclusive(
            "no CA is configured to judge the provider's certificate by: set tls.ca_file to the \
             CA certificates that issued it",
        ));
    }
    Ok(check::server_certificate_trusted(w.probe()?)?)
}

#[then("the answer carries Strict-Transport-Security")]
async fn hsts(w: &mut Assurance) -> StepResult {
    match &w.probe()?.outcome {
        Outcome::Answered(r) => Ok(check::strict_transport_security(r)?),
        Outcome::Refused(why) => Err(Problem::inconclusive(format!(
            "the provider refused the connection, so its headers could not be seen: {why}"
        ))),
        Outcome::Unreachable(why) => Err(Problem::error(why.clone())),
    }
}

#[then("the plain HTTP request is refused or redirected to https")]
async fn plain_refused(w: &mut Assurance) -> StepResult {
    Ok(check::plain_http_refused(w.probe()?)?)
}
