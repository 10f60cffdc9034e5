//! The one error of loading rules: file, line, key and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

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

impl RuleError {
    /// A fault at `line` of `file`, under `key`.
    pub fn at(file: &Path, line: usize, key: &str, message: impl Into<String>) -> RuleError {
        RuleError {
            file: file.to_path_buf(),
            line: Some(line),
            key: key.to_owned(),
            message: message.into(),
        }
    }
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
