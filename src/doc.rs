//! A parsed CloudTrail record: validation of one JSON object and fast access
//! to its fields.
//!
//! Records are parsed by simd-json into a flat tape (no allocation per line
//! once the parser's buffers have grown). Plain member paths read the tape
//! directly; a `serde_json::Value` of the whole record is built only when a
//! general JSONPath needs one, at most once per record.

use serde_json::{Map, Number, Value};
use simd_json::{Buffers, ErrorType, INPUT_PADDING, Node, StaticNode, Tape};
use std::cell::OnceCell;
use std::fmt;

/// Deepest nesting of arrays and objects a record may have.
pub const MAX_DEPTH: usize = 256;

/// Why a record is not one JSON object. `Display` is a short reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError(pub String);

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocError {}

/// Reusable parsing state; one per thread.
pub struct DocParser {
    /// The record copied with simd-json's padding (it unescapes in place).
    scratch: Vec<u8>,
    buffers: Buffers,
    /// The tape's allocation, kept between records (empty while idle).
    idle_tape: Tape<'static>,
}

impl Default for DocParser {
    fn default() -> Self {
        Self {
            scratch: Vec::new(),
            buffers: Buffers::with_max_depth(0, MAX_DEPTH),
            idle_tape: Tape(Vec::new()),
        }
    }
}

/// One parsed record, borrowing the parser's buffers.
pub struct Doc<'a> {
    tape: Tape<'a>,
    /// Where the tape's allocation goes back when the record is dropped.
    home: &'a mut Tape<'static>,
    tree: OnceCell<Value>,
}

impl DocParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parse one record (a line without its line end). Errors when it is not
    /// exactly one JSON object.
    pub fn parse<'a>(&'a mut self, record: &[u8]) -> Result<Doc<'a>, DocError> {
        let DocParser {
            scratch,
            buffers,
            idle_tape,
        } = self;
        scratch.clear();
        scratch.extend_from_slice(record);
        scratch.resize(record.len() + INPUT_PADDING, b' ');
        let mut tape: Tape<'a> = std::mem::replace(idle_tape, Tape(Vec::new())).reset();
        let parsed = simd_json::fill_tape_padded(scratch, record.len(), buffers, &mut tape);
        let doc = Doc {
            tape,
            home: idle_tape,
            tree: OnceCell::new(),
        };
        if let Err(e) = parsed {
            return slow_parse(e.error(), record, doc);
        }
        match doc.tape.0.first() {
            Some(Node::Object { .. }) => Ok(doc),
            Some(node) => Err(not_an_object(kind_name(node))),
            None => Err(DocError("invalid JSON: empty record".to_owned())),
        }
    }
}

/// simd-json refused the record. Rare, so serde_json may take its time: it
/// accepts numbers simd-json rejects (integers beyond 64 bits) and words
/// its errors more precisely.
fn slow_parse<'a>(
    simd_error: &ErrorType,
    record: &[u8],
    mut doc: Doc<'a>,
) -> Result<Doc<'a>, DocError> {
    match simd_error {
        ErrorType::InvalidUtf8 => return Err(DocError("invalid UTF-8".to_owned())),
        ErrorType::DepthLimitExceeded => {
            return Err(DocError(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        ErrorType::InputTooLarge => return Err(DocError("record larger than 4 GiB".to_owned())),
        _ => {}
    }
    // serde_json stops at 128 levels by itself, well before its stack would.
    match serde_json::from_slice::<Value>(record) {
        Ok(Value::Object(map)) => {
            doc.tape.0.clear();
            doc.tree = OnceCell::from(Value::Object(map));
            Ok(doc)
        }
        Ok(other) => Err(not_an_object(match other {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        })),
        Err(e) => Err(describe_serde_error(&e)),
    }
}

fn not_an_object(found: &str) -> DocError {
    DocError(format!("not a JSON object (found {found})"))
}

/// serde_json's message without its "at line L column C" tail, with the
/// position as a byte number (1-based) since a record is a single line.
fn describe_serde_error(error: &serde_json::Error) -> DocError {
    let full = error.to_string();
    let tail = format!(" at line {} column {}", error.line(), error.column());
    let reason = full.strip_suffix(&tail).unwrap_or(&full).replace('`', "'");
    let reason = match reason.as_str() {
        "EOF while parsing a value" if error.column() == 0 => "empty record".to_owned(),
        "recursion limit exceeded" => return DocError("nesting too deep".to_owned()),
        "trailing characters" => "trailing data after the object".to_owned(),
        "expected ident" => "invalid literal".to_owned(),
        _ => reason.replace("EOF while", "end of record while"),
    };
    if error.line() == 1 && error.column() > 0 {
        DocError(format!("invalid JSON: {reason} at byte {}", error.column()))
    } else {
        DocError(format!("invalid JSON: {reason}"))
    }
}

impl Drop for Doc<'_> {
    fn drop(&mut self) {
        let tape = std::mem::replace(&mut self.tape, Tape(Vec::new()));
        *self.home = tape.reset();
    }
}

/// How a record is held: simd-json's tape normally, a serde_json tree for
/// the rare record only serde_json could read.
#[derive(Clone, Copy)]
pub enum DocView<'d, 'a> {
    /// The root object's node followed by all its contents.
    Tape(&'d [Node<'a>]),
    Tree(&'d Value),
}

impl<'a> Doc<'a> {
    /// A top-level string member (eventSource, eventName, eventTime).
    pub fn top_str(&self, key: &str) -> Option<&str> {
        match self.view() {
            DocView::Tape(root) => match member(root, key)?.first()? {
                Node::String(s) => Some(s),
                _ => None,
            },
            DocView::Tree(tree) => tree.get(key)?.as_str(),
        }
    }

    pub fn view(&self) -> DocView<'_, 'a> {
        match self.tree.get() {
            Some(tree) if self.tape.0.is_empty() => DocView::Tree(tree),
            _ => DocView::Tape(&self.tape.0),
        }
    }

    /// The record as a `serde_json::Value`, built on first use and shared by
    /// every later caller on this record.
    pub fn tree(&self) -> &Value {
        self.tree.get_or_init(|| to_value(&self.tape.0))
    }
}

/// Value of member `key` of the object starting at `object[0]`. A key that
/// occurs twice resolves to its last value, as `serde_json` does, so the tape
/// and the tree always agree.
pub fn member<'t, 'i>(object: &'t [Node<'i>], key: &str) -> Option<&'t [Node<'i>]> {
    let Some(&Node::Object { len, .. }) = object.first() else {
        return None;
    };
    let mut found = None;
    let mut at = 1;
    for _ in 0..len {
        let name = object.get(at)?;
        let size = node_size(object.get(at + 1)?);
        let value = object.get(at + 1..at + 1 + size)?;
        if matches!(name, Node::String(s) if *s == key) {
            found = Some(value);
        }
        at += 1 + size;
    }
    found
}

/// Element `index` (negative counts from the end) of the array starting at
/// `array[0]`.
pub fn element<'t, 'i>(array: &'t [Node<'i>], index: i64) -> Option<&'t [Node<'i>]> {
    let Some(&Node::Array { len, .. }) = array.first() else {
        return None;
    };
    let wanted = if index < 0 {
        len.checked_sub(usize::try_from(index.unsigned_abs()).ok()?)?
    } else {
        usize::try_from(index).ok()?
    };
    if wanted >= len {
        return None;
    }
    let mut at = 1;
    for _ in 0..wanted {
        at += node_size(array.get(at)?);
    }
    let size = node_size(array.get(at)?);
    array.get(at..at + size)
}

/// Number of tape nodes a value occupies, its header included.
fn node_size(node: &Node<'_>) -> usize {
    match node {
        Node::Object { count, .. } | Node::Array { count, .. } => count + 1,
        _ => 1,
    }
}

/// Convert the value starting at `nodes[0]` into a `serde_json::Value`.
pub fn to_value(nodes: &[Node<'_>]) -> Value {
    fn build(nodes: &[Node<'_>], at: &mut usize) -> Value {
        let Some(node) = nodes.get(*at) else {
            return Value::Null;
        };
        *at += 1;
        match *node {
            Node::String(s) => Value::String(s.to_owned()),
            Node::Static(s) => static_value(s),
            Node::Array { len, .. } => {
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(build(nodes, at));
                }
                Value::Array(items)
            }
            Node::Object { len, .. } => {
                let mut map = Map::with_capacity(len);
                for _ in 0..len {
                    let key = match nodes.get(*at) {
                        Some(Node::String(k)) => (*k).to_owned(),
                        _ => String::new(),
                    };
                    *at += 1;
                    map.insert(key, build(nodes, at));
                }
                Value::Object(map)
            }
        }
    }
    // Recursion is bounded by MAX_DEPTH, which the parser enforces.
    build(nodes, &mut 0)
}

/// A scalar tape node as a `serde_json::Value`. Numbers too large for an
/// f64 cannot be represented by serde_json and become null.
pub fn static_value(node: StaticNode) -> Value {
    match node {
        StaticNode::Null => Value::Null,
        StaticNode::Bool(b) => Value::Bool(b),
        StaticNode::I64(i) => Value::Number(i.into()),
        StaticNode::U64(u) => Value::Number(u.into()),
        StaticNode::F64(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
    }
}

fn kind_name(node: &Node<'_>) -> &'static str {
    match node {
        Node::Object { .. } => "an object",
        Node::Array { .. } => "an array",
        Node::String(_) => "a string",
        Node::Static(StaticNode::Null) => "null",
        Node::Static(StaticNode::Bool(_)) => "a boolean",
        Node::Static(_) => "a number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(record: &[u8]) -> String {
        match DocParser::new().parse(record) {
            Ok(_) => panic!("{:?} parsed", String::from_utf8_lossy(record)),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn top_level_strings() {
        let mut parser = DocParser::new();
        let doc = parser
            .parse(br#"{"eventName":"Get\u004fbject","n":1,"eventSource":"s3.amazonaws.com","o":{"eventName":"x"}}"#)
            .unwrap();
        assert_eq!(doc.top_str("eventName"), Some("GetObject"));
        assert_eq!(doc.top_str("eventSource"), Some("s3.amazonaws.com"));
        assert_eq!(doc.top_str("n"), None);
        assert_eq!(doc.top_str("o"), None);
        assert_eq!(doc.top_str("missing"), None);
    }

    #[test]
    fn repeated_keys_resolve_to_the_last_like_serde_json() {
        let mut parser = DocParser::new();
        let doc = parser
            .parse(br#"{"a":"first","b":[1],"a":"last"}"#)
            .unwrap();
        assert_eq!(doc.top_str("a"), Some("last"));
        assert_eq!(doc.tree()["a"], "last");
    }

    #[test]
    fn the_parser_is_reused_across_records() {
        let mut parser = DocParser::new();
        let long = format!(r#"{{"k":"{}"}}"#, "x".repeat(10_000));
        for record in [long.as_str(), r#"{"k":"short"}"#, "[1]", r#"{"k":"again"}"#] {
            let got = parser
                .parse(record.as_bytes())
                .ok()
                .and_then(|d| d.top_str("k").map(str::len));
            let want = serde_json::from_str::<Value>(record)
                .ok()
                .and_then(|v| v["k"].as_str().map(str::len));
            assert_eq!(got, want, "{record:.20}");
        }
    }

    #[test]
    fn tree_matches_serde_json() {
        let record =
            r#"{"a":[1,-2,3.5,1e2,true,null,"s\n"],"b":{"c":{}},"d":18446744073709551615}"#;
        let mut parser = DocParser::new();
        let doc = parser.parse(record.as_bytes()).unwrap();
        let expected: Value = serde_json::from_str(record).unwrap();
        assert_eq!(doc.tree(), &expected);
        let DocView::Tape(root) = doc.view() else {
            panic!("tape expected")
        };
        let a = member(root, "a").unwrap();
        assert_eq!(to_value(element(a, -1).unwrap()), "s\n");
        assert_eq!(to_value(element(a, 1).unwrap()), -2);
        assert!(element(a, 7).is_none() && element(a, -8).is_none());
        assert!(member(a, "x").is_none() && element(root, 0).is_none());
    }

    #[test]
    fn non_objects_are_refused_by_kind() {
        assert_eq!(error_of(b"[1]"), "not a JSON object (found an array)");
        assert_eq!(error_of(b"3"), "not a JSON object (found a number)");
        assert_eq!(error_of(b"\"s\""), "not a JSON object (found a string)");
        assert_eq!(error_of(b"null"), "not a JSON object (found null)");
        assert_eq!(error_of(b" true "), "not a JSON object (found a boolean)");
        assert_eq!(
            error_of(b"[123456789012345678901234567890]"),
            "not a JSON object (found an array)"
        );
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        assert_eq!(
            error_of(br#"{"a":1 "b":2}"#),
            "invalid JSON: expected ',' or '}' at byte 8"
        );
        assert_eq!(
            error_of(br#"{"a":[1,2}"#),
            "invalid JSON: expected ',' or ']' at byte 10"
        );
        assert_eq!(
            error_of(br#"{"a":1} x"#),
            "invalid JSON: trailing data after the object at byte 9"
        );
        assert_eq!(
            error_of(br#"{"a":1}{}"#),
            "invalid JSON: trailing data after the object at byte 8"
        );
        assert_eq!(
            error_of(br#"{"a":"x"#),
            "invalid JSON: end of record while parsing a string at byte 7"
        );
        assert_eq!(error_of(b""), "invalid JSON: empty record");
        assert_eq!(
            error_of(br#"{"a":tru}"#),
            "invalid JSON: invalid literal at byte 9"
        );
        assert!(error_of(br#"{"a":01}"#).starts_with("invalid JSON: invalid number"));
        assert!(error_of(br#"{"a":1e400}"#).starts_with("invalid JSON: number out of range"));
        assert!(error_of(br#"{"a":"\ud800"}"#).starts_with("invalid JSON"));
        assert!(error_of(b"{\"a\":\"\x00\"}").starts_with("invalid JSON"));
    }

    #[test]
    fn invalid_utf8_is_named() {
        assert_eq!(error_of(b"{\"a\":\"\xff\"}"), "invalid UTF-8");
        assert_eq!(error_of(b"{\"a\":\"\xed\xa0\x80\"}"), "invalid UTF-8");
    }

    #[test]
    fn depth_bombs_are_refused_without_crashing() {
        let bomb = "[".repeat(100_000);
        assert_eq!(error_of(bomb.as_bytes()), "nesting deeper than 256 levels");
        let objects = r#"{"a":"#.repeat(100_000);
        assert_eq!(
            error_of(objects.as_bytes()),
            "nesting deeper than 256 levels"
        );
        let ok = format!("{{\"a\":{}1{}}}", "[".repeat(255), "]".repeat(255));
        assert!(DocParser::new().parse(ok.as_bytes()).is_ok());
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(256), "]".repeat(256));
        assert_eq!(error_of(deep.as_bytes()), "nesting deeper than 256 levels");
    }

    #[test]
    fn integers_beyond_64_bits_still_parse() {
        let mut parser = DocParser::new();
        let doc = parser
            .parse(br#"{"big":123456789012345678901234567890,"s":"x"}"#)
            .unwrap();
        assert!(matches!(doc.view(), DocView::Tree(_)));
        assert_eq!(doc.top_str("s"), Some("x"));
        assert!(doc.tree()["big"].as_f64().is_some_and(|f| f > 1.2e29));
    }

    #[test]
    fn garbage_never_panics() {
        let mut parser = DocParser::new();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet = b"{}[]\":,\\ 0123456789.eE-+truefalsnul\xff\xc3\xa9abc";
        for len in 0..400 {
            let record: Vec<u8> = (0..len % 64)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let ours = parser.parse(&record).map(|d| d.tree().clone());
            let reference = serde_json::from_slice::<Value>(&record);
            match (&ours, &reference) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(_), Ok(v)) => {
                    assert!(!v.is_object(), "{:?}", String::from_utf8_lossy(&record))
                }
                (Ok(_), Err(_)) => panic!("accepted {:?}", String::from_utf8_lossy(&record)),
                (Err(_), Err(_)) => {}
            }
        }
    }
}
