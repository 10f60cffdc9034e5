//! The fetcher's errors: one line each, and the exit status they map to.

use std::fmt;

/// Exit statuses.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments or set-up the user must fix (credentials, permissions,
    /// region, time range, endpoint): exit 2 unless something was written.
    Config,
    /// The run failed part-way (retries exhausted, I/O): exit 1.
    Runtime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub kind: ErrorKind,
    pub message: String,
}

impl FetchError {
    pub fn config(message: impl Into<String>) -> Self {
        FetchError {
            kind: ErrorKind::Config,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        FetchError {
            kind: ErrorKind::Runtime,
            message: message.into(),
        }
    }

    /// Exit status, given whether any event was written before the failure.
    pub fn exit_code(&self, wrote_output: bool) -> i32 {
        match self.kind {
            ErrorKind::Config if !wrote_output => EXIT_USAGE,
            _ => EXIT_FAILED,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}
