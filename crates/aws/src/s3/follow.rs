//! `--s3 --follow`: after the window, list the watched day folders of every
//! region again at each poll and hand on the files not read yet, to the same
//! reader and writer as the window's keys (same pruning, same duplicate rule).
//!
//! The watched days are yesterday and today in UTC: CloudTrail names a
//! file's folder by the day of its delivery minute, and a file of 23:59 can
//! land after midnight, so yesterday's folder is listed until the day after.
//! Which files were read is remembered for those two days only (a few
//! hundred keys per region and day), saved in the checkpoint, so that a
//! rerun reads each file exactly once whatever order files arrive in.
//!
//! The duplicate rule remembers each region's last two day folders, as on
//! the window's path; the follow interleaves regions, so it keeps one
//! memory per region (`Shelf`) where the window's path keeps one for all.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use spitzel_core::calendar;
use tokio::sync::mpsc;

use super::dedup::{self, Dedup};
use super::discover::{self, Listed, Scope};
use super::layout::{self, KeyVerdict};

const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// The follow's part of the checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Saved {
    /// The oldest day folder (`YYYY/MM/DD/`) whose keys are remembered.
    pub since: String,
    /// The window was read and the follow began: a rerun goes on polling
    /// without reading the window again.
    pub watching: bool,
    /// Keys read (or given to the retry list) in the watched day folders.
    pub read: BTreeSet<String>,
    /// The duplicate rule's memory of each region but the one being read
    /// (that one is the checkpoint's `seen`).
    pub dedups: BTreeMap<String, dedup::Saved>,
}

impl Saved {
    /// A fresh follow starting at `now` (nanoseconds): the day before is
    /// remembered too, its folder may still gain files.
    pub(super) fn new(now: i64) -> Saved {
        Saved {
            since: day_folder(now.saturating_sub(NANOS_PER_DAY)),
            ..Saved::default()
        }
    }

    /// `key` was written whole (or handed to the retry list): not again.
    /// Only the two newest days of keys are kept.
    pub(super) fn note_read(&mut self, key: &str) {
        let Some(day) = day_of(key) else { return };
        if day < self.since.as_str() {
            return;
        }
        self.read.insert(key.to_string());
        let mut days: Vec<&str> = self.read.iter().filter_map(|k| day_of(k)).collect();
        days.sort_unstable();
        days.dedup();
        if days.len() > 2 {
            let keep = days[days.len() - 2].to_string();
            self.read
                .retain(|k| day_of(k).is_some_and(|d| d >= keep.as_str()));
        }
    }
}

/// `YYYY/MM/DD/` of a time in nanoseconds, in UTC.
fn day_folder(nanos: i64) -> String {
    let (year, month, date) = calendar::civil_from_days(nanos.div_euclid(NANOS_PER_DAY));
    format!("{year:04}/{month:02}/{date:02}/")
}

/// The day folder (`YYYY/MM/DD/`) of a key in one, by position.
fn day_of(key: &str) -> Option<&str> {
    let end = key.rfind('/')? + 1;
    key.get(end.checked_sub(11)?..end)
}

/// The region folder of `key` (`.../REGION/`), for the shelf.
fn region_of_key(key: &str) -> &str {
    let end = key.rfind('/').map_or(0, |i| i + 1);
    dedup::region_of(&key[..end])
}

/// Each region's duplicate memory but the one in the writer's hands.
#[derive(Debug, Default)]
pub(super) struct Shelf {
    regions: BTreeMap<String, Dedup>,
}

impl Shelf {
    /// None when a saved memory is not one this version wrote.
    pub(super) fn restore(saved: &BTreeMap<String, dedup::Saved>) -> Option<Shelf> {
        let mut regions = BTreeMap::new();
        for (region, saved) in saved {
            regions.insert(region.clone(), Dedup::restore(saved)?);
        }
        Some(Shelf { regions })
    }

    pub(super) fn save(&self) -> BTreeMap<String, dedup::Saved> {
        self.regions
            .iter()
            .map(|(region, d)| (region.clone(), d.save()))
            .collect()
    }

    /// Before reading `key`: put the memory of its region in `current`,
    /// shelving the one there.
    pub(super) fn swap_for(&mut self, current: &mut Dedup, key: &str) {
        let region = region_of_key(key);
        let held = current.folder().map(dedup::region_of);
        if held == Some(region) {
            return;
        }
        let next = self.regions.remove(region).unwrap_or_default();
        let old = std::mem::replace(current, next);
        if let Some(folder) = old.folder() {
            self.regions
                .insert(dedup::region_of(folder).to_string(), old);
        }
    }
}

/// What the follow lists from: the scope and region folders of the window,
/// and what is already read.
pub(super) struct Watch {
    pub scope: Arc<Scope>,
    pub regions: Vec<String>,
    pub since: String,
    pub read: BTreeSet<String>,
    pub interval: Duration,
}

/// Hand on the window's keys (unless an earlier run read the window), then
/// poll until the reader is gone. Keys handed on by the window's listing in
/// the watched days are not handed on again.
pub(super) async fn produce(
    watch: Watch,
    window: Option<Option<String>>,
    tx: mpsc::Sender<Listed>,
) {
    let Watch {
        scope,
        regions,
        since,
        mut read,
        interval,
    } = watch;
    if let Some(done) = window {
        let (inner_tx, mut inner) = mpsc::channel(1024);
        tokio::spawn(discover::produce(
            scope.clone(),
            regions.clone(),
            done,
            inner_tx,
        ));
        while let Some(item) = inner.recv().await {
            if let Listed::Object { key, .. } = &item
                && day_of(key).is_some_and(|d| d >= since.as_str())
            {
                read.insert(key.clone());
            }
            if tx.send(item).await.is_err() {
                return;
            }
        }
    }
    loop {
        let today = day_folder(spitzel_core::window::now());
        let yesterday = day_folder(spitzel_core::window::now().saturating_sub(NANOS_PER_DAY));
        let oldest = yesterday.max(since.clone());
        read.retain(|k| day_of(k).is_some_and(|d| d >= oldest.as_str()));
        let mut days = vec![oldest.clone()];
        if today > oldest {
            days.push(today);
        }
        let mut fresh = Vec::new();
        for region in &regions {
            for day in &days {
                let folder = format!("{region}{day}");
                let listing = match discover::list(&scope, &folder, true).await {
                    Ok(listing) => listing,
                    Err(e) => {
                        // Listed again at the next poll: nothing is lost.
                        if tx.send(Listed::Transient(e.into())).await.is_err() {
                            return;
                        }
                        continue;
                    }
                };
                for (key, _size) in listing.keys {
                    if read.contains(&key) {
                        continue;
                    }
                    read.insert(key.clone());
                    match layout::judge_key(region, &key, &scope.window, scope.insight) {
                        KeyVerdict::Read => fresh.push(key),
                        KeyVerdict::Pruned => {
                            scope.skipped.by_time.fetch_add(1, Ordering::Relaxed);
                        }
                        KeyVerdict::Foreign => {
                            scope.skipped.foreign.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }
        fresh.sort();
        scope
            .skipped
            .listed
            .fetch_add(fresh.len() as u64, Ordering::Relaxed);
        for key in fresh {
            if tx.send(Listed::Object { key, live: true }).await.is_err() {
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = tx.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_the_keys_remembered() {
        // 2023-07-10T12:00:00Z
        let noon = 1_688_990_400 * 1_000_000_000;
        assert_eq!(day_folder(noon), "2023/07/10/");
        let key = |d: &str| format!("AWSLogs/1/CloudTrail/us-east-1/2023/07/{d}/f.json.gz");
        assert_eq!(day_of(&key("10")), Some("2023/07/10/"));
        assert_eq!(region_of_key(&key("10")), "AWSLogs/1/CloudTrail/us-east-1/");
        let mut saved = Saved::new(noon);
        assert_eq!(saved.since, "2023/07/09/");
        saved.note_read(&key("08"));
        assert!(saved.read.is_empty());
        saved.note_read(&key("09"));
        saved.note_read(&key("10"));
        saved.note_read(&key("11"));
        let days: Vec<&str> = saved.read.iter().filter_map(|k| day_of(k)).collect();
        assert_eq!(days, ["2023/07/10/", "2023/07/11/"]);
    }
}
