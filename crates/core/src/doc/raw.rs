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

/// A scalar decoded from JSON text; containers are decoded into a tree.
pub enum Scalar<'d> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Cow<'d, str>),
    Tree(Value),
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
    pub fn element(&self, index: i64) -> Option<Raw<'d>> {
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

    /// The value decoded as serde_json would decode it.
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
            b'{' | b'[' => Scalar::Tree(self.to_value()),
            _ => {
                if let Ok(int) = json.parse::<i64>() {
                    Scalar::Int(int.into())
                } else if let Ok(int) = json.parse::<u64>() {
                    Scalar::Int(int.into())
                } else {
                    match serde_json::from_str::<Value>(json)
                        .ok()
                        .and_then(|v| v.as_f64())
                    {
                        Some(float) => Scalar::Float(float),
                        None => Scalar::Null,
                    }
                }
            }
        }
    }

    /// The value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        parse_validated(self.json())
    }
}

/// serde_json's reading of text the scanner accepted. Its own nesting limit
/// (128) is lifted: the scanner already bounded nesting at MAX_DEPTH, which
/// the stack holds.
pub(super) fn parse_validated(json: &str) -> Value {
    let mut reader = serde_json::Deserializer::from_str(json);
    reader.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut reader).unwrap_or(Value::Null)
}
