//! Each eventID once. CloudTrail's duplicates are redeliveries of the same
//! events, in the same account and region and close in time, so the IDs of
//! the current and the previous day folder of one account and region are
//! remembered; memory stays at two days of one region however long the run.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// The remembered IDs, as saved in the checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Saved {
    /// The day folder (`.../REGION/YYYY/MM/DD/`) of `current`.
    pub folder: Option<String>,
    pub current: Vec<u64>,
    pub previous: Vec<u64>,
}

#[derive(Debug, Default)]
pub(super) struct Dedup {
    folder: Option<String>,
    current: HashSet<u64>,
    previous: HashSet<u64>,
}

/// The folder of a key (everything up to the last slash).
fn folder_of(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..=i])
}

/// The region folder above a day folder (`.../REGION/`).
fn region_of(folder: &str) -> &str {
    let mut cut = folder.len();
    for _ in 0..3 {
        cut = folder[..cut.saturating_sub(1)]
            .rfind('/')
            .map_or(0, |i| i + 1);
    }
    &folder[..cut]
}

impl Dedup {
    pub(super) fn restore(saved: &Saved) -> Dedup {
        Dedup {
            folder: saved.folder.clone(),
            current: saved.current.iter().copied().collect(),
            previous: saved.previous.iter().copied().collect(),
        }
    }

    pub(super) fn save(&self) -> Saved {
        let mut current: Vec<u64> = self.current.iter().copied().collect();
        let mut previous: Vec<u64> = self.previous.iter().copied().collect();
        current.sort_unstable();
        previous.sort_unstable();
        Saved {
            folder: self.folder.clone(),
            current,
            previous,
        }
    }

    /// Objects come in key order; call before the lines of `key`.
    pub(super) fn enter(&mut self, key: &str) {
        let folder = folder_of(key);
        if self.folder.as_deref() == Some(folder) {
            return;
        }
        let same_region = self
            .folder
            .as_deref()
            .is_some_and(|f| region_of(f) == region_of(folder));
        self.previous = if same_region {
            std::mem::take(&mut self.current)
        } else {
            HashSet::new()
        };
        self.current.clear();
        self.folder = Some(folder.to_string());
    }

    /// True the first time an ID is offered (lines without one always pass).
    pub(super) fn first(&mut self, id: Option<u64>) -> bool {
        match id {
            None => true,
            Some(id) => !self.previous.contains(&id) && self.current.insert(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_remembered_for_two_day_folders_of_one_region() {
        let day = |r: &str, d: &str| format!("AWSLogs/1/CloudTrail/{r}/2023/07/{d}/f.json.gz");
        assert_eq!(
            region_of("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/"),
            "AWSLogs/1/CloudTrail/us-east-1/"
        );
        let mut d = Dedup::default();
        d.enter(&day("us-east-1", "10"));
        assert!(d.first(Some(1)));
        assert!(!d.first(Some(1)));
        assert!(d.first(None) && d.first(None));
        d.enter(&day("us-east-1", "11"));
        assert!(!d.first(Some(1)));
        let restored = Dedup::restore(&d.save());
        let mut d = restored;
        assert!(!d.first(Some(1)));
        d.enter(&day("us-east-1", "12"));
        d.enter(&day("us-east-1", "13"));
        assert!(d.first(Some(1)));
        d.enter(&day("us-west-2", "13"));
        assert!(d.first(Some(1)));
    }
}
