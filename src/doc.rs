//! A parsed CloudTrail record: validation of one JSON object and fast access
//! to its fields.
//!
//! OWNER: expr helper.

use std::fmt;

/// Why a record is not one JSON object. `Display` is a short reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError(pub String);

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reusable parsing state; one per thread.
#[derive(Default)]
pub struct DocParser {
    scratch: Vec<u8>,
}

/// One parsed record, borrowing the parser's buffers.
pub struct Doc<'a> {
    _bytes: &'a [u8],
}

impl DocParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse one record (a line without its line end). Errors when it is not
    /// exactly one JSON object.
    pub fn parse<'a>(&'a mut self, record: &[u8]) -> Result<Doc<'a>, DocError> {
        self.scratch.clear();
        self.scratch.extend_from_slice(record);
        todo!("expr helper")
    }
}

impl Doc<'_> {
    /// A top-level string member (eventSource, eventName, eventTime).
    pub fn top_str(&self, _key: &str) -> Option<&str> {
        todo!("expr helper")
    }
}
