//! A streaming JSON byte scanner: finds value boundaries (string and escape
//! aware, bracket matching) and copies values compactly, byte for byte except
//! for insignificant white space. It never builds a tree, so numbers and
//! strings keep the exact spelling of the input.

use std::io::{self, BufRead};

use spitzel_core::json_bytes::is_space;

/// Why scanning stopped.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The input ended inside a value; the caller knows what was open.
    Eof,
    Io(io::Error),
    Syntax(String),
    /// The consumer asked to stop (not an error).
    Stop,
    /// A broken document, already reported; reading goes on at the next
    /// document.
    Reported,
    /// A run without a record longer than the limit: the rest of the input
    /// is not read.
    GiveUp(String),
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Self {
        Fault::Io(e)
    }
}

/// Bytes that make up numbers and the literals true/false/null. White space
/// between two of them is kept as one space so that dropping it can never
/// merge two tokens into a different valid one (`[1 2]` must not become `[12]`).
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// A byte as an error message shows it.
pub(crate) fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// The reader's buffered bytes; empty at the end of input.
fn fill(src: &mut dyn BufRead) -> Result<&[u8], Fault> {
    // Retry interruptions first; the second fill_buf then only hands out the
    // buffer (returning the borrow from inside the loop does not type-check).
    loop {
        match src.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Fault::Io(e)),
        }
    }
    src.fill_buf().map_err(Fault::Io)
}

/// Where the scanner reads: a reader, or input already in memory, which
/// needs no call through the reader per token (a tree of small files is
/// read whole; that call was a tenth of the time).
enum Src<'a> {
    Read(&'a mut dyn BufRead),
    Mem(&'a [u8]),
}

impl Src<'_> {
    fn consume(&mut self, n: usize) {
        match self {
            Src::Read(src) => src.consume(n),
            Src::Mem(rest) => *rest = &rest[n..],
        }
    }
}

/// The bytes to read next: what recovery handed back first, then `src`.
fn next_chunk<'s>(src: &'s mut Src<'_>, replay: &'s [u8]) -> Result<&'s [u8], Fault> {
    if !replay.is_empty() {
        return Ok(replay);
    }
    match src {
        Src::Read(src) => fill(*src),
        Src::Mem(rest) => Ok(rest),
    }
}

pub(crate) struct Scanner<'a> {
    src: Src<'a>,
    /// 1-based line of the next unread byte.
    pub line: u64,
    /// Whether only white space (or a BOM) stands between the last line
    /// break and the next unread byte, and how much of it: recovery looks
    /// for records where lines start.
    pub at_line_start: bool,
    pub indent: usize,
    /// Open brackets of the value being copied (reused between values).
    stack: Vec<u8>,
    /// Bytes handed back by recovery, read before `src` from `replay_at`.
    replay: Vec<u8>,
    replay_at: usize,
    /// The last byte other than white space before the `{` or `[` that
    /// `seek_open` stopped at (None: none seen).
    pub before_open: Option<u8>,
    /// `{"eventVersion"` when the elements of the array being read open
    /// so: such an object inside an array inside an element is the next
    /// element, taken in by a record whose end was lost.
    pub record_start: Option<Vec<u8>>,
    /// The longest value copied.
    pub limit: usize,
    /// The longest run skipped (white space, or recovery's search for the
    /// next record).
    pub gap: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(src: &'a mut dyn BufRead) -> Self {
        Self::from(Src::Read(src))
    }

    /// A scanner over input wholly in memory.
    pub(crate) fn in_memory(data: &'a [u8]) -> Self {
        Self::from(Src::Mem(data))
    }

    fn from(src: Src<'a>) -> Self {
        Scanner {
            src,
            line: 1,
            at_line_start: true,
            indent: 0,
            stack: Vec::new(),
            replay: Vec::new(),
            replay_at: 0,
            before_open: None,
            record_start: None,
            limit: usize::MAX,
            gap: usize::MAX,
        }
    }

    fn too_long(&self) -> Fault {
        Fault::Syntax(format!(
            "record longer than {} (--max-record-size)",
            crate::describe_size(self.limit)
        ))
    }

    fn give_up(&self) -> Fault {
        Fault::GiveUp(format!(
            "no record in the next {}: the rest of this input is not read",
            crate::describe_size(self.gap)
        ))
    }

    fn chunk(&mut self) -> Result<&[u8], Fault> {
        next_chunk(&mut self.src, &self.replay[self.replay_at..])
    }

    /// Mark `n` bytes of the last chunk as read.
    fn consume(&mut self, n: usize) {
        if self.replay_at < self.replay.len() {
            self.replay_at += n;
            if self.replay_at == self.replay.len() {
                self.replay.clear();
                self.replay_at = 0;
            }
        } else {
            self.src.consume(n);
        }
    }

    /// Read `bytes` again before anything not yet read (recovery found a
    /// record's start among bytes already taken).
    pub(crate) fn unread(&mut self, bytes: &[u8]) {
        // What is read again follows other bytes on its line.
        self.at_line_start = false;
        let mut replay = bytes.to_vec();
        replay.extend_from_slice(&self.replay[self.replay_at..]);
        self.replay = replay;
        self.replay_at = 0;
    }

    /// Skip white space; the next byte without consuming it, None at the end.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, Fault> {
        let mut run = 0usize;
        loop {
            let chunk = self.chunk()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let skipped = chunk.iter().take_while(|&&b| is_space(b)).count();
            let lines = memchr::memchr_iter(b'\n', &chunk[..skipped]).count() as u64;
            let after_break = memchr::memrchr(b'\n', &chunk[..skipped]).map(|at| skipped - at - 1);
            let next = chunk.get(skipped).copied();
            self.consume(skipped);
            self.line += lines;
            match after_break {
                Some(indent) => {
                    self.at_line_start = true;
                    self.indent = indent;
                }
                None => self.indent += skipped,
            }
            if next.is_some() {
                return Ok(next);
            }
            run += skipped;
            if run > self.gap {
                return Err(self.give_up());
            }
        }
    }

    /// Like `peek`, but the end of input is a fault.
    pub(crate) fn peek_some(&mut self) -> Result<u8, Fault> {
        self.peek()?.ok_or(Fault::Eof)
    }

    /// Consume one byte already seen through `peek`.
    pub(crate) fn bump(&mut self) {
        self.consume(1);
        self.at_line_start = false;
    }

    /// Consume `want` exactly (after white space) or fail with `what`.
    pub(crate) fn expect(&mut self, want: u8, what: &str) -> Result<(), Fault> {
        let b = self.peek_some()?;
        if b != want {
            return Err(Fault::Syntax(format!(
                "expected {what}, found {}",
                describe(b)
            )));
        }
        self.bump();
        Ok(())
    }

    /// Skip a UTF-8 byte order mark if the next bytes are one.
    pub(crate) fn skip_bom(&mut self) -> Result<(), Fault> {
        if self.peek()? != Some(0xEF) {
            return Ok(());
        }
        // A BOM does not move a record off the start of its line.
        let at_line_start = self.at_line_start;
        self.consume(1);
        for want in [0xBB, 0xBF] {
            let b = self.chunk()?.first().copied();
            match b {
                Some(b) if b == want => self.consume(1),
                Some(b) => {
                    return Err(Fault::Syntax(format!(
                        "expected a JSON object or array, found {}",
                        describe(b)
                    )));
                }
                None => return Err(Fault::Eof),
            }
        }
        self.at_line_start = at_line_start;
        Ok(())
    }

    /// Skip to the next `{` or `[` (left unread), whatever it stands in;
    /// None at the end of input. Recovery's way over a broken stretch.
    pub(crate) fn seek_open(&mut self) -> Result<Option<u8>, Fault> {
        let mut run = 0usize;
        loop {
            if run > self.gap {
                return Err(self.give_up());
            }
            let chunk = next_chunk(&mut self.src, &self.replay[self.replay_at..])?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let found = memchr::memchr2(b'{', b'[', chunk);
            let end = found.unwrap_or(chunk.len());
            let skipped = &chunk[..end];
            let lines = memchr::memchr_iter(b'\n', skipped).count() as u64;
            let (line_part, broke) = match memchr::memrchr(b'\n', skipped) {
                Some(at) => (&skipped[at + 1..], true),
                None => (skipped, false),
            };
            let blank = line_part
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | 0xEF | 0xBB | 0xBF));
            let (at_line_start, indent) = if broke {
                (blank, line_part.len())
            } else {
                (self.at_line_start && blank, self.indent + line_part.len())
            };
            let open = found.map(|at| chunk[at]);
            if let Some(&b) = skipped.iter().rev().find(|&&b| !is_space(b)) {
                self.before_open = Some(b);
            }
            run += end;
            self.consume(end);
            self.line += lines;
            self.at_line_start = at_line_start;
            self.indent = indent;
            if open.is_some() {
                return Ok(open);
            }
        }
    }

    /// After a `{` that recovery took: take a short plain member name
    /// (`"eventVersion"`) into `taken`; false when what follows is not one
    /// (what was taken is then skipped).
    pub(crate) fn take_key(&mut self, taken: &mut Vec<u8>) -> Result<bool, Fault> {
        let start = taken.len();
        loop {
            let Some(&b) = self.chunk()?.first() else {
                return Ok(false);
            };
            let opening = taken.len() == start;
            if opening && b != b'"' {
                return Ok(false);
            }
            if !opening && b == b'"' {
                taken.push(b);
                self.consume(1);
                return Ok(true);
            }
            if matches!(b, b'\\' | b'\n' | b'{' | b'[') || taken.len() - start > 128 {
                return Ok(false);
            }
            taken.push(b);
            self.consume(1);
        }
    }

    /// Copy a string, quotes included, exactly as written. The next byte
    /// must be the opening quote.
    pub(crate) fn copy_string(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        self.bump();
        out.push(b'"');
        // A line break ends the search without being taken, so that the
        // line count stays right and recovery sees the next line's start.
        loop {
            let mut escaped = false;
            let chunk = self.chunk()?;
            if chunk.is_empty() {
                return Err(Fault::Eof);
            }
            match memchr::memchr3(b'"', b'\\', b'\n', chunk) {
                None => {
                    let n = chunk.len();
                    out.extend_from_slice(chunk);
                    self.consume(n);
                    if out.len() > self.limit {
                        return Err(self.too_long());
                    }
                }
                Some(at) if chunk[at] == b'\n' => {
                    out.extend_from_slice(&chunk[..at]);
                    self.consume(at);
                    return Err(Fault::Syntax("line break inside a string".into()));
                }
                Some(at) => {
                    let b = chunk[at];
                    out.extend_from_slice(&chunk[..=at]);
                    self.consume(at + 1);
                    if b == b'"' {
                        return Ok(());
                    }
                    escaped = true;
                }
            }
            // The byte after a backslash belongs to the escape, whatever it is; it
            // may only arrive with the next chunk.
            if escaped {
                let chunk = self.chunk()?;
                match chunk.first().copied() {
                    None => return Err(Fault::Eof),
                    Some(b'\n') => {
                        return Err(Fault::Syntax("line break inside a string".into()));
                    }
                    Some(b) => {
                        out.push(b);
                        self.consume(1);
                    }
                }
            }
        }
    }

    /// Copy one JSON value compactly: white space outside strings dropped,
    /// everything else kept byte for byte.
    pub(crate) fn copy_value(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        match self.peek_some()? {
            b'"' => self.copy_string(out),
            b'{' | b'[' => self.copy_container(out),
            b if is_word(b) => self.copy_word(out),
            b => Err(Fault::Syntax(format!(
                "expected a value, found {}",
                describe(b)
            ))),
        }
    }

    /// A number or literal: a run of word bytes.
    fn copy_word(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        loop {
            let chunk = self.chunk()?;
            if chunk.is_empty() {
                return Ok(());
            }
            let n = chunk.iter().take_while(|&&b| is_word(b)).count();
            out.extend_from_slice(&chunk[..n]);
            let done = n < chunk.len();
            self.consume(n);
            self.at_line_start = false;
            if out.len() > self.limit {
                return Err(self.too_long());
            }
            if done {
                return Ok(());
            }
        }
    }

    fn copy_container(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        self.stack.clear();
        let mut after = After::Open;
        loop {
            let chunk = next_chunk(&mut self.src, &self.replay[self.replay_at..])?;
            if chunk.is_empty() {
                return Err(Fault::Eof);
            }
            let mut i = 0;
            let mut lines = 0;
            let mut closed = false;
            let mut string_at = None;
            let mut fault = None;
            while i < chunk.len() {
                let b = chunk[i];
                match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {
                        lines += u64::from(b == b'\n');
                        if after == After::Word {
                            after = After::Value;
                        }
                    }
                    b'"' if matches!(after, After::Open | After::Key) => {
                        string_at = Some(i);
                        break;
                    }
                    b'{' | b'[' if after == After::Open => {
                        if b == b'{'
                            && self.stack.last() == Some(&b'[')
                            && self
                                .record_start
                                .as_ref()
                                .is_some_and(|start| chunk[i..].starts_with(start))
                        {
                            fault = Some(
                                "a record inside a record: the one before it is cut short".into(),
                            );
                            break;
                        }
                        self.stack.push(b);
                        out.push(b);
                        if b == b'{' {
                            after = After::Key;
                        }
                    }
                    b'}' | b']' => {
                        let open = if b == b'}' { b'{' } else { b'[' };
                        if self.stack.pop() != Some(open) {
                            fault = Some(format!("unexpected {}", describe(b)));
                            break;
                        }
                        out.push(b);
                        after = After::Value;
                        if self.stack.is_empty() {
                            closed = true;
                            i += 1;
                            break;
                        }
                    }
                    b',' if !matches!(after, After::Open | After::Key) => {
                        out.push(b);
                        after = if self.stack.last() == Some(&b'{') {
                            After::Key
                        } else {
                            After::Open
                        };
                    }
                    b':' if after == After::String => {
                        out.push(b);
                        after = After::Open;
                    }
                    _ if is_word(b) && matches!(after, After::Open | After::Word) => {
                        out.push(b);
                        after = After::Word;
                    }
                    _ => {
                        fault = Some(format!("unexpected {}", describe(b)));
                        break;
                    }
                }
                i += 1;
            }
            self.line += lines;
            if let Some(reason) = fault {
                // Whether the offending byte starts its line, for recovery.
                let before = &chunk[..i];
                match before
                    .iter()
                    .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
                {
                    Some(at) if before[at] == b'\n' => {
                        self.at_line_start = true;
                        self.indent = i - at - 1;
                    }
                    _ => self.at_line_start = false,
                }
                self.consume(i);
                return Err(Fault::Syntax(reason));
            }
            if let Some(at) = string_at {
                self.consume(at);
                if out.len() > self.limit {
                    return Err(self.too_long());
                }
                self.copy_string(out)?;
                after = After::String;
                continue;
            }
            self.consume(i);
            self.at_line_start = false;
            if closed {
                return Ok(());
            }
            if out.len() > self.limit {
                return Err(self.too_long());
            }
        }
    }
}

/// The last token copied in a container. Checking what may follow it
/// keeps a missing or extra quote from turning the rest of the input
/// inside out (string contents read as structure and the other way round)
/// unnoticed until the end of the file: the fault shows within a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// `[`, `:` or `,` in an array: a value (or a closing bracket) comes next.
    Open,
    /// `{` or `,` in an object: a member name (or `}`) comes next; a record
    /// whose end was lost must not take the next record for a member.
    Key,
    /// A string: a key's ':' or what follows a value.
    String,
    /// Inside a number or literal.
    Word,
    /// A whole value: ',' or a closing bracket.
    Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(input: &[u8]) -> Result<Vec<u8>, String> {
        let mut src: &[u8] = input;
        let mut sc = Scanner::new(&mut src);
        let mut out = Vec::new();
        sc.copy_value(&mut out).map_err(|f| format!("{f:?}"))?;
        Ok(out)
    }

    #[test]
    fn drops_white_space_outside_strings_only() {
        let got = compact(b"{ \"a b\" :\r\n [ 1 ,\t\"x  y\" , { } ] }").unwrap();
        assert_eq!(got, b"{\"a b\":[1,\"x  y\",{}]}");
    }

    #[test]
    fn two_words_in_a_row_are_a_fault_not_one_token() {
        // Dropping the space would make `[1 2]` the valid `[12]`.
        assert!(compact(b"[1 2]").unwrap_err().contains("unexpected '2'"));
        assert!(compact(b"[tr ue]").is_err());
        assert_eq!(compact(b"[1 ,2]").unwrap(), b"[1,2]");
    }

    #[test]
    fn a_lost_quote_shows_within_a_token() {
        // `"a":"x,"b":"y"}`: the string would swallow `,` and `b` would be
        // read as structure.
        let err = compact(br#"{"k":{"a":"x,"b":"y"},"n":1}"#).unwrap_err();
        assert!(err.contains("unexpected 'b'"), "{err}");
        let err = compact(br#"{"k":[{"a":x"},{"b":1}]}"#).unwrap_err();
        assert!(err.starts_with("Syntax(\"unexpected '"), "{err}");
        // A member where a name belongs: the object before it lost its end.
        let err = compact(b"{\"k\":{\"a\":1,\n{\"b\":2}}}").unwrap_err();
        assert!(err.starts_with("Syntax(\"unexpected '"), "{err}");
    }

    #[test]
    fn escapes_do_not_end_strings() {
        let got = compact(br#"{"a":"q\"uo\\" , "b":"\\"}"#).unwrap();
        assert_eq!(got, br#"{"a":"q\"uo\\","b":"\\"}"#);
    }

    #[test]
    fn mismatched_bracket_is_a_fault() {
        let err = compact(b"{\"a\":[1}").unwrap_err();
        assert!(err.contains("unexpected '}'"), "{err}");
    }

    #[test]
    fn line_break_in_string_is_a_fault() {
        let err = compact(b"{\"a\":\"x\ny\"}").unwrap_err();
        assert!(err.contains("line break inside a string"), "{err}");
    }

    #[test]
    fn escape_split_across_reads_is_kept() {
        // A one-byte buffer forces every escape to straddle a refill.
        let input = br#"{"k":"a\"b\\c\u00e9"}"#;
        let mut src = std::io::BufReader::with_capacity(1, &input[..]);
        let mut sc = Scanner::new(&mut src);
        let mut out = Vec::new();
        sc.copy_value(&mut out).unwrap();
        assert_eq!(out, input);
    }

    #[test]
    fn counts_lines_inside_values() {
        let mut src: &[u8] = b"\n{\n\"a\":\n1\n}\n";
        let mut sc = Scanner::new(&mut src);
        assert_eq!(sc.peek().unwrap(), Some(b'{'));
        assert_eq!(sc.line, 2);
        sc.copy_value(&mut Vec::new()).unwrap();
        assert_eq!(sc.line, 5);
    }
}
