//! Command-line subcommands.

pub mod serve;
pub mod run;
pub mod schemas;
pub mod validate;
pub mod prove;
