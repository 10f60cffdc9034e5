//! The fetcher's errors: one line each. Every error means something was
//! not read, so each ends the run with exit status 2.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchError {
    pub(crate) message: String,
}

impl FetchError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        FetchError {
            message: message.into(),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}
