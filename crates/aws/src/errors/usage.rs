//! Options that cannot run: found before any network traffic.

use spitzel_cli::common::TimeArgsError;
use spitzel_core::actions::ActionGlobError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum UsageError {
    #[error("--rate {value}: must be a number of requests per second from {min} to {max}")]
    Rate { value: String, min: f64, max: f64 },
    #[error("--timeout {value}: must be a number of seconds from {min} to {max}")]
    Timeout { value: String, min: f64, max: f64 },
    #[error("--max-attempts must be at least 1")]
    MaxAttempts,
    #[error("--concurrency must be at least 1")]
    Concurrency,
    #[error("--account {0}: expected a 12-digit account ID")]
    Account(String),
    #[error(transparent)]
    Actions(#[from] ActionGlobError),
    #[error("invalid time range: {0}")]
    Time(#[from] TimeArgsError),
    #[error("invalid time range: the start {start} is after the end {end}")]
    StartAfterEnd { start: String, end: String },
    #[error("--lookup '{arg}': {problem}")]
    Lookup {
        arg: String,
        problem: LookupArgError,
    },
    #[error(
        "{source_name} '{url}': {why}; expected e.g. https://cloudtrail.us-east-1.amazonaws.com or http://127.0.0.1:4566"
    )]
    EndpointUrl {
        /// --endpoint-url or the variable it came from.
        source_name: String,
        /// Escaped for the one line.
        url: String,
        why: &'static str,
    },
    #[error("unknown region '{0}': expected a region name such as us-east-1")]
    Region(String),
    #[error("--trailing-window {value}: must be a number of minutes from {min} to {max}")]
    TrailingWindow { value: String, min: f64, max: f64 },
    #[error("--poll-interval {value}: must be a number of seconds from 0 to {max}")]
    PollInterval { value: String, max: f64 },
    /// The s3:// URL, in the s3 layer's words.
    #[error("{0}")]
    S3Url(String),
}

/// What is wrong with one --lookup KEY=VALUE.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupArgError {
    #[error("expected KEY=VALUE, e.g. --lookup Username=alice")]
    NotKeyValue,
    #[error("unknown key '{key}'; use one of {known}")]
    UnknownKey { key: String, known: String },
    #[error("the value is empty")]
    EmptyValue,
    #[error("ReadOnly takes true or false")]
    ReadOnly,
}
