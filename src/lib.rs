//! gpc-assure: a conformance and assurance harness for NHS England's GP Connect provider APIs (FHIR STU3).
//!
//! Data flows one way: feature -> [`steps`] -> [`http`] client -> target -> evidence -> [`fhir`]
//! validation -> [`report`]. Protocol facts live in [`gpconnect`]; target settings in [`config`]; the
//! embedded reference provider in [`provider`]; how a step, scenario or requirement ended in [`verdict`].

pub mod causes;
pub mod certs;
pub mod checks;
pub mod cli;
pub mod config;
pub mod fhir;
pub mod gpconnect;
pub mod http;
pub mod proof;
pub mod provider;
pub mod redact;
pub mod report;
pub mod runner;
pub mod runtime;
pub mod steps;
pub mod terminal;
pub mod verdict;
