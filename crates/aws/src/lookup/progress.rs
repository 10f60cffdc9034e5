//! Progress display: one line per region on stderr, redrawn in place.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counters of one region, updated by the sink, read by the display.
#[derive(Debug)]
pub(crate) struct RegionStats {
    pub region: String,
    pub events: AtomicU64,
    pub pages: AtomicU64,
    /// Oldest eventTime seen, seconds; i64::MAX = none yet.
    pub oldest: AtomicI64,
    /// Every query of the region has read its last page.
    pub finished: AtomicBool,
    /// --follow: when the last complete poll began (unix seconds; every
    /// event the API showed then is written), i64::MIN before the first.
    pub synced: AtomicI64,
    /// --follow: events that came after newer ones, and the most seconds
    /// one was older than the newest before it.
    pub late: AtomicU64,
    pub late_by_max: AtomicI64,
}

impl RegionStats {
    pub(super) fn new(region: &str) -> RegionStats {
        RegionStats {
            region: region.to_string(),
            events: AtomicU64::new(0),
            pages: AtomicU64::new(0),
            oldest: AtomicI64::new(i64::MAX),
            finished: AtomicBool::new(false),
            synced: AtomicI64::new(i64::MIN),
            late: AtomicU64::new(0),
            late_by_max: AtomicI64::new(0),
        }
    }

    pub(crate) fn arrived_late(&self, by: i64) {
        self.late.fetch_add(1, Ordering::Relaxed);
        self.late_by_max.fetch_max(by, Ordering::Relaxed);
    }

    /// What --follow adds to the line: how far behind now the region is,
    /// and its late arrivals.
    pub(crate) fn follow_summary(&self, now: i64) -> String {
        let lag = match self.synced.load(Ordering::Relaxed) {
            i64::MIN => "lag -".to_string(),
            at => format!("lag {}s", (now - at).max(0)),
        };
        format!(
            "{lag}, {} late (up to {}s)",
            self.late.load(Ordering::Relaxed),
            self.late_by_max.load(Ordering::Relaxed)
        )
    }

    pub(super) fn saw(&self, event_time: i64) {
        self.oldest.fetch_min(event_time, Ordering::Relaxed);
    }
}

/// Percentage of [start, end] covered, reading newest to oldest.
pub(super) fn covered(start: i64, end: i64, oldest: i64) -> f64 {
    if oldest == i64::MAX {
        return 0.0;
    }
    if end <= start {
        return 100.0;
    }
    ((end - oldest) as f64 / (end - start) as f64 * 100.0).clamp(0.0, 100.0)
}

pub(super) fn render_line(stats: &RegionStats, start: i64, end: i64, elapsed: Duration) -> String {
    let events = stats.events.load(Ordering::Relaxed);
    let pages = stats.pages.load(Ordering::Relaxed);
    let rate = events as f64 / elapsed.as_secs_f64().max(0.001);
    let percent = if stats.finished.load(Ordering::Relaxed) {
        100.0
    } else {
        covered(start, end, stats.oldest.load(Ordering::Relaxed))
    };
    if stats.synced.load(Ordering::Relaxed) != i64::MIN {
        return format!(
            "{:<16} {events:>9} events {pages:>7} pages following: {}",
            stats.region,
            stats.follow_summary(spitzel_core::window::now() / 1_000_000_000)
        );
    }
    format!(
        "{:<16} {events:>9} events {pages:>7} pages {rate:>8.1} ev/s {percent:>5.1}% of window",
        stats.region
    )
}

/// Redraw every region's line until `stop` fires, then draw a final frame.
pub(super) async fn display(
    regions: Vec<Arc<RegionStats>>,
    start: i64,
    end: i64,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let began = Instant::now();
    let mut drawn = false;
    loop {
        let finished = tokio::time::timeout(Duration::from_millis(250), stop.wait_for(|s| *s))
            .await
            .is_ok();
        let mut frame = String::new();
        if drawn {
            frame.push_str(&format!("\x1b[{}A", regions.len()));
        }
        for stats in &regions {
            frame.push_str("\x1b[2K");
            frame.push_str(&render_line(stats, start, end, began.elapsed()));
            frame.push('\n');
        }
        let _ = std::io::stderr().write_all(frame.as_bytes());
        drawn = true;
        if finished {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_runs_from_the_window_end_back_to_its_start() {
        assert_eq!(covered(0, 100, i64::MAX), 0.0);
        assert_eq!(covered(0, 100, 75), 25.0);
        assert_eq!(covered(0, 100, -5), 100.0);
        let stats = RegionStats::new("eu-west-1");
        stats.saw(50);
        stats.saw(60);
        assert!(render_line(&stats, 0, 100, Duration::from_secs(1)).contains("50.0%"));
    }
}
