//! A value inside a validated record, held as its JSON text and decoded only
//! as far as a query asks.

use super::scan::{Member, Scanner, Span};
use serde_json::Value;
use std::borrow::Cow;

/// One value of a record that passed the scanner.
#[derive(Clone, Copy, Debug)]
pub struct Raw<'d> {
    text: &'d str,
    start: usize,
    end: usize,
    /// The value's members when the scanner indexed them.
    index: Option<Index<'d>>,
    /// The scanner saw a string without escapes here.
    known_plain: bool,
}

#[derive(Clone, Copy, Debug)]
struct Index<'d> {
    members: &'d [Member],
    /// Where the members' own indexed children are.
    nested: &'d [Member],
    keys_escaped: bool,
}

/// A value decoded from JSON text as Python's `json` module decodes it:
/// integers of any size exactly, other numbers as f64 (`1e400` is
/// infinity); containers stay raw, their items decoded on demand.
pub enum Scalar<'d> {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer beyond i128: its JSON text (`-?[1-9][0-9]*`).
    BigInt(&'d str),
    Float(f64),
    Str(Cow<'d, str>),
    Array(Raw<'d>),
    Object(Raw<'d>),
}

impl<'d> Raw<'d> {
    /// The whole record, its root members indexed in `top`, theirs in
    /// `nested`.
    pub(super) fn root(
        text: &'d str,
        (start, end): (usize, usize),
        top: &'d [Member],
        nested: &'d [Member],
        keys_escaped: bool,
    ) -> Self {
        Raw {
            text,
            start,
            end,
            index: Some(Index {
                members: top,
                nested,
                keys_escaped,
            }),
            known_plain: false,
        }
    }

    /// Any JSON text as a value, when the scanner accepts it; nothing is
    /// indexed (records go through `DocParser`, which indexes them).
    pub fn validated(text: &'d str) -> Option<Raw<'d>> {
        let mut scanner = Scanner::new(text.as_bytes());
        let start = scanner.space_end(0);
        let end = scanner.value(start).ok()?;
        (scanner.space_end(end) == text.len()).then_some(Raw {
            text,
            start,
            end,
            index: None,
            known_plain: false,
        })
    }

    /// The value's JSON text.
    pub fn json(&self) -> &'d str {
        &self.text[self.start..self.end]
    }

    fn first_byte(&self) -> u8 {
        self.json().as_bytes().first().copied().unwrap_or(b' ')
    }

    /// The contents of a string without escapes, borrowed from the record;
    /// None for other values and for strings that need unescaping.
    pub fn plain_str(&self) -> Option<&'d str> {
        let json = self.json();
        if self.known_plain {
            return json.get(1..json.len() - 1);
        }
        let inner = json.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('\\')).then_some(inner)
    }

    /// Member `key` of an object value (the last one when the key repeats,
    /// as serde_json decides).
    pub fn member(&self, key: &str) -> Option<Raw<'d>> {
        if self.first_byte() != b'{' {
            return None;
        }
        if let Some(index) = self.index.filter(|index| !index.keys_escaped) {
            let bytes = self.text.as_bytes();
            let member = index
                .members
                .iter()
                .rev()
                .find(|m| &bytes[m.key_start as usize..m.key_end as usize] == key.as_bytes())?;
            return Some(Raw::of_member(self.text, member, index.nested));
        }
        let mut found = None;
        let mut scanner = Scanner::new(self.json().as_bytes());
        let scanned = scanner.object(0, |scanner, name, start| {
            let end = scanner.value(start)?;
            if self.key_is(name, key) {
                found = Some((start, end));
            }
            Ok(end)
        });
        debug_assert!(scanned.is_ok(), "the record was validated");
        let (start, end) = found?;
        Some(self.sub(start, end))
    }

    /// The value of an indexed member of `text`; `nested` holds its
    /// children when they were indexed.
    pub(super) fn of_member(text: &'d str, member: &Member, nested: &'d [Member]) -> Raw<'d> {
        Raw {
            text,
            start: member.value_start as usize,
            end: member.value_end as usize,
            index: member.indexed.then(|| Index {
                members: &nested[member.children_start as usize..member.children_end as usize],
                nested: &[],
                keys_escaped: member.children_keys_escaped,
            }),
            known_plain: member.plain_string,
        }
    }

    /// Whether the key whose contents are at `name` (relative to this value)
    /// reads `key` once unescaped.
    fn key_is(&self, name: Span, key: &str) -> bool {
        let contents = &self.json()[name.start..name.end];
        if !name.escaped {
            return contents == key;
        }
        let quoted = &self.json()[name.start - 1..name.end + 1];
        serde_json::from_str::<String>(quoted).is_ok_and(|k| k == key)
    }

    /// Element `index` of an array value; negative counts from the end.
    pub(crate) fn element(&self, index: i64) -> Option<Raw<'d>> {
        if self.first_byte() != b'[' {
            return None;
        }
        let mut spans = Vec::new();
        let mut scanner = Scanner::new(self.json().as_bytes());
        let scanned = scanner.array_with(0, |start, end| spans.push((start, end)));
        debug_assert!(scanned.is_ok(), "the record was validated");
        let at = if index < 0 {
            spans
                .len()
                .checked_sub(usize::try_from(index.unsigned_abs()).ok()?)?
        } else {
            usize::try_from(index).ok()?
        };
        let &(start, end) = spans.get(at)?;
        Some(self.sub(start, end))
    }

    /// The elements of an array value, in order (none for other values).
    pub fn elements(&self) -> Vec<Raw<'d>> {
        if self.first_byte() != b'[' {
            return Vec::new();
        }
        let mut spans = Vec::new();
        let mut scanner = Scanner::new(self.json().as_bytes());
        let scanned = scanner.array_with(0, |start, end| spans.push((start, end)));
        debug_assert!(scanned.is_ok(), "the record was validated");
        spans
            .into_iter()
            .map(|(start, end)| self.sub(start, end))
            .collect()
    }

    /// The member values of an object value, in order (none for other
    /// values); from the index when the scanner made one.
    pub fn member_values(&self) -> Vec<Raw<'d>> {
        if self.first_byte() != b'{' {
            return Vec::new();
        }
        if let Some(index) = self.index {
            return index
                .members
                .iter()
                .map(|member| Raw::of_member(self.text, member, index.nested))
                .collect();
        }
        let mut spans = Vec::new();
        let mut scanner = Scanner::new(self.json().as_bytes());
        let scanned = scanner.object(0, |scanner, _, start| {
            let end = scanner.value(start)?;
            spans.push((start, end));
            Ok(end)
        });
        debug_assert!(scanned.is_ok(), "the record was validated");
        spans
            .into_iter()
            .map(|(start, end)| self.sub(start, end))
            .collect()
    }

    /// A value at `start..end` of this one's text.
    fn sub(&self, start: usize, end: usize) -> Raw<'d> {
        Raw {
            text: self.text,
            start: self.start + start,
            end: self.start + end,
            index: None,
            known_plain: false,
        }
    }

    /// The value decoded (containers only classified).
    pub fn scalar(&self) -> Scalar<'d> {
        let json = self.json();
        match self.first_byte() {
            b'n' => Scalar::Null,
            b't' => Scalar::Bool(true),
            b'f' => Scalar::Bool(false),
            b'"' => match self.plain_str() {
                Some(s) => Scalar::Str(Cow::Borrowed(s)),
                None => Scalar::Str(Cow::Owned(
                    serde_json::from_str::<String>(json).unwrap_or_default(),
                )),
            },
            b'{' => Scalar::Object(*self),
            b'[' => Scalar::Array(*self),
            _ => number(json),
        }
    }

    /// The members of an object value with their keys decoded, in order,
    /// repeated keys included (empty for other values).
    pub(crate) fn members(&self) -> Vec<(Cow<'d, str>, Raw<'d>)> {
        let mut found = Vec::new();
        if self.first_byte() == b'{' {
            let json = self.json();
            let mut scanner = Scanner::new(json.as_bytes());
            let scanned = scanner.object(0, |scanner, name, start| {
                let end = scanner.value(start)?;
                found.push((name, start, end));
                Ok(end)
            });
            debug_assert!(scanned.is_ok(), "the record was validated");
        }
        let text: &'d str = &self.text[self.start..self.end];
        found
            .into_iter()
            .map(|(name, start, end)| {
                let key = if name.escaped {
                    Cow::Owned(
                        serde_json::from_str::<String>(&text[name.start - 1..name.end + 1])
                            .unwrap_or_default(),
                    )
                } else {
                    Cow::Borrowed(&text[name.start..name.end])
                };
                (key, self.sub(start, end))
            })
            .collect()
    }

    /// The value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        parse_validated(self.json())
    }
}

/// A JSON number's text as Python reads it: an integer (no fraction, no
/// exponent) exactly, anything else as the nearest f64 (Rust's parse
/// rounds correctly, as Python's does, and overflows to infinity).
fn number(json: &str) -> Scalar<'_> {
    if !json.contains(['.', 'e', 'E']) {
        return match json.parse::<i128>() {
            Ok(int) => Scalar::Int(int),
            Err(_) => Scalar::BigInt(json),
        };
    }
    json.parse::<f64>().map_or(Scalar::Null, Scalar::Float)
}

/// serde_json's reading of text the scanner accepted. Its own nesting limit
/// (128) is lifted: the scanner already bounded nesting at MAX_DEPTH, which
/// the stack holds.
///
/// The scanner also accepts numbers beyond f64's range (`1e400`), which
/// serde_json refuses; in the tree they stand as the largest finite f64 of
/// their sign. Comparisons never read them from the tree: a float in the
/// tree sends the comparison back to the record's text (see expr::path).
pub(super) fn parse_validated(json: &str) -> Value {
    let parse = |json: &str| {
        let mut reader = serde_json::Deserializer::from_str(json);
        reader.disable_recursion_limit();
        serde::Deserialize::deserialize(&mut reader)
    };
    parse(json)
        .or_else(|_| parse(&clamp_huge_numbers(json)))
        .unwrap_or(Value::Null)
}

/// `json` with every number outside f64's range (or rounding to its
/// largest value, where serde_json's threshold differs) replaced by the
/// largest finite f64 of its sign; strings are left alone.
#[doc(hidden)]
pub fn clamp_huge_numbers(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut at = 0;
    let mut copied = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |n| at + n);
                let text = &json[at..end];
                if text.parse::<f64>().is_ok_and(|f| f.abs() >= f64::MAX) {
                    out.push_str(&json[copied..at]);
                    out.push_str(if text.starts_with('-') {
                        "-1.7976931348623157e308"
                    } else {
                        "1.7976931348623157e308"
                    });
                    copied = end;
                }
                at = end;
            }
            _ => at += 1,
        }
    }
    out.push_str(&json[copied..]);
    out
}
