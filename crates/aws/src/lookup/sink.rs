//! Where pages go: record lines, de-duplication, --max-events, and the
//! checkpoint, all updated together under one lock so that the saved state
//! always describes exactly the bytes written.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use aws_sdk_cloudtrail::primitives::DateTimeFormat;
use aws_sdk_cloudtrail::types::Event;

use spitzel_core::actions::ActionMatcher;

use super::progress::RegionStats;
use super::state::Checkpoint;
use crate::checkpoint;
use crate::destination::Destination;
use crate::errors::{FetchError, OutputError};

/// What a page did to the run.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Accepted {
    Continue,
    /// --max-events reached: stop every query.
    Enough,
}

#[derive(Debug)]
pub(crate) enum SinkError {
    /// The reader went away (closed pipe): end quietly.
    Closed,
    Failed(FetchError),
}

pub(crate) struct Sink {
    out: Destination,
    envelope: bool,
    matcher: ActionMatcher,
    max_events: Option<u64>,
    pub state: Checkpoint,
    checkpoint_path: Option<PathBuf>,
    /// Regions with several queries, whose results need de-duplication.
    unioned: Vec<String>,
    stats: HashMap<String, Arc<RegionStats>>,
    /// Events skipped by this process for a missing or malformed
    /// CloudTrailEvent (each reported on stderr, the first REPORTED_SKIPS).
    pub skipped: u64,
}

/// Skipped events reported one by one; the rest are only counted.
const REPORTED_SKIPS: u64 = 100;

impl Sink {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        out: Destination,
        envelope: bool,
        matcher: ActionMatcher,
        max_events: Option<u64>,
        state: Checkpoint,
        checkpoint_path: Option<PathBuf>,
        stats: &[Arc<RegionStats>],
    ) -> Sink {
        let mut per_region: HashMap<&str, usize> = HashMap::new();
        for q in &state.queries {
            *per_region.entry(q.region.as_str()).or_default() += 1;
        }
        let unioned = per_region
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(r, _)| r.to_string())
            .collect();
        Sink {
            out,
            envelope,
            matcher,
            max_events,
            state,
            checkpoint_path,
            unioned,
            stats: stats
                .iter()
                .map(|s| (s.region.clone(), s.clone()))
                .collect(),
            skipped: 0,
        }
    }

    pub(crate) fn enough(&self) -> bool {
        self.max_events.is_some_and(|max| self.state.written >= max)
    }

    /// Write one page of query `qi` and record it; `next_token` is the page's.
    pub(super) fn accept(
        &mut self,
        qi: usize,
        events: &[Event],
        next_token: Option<String>,
    ) -> Result<Accepted, SinkError> {
        let region = self.state.queries[qi].region.clone();
        let union = self.unioned.contains(&region);
        let mut progress = self.state.queries[qi].clone();
        let mut seen_now: Vec<String> = Vec::new();
        let mut buf = Vec::new();
        let mut written = 0u64;
        let mut cut_short = false;
        // Handle the page newest first in a fixed order, whatever order it
        // came in: a page cut short then handles a prefix, and every
        // unhandled event of it is at or before `oldest`.
        let mut page: Vec<&Event> = events.iter().collect();
        page.sort_by(|a, b| {
            event_secs(b)
                .cmp(&event_secs(a))
                .then_with(|| a.event_id().cmp(&b.event_id()))
        });
        let refetch = !progress.cut_ids.is_empty();
        if !refetch
            && let (Some(oldest), Some(newest)) = (progress.oldest, page.first())
            && event_secs(newest) > oldest
        {
            progress.unordered = true;
        }
        let mut handled_now: Vec<String> = Vec::new();
        for event in page {
            if self
                .max_events
                .is_some_and(|max| self.state.written + written >= max)
            {
                cut_short = true;
                break;
            }
            let id = event.event_id().unwrap_or_default();
            let time = event_secs(event);
            // Handled before --max-events cut this page short.
            if refetch && progress.cut_ids.iter().any(|seen| seen == id) {
                continue;
            }
            match progress.oldest {
                Some(oldest) if time == oldest => {
                    // Handled before a refused token restarted the chain at
                    // this second.
                    if progress.ids_at_oldest.iter().any(|seen| seen == id) {
                        continue;
                    }
                    progress.ids_at_oldest.push(id.to_string());
                }
                // Newer than the oldest handled: new in this chain all the
                // same (the token chain never repeats an event).
                Some(oldest) if time > oldest => {}
                _ => {
                    progress.oldest = Some(time);
                    progress.ids_at_oldest = vec![id.to_string()];
                }
            }
            handled_now.push(id.to_string());
            // --follow re-reads the end of the window: it must know this one.
            if let Some(follow) = self.state.follow.as_mut() {
                follow.region(&region).note(id, time);
            }
            if !self.matches(event) {
                continue;
            }
            if union {
                let seen = self.state.seen.get(&region);
                if seen.is_some_and(|s| s.contains(id)) || seen_now.iter().any(|s| s == id) {
                    continue;
                }
                seen_now.push(id.to_string());
            }
            if !self.well_formed(&region, event) {
                continue;
            }
            self.format(event, &mut buf);
            written += 1;
        }
        self.write_out(&buf)?;
        // A page cut short by --max-events keeps its token: a later run with a
        // larger limit refetches it and skips what was handled.
        if cut_short {
            progress.cut_ids.extend(handled_now);
        } else {
            progress.cut_ids.clear();
            progress.done = next_token.is_none();
            progress.next_token = next_token;
            progress.pages += 1;
        }
        progress.events += written;
        if let Some(stats) = self.stats.get(&region) {
            stats.events.fetch_add(written, Ordering::Relaxed);
            stats.pages.fetch_add(1, Ordering::Relaxed);
            if let Some(oldest) = progress.oldest {
                stats.saw(oldest);
            }
        }
        self.state.queries[qi] = progress;
        if let Some(stats) = self.stats.get(&region) {
            let finished = self
                .state
                .queries
                .iter()
                .all(|q| q.region != region || q.done);
            stats.finished.store(finished, Ordering::Relaxed);
        }
        if union && !seen_now.is_empty() {
            self.state.seen.entry(region).or_default().extend(seen_now);
        }
        self.state.written += written;
        if let Some(len) = self.state.output_len.as_mut() {
            *len += buf.len() as u64;
        }
        self.save()?;
        Ok(if self.enough() {
            Accepted::Enough
        } else {
            Accepted::Continue
        })
    }

    /// Write the events --follow found new in `region`, in the order given,
    /// without saving: the caller records them and then saves. Returns how
    /// many of `events` were handled (fewer when --max-events was reached).
    pub(crate) fn write_new(
        &mut self,
        region: &str,
        events: &[&Event],
    ) -> Result<usize, SinkError> {
        let mut buf = Vec::new();
        let mut written = 0u64;
        let mut handled = 0;
        for event in events {
            if self
                .max_events
                .is_some_and(|max| self.state.written + written >= max)
            {
                break;
            }
            handled += 1;
            if self.matches(event) && self.well_formed(region, event) {
                self.format(event, &mut buf);
                written += 1;
            }
        }
        self.write_out(&buf)?;
        if let Some(stats) = self.stats.get(region) {
            stats.events.fetch_add(written, Ordering::Relaxed);
            stats.pages.fetch_add(1, Ordering::Relaxed);
        }
        self.state.written += written;
        if let Some(len) = self.state.output_len.as_mut() {
            *len += buf.len() as u64;
        }
        Ok(handled)
    }

    fn matches(&self, event: &Event) -> bool {
        self.matcher.matches_all()
            || self.matcher.matches(
                event.event_source().unwrap_or_default(),
                event.event_name().unwrap_or_default(),
            )
    }

    /// Whether the event has a record to write; one that has not is
    /// reported (the first REPORTED_SKIPS) and counted.
    fn well_formed(&mut self, region: &str, event: &Event) -> bool {
        let Err(why) = check_record(event.cloud_trail_event()) else {
            return true;
        };
        self.skipped += 1;
        if self.skipped <= REPORTED_SKIPS {
            let when = event
                .event_time()
                .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
                .unwrap_or_default();
            let _ = writeln!(
                std::io::stderr(),
                "spitzel-fetch: {region}: event {} ({when}) skipped: {why}",
                event.event_id().unwrap_or_default().escape_debug()
            );
        }
        false
    }

    /// Write and flush (a file also synced); a closed reader is `Closed`.
    fn write_out(&mut self, buf: &[u8]) -> Result<(), SinkError> {
        if buf.is_empty() {
            return Ok(());
        }
        self.out.write_page(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                SinkError::Closed
            } else {
                SinkError::Failed(OutputError::Write(e).into())
            }
        })
    }

    /// The saved token was refused: restart the chain at the oldest second
    /// handled; `accept` skips the ids already handled there. That is only
    /// sound when the chain's pages came in time order: otherwise refuse
    /// (false) rather than lose the events still due after the refused token.
    pub(super) fn restart_query(&mut self, qi: usize) -> bool {
        let progress = &mut self.state.queries[qi];
        if progress.unordered {
            return false;
        }
        progress.next_token = None;
        progress.cut_ids.clear();
        if let Some(oldest) = progress.oldest {
            progress.end_time = oldest;
        }
        true
    }

    pub(crate) fn save(&self) -> Result<(), SinkError> {
        if let Some(path) = &self.checkpoint_path {
            checkpoint::save_or_say(path, &self.state).map_err(|e| SinkError::Failed(e.into()))?;
        }
        Ok(())
    }

    /// Oldest eventTime handled in `region`, seconds.
    pub(crate) fn region_oldest(&self, region: &str) -> Option<i64> {
        self.state
            .queries
            .iter()
            .filter(|q| q.region == region)
            .filter_map(|q| q.oldest)
            .min()
    }

    fn format(&self, event: &Event, buf: &mut Vec<u8>) {
        match (self.envelope, event.cloud_trail_event()) {
            // check_record let only objects through.
            (false, Some(record)) => {
                // Records are compact JSON; a newline could only be
                // whitespace between tokens, and must not split the line.
                if memchr::memchr2(b'\n', b'\r', record.as_bytes()).is_some() {
                    buf.extend(
                        record
                            .bytes()
                            .map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
                    );
                } else {
                    buf.extend_from_slice(record.as_bytes());
                }
            }
            _ => {
                let envelope = envelope(event);
                // Serialising a Value to a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *buf, &envelope);
            }
        }
        buf.push(b'\n');
    }
}

/// A CloudTrailEvent must be one JSON object: anything else is not a
/// record, and written out it would poison every reader downstream.
fn check_record(record: Option<&str>) -> Result<(), String> {
    let Some(record) = record else {
        return Err("it has no CloudTrailEvent".to_string());
    };
    let shown = || {
        let mut cut: String = record.chars().take(40).collect();
        if cut.len() < record.len() {
            cut.push('…');
        }
        cut.escape_debug().to_string()
    };
    if !record.trim_start().starts_with('{') {
        return Err(format!(
            "its CloudTrailEvent is not a JSON object: \"{}\"",
            shown()
        ));
    }
    serde_json::from_str::<serde::de::IgnoredAny>(record)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "its CloudTrailEvent is not valid JSON ({e}): \"{}\"",
                shown()
            )
        })
}

pub(crate) fn event_secs(event: &Event) -> i64 {
    event.event_time().map(|t| t.secs()).unwrap_or(i64::MIN)
}

/// The whole LookupEvents event, CloudTrailEvent parsed into an object.
pub(super) fn envelope(event: &Event) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = value {
            map.insert(key.to_string(), value.into());
        }
    };
    put("EventId", event.event_id());
    put("EventName", event.event_name());
    put("ReadOnly", event.read_only());
    put("AccessKeyId", event.access_key_id());
    let time = event
        .event_time()
        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok());
    put("EventTime", time.as_deref());
    put("EventSource", event.event_source());
    put("Username", event.username());
    let resources: Vec<serde_json::Value> = event
        .resources()
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            if let Some(t) = r.resource_type() {
                m.insert("ResourceType".into(), t.into());
            }
            if let Some(n) = r.resource_name() {
                m.insert("ResourceName".into(), n.into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    map.insert("Resources".into(), resources.into());
    if let Some(record) = event.cloud_trail_event() {
        let parsed = serde_json::from_str(record).unwrap_or_else(|_| record.into());
        map.insert("CloudTrailEvent".into(), parsed);
    }
    serde_json::Value::Object(map)
}
