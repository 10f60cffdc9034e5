//! Streaming decoders for the non-NDJSON shapes: `{"Records":[...]}`
//! documents, JSON arrays of records, saved `lookup-events` output
//! (`{"Events":[{"CloudTrailEvent":"..."}]}`), spitzel-fetch `--envelope`
//! objects, and several documents in a row.
//!
//! Each record comes out as one line of compact JSON: the record's own bytes
//! with the white space outside strings dropped, so key order and the
//! spelling of every number and string are exactly as in the input. The
//! document is never built: a byte scanner walks it and only one record at a
//! time is held, so memory is bounded by the block size plus the largest
//! record however large the document.

mod scan;
mod unescape;

use std::fmt;
use std::io::BufRead;
use std::ops::ControlFlow;

use scan::{Fault, Scanner, describe};

use crate::{Limits, RecordBlock};

mod recover;

/// A fault in a stream; everything decoded before it has been emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based line of the input where the broken record (or the fault,
    /// when it is in no record) starts.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// What `decode_stream` hands on, in input order.
#[derive(Debug)]
pub enum Decoded {
    Records(RecordBlock),
    /// Something that is not a record: reported, and decoding goes on
    /// with the next record found after it.
    Fault(DecodeError),
}

/// Decode every JSON document in `reader` and emit its records in blocks of
/// about `block_bytes`, and its faults, in input order. A broken record or
/// a stray value costs only itself: decoding resumes at the next record.
/// `emit` returning Break stops the decoding (not an error). Err: reading
/// failed (the records before the failure have been emitted).
pub fn decode_stream(
    reader: &mut dyn BufRead,
    block_bytes: usize,
    limits: Limits,
    emit: &mut dyn FnMut(Decoded) -> ControlFlow<()>,
) -> Result<(), DecodeError> {
    decode_with(Scanner::new(reader), block_bytes, limits, emit)
}

/// `decode_stream` over input wholly in memory (a small file read whole),
/// which decodes faster: no call through a reader per token.
pub(crate) fn decode_slice(
    data: &[u8],
    block_bytes: usize,
    limits: Limits,
    emit: &mut dyn FnMut(Decoded) -> ControlFlow<()>,
) -> Result<(), DecodeError> {
    decode_with(Scanner::in_memory(data), block_bytes, limits, emit)
}

fn decode_with(
    scanner: Scanner<'_>,
    block_bytes: usize,
    limits: Limits,
    emit: &mut dyn FnMut(Decoded) -> ControlFlow<()>,
) -> Result<(), DecodeError> {
    let mut blocks = Blocks::new(block_bytes, emit);
    let mut decoder = Decoder::new(scanner, &mut blocks);
    decoder.sc.limit = limits.max_record;
    decoder.sc.gap = limits.max_gap();
    let outcome = decoder.run(|_| {});
    let line = decoder.sc.line;
    drop(decoder);
    // Records decoded before a fault are still delivered.
    let flushed = blocks.flush();
    match outcome {
        Ok(()) | Err(Fault::Stop) => Ok(()),
        Err(_) if matches!(flushed, Err(Fault::Stop)) => Ok(()),
        Err(fault) => Err(DecodeError {
            line,
            reason: reason(fault),
        }),
    }
}

/// The records inside a wrapper line, and what in it was not a record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub records: Vec<Vec<u8>>,
    pub faults: Vec<String>,
}

/// For the NDJSON path: when one line is itself a wrapper (a minified
/// `{"Records":[...]}` or `{"Events":[...]}` document, or an `--envelope`
/// object), the compact records inside it. None when the line is an ordinary
/// record, or holds no wrapper at all, which the filter then judges itself.
/// The filter asks only for lines whose top-level keys make them look like
/// a wrapper.
pub(crate) fn expand_line(line: &[u8]) -> Option<Expanded> {
    let mut records = Collect::default();
    let mut decoder = Decoder::new(Scanner::in_memory(line), &mut records);
    let mut kinds = Vec::new();
    let outcome = decoder.run(|kind| kinds.push(kind));
    drop(decoder);
    if let Err(fault) = outcome {
        records.0.faults.push(reason(fault));
    }
    if records.0.faults.is_empty() && kinds.iter().all(|&k| k == DocKind::Record) {
        return None;
    }
    Some(records.0)
}

fn reason(fault: Fault) -> String {
    match fault {
        Fault::Syntax(reason) => reason,
        Fault::Io(e) => e.to_string(),
        // Documents map Eof to what was left open; this is only a fallback.
        Fault::Eof => "truncated: unexpected end of input".into(),
        Fault::Stop => "stopped".into(),
        Fault::Reported => "broken document".into(),
        Fault::GiveUp(reason) => reason,
    }
}

/// What one top-level document turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    /// A bare record (or several documents' worth of them).
    Record,
    /// A `{"CloudTrailEvent": ...}` envelope.
    Envelope,
    /// A `{"Records":[...]}`, `{"Events":[...]}` document or an array.
    Wrapper,
}

/// An object read member by member.
#[derive(Debug, Clone, Copy)]
enum Parsed {
    Record,
    /// Byte range of the CloudTrailEvent value in the copied object.
    Envelope(usize, usize),
    Wrapper,
}

trait Sink {
    fn record(&mut self, record: &[u8], line: u64) -> Result<(), Fault>;
    fn fault(&mut self, line: u64, reason: String) -> Result<(), Fault>;
}

#[derive(Default)]
struct Collect(Expanded);

impl Sink for Collect {
    fn record(&mut self, record: &[u8], _line: u64) -> Result<(), Fault> {
        self.0.records.push(record.to_vec());
        Ok(())
    }

    fn fault(&mut self, _line: u64, reason: String) -> Result<(), Fault> {
        self.0.faults.push(reason);
        Ok(())
    }
}

struct Blocks<'e> {
    block_bytes: usize,
    block: RecordBlock,
    emit: &'e mut dyn FnMut(Decoded) -> ControlFlow<()>,
}

impl<'e> Blocks<'e> {
    fn new(block_bytes: usize, emit: &'e mut dyn FnMut(Decoded) -> ControlFlow<()>) -> Self {
        Blocks {
            block_bytes: block_bytes.max(1),
            block: RecordBlock::default(),
            emit,
        }
    }

    fn flush(&mut self) -> Result<(), Fault> {
        if self.block.data.is_empty() {
            return Ok(());
        }
        let block = std::mem::take(&mut self.block);
        match (self.emit)(Decoded::Records(block)) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(Fault::Stop),
        }
    }
}

impl Sink for Blocks<'_> {
    fn record(&mut self, record: &[u8], line: u64) -> Result<(), Fault> {
        if self.block.data.is_empty() {
            self.block.first_line = line;
        }
        self.block.data.extend_from_slice(record);
        self.block.data.push(b'\n');
        self.block.lines.get_or_insert_with(Vec::new).push(line);
        if self.block.data.len() >= self.block_bytes {
            self.flush()?;
        }
        Ok(())
    }

    fn fault(&mut self, line: u64, reason: String) -> Result<(), Fault> {
        // The records before the fault go out first, so that the report
        // keeps its place in the input order.
        self.flush()?;
        match (self.emit)(Decoded::Fault(DecodeError { line, reason })) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(Fault::Stop),
        }
    }
}

/// A record read but not yet sent: it goes out once what follows it shows
/// that it ended where it should (a `"` right after its `}` means it was
/// cut short by a stray bracket, and the rest of it follows).
struct Held {
    rec: Vec<u8>,
    parsed: Parsed,
    line: u64,
}

struct Decoder<'a, 'k> {
    sc: Scanner<'a>,
    /// The object being read (a record or an envelope).
    rec: Vec<u8>,
    /// A CloudTrailEvent string's record, compacted.
    text: Vec<u8>,
    held: Option<Held>,
    /// A buffer for values read only to be skipped.
    scratch: Vec<u8>,
    /// The line where the document being read started.
    doc_start: Option<u64>,
    sink: &'k mut dyn Sink,
}

/// Where the elements of an array of records stand, for recovery: the
/// indentation of elements that start their lines, and the first key of
/// the elements (`eventVersion` in CloudTrail), which mark where the next
/// element begins after a broken one.
#[derive(Debug, Default)]
struct ArrayMarks {
    indent: Option<usize>,
    /// The first key every element so far opened with.
    key: Option<Vec<u8>>,
    learned: bool,
    /// Elements open with different keys: any `{"` after a `,` may start one.
    varied: bool,
}

impl ArrayMarks {
    /// Learn from the element just copied into `rec` (whole or not).
    fn learn(&mut self, rec: &[u8]) {
        let key = first_key(rec);
        match &self.key {
            _ if self.varied => {}
            None => self.key = key.map(<[u8]>::to_vec),
            Some(known) if key.is_some_and(|k| k != &known[..]) => {
                self.key = None;
                self.varied = true;
            }
            Some(_) => {}
        }
    }
}

impl<'a, 'k> Decoder<'a, 'k> {
    fn new(sc: Scanner<'a>, sink: &'k mut dyn Sink) -> Self {
        Decoder {
            sc,
            rec: Vec::new(),
            text: Vec::new(),
            held: None,
            scratch: Vec::new(),
            doc_start: None,
            sink,
        }
    }

    /// Every document to the end of input; `seen` learns each one's kind.
    fn run(&mut self, mut seen: impl FnMut(DocKind)) -> Result<(), Fault> {
        loop {
            let line = self.sc.line;
            match self.document() {
                Ok(Some(kind)) => seen(kind),
                Ok(None) => return self.release(),
                // Reported already, and the input is at a new document.
                Err(Fault::Reported) => {}
                Err(Fault::Syntax(reason)) => {
                    self.broken(self.doc_line(line), reason)?;
                    self.seek_document()?;
                }
                Err(Fault::Eof) => {
                    self.broken(self.doc_line(line), truncated_reason("the object"))?;
                }
                Err(Fault::Stop) => return Err(Fault::Stop),
                Err(fault) => {
                    // A read error after a whole record: the record stands.
                    self.release()?;
                    return Err(fault);
                }
            }
        }
    }

    /// The line where the document being read started.
    fn doc_line(&self, fallback: u64) -> u64 {
        self.doc_start.unwrap_or(fallback)
    }

    /// One top-level document; None at the end of input.
    fn document(&mut self) -> Result<Option<DocKind>, Fault> {
        self.doc_start = None;
        // `cat` of several files can put a BOM before any document.
        self.sc.skip_bom()?;
        let Some(first) = self.sc.peek()? else {
            return Ok(None);
        };
        let line = self.sc.line;
        if first == b'"'
            && let Some(held) = self.held.take()
        {
            // A member after the record's `}`: it closed early.
            self.doc_start = Some(held.line);
            return Err(Fault::Syntax(
                "expected a JSON object or array, found '\"' after the record's end".into(),
            ));
        }
        self.release()?;
        self.doc_start = Some(line);
        match first {
            b'[' => {
                self.sc.bump();
                self.elements("the array", line)?;
                Ok(Some(DocKind::Wrapper))
            }
            b'{' => {
                let parsed = self.object(true, line)?;
                if let Parsed::Wrapper = parsed {
                    return Ok(Some(DocKind::Wrapper));
                }
                let kind = match parsed {
                    Parsed::Envelope(..) => DocKind::Envelope,
                    _ => DocKind::Record,
                };
                self.hold(parsed, line);
                Ok(Some(kind))
            }
            b => Err(Fault::Syntax(format!(
                "expected a JSON object or array, found {}",
                describe(b)
            ))),
        }
    }

    /// Report something that is not a record, at `line` (where the broken
    /// record starts), naming the line of the fault when it is later.
    fn broken(&mut self, line: u64, reason: String) -> Result<(), Fault> {
        let reason = if self.sc.line > line {
            format!("{reason} (at line {})", self.sc.line)
        } else {
            reason
        };
        self.sink.fault(line, reason)
    }

    /// Keep the record in `rec` until what follows it is seen.
    fn hold(&mut self, parsed: Parsed, line: u64) {
        let rec = std::mem::take(&mut self.rec);
        let spare = match self.held.take() {
            Some(held) => held.rec,
            None => Vec::new(),
        };
        self.rec = spare;
        self.held = Some(Held { rec, parsed, line });
    }

    /// Send the held record on.
    fn release(&mut self) -> Result<(), Fault> {
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        let sent = emit_record(
            &mut *self.sink,
            &mut self.text,
            &held.rec,
            held.parsed,
            held.line,
        );
        if self.rec.capacity() < held.rec.capacity() {
            self.rec = held.rec;
        }
        match sent {
            Ok(()) => Ok(()),
            Err(Fault::Syntax(reason)) => self.sink.fault(held.line, reason),
            Err(fault) => Err(fault),
        }
    }

    /// The elements of an array of records, its `[` already consumed. A
    /// broken element is reported and reading goes on at the next element.
    fn elements(&mut self, what: &str, open_line: u64) -> Result<(), Fault> {
        let outer = self.sc.record_start.take();
        let read = self.elements_inner(what, open_line);
        self.sc.record_start = outer;
        read
    }

    fn elements_inner(&mut self, what: &str, open_line: u64) -> Result<(), Fault> {
        let mut marks = ArrayMarks::default();
        let mut first = true;
        loop {
            // An element's place.
            let Some(b) = self.sc.peek()? else {
                self.release()?;
                self.broken(open_line.max(self.sc.line), truncated_reason(what))?;
                return Err(Fault::Reported);
            };
            if first && b == b']' {
                self.sc.bump();
                return Ok(());
            }
            first = false;
            let line = self.sc.line;
            let fault = if b == b'{' {
                // A new record starts: the one before it was whole.
                self.release()?;
                if !marks.learned {
                    marks.indent = self.sc.at_line_start.then_some(self.sc.indent);
                }
                match self.object(false, line) {
                    Ok(parsed) => {
                        marks.learn(&self.rec);
                        marks.learned = true;
                        self.sc.record_start = marks.key.as_ref().map(|key| {
                            let mut start = vec![b'{'];
                            start.extend_from_slice(key);
                            start
                        });
                        self.hold(parsed, line);
                        None
                    }
                    Err(fault @ (Fault::Syntax(_) | Fault::Eof)) => {
                        marks.learn(&self.rec);
                        let reason = match fault {
                            Fault::Syntax(reason) => reason,
                            // Perhaps only here: the next file's records
                            // can be inside what this one left open.
                            _ => truncated_reason(what),
                        };
                        Some((line, reason, true))
                    }
                    Err(fault) => return Err(fault),
                }
            } else if b == b'"' || b == b'[' || scan::is_word(b) {
                self.not_a_record(what, line, marks.key.as_deref())?
            } else {
                self.release()?;
                Some((
                    line,
                    format!("expected a record object in {what}, found {}", describe(b)),
                    false,
                ))
            };
            let fault = match fault {
                Some(fault) => Some(fault),
                // The separator after the element.
                None => match self.sc.peek()? {
                    Some(b',') => {
                        self.sc.bump();
                        None
                    }
                    Some(b']') => {
                        self.sc.bump();
                        self.release()?;
                        return Ok(());
                    }
                    Some(b'"') if self.held.is_some() => {
                        // A member after the record's `}`: it closed early.
                        let held = self.held.take().map_or(line, |h| h.line);
                        Some((
                            held,
                            format!(
                                "expected ',' or ']' in {what}, found '\"' after the record's end"
                            ),
                            false,
                        ))
                    }
                    Some(b) => {
                        self.release()?;
                        Some((
                            self.sc.line,
                            format!("expected ',' or ']' in {what}, found {}", describe(b)),
                            false,
                        ))
                    }
                    None => {
                        self.release()?;
                        self.broken(self.sc.line, truncated_reason(what))?;
                        return Err(Fault::Reported);
                    }
                },
            };
            if let Some((line, reason, in_record)) = fault {
                self.broken(line, reason)?;
                if in_record {
                    self.look_back(&marks);
                }
                if !self.seek_element(&marks)? {
                    return Err(Fault::Reported);
                }
            }
        }
    }

    /// An element that is not an object: reported, skipped. Some(fault)
    /// when it is not even a whole value followed by a separator.
    fn not_a_record(
        &mut self,
        what: &str,
        line: u64,
        first_key: Option<&[u8]>,
    ) -> Result<Option<(u64, String, bool)>, Fault> {
        let mut value = std::mem::take(&mut self.scratch);
        value.clear();
        // An element that is an array is no record, so a record inside it
        // is not one that lost its end: the array is skipped whole.
        let record_start = self.sc.record_start.take();
        let copied = self.sc.copy_value(&mut value);
        self.sc.record_start = record_start;
        let kind = value_kind(&value);
        self.scratch = value;
        match copied {
            Ok(()) => {}
            Err(Fault::Syntax(reason)) => {
                self.release()?;
                return Ok(Some((line, reason, false)));
            }
            Err(Fault::Eof) => {
                self.release()?;
                self.broken(line, truncated_reason(what))?;
                return Err(Fault::Reported);
            }
            Err(fault) => return Err(fault),
        }
        let next = self.sc.peek()?;
        let member = kind == "a string" && !matches!(next, Some(b',' | b']'));
        if member && first_key == Some(&self.scratch[..]) {
            // `,"eventVersion":...}`: a record that lost its `{`.
            self.release()?;
            return Ok(Some((
                line,
                format!("expected a record object in {what}, found a member name"),
                false,
            )));
        }
        if member && self.held.is_some() {
            // `{"a":1},"b":2}`: a stray `}` ended the record before its
            // members; the record and this are one broken record.
            let held = self.held.take().map_or(line, |h| h.line);
            return Ok(Some((
                held,
                format!(
                    "expected a record object in {what}, found a member after the record's end"
                ),
                false,
            )));
        }
        self.release()?;
        self.broken(
            line,
            format!("expected a record object in {what}, found {kind}"),
        )?;
        Ok(None)
    }

    /// Read an object member by member into `rec`. At the top level a
    /// Records or Events array is streamed to the sink as it is read.
    fn object(&mut self, top: bool, line: u64) -> Result<Parsed, Fault> {
        self.rec.clear();
        self.sc.bump();
        self.rec.push(b'{');
        if self.sc.peek_some()? == b'}' {
            self.sc.bump();
            self.rec.push(b'}');
            return Ok(Parsed::Record);
        }
        let mut envelope = None;
        // A string eventName makes the object a record even beside a
        // CloudTrailEvent member, as it does for an NDJSON line.
        let mut named = false;
        let mut wrapper = false;
        let mut first_member = true;
        let mut not_an_array = None;
        loop {
            let b = self.sc.peek_some()?;
            if b != b'"' {
                return Err(Fault::Syntax(format!(
                    "expected a member name, found {}",
                    describe(b)
                )));
            }
            let key_at = self.rec.len();
            self.sc.copy_string(&mut self.rec)?;
            let key = &self.rec[key_at..];
            let array_of = if !top {
                None
            } else if key == b"\"Records\"" {
                Some("the Records array")
            } else if key == b"\"Events\"" {
                Some("the Events array")
            } else {
                None
            };
            let is_event = key == b"\"CloudTrailEvent\"";
            let is_event_name = key == b"\"eventName\"";
            if !top
                && first_member
                && self.sc.record_start.is_none()
                && plain_name(&key[1..key.len() - 1])
            {
                // The first element: its own first key marks the next one.
                let mut start = vec![b'{'];
                start.extend_from_slice(key);
                self.sc.record_start = Some(start);
            }
            self.sc.expect(b':', "':' after a member name")?;
            self.rec.push(b':');
            match array_of {
                Some(what) if self.sc.peek_some()? == b'[' => {
                    wrapper = true;
                    self.sc.bump();
                    self.elements(what, line)?;
                }
                _ => {
                    let value_at = self.rec.len();
                    self.sc.copy_value(&mut self.rec)?;
                    if is_event {
                        envelope = Some((value_at, self.rec.len()));
                    }
                    if is_event_name && self.rec.get(value_at) == Some(&b'"') {
                        named = true;
                    }
                    if first_member && let Some(what) = array_of {
                        // `{"Records":null}` is a wrapper gone wrong, not a record.
                        let name = if what.contains("Records") {
                            "Records"
                        } else {
                            "Events"
                        };
                        not_an_array = Some(format!(
                            "{name} is not an array: found {}",
                            value_kind(&self.rec[value_at..])
                        ));
                    }
                }
            }
            first_member = false;
            if wrapper {
                // The members around Records are not a record: drop them as we go.
                self.rec.clear();
            }
            match self.sc.peek_some()? {
                b',' => {
                    self.sc.bump();
                    self.rec.push(b',');
                }
                b'}' => {
                    self.sc.bump();
                    self.rec.push(b'}');
                    break;
                }
                b => {
                    return Err(Fault::Syntax(format!(
                        "expected ',' or '}}' after a member, found {}",
                        describe(b)
                    )));
                }
            }
        }
        if let Some(reason) = not_an_array {
            self.broken(line, reason)?;
            return Ok(Parsed::Wrapper);
        }
        Ok(match (wrapper, envelope) {
            (true, _) => Parsed::Wrapper,
            (false, Some((start, end))) if !named => Parsed::Envelope(start, end),
            (false, _) => Parsed::Record,
        })
    }
}

/// Send the record an object stands for to the sink.
fn emit_record(
    sink: &mut dyn Sink,
    text: &mut Vec<u8>,
    rec: &[u8],
    parsed: Parsed,
    line: u64,
) -> Result<(), Fault> {
    match parsed {
        Parsed::Wrapper => Ok(()),
        Parsed::Record => sink.record(rec, line),
        Parsed::Envelope(start, end) => {
            let value = &rec[start..end];
            match value.first() {
                Some(b'{') => sink.record(value, line),
                Some(b'"') => {
                    text.clear();
                    record_from_string(value, text).map_err(Fault::Syntax)?;
                    sink.record(text, line)
                }
                _ => Err(Fault::Syntax(
                    "CloudTrailEvent is neither an object nor a JSON string".into(),
                )),
            }
        }
    }
}

/// The first member name of a copied object (`{"key":...`), quotes
/// included, when it is a plain name (a broken record's may be `",{"`,
/// which would mark nothing).
fn first_key(rec: &[u8]) -> Option<&[u8]> {
    let rest = rec.strip_prefix(b"{\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    (rest[end] == b'"' && plain_name(&rest[..end])).then(|| &rec[1..end + 3])
}

fn plain_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$' | b'@'))
}

/// What a compactly copied value is, for messages.
fn value_kind(value: &[u8]) -> &'static str {
    match value.first() {
        Some(b'"') => "a string",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        Some(b'n') if value == b"null" => "null",
        Some(b't' | b'f') if value == b"true" || value == b"false" => "a boolean",
        Some(b'-' | b'0'..=b'9') => "a number",
        _ => "a value that is not JSON",
    }
}

fn truncated_reason(what: &str) -> String {
    format!("truncated: {what} is not closed")
}

/// A CloudTrailEvent string literal: unescape it, then compact the record
/// text the same way as records read from documents.
fn record_from_string(literal: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let text = unescape::unescape(literal).map_err(|e| format!("CloudTrailEvent string: {e}"))?;
    let mut sc = Scanner::in_memory(&text);
    let fail = |f: Fault| match f {
        Fault::Eof => "CloudTrailEvent holds a truncated object".to_string(),
        f => format!("CloudTrailEvent: {}", reason(f)),
    };
    match sc.peek().map_err(fail)? {
        Some(b'{') => {}
        Some(b) => {
            return Err(format!(
                "CloudTrailEvent does not hold a JSON object, found {}",
                describe(b)
            ));
        }
        None => return Err("CloudTrailEvent is empty".into()),
    }
    sc.copy_value(out).map_err(fail)?;
    match sc.peek().map_err(fail)? {
        None => Ok(()),
        Some(b) => Err(format!(
            "CloudTrailEvent has text after its object: {}",
            describe(b)
        )),
    }
}

#[cfg(test)]
mod tests;
