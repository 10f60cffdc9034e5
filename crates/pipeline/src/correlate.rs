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
//!
//! With --live ([`CorrelationSink::live`]) the monotone correlations (see
//! spitzel_sigma::correlation::live) are decided as each record arrives:
//! records a rule writes on its own are written at once, and a hit's
//! events as soon as one of its frames meets the condition, each record
//! once. At the end the whole decision runs as without --live and writes
//! what is still unwritten (the other correlations' hits), so the records
//! written are the same; only their order differs.

use crate::block::BlockOutcome;
use crate::facts::Facts;
use crate::pipeline::{Done, Sink};
use crate::sigma::SigmaCriterion;
use crate::writer::OutputSink;
use serde_json::{Map, Value, json};
use spitzel_sigma::Level;
use spitzel_sigma::correlation::{Event, Hit, Live, Source, decide};
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
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
    /// Where its bytes start in the spill.
    offset: u64,
    source: Arc<str>,
    line: u64,
    len: usize,
    rules: Vec<u32>,
    facts: Option<Facts>,
}

/// Wraps the writer: takes the held matches out of each block, passes the
/// rest (bad records, totals) through, and writes the decision at the end.
pub struct CorrelationSink<'a, W: Write> {
    pub inner: &'a mut OutputSink<W>,
    held: Vec<HeldAt>,
    spill: Option<BufWriter<File>>,
    /// The bytes written to the spill.
    spilled: u64,
    held_bytes: u64,
    /// --live: the state of the correlations decided as records arrive.
    live: Option<LiveOutput<'a>>,
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
            spilled: 0,
            held_bytes: 0,
            live: None,
            limit,
            overflow: None,
            spill_error: None,
        }
    }

    /// Decide the monotone correlations as records arrive, writing their
    /// hits' events (or with `alerts` one line per hit) at once; `lines`:
    /// write them (not only count them).
    pub fn live(mut self, sigma: &'a SigmaCriterion, alerts: bool, lines: bool) -> Self {
        let correlations = &sigma.rules.correlations;
        let engine = Live::new(correlations, sigma.rules.rules.len());
        self.live = Some(LiveOutput {
            sigma,
            fired: vec![0; correlations.list.len()],
            engine,
            alerts,
            lines,
            written: Vec::new(),
            event_record: Vec::new(),
            event_times: Vec::new(),
            memberships: HashMap::new(),
            counted: 0,
        });
        self
    }

    /// --live: per correlation, the hits that fired as records arrived
    /// (None for those decided at the end).
    pub fn live_fired(&self) -> Option<Vec<Option<u64>>> {
        let live = self.live.as_ref()?;
        Some(
            live.fired
                .iter()
                .enumerate()
                .map(|(number, &fired)| live.engine.is_live(number).then_some(fired))
                .collect(),
        )
    }

    /// Append a record to the spill, made on first use.
    fn spill(&mut self, record: &[u8]) -> std::io::Result<()> {
        if self.spill.is_none() {
            self.spill = Some(BufWriter::with_capacity(WRITE_PIECE, tempfile::tempfile()?));
        }
        self.spill.as_mut().expect("made above").write_all(record)?;
        self.spilled += record.len() as u64;
        Ok(())
    }

    /// Held record `index`'s bytes, read back from the spill (--live: an
    /// earlier record joining a hit).
    fn read_back(&mut self, index: usize) -> std::io::Result<Vec<u8>> {
        let held = &self.held[index];
        let mut record = vec![0; held.len];
        let Some(spill) = self.spill.as_mut() else {
            return Ok(record);
        };
        spill.flush()?;
        let file = spill.get_mut();
        file.seek(SeekFrom::Start(held.offset))?;
        let read = file.read_exact(&mut record);
        // Appending goes on at the end whatever the read did.
        file.seek(SeekFrom::End(0))?;
        read.map(|()| record)
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
        // --live: what the block's records decided, written after it.
        let mut live_out = Vec::new();
        let mut live_matched = 0u64;
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
                    let offset = self.spilled;
                    if let Err(error) = self.spill(record) {
                        self.spill_failed(error);
                        return ControlFlow::Break(());
                    }
                    self.held.push(HeldAt {
                        offset,
                        source: source.clone(),
                        line: held.line,
                        len: held.len,
                        rules: held.rules,
                        facts: held.facts,
                    });
                    if self.live.is_some() {
                        if let Err(error) = self.arrive(record, &mut live_out, &mut live_matched) {
                            self.spill_failed(error);
                            return ControlFlow::Break(());
                        }
                        if self.held_bytes > self.limit {
                            self.overflow = Some(format!("{source}:{}", held.line));
                            return ControlFlow::Break(());
                        }
                    }
                }
                Done::Block {
                    source,
                    bytes,
                    outcome,
                }
            }
            other => other,
        };
        self.inner.take(done)?;
        if live_matched > 0 || !live_out.is_empty() {
            return self.hand_over(&mut live_out, &mut live_matched);
        }
        ControlFlow::Continue(())
    }

    fn idle(&mut self) {
        self.inner.idle();
    }
}

/// --live's state beside the held records.
struct LiveOutput<'a> {
    sigma: &'a SigmaCriterion,
    engine: Live,
    alerts: bool,
    lines: bool,
    /// Per held record: written already.
    written: Vec<bool>,
    /// Per event of the engine: its held record and eventTime text.
    event_record: Vec<usize>,
    event_times: Vec<String>,
    /// Held records not written yet -> the hits (correlation, group) they
    /// joined, in order: their annotation when they are written.
    memberships: HashMap<usize, Vec<(usize, Vec<Value>)>>,
    /// Per correlation: the hits that fired.
    fired: Vec<u64>,
    /// The engine's bytes already counted in `held_bytes`.
    counted: u64,
}

impl<W: Write> CorrelationSink<'_, W> {
    /// --live: the record just held arrives: decide the live correlations
    /// again around it and write what that decided into `out`.
    fn arrive(
        &mut self,
        record: &[u8],
        out: &mut Vec<u8>,
        matched: &mut u64,
    ) -> std::io::Result<()> {
        let Some(mut live) = self.live.take() else {
            return Ok(());
        };
        let result = self.arrive_with(&mut live, record, out, matched);
        self.live = Some(live);
        result
    }

    fn arrive_with(
        &mut self,
        live: &mut LiveOutput<'_>,
        record: &[u8],
        out: &mut Vec<u8>,
        matched: &mut u64,
    ) -> std::io::Result<()> {
        let index = self.held.len() - 1;
        let sigma = live.sigma;
        let correlations = &sigma.rules.correlations;
        live.written.push(false);
        let rules = &self.held[index].rules;
        let mut to_write = BTreeSet::new();
        if !live.alerts && rules.iter().any(|&r| correlations.rule_writes[r as usize]) {
            to_write.insert(index);
        }
        if live.engine.uses(rules)
            && let Some((event, time_text)) = self.held[index].facts.as_ref().and_then(Facts::event)
        {
            let (_, changes) = live.engine.add(correlations, event, rules);
            // Its record's number and eventTime text.
            self.held_bytes += 48 + time_text.len() as u64;
            live.event_record.push(index);
            live.event_times.push(time_text);
            for joined in changes.joined {
                if !correlations.list[joined.correlation].writes {
                    continue;
                }
                let member = live.event_record[joined.event as usize];
                if live.alerts || live.written[member] {
                    continue;
                }
                live.memberships
                    .entry(member)
                    .or_default()
                    .push((joined.correlation, joined.group));
                to_write.insert(member);
            }
            for (number, hit) in changes.fired {
                live.fired[number] += 1;
                if !correlations.list[number].writes {
                    continue;
                }
                if live.alerts {
                    *matched += 1;
                    if live.lines {
                        let time_of = |t: i64| {
                            hit.members
                                .iter()
                                .find(|&&m| live.engine.event(m).time == t)
                                .map(|&m| live.event_times[m as usize].clone())
                                .unwrap_or_default()
                        };
                        let members = hit
                            .members
                            .iter()
                            .map(|&m| {
                                let event = live.engine.event(m);
                                let id = event.event_id.clone().map_or(Value::Null, Value::String);
                                (event.time, id)
                            })
                            .collect();
                        let line = alert_line(
                            sigma,
                            number,
                            &hit,
                            &time_of(hit.first),
                            &time_of(hit.last),
                            members,
                        );
                        out.extend_from_slice(line.to_string().as_bytes());
                        out.push(b'\n');
                    }
                }
            }
            let bytes = live.engine.bytes();
            self.held_bytes += bytes.saturating_sub(live.counted);
            live.counted = bytes;
        }
        for member in to_write {
            live.written[member] = true;
            let joined = live.memberships.remove(&member).unwrap_or_default();
            *matched += 1;
            if !live.lines {
                continue;
            }
            let bytes = match member == index {
                true => std::borrow::Cow::Borrowed(record),
                false => std::borrow::Cow::Owned(self.read_back(member)?),
            };
            if sigma.annotate {
                let notes: Vec<String> = joined
                    .iter()
                    .map(|(number, group)| annotation(sigma, group, *number).to_string())
                    .collect();
                let mut entries = rule_entries(sigma, &self.held[member].rules);
                entries.extend(notes.iter().map(String::as_str));
                crate::sigma::append_member(&bytes, &entries, out);
            } else {
                out.extend_from_slice(&bytes);
            }
            out.push(b'\n');
        }
        Ok(())
    }
}

/// The entries of the rules in `rules` that write on their own.
fn rule_entries<'s>(sigma: &'s SigmaCriterion, rules: &[u32]) -> Vec<&'s str> {
    rules
        .iter()
        .filter(|&&r| sigma.rules.correlations.rule_writes[r as usize])
        .map(|&r| sigma.entry(r))
        .collect()
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
            let Some((event, time_text)) = facts.into_event() else {
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
            events.push(event);
            event_times.push(time_text);
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
        let event_times = events.iter().map(|e| e.time).collect();
        // Moved out, not copied: the events are done with.
        let event_ids = events
            .into_iter()
            .map(|e| e.event_id.map_or(Value::Null, Value::String))
            .collect();
        Decision {
            hits,
            times,
            written,
            in_hits,
            event_ids,
            event_times,
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
                // --live wrote these as they fired.
                let fired = self
                    .live
                    .as_ref()
                    .is_some_and(|live| live.engine.is_live(number));
                if sigma.rules.correlations.list[number].writes && !fired {
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
            // --count, --quiet: the spill need not be read (and what
            // --live wrote is counted already).
            let live = self.live.as_ref();
            matched = (0..self.held.len())
                .filter(|&i| decision.written[i] && !live.is_some_and(|live| live.written[i]))
                .count() as u64;
        } else {
            let mut spill = match self.reread() {
                Ok(spill) => spill,
                Err(error) => return self.spill_failed(error),
            };
            let mut record = Vec::new();
            // A hit's entry is the same on each of its events: made once.
            let correlations = &sigma.rules.correlations;
            let annotations: Vec<Vec<String>> = decision
                .hits
                .iter()
                .enumerate()
                .map(
                    |(number, hits)| match sigma.annotate && correlations.list[number].writes {
                        true => hits
                            .iter()
                            .map(|hit| annotation(sigma, &hit.group, number).to_string())
                            .collect(),
                        false => Vec::new(),
                    },
                )
                .collect();
            for index in 0..self.held.len() {
                let held = &self.held[index];
                let written_live = self.live.as_ref().is_some_and(|live| live.written[index]);
                if !decision.written[index] || written_live {
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
                    let mut entries = rule_entries(sigma, &held.rules);
                    for &(number, hit) in &decision.in_hits[index] {
                        entries.push(&annotations[number][hit]);
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
    /// With --live, `fired` says per correlation how many hits fired as
    /// records arrived (more than its hits when some merged later), or
    /// that it was decided at the end.
    pub fn print_stats(&self, sigma: &SigmaCriterion, fired: Option<&[Option<u64>]>) {
        let mut err = std::io::stderr().lock();
        for (number, correlation) in sigma.rules.correlations.list.iter().enumerate() {
            let rule = &correlation.rule;
            let live = match fired.map(|fired| fired[number]) {
                None => String::new(),
                Some(Some(fired)) => format!(", fired live {fired}"),
                Some(None) => ", decided at the end of the input".to_owned(),
            };
            let _ = writeln!(
                err,
                "spitzel-filter: stats: sigma: correlation {} hits {} [{}] {} ({}{}{})",
                self.hits[number].len(),
                rule.id.as_deref().unwrap_or("-"),
                rule.level.map_or("-", Level::name),
                rule.title,
                rule.kind.name(),
                if correlation.writes {
                    ""
                } else {
                    ", inner part of a chain, not written"
                },
                live
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

fn group(sigma: &SigmaCriterion, number: usize, values: &[Value]) -> Value {
    let rule = &sigma.rules.correlations.list[number].rule;
    let mut group = Map::new();
    for (field, value) in rule.group_by.iter().zip(values) {
        group.insert(field.clone(), value.clone());
    }
    Value::Object(group)
}

/// What names a correlation's hit, first in both of its JSON forms.
fn heading(sigma: &SigmaCriterion, values: &[Value], number: usize) -> Value {
    let rule = &sigma.rules.correlations.list[number].rule;
    json!({
        "id": rule.id,
        "title": rule.title,
        "level": rule.level.map(Level::name),
        "author": rule.author,
        "correlation": rule.kind.name(),
        "group": group(sigma, number, values),
    })
}

/// A correlation's entry of an event's "sigma" array, for a hit in the
/// group of `values`.
fn annotation(sigma: &SigmaCriterion, values: &[Value], number: usize) -> Value {
    let mut entry = heading(sigma, values, number);
    entry["rules"] = Value::Array(referenced(sigma, number));
    entry
}

/// One --sigma-alerts line.
fn alert(sigma: &SigmaCriterion, decision: &Decision, number: usize, hit_number: usize) -> Value {
    let hit = &decision.hits[number][hit_number];
    let (first, last) = &decision.times[number][hit_number];
    let members = hit
        .members
        .iter()
        .map(|&m| {
            let id = decision.event_ids[m as usize].clone();
            (decision.event_times[m as usize], id)
        })
        .collect();
    alert_line(sigma, number, hit, first, last, members)
}

/// One --sigma-alerts line for `hit`, whose events have these times and
/// eventIDs.
fn alert_line(
    sigma: &SigmaCriterion,
    number: usize,
    hit: &Hit,
    first: &str,
    last: &str,
    members: Vec<(i64, Value)>,
) -> Value {
    let rule = &sigma.rules.correlations.list[number].rule;
    let mut line = heading(sigma, &hit.group, number);
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
    let mut members: Vec<(i64, String, Value)> = members
        .into_iter()
        .map(|(time, id)| (time, id.to_string(), id))
        .collect();
    members.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    line["eventIDs"] = members.into_iter().map(|(_, _, id)| id).collect();
    line
}
