//! --unique: spitzel_core::dedup's duplicate rule in the ordered writer. A
//! record equal to one already written under its eventID is dropped and
//! counted; a different record under a written eventID is written, counted
//! and said in one closing line.

use crate::block::{BlockOutcome, Identity};
use spitzel_core::dedup::{Counts, Seen, Verdict};

/// Places of conflicts the closing line names.
const SHOWN_CONFLICTS: usize = 3;

#[derive(Debug, Default)]
pub struct Unique {
    seen: Seen,
    pub counts: Counts,
    /// The first conflicts' places, `source:line`.
    first_conflicts: Vec<String>,
}

impl Unique {
    /// Judge one record to be written; false: drop it.
    pub(crate) fn judge(&mut self, source: &str, identity: Identity) -> bool {
        let Some((id, record)) = identity.digests else {
            // No eventID: nothing to compare it by, always written.
            return true;
        };
        let verdict = self.seen.judge_digests(id, record);
        self.counts.count(verdict);
        if verdict == Verdict::Conflict && self.first_conflicts.len() < SHOWN_CONFLICTS {
            self.first_conflicts
                .push(format!("{source}:{}", identity.line));
        }
        verdict.writes()
    }

    /// Drop the block's duplicates: from its lines (none when only counted),
    /// its count, and from the matches its bad records count before them.
    /// Only records that can still be written are judged: up to `room`
    /// kept (--limit, -q) and before the `cut`-th written record (--strict's
    /// first bad record), so that a record never written is never said to
    /// conflict nor remembered.
    pub(crate) fn filter(
        &mut self,
        source: &str,
        outcome: &mut BlockOutcome,
        room: Option<u64>,
        cut: Option<u64>,
    ) {
        let identities = std::mem::take(&mut outcome.identities);
        // kept_before[i]: records kept among the first i written.
        let mut kept_before = Vec::with_capacity(identities.len() + 1);
        kept_before.push(0u64);
        let mut out = Vec::with_capacity(outcome.out.len());
        let mut lines = outcome.out.split_inclusive(|&b| b == b'\n');
        let mut kept = 0;
        for (index, identity) in identities.into_iter().enumerate() {
            if room.is_some_and(|room| kept >= room) || cut.is_some_and(|cut| index as u64 >= cut) {
                break;
            }
            let line = lines.next();
            if self.judge(source, identity) {
                kept += 1;
                if let Some(line) = line {
                    out.extend_from_slice(line);
                }
            }
            kept_before.push(kept);
        }
        outcome.out = out;
        outcome.matched = kept;
        for bad in &mut outcome.bad {
            let before = usize::try_from(bad.matched_before).unwrap_or(usize::MAX);
            bad.matched_before = kept_before[before.min(kept_before.len() - 1)];
        }
    }

    /// The closing line when records shared an eventID with another record.
    pub fn print_conflicts(&self) {
        let records = match self.counts.conflicts {
            0 => return,
            1 => "1 record".to_string(),
            n => format!("{n} records"),
        };
        let more = if self.counts.conflicts > SHOWN_CONFLICTS as u64 {
            ", ..."
        } else {
            ""
        };
        eprintln!(
            "spitzel-filter: --unique: {records} written under an eventID already written \
             with a different record (at {}{more})",
            self.first_conflicts.join(", ")
        );
    }
}
