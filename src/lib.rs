//! spitzel: CloudTrail forensics from the command line.
//!
//! The root package is spitzel-filter's application (`app`: CLI arguments
//! to the pipeline). The libraries are under crates/: spitzel-core (no I/O,
//! no AWS), spitzel-input (inputs and the filter pipeline), spitzel-cli
//! (clap definitions) and spitzel-aws (spitzel-fetch). The re-exports keep
//! their modules under the paths the tests and the doc generator use.

pub mod app;
pub mod emit_sql;
pub mod settings;

pub use spitzel_cli as cli;
pub use spitzel_core::{actions, doc, expr, window};
pub use spitzel_input::{filter, input};
