//! Command-line subcommands.

pub mod prove;
pub mod run;
pub mod schemas;
pub mod serve;
pub mod validate;
