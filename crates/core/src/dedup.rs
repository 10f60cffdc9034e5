//! The duplicate rule both tools apply to CloudTrail records:
//!
//! - a record byte-equal to one already written under the same eventID is a
//!   redelivery: dropped and counted ([`Verdict::Duplicate`]);
//! - a different record under an eventID already written is written and
//!   reported ([`Verdict::Conflict`]): an ID is not proof of sameness, and
//!   dropping either record would hide one of them;
//! - a record without an eventID is always written (callers do not ask).
//!
//! "Byte-equal" is after the decoder's compaction: a record from a
//! `{"Records":[...]}` file and the same record redelivered compact to the
//! same bytes, so whitespace never makes two deliveries differ.
//!
//! IDs and records are remembered as 128-bit prefixes of their SHA-256
//! digests: stable across processes (the fetcher saves them in its
//! checkpoint) and, unlike a 64-bit FNV hash, out of reach of a brute-force
//! collision (about 2^64 work). An entry is 32 bytes in a hash table that
//! is between 44% and 87% full: 68 MB resident per million events measured
//! (`memory_per_million_events` below), 37 MB at best.
//!
//! Memory can be bounded by generations: [`Seen::advance`] forgets the
//! generation before the current one, for a caller that knows duplicates
//! arrive close together (CloudTrail's redeliveries land in the same or the
//! next day folder).

use std::collections::{HashMap, HashSet};

use sha2::{Digest as _, Sha256};

/// A 128-bit prefix of a SHA-256 digest.
pub type Digest = [u8; 16];

pub fn digest(bytes: &[u8]) -> Digest {
    let full = Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// What to do with one record that has an eventID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its eventID was not seen before: write it.
    First,
    /// The same record was written before under this eventID: drop it.
    Duplicate,
    /// Another record was written under this eventID: write it and report.
    Conflict,
}

impl Verdict {
    pub fn writes(self) -> bool {
        self != Verdict::Duplicate
    }
}

/// How many records the rule dropped, and how many conflicts it let through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub duplicates: u64,
    pub conflicts: u64,
}

impl Counts {
    pub fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::First => {}
            Verdict::Duplicate => self.duplicates += 1,
            Verdict::Conflict => self.conflicts += 1,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Generation {
    /// eventID -> the first record written under it.
    first: HashMap<Digest, Digest>,
    /// (eventID, record) of every further record written under an ID
    /// (conflicts, rare).
    others: HashSet<(Digest, Digest)>,
}

impl Generation {
    /// Another record under an ID, kept where a lookup by ID finds it.
    fn remember(&mut self, id: Digest, record: Digest) {
        match self.first.entry(id) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(record);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.others.insert((id, record));
            }
        }
    }

    fn knows(&self, id: &Digest, record: &Digest) -> Option<bool> {
        let first = self.first.get(id)?;
        Some(first == record || self.others.contains(&(*id, *record)))
    }
}

/// The records written so far, by eventID.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    current: Generation,
    previous: Generation,
}

impl Seen {
    pub fn new() -> Seen {
        Seen::default()
    }

    /// Judge a record under `event_id` and remember it when it is written.
    pub fn judge(&mut self, event_id: &str, record: &[u8]) -> Verdict {
        self.judge_digests(digest(event_id.as_bytes()), digest(record))
    }

    pub fn judge_digests(&mut self, id: Digest, record: Digest) -> Verdict {
        let known = [&self.current, &self.previous]
            .iter()
            .filter_map(|g| g.knows(&id, &record))
            .reduce(|a, b| a || b);
        match known {
            None => {
                self.current.first.insert(id, record);
                Verdict::First
            }
            Some(true) => Verdict::Duplicate,
            Some(false) => {
                self.current.remember(id, record);
                Verdict::Conflict
            }
        }
    }

    /// Start a new generation: what was remembered before the current one is
    /// forgotten.
    pub fn advance(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        self.current = Generation::default();
        self.previous = Generation::default();
    }

    /// Records remembered.
    pub fn len(&self) -> usize {
        [&self.current, &self.previous]
            .iter()
            .map(|g| g.first.len() + g.others.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The remembered records as bytes (for a checkpoint): per generation,
    /// current then previous, a count (8 bytes, little-endian) then 32 bytes
    /// (eventID digest, record digest) per record, sorted so that the same
    /// memory always saves to the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.len() * 32);
        for generation in [&self.current, &self.previous] {
            let mut pairs: Vec<(Digest, Digest)> = generation
                .first
                .iter()
                .map(|(id, record)| (*id, *record))
                .chain(generation.others.iter().copied())
                .collect();
            pairs.sort_unstable();
            out.extend_from_slice(&(pairs.len() as u64).to_le_bytes());
            for (id, record) in pairs {
                out.extend_from_slice(&id);
                out.extend_from_slice(&record);
            }
        }
        out
    }

    /// The inverse of [`Seen::to_bytes`]; None for bytes it did not write.
    pub fn from_bytes(mut bytes: &[u8]) -> Option<Seen> {
        let mut seen = Seen::new();
        for index in 0..2 {
            let (count, rest) = bytes.split_first_chunk::<8>()?;
            let count = usize::try_from(u64::from_le_bytes(*count)).ok()?;
            if rest.len() / 32 < count {
                return None;
            }
            let generation = if index == 0 {
                &mut seen.current
            } else {
                &mut seen.previous
            };
            for pair in rest[..count * 32].chunks_exact(32) {
                let id: Digest = pair[..16].try_into().ok()?;
                let record: Digest = pair[16..].try_into().ok()?;
                // Which record of an ID is "first" does not change a verdict.
                generation.remember(id, record);
            }
            bytes = &rest[count * 32..];
        }
        bytes.is_empty().then_some(seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_records_drop_different_ones_conflict() {
        let mut seen = Seen::new();
        let mut counts = Counts::default();
        let a = br#"{"eventID":"x","eventName":"A"}"#;
        let b = br#"{"eventID":"x","eventName":"B"}"#;
        let c = br#"{"eventID":"y","eventName":"A"}"#;
        for (id, record, want) in [
            ("x", &a[..], Verdict::First),
            ("x", a, Verdict::Duplicate),
            ("x", b, Verdict::Conflict),
            // Both records under x are now written: either one again drops.
            ("x", b, Verdict::Duplicate),
            ("x", a, Verdict::Duplicate),
            ("y", c, Verdict::First),
            ("y", a, Verdict::Conflict),
        ] {
            let verdict = seen.judge(id, record);
            assert_eq!(verdict, want, "{id} {}", String::from_utf8_lossy(record));
            counts.count(verdict);
        }
        assert_eq!(
            counts,
            Counts {
                duplicates: 3,
                conflicts: 2
            }
        );
        assert!(!Verdict::Duplicate.writes() && Verdict::Conflict.writes());
    }

    #[test]
    fn ids_with_equal_64_bit_fnv_hashes_are_two_ids() {
        // The fetcher's old key: 64-bit FNV-1a of the eventID. This pair
        // collides (found with Pollard's rho in about 2^32 steps).
        let fnv = |s: &str| {
            s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        let (one, two) = ("cf3b407479f245ff", "6109ebe5d392eff8");
        assert_eq!(fnv(one), fnv(two));
        let mut seen = Seen::new();
        assert_eq!(seen.judge(one, b"{}"), Verdict::First);
        assert_eq!(seen.judge(two, b"{}"), Verdict::First);
        assert_eq!(seen.judge(one, b"{}"), Verdict::Duplicate);
    }

    #[test]
    fn generations_bound_memory() {
        let mut seen = Seen::new();
        assert_eq!(seen.judge("1", b"r1"), Verdict::First);
        seen.advance();
        assert_eq!(seen.judge("1", b"r1"), Verdict::Duplicate);
        assert_eq!(seen.judge("1", b"other"), Verdict::Conflict);
        assert_eq!(seen.judge("2", b"r2"), Verdict::First);
        seen.advance();
        // "1"'s first record is two generations back, its conflict one.
        assert_eq!(seen.judge("1", b"other"), Verdict::Duplicate);
        assert_eq!(seen.judge("2", b"r2"), Verdict::Duplicate);
        seen.advance();
        seen.advance();
        assert_eq!(seen.judge("1", b"r1"), Verdict::First);
        seen.clear();
        assert!(seen.is_empty());
    }

    #[test]
    fn saved_bytes_restore_the_same_verdicts() {
        let mut seen = Seen::new();
        seen.judge("a", b"1");
        seen.judge("a", b"2");
        seen.advance();
        seen.judge("b", b"3");
        let bytes = seen.to_bytes();
        assert_eq!(bytes.len(), 16 + 3 * 32);
        let mut back = Seen::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.len(), 3);
        for (id, record, want) in [
            ("a", &b"1"[..], Verdict::Duplicate),
            ("a", b"2", Verdict::Duplicate),
            ("b", b"3", Verdict::Duplicate),
            ("b", b"4", Verdict::Conflict),
            ("c", b"1", Verdict::First),
        ] {
            assert_eq!(back.judge(id, record), want, "{id}");
        }
        assert_eq!(Seen::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Seen::from_bytes(&[bytes.as_slice(), b"x"].concat()), None);
        assert_eq!(Seen::from_bytes(b""), None);
        assert_eq!(Seen::from_bytes(&Seen::new().to_bytes()), Some(Seen::new()));
    }

    /// The figure stated in the README: resident memory per million distinct
    /// eventIDs. Run with `cargo test --release -p spitzel-core
    /// dedup::tests::memory_per_million_events -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, printed"]
    fn memory_per_million_events() {
        fn resident_kb() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        }
        let before = resident_kb();
        let mut seen = Seen::new();
        for n in 0..1_000_000u32 {
            let id = format!(
                "{:08x}-0000-4000-8000-{n:012x}",
                n.wrapping_mul(2_654_435_761)
            );
            assert_eq!(seen.judge(&id, id.as_bytes()), Verdict::First);
        }
        let after = resident_kb();
        println!(
            "dedup memory: {:.1} MB resident per million events ({} entries)",
            (after - before) as f64 / 1024.0,
            seen.len()
        );
    }
}
