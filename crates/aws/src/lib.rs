//! spitzel-aws: the AWS side of spitzel. `fetch` is spitzel-fetch
//! (CloudTrail LookupEvents to NDJSON); S3 reading comes next.

pub mod fetch;

// Under their old paths, so `crate::actions` and `crate::cli` read as before.
use spitzel_cli as cli;
use spitzel_core::actions;
