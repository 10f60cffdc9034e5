//! How much work matching may do on one record: each rule at most
//! `RULE_WORK` units, all rules together at most `RECORD_WORK`. A rule
//! that would need more cannot decide on the record, which is then
//! reported as undecided (as a `--match` regex or JSONPath out of budget
//! is), never left to run for minutes.
//!
//! A unit is about one byte compared. A test is charged before it runs,
//! from the lengths it will read: the text, plus the value's own length;
//! a test that runs a regex is charged the text's length times
//! `1 + pattern length / 64`, because the regex engines slow with the
//! pattern's size once their cache no longer holds its states, and a
//! value's first regex run its compiling too (a 16 KB
//! `*a*a…` value on a 100 KB non-ASCII field, compared case-insensitively,
//! ran for minutes). Ordinary rules spend a few thousand units a record.

use std::cell::Cell;
use std::fmt;

/// Work one rule may do on one record.
pub const RULE_WORK: u64 = 1 << 24;
/// Work all rules together may do on one record.
pub const RECORD_WORK: u64 = 1 << 28;
/// Units per pattern byte for compiling a value's regex when it is first
/// needed.
pub(crate) const COMPILE_PER_BYTE: u64 = 256;

/// The work left on the record being matched.
#[derive(Debug)]
pub struct Work {
    rule_left: Cell<u64>,
    record_left: Cell<u64>,
    /// Set once a charge did not fit: the rule's verdict means nothing.
    exhausted: Cell<bool>,
}

impl Default for Work {
    fn default() -> Self {
        Work::for_record()
    }
}

impl Work {
    /// The full allowance of one record.
    pub fn for_record() -> Work {
        Work {
            rule_left: Cell::new(RULE_WORK),
            record_left: Cell::new(RECORD_WORK),
            exhausted: Cell::new(false),
        }
    }

    /// Begin a rule: its own allowance, within what the record has left.
    pub(crate) fn start_rule(&self) {
        self.rule_left.set(RULE_WORK.min(self.record_left.get()));
        self.exhausted.set(false);
    }

    /// Take `units`; false (and exhausted from then on) when they do not
    /// fit. Callers stop at the first false: the verdict is thrown away.
    pub(crate) fn spend(&self, units: u64) -> bool {
        if self.exhausted.get() || units > self.rule_left.get() {
            self.exhausted.set(true);
            return false;
        }
        self.rule_left.set(self.rule_left.get() - units);
        self.record_left.set(self.record_left.get() - units);
        true
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    /// Whether the record's allowance, rather than the rule's, ran out.
    pub(crate) fn record_spent(&self) -> bool {
        self.record_left.get() < RULE_WORK
    }
}

/// Units for a test reading `text` with a value of `pattern` bytes that
/// runs in one pass.
pub(crate) fn linear(text: usize, pattern: usize) -> u64 {
    (text as u64)
        .saturating_add(pattern as u64)
        .saturating_add(1)
}

/// Units for a regex of `pattern` bytes run on `text`.
pub(crate) fn regex(text: usize, pattern: usize) -> u64 {
    (text as u64 + 1).saturating_mul(1 + pattern as u64 / 64)
}

/// A rule that could not decide on a record within the work allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    pub title: String,
    pub id: Option<String>,
    pub limit: u64,
    /// "to one rule", or "to all rules on one record".
    pub scope: &'static str,
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecided (--sigma rule '{}'", self.title)?;
        if let Some(id) = &self.id {
            write!(f, " [{id}]")?;
        }
        write!(
            f,
            "): matching it on this record needs more than the {} units of work allowed {}",
            self.limit, self.scope
        )
    }
}

impl std::error::Error for Undecided {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_gets_its_allowance_within_the_records() {
        let work = Work::for_record();
        work.start_rule();
        assert!(work.spend(RULE_WORK - 1));
        assert!(work.spend(1));
        assert!(!work.spend(1));
        assert!(work.exhausted());
        // Each rule starts afresh, until the record's allowance runs low.
        for _ in 1..RECORD_WORK / RULE_WORK {
            work.start_rule();
            assert!(!work.exhausted());
            assert!(work.spend(RULE_WORK));
        }
        assert!(work.record_spent());
        work.start_rule();
        assert!(!work.spend(1));
        assert_eq!(regex(99, 640), 100 * 11);
        assert_eq!(linear(usize::MAX, 1), u64::MAX);
    }
}
