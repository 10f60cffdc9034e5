//! A streaming JSON byte scanner: finds value boundaries (string and escape
//! aware, bracket matching) and copies values compactly, byte for byte except
//! for insignificant white space. It never builds a tree, so numbers and
//! strings keep the exact spelling of the input.

use std::io::{self, BufRead};

/// Why scanning stopped.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The input ended inside a value; the caller knows what was open.
    Eof,
    Io(io::Error),
    Syntax(String),
    /// The consumer asked to stop (not an error).
    Stop,
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Self {
        Fault::Io(e)
    }
}

/// Bytes that make up numbers and the literals true/false/null. White space
/// between two of them is kept as one space so that dropping it can never
/// merge two tokens into a different valid one (`[1 2]` must not become `[12]`).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
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

pub(crate) struct Scanner<'a> {
    src: &'a mut dyn BufRead,
    /// 1-based line of the next unread byte.
    pub line: u64,
    /// Open brackets of the value being copied (reused between values).
    stack: Vec<u8>,
}

impl<'a> Scanner<'a> {
    pub fn new(src: &'a mut dyn BufRead) -> Self {
        Scanner {
            src,
            line: 1,
            stack: Vec::new(),
        }
    }

    fn chunk(&mut self) -> Result<&[u8], Fault> {
        fill(&mut *self.src)
    }

    /// Skip white space; the next byte without consuming it, None at the end.
    pub fn peek(&mut self) -> Result<Option<u8>, Fault> {
        loop {
            let chunk = self.chunk()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let skipped = chunk.iter().take_while(|&&b| is_space(b)).count();
            let lines = chunk[..skipped].iter().filter(|&&b| b == b'\n').count() as u64;
            let next = chunk.get(skipped).copied();
            self.src.consume(skipped);
            self.line += lines;
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Like `peek`, but the end of input is a fault.
    pub fn peek_some(&mut self) -> Result<u8, Fault> {
        self.peek()?.ok_or(Fault::Eof)
    }

    /// Consume one byte already seen through `peek`.
    pub fn bump(&mut self) {
        self.src.consume(1);
    }

    /// Consume `want` exactly (after white space) or fail with `what`.
    pub fn expect(&mut self, want: u8, what: &str) -> Result<(), Fault> {
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
    pub fn skip_bom(&mut self) -> Result<(), Fault> {
        if self.peek()? != Some(0xEF) {
            return Ok(());
        }
        self.bump();
        for want in [0xBB, 0xBF] {
            let b = self.chunk()?.first().copied();
            match b {
                Some(b) if b == want => self.bump(),
                Some(b) => {
                    return Err(Fault::Syntax(format!(
                        "expected a JSON object or array, found {}",
                        describe(b)
                    )));
                }
                None => return Err(Fault::Eof),
            }
        }
        Ok(())
    }

    /// Copy a string, quotes included, exactly as written. The next byte
    /// must be the opening quote.
    pub fn copy_string(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        self.bump();
        out.push(b'"');
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
                    self.src.consume(n);
                }
                Some(at) => {
                    let b = chunk[at];
                    out.extend_from_slice(&chunk[..=at]);
                    self.src.consume(at + 1);
                    match b {
                        b'"' => return Ok(()),
                        b'\\' => escaped = true,
                        _ => return Err(Fault::Syntax("line break inside a string".into())),
                    }
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
                        self.src.consume(1);
                    }
                }
            }
        }
    }

    /// Copy one JSON value compactly: white space outside strings dropped,
    /// everything else kept byte for byte.
    pub fn copy_value(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
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
            self.src.consume(n);
            if done {
                return Ok(());
            }
        }
    }

    fn copy_container(&mut self, out: &mut Vec<u8>) -> Result<(), Fault> {
        self.stack.clear();
        let mut last_was_word = false;
        let mut gap = false;
        loop {
            let chunk = fill(&mut *self.src)?;
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
                    b' ' | b'\t' | b'\r' => gap = true,
                    b'\n' => {
                        gap = true;
                        lines += 1;
                    }
                    b'"' => {
                        string_at = Some(i);
                        break;
                    }
                    b'{' | b'[' => {
                        self.stack.push(b);
                        out.push(b);
                        last_was_word = false;
                    }
                    b'}' | b']' => {
                        let open = if b == b'}' { b'{' } else { b'[' };
                        if self.stack.pop() != Some(open) {
                            fault = Some(format!("unexpected {}", describe(b)));
                            break;
                        }
                        out.push(b);
                        last_was_word = false;
                        if self.stack.is_empty() {
                            closed = true;
                            i += 1;
                            break;
                        }
                    }
                    _ => {
                        let word = is_word(b);
                        if word && last_was_word && gap {
                            out.push(b' ');
                        }
                        out.push(b);
                        last_was_word = word;
                    }
                }
                if !is_space(b) {
                    gap = false;
                }
                i += 1;
            }
            self.line += lines;
            if let Some(reason) = fault {
                self.src.consume(i);
                return Err(Fault::Syntax(reason));
            }
            if let Some(at) = string_at {
                self.src.consume(at);
                self.copy_string(out)?;
                last_was_word = false;
                gap = false;
                continue;
            }
            self.src.consume(i);
            if closed {
                return Ok(());
            }
        }
    }
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
    fn keeps_space_between_words_so_tokens_never_merge() {
        assert_eq!(compact(b"[1 2]").unwrap(), b"[1 2]");
        assert_eq!(compact(b"[tr ue]").unwrap(), b"[tr ue]");
        assert_eq!(compact(b"[1 ,2]").unwrap(), b"[1,2]");
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
