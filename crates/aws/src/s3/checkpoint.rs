//! `--checkpoint` for --s3: objects are written in key order, so "every
//! object up to key K is complete" is the whole progress, plus the lines of
//! the object after K already written (--max-events), what could not be
//! read (objects, and listings of folders) for a rerun to retry, the
//! records the duplicate rule still remembers, and the output's length.
//!
//! Read and saved by the LookupEvents checkpoint's functions: a temporary
//! file, fsynced, renamed over the old one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::checkpoint;
use crate::errors::CheckpointError;

const KIND: &str = "spitzel-fetch --s3";
// 2: records remembered by SHA-256 digests; partial objects named; failed
// listings kept.
const VERSION: u32 = 2;

/// Lines of one object already written (the rest is not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Partial {
    pub key: String,
    pub lines: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct S3Checkpoint {
    pub kind: String,
    pub version: u32,
    pub arguments: serde_json::Value,
    /// The window in nanoseconds, fixed at the first run.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Every object up to and including this key is complete.
    pub done_through: Option<String>,
    /// Lines of the object after `done_through` already written.
    pub partial: Option<Partial>,
    /// Objects that could not be read (retried by a rerun), with the lines
    /// of each already written.
    pub failed: Vec<Partial>,
    /// Folders whose listing failed: a rerun lists them again and retries
    /// their keys up to `done_through` (later ones come in key order).
    pub failed_listings: Vec<String>,
    /// Every object and listing was read: a rerun has nothing to do.
    pub complete: bool,
    /// Objects read only in part (damaged), reported again at the end of a rerun.
    pub damaged: Vec<String>,
    /// Bytes of the output file this state covers (None on stdout).
    pub output_len: Option<u64>,
    pub written: u64,
    pub seen: super::dedup::Saved,
    /// --follow: what the follow remembers (absent without it, and in
    /// checkpoints of earlier versions).
    #[serde(default)]
    pub follow: Option<super::follow::Saved>,
}

impl S3Checkpoint {
    pub(super) fn new(arguments: serde_json::Value, from: Option<i64>, to: Option<i64>) -> Self {
        S3Checkpoint {
            kind: KIND.to_string(),
            version: VERSION,
            arguments,
            from,
            to,
            ..Default::default()
        }
    }
}

pub(super) fn load(path: &Path) -> Result<Option<S3Checkpoint>, CheckpointError> {
    let Some(text) = checkpoint::read(path)? else {
        return Ok(None);
    };
    let state: S3Checkpoint = serde_json::from_str(&text)
        .ok()
        .filter(|s: &S3Checkpoint| s.kind == KIND)
        .ok_or_else(|| CheckpointError::NotAnS3Checkpoint {
            path: path.to_path_buf(),
        })?;
    checkpoint::check_version(path, state.version, VERSION)?;
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::save;

    #[test]
    fn round_trip_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        assert_eq!(load(&path).unwrap(), None);
        let mut state = S3Checkpoint::new(serde_json::json!({"s3": "s3://b"}), Some(1), None);
        state.done_through = Some("AWSLogs/x".into());
        state.seen.records = "00".repeat(16);
        state.failed.push(Partial {
            key: "k".into(),
            lines: 3,
        });
        save(&path, &state).unwrap();
        assert_eq!(load(&path).unwrap(), Some(state));
        std::fs::write(&path, r#"{"version":1,"queries":[]}"#).unwrap();
        assert!(load(&path).is_err());
    }
}
