//! Command-line subcommands.

pub mod certs;
pub mod diff;
pub mod prove;
pub mod run;
#[cfg(feature = "generator")]
pub mod schemas;
pub mod serve;
pub mod validate;
