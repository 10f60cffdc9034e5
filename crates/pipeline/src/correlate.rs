//! --sigma with correlation rules: whether a correlation holds needs the
//! whole input, so the records that match any rule are held (in input
//! order, bounded) while the pipeline runs, and decided and written at the
//! end: each record once, in input order, when a rule that writes on its
//! own matched it or it is an event of a correlation's hit.
//!
//! The records themselves are held, not their offsets: input may be a
//! pipe, a gzip stream or a file that changes, none of which can be read
//! a second time to fetch them.

use crate::block::{BlockOutcome, Held};
use crate::pipeline::{Done, Sink};
use crate::sigma::SigmaCriterion;
use crate::writer::OutputSink;
use serde_json::{Map, Value, json};
use spitzel_core::window::parse_event_time;
use spitzel_sigma::Level;
use spitzel_sigma::correlation::{Event, Hit, Source, decide};
use std::io::Write;
use std::ops::ControlFlow;
use std::sync::Arc;

/// What the held records may take, in bytes, before the run stops.
pub const DEFAULT_HOLD_LIMIT: u64 = 1 << 30;

/// Wraps the writer: takes the held matches out of each block, passes the
/// rest (bad records, totals) through, and writes the decision at the end.
pub struct CorrelationSink<'a, W: Write> {
    pub inner: &'a mut OutputSink<W>,
    held: Vec<(Arc<str>, Held)>,
    held_bytes: u64,
    limit: u64,
    /// The bound was passed at this place.
    pub overflow: Option<String>,
}

impl<'a, W: Write> CorrelationSink<'a, W> {
    pub fn new(inner: &'a mut OutputSink<W>, limit: u64) -> Self {
        CorrelationSink {
            inner,
            held: Vec::new(),
            held_bytes: 0,
            limit,
            overflow: None,
        }
    }
}

impl<W: Write> Sink for CorrelationSink<'_, W> {
    fn take(&mut self, done: Done) -> ControlFlow<()> {
        let done = match done {
            Done::Block {
                source,
                bytes,
                mut outcome,
            } => {
                for held in std::mem::take(&mut outcome.held) {
                    // A redelivered event is one event: held once, so that
                    // it counts once in a correlation.
                    if let (Some(unique), Some(identity)) = (&mut self.inner.unique, held.identity)
                        && !unique.judge(&source, identity)
                    {
                        continue;
                    }
                    // The record, its rule list and the bookkeeping.
                    self.held_bytes += held.record.len() as u64 + 64;
                    if self.held_bytes > self.limit {
                        self.overflow = Some(format!("{source}:{}", held.line));
                        return ControlFlow::Break(());
                    }
                    self.held.push((source.clone(), held));
                }
                Done::Block {
                    source,
                    bytes,
                    outcome,
                }
            }
            other => other,
        };
        self.inner.take(done)
    }

    fn idle(&mut self) {
        self.inner.idle();
    }
}

/// The decision: hits per correlation, the records to write.
pub struct Decision {
    pub hits: Vec<Vec<Hit>>,
    /// Per hit, the eventTime text of its first and last event.
    times: Vec<Vec<(String, String)>>,
    /// Per held record: written, and the correlation hits it is in.
    written: Vec<bool>,
    in_hits: Vec<Vec<(usize, usize)>>,
    /// Per event, its eventID (null when it has none) and time.
    event_ids: Vec<Value>,
    event_times: Vec<i64>,
}

impl<W: Write> CorrelationSink<'_, W> {
    /// Decide the correlations over everything held; records without a
    /// readable eventTime that a correlation would use are reported.
    pub fn decide(&mut self, sigma: &SigmaCriterion) -> Decision {
        let correlations = &sigma.rules.correlations;
        let fields = correlations.fields();
        let used = correlations.used_rules();
        let mut events: Vec<Event> = Vec::new();
        let mut event_times: Vec<String> = Vec::new();
        // Event number -> held record.
        let mut event_record: Vec<usize> = Vec::new();
        let mut rule_members: Vec<Vec<u32>> = vec![Vec::new(); sigma.rules.rules.len()];
        for (index, (source, held)) in self.held.iter().enumerate() {
            if !held.rules.iter().any(|r| used.binary_search(r).is_ok()) {
                continue;
            }
            let value: Value = match serde_json::from_slice(&held.record) {
                Ok(value) => value,
                // Only records the scanner accepted are held; serde_json
                // refusing one (a number past its range) is reported.
                Err(error) => {
                    self.inner.reporter.bad_record(
                        source,
                        held.line,
                        &format!("cannot be read for the correlation rules: {error}"),
                    );
                    continue;
                }
            };
            let time_text = value.get("eventTime").and_then(Value::as_str);
            let Some(time) = time_text.and_then(parse_event_time) else {
                self.inner.reporter.bad_record(
                    source,
                    held.line,
                    "no readable eventTime: left out of the correlation rules",
                );
                continue;
            };
            let number = events.len() as u32;
            for &rule in &held.rules {
                rule_members[rule as usize].push(number);
            }
            events.push(Event {
                time,
                event_id: value
                    .get("eventID")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                fields: fields
                    .iter()
                    .map(|field| read_field(&value, field))
                    .collect(),
            });
            event_times.push(time_text.unwrap_or_default().to_owned());
            event_record.push(index);
        }
        let hits = decide(correlations, &events, &rule_members);
        let mut written: Vec<bool> = self
            .held
            .iter()
            .map(|(_, held)| {
                held.rules
                    .iter()
                    .any(|&r| correlations.rule_writes[r as usize])
            })
            .collect();
        let mut in_hits = vec![Vec::new(); self.held.len()];
        let mut times = Vec::with_capacity(hits.len());
        for (number, correlation_hits) in hits.iter().enumerate() {
            let writes = correlations.list[number].writes;
            let mut these = Vec::with_capacity(correlation_hits.len());
            for (hit_number, hit) in correlation_hits.iter().enumerate() {
                let time_of = |t: i64| {
                    hit.members
                        .iter()
                        .find(|&&m| events[m as usize].time == t)
                        .map(|&m| event_times[m as usize].clone())
                        .unwrap_or_default()
                };
                these.push((time_of(hit.first), time_of(hit.last)));
                if !writes {
                    continue;
                }
                for &member in &hit.members {
                    let record = event_record[member as usize];
                    written[record] = true;
                    in_hits[record].push((number, hit_number));
                }
            }
            times.push(these);
        }
        let event_ids = events
            .iter()
            .map(|e| e.event_id.clone().map_or(Value::Null, Value::String))
            .collect();
        Decision {
            hits,
            times,
            written,
            in_hits,
            event_ids,
            event_times: events.iter().map(|e| e.time).collect(),
        }
    }

    /// Write the decision (events, or with `alerts` one line per hit)
    /// through the writer, which applies --limit, --count and --quiet.
    pub fn write(
        &mut self,
        sigma: &SigmaCriterion,
        decision: &Decision,
        alerts: bool,
        lines: bool,
    ) {
        let mut out = Vec::new();
        let mut matched = 0u64;
        if alerts {
            let mut order: Vec<(usize, usize)> = Vec::new();
            for (number, hits) in decision.hits.iter().enumerate() {
                if sigma.rules.correlations.list[number].writes {
                    order.extend((0..hits.len()).map(|hit| (number, hit)));
                }
            }
            order.sort_by_key(|&(number, hit)| (decision.hits[number][hit].first, number, hit));
            for (number, hit) in order {
                matched += 1;
                if lines {
                    let line = alert(sigma, decision, number, hit);
                    out.extend_from_slice(line.to_string().as_bytes());
                    out.push(b'\n');
                }
            }
        } else {
            for (index, (_, held)) in self.held.iter().enumerate() {
                if !decision.written[index] {
                    continue;
                }
                matched += 1;
                if !lines {
                    continue;
                }
                if sigma.annotate {
                    let mut entries: Vec<String> = held
                        .rules
                        .iter()
                        .filter(|&&r| sigma.rules.correlations.rule_writes[r as usize])
                        .map(|&r| sigma.entry(r).to_owned())
                        .collect();
                    for &(number, hit) in &decision.in_hits[index] {
                        entries.push(
                            annotation(sigma, &decision.hits[number][hit], number).to_string(),
                        );
                    }
                    crate::sigma::append_member(&held.record, &entries, &mut out);
                } else {
                    out.extend_from_slice(&held.record);
                }
                out.push(b'\n');
            }
        }
        let outcome = BlockOutcome {
            out,
            matched,
            ..BlockOutcome::default()
        };
        let _ = self.inner.take(Done::Block {
            source: Arc::from(""),
            bytes: 0,
            outcome,
        });
    }
}

impl Decision {
    /// The per-correlation part of --stats.
    pub fn print_stats(&self, sigma: &SigmaCriterion) {
        let mut err = std::io::stderr().lock();
        for (number, correlation) in sigma.rules.correlations.list.iter().enumerate() {
            let rule = &correlation.rule;
            let _ = writeln!(
                err,
                "spitzel-filter: stats: sigma: correlation {} hits {} [{}] {} ({}{})",
                self.hits[number].len(),
                rule.id.as_deref().unwrap_or("-"),
                rule.level.map_or("-", Level::name),
                rule.title,
                rule.kind.name(),
                if correlation.writes {
                    ""
                } else {
                    ", inner part of a chain, not written"
                }
            );
        }
    }
}

/// A dotted field of `record`, walking objects; Null when missing or when
/// the walk meets something else than an object before its end.
fn read_field(record: &Value, field: &str) -> Value {
    let mut value = record;
    for member in field.split('.') {
        match value.get(member) {
            Some(inner) if value.is_object() => value = inner,
            _ => return Value::Null,
        }
    }
    value.clone()
}

/// `{"id","title","level","author"}` of a correlation's referenced rules.
fn referenced(sigma: &SigmaCriterion, number: usize) -> Vec<Value> {
    let correlations = &sigma.rules.correlations;
    correlations.list[number]
        .sources
        .iter()
        .map(|source| match *source {
            Source::Rule(rule) => {
                let rule = &sigma.rules.rules[rule as usize];
                json!({"id": rule.id, "title": rule.title, "level": rule.level.map(Level::name), "author": rule.author})
            }
            Source::Correlation(inner) => {
                let rule = &correlations.list[inner].rule;
                json!({"id": rule.id, "title": rule.title, "level": rule.level.map(Level::name), "author": rule.author})
            }
        })
        .collect()
}

fn group(sigma: &SigmaCriterion, number: usize, hit: &Hit) -> Value {
    let rule = &sigma.rules.correlations.list[number].rule;
    let mut group = Map::new();
    for (field, value) in rule.group_by.iter().zip(&hit.group) {
        group.insert(field.clone(), value.clone());
    }
    Value::Object(group)
}

/// What names a correlation's hit, first in both of its JSON forms.
fn heading(sigma: &SigmaCriterion, hit: &Hit, number: usize) -> Value {
    let rule = &sigma.rules.correlations.list[number].rule;
    json!({
        "id": rule.id,
        "title": rule.title,
        "level": rule.level.map(Level::name),
        "author": rule.author,
        "correlation": rule.kind.name(),
        "group": group(sigma, number, hit),
    })
}

/// A correlation's entry of an event's "sigma" array.
fn annotation(sigma: &SigmaCriterion, hit: &Hit, number: usize) -> Value {
    let mut entry = heading(sigma, hit, number);
    entry["rules"] = Value::Array(referenced(sigma, number));
    entry
}

/// One --sigma-alerts line.
fn alert(sigma: &SigmaCriterion, decision: &Decision, number: usize, hit_number: usize) -> Value {
    let correlation = &sigma.rules.correlations.list[number];
    let rule = &correlation.rule;
    let hit = &decision.hits[number][hit_number];
    let (first, last) = &decision.times[number][hit_number];
    let mut line = heading(sigma, hit, number);
    line["first"] = json!(first);
    line["last"] = json!(last);
    line["count"] = json!(hit.count);
    if matches!(
        rule.kind,
        spitzel_sigma::correlation::Kind::ValueCount { .. }
    ) {
        line["values"] = Value::Array(hit.values.clone());
    }
    line["rules"] = Value::Array(referenced(sigma, number));
    // In time order, then by eventID: the same whatever the input order.
    let mut members: Vec<(i64, String, &Value)> = hit
        .members
        .iter()
        .map(|&m| {
            let id = &decision.event_ids[m as usize];
            (decision.event_times[m as usize], id.to_string(), id)
        })
        .collect();
    members.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    line["eventIDs"] = members.into_iter().map(|(_, _, id)| id.clone()).collect();
    line
}
