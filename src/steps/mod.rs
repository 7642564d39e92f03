//! Step definitions. Each file covers one concern and stays thin: it names an interaction, changes the
//! request the way the scenario says, and calls [`crate::checks`] on what came back.
//!
//! The [`Assurance`] world is created per scenario; what is shared by a run (configuration, client,
//! evidence sink) is in [`RunContext`], reached through a task-local set by the runner, so several runs
//! against different targets can happen in one process.

pub mod appointments;
pub mod context;
pub mod cross_cutting;
pub mod documents;
pub mod foundations;
pub mod html;
pub mod params;
pub mod request;
pub mod response;
pub mod structured;
pub mod transport;
pub mod validation;

pub use crate::verdict::{Outcome, Problem, StepResult};
pub use context::{RunContext, CONTEXT};

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::checks;
use crate::http::{Exchange, RequestSpec, Role};

/// The state of one scenario.
#[derive(Debug, cucumber::World)]
#[world(init = Self::from_context)]
pub struct Assurance {
    pub ctx: Arc<RunContext>,
    /// The request being built, if any.
    pub request: Option<RequestSpec>,
    /// Every exchange of this scenario, in order, each labelled with its [`Role`].
    pub exchanges: Vec<Exchange>,
    /// Index in `exchanges` of the response under test: the one the `Then` steps judge. Set by
    /// [`Assurance::send`]; setup, follow-up and teardown requests never move it.
    pub under_test: Option<usize>,
    /// What earlier steps learnt, typed.
    pub memory: Memory,
    /// Logical ids of appointments this scenario booked; the runner's `after` hook cancels them
    /// ([`appointments::teardown`]) so a run leaves the target's diary as it found it.
    pub cleanup: Vec<String>,
    /// Set when a request of this scenario was not sent or was abandoned because the run was stopped
    /// (deadline, Ctrl-C): its outcome then says so rather than judging a response that never came.
    pub cut: Option<crate::verdict::StopReason>,
}

/// What earlier steps of a scenario learnt, for later steps.
#[derive(Debug, Default)]
pub struct Memory {
    /// Logical ids found for test-data names (`patient2` -> `"7"`).
    pub logical_ids: HashMap<String, String>,
    /// The test-data name of the patient a structured record request was made for.
    pub structured_alias: Option<String>,
    /// The appointment a scenario is working with.
    pub appointments: appointments::AppointmentMemory,
    /// The probe connection a transport-security scenario made.
    pub tls_probe: Option<crate::http::tls_probe::Probe>,
    /// The documents a scenario searched for and asked for.
    pub documents: documents::DocumentMemory,
    /// The care record section (Access Record HTML) a scenario asked for.
    pub html: html::HtmlMemory,
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
            under_test: None,
            memory: Memory::default(),
            cleanup: Vec::new(),
            cut: None,
        })
    }

    /// The request under construction, or a clear error when no step started one (a scenario written
    /// wrongly, not the provider's fault).
    pub fn request_mut(&mut self) -> Result<&mut RequestSpec, Problem> {
        self.request.as_mut().ok_or_else(|| {
            Problem::error("no request is being built: start with a step like 'Given a \"read patient\" request'")
        })
    }

    /// Send the request under construction: its response becomes the response under test.
    pub async fn send(&mut self) -> StepResult {
        let spec = self
            .request
            .take()
            .ok_or_else(|| Problem::error("there is no request to send"))?;
        self.send_as(spec, Role::UnderTest).await;
        self.under_test = Some(self.exchanges.len() - 1);
        Ok(())
    }

    /// Send a setup request (to prepare the scenario or learn what the provider holds). Its response
    /// is validated and kept as evidence, but is not the response under test.
    pub async fn send_aside(&mut self, spec: RequestSpec) -> &Exchange {
        self.send_as(spec, Role::Setup).await;
        self.exchanges.last().expect("just pushed")
    }

    /// Send a follow-up request (to see the effect of the request under test).
    pub async fn send_follow_up(&mut self, spec: RequestSpec) -> &Exchange {
        self.send_as(spec, Role::FollowUp).await;
        self.exchanges.last().expect("just pushed")
    }

    /// Send a request, validate the response against the FHIR profiles (findings are attached to the
    /// exchange, shown in the report and enforced when the scenario ends), and keep it as evidence.
    async fn send_as(&mut self, spec: RequestSpec, role: Role) {
        let mut exchange = self.ctx.send(&spec).await;
        self.note_cut(&exchange);
        exchange.role = role;
        validation::attach_findings(
            &self.ctx.config,
            spec.interaction,
            &mut exchange,
            &self.ctx.clean,
        );
        self.exchanges.push(exchange);
    }

    /// Keep an exchange made outside [`Assurance::send`] (e.g. two requests sent at the same instant)
    /// as the response under test.
    pub fn keep_under_test(&mut self, mut exchange: Exchange) {
        self.note_cut(&exchange);
        exchange.role = Role::UnderTest;
        self.exchanges.push(exchange);
        self.under_test = Some(self.exchanges.len() - 1);
    }

    /// An exchange without a response while the run is stopped was refused or abandoned by the stop.
    fn note_cut(&mut self, exchange: &Exchange) {
        if exchange.response.is_none() {
            if let Some(reason) = self.ctx.stop.reason() {
                self.cut.get_or_insert(reason);
            }
        }
    }

    /// The response under test. A transport failure (no response at all) is an error of the run, not
    /// a broken rule: the provider could not be judged.
    pub fn response(&self) -> Result<&Exchange, Problem> {
        let exchange = self
            .under_test
            .and_then(|i| self.exchanges.get(i))
            .ok_or_else(|| Problem::error("no request has been sent yet"))?;
        match (&exchange.response, &exchange.error) {
            (None, Some(e)) => Err(Problem::error(format!(
                "the request got no response ({e}), so the rule could not be tested"
            ))),
            _ => Ok(exchange),
        }
    }

    /// The response under test, mutable (to attach findings).
    pub fn response_mut(&mut self) -> Result<&mut Exchange, Problem> {
        self.response()?;
        let i = self.under_test.expect("checked by response()");
        Ok(&mut self.exchanges[i])
    }

    /// The response under test's body as FHIR JSON (XML converted).
    pub fn resource(&self) -> Result<std::sync::Arc<Value>, Problem> {
        Ok(checks::response::body_as_json(self.response()?)?)
    }
}
