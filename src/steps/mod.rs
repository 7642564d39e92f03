//! Step definitions. Each file covers one concern and stays thin: it names an interaction, changes the
//! request the way the scenario says, and calls [`crate::checks`] on what came back.
//!
//! The [`Assurance`] world is created per scenario; what is shared by a run (configuration, client,
//! evidence sink) is in [`RunContext`], reached through a task-local set by the runner, so several runs
//! against different targets can happen in one process.

pub mod appointments;
pub mod context;
pub mod cross_cutting;
pub mod foundations;
pub mod request;
pub mod response;
pub mod structured;
pub mod validation;

pub use crate::verdict::{Outcome, Problem, StepResult};
pub use context::{RunContext, CONTEXT};

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::checks::{self, CheckResult};
use crate::http::{Exchange, RequestSpec};

/// The state of one scenario.
#[derive(Debug, cucumber::World)]
#[world(init = Self::from_context)]
pub struct Assurance {
    pub ctx: Arc<RunContext>,
    /// The request being built, if any.
    pub request: Option<RequestSpec>,
    /// Every exchange of this scenario, in order; the last one is "the response".
    pub exchanges: Vec<Exchange>,
    /// Values remembered between steps (e.g. a logical id found earlier).
    pub memory: HashMap<String, String>,
    /// Logical ids of appointments this scenario booked; the runner's `after` hook cancels them
    /// ([`appointments::teardown`]) so a run leaves the target's diary as it found it.
    pub cleanup: Vec<String>,
}

impl Assurance {
    /// A fresh scenario state bound to the run being polled on this task.
    fn from_context() -> anyhow::Result<Self> {
        let ctx = CONTEXT.try_with(Arc::clone).map_err(|_| {
            anyhow::anyhow!("scenarios must run inside gpc_assure::runner (no run context)")
        })?;
        Ok(Assurance {
            ctx,
            request: None,
            exchanges: Vec::new(),
            memory: HashMap::new(),
            cleanup: Vec::new(),
        })
    }

    /// The request under construction, or a clear failure when no step started one.
    pub fn request_mut(&mut self) -> Result<&mut RequestSpec, String> {
        self.request
            .as_mut()
            .ok_or_else(|| "no request is being built: start with a step like 'Given a \"read patient\" request'".to_string())
    }

    /// Send the request under construction and keep the exchange as evidence.
    pub async fn send(&mut self) -> CheckResult {
        let spec = self.request.take().ok_or("there is no request to send")?;
        self.send_aside(spec).await?;
        Ok(())
    }

    /// Send a request, validate the response against the FHIR profiles (findings are attached to the
    /// exchange, shown in the report and enforced when the scenario ends), and keep it as evidence.
    pub async fn send_aside(&mut self, spec: RequestSpec) -> Result<&Exchange, String> {
        let mut exchange = self.ctx.client.send(&spec).await;
        validation::attach_findings(&self.ctx.config, spec.interaction, &mut exchange);
        self.exchanges.push(exchange);
        Ok(self.exchanges.last().expect("just pushed"))
    }

    /// The last exchange; failing clearly when nothing was sent.
    pub fn last(&self) -> Result<&Exchange, String> {
        self.exchanges
            .last()
            .ok_or_else(|| "no request has been sent yet".to_string())
    }

    /// The last exchange, mutable (to attach validation findings).
    pub fn last_mut(&mut self) -> Result<&mut Exchange, String> {
        self.exchanges
            .last_mut()
            .ok_or_else(|| "no request has been sent yet".to_string())
    }

    /// The last response body as FHIR JSON (XML converted).
    pub fn resource(&self) -> Result<Value, String> {
        checks::response::body_as_json(self.last()?)
    }
}
