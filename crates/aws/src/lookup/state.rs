//! The LookupEvents checkpoint: what each query has written, saved after
//! every page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::plan::Query;
use crate::checkpoint::not_a_checkpoint;
use crate::checkpoint::{check_version, read};
use crate::errors::CheckpointError;
use crate::follow::window::FollowState;
use crate::options::{LookupOptions, Options};
use crate::resume::check_arguments;

/// 2: each query is stored itself, not by a label.
const VERSION: u32 = 2;

/// Progress of one query in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct QueryProgress {
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
pub(crate) struct Checkpoint {
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
    /// --follow: each region's trailing window (absent without --follow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow: Option<FollowState>,
}

impl Checkpoint {
    /// Each planned query with its region, in checkpoint order: what the
    /// backlog and the follow both run.
    pub(crate) fn planned(&self) -> Vec<(String, Query)> {
        self.queries
            .iter()
            .map(|q| (q.region.clone(), q.query.clone()))
            .collect()
    }

    pub(super) fn new(
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
            follow: None,
        }
    }
}

/// Read a checkpoint; Ok(None) when the file does not exist yet.
pub(super) fn load(path: &Path) -> Result<Option<Checkpoint>, CheckpointError> {
    let Some(text) = read(path)? else {
        return Ok(None);
    };
    let checkpoint: Checkpoint =
        serde_json::from_str(&text).map_err(|e| not_a_checkpoint(path, e))?;
    check_version(path, checkpoint.version, VERSION)?;
    Ok(Some(checkpoint))
}

/// The saved state at `path`, if any, refused when it was written for
/// other arguments than `fingerprint`.
pub(super) fn load_matching(
    path: &Path,
    fingerprint: &serde_json::Value,
) -> Result<Option<Checkpoint>, CheckpointError> {
    let saved = load(path)?;
    if let Some(saved) = &saved {
        check_arguments(path, &saved.arguments, fingerprint)?;
    }
    Ok(saved)
}

/// The state of a fresh run: every planned query of every region, unread.
pub(super) fn fresh_state(
    options: &Options,
    lookup: &LookupOptions,
    regions: Vec<String>,
) -> Checkpoint {
    let progress = regions
        .iter()
        .flat_map(|region| {
            lookup.queries.iter().map(move |q| QueryProgress {
                region: region.clone(),
                query: q.clone(),
                end_time: lookup.window.end,
                ..Default::default()
            })
        })
        .collect();
    let follow = lookup
        .follow
        .map(|f| FollowState::new(f.trailing, &regions, lookup.window.end));
    let mut state = Checkpoint::new(
        options.fingerprint.clone(),
        lookup.window.start,
        lookup.window.end,
        regions,
        progress,
    );
    state.follow = follow;
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{save, temp_path};
    use std::fs;

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
