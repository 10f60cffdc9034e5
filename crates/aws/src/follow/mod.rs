//! --follow: after the window has been read, keep reading what LookupEvents
//! shows next. `window` is each region's trailing window (which events
//! were handled, bounded in time), `region` polls one region, `page` turns
//! one answer into the new events written.
//!
//! LookupEvents shows an event minutes after the call (typically within 5,
//! sometimes 15) and not in eventTime order, so a poll cannot start at the
//! newest event written: each sweep re-reads every query of the region from
//! `--trailing-window` before the newest eventTime handled when the sweep
//! before it began (so an event shown during a long sweep is still reached
//! by the next), and the window tells which events are new. The window is measured in eventTime, not on
//! this machine's clock, so a skewed clock cannot move it. Between the pages
//! of a long sweep, a head poll reads the newest pages of each query down
//! to the newest event handled, so that on-time events do not wait for the
//! sweep.

mod page;
mod region;
pub(crate) mod window;

use std::sync::Arc;

use tokio::sync::watch;

use crate::errors::FetchError;
use crate::lookup::context::{RegionCtx, RunCtx, lock};
use crate::lookup::progress::RegionStats;
use crate::options::FollowOptions;

/// Follow every region until a stop (signal, closed output, --max-events)
/// or an error; the errors of the regions that failed.
pub(crate) async fn follow(
    ctx: &Arc<RunCtx>,
    regions: &[Arc<RegionCtx>],
    stats: &[Arc<RegionStats>],
    options: FollowOptions,
    stop: &watch::Receiver<bool>,
) -> Vec<FetchError> {
    let queries = lock(&ctx.sink).state.planned();
    let mut tasks = tokio::task::JoinSet::new();
    for (region, stats) in regions.iter().zip(stats) {
        let mine = queries
            .iter()
            .filter(|(r, _)| *r == region.name)
            .map(|(_, q)| q.clone())
            .collect();
        tasks.spawn(region::follow_region(
            ctx.clone(),
            region.clone(),
            stats.clone(),
            mine,
            options,
            stop.clone(),
        ));
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                // One region failing ends the follow: a silent region
                // would look like a quiet one.
                ctx.stop.send_replace(true);
                failures.push(e);
            }
            Err(e) => {
                ctx.stop.send_replace(true);
                failures.push(e.into());
            }
        }
    }
    failures
}
