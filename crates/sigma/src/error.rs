//! The one error of loading rules: file, line, key and what is wrong.

use std::fmt;
use std::path::PathBuf;

/// A rule that cannot be run, named by file, line and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: PathBuf,
    pub line: Option<usize>,
    /// The key concerned, dotted (`detection.selection.eventName|contains`);
    /// empty when the file as a whole is at fault.
    pub key: String,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key '{}'", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}
