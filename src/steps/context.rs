//! What one run shares between its scenarios.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::config::Config;
use crate::gpconnect::Interaction;
use crate::http::{Client, Exchange, RequestSpec};
use crate::verdict::StopReason;

tokio::task_local! {
    /// The run context of the scenarios being polled on this task.
    pub static CONTEXT: Arc<RunContext>;
}

/// Identifies one scenario (one Examples row) of a run: feature path, line, name.
pub type ScenarioKey = (String, usize, String);

/// A finished scenario's exchanges, and which of them was the response under test.
#[derive(Debug, Default)]
pub struct Evidence {
    pub exchanges: Vec<Exchange>,
    pub under_test: Option<usize>,
}

/// Shared by all scenarios of a run.
#[derive(Debug)]
pub struct RunContext {
    pub config: Config,
    pub client: Client,
    /// Evidence handed over by finished scenarios, collected by the report writer.
    pub evidence: Mutex<HashMap<ScenarioKey, Evidence>>,
    /// Identifiers claimed by a scenario of this run (e.g. a PDS person to register), so concurrent
    /// scenarios never pick the same one.
    pub claimed: Mutex<HashSet<String>>,
    /// Whether (and why) the run has been told to stop: the deadline or Ctrl-C.
    pub stop: Stop,
    /// Scenarios a stop kept from running or cut short, for the collector to report as errors.
    pub cuts: Mutex<HashMap<ScenarioKey, Cut>>,
    /// The formats each service root's CapabilityStatement declares (`format`), keyed by the root's
    /// metadata interaction: read once per run, before any scenario, by the check of the service roots.
    pub formats: Mutex<HashMap<Interaction, Vec<String>>>,
    /// Where the latest booking found its free slots: the next one searches that day alone first, so
    /// a run does not fetch the whole fortnight's diary for every booking.
    pub slot_days: SlotDays,
    /// Resources whose validation found nothing, so that meeting one again costs a hash, not a walk.
    pub clean: crate::fhir::CleanResources,
}

/// For each window of days a booking searches for free slots (keyed by its first day, as an offset
/// from today), the day on which the latest claim found its slots.
#[derive(Debug, Default)]
pub struct SlotDays(Mutex<HashMap<i64, i64>>);

impl SlotDays {
    /// The day (offset from today) on which free slots of the window starting `from` were last
    /// claimed; `from` itself before any claim.
    pub fn get(&self, from: i64) -> i64 {
        let days = self.0.lock().unwrap_or_else(|e| e.into_inner());
        days.get(&from).copied().unwrap_or(from)
    }

    /// Record that free slots of the window starting `from` were claimed on `day`. The hint only
    /// moves forward: the claims of a run consume a diary from its first day onwards.
    pub fn note(&self, from: i64, day: i64) {
        let mut days = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let hint = days.entry(from).or_insert(from);
        *hint = (*hint).max(day);
    }
}

/// How a stop touched one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// It had not started when the run was stopped.
    NotRun(StopReason),
    /// A request of it was refused or abandoned because the run was stopped.
    Stopped(StopReason),
}

impl Cut {
    /// The scenario's message in the reports: "not run: deadline", "stopped: interrupted".
    pub fn message(self) -> String {
        match self {
            Cut::NotRun(r) => format!("not run: {r}"),
            Cut::Stopped(r) => format!("stopped: {r}"),
        }
    }
}

/// How long requests in flight may still take after Ctrl-C, and how long the teardown (cancelling what
/// the scenarios booked) may take after any stop, before they are abandoned.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// The run's stop signal, shared by the runner, the scenarios and whoever watches the deadline and
/// Ctrl-C. Once stopped it stays stopped, with the first reason given.
#[derive(Debug, Clone)]
pub struct Stop {
    state: Arc<watch::Sender<Option<(StopReason, Instant)>>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop::new()
    }
}

impl Stop {
    /// A signal that has not fired.
    pub fn new() -> Stop {
        Stop {
            state: Arc::new(watch::Sender::new(None)),
        }
    }

    /// Stop the run. Returns false when it was already stopped (the first reason is kept).
    pub fn stop(&self, reason: StopReason) -> bool {
        self.state.send_if_modified(|s| {
            if s.is_some() {
                return false;
            }
            *s = Some((reason, Instant::now()));
            true
        })
    }

    /// Why the run was stopped, if it was.
    pub fn reason(&self) -> Option<StopReason> {
        self.state.borrow().map(|(r, _)| r)
    }

    /// Resolves when the run is stopped (at once if it already is): the reason and when.
    async fn fired(&self) -> (StopReason, Instant) {
        let mut rx = self.state.subscribe();
        let fired = rx.wait_for(Option::is_some).await.ok().and_then(|s| *s);
        match fired {
            Some(s) => s,
            // The sender lives as long as `self`: this cannot happen, but never resolve if it did.
            None => std::future::pending().await,
        }
    }

    /// Resolves when the run is stopped, with the reason.
    pub async fn stopped(&self) -> StopReason {
        self.fired().await.0
    }

    /// Resolves when a request in flight must be abandoned, with the text its exchange records: at
    /// once on the deadline (it bounds every request), [`STOP_GRACE`] after Ctrl-C (a request already
    /// on its way may finish, so that a booking made is known and cancelled).
    pub async fn abandon_request(&self) -> String {
        let (reason, at) = self.fired().await;
        if reason == StopReason::Interrupted {
            tokio::time::sleep_until(tokio::time::Instant::from_std(at + STOP_GRACE)).await;
        }
        format!("abandoned: the run was stopped ({reason}) while waiting for the response")
    }

    /// Resolves [`STOP_GRACE`] after the run is stopped: the bound on the teardown.
    pub async fn grace_over(&self) -> String {
        let (reason, at) = self.fired().await;
        tokio::time::sleep_until(tokio::time::Instant::from_std(at + STOP_GRACE)).await;
        format!(
            "abandoned: the run was stopped ({reason}) and the {}s allowed for the teardown ran out",
            STOP_GRACE.as_secs()
        )
    }
}

impl RunContext {
    /// A context that is never stopped.
    pub fn new(config: Config, client: Client) -> Arc<RunContext> {
        RunContext::with_stop(config, client, Stop::new())
    }

    /// A context whose scenarios stop when `stop` fires.
    pub fn with_stop(config: Config, client: Client, stop: Stop) -> Arc<RunContext> {
        Arc::new(RunContext {
            config,
            client,
            evidence: Mutex::default(),
            claimed: Mutex::default(),
            stop,
            cuts: Mutex::default(),
            formats: Mutex::default(),
            slot_days: SlotDays::default(),
            clean: crate::fhir::CleanResources::new(),
        })
    }

    /// Record the formats the CapabilityStatement of `root` (a metadata interaction) declares.
    pub fn set_formats(&self, root: Interaction, formats: Vec<String>) {
        self.formats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(root, formats);
    }

    /// The formats the CapabilityStatement of `root` declares, when it was read.
    pub fn formats_of(&self, root: Interaction) -> Option<Vec<String>> {
        self.formats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&root)
            .cloned()
    }

    /// Whether the provider at `root` offers XML: its CapabilityStatement declares it, or was not read
    /// (the run was stopped first), in which case its XML scenarios are judged as any other.
    pub fn offers_xml(&self, root: Interaction) -> bool {
        self.formats_of(root).is_none_or(|formats| {
            formats
                .iter()
                .any(|f| crate::checks::capability::is_xml_format(f))
        })
    }

    /// Send a scenario's request, unless the run is stopped: then nothing is sent and the exchange
    /// records why. A request in flight when the run stops is abandoned (see [`Stop::abandon_request`]).
    pub async fn send(&self, spec: &RequestSpec) -> Exchange {
        if let Some(reason) = self.stop.reason() {
            let why = format!("not sent: the run was stopped ({reason})");
            return self.client.send_until(spec, std::future::ready(why)).await;
        }
        self.client
            .send_until(spec, self.stop.abandon_request())
            .await
    }

    /// Send a teardown request: it goes out even when the run is stopped (what was booked must be
    /// cancelled), but no later than [`STOP_GRACE`] after the stop.
    pub async fn send_teardown(&self, spec: &RequestSpec) -> Exchange {
        self.client.send_until(spec, self.stop.grace_over()).await
    }

    /// Record how a stop touched a scenario; the first record is kept (a scenario not run is never
    /// also "stopped").
    pub fn mark_cut(&self, key: ScenarioKey, cut: Cut) {
        self.cuts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_insert(cut);
    }

    /// Take how a stop touched a finished scenario, if it did.
    pub fn take_cut(&self, key: &ScenarioKey) -> Option<Cut> {
        self.cuts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
    }

    /// Claim `id` for the calling scenario; false when another scenario has it.
    pub fn claim(&self, id: &str) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string())
    }

    /// Store a finished scenario's evidence.
    pub fn deposit(&self, key: ScenarioKey, evidence: Evidence) {
        self.evidence
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, evidence);
    }

    /// Take a finished scenario's evidence.
    pub fn withdraw(&self, key: &ScenarioKey) -> Evidence {
        self.evidence
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_days_start_at_the_window_and_only_move_forward() {
        let days = SlotDays::default();
        assert_eq!(days.get(1), 1);
        days.note(1, 4);
        assert_eq!(days.get(1), 4);
        days.note(1, 2);
        assert_eq!(
            days.get(1),
            4,
            "a claim on an earlier day does not move the hint back"
        );
        assert_eq!(days.get(-3), -3, "each window keeps its own hint");
    }
}
