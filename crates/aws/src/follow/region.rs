//! Following one region: sweeps and head polls of its queries, one request
//! at a time through the region's limiter.
//!
//! A sweep reads every query of the region from the window's floor up to
//! now, page by page; sweeps start at most once per --poll-interval. While a
//! sweep is under way and a poll interval has passed, a head poll reads
//! each query's newest pages down to the newest event handled before it,
//! and further while they still bring new (late) events.
//! The window's floor moves only when a sweep starts, so no page read
//! afterwards reaches below it.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::time::Instant;

use super::page::{self, Fetched, Taken};
use crate::errors::FetchError;
use crate::lookup::context::{RegionCtx, RunCtx, lock};
use crate::lookup::plan::Query;
use crate::lookup::progress::RegionStats;
use crate::options::FollowOptions;

struct Sweep {
    /// The query being read, its floor and its next page.
    query: usize,
    start: i64,
    token: Option<String>,
    /// When the sweep began, unix seconds.
    began: i64,
}

fn unix_now() -> i64 {
    spitzel_core::window::now() / 1_000_000_000
}

pub(super) async fn follow_region(
    ctx: Arc<RunCtx>,
    region: Arc<RegionCtx>,
    stats: Arc<RegionStats>,
    queries: Vec<Query>,
    options: FollowOptions,
    mut stop: watch::Receiver<bool>,
) -> Result<(), FetchError> {
    let mut sweep: Option<Sweep> = None;
    let mut last_sweep: Option<Instant> = None;
    let mut last_head: Option<Instant> = None;
    let due = |last: Option<Instant>| last.is_none_or(|t| t.elapsed() >= options.interval);
    loop {
        if *stop.borrow() || queries.is_empty() {
            return Ok(());
        }
        let Some(current) = sweep.as_mut() else {
            if let Some(last) = last_sweep.filter(|_| !due(last_sweep)) {
                tokio::select! {
                    _ = tokio::time::sleep_until(last + options.interval) => {}
                    _ = stop.wait_for(|s| *s) => return Ok(()),
                }
                continue;
            }
            let start = {
                let mut sink = lock(&ctx.sink);
                match sink.state.follow.as_mut() {
                    Some(follow) => follow.region(&region.name).advance(options.trailing),
                    None => return Ok(()),
                }
            };
            sweep = Some(Sweep {
                query: 0,
                start,
                token: None,
                began: unix_now(),
            });
            // A sweep's first pages are a head poll as well.
            last_sweep = Some(Instant::now());
            last_head = last_sweep;
            continue;
        };
        if due(last_head) {
            let began = unix_now();
            last_head = Some(Instant::now());
            for query in &queries {
                if !head(&ctx, &region, &stats, query, options.trailing, &mut stop).await? {
                    return Ok(());
                }
            }
            stats
                .synced
                .fetch_max(began, std::sync::atomic::Ordering::Relaxed);
            continue;
        }
        let query = &queries[current.query];
        let token = current.token.take();
        match page::fetch(&ctx, &region, query, current.start, token, &mut stop).await? {
            Fetched::Stopped => return Ok(()),
            // An expired token: read the query again; the window knows what
            // was handled.
            Fetched::Refused => {}
            Fetched::Page(events, next) => {
                if page::take(&ctx, &region.name, &stats, &events)? == Taken::Stop {
                    return Ok(());
                }
                match next {
                    Some(token) => current.token = Some(token),
                    None if current.query + 1 < queries.len() => current.query += 1,
                    None => {
                        stats
                            .synced
                            .fetch_max(current.began, std::sync::atomic::Ordering::Relaxed);
                        sweep = None;
                    }
                }
            }
        }
    }
}

/// Read `query`'s newest pages down to the newest event handled before,
/// and on while they bring new events; false when the follow stops.
async fn head(
    ctx: &RunCtx,
    region: &RegionCtx,
    stats: &RegionStats,
    query: &Query,
    trailing: i64,
    stop: &mut watch::Receiver<bool>,
) -> Result<bool, FetchError> {
    let (start, newest) = {
        let mut sink = lock(&ctx.sink);
        match sink.state.follow.as_mut() {
            Some(follow) => {
                let window = follow.region(&region.name);
                (window.start(trailing), window.high_water)
            }
            None => return Ok(false),
        }
    };
    let mut token = None;
    loop {
        match page::fetch(ctx, region, query, start, token.take(), stop).await? {
            Fetched::Stopped => return Ok(false),
            Fetched::Refused => return Ok(true),
            Fetched::Page(events, next) => {
                match page::take(ctx, &region.name, stats, &events)? {
                    Taken::Stop => return Ok(false),
                    Taken::Continue { oldest, new } => {
                        // Below the newest event handled before, pages are
                        // the sweep's, but late events gather just below
                        // it: go on while pages still bring new ones.
                        if next.is_none() || (!new && oldest.is_none_or(|t| t <= newest)) {
                            return Ok(true);
                        }
                    }
                }
                token = next;
            }
        }
    }
}
