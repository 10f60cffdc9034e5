//! Parallel filtering with ordered output: the reader thread cuts the input
//! into jobs, rayon workers filter blocks, and the calling thread writes
//! the results back in input order. A fixed number of tokens bounds the jobs
//! in flight, so memory stays at a few blocks whatever the input size.

use crate::block::{BlockOutcome, Keep, filter_block_with};
use crate::record::Criteria;
use spitzel_input::{InputProblem, Item, Job, Skipped, read_inputs};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// A finished job, ready to be written in its turn.
pub enum Done {
    Block {
        source: Arc<str>,
        bytes: u64,
        outcome: BlockOutcome,
    },
    Problem(InputProblem),
    Skipped(Skipped),
}

/// What the writer does with each finished job, in order; Break = stop.
pub trait Sink {
    fn take(&mut self, done: Done) -> ControlFlow<()>;
    /// Nothing more is ready right now: a good moment to flush.
    fn idle(&mut self);
}

pub struct Pipeline {
    pub criteria: Arc<Criteria>,
    pub invert: bool,
    pub keep: Keep,
    pub in_flight: usize,
    pub limits: spitzel_input::Limits,
    /// --unique: the workers hash each written record for the writer.
    pub unique: bool,
}

impl Pipeline {
    /// Run to the end of the inputs or until the sink says stop.
    pub fn run(&self, inputs: Vec<String>, sink: &mut dyn Sink) {
        let (done_tx, done_rx) = mpsc::channel::<(u64, Finished)>();
        let (token_tx, token_rx) = mpsc::sync_channel::<()>(self.in_flight);
        for _ in 0..self.in_flight {
            let _ = token_tx.send(());
        }
        let stop = Arc::new(AtomicBool::new(false));
        let reader_stop = stop.clone();
        let criteria = self.criteria.clone();
        // Files are skipped by delivery time only where that cannot change the
        // output: an inverted match prints the events outside the window.
        let skip_window = if self.invert {
            spitzel_core::window::TimeWindow::default()
        } else {
            self.criteria.window
        };
        let (invert, keep, limits, unique) = (self.invert, self.keep, self.limits, self.unique);
        // Detached: when the sink stops early the reader may be blocked in a
        // read; the process ends without waiting for it.
        std::thread::spawn(move || {
            let mut seq = 0u64;
            let finish = |job: Job| finish(job, &criteria, invert, keep, unique);
            read_inputs(&inputs, &skip_window, limits, &finish, &mut |item| {
                if reader_stop.load(Ordering::Relaxed) || token_rx.recv().is_err() {
                    return ControlFlow::Break(());
                }
                let this = seq;
                seq += 1;
                let sent = match item {
                    Item::Finished(done) => done_tx.send((this, Finished::Many(done))),
                    Item::Job(job @ (Job::Problem(_) | Job::Skipped(_))) => {
                        done_tx.send((this, Finished::One(finish(job))))
                    }
                    Item::Job(job) => {
                        let done_tx = done_tx.clone();
                        let criteria = criteria.clone();
                        rayon::spawn(move || {
                            let done = self::finish(job, &criteria, invert, keep, unique);
                            let _ = done_tx.send((this, Finished::One(done)));
                        });
                        Ok(())
                    }
                };
                // The writer is gone: nobody wants more.
                match sent {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                }
            });
        });

        let mut waiting: BTreeMap<u64, Finished> = BTreeMap::new();
        let mut next = 0u64;
        loop {
            let (seq, done) = match done_rx.try_recv() {
                Ok(item) => item,
                Err(mpsc::TryRecvError::Empty) => {
                    sink.idle();
                    match done_rx.recv() {
                        Ok(item) => item,
                        Err(_) => break,
                    }
                }
                Err(mpsc::TryRecvError::Disconnected) => break,
            };
            waiting.insert(seq, done);
            while let Some(finished) = waiting.remove(&next) {
                next += 1;
                let went = match finished {
                    Finished::One(done) => sink.take(done),
                    Finished::Many(done) => done.into_iter().try_for_each(|done| sink.take(done)),
                };
                if went.is_break() {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                let _ = token_tx.send(());
            }
        }
        sink.idle();
    }
}

/// One job's result, or those of a run of small files done together.
enum Finished {
    One(Done),
    Many(Vec<Done>),
}

/// A job made ready for the writer: a block filtered (on a worker thread).
fn finish(job: Job, criteria: &Criteria, invert: bool, keep: Keep, unique: bool) -> Done {
    match job {
        Job::Problem(problem) => Done::Problem(problem),
        Job::Skipped(skipped) => Done::Skipped(skipped),
        Job::Block { source, block } => {
            let outcome = filter_block_with(&block, criteria, invert, keep, unique);
            let bytes = block.data.len() as u64;
            spitzel_input::give_back(block.data);
            Done::Block {
                source,
                bytes,
                outcome,
            }
        }
    }
}
