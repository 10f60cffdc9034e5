//! The ordered end of the pipeline: writes matches, reports problems,
//! applies --limit, --quiet, --strict, and keeps the totals.

use crate::pipeline::{Done, Sink};
use crate::report::{Reporter, Totals};
use crate::unique::Unique;
use std::io::{self, Write};
use std::ops::ControlFlow;

/// Why the writer stopped before the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// --limit reached, or --quiet saw a match.
    Enough,
    /// stdout was closed (`| head`).
    ClosedOutput,
    /// --strict met a bad record or input.
    Strict,
    /// stdout failed otherwise.
    WriteError,
}

pub struct OutputSink<W: Write> {
    out: W,
    pub reporter: Reporter,
    pub totals: Totals,
    limit: Option<u64>,
    strict: bool,
    quiet: bool,
    pub stopped: Option<Stopped>,
    pub write_error: Option<io::Error>,
    /// --unique: the duplicate rule's memory and counts.
    pub unique: Option<Unique>,
}

impl<W: Write> OutputSink<W> {
    pub fn new(out: W, limit: Option<u64>, strict: bool, quiet: bool) -> Self {
        OutputSink {
            out,
            reporter: Reporter::default(),
            totals: Totals::default(),
            limit,
            strict,
            quiet,
            stopped: None,
            write_error: None,
            unique: None,
        }
    }

    /// Apply the duplicate rule (--unique) to what is written.
    pub fn unique(mut self) -> Self {
        self.unique = Some(Unique::default());
        self
    }

    fn write(&mut self, bytes: &[u8]) -> ControlFlow<()> {
        match self.out.write_all(bytes) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                self.fail(error);
                ControlFlow::Break(())
            }
        }
    }

    fn fail(&mut self, error: io::Error) {
        if error.kind() == io::ErrorKind::BrokenPipe {
            self.stopped = Some(Stopped::ClosedOutput);
        } else {
            self.stopped = Some(Stopped::WriteError);
            self.write_error = Some(error);
        }
    }

    /// Flush at the end; false when stdout failed.
    pub fn finish(&mut self) -> bool {
        if self.stopped.is_some() {
            return self.stopped != Some(Stopped::WriteError);
        }
        match self.out.flush() {
            Ok(()) => true,
            Err(error) => {
                self.fail(error);
                self.stopped != Some(Stopped::WriteError)
            }
        }
    }

    /// The number of matches still allowed (None: no limit).
    fn room(&self) -> Option<u64> {
        let limit = if self.quiet { Some(1) } else { self.limit };
        limit.map(|limit| limit.saturating_sub(self.totals.matched))
    }

    /// Write the first `count` lines of `out` (all when count covers them).
    fn write_lines(&mut self, out: &[u8], count: u64) -> ControlFlow<()> {
        let end = if count == 0 {
            0
        } else {
            memchr::memchr_iter(b'\n', out)
                .nth(count as usize - 1)
                .map_or(out.len(), |pos| pos + 1)
        };
        self.write(&out[..end])
    }
}

impl<W: Write> Sink for OutputSink<W> {
    fn take(&mut self, done: Done) -> ControlFlow<()> {
        if self.stopped.is_some() {
            return ControlFlow::Break(());
        }
        match done {
            Done::Problem(problem) => {
                let reason = problem.reason.to_string();
                if problem.is_io() {
                    self.reporter
                        .io_error(&problem.source, problem.line, &reason);
                } else {
                    self.reporter
                        .bad_record(&problem.source, problem.line.unwrap_or(0), &reason);
                }
                if self.strict {
                    self.stopped = Some(Stopped::Strict);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
            Done::Skipped(skipped) => {
                self.totals.skipped_files.add(&skipped);
                ControlFlow::Continue(())
            }
            Done::Block {
                source,
                bytes,
                mut outcome,
            } => {
                let room = self.room();
                // The correlation decision's block carries no identities:
                // its records were judged when they were held.
                if let Some(unique) = &mut self.unique
                    && !outcome.identities.is_empty()
                {
                    let cut = match self.strict {
                        true => outcome.bad.first().map(|bad| bad.matched_before),
                        false => None,
                    };
                    unique.filter(&source, &mut outcome, room, cut);
                }
                // With --strict, only the matches before the first bad record count.
                let strict_cut = if self.strict {
                    outcome.bad.first()
                } else {
                    None
                };
                let mut allowed = outcome.matched;
                if let Some(bad) = strict_cut {
                    allowed = allowed.min(bad.matched_before);
                }
                if let Some(room) = room {
                    allowed = allowed.min(room);
                }
                // Problems after the last allowed match belong to lines never reached.
                let shown_bad: Vec<_> = outcome
                    .bad
                    .iter()
                    .filter(|bad| room.is_none_or(|room| bad.matched_before < room))
                    .take(if self.strict { 1 } else { usize::MAX })
                    .collect();
                // Counted before writing: a block read and filtered counts
                // in --stats even when stdout closes while it is written
                // (`| head` once gave "lines 0").
                self.totals.matched += allowed;
                self.totals.lines += outcome.lines;
                self.totals.events += outcome.events;
                self.totals.no_time += outcome.no_time;
                self.totals.bytes += bytes;
                add_counts(&mut self.totals.rule_hits, &outcome.rule_hits);
                if !outcome.out.is_empty() {
                    self.write_lines(&outcome.out, allowed)?;
                }
                for bad in shown_bad {
                    self.reporter
                        .bad_record(&source, bad.line, &bad.reason.to_string());
                }
                if strict_cut.is_some() {
                    self.stopped = Some(Stopped::Strict);
                    return ControlFlow::Break(());
                }
                if room.is_some_and(|room| allowed >= room) {
                    self.stopped = Some(Stopped::Enough);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
        }
    }

    fn idle(&mut self) {
        if self.stopped.is_none()
            && let Err(error) = self.out.flush()
        {
            self.fail(error);
        }
    }
}

/// Per-rule counts of one block into the totals.
fn add_counts(totals: &mut Vec<u64>, block: &[u64]) {
    if totals.len() < block.len() {
        totals.resize(block.len(), 0);
    }
    for (total, count) in totals.iter_mut().zip(block) {
        *total += count;
    }
}
