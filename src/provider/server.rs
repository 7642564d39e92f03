//! The provider's HTTP/1.1 server: an accept loop with limits a public endpoint needs.
//!
//! `axum::serve` reads request heads without a deadline, so clients that send half a request line and
//! stall keep their connections (and file descriptors) for ever: a few hundred of them made the provider
//! unresponsive. This loop serves each connection with hyper directly and bounds what a client can hold:
//! - the request head must arrive within [`ServerLimits::header_read_timeout`] (this also closes
//!   keep-alive connections idle for that long);
//! - the request body must arrive within [`ServerLimits::body_read_timeout`] of the head, else 408
//!   (and the connection is closed);
//! - at most [`ServerLimits::max_connections`] connections are served at once; one more is answered
//!   `503` and closed at once, so the ones being served stay responsive.
//!
//! Shutdown stops accepting, lets in-flight requests finish, and after
//! [`ServerLimits::shutdown_grace`] drops whatever is still open (a stalled client, or a hostile
//! behaviour that never answers, cannot hold the process up).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::negotiate;
use super::state::ProviderState;

/// How much a client may hold of the server, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// The whole request head (request line and headers) must arrive within this time; an idle
    /// keep-alive connection is closed after it too.
    pub header_read_timeout: Duration,
    /// The whole request body must arrive within this time of the head; otherwise 408 and the
    /// connection is closed.
    pub body_read_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// On shutdown, how long in-flight requests may take to finish before their connections are dropped.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(15),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// What a connection turned out to be, decided before hyper sees it (see [`serve`]'s `classify`).
pub(crate) enum Route {
    /// Serve it with hyper.
    Http(TcpStream),
    /// Already dealt with (answered or closed).
    Done,
}

/// A hook that may take a connection over before hyper serves it (the chaos catalogue's raw cases).
pub(crate) type Classify =
    Arc<dyn Fn(TcpStream) -> futures::future::BoxFuture<'static, Route> + Send + Sync + 'static>;

/// Serve `app` on `listener` until `shutdown` turns true (or its sender is dropped). With `tls`, each
/// connection must complete a TLS handshake (within [`ServerLimits::header_read_timeout`]) before
/// hyper sees it; one that does not is closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    classify: Option<Classify>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut tasks = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        // Reap finished connection tasks so the set does not grow with every connection served.
        while tasks.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off briefly rather than spin.
                if !is_per_connection_error(&e) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tasks.spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let service = TowerToHyperService::new(app.clone());
        let watcher = graceful.watcher();
        let classify = classify.clone();
        let tls = tls.clone();
        let handshake_within = limits.header_read_timeout;
        tasks.spawn(async move {
            let stream = match classify {
                Some(classify) => match classify(stream).await {
                    Route::Http(stream) => stream,
                    Route::Done => return,
                },
                None => stream,
            };
            match tls {
                Some(acceptor) => {
                    // A failed handshake (no or refused client certificate, plain HTTP, an
                    // unapproved suite) ends the connection: rustls has sent its alert.
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(handshake_within, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await;
    tasks.shutdown().await;
    Ok(())
}

/// Errors of one accepted connection (the peer gave up before accept), not of the listener.
fn is_per_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Over the connection limit: say so in one write and close.
async fn refuse(mut stream: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(BUSY).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// Middleware: read the whole request body within [`ServerLimits::body_read_timeout`] and at most
/// [`negotiate::MAX_BODY_BYTES`] of it, so a client dripping a body cannot hold a handler. The
/// handler then gets the body from memory. 408 when late, 413 when too large (the response finaliser
/// gives both an OperationOutcome); the connection is then closed, since the body was not read to its
/// end.
pub(crate) async fn read_body_in_time(
    State(state): State<Arc<ProviderState>>,
    req: Request,
    next: Next,
) -> Response {
    let within = state.settings.limits.body_read_timeout;
    let (parts, body) = req.into_parts();
    let limited = Limited::new(body, negotiate::MAX_BODY_BYTES);
    match tokio::time::timeout(within, limited.collect()).await {
        Ok(Ok(collected)) => {
            let req = Request::from_parts(parts, Body::from(collected.to_bytes()));
            next.run(req).await
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        // The client went away or sent a broken body: nobody is left to read an answer.
        Ok(Err(_)) => StatusCode::BAD_REQUEST.into_response(),
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}
