//! The HTTP client that speaks to a provider as a consumer behind the Spine Secure Proxy would, and the
//! evidence (request/response pairs) it captures for the report.

pub mod client;
pub mod evidence;
pub mod request;
pub mod tls_probe;

pub use client::{Client, TransportError};
pub use evidence::{Exchange, RecordedRequest, RecordedResponse, Role};
pub use request::{Body, RequestSpec};
