//! Deciding the monotone correlations as events arrive (spitzel-filter
//! --live), with the frames and hits of [`super::decide`].
//!
//! A correlation is *monotone* when its condition has only lower bounds
//! (`gt`, `gte`, or none: the temporal types then need every rule). Every
//! count a frame can have only grows when an event is added to it:
//! `event_count` counts distinct events, `value_count` distinct values,
//! `temporal` distinct rules, and `temporal_ordered` the longest prefix of
//! the rules found in order, which a superset of events can only lengthen.
//! Adding an event also never removes a frame (a frame starts at each
//! distinct event time). So a frame that meets a monotone condition over
//! the events seen so far meets it over the whole input, its events are
//! events of a hit of the whole input, and every hit of the whole input is
//! made of such frames: deciding here, as each event arrives, gives at the
//! end exactly the hits' events of [`super::decide`], whatever the order
//! of arrival. Only how hits were first seen differs: two hits seen apart
//! may later merge into one when an event joins them.
//!
//! An arriving event at time t can only change the frames that contain
//! it, those starting in [t − timespan, t]; only those are counted again,
//! over the events of its group in [t − timespan, t + timespan]. When it
//! is the newest of its group (a follow, mostly), each of those frames
//! holds every event from its start on, an earlier one a superset, so the
//! count walks back from t only to the first frame met before: a burst
//! that meets the condition costs a few events' work an event.
//!
//! A chained correlation is monotone when it is and all the correlations
//! it refers to are: their hits' events only grow, and each is handed on
//! to it as it joins a hit.

use super::decide::{Event, Hit};
use super::resolve::Correlations;
use super::{Bounds, Kind, Source};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

/// An event joined a hit of a correlation, in `group`.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub correlation: usize,
    pub group: Vec<Value>,
    pub event: u32,
}

/// What one arriving event changed.
#[derive(Debug, Default)]
pub struct Changes {
    /// Events that joined a hit (the arriving one, or earlier ones a frame
    /// that now meets the condition holds), each once per correlation and
    /// group over the whole run.
    pub joined: Vec<Joined>,
    /// Hits seen for the first time: (correlation, the hit as it is now).
    /// A frame that meets the condition and overlaps one met before is
    /// part of that hit, and is not here.
    pub fired: Vec<(usize, Hit)>,
}

/// The state of the monotone correlations.
pub struct Live {
    /// Per correlation: its groups when decided here, None when it is
    /// decided at the end of the input.
    states: Vec<Option<HashMap<String, Group>>>,
    field_index: HashMap<String, usize>,
    /// Per rule: the monotone correlations using it (correlation, source).
    rule_users: Vec<Vec<(usize, usize)>>,
    /// Per correlation: the monotone correlations using its hits' events.
    chain_users: Vec<Vec<(usize, usize)>>,
    /// Per correlation: the events in one of its hits.
    members: Vec<HashSet<u32>>,
    events: Vec<Event>,
    /// About what the state takes in memory, in bytes.
    bytes: u64,
}

struct Group {
    values: Vec<Value>,
    /// Sorted by (time, event, source).
    entries: Vec<Entry>,
    /// The starts of the frames that met the condition.
    met: BTreeSet<i64>,
    /// Events in a hit of this group.
    members: HashSet<u32>,
    window: Window,
    /// The starts (event times) of the frames not met: a late event has
    /// nothing to count when none holds it.
    unmet: BTreeSet<i64>,
    /// Over all the group's events: the distinct values (value_count) and
    /// rules present, which bound every frame's count.
    all_values: HashSet<String>,
    all_sources: Vec<bool>,
}

impl Group {
    /// The largest count any frame of the group can have.
    fn bound(&self, kind: &Kind) -> u64 {
        match kind {
            Kind::EventCount => self.entries.len() as u64,
            Kind::ValueCount { .. } => self.all_values.len() as u64,
            Kind::Temporal | Kind::TemporalOrdered => {
                self.all_sources.iter().filter(|&&p| p).count() as u64
            }
        }
    }
}

/// The counts over the group's events in [newest − timespan, newest]. A
/// frame holding the newest event, when that is the one arriving, holds
/// only events of the window, so while the window's count does not meet
/// the condition no such frame can: a burst whose frames stay below it
/// costs no walk.
struct Window {
    /// Events from this time on are counted.
    from: i64,
    identities: HashMap<Result<String, u32>, u32>,
    values: HashMap<String, u32>,
    per_source: Vec<u32>,
    present: usize,
}

impl Window {
    fn new(sources: usize) -> Window {
        Window {
            from: i64::MIN,
            identities: HashMap::new(),
            values: HashMap::new(),
            per_source: vec![0; sources],
            present: 0,
        }
    }

    fn identity(events: &[Event], entry: &Entry) -> Result<String, u32> {
        events[entry.event as usize]
            .event_id
            .clone()
            .ok_or(entry.event)
    }

    fn add(&mut self, events: &[Event], entry: &Entry) {
        *self
            .identities
            .entry(Self::identity(events, entry))
            .or_default() += 1;
        if let Some(value) = &entry.value {
            *self.values.entry(value.clone()).or_default() += 1;
        }
        self.per_source[entry.source] += 1;
        if self.per_source[entry.source] == 1 {
            self.present += 1;
        }
    }

    fn remove(&mut self, events: &[Event], entry: &Entry) {
        let identity = Self::identity(events, entry);
        if let Some(count) = self.identities.get_mut(&identity) {
            *count -= 1;
            if *count == 0 {
                self.identities.remove(&identity);
            }
        }
        if let Some(value) = &entry.value
            && let Some(count) = self.values.get_mut(value)
        {
            *count -= 1;
            if *count == 0 {
                self.values.remove(value);
            }
        }
        self.per_source[entry.source] -= 1;
        if self.per_source[entry.source] == 0 {
            self.present -= 1;
        }
    }

    /// The largest count a frame of the window can have.
    fn bound(&self, kind: &Kind) -> u64 {
        match kind {
            Kind::EventCount => self.identities.len() as u64,
            Kind::ValueCount { .. } => self.values.len() as u64,
            // The rules found in order are among those present.
            Kind::Temporal | Kind::TemporalOrdered => self.present as u64,
        }
    }
}

struct Entry {
    time: i64,
    event: u32,
    source: usize,
    /// value_count's value, as JSON text (None: null or missing).
    value: Option<String>,
}

/// Whether every bound of `bounds` is a lower one.
pub fn monotone(bounds: &Bounds) -> bool {
    bounds.lt.is_none() && bounds.lte.is_none() && bounds.eq.is_none()
}

impl Live {
    /// The state for `correlations`, whose rules number `rules`.
    pub fn new(correlations: &Correlations, rules: usize) -> Live {
        let fields = correlations.fields();
        let list = &correlations.list;
        let mut live = vec![false; list.len()];
        let mut rule_users = vec![Vec::new(); rules];
        let mut chain_users = vec![Vec::new(); list.len()];
        for (number, correlation) in list.iter().enumerate() {
            let bounds = correlation.rule.condition.unwrap_or_default();
            // Inner correlations come first in the list.
            live[number] = monotone(&bounds)
                && correlation.sources.iter().all(|source| match *source {
                    Source::Rule(_) => true,
                    Source::Correlation(inner) => live.get(inner).copied().unwrap_or(false),
                });
            if !live[number] {
                continue;
            }
            for (index, source) in correlation.sources.iter().enumerate() {
                match *source {
                    Source::Rule(rule) => {
                        if let Some(users) = rule_users.get_mut(rule as usize) {
                            users.push((number, index));
                        }
                    }
                    Source::Correlation(inner) => chain_users[inner].push((number, index)),
                }
            }
        }
        Live {
            states: live.iter().map(|&live| live.then(HashMap::new)).collect(),
            field_index: fields
                .into_iter()
                .enumerate()
                .map(|(i, f)| (f, i))
                .collect(),
            rule_users,
            chain_users,
            members: vec![HashSet::new(); list.len()],
            events: Vec::new(),
            bytes: 0,
        }
    }

    /// Whether correlation `number` is decided here.
    pub fn is_live(&self, number: usize) -> bool {
        self.states.get(number).is_some_and(Option::is_some)
    }

    /// Whether any correlation is decided here.
    pub fn any(&self) -> bool {
        self.states.iter().any(Option::is_some)
    }

    /// Whether a correlation decided here uses one of `rules` (an event
    /// matching none of them need not be added).
    pub fn uses(&self, rules: &[u32]) -> bool {
        rules.iter().any(|&rule| {
            self.rule_users
                .get(rule as usize)
                .is_some_and(|users| !users.is_empty())
        })
    }

    /// About what the state takes in memory, in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The events added, by the number [`Live::add`] gave them.
    pub fn event(&self, number: u32) -> &Event {
        &self.events[number as usize]
    }

    /// Add an event that matched `rules`: its number, and what changed.
    pub fn add(
        &mut self,
        correlations: &Correlations,
        event: Event,
        rules: &[u32],
    ) -> (u32, Changes) {
        let number = self.events.len() as u32;
        // Estimates with the allocator's overhead, checked against peak
        // RSS over 300,000 events (bench/README.md, Live correlations).
        self.bytes += 160
            + event.event_id.as_ref().map_or(0, |id| id.len() as u64)
            + event
                .fields
                .iter()
                .map(|v| match v {
                    Value::String(text) => 48 + text.len() as u64,
                    // Rarer (numbers, arrays): a flat guess, not a walk.
                    _ => 64,
                })
                .sum::<u64>();
        self.events.push(event);
        let mut work: Vec<(usize, usize, u32)> = Vec::new();
        for &rule in rules {
            if let Some(users) = self.rule_users.get(rule as usize) {
                work.extend(users.iter().map(|&(c, s)| (c, s, number)));
            }
        }
        let mut changes = Changes::default();
        // Inner correlations hand their new members on to outer ones.
        let mut next = 0;
        while next < work.len() {
            let (correlation, source, event) = work[next];
            next += 1;
            let before = changes.joined.len();
            self.add_entry(correlations, correlation, source, event, &mut changes);
            for joined in &changes.joined[before..] {
                if self.members[correlation].insert(joined.event) {
                    work.extend(
                        self.chain_users[correlation]
                            .iter()
                            .map(|&(c, s)| (c, s, joined.event)),
                    );
                }
            }
        }
        (number, changes)
    }

    fn add_entry(
        &mut self,
        correlations: &Correlations,
        number: usize,
        source: usize,
        event_number: u32,
        changes: &mut Changes,
    ) {
        let correlation = &correlations.list[number];
        let event = &self.events[event_number as usize];
        let read = |field: &str| {
            self.field_index
                .get(field)
                .and_then(|&i| event.fields.get(i))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let group: Vec<Value> = correlation.group_fields[source]
            .iter()
            .map(|f| read(f))
            .collect();
        let value = match correlation.rule.kind {
            Kind::ValueCount { .. } => match read(&correlation.value_fields[source]) {
                Value::Null => None,
                value => Some(value.to_string()),
            },
            _ => None,
        };
        let time = event.time;
        let key = Value::Array(group.clone()).to_string();
        let Some(Some(state)) = self.states.get_mut(number) else {
            return;
        };
        self.bytes += 96 + value.as_ref().map_or(0, |v| v.len() as u64);
        let group = state.entry(key).or_insert_with(|| {
            self.bytes += 128;
            Group {
                values: group,
                entries: Vec::new(),
                met: BTreeSet::new(),
                members: HashSet::new(),
                window: Window::new(correlation.sources.len()),
                unmet: BTreeSet::new(),
                all_values: HashSet::new(),
                all_sources: vec![false; correlation.sources.len()],
            }
        });
        let entry = Entry {
            time,
            event: event_number,
            source,
            value,
        };
        let span = correlation.rule.timespan;
        // The window moves to the newest time, then takes the entry in.
        let newest = group.entries.last().map_or(time, |e| e.time.max(time));
        let window_from = newest.saturating_sub(span);
        if window_from > group.window.from {
            let entries = &group.entries;
            let first = entries.partition_point(|e| e.time < group.window.from);
            let end = entries.partition_point(|e| e.time < window_from);
            for old in &entries[first..end] {
                group.window.remove(&self.events, old);
            }
            group.window.from = window_from;
        }
        if time >= group.window.from {
            group.window.add(&self.events, &entry);
        }
        if let Some(value) = &entry.value
            && !group.all_values.contains(value)
        {
            self.bytes += 48 + value.len() as u64;
            group.all_values.insert(value.clone());
        }
        group.all_sources[source] = true;
        let at = group
            .entries
            .partition_point(|e| (e.time, e.event, e.source) < (time, event_number, source));
        let same_time = |i: usize| group.entries.get(i).is_some_and(|e| e.time == time);
        let new_time = !(same_time(at) || at > 0 && same_time(at - 1));
        if new_time {
            // A new start, not met yet.
            self.bytes += 48;
            group.unmet.insert(time);
        }
        group.entries.insert(at, entry);

        let sources = correlation.sources.len();
        let bounds = correlation.rule.condition.unwrap_or(Bounds {
            gte: Some(sources as u64),
            ..Default::default()
        });
        let entries = &group.entries;
        let kind = &correlation.rule.kind;
        let from = time.saturating_sub(span);
        let lo = entries.partition_point(|e| e.time < from);
        // The frames starting in [t − timespan, t] are those holding t.
        let newest_one = at + 1 == entries.len();
        let newly = if !bounds.holds(group.bound(kind))
            || (newest_one && !bounds.holds(group.window.bound(kind)))
            || group.unmet.range(from..=time).next().is_none()
        {
            Vec::new()
        } else if newest_one {
            newest_frames(
                &correlation.rule.kind,
                sources,
                &bounds,
                &self.events,
                entries,
                lo,
                &group.met,
            )
        } else {
            // A late event: its few unmet frames each counted until they
            // meet the condition, or many by the sliding count.
            let unmet: Vec<i64> = group
                .unmet
                .range(from..=time)
                .take(FEW_FRAMES + 1)
                .copied()
                .collect();
            if unmet.len() <= FEW_FRAMES {
                unmet
                    .into_iter()
                    .filter_map(|start| {
                        let frame = frame(entries, start, span);
                        meets(kind, sources, &bounds, &self.events, frame)
                            .map(|count| (start, count))
                    })
                    .collect()
            } else {
                any_frames(
                    &correlation.rule.kind,
                    sources,
                    &bounds,
                    span,
                    time,
                    &self.events,
                    entries,
                    lo,
                    &group.met,
                )
            }
        };
        // The events joining: those of the frames met now, and the
        // arriving one when a frame met before holds it.
        let mut joining: Vec<u32> = Vec::new();
        if group.met.range(from..=time).next().is_some() {
            joining.push(event_number);
        }
        for &(start, _) in &newly {
            let end = start.saturating_add(span);
            let first = entries.partition_point(|e| e.time < start);
            joining.extend(
                entries[first..]
                    .iter()
                    .take_while(|e| e.time <= end)
                    .map(|e| e.event),
            );
        }
        // Frames met now that overlap each other are one hit; one that
        // overlaps a frame met before belongs to that one's hit.
        let mut cluster: Option<(i64, i64, u64)> = None;
        let mut clusters: Vec<(i64, i64, u64)> = Vec::new();
        for &(start, count) in &newly {
            cluster = match cluster {
                Some((first, last, best)) if start <= last.saturating_add(span) => {
                    Some((first, start, best.max(count)))
                }
                Some(done) => {
                    clusters.push(done);
                    Some((start, start, count))
                }
                None => Some((start, start, count)),
            };
        }
        clusters.extend(cluster);
        for (first, last, count) in clusters {
            let seen_before = group
                .met
                .range(first.saturating_sub(span)..=last.saturating_add(span))
                .next()
                .is_some();
            if !seen_before {
                // A late event's frames were counted only up to the
                // condition: the new hit's count is the whole of its largest.
                let count = newly
                    .iter()
                    .filter(|&&(start, _)| start >= first && start <= last)
                    .map(|&(start, _)| {
                        let mut counter = Counter::new(kind, sources);
                        let frame = frame(entries, start, span);
                        frame.iter().for_each(|e| counter.add(&self.events, e));
                        counter.count(frame)
                    })
                    .max()
                    .unwrap_or(count);
                changes.fired.push((
                    number,
                    hit(
                        &group.values,
                        entries,
                        first,
                        last.saturating_add(span),
                        count,
                    ),
                ));
            }
        }
        for &(start, _) in &newly {
            group.met.insert(start);
            group.unmet.remove(&start);
        }
        joining.sort_unstable();
        joining.dedup();
        for event in joining {
            if group.members.insert(event) {
                self.bytes += 48;
                changes.joined.push(Joined {
                    correlation: number,
                    group: group.values.clone(),
                    event,
                });
            }
        }
    }
}

/// Up to this many unmet frames holding a late event are counted one by
/// one (each until it meets the condition); more, by the sliding count.
const FEW_FRAMES: usize = 16;

/// The entries of the frame starting at `start`.
fn frame(entries: &[Entry], start: i64, span: i64) -> &[Entry] {
    let end = start.saturating_add(span);
    let first = entries.partition_point(|e| e.time < start);
    let last = entries.partition_point(|e| e.time <= end);
    &entries[first..last]
}

/// Whether `frame` meets `bounds` (lower bounds only): its count as far as
/// it was counted, which stops once the condition holds.
fn meets(
    kind: &Kind,
    sources: usize,
    bounds: &Bounds,
    events: &[Event],
    frame: &[Entry],
) -> Option<u64> {
    if let Kind::TemporalOrdered = kind {
        let count = in_order(frame, sources);
        return bounds.holds(count).then_some(count);
    }
    let mut counter = Counter::new(kind, sources);
    for entry in frame {
        counter.add(events, entry);
        let count = counter.count(&[]);
        if bounds.holds(count) {
            return Some(count);
        }
    }
    None
}

/// The frames newly meeting `bounds` among those starting in
/// [t − timespan, t] (from `lo` on), when the arriving event is the group's
/// newest: each of them then holds every entry from its start on, a frame
/// starting earlier holds more (so meets the condition when a later one
/// does), and the walk goes back from the newest start only down to the
/// first frame met before. Ascending by start, with their counts.
fn newest_frames(
    kind: &Kind,
    sources: usize,
    bounds: &Bounds,
    events: &[Event],
    entries: &[Entry],
    lo: usize,
    met: &BTreeSet<i64>,
) -> Vec<(i64, u64)> {
    let mut newly = Vec::new();
    let mut counter = Counter::new(kind, sources);
    // temporal_ordered: reach[j] is how far the rules get in order over
    // the entries added so far when the walk starts at rule j.
    let mut reach: Vec<usize> = (0..=sources).collect();
    let mut present = vec![false; sources];
    let mut end = entries.len();
    while end > lo {
        let start = entries[end - 1].time;
        let first = lo + entries[lo..end].partition_point(|e| e.time < start);
        if met.contains(&start) {
            break;
        }
        present.iter_mut().for_each(|p| *p = false);
        for entry in &entries[first..end] {
            counter.add(events, entry);
            present[entry.source] = true;
        }
        if matches!(kind, Kind::TemporalOrdered) {
            // At this time the walk takes every rule present, in order.
            reach = (0..=sources)
                .map(|j| {
                    let mut next = j;
                    while next < sources && present[next] {
                        next += 1;
                    }
                    reach[next]
                })
                .collect();
        }
        let count = match kind {
            Kind::TemporalOrdered => reach[0] as u64,
            _ => counter.count(&[]),
        };
        if bounds.holds(count) {
            newly.push((start, count));
        }
        end = first;
    }
    newly.reverse();
    newly
}

/// The frames newly meeting `bounds` among those starting in
/// [t − timespan, t] (from `lo` on), for an event arriving anywhere in its
/// group: each counted over a window sliding through [t − timespan,
/// t + timespan]. Ascending by start, with their counts.
#[allow(clippy::too_many_arguments)]
fn any_frames(
    kind: &Kind,
    sources: usize,
    bounds: &Bounds,
    span: i64,
    time: i64,
    events: &[Event],
    entries: &[Entry],
    lo: usize,
    met: &BTreeSet<i64>,
) -> Vec<(i64, u64)> {
    let mut newly = Vec::new();
    let mut counter = Counter::new(kind, sources);
    let (mut left, mut right) = (lo, lo);
    let mut anchor = lo;
    while anchor < entries.len() && entries[anchor].time <= time {
        let start = entries[anchor].time;
        let end = start.saturating_add(span);
        while left < anchor {
            counter.remove(events, &entries[left]);
            left += 1;
        }
        while right < entries.len() && entries[right].time <= end {
            counter.add(events, &entries[right]);
            right += 1;
        }
        if !met.contains(&start) {
            let count = counter.count(&entries[left..right]);
            if bounds.holds(count) {
                newly.push((start, count));
            }
        }
        anchor += entries[anchor..]
            .iter()
            .take_while(|e| e.time == start)
            .count();
    }
    newly
}

/// The hit made of the events in [from, to].
fn hit(group: &[Value], entries: &[Entry], from: i64, to: i64, count: u64) -> Hit {
    let first = entries.partition_point(|e| e.time < from);
    let inside: Vec<&Entry> = entries[first..]
        .iter()
        .take_while(|e| e.time <= to)
        .collect();
    let mut members: Vec<u32> = inside.iter().map(|e| e.event).collect();
    members.sort_unstable();
    members.dedup();
    let mut sources: Vec<usize> = inside.iter().map(|e| e.source).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut values: Vec<&str> = inside.iter().filter_map(|e| e.value.as_deref()).collect();
    values.sort_unstable();
    values.dedup();
    Hit {
        group: group.to_vec(),
        first: inside.first().map_or(from, |e| e.time),
        last: inside.last().map_or(from, |e| e.time),
        count,
        values: values
            .into_iter()
            .map(|text| serde_json::from_str(text).unwrap_or(Value::Null))
            .collect(),
        sources,
        members,
    }
}

/// The sliding count of a frame, as decide's.
struct Counter<'a> {
    kind: &'a Kind,
    sources: usize,
    identities: HashMap<Identity<'a>, u32>,
    values: HashMap<&'a str, u32>,
    per_source: Vec<u32>,
    present: usize,
}

#[derive(Hash, PartialEq, Eq)]
enum Identity<'a> {
    EventId(&'a str),
    Position(u32),
}

impl<'a> Counter<'a> {
    fn new(kind: &'a Kind, sources: usize) -> Self {
        Counter {
            kind,
            sources,
            identities: HashMap::new(),
            values: HashMap::new(),
            per_source: vec![0; sources],
            present: 0,
        }
    }

    fn identity(events: &'a [Event], entry: &Entry) -> Identity<'a> {
        match &events[entry.event as usize].event_id {
            Some(id) => Identity::EventId(id),
            None => Identity::Position(entry.event),
        }
    }

    fn add(&mut self, events: &'a [Event], entry: &'a Entry) {
        *self
            .identities
            .entry(Self::identity(events, entry))
            .or_default() += 1;
        if let Some(value) = &entry.value {
            *self.values.entry(value).or_default() += 1;
        }
        self.per_source[entry.source] += 1;
        if self.per_source[entry.source] == 1 {
            self.present += 1;
        }
    }

    fn remove(&mut self, events: &'a [Event], entry: &'a Entry) {
        let identity = Self::identity(events, entry);
        if let Some(count) = self.identities.get_mut(&identity) {
            *count -= 1;
            if *count == 0 {
                self.identities.remove(&identity);
            }
        }
        if let Some(value) = &entry.value
            && let Some(count) = self.values.get_mut(value.as_str())
        {
            *count -= 1;
            if *count == 0 {
                self.values.remove(value.as_str());
            }
        }
        self.per_source[entry.source] -= 1;
        if self.per_source[entry.source] == 0 {
            self.present -= 1;
        }
    }

    fn count(&self, frame: &[Entry]) -> u64 {
        match self.kind {
            Kind::EventCount => self.identities.len() as u64,
            Kind::ValueCount { .. } => self.values.len() as u64,
            Kind::Temporal => self.present as u64,
            Kind::TemporalOrdered => in_order(frame, self.sources),
        }
    }
}

/// How many of the sources, from the first, occur in order in `frame`
/// (sorted by time); events at the same time may be taken in any order.
fn in_order(frame: &[Entry], sources: usize) -> u64 {
    let mut next = 0;
    let mut start = 0;
    while start < frame.len() && next < sources {
        let time = frame[start].time;
        let end = start + frame[start..].iter().take_while(|e| e.time == time).count();
        let at_this_time = &frame[start..end];
        while next < sources && at_this_time.iter().any(|e| e.source == next) {
            next += 1;
        }
        start = end;
    }
    next as u64
}
