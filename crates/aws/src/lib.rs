//! spitzel-aws: the AWS side of spitzel. `fetch` is spitzel-fetch
//! (CloudTrail LookupEvents to NDJSON); `s3` reads a trail from its bucket
//! (`spitzel-fetch --s3`).

pub mod fetch;
pub mod s3;

// Under their old paths, so `crate::actions` and `crate::cli` read as before.
use spitzel_cli as cli;
use spitzel_core::{actions, doc, window};
use spitzel_input as input;
use spitzel_pipeline as filter;
