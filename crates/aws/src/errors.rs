//! The fetcher's errors: one line each, and the exit status they map to.

use std::fmt;

use crate::exit::Exit;

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
    pub fn exit(&self, wrote_output: bool) -> Exit {
        match self.kind {
            ErrorKind::Config if !wrote_output => Exit::Usage,
            _ => Exit::Failed,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}
