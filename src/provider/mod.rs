//! The embedded reference provider: a GP Connect 1.2.x provider (axum) that is the harness's default
//! target, and that can be started with deliberate [`Fault`]s to prove the harness notices them.
//!
//! Layout: [`guard`] (SSP headers, JWT, interaction id), [`negotiate`] (formats), [`respond`] (rendering,
//! error bodies, response faults), [`outcome`] (OperationOutcome), [`state`] + [`seed`] + [`pds`] (data),
//! and one module per capability: [`foundations`] and [`appointments`] on the Foundations service root,
//! [`structured`] and [`documents`] on their own roots (see [`router`]).

pub mod appointments;
pub mod chaos;
pub mod departures;
pub mod documents;
pub mod faults;
pub mod foundations;
pub mod guard;
pub mod html;
pub mod negotiate;
pub mod outcome;
pub mod pds;
mod query;
pub mod respond;
pub mod seed;
pub mod server;
pub mod state;
pub mod structured;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;

pub use chaos::Chaos;
pub use departures::Departure;
pub use faults::Fault;
pub use server::ServerLimits;
pub use state::ProviderState;
pub use tls::CertSource;

use crate::config::{Config, DataAliases, TargetConfig};

/// FHIR version segment of every service root.
pub const FHIR_VERSION_SEGMENT: &str = "STU3";
/// GP Connect major version segment.
pub const MAJOR_VERSION_SEGMENT: &str = "1";
/// Routing segment of the Foundations+Appointments root.
pub const ROUTING_SEGMENT: &str = "gpconnect";
/// Sub-root of Access Record Structured (relative to the Foundations root).
pub const STRUCTURED_SEGMENT: &str = "structured";
/// Sub-root of Access Document (relative to the Foundations root).
pub const DOCUMENTS_SEGMENT: &str = "documents";

/// How to run the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// ODS code of the practice; the first segment of every service root.
    pub ods_code: String,
    /// The provider's ASID; requests must carry it in `Ssp-To`.
    pub asid: String,
    /// Rules to break on purpose.
    pub faults: Vec<Fault>,
    /// Hostile behaviours to play (see [`chaos`]).
    pub chaos: Vec<Chaos>,
    /// Timeouts and the connection limit of the server.
    pub limits: ServerLimits,
    /// The Access Record Structured version played on the structured root (e.g. "1.2.7", "1.6.2").
    pub structured_version: String,
    /// SHOULDs and MAYs not to follow (JSON only, `iat` validated...): unlike faults, they leave the
    /// provider conformant, and the scenarios of their rules end as warnings.
    pub departures: Vec<Departure>,
    /// Serve over TLS with mutual authentication (certificates from this source), instead of plain HTTP.
    pub tls: Option<CertSource>,
    /// The practice's Access Document switch: when off, the direct-care documents interactions answer
    /// ACCESS DENIED (Migrate a document ignores it).
    pub documents_enabled: bool,
    /// The Access Record HTML version played on the DSTU2 root (0.7.x layout).
    pub html_version: String,
}

impl Default for ProviderSettings {
    /// The target values of [`Config::default`].
    fn default() -> Self {
        let target = TargetConfig::default();
        ProviderSettings {
            ods_code: target.provider_ods_code,
            asid: target.provider_asid,
            faults: Vec::new(),
            chaos: Vec::new(),
            limits: ServerLimits::default(),
            structured_version: target.structured_version,
            departures: Vec::new(),
            tls: None,
            documents_enabled: true,
            html_version: target.html_version,
        }
    }
}

impl ProviderSettings {
    /// Whether `departure` is on.
    pub fn departs(&self, departure: Departure) -> bool {
        self.departures.contains(&departure)
    }

    /// The formats the CapabilityStatements declare: JSON, and XML unless [`Departure::JsonOnly`].
    pub fn formats(&self) -> Vec<&'static str> {
        use crate::gpconnect::systems::mime;
        if self.departs(Departure::JsonOnly) {
            vec![mime::FHIR_JSON]
        } else {
            vec![mime::FHIR_JSON, mime::FHIR_XML]
        }
    }

    /// Path of the Foundations+Appointments service root, e.g. `/B82617/STU3/1/gpconnect`.
    pub fn foundations_path(&self) -> String {
        format!(
            "/{}/{FHIR_VERSION_SEGMENT}/{MAJOR_VERSION_SEGMENT}/{ROUTING_SEGMENT}",
            self.ods_code
        )
    }
}

/// A provider listening on a socket.
#[derive(Debug)]
pub struct RunningProvider {
    pub addr: SocketAddr,
    /// e.g. `http://127.0.0.1:PORT/B82617/STU3/1/gpconnect` (`https://` over TLS).
    pub foundations_url: String,
    pub state: Arc<ProviderState>,
    /// Over TLS: the certificate kit it serves from (the CA, its own certificate, the clients').
    pub kit: Option<tls::KitDir>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningProvider {
    /// A configuration that targets this provider with the default test-data aliases.
    pub fn config(&self) -> Config {
        let settings = &self.state.settings;
        let mut config = Config::default();
        config.target.foundations_url = self.foundations_url.clone();
        config.target.provider_asid = settings.asid.clone();
        config.target.provider_ods_code = settings.ods_code.clone();
        config.target.structured_version = settings.structured_version.clone();
        config.target.html_version = settings.html_version.clone();
        config.target.html_url = Some(self.html_url());
        let mut data = DataAliases::default();
        data.organizations.insert(
            crate::config::PRACTICE_ALIAS.into(),
            settings.ods_code.clone(),
        );
        config.data = data;
        if let Some(kit) = &self.kit {
            let (cert, key) = kit.client(crate::certs::ClientCert::Valid);
            config.tls.ca_file = Some(kit.ca());
            config.tls.client_cert = Some(cert);
            config.tls.client_key = Some(key);
            config.tls.test_certs_dir = Some(kit.path.clone());
        }
        config
    }

    /// The DSTU2 service root of Access Record HTML, e.g. `http://127.0.0.1:PORT/B82617/DSTU2/0/gpconnect`.
    pub fn html_url(&self) -> String {
        let scheme = if self.kit.is_some() { "https" } else { "http" };
        format!(
            "{scheme}://{}{}",
            self.addr,
            html::root_path(&self.state.settings.ods_code)
        )
    }

    /// Stop accepting connections, let in-flight requests finish (for at most
    /// [`ServerLimits::shutdown_grace`]), and wait for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// As [`start`], on the pool apart from the caller's thread ([`crate::runtime`]): the provider a run
/// starts for itself answers on other cores while the run's thread checks what it said.
pub async fn start_apart(
    settings: ProviderSettings,
    addr: SocketAddr,
) -> std::io::Result<RunningProvider> {
    crate::runtime::spawn_apart(start(settings, addr))
        .await
        .map_err(std::io::Error::other)?
}

/// Bind `addr` (port 0 picks a free port) and serve in a background task, within the settings'
/// [`ServerLimits`]. Under [`Chaos::Redirect`] a second listener (the redirect target) is bound on
/// 127.0.0.2 when the system allows, else on the same address; it stops with the provider.
pub async fn start(
    settings: ProviderSettings,
    addr: SocketAddr,
) -> std::io::Result<RunningProvider> {
    let (kit, acceptor) = match &settings.tls {
        Some(source) => {
            let kit = tls::KitDir::prepare(source).map_err(std::io::Error::other)?;
            let config = tls::server_config(&kit.path, &faults::FaultSet::new(&settings.faults))
                .map_err(std::io::Error::other)?;
            (Some(kit), Some(tokio_rustls::TlsAcceptor::from(config)))
        }
        None => (None, None),
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let scheme = if kit.is_some() { "https" } else { "http" };
    let foundations_url = format!("{scheme}://{addr}{}", settings.foundations_path());
    let limits = settings.limits;
    let state = Arc::new(ProviderState::new(settings));
    let redirect_target = if state.chaos.has(Chaos::Redirect) {
        let other_host = SocketAddr::from(([127, 0, 0, 2], 0));
        let listener = match tokio::net::TcpListener::bind(other_host).await {
            Ok(l) => l,
            Err(_) => tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?,
        };
        state
            .chaos
            .set_redirect_target(format!("http://{}", listener.local_addr()?));
        Some(listener)
    } else {
        None
    };
    let app = router(state.clone());
    let classify = chaos::raw_classifier(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let (stop_tx, stop_rx) = watch::channel(false);
        let stop = async move {
            // A dropped sender (the RunningProvider dropped) stops the server too.
            let _ = rx.await;
            let _ = stop_tx.send(true);
        };
        let main = server::serve(listener, app, limits, classify, acceptor, stop_rx.clone());
        let side = async move {
            match redirect_target {
                Some(l) => {
                    let app = chaos::redirect_target_router();
                    server::serve(l, app, limits, None, None, stop_rx).await
                }
                None => Ok(()),
            }
        };
        let ((), main, side) = tokio::join!(stop, main, side);
        main.and(side)
    });
    Ok(RunningProvider {
        addr,
        foundations_url,
        state,
        kit,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// The whole HTTP application for `state`.
pub fn router(state: Arc<ProviderState>) -> Router {
    let root = state.settings.foundations_path();
    // Appointments share the Foundations root; Structured and Access Document nest under
    // `/{STRUCTURED_SEGMENT}` and `/{DOCUMENTS_SEGMENT}`.
    let capabilities = foundations::routes(&state)
        .merge(appointments::routes(&state))
        .nest(
            &format!("/{STRUCTURED_SEGMENT}"),
            structured::routes(&state),
        )
        .nest(&format!("/{DOCUMENTS_SEGMENT}"), documents::routes(&state));
    let app = Router::new()
        .nest(&root, capabilities)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(negotiate::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            server::read_body_in_time,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            respond::finalise,
        ))
        .with_state(state.clone())
        // Access Record HTML (DSTU2) has its own root, negotiation and error bodies.
        .merge(html::router(state.clone()));
    let app = if state.faults.has(Fault::NoGzip) {
        app
    } else {
        app.layer(CompressionLayer::new())
    };
    let app = if state.settings.tls.is_some() && !state.faults.has(Fault::NoHsts) {
        app.layer(axum::middleware::map_response(tls::add_hsts))
    } else {
        app
    };
    if state.chaos.is_empty() {
        app
    } else {
        app.layer(axum::middleware::from_fn_with_state(state, chaos::play))
    }
}

/// Unknown paths (including wrongly-cased ones: URLs are case sensitive) get an OperationOutcome.
async fn not_found(uri: axum::http::Uri) -> outcome::ApiError {
    outcome::ApiError::new(
        crate::gpconnect::ErrorCode::NoRecordFound,
        format!("there is no resource or operation at {}", uri.path()),
    )
}

#[cfg(test)]
mod tests;
