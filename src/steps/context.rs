//! What one run shares between its scenarios.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::http::{Client, Exchange};

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
}

impl RunContext {
    pub fn new(config: Config, client: Client) -> Arc<RunContext> {
        Arc::new(RunContext {
            config,
            client,
            evidence: Mutex::default(),
            claimed: Mutex::default(),
        })
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
