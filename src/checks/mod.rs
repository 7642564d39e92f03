//! The checks a scenario makes on what a provider returned. Each is a plain function over an
//! [`Exchange`](crate::http::Exchange) or a parsed resource, returning a message a supplier's developer
//! can act on; each has a unit test in which it catches a broken response.

pub mod appointment;
pub mod bundle;
pub mod capability;
pub mod headers;
pub mod location;
pub mod negotiation;
pub mod organisation;
pub mod outcome;
pub mod patient;
pub mod practitioner;
pub mod protocol;
pub mod register;
pub mod resource;
pub mod response;
pub mod slot;
pub mod structured;

/// A check passes, or fails with a message.
pub type CheckResult = Result<(), String>;

/// Fail with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> CheckResult {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::http::{Exchange, RecordedRequest, RecordedResponse};

    /// An exchange whose response has this status, headers and body.
    pub fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            interaction: None,
            role: crate::http::Role::UnderTest,
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://p/metadata".into(),
                headers: vec![],
                body: None,
                jwt_claims: None,
            },
            response: Some(RecordedResponse {
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: body.into(),
                truncated: false,
            }),
            error: None,
            elapsed_ms: 1.0,
            findings: vec![],
        }
    }
}
