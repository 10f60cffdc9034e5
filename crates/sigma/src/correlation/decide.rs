//! Deciding correlations over the whole input, exactly.
//!
//! Per correlation, the events of its sources (rules, or the member
//! events of an inner correlation's hits) are split by their group-by
//! values and sorted by time. A *frame* starts at an event's time t and
//! holds every event of the group with a time in [t, t + timespan], both
//! ends included; events with equal times are always in the same frames.
//! A frame meets the condition when its count does (event_count: distinct
//! events, a record repeated with the same eventID once; value_count:
//! distinct non-null values; temporal: distinct referenced rules present;
//! temporal_ordered: how many of the rules, from the first, occur in
//! order, equal times counting as in order). Frames that meet the
//! condition and overlap make one hit; its events are every event in them.
//!
//! Nothing depends on the input's order: events are sorted by time, and by
//! their input position only where the output must be stable.

use super::resolve::{Correlation, Correlations};
use super::{Kind, Source};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// One event that matched a rule some correlation uses.
#[derive(Debug, Clone)]
pub struct Event {
    /// eventTime in nanoseconds since the epoch.
    pub time: i64,
    /// Its eventID: records repeating one count once.
    pub event_id: Option<String>,
    /// The values of [`Correlations::fields`], in that order (Null when
    /// missing).
    pub fields: Vec<Value>,
}

/// One hit of a correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The group-by values, in group-by order.
    pub group: Vec<Value>,
    /// The first and last event time in the hit.
    pub first: i64,
    pub last: i64,
    /// The largest count of a frame of the hit that meets the condition.
    pub count: u64,
    /// value_count: the distinct values in the hit, sorted by their JSON text.
    pub values: Vec<Value>,
    /// The referenced rules (indices into the correlation's sources) with
    /// an event in the hit.
    pub sources: Vec<usize>,
    /// The events of the hit (indices into the events given), ascending.
    pub members: Vec<u32>,
}

impl Correlations {
    /// Every field some correlation reads, each once.
    pub fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        for correlation in &self.list {
            let all = correlation
                .group_fields
                .iter()
                .flatten()
                .chain(correlation.value_fields.iter().filter(|f| !f.is_empty()));
            for field in all {
                if !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
        }
        fields
    }

    /// The rules some correlation uses (their matches must be kept).
    pub fn used_rules(&self) -> Vec<u32> {
        let mut rules: Vec<u32> = self
            .list
            .iter()
            .flat_map(|c| &c.sources)
            .filter_map(|source| match source {
                Source::Rule(rule) => Some(*rule),
                Source::Correlation(_) => None,
            })
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

/// The hits of every correlation (in [`Correlations::list`] order), given
/// the events and, per rule, the events that matched it.
pub fn decide(
    correlations: &Correlations,
    events: &[Event],
    rule_members: &[Vec<u32>],
) -> Vec<Vec<Hit>> {
    let fields = correlations.fields();
    let field_index: HashMap<&str, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    // Correlations are independent but for chains: each wave is decided in
    // parallel, once the inner correlations it reads (always earlier in the
    // list) are. The decision comes after the whole input, so its time is
    // all wall time.
    let list = &correlations.list;
    let mut wave = vec![0usize; list.len()];
    for (number, correlation) in list.iter().enumerate() {
        wave[number] = correlation
            .sources
            .iter()
            .filter_map(|source| match *source {
                Source::Correlation(inner) => Some(wave[inner] + 1),
                Source::Rule(_) => None,
            })
            .max()
            .unwrap_or(0);
    }
    let mut all_hits: Vec<Vec<Hit>> = vec![Vec::new(); list.len()];
    for this_wave in 0..=wave.iter().copied().max().unwrap_or(0) {
        let numbers: Vec<usize> = (0..list.len()).filter(|&n| wave[n] == this_wave).collect();
        let decided: Vec<Vec<Hit>> = numbers
            .par_iter()
            .map(|&n| decide_one(&list[n], events, rule_members, &all_hits, &field_index))
            .collect();
        for (number, hits) in numbers.into_iter().zip(decided) {
            all_hits[number] = hits;
        }
    }
    all_hits
}

/// `value`'s JSON text as serde_json writes it, appended to `out`; a string
/// with nothing to escape (serde_json escapes only `"`, `\` and control
/// characters) is copied as it is, which is most of them.
fn json_text(value: &Value, out: &mut String) {
    match value {
        Value::String(text) if !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) => {
            out.push('"');
            out.push_str(text);
            out.push('"');
        }
        other => {
            let _ = write!(out, "{other}");
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

fn decide_one(
    correlation: &Correlation,
    events: &[Event],
    rule_members: &[Vec<u32>],
    inner_hits: &[Vec<Hit>],
    field_index: &HashMap<&str, usize>,
) -> Vec<Hit> {
    // Group key (the values' JSON text) -> its place in `groups`, which
    // holds its values and entries; groups are taken in key order below.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<(Vec<Value>, Vec<Entry>)> = Vec::new();
    let counts_values = matches!(correlation.rule.kind, Kind::ValueCount { .. });
    for (source_number, source) in correlation.sources.iter().enumerate() {
        let members: Vec<u32> = match *source {
            Source::Rule(rule) => rule_members.get(rule as usize).cloned().unwrap_or_default(),
            Source::Correlation(inner) => {
                let mut members: Vec<u32> = inner_hits[inner]
                    .iter()
                    .flat_map(|hit| hit.members.iter().copied())
                    .collect();
                members.sort_unstable();
                members.dedup();
                members
            }
        };
        let group_fields = &correlation.group_fields[source_number];
        let mut key = String::new();
        for event_number in members {
            let event = &events[event_number as usize];
            let read = |field: &str| {
                field_index
                    .get(field)
                    .and_then(|&i| event.fields.get(i))
                    .unwrap_or(&Value::Null)
            };
            let value = if counts_values {
                match read(&correlation.value_fields[source_number]) {
                    Value::Null => None,
                    value => {
                        let mut text = String::new();
                        json_text(value, &mut text);
                        Some(text)
                    }
                }
            } else {
                None
            };
            let entry = Entry {
                time: event.time,
                event: event_number,
                source: source_number,
                value,
            };
            // The values' JSON text as an array, as Value::Array writes it;
            // the values are cloned only for a new group.
            key.clear();
            key.push('[');
            for (i, field) in group_fields.iter().enumerate() {
                if i > 0 {
                    key.push(',');
                }
                json_text(read(field), &mut key);
            }
            key.push(']');
            match index.get(key.as_str()) {
                Some(&at) => groups[at].1.push(entry),
                None => {
                    let group = group_fields.iter().map(|f| read(f).clone()).collect();
                    index.insert(key.clone(), groups.len());
                    groups.push((group, vec![entry]));
                }
            }
        }
    }
    let mut order: Vec<(String, usize)> = index.into_iter().collect();
    order.sort_unstable();
    for (_, entries) in &mut groups {
        entries.sort_by_key(|e| (e.time, e.event, e.source));
    }
    let mut hits = Vec::new();
    // One frame for every group, emptied between them: a group is often one
    // or two events, and a frame's tables are worth keeping.
    let mut frame = Frame {
        kind: &correlation.rule.kind,
        sources: correlation.sources.len(),
        identities: HashMap::new(),
        values: HashMap::new(),
        per_source: vec![0; correlation.sources.len()],
        present: 0,
    };
    for (_, at) in order {
        let (group, entries) = &groups[at];
        hits_of_group(correlation, events, group, entries, &mut frame, &mut hits);
        frame.clear();
    }
    // By time, then (stable) by group: never by input order.
    hits.sort_by_key(|hit| hit.first);
    hits
}

/// The sliding count of one group's frames.
struct Frame<'a> {
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

impl<'a> Frame<'a> {
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

    fn clear(&mut self) {
        // Clearing costs the tables' capacity: a large one is dropped.
        if self.identities.capacity() > 64 {
            self.identities = HashMap::new();
        }
        if self.values.capacity() > 64 {
            self.values = HashMap::new();
        }
        self.identities.clear();
        self.values.clear();
        self.per_source.fill(0);
        self.present = 0;
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

fn hits_of_group<'a>(
    correlation: &Correlation,
    events: &'a [Event],
    group: &[Value],
    entries: &'a [Entry],
    frame: &mut Frame<'a>,
    hits: &mut Vec<Hit>,
) {
    let sources = correlation.sources.len();
    let all_sources = super::Bounds {
        gte: Some(sources as u64),
        ..Default::default()
    };
    let bounds = correlation.rule.condition.unwrap_or(all_sources);
    let span = correlation.rule.timespan;
    let (mut left, mut right) = (0, 0);
    // The hit being built: its time range and the largest count.
    let mut open: Option<(i64, i64, u64)> = None;
    let mut anchor = 0;
    while anchor < entries.len() {
        let start = entries[anchor].time;
        let end = start.saturating_add(span);
        while left < anchor {
            frame.remove(events, &entries[left]);
            left += 1;
        }
        while right < entries.len() && entries[right].time <= end {
            frame.add(events, &entries[right]);
            right += 1;
        }
        let count = frame.count(&entries[left..right]);
        if bounds.holds(count) {
            open = match open {
                Some((first, last_end, best)) if start <= last_end => {
                    Some((first, end, best.max(count)))
                }
                Some(done) => {
                    hits.push(make_hit(group, entries, done));
                    Some((start, end, count))
                }
                None => Some((start, end, count)),
            };
        }
        // The next frame starts at the next distinct time.
        anchor += entries[anchor..]
            .iter()
            .take_while(|e| e.time == start)
            .count();
    }
    if let Some(done) = open {
        hits.push(make_hit(group, entries, done));
    }
}

fn make_hit(group: &[Value], entries: &[Entry], (from, to, count): (i64, i64, u64)) -> Hit {
    // Entries are in time order: the hit's are one run of them (a filter
    // over the whole group for each hit would be quadratic).
    let begin = entries.partition_point(|e| e.time < from);
    let end = entries.partition_point(|e| e.time <= to);
    let inside: Vec<&Entry> = entries[begin..end].iter().collect();
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

#[cfg(test)]
mod json_text_tests {
    use super::json_text;
    use serde_json::{Value, json};

    #[test]
    fn json_text_is_serde_jsons_text() {
        let values = [
            json!("10.0.0.1"),
            json!("arn:aws:iam::1:user/a\"b"),
            json!("back\\slash"),
            json!("tab\there"),
            json!("\u{7f}\u{2028}é€😀"),
            json!(""),
            json!(null),
            json!(12.5),
            json!(["a", {"b": "c\n"}]),
        ];
        for value in values {
            let mut text = String::new();
            json_text(&value, &mut text);
            assert_eq!(text, value.to_string());
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
        }
    }
}
