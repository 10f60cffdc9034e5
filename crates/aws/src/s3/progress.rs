//! The progress line on a terminal and the summary at the end.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::discover::Skipped;
use spitzel_core::dedup::Counts;

#[derive(Debug, Default)]
pub(super) struct Counters {
    pub queued: AtomicU64,
    pub objects: AtomicU64,
    pub bytes: AtomicU64,
    pub records: AtomicU64,
}

pub(super) struct Display {
    done: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Display {
    pub(super) async fn finish(self) {
        self.done.store(true, Ordering::SeqCst);
        let _ = self.task.await;
    }
}

/// One message line during the run: on a terminal the progress line is
/// cleared first, so that the message does not run on from it (the next
/// frame draws the progress line again below it).
pub(super) fn report(display: Option<&Display>, message: impl std::fmt::Display) {
    if display.is_some() {
        eprintln!("\r\x1b[Kspitzel-fetch: {message}");
    } else {
        eprintln!("spitzel-fetch: {message}");
    }
}

fn line(c: &Counters, s: &Skipped) -> String {
    format!(
        "{} of {} objects, {:.1} MB read, {} records written, {} skipped by time",
        c.objects.load(Ordering::Relaxed),
        c.queued.load(Ordering::Relaxed),
        c.bytes.load(Ordering::Relaxed) as f64 / 1e6,
        c.records.load(Ordering::Relaxed),
        s.by_time.load(Ordering::Relaxed),
    )
}

pub(super) fn spawn(counters: Arc<Counters>, skipped: Arc<Skipped>) -> Display {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let task = tokio::spawn(async move {
        let mut err = std::io::stderr();
        while !flag.load(Ordering::SeqCst) {
            let _ = write!(err, "\r\x1b[Kspitzel-fetch: {}", line(&counters, &skipped));
            let _ = err.flush();
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    });
    Display { done, task }
}

/// What was read and what was left alone, one line.
pub(super) fn summary(url: &str, c: &Counters, s: &Skipped, dedup: Counts) -> String {
    format!(
        "{url}: read {} objects ({:.1} MB), wrote {} records; dropped {} duplicate records, {} eventIDs written with different records; not opened: {} of {} listed keys by delivery time, {} CloudTrail-Digest/ folders, {} keys or folders outside the CloudTrail/ layout",
        c.objects.load(Ordering::Relaxed),
        c.bytes.load(Ordering::Relaxed) as f64 / 1e6,
        c.records.load(Ordering::Relaxed),
        dedup.duplicates,
        dedup.conflicts,
        s.by_time.load(Ordering::Relaxed),
        s.listed.load(Ordering::Relaxed),
        s.digest_folders.load(Ordering::Relaxed),
        s.foreign.load(Ordering::Relaxed),
    )
}
