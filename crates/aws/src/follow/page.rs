//! One page of a follow poll: fetched through the region's limiter (the
//! pace the backlog used), then its new events written, recorded in the
//! region's window and saved, all under the sink's lock.

use aws_sdk_cloudtrail::types::Event;
use tokio::sync::watch;

use crate::errors::FetchError;
use crate::lookup::context::{RegionCtx, RunCtx, lock, page_request};
use crate::lookup::failure::describe_failure;
use crate::lookup::pager::{self, PageError};
use crate::lookup::plan::Query;
use crate::lookup::progress::RegionStats;
use crate::lookup::sink::{SinkError, event_secs};

pub(super) enum Fetched {
    /// The events of the page and its NextToken.
    Page(Vec<Event>, Option<String>),
    /// The NextToken was refused (expired): start the chain again.
    Refused,
    Stopped,
}

/// The page of `query` from `start` up to now that `token` names.
pub(super) async fn fetch(
    ctx: &RunCtx,
    region: &RegionCtx,
    query: &Query,
    start: i64,
    token: Option<String>,
    stop: &mut watch::Receiver<bool>,
) -> Result<Fetched, FetchError> {
    let had_token = token.is_some();
    let request = page_request(region, ctx, query, (start, None), token);
    let page = tokio::select! {
        page = pager::fetch_page(&request, &region.limiter, &ctx.policy) => page,
        _ = stop.wait_for(|s| *s) => return Ok(Fetched::Stopped),
    };
    match page {
        Ok(mut output) => {
            let token = output.next_token.take().filter(|t| !t.is_empty());
            Ok(Fetched::Page(
                output.events.take().unwrap_or_default(),
                token,
            ))
        }
        Err(PageError::InvalidNextToken) if had_token => Ok(Fetched::Refused),
        Err(e) => {
            let oldest = lock(&ctx.sink).region_oldest(&region.name);
            Err(describe_failure(&region.name, &region.endpoint, oldest, query, e).into())
        }
    }
}

/// What a page did to the follow.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Taken {
    /// Go on; the oldest eventTime of the page, if it had events, and
    /// whether any of them was new.
    Continue { oldest: Option<i64>, new: bool },
    /// Output closed or --max-events reached: every region stops.
    Stop,
}

/// Write the events of `events` that the region's window does not know,
/// oldest first, record them and save.
pub(super) fn take(
    ctx: &RunCtx,
    region: &str,
    stats: &RegionStats,
    events: &[Event],
) -> Result<Taken, FetchError> {
    let oldest = events.iter().map(event_secs).min();
    let mut sink = lock(&ctx.sink);
    let Some(follow) = sink.state.follow.as_mut() else {
        return Err(FetchError::Invariant("a follow without its state"));
    };
    let window = follow.region(region);
    let mut new: Vec<(&Event, Option<i64>)> = Vec::new();
    for event in events {
        let id = event.event_id().unwrap_or_default();
        if new.iter().any(|(e, _)| e.event_id() == event.event_id()) {
            continue;
        }
        if let super::window::Verdict::New { late_by } = window.judge(id, event_secs(event)) {
            new.push((event, late_by));
        }
    }
    if new.is_empty() {
        return Ok(Taken::Continue { oldest, new: false });
    }
    new.sort_by(|(a, _), (b, _)| {
        event_secs(a)
            .cmp(&event_secs(b))
            .then_with(|| a.event_id().cmp(&b.event_id()))
    });
    let page: Vec<&Event> = new.iter().map(|(e, _)| *e).collect();
    let handled = match sink.write_new(region, &page) {
        Ok(handled) => handled,
        Err(SinkError::Closed) => {
            ctx.closed.store(true, std::sync::atomic::Ordering::SeqCst);
            ctx.stop.send_replace(true);
            return Ok(Taken::Stop);
        }
        Err(SinkError::Failed(e)) => return Err(e),
    };
    if let Some(follow) = sink.state.follow.as_mut() {
        let window = follow.region(region);
        for (event, late_by) in &new[..handled] {
            window.record(event.event_id().unwrap_or_default(), event_secs(event));
            if let Some(by) = late_by {
                stats.arrived_late(*by);
            }
        }
    }
    match sink.save() {
        Ok(()) => {}
        Err(SinkError::Failed(e)) => return Err(e),
        Err(SinkError::Closed) => return Ok(Taken::Stop),
    }
    if sink.enough() {
        ctx.stop.send_replace(true);
        return Ok(Taken::Stop);
    }
    Ok(Taken::Continue { oldest, new: true })
}
