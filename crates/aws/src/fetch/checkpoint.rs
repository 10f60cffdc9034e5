//! Durable progress: what each query has written, saved after every page.
//!
//! Saved as JSON by writing a temporary file, fsyncing it and renaming it
//! over the old one, so a crash leaves either the old or the new state.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::errors::FetchError;
use super::plan::Query;

/// 2: each query is stored itself, not by a label.
const VERSION: u32 = 2;

/// Progress of one query in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryProgress {
    pub region: String,
    /// The query itself, so that a resumed run cannot run another one.
    pub query: Query,
    /// Token of the next page; None with `done` false = first page.
    pub next_token: Option<String>,
    /// EndTime of the current token chain (moved back after a refused token).
    pub end_time: i64,
    /// Oldest eventTime (seconds) handled so far, and the ids handled at it.
    pub oldest: Option<i64>,
    pub ids_at_oldest: Vec<String>,
    /// Ids handled in the current page when --max-events cut it short; the
    /// page is fetched again and these are skipped, in whatever order it comes.
    #[serde(default)]
    pub cut_ids: Vec<String>,
    /// An event newer than `oldest` came in a later page: the API's pages
    /// were not in time order, so a refused token cannot restart at `oldest`.
    #[serde(default)]
    pub unordered: bool,
    pub done: bool,
    pub pages: u64,
    pub events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    /// The arguments that decide what is fetched; a rerun must match.
    pub arguments: serde_json::Value,
    /// The window in seconds, fixed at the first run so "last 90 days" does not move.
    pub start_time: i64,
    pub end_time: i64,
    pub regions: Vec<String>,
    /// Bytes of the output file covered by this state (None on stdout).
    pub output_len: Option<u64>,
    /// Events written over all runs.
    pub written: u64,
    pub queries: Vec<QueryProgress>,
    /// Event ids written per region, kept where several queries are unioned.
    pub seen: BTreeMap<String, BTreeSet<String>>,
}

impl Checkpoint {
    pub fn new(
        arguments: serde_json::Value,
        start_time: i64,
        end_time: i64,
        regions: Vec<String>,
        queries: Vec<QueryProgress>,
    ) -> Checkpoint {
        Checkpoint {
            version: VERSION,
            arguments,
            start_time,
            end_time,
            regions,
            output_len: None,
            written: 0,
            queries,
            seen: BTreeMap::new(),
        }
    }
}

/// Read a checkpoint; Ok(None) when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<Checkpoint>, FetchError> {
    let Some(text) = read(path)? else {
        return Ok(None);
    };
    let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        FetchError::config(format!(
            "checkpoint {} is not a spitzel-fetch checkpoint ({e})",
            path.display()
        ))
    })?;
    check_version(path, checkpoint.version, VERSION)?;
    Ok(Some(checkpoint))
}

// The file handling below is shared with the --s3 checkpoint (s3::checkpoint).

/// The text of a saved state; Ok(None) when the file does not exist yet.
pub fn read(path: &Path) -> Result<Option<String>, FetchError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FetchError::config(format!(
            "cannot read checkpoint {}: {e}",
            path.display()
        ))),
    }
}

/// Refuse a state saved in another format version.
pub fn check_version(path: &Path, found: u32, expected: u32) -> Result<(), FetchError> {
    if found == expected {
        return Ok(());
    }
    Err(FetchError::config(format!(
        "checkpoint {} has version {found}, this spitzel-fetch writes version {expected}",
        path.display()
    )))
}

/// The file a save writes before renaming it over the checkpoint.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replace the saved state durably.
pub fn save(path: &Path, state: &impl Serialize) -> std::io::Result<()> {
    let temp = temp_path(path);
    let mut file = File::create(&temp)?;
    serde_json::to_writer(&mut file, state)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    // The rename itself is durable once the directory is synced.
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ckpt.json");
        assert_eq!(load(&path).unwrap(), None);
        let mut checkpoint = Checkpoint::new(
            serde_json::json!({"lookup": ["Username=alice"]}),
            10,
            20,
            vec!["us-east-1".into()],
            vec![QueryProgress {
                region: "us-east-1".into(),
                query: Query {
                    attribute: Some(("Username".into(), "alice".into())),
                },
                end_time: 20,
                ..Default::default()
            }],
        );
        checkpoint.queries[0].next_token = Some("tok".into());
        checkpoint
            .seen
            .entry("us-east-1".into())
            .or_default()
            .insert("id".into());
        save(&path, &checkpoint).unwrap();
        assert_eq!(load(&path).unwrap(), Some(checkpoint));
        assert!(!temp_path(&path).exists());
        fs::write(&path, "not json").unwrap();
        assert!(load(&path).is_err());
    }
}
