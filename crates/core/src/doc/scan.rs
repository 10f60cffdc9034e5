//! A validating JSON scanner over one record's bytes (UTF-8 already checked).
//!
//! It accepts what serde_json accepts, and numbers beyond f64's range,
//! but builds nothing: no tape,
//! no unescaped strings. While validating it notes where the members of the
//! root object and of the objects directly inside it lie, which is all most
//! queries read; everything else is found later by scanning the value's
//! bytes again.

use super::MAX_DEPTH;
use crate::json_bytes::{hex4, space_end};

/// Why the scanner refused a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Syntax,
    TooDeep,
}

/// Where a string's contents lie (quotes excluded) and whether they hold
/// escapes, which a byte comparison cannot see through.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub escaped: bool,
}

/// Offsets in the index are 32-bit to keep it small (it is written for
/// every member of every record); longer records are refused.
pub(crate) const MAX_RECORD: usize = u32::MAX as usize;

/// One object member as noted by the scanner: where its key's contents
/// and its value's JSON text lie.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub key_start: u32,
    pub key_end: u32,
    pub value_start: u32,
    pub value_end: u32,
    /// The value's own members, in the parser's nested list, when the value
    /// is an object that was indexed (`children_start <= children_end`).
    pub children_start: u32,
    pub children_end: u32,
    /// Some key among the children holds an escape.
    pub children_keys_escaped: bool,
    pub indexed: bool,
    /// The value is a string without escapes, readable in place.
    pub plain_string: bool,
}

/// Validates values in `bytes`. Positions are passed in and returned rather
/// than kept in the scanner: a field would put a store and a load on the
/// critical path of every token.
pub(crate) struct Scanner<'b> {
    bytes: &'b [u8],
    depth: usize,
    /// A number was seen that a tree may not hold exactly (see `wide`).
    pub wide: bool,
}

impl<'b> Scanner<'b> {
    pub(crate) fn new(bytes: &'b [u8]) -> Self {
        Self {
            bytes,
            depth: 0,
            wide: false,
        }
    }

    pub(crate) fn bytes(&self) -> &'b [u8] {
        self.bytes
    }

    /// Where the white space starting at `at` ends.
    pub(crate) fn space_end(&self, at: usize) -> usize {
        space_end(self.bytes, at)
    }

    fn enter(&mut self) -> Result<(), Fault> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Fault::TooDeep)
        } else {
            Ok(())
        }
    }

    /// The value at `at` (white space before it skipped); returns where it
    /// ends.
    pub(crate) fn value(&mut self, at: usize) -> Result<usize, Fault> {
        let at = space_end(self.bytes, at);
        match self.bytes.get(at) {
            Some(b'"') => string_at(self.bytes, at).map(|span| span.end + 1),
            Some(b'{') => self.object(at, |scanner, _, value| scanner.value(value)),
            Some(b'[') => self.array_with(at, |_, _| {}),
            Some(b'-' | b'0'..=b'9') => {
                let end = number_end(self.bytes, at)?;
                self.wide |= is_wide(&self.bytes[at..end]);
                Ok(end)
            }
            Some(b't') => word_end(self.bytes, at, b"true"),
            Some(b'f') => word_end(self.bytes, at, b"false"),
            Some(b'n') => word_end(self.bytes, at, b"null"),
            _ => Err(Fault::Syntax),
        }
    }

    /// A member's value at `at` (no white space before it): where it ends,
    /// and whether it is a string without escapes.
    #[inline(always)]
    pub(crate) fn member_value(&mut self, at: usize) -> Result<(usize, bool), Fault> {
        if self.bytes.get(at) == Some(&b'"') {
            string_at(self.bytes, at).map(|span| (span.end + 1, !span.escaped))
        } else {
            self.value(at).map(|end| (end, false))
        }
    }

    /// The object at `at`; returns where it ends. `on_member(scanner, key,
    /// value_at)` must read the member's value, which starts at `value_at`
    /// (white space skipped), and return where it ends.
    pub(crate) fn object(
        &mut self,
        at: usize,
        mut on_member: impl FnMut(&mut Self, Span, usize) -> Result<usize, Fault>,
    ) -> Result<usize, Fault> {
        let bytes = self.bytes;
        let mut at = match self.open(at, b'{', b'}')? {
            Next::Item(at) => at,
            Next::End(end) => return Ok(end),
        };
        loop {
            if bytes.get(at) != Some(&b'"') {
                return Err(Fault::Syntax);
            }
            let key = string_at(bytes, at)?;
            at = space_end(bytes, key.end + 1);
            if bytes.get(at) != Some(&b':') {
                return Err(Fault::Syntax);
            }
            let value_end = on_member(self, key, space_end(bytes, at + 1))?;
            at = match self.after_item(value_end, b'}')? {
                Next::Item(at) => at,
                Next::End(end) => return Ok(end),
            };
        }
    }

    /// The array at `at`; returns where it ends. `on_element` is told where
    /// each element starts and ends.
    pub(crate) fn array_with(
        &mut self,
        at: usize,
        mut on_element: impl FnMut(usize, usize),
    ) -> Result<usize, Fault> {
        let mut at = match self.open(at, b'[', b']')? {
            Next::Item(at) => at,
            Next::End(end) => return Ok(end),
        };
        loop {
            let end = self.value(at)?;
            on_element(at, end);
            at = match self.after_item(end, b']')? {
                Next::Item(at) => at,
                Next::End(end) => return Ok(end),
            };
        }
    }

    /// Enter the container that `open` starts at `at`.
    #[inline(always)]
    fn open(&mut self, at: usize, open: u8, close: u8) -> Result<Next, Fault> {
        if self.bytes.get(at) != Some(&open) {
            return Err(Fault::Syntax);
        }
        self.enter()?;
        self.after_separator(at + 1, close)
    }

    /// After a member or element ending at `at`: a comma and the next one,
    /// or the end of the container.
    #[inline(always)]
    fn after_item(&mut self, at: usize, close: u8) -> Result<Next, Fault> {
        let at = space_end(self.bytes, at);
        match self.bytes.get(at) {
            Some(b',') => Ok(Next::Item(space_end(self.bytes, at + 1))),
            Some(&byte) if byte == close => {
                self.depth -= 1;
                Ok(Next::End(at + 1))
            }
            _ => Err(Fault::Syntax),
        }
    }

    /// Right after an opening bracket: the first item, or an empty container.
    #[inline(always)]
    fn after_separator(&mut self, at: usize, close: u8) -> Result<Next, Fault> {
        let at = space_end(self.bytes, at);
        if self.bytes.get(at) == Some(&close) {
            self.depth -= 1;
            Ok(Next::End(at + 1))
        } else {
            Ok(Next::Item(at))
        }
    }
}

/// What follows inside a container: an item at a position, or the end of
/// the container (the position after its closing bracket).
enum Next {
    Item(usize),
    End(usize),
}

fn word_end(bytes: &[u8], at: usize, word: &[u8]) -> Result<usize, Fault> {
    if bytes[at..].starts_with(word) {
        Ok(at + word.len())
    } else {
        Err(Fault::Syntax)
    }
}

/// JSON's number grammar; returns where the number ends. Every number in
/// the grammar is accepted, also beyond f64's range (`1e400`, valid JSON,
/// which serde_json refuses): reading it is the query's business.
fn number_end(bytes: &[u8], start: usize) -> Result<usize, Fault> {
    let mut at = start;
    if bytes.get(at) == Some(&b'-') {
        at += 1;
    }
    match bytes.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at = digits_end(bytes, at),
        _ => return Err(Fault::Syntax),
    }
    if bytes.get(at) == Some(&b'.') {
        at = some_digits_end(bytes, at + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = bytes.get(at) {
            at += 1;
        }
        at = some_digits_end(bytes, at)?;
    }
    Ok(at)
}

/// Whether serde_json's tree may not hold this number as Python reads it:
/// integers past 64 bits become floats there, numbers past f64's range are
/// clamped, and long mantissas may round differently. Short numbers without
/// an exponent are held exactly.
fn is_wide(number: &[u8]) -> bool {
    number.len() > 15 || number.iter().any(|&b| b == b'e' || b == b'E')
}

fn digits_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b'0'..=b'9') = bytes.get(at) {
        at += 1;
    }
    at
}

fn some_digits_end(bytes: &[u8], at: usize) -> Result<usize, Fault> {
    let end = digits_end(bytes, at);
    if end == at {
        Err(Fault::Syntax)
    } else {
        Ok(end)
    }
}

/// The string whose opening quote is at `quote`.
#[inline(always)]
fn string_at(bytes: &[u8], quote: usize) -> Result<Span, Fault> {
    let start = quote + 1;
    let mut from = start;
    let mut escaped = false;
    loop {
        let special = find_special(bytes, from).ok_or(Fault::Syntax)?;
        match bytes[special] {
            b'"' => {
                return Ok(Span {
                    start,
                    end: special,
                    escaped,
                });
            }
            b'\\' => {
                escaped = true;
                from = escape_end(bytes, special + 1)?;
            }
            _ => return Err(Fault::Syntax), // a control character
        }
    }
}

/// Where the escape after a backslash (at `at - 1`) ends. Surrogates must
/// pair, as serde_json requires.
#[cold]
fn escape_end(bytes: &[u8], at: usize) -> Result<usize, Fault> {
    let kind = *bytes.get(at).ok_or(Fault::Syntax)?;
    match kind {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(at + 1),
        b'u' => match hex4(bytes, at + 1).ok_or(Fault::Syntax)? {
            0xD800..=0xDBFF => {
                if bytes.get(at + 5..at + 7) != Some(b"\\u") {
                    return Err(Fault::Syntax);
                }
                match hex4(bytes, at + 7).ok_or(Fault::Syntax)? {
                    0xDC00..=0xDFFF => Ok(at + 11),
                    _ => Err(Fault::Syntax),
                }
            }
            0xDC00..=0xDFFF => Err(Fault::Syntax),
            _ => Ok(at + 5),
        },
        _ => Err(Fault::Syntax),
    }
}

/// The first quote, backslash or control character at or after `from`.
/// Strings are most of a record's bytes, so they are searched 16 at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn find_special(bytes: &[u8], mut from: usize) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target, and each load reads 16
    // bytes that lie inside `bytes` (checked by the loop condition).
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let last_control = _mm_set1_epi8(0x1f);
        let hits_in = |chunk: __m128i| {
            let control = _mm_cmpeq_epi8(_mm_max_epu8(chunk, last_control), last_control);
            let hits = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(chunk, quote),
                    _mm_cmpeq_epi8(chunk, backslash),
                ),
                control,
            );
            _mm_movemask_epi8(hits) as u32
        };
        // 32 bytes a round: most strings end inside the first, so the loop
        // exit is well predicted.
        while from + 32 <= bytes.len() {
            let low = _mm_loadu_si128(bytes.as_ptr().add(from).cast::<__m128i>());
            let high = _mm_loadu_si128(bytes.as_ptr().add(from + 16).cast::<__m128i>());
            let mask = hits_in(low) | (hits_in(high) << 16);
            if mask != 0 {
                return Some(from + mask.trailing_zeros() as usize);
            }
            from += 32;
        }
        if from + 16 <= bytes.len() {
            let chunk = _mm_loadu_si128(bytes.as_ptr().add(from).cast::<__m128i>());
            let mask = hits_in(chunk);
            if mask != 0 {
                return Some(from + mask.trailing_zeros() as usize);
            }
            from += 16;
        }
    }
    find_special_bytewise(bytes, from)
}

#[cfg(not(target_arch = "x86_64"))]
fn find_special(bytes: &[u8], from: usize) -> Option<usize> {
    find_special_bytewise(bytes, from)
}

fn find_special_bytewise(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|offset| from + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = 0xc3; // high bytes are not control bytes
                    }
                    assert_eq!(find_special(&bytes, 0), Some(at), "{len} {at}");
                    assert_eq!(find_special(&bytes, at + 1), None);
                }
            }
        }
        assert_eq!(find_special(b"\x7f\x80\xff ", 0), None);
    }
}
