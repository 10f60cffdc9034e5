//! --sigma with correlation rules: whether a correlation holds needs the
//! whole input, so the records that match any rule are held (in input
//! order, bounded) while the pipeline runs, and decided and written at the
//! end: each record once, in input order, when a rule that writes on its
//! own matched it or it is an event of a correlation's hit.
//!
//! The records themselves are held, not their offsets: input may be a
//! pipe, a gzip stream or a file that changes, none of which can be read
//! a second time to fetch them. Their bytes go to an unlinked temporary
//! file (the spill), read back in order twice (to decide, to write); memory
//! keeps only each record's place, length and rules, and what the
//! correlations read of it (its [`Facts`], taken on the worker that judged
//! it, so that deciding needs no second parse), so peak RSS follows the
//! number of matches, not their size.

use crate::block::BlockOutcome;
use crate::pipeline::{Done, Sink};
use crate::sigma::SigmaCriterion;
use crate::writer::OutputSink;
use serde_json::{Map, Value, json};
use spitzel_core::doc::{Doc, DocView};
use spitzel_core::window::parse_event_time;
use spitzel_sigma::Level;
use spitzel_sigma::correlation::{Event, Hit, Source, decide};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::ops::ControlFlow;
use std::sync::Arc;

/// What the held records' bookkeeping may take in memory, in bytes, before
/// the run stops.
pub const DEFAULT_HOLD_LIMIT: u64 = 1 << 30;

/// Memory counted per held record besides its rule list: its place, length
/// and source, and its share of the decision's per-event state.
const PER_RECORD: u64 = 192;

/// Output is handed to the writer in pieces of about this size.
const WRITE_PIECE: usize = 1 << 20;

/// A held record: its bytes are in the spill, in this order.
struct HeldAt {
    source: Arc<str>,
    line: u64,
    len: usize,
    rules: Vec<u32>,
    facts: Option<Facts>,
}

/// What the correlations read of a record that matched a rule they use.
#[derive(Debug)]
pub struct Facts {
    /// eventTime, in nanoseconds and as written; None when unreadable.
    time: Option<(i64, Box<str>)>,
    event_id: Option<Box<str>>,
    /// The values of `Correlations::fields`, in that order (Null when
    /// missing).
    fields: Vec<Value>,
}

impl Facts {
    /// Read on the worker, from the document the rules were judged on: the
    /// same reading (the last of repeated keys, as serde_json) as theirs.
    pub(crate) fn of(sigma: &SigmaCriterion, doc: &Doc<'_>) -> Facts {
        let time = doc
            .top_str("eventTime")
            .and_then(|text| Some((parse_event_time(text)?, Box::from(text))));
        let fields = sigma
            .correlation_fields
            .iter()
            .map(|path| match doc.view() {
                DocView::Raw(root) => {
                    let mut value = root;
                    for member in path {
                        match value.member(member) {
                            Some(inner) => value = inner,
                            None => return Value::Null,
                        }
                    }
                    value.to_value()
                }
                DocView::Tree(tree) => {
                    let mut value = tree;
                    for member in path {
                        match value.get(member) {
                            Some(inner) if value.is_object() => value = inner,
                            _ => return Value::Null,
                        }
                    }
                    value.clone()
                }
            })
            .collect();
        Facts {
            time,
            event_id: doc.top_str("eventID").map(Box::from),
            fields,
        }
    }

    /// Its heap bytes, for the memory bound.
    fn heap_bytes(&self) -> u64 {
        let text = |v: &Value| match v {
            Value::String(s) => s.len(),
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
            other => other.to_string().len(),
        };
        let fields: usize = self.fields.iter().map(|v| 32 + text(v)).sum();
        (self.time.as_ref().map_or(0, |(_, t)| t.len())
            + self.event_id.as_ref().map_or(0, |id| id.len())
            + fields) as u64
    }
}

/// Wraps the writer: takes the held matches out of each block, passes the
/// rest (bad records, totals) through, and writes the decision at the end.
pub struct CorrelationSink<'a, W: Write> {
    pub inner: &'a mut OutputSink<W>,
    held: Vec<HeldAt>,
    spill: Option<BufWriter<File>>,
    held_bytes: u64,
    limit: u64,
    /// The bound was passed at this place.
    pub overflow: Option<String>,
    /// The spill could not be written or read: the run's one error line.
    pub spill_error: Option<String>,
}

impl<'a, W: Write> CorrelationSink<'a, W> {
    pub fn new(inner: &'a mut OutputSink<W>, limit: u64) -> Self {
        CorrelationSink {
            inner,
            held: Vec::new(),
            spill: None,
            held_bytes: 0,
            limit,
            overflow: None,
            spill_error: None,
        }
    }

    /// Append a record to the spill, made on first use.
    fn spill(&mut self, record: &[u8]) -> std::io::Result<()> {
        if self.spill.is_none() {
            self.spill = Some(BufWriter::with_capacity(WRITE_PIECE, tempfile::tempfile()?));
        }
        self.spill.as_mut().expect("made above").write_all(record)
    }

    /// The spill from its start, for one pass over the held records in
    /// order.
    fn reread(&mut self) -> std::io::Result<BufReader<File>> {
        let file = match self.spill.take() {
            Some(writer) => writer.into_inner().map_err(|e| e.into_error())?,
            None => tempfile::tempfile()?,
        };
        let mut again = file.try_clone()?;
        again.rewind()?;
        self.spill = Some(BufWriter::with_capacity(WRITE_PIECE, file));
        Ok(BufReader::with_capacity(WRITE_PIECE, again))
    }

    fn spill_failed(&mut self, error: std::io::Error) {
        if self.spill_error.is_none() {
            self.spill_error = Some(format!(
                "cannot keep the events held for correlation rules in a temporary file ($TMPDIR): {error}"
            ));
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
                let bytes_held = std::mem::take(&mut outcome.held_bytes);
                let mut at = 0;
                for held in std::mem::take(&mut outcome.held) {
                    let record = &bytes_held[at..at + held.len];
                    at += held.len;
                    // A redelivered event is one event: held once, so that
                    // it counts once in a correlation.
                    if let (Some(unique), Some(identity)) = (&mut self.inner.unique, held.identity)
                        && !unique.judge(&source, identity)
                    {
                        continue;
                    }
                    self.held_bytes += PER_RECORD
                        + 4 * held.rules.len() as u64
                        + held.facts.as_ref().map_or(0, Facts::heap_bytes);
                    if self.held_bytes > self.limit {
                        self.overflow = Some(format!("{source}:{}", held.line));
                        return ControlFlow::Break(());
                    }
                    if let Err(error) = self.spill(record) {
                        self.spill_failed(error);
                        return ControlFlow::Break(());
                    }
                    self.held.push(HeldAt {
                        source: source.clone(),
                        line: held.line,
                        len: held.len,
                        rules: held.rules,
                        facts: held.facts,
                    });
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
        let mut events: Vec<Event> = Vec::new();
        let mut event_times: Vec<String> = Vec::new();
        // Event number -> held record.
        let mut event_record: Vec<usize> = Vec::new();
        let mut rule_members: Vec<Vec<u32>> = vec![Vec::new(); sigma.rules.rules.len()];
        for (index, held) in self.held.iter_mut().enumerate() {
            // Only records matching a rule some correlation uses have facts.
            let Some(facts) = held.facts.take() else {
                continue;
            };
            let Some((time, time_text)) = facts.time else {
                self.inner.reporter.bad_record(
                    &held.source,
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
                event_id: facts.event_id.map(String::from),
                fields: facts.fields,
            });
            event_times.push(String::from(time_text));
            event_record.push(index);
        }
        let hits = decide(correlations, &events, &rule_members);
        let mut written: Vec<bool> = self
            .held
            .iter()
            .map(|held| {
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

    /// Hand `out` to the writer; Break when it wants no more.
    fn hand_over(&mut self, out: &mut Vec<u8>, matched: &mut u64) -> ControlFlow<()> {
        let outcome = BlockOutcome {
            out: std::mem::take(out),
            matched: std::mem::take(matched),
            ..BlockOutcome::default()
        };
        self.inner.take(Done::Block {
            source: Arc::from(""),
            bytes: 0,
            outcome,
        })
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
        } else if !lines {
            // --count, --quiet: the spill need not be read.
            matched = decision.written.iter().filter(|&&w| w).count() as u64;
        } else {
            let mut spill = match self.reread() {
                Ok(spill) => spill,
                Err(error) => return self.spill_failed(error),
            };
            let mut record = Vec::new();
            let mut annotations: Vec<Vec<Option<String>>> = decision
                .hits
                .iter()
                .map(|hits| vec![None; hits.len()])
                .collect();
            for index in 0..self.held.len() {
                let held = &self.held[index];
                if !decision.written[index] {
                    // Stepped over, not read: often half of what is held.
                    if let Err(error) = spill.seek_relative(held.len as i64) {
                        return self.spill_failed(error);
                    }
                    continue;
                }
                record.resize(held.len, 0);
                if let Err(error) = spill.read_exact(&mut record) {
                    return self.spill_failed(error);
                }
                matched += 1;
                if sigma.annotate {
                    let mut entries: Vec<String> = held
                        .rules
                        .iter()
                        .filter(|&&r| sigma.rules.correlations.rule_writes[r as usize])
                        .map(|&r| sigma.entry(r).to_owned())
                        .collect();
                    for &(number, hit) in &decision.in_hits[index] {
                        // A hit's entry is the same on each of its events.
                        let entry = annotations[number][hit].get_or_insert_with(|| {
                            annotation(sigma, &decision.hits[number][hit], number).to_string()
                        });
                        entries.push(entry.clone());
                    }
                    crate::sigma::append_member(&record, &entries, &mut out);
                } else {
                    out.extend_from_slice(&record);
                }
                out.push(b'\n');
                if out.len() >= WRITE_PIECE && self.hand_over(&mut out, &mut matched).is_break() {
                    return;
                }
            }
        }
        let _ = self.hand_over(&mut out, &mut matched);
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
