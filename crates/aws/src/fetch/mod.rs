//! spitzel-fetch: CloudTrail LookupEvents to NDJSON.
//!
//! OWNER: fetch helper.
//!
//! `settings` checks the command line once into a `FetchConfig`; `run`
//! drives the pages; `resume` and `checkpoint` make a run continue where
//! the last one stopped; `errors` words what went wrong.

pub mod body;
pub mod chain;
pub mod checkpoint;
pub mod config;
pub mod errors;
pub mod exit;
pub mod output;
pub mod pace;
pub mod pager;
pub mod plan;
pub mod progress;
pub mod resume;
pub mod run;
pub mod settings;
pub mod signals;

pub use exit::Exit;
pub use run::run;

use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn rfc3339(secs: i64) -> String {
    DateTime::from_secs(secs)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}
