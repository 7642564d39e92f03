//! Evidence: what was sent and what came back, kept as received.

use serde::Serialize;

/// A request as it went on the wire.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// The decoded JWT claims, for the reader of the report.
    pub jwt_claims: Option<serde_json::Value>,
}

/// A response as it came back.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Body as text (lossy UTF-8 when it is not UTF-8).
    pub body: String,
    /// Set when the body was larger than the configured cap and was cut.
    pub truncated: bool,
}

impl RecordedResponse {
    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// What an exchange was for in its scenario.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The request the scenario is about: its checks judge this response.
    #[default]
    UnderTest,
    /// A request made to prepare it (find a logical id, find a free slot, book what is then amended),
    /// or to learn what the provider holds (an unfiltered record to compare a filtered one with).
    Setup,
    /// A request made after it to see its effect (read back an amended appointment).
    FollowUp,
    /// A request that puts the provider back as it was (cancel what the scenario booked).
    Teardown,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::UnderTest => "under test",
            Role::Setup => "setup",
            Role::FollowUp => "follow-up",
            Role::Teardown => "teardown",
        }
    }
}

/// One request/response pair (or the transport failure that stood in for a response).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Exchange {
    /// The interaction named by the step, if any.
    pub interaction: Option<String>,
    /// What the exchange was for in its scenario.
    pub role: Role,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    /// Transport error (connection refused, timeout, TLS) when there is no response.
    pub error: Option<String>,
    /// Wall-clock time from sending to the end of the body.
    pub elapsed_ms: f64,
    /// Validation findings attached by steps, shown beside the response in the report.
    pub findings: Vec<Finding>,
}

/// A finding about a response (a validation issue), shown under it in the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub severity: String,
    pub location: String,
    pub message: String,
}
