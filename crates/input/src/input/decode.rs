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

use scan::{Fault, Scanner, describe};

use super::RecordBlock;

/// A fault in a stream; everything decoded before it has been emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based line of the input where the fault was found.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// Decode every JSON document in `reader` and emit its records in blocks of
/// about `block_bytes`, in input order. `emit` returning false stops the
/// decoding (not an error).
pub fn decode_stream(
    reader: &mut dyn BufRead,
    block_bytes: usize,
    emit: &mut dyn FnMut(RecordBlock) -> bool,
) -> Result<(), DecodeError> {
    let mut blocks = Blocks::new(block_bytes, emit);
    let mut decoder = Decoder::new(reader, &mut blocks);
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

/// For the NDJSON path: when one line is itself a wrapper (a minified
/// `{"Records":[...]}` or `{"Events":[...]}` document, or an `--envelope`
/// object), the compact records inside it. None when the line is an ordinary
/// record, or holds no wrapper at all, which the filter then judges itself.
pub fn expand_line(line: &[u8]) -> Option<Result<Vec<Vec<u8>>, String>> {
    if !may_be_wrapper(line) {
        return None;
    }
    let mut records = Collect(Vec::new());
    let mut src = line;
    let mut decoder = Decoder::new(&mut src, &mut records);
    let mut kinds = Vec::new();
    let outcome = decoder.run(|kind| kinds.push(kind));
    drop(decoder);
    match outcome {
        Err(fault) => Some(Err(reason(fault))),
        Ok(()) if kinds.iter().all(|&k| k == DocKind::Record) => None,
        Ok(()) => Some(Ok(records.0)),
    }
}

/// The cheap test before decoding a line: only wrappers need it.
fn may_be_wrapper(line: &[u8]) -> bool {
    let start = line
        .iter()
        .position(|b| !b" \t\r\n".contains(b))
        .unwrap_or(line.len());
    let line = &line[start..];
    line.starts_with(b"{\"Records\"")
        || line.starts_with(b"{\"Events\"")
        || memchr::memmem::find(line, b"\"CloudTrailEvent\"").is_some()
}

fn reason(fault: Fault) -> String {
    match fault {
        Fault::Syntax(reason) => reason,
        Fault::Io(e) => e.to_string(),
        // Documents map Eof to what was left open; this is only a fallback.
        Fault::Eof => "truncated: unexpected end of input".into(),
        Fault::Stop => "stopped".into(),
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
enum Parsed {
    Record,
    /// Byte range of the CloudTrailEvent value in the copied object.
    Envelope(usize, usize),
    Wrapper,
}

trait Sink {
    fn record(&mut self, record: &[u8], line: u64) -> Result<(), Fault>;
}

struct Collect(Vec<Vec<u8>>);

impl Sink for Collect {
    fn record(&mut self, record: &[u8], _line: u64) -> Result<(), Fault> {
        self.0.push(record.to_vec());
        Ok(())
    }
}

struct Blocks<'e> {
    block_bytes: usize,
    block: RecordBlock,
    emit: &'e mut dyn FnMut(RecordBlock) -> bool,
}

impl<'e> Blocks<'e> {
    fn new(block_bytes: usize, emit: &'e mut dyn FnMut(RecordBlock) -> bool) -> Self {
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
        if (self.emit)(block) {
            Ok(())
        } else {
            Err(Fault::Stop)
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
}

struct Decoder<'a, 'k> {
    sc: Scanner<'a>,
    /// The object being read (a record or an envelope).
    rec: Vec<u8>,
    /// A CloudTrailEvent string's record, compacted.
    text: Vec<u8>,
    sink: &'k mut dyn Sink,
}

impl<'a, 'k> Decoder<'a, 'k> {
    fn new(src: &'a mut dyn BufRead, sink: &'k mut dyn Sink) -> Self {
        Decoder {
            sc: Scanner::new(src),
            rec: Vec::new(),
            text: Vec::new(),
            sink,
        }
    }

    /// Every document to the end of input; `seen` learns each one's kind.
    fn run(&mut self, mut seen: impl FnMut(DocKind)) -> Result<(), Fault> {
        loop {
            // `cat` of several files can put a BOM before any document.
            self.sc.skip_bom()?;
            let Some(first) = self.sc.peek()? else {
                return Ok(());
            };
            let line = self.sc.line;
            match first {
                b'[' => {
                    self.sc.bump();
                    self.elements("the array")?;
                    seen(DocKind::Wrapper);
                }
                b'{' => {
                    let parsed = self.object(true).map_err(|f| match f {
                        Fault::Eof => truncated("the object"),
                        f => f,
                    })?;
                    seen(self.emit(parsed, line)?);
                }
                b => {
                    return Err(Fault::Syntax(format!(
                        "expected a JSON object or array, found {}",
                        describe(b)
                    )));
                }
            }
        }
    }

    /// The elements of an array of records, its `[` already consumed.
    fn elements(&mut self, what: &str) -> Result<(), Fault> {
        self.elements_inner(what).map_err(|f| match f {
            Fault::Eof => truncated(what),
            f => f,
        })
    }

    fn elements_inner(&mut self, what: &str) -> Result<(), Fault> {
        if self.sc.peek_some()? == b']' {
            self.sc.bump();
            return Ok(());
        }
        loop {
            let b = self.sc.peek_some()?;
            if b != b'{' {
                return Err(Fault::Syntax(format!(
                    "expected a record object in {what}, found {}",
                    describe(b)
                )));
            }
            let line = self.sc.line;
            let parsed = self.object(false)?;
            self.emit(parsed, line)?;
            match self.sc.peek_some()? {
                b',' => self.sc.bump(),
                b']' => {
                    self.sc.bump();
                    return Ok(());
                }
                b => {
                    return Err(Fault::Syntax(format!(
                        "expected ',' or ']' in {what}, found {}",
                        describe(b)
                    )));
                }
            }
        }
    }

    /// Read an object member by member into `rec`. At the top level a
    /// Records or Events array is streamed to the sink as it is read.
    fn object(&mut self, top: bool) -> Result<Parsed, Fault> {
        self.rec.clear();
        self.sc.bump();
        self.rec.push(b'{');
        if self.sc.peek_some()? == b'}' {
            self.sc.bump();
            self.rec.push(b'}');
            return Ok(Parsed::Record);
        }
        let mut envelope = None;
        let mut wrapper = false;
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
            self.sc.expect(b':', "':' after a member name")?;
            self.rec.push(b':');
            match array_of {
                Some(what) if self.sc.peek_some()? == b'[' => {
                    wrapper = true;
                    self.sc.bump();
                    self.elements(what)?;
                }
                _ => {
                    let value_at = self.rec.len();
                    self.sc.copy_value(&mut self.rec)?;
                    if is_event {
                        envelope = Some((value_at, self.rec.len()));
                    }
                }
            }
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
        Ok(match (wrapper, envelope) {
            (true, _) => Parsed::Wrapper,
            (false, Some((start, end))) => Parsed::Envelope(start, end),
            (false, None) => Parsed::Record,
        })
    }

    /// Send the record an object stands for to the sink.
    fn emit(&mut self, parsed: Parsed, line: u64) -> Result<DocKind, Fault> {
        match parsed {
            Parsed::Wrapper => Ok(DocKind::Wrapper),
            Parsed::Record => {
                self.sink.record(&self.rec, line)?;
                Ok(DocKind::Record)
            }
            Parsed::Envelope(start, end) => {
                let value = &self.rec[start..end];
                match value.first() {
                    Some(b'{') => self.sink.record(value, line)?,
                    Some(b'"') => {
                        self.text.clear();
                        record_from_string(value, &mut self.text).map_err(Fault::Syntax)?;
                        self.sink.record(&self.text, line)?;
                    }
                    _ => {
                        return Err(Fault::Syntax(
                            "CloudTrailEvent is neither an object nor a JSON string".into(),
                        ));
                    }
                }
                Ok(DocKind::Envelope)
            }
        }
    }
}

fn truncated(what: &str) -> Fault {
    Fault::Syntax(format!("truncated: {what} is not closed"))
}

/// A CloudTrailEvent string literal: unescape it, then compact the record
/// text the same way as records read from documents.
fn record_from_string(literal: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let text = unescape::unescape(literal).map_err(|e| format!("CloudTrailEvent string: {e}"))?;
    let mut src = &text[..];
    let mut sc = Scanner::new(&mut src);
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
