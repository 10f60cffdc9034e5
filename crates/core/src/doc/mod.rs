//! A parsed CloudTrail record: validation of one JSON object and fast access
//! to its fields.
//!
//! Every record is validated in full (a line that is not JSON must be
//! reported, never silently filtered out), but nothing is built while
//! validating: the scanner notes where the members of the root object and
//! of its object members lie, and values are decoded only when a query reads
//! them. A `serde_json::Value` of the whole record is built only when a
//! general JSONPath needs one, at most once per record.

mod raw;
mod scan;
#[cfg(test)]
mod tests;

pub use raw::{Raw, Scalar, clamp_huge_numbers};

use scan::{Fault, MAX_RECORD, Member, Scanner};
use serde_json::Value;
use std::cell::OnceCell;

/// Deepest nesting of arrays and objects a record may have.
pub const MAX_DEPTH: usize = 256;

/// Why a record is not one JSON object. `Display` is a short reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    #[error("record larger than 4 GiB")]
    TooLarge,
    #[error("invalid UTF-8")]
    InvalidUtf8,
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// serde_json's recursion limit.
    #[error("nesting too deep")]
    SerdeTooDeep,
    #[error("not a JSON object (found {0})")]
    NotAnObject(&'static str),
    /// serde_json's reason, reworded; `byte` when it names one (1-based).
    #[error("invalid JSON: {reason}{}", at_byte(*.byte))]
    Invalid { reason: String, byte: Option<usize> },
}

fn at_byte(byte: Option<usize>) -> String {
    byte.map(|b| format!(" at byte {b}")).unwrap_or_default()
}

/// Reusable parsing state (the member index); one per thread.
#[derive(Default)]
pub struct DocParser {
    top: Vec<Member>,
    nested: Vec<Member>,
}

/// One parsed record, borrowing its bytes and the parser's index.
pub struct Doc<'a> {
    text: &'a str,
    top: &'a [Member],
    nested: &'a [Member],
    top_keys_escaped: bool,
    /// Where the root value's text starts and ends (white space excluded).
    root_span: (usize, usize),
    /// Where in `top` each of HOT_KEYS is (ABSENT: nowhere).
    hot: [u32; 3],
    tree: OnceCell<Value>,
    /// Only serde_json could read the record; `tree` holds it.
    tree_only: bool,
    /// Some number in the record may not be held exactly by `tree`.
    wide_numbers: bool,
}

impl DocParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse one record (a line without its line end). Errors when it is not
    /// exactly one JSON object.
    pub fn parse<'a>(&'a mut self, record: &'a [u8]) -> Result<Doc<'a>, DocError> {
        if record.len() > MAX_RECORD {
            return Err(DocError::TooLarge);
        }
        let Ok(text) = simdutf8::basic::from_utf8(record) else {
            return Err(DocError::InvalidUtf8);
        };
        self.top.clear();
        self.nested.clear();
        let mut scanner = Scanner::new(record);
        let start = scanner.space_end(0);
        let scanned = if record.get(start) == Some(&b'{') {
            index_root(&mut scanner, start, &mut self.top, &mut self.nested)
        } else {
            scanner.value(start).map(|end| {
                (
                    end,
                    RootIndex {
                        keys_escaped: false,
                        hot: [ABSENT; 3],
                    },
                )
            })
        };
        let (end, root) = match scanned {
            Ok((end, root)) if scanner.space_end(end) == record.len() => (end, root),
            Err(Fault::TooDeep) => {
                return Err(DocError::TooDeep);
            }
            _ => return slow_parse(text),
        };
        if record.get(start) != Some(&b'{') {
            return Err(not_an_object(kind_name(record)));
        }
        Ok(Doc {
            text,
            top: &self.top,
            nested: &self.nested,
            top_keys_escaped: root.keys_escaped,
            root_span: (start, end),
            hot: root.hot,
            tree: OnceCell::new(),
            tree_only: false,
            wide_numbers: scanner.wide,
        })
    }
}

/// Root keys read for nearly every record, located while indexing so their
/// lookup costs nothing.
const HOT_KEYS: [&str; 3] = ["eventName", "eventSource", "eventTime"];

/// Marks a hot key the record does not have.
const ABSENT: u32 = u32::MAX;

fn hot_slot(key: &[u8]) -> Option<usize> {
    // Lengths first: most keys are rejected without a comparison.
    match key.len() {
        9 | 11 => HOT_KEYS.iter().position(|hot| hot.as_bytes() == key),
        _ => None,
    }
}

/// What indexing the root object found besides its members.
struct RootIndex {
    keys_escaped: bool,
    hot: [u32; 3],
}

/// Validate the root object, noting its members and those of the objects
/// directly inside it. Offsets fit in u32: the caller checked the length.
fn index_root(
    scanner: &mut Scanner<'_>,
    start: usize,
    top: &mut Vec<Member>,
    nested: &mut Vec<Member>,
) -> Result<(usize, RootIndex), Fault> {
    let mut found = RootIndex {
        keys_escaped: false,
        hot: [ABSENT; 3],
    };
    let bytes = scanner.bytes();
    let end = scanner.object(start, |scanner, key, value_start| {
        found.keys_escaped |= key.escaped;
        if let Some(slot) = hot_slot(&bytes[key.start..key.end]) {
            // A repeated key resolves to its last value, as in serde_json.
            found.hot[slot] = top.len() as u32;
        }
        let children_start = nested.len() as u32;
        let mut children_keys_escaped = false;
        let indexed = bytes.get(value_start) == Some(&b'{');
        let (value_end, plain_string) = if indexed {
            let end = scanner.object(value_start, |scanner, child, child_start| {
                children_keys_escaped |= child.escaped;
                let (child_end, plain_string) = scanner.member_value(child_start)?;
                nested.push(Member {
                    key_start: child.start as u32,
                    key_end: child.end as u32,
                    value_start: child_start as u32,
                    value_end: child_end as u32,
                    children_start: 0,
                    children_end: 0,
                    children_keys_escaped: false,
                    indexed: false,
                    plain_string,
                });
                Ok(child_end)
            })?;
            (end, false)
        } else {
            scanner.member_value(value_start)?
        };
        top.push(Member {
            key_start: key.start as u32,
            key_end: key.end as u32,
            value_start: value_start as u32,
            value_end: value_end as u32,
            children_start,
            children_end: nested.len() as u32,
            children_keys_escaped,
            indexed,
            plain_string,
        });
        Ok(value_end)
    })?;
    Ok((end, found))
}

/// The scanner refused the record: serde_json words the reason, with the
/// byte it stopped at. Should it accept the record after all, its tree is
/// used, so a disagreement can never drop a record.
fn slow_parse<'a>(text: &'a str) -> Result<Doc<'a>, DocError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Doc {
            text,
            top: &[],
            nested: &[],
            top_keys_escaped: false,
            root_span: (0, text.len()),
            hot: [ABSENT; 3],
            tree: OnceCell::from(Value::Object(map)),
            tree_only: true,
            wide_numbers: false,
        }),
        Ok(_) => Err(not_an_object(kind_name(text.as_bytes()))),
        Err(e) => Err(match lone_surrogate(text) {
            // serde_json says "unexpected end of hex escape" for these.
            Some((at, escape)) => DocError::Invalid {
                reason: format!(
                    "{escape} is a lone surrogate (half of a UTF-16 pair, no character)"
                ),
                byte: Some(at + 1),
            },
            None => describe_serde_error(&e),
        }),
    }
}

/// The first `\uXXXX` escape in JSON text (or a JSONPath string) that is a
/// surrogate without its other half: its byte offset and its text.
pub fn lone_surrogate(text: &str) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let unit = |at: usize| -> Option<u32> {
        if bytes.get(at..at + 2)? != b"\\u" {
            return None;
        }
        u32::from_str_radix(text.get(at + 2..at + 6)?, 16).ok()
    };
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'\\', &bytes[at..]) {
        let here = at + found;
        match unit(here) {
            Some(0xD800..=0xDBFF) if matches!(unit(here + 6), Some(0xDC00..=0xDFFF)) => {
                at = here + 12;
            }
            Some(0xD800..=0xDFFF) => return Some((here, &text[here..here + 6])),
            _ => at = here + 2,
        }
        if at >= bytes.len() {
            break;
        }
    }
    None
}

fn not_an_object(found: &'static str) -> DocError {
    DocError::NotAnObject(found)
}

/// What a valid JSON text that is not an object is, by its first byte.
fn kind_name(json: &[u8]) -> &'static str {
    match crate::json_bytes::trim_start(json).first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// serde_json's message without its "at line L column C" tail, with the
/// position as a byte number (1-based) since a record is a single line.
fn describe_serde_error(error: &serde_json::Error) -> DocError {
    let full = error.to_string();
    let tail = format!(" at line {} column {}", error.line(), error.column());
    let reason = full.strip_suffix(&tail).unwrap_or(&full).replace('`', "'");
    let reason = match reason.as_str() {
        "EOF while parsing a value" if error.column() == 0 => "empty record".to_owned(),
        "recursion limit exceeded" => return DocError::SerdeTooDeep,
        "trailing characters" => "trailing data after the object".to_owned(),
        "expected ident" => "invalid literal".to_owned(),
        _ => reason.replace("EOF while", "end of record while"),
    };
    let byte = (error.line() == 1 && error.column() > 0).then(|| error.column());
    DocError::Invalid { reason, byte }
}

/// How a record is held: as validated text normally, as a serde_json tree
/// for a record only serde_json could read.
#[derive(Clone, Copy)]
pub enum DocView<'d> {
    Raw(Raw<'d>),
    Tree(&'d Value),
}

impl<'a> Doc<'a> {
    /// A top-level string member (eventSource, eventName, eventTime).
    pub fn top_str(&self, key: &str) -> Option<&str> {
        match self.view() {
            DocView::Raw(root) => {
                let hot = HOT_KEYS.iter().position(|hot| *hot == key);
                let value = match hot {
                    Some(slot) if !self.top_keys_escaped => {
                        let member = self.top.get(self.hot[slot] as usize)?;
                        Raw::of_member(self.text, member, self.nested)
                    }
                    _ => root.member(key)?,
                };
                match value.plain_str() {
                    Some(s) => Some(s),
                    // Escapes inside: rare enough to read from the tree.
                    None if value.json().starts_with('"') => self.tree().get(key)?.as_str(),
                    None => None,
                }
            }
            DocView::Tree(tree) => tree.get(key)?.as_str(),
        }
    }

    /// Whether some number in the record may not be held exactly by the
    /// tree (an integer past 64 bits, a number past f64's range, a long
    /// mantissa): comparisons then read such numbers from the text.
    pub fn has_wide_numbers(&self) -> bool {
        self.wide_numbers
    }

    /// The record's length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn view(&self) -> DocView<'_> {
        if self.tree_only {
            DocView::Tree(self.tree())
        } else {
            DocView::Raw(Raw::root(
                self.text,
                self.root_span,
                self.top,
                self.nested,
                self.top_keys_escaped,
            ))
        }
    }

    /// The record as a `serde_json::Value`, built on first use and shared by
    /// every later caller on this record.
    pub fn tree(&self) -> &Value {
        self.tree.get_or_init(|| raw::parse_validated(self.text))
    }
}
