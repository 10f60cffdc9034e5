//! spitzel: CloudTrail forensics from the command line.
//!
//! The root package is spitzel-filter's application: its arguments checked
//! once (`settings`), then the pipeline (`app`) or the SQL statement
//! (`emit_sql`). The libraries are under crates/: spitzel-core (no I/O, no
//! AWS), spitzel-input (reading inputs), spitzel-pipeline (the filter over
//! them), spitzel-sigma, spitzel-sql, spitzel-cli (clap definitions) and
//! spitzel-aws (spitzel-fetch).

mod app;
mod emit_sql;
mod settings;

pub use app::{Exit, run};
