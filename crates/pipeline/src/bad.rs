//! Records neither written nor filtered out, and why: what a block hands
//! the writer to report, apart from the blocks and the criteria that find
//! them.

use spitzel_core::doc::DocError;
use spitzel_core::expr::Undecided;

/// A record that could not be read, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    pub line: u64,
    pub reason: BadReason,
    /// Matches written to `out` before this record (for --strict and --limit).
    pub matched_before: u64,
}

/// Why a record was neither written nor filtered out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadReason {
    #[error("{0}")]
    Unreadable(#[from] DocError),
    #[error("{0}")]
    Undecided(#[from] Undecided),
    /// A Sigma rule that could not decide within the work allowed.
    #[error("{0}")]
    SigmaUndecided(#[from] spitzel_sigma::Undecided),
    /// Part of a wrapper line that is no record (a null in Records, a
    /// broken element): the decoder's words.
    #[error("{0}")]
    NotARecord(String),
}
