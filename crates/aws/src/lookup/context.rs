//! What a run's queries share (the sink, the stop signal, the retry
//! policy) and each region's client and pace, apart from the paging loops
//! of the backlog (lookup/mod.rs) and of --follow (follow/) that use them.

use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{EventCategory, LookupAttribute, LookupAttributeKey};
use tokio::sync::watch;

use super::pace::Limiter;
use super::pager::RetryPolicy;
use super::plan::Query;
use super::sink::Sink;

pub(crate) fn lock(sink: &Mutex<Sink>) -> MutexGuard<'_, Sink> {
    sink.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) struct RunCtx {
    pub sink: Mutex<Sink>,
    pub stop: watch::Sender<bool>,
    /// Standard output was closed (`| head`): end quietly.
    pub closed: AtomicBool,
    pub policy: RetryPolicy,
    pub start_time: i64,
    pub insight: bool,
}

pub(crate) struct RegionCtx {
    pub name: String,
    pub client: aws_sdk_cloudtrail::Client,
    pub limiter: Limiter,
    pub endpoint: String,
}

/// A page of `query` from `start` to `end` (open: up to now, for --follow).
pub(crate) fn page_request(
    region: &RegionCtx,
    ctx: &RunCtx,
    query: &Query,
    (start, end): (i64, Option<i64>),
    token: Option<String>,
) -> aws_sdk_cloudtrail::operation::lookup_events::builders::LookupEventsFluentBuilder {
    let mut request = region
        .client
        .lookup_events()
        .start_time(DateTime::from_secs(start))
        .set_end_time(end.map(DateTime::from_secs))
        .max_results(50)
        .set_next_token(token);
    if let Some((key, value)) = &query.attribute {
        request = request.lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::from(key.as_str()))
                .attribute_value(value)
                .build()
                .expect("key and value are set"),
        );
    }
    if ctx.insight {
        request = request.event_category(EventCategory::Insight);
    }
    request
}
