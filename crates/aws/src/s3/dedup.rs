//! The duplicate rule (spitzel-core's `dedup`) over a trail read in key
//! order. CloudTrail's duplicates are redeliveries of the same events, in
//! the same account and region and close in time, so the records of the
//! current and the previous day folder of one account and region are
//! remembered; memory stays at two days of one region however long the run.
//!
//! Objects retried from an earlier run's failures are judged against what is
//! remembered without moving it: the day folder they come from is over, and
//! forgetting the current one would let its redeliveries through.

use serde::{Deserialize, Serialize};
use spitzel_core::dedup::{Counts, Digest, Seen, Verdict};

/// The remembered records, as saved in the checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Saved {
    /// The day folder (`.../REGION/YYYY/MM/DD/`) being read.
    pub folder: Option<String>,
    /// `Seen::to_bytes`, hex.
    pub records: String,
    pub duplicates: u64,
    pub conflicts: u64,
}

#[derive(Debug, Default)]
pub(super) struct Dedup {
    folder: Option<String>,
    seen: Seen,
    pub counts: Counts,
}

/// The folder of a key (everything up to the last slash).
fn folder_of(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..=i])
}

/// The region folder above a day folder (`.../REGION/`).
pub(super) fn region_of(folder: &str) -> &str {
    let mut cut = folder.len();
    for _ in 0..3 {
        cut = folder[..cut.saturating_sub(1)]
            .rfind('/')
            .map_or(0, |i| i + 1);
    }
    &folder[..cut]
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Dedup {
    /// None when the saved records are not ones this version wrote.
    pub(super) fn restore(saved: &Saved) -> Option<Dedup> {
        let seen = if saved.records.is_empty() {
            Seen::new()
        } else {
            Seen::from_bytes(&unhex(&saved.records)?)?
        };
        Some(Dedup {
            folder: saved.folder.clone(),
            seen,
            counts: Counts {
                duplicates: saved.duplicates,
                conflicts: saved.conflicts,
            },
        })
    }

    /// The day folder being read.
    pub(super) fn folder(&self) -> Option<&str> {
        self.folder.as_deref()
    }

    pub(super) fn save(&self) -> Saved {
        Saved {
            folder: self.folder.clone(),
            records: hex(&self.seen.to_bytes()),
            duplicates: self.counts.duplicates,
            conflicts: self.counts.conflicts,
        }
    }

    /// Objects come in key order; call before the lines of `key` (not for
    /// a retried object).
    pub(super) fn enter(&mut self, key: &str) {
        let folder = folder_of(key);
        if self.folder.as_deref() == Some(folder) {
            return;
        }
        let same_region = self
            .folder
            .as_deref()
            .is_some_and(|f| region_of(f) == region_of(folder));
        // --follow may come back to yesterday's folder after today's: it is
        // still remembered, and today's must not be forgotten.
        if same_region && self.folder.as_deref().is_some_and(|f| folder < f) {
            return;
        }
        if same_region {
            self.seen.advance();
        } else {
            self.seen.clear();
        }
        self.folder = Some(folder.to_string());
    }

    /// Judge a line by its (eventID, record) digests; lines without an
    /// eventID are always written.
    pub(super) fn judge(&mut self, digests: Option<(Digest, Digest)>) -> Verdict {
        let Some((id, record)) = digests else {
            return Verdict::First;
        };
        let verdict = self.seen.judge_digests(id, record);
        self.counts.count(verdict);
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spitzel_core::dedup::digest;

    fn line(id: &str, body: &str) -> Option<(Digest, Digest)> {
        Some((digest(id.as_bytes()), digest(body.as_bytes())))
    }

    #[test]
    fn records_are_remembered_for_two_day_folders_of_one_region() {
        let day = |r: &str, d: &str| format!("AWSLogs/1/CloudTrail/{r}/2023/07/{d}/f.json.gz");
        assert_eq!(
            region_of("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/"),
            "AWSLogs/1/CloudTrail/us-east-1/"
        );
        let mut d = Dedup::default();
        d.enter(&day("us-east-1", "10"));
        assert_eq!(d.judge(line("1", "a")), Verdict::First);
        assert_eq!(d.judge(line("1", "a")), Verdict::Duplicate);
        assert_eq!(d.judge(line("1", "b")), Verdict::Conflict);
        assert_eq!(d.judge(None), Verdict::First);
        d.enter(&day("us-east-1", "11"));
        assert_eq!(d.judge(line("1", "a")), Verdict::Duplicate);
        let mut d = Dedup::restore(&d.save()).unwrap();
        assert_eq!(d.judge(line("1", "b")), Verdict::Duplicate);
        assert_eq!(
            d.counts,
            Counts {
                duplicates: 3,
                conflicts: 1
            }
        );
        d.enter(&day("us-east-1", "12"));
        d.enter(&day("us-east-1", "13"));
        assert_eq!(d.judge(line("1", "a")), Verdict::First);
        d.enter(&day("us-west-2", "13"));
        assert_eq!(d.judge(line("1", "a")), Verdict::First);
        let bad = Saved {
            records: "0g".into(),
            ..Saved::default()
        };
        assert!(Dedup::restore(&bad).is_none());
    }
}
