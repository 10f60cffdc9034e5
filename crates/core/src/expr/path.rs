//! JSONPath (RFC 9535) inside an expression: where a path ends, compiling it
//! with serde_json_path, and a fast path for plain member/index paths that
//! reads the record's own text, through the scanner's index, without
//! building a tree.

use super::budget::{Cost, NODE_BUDGET, measure};
use super::lex::error_at;
use super::{EvalError, ExprError};
use crate::doc::{Doc, DocView, Raw};
use crate::json_bytes::{space_end, take_hex4};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::collections::HashMap;

/// A compiled path. Plain paths (only name and index selectors) also keep
/// their steps for the fast path.
#[derive(Debug)]
pub struct CompiledPath {
    /// The path as written, for messages and translators (`--emit-sql`).
    text: String,
    general: JsonPath,
    plain: Option<Vec<Step>>,
    cost: Cost,
}

/// One step of a plain path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Name(String),
    Index(i64),
}

/// A value a path selected: the record's own text of it, or a node of a
/// serde_json tree.
#[derive(Clone, Copy, Debug)]
pub enum Found<'d> {
    Raw(Raw<'d>),
    Tree(&'d Value),
}

/// Compile `text`, which must be one whole JSONPath query.
pub fn compile_path(text: &str) -> Result<CompiledPath, ExprError> {
    let end = path_end(text, 0)?;
    if end != text.len() {
        return Err(error_at(text, end, "unexpected text after the path"));
    }
    compile_span(text, 0, end)
}

/// Byte offset where the path starting at `start` (a `$`) ends, found by
/// the RFC 9535 grammar: segments are `.name`, `.*`, `..x` or a bracketed
/// selection (which may hold quoted strings and whole filter expressions),
/// with blank space allowed between segments.
pub(crate) fn path_end(src: &str, start: usize) -> Result<usize, ExprError> {
    let bytes = src.as_bytes();
    if bytes.get(start) != Some(&b'$') {
        return Err(error_at(
            src,
            start,
            "expected a JSONPath starting with '$'",
        ));
    }
    let mut pos = start + 1;
    loop {
        let segment_start = space_end(bytes, pos);
        pos = match bytes.get(segment_start) {
            Some(b'.') => {
                let mut at = segment_start + 1;
                if bytes.get(at) == Some(&b'.') {
                    at += 1;
                }
                match bytes.get(at) {
                    Some(b'*') => at + 1,
                    Some(b'[') if at == segment_start + 2 => bracket_end(src, at)?,
                    // Not a valid segment: keep it so the compiler says why.
                    _ => name_end(src, at),
                }
            }
            Some(b'[') => bracket_end(src, segment_start)?,
            _ => return Ok(pos),
        };
    }
}

fn is_name_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

/// End of the member-name shorthand starting at `at`.
fn name_end(src: &str, at: usize) -> usize {
    let rest = &src[at..];
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, c)) if is_name_first(c) => {}
        _ => return at,
    }
    at + chars
        .find(|&(_, c)| !(is_name_first(c) || c.is_ascii_digit()))
        .map_or(rest.len(), |(i, _)| i)
}

/// Deepest nesting of brackets and parentheses inside one path segment;
/// the path compiler recurses on them.
const MAX_NESTING: usize = 64;

/// Offset just past the `]` closing the bracket at `open`, skipping quoted
/// strings and nested brackets of filter expressions.
fn bracket_end(src: &str, open: usize) -> Result<usize, ExprError> {
    let bytes = src.as_bytes();
    let mut brackets = 0usize;
    let mut parens = 0usize;
    let mut pos = open;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'[' => brackets += 1,
            b'(' => parens += 1,
            b')' => parens = parens.saturating_sub(1),
            b']' => {
                brackets -= 1;
                if brackets == 0 {
                    return Ok(pos + 1);
                }
            }
            b'\'' | b'"' => {
                pos += 1;
                while let Some(&c) = bytes.get(pos) {
                    if c == b'\\' {
                        pos += 1;
                    } else if c == b {
                        break;
                    }
                    pos += 1;
                }
                if pos >= bytes.len() {
                    return Err(error_at(src, open, "unclosed '[' in the path"));
                }
            }
            _ => {}
        }
        if brackets + parens > MAX_NESTING {
            return Err(error_at(src, pos, "path nested too deeply"));
        }
        pos += 1;
    }
    Err(error_at(src, open, "unclosed '[' in the path"))
}

/// Compile `src[start..end]`, reporting errors at columns of `src`.
pub(crate) fn compile_span(src: &str, start: usize, end: usize) -> Result<CompiledPath, ExprError> {
    let text = &src[start..end];
    let general = JsonPath::parse(text).map_err(|e| {
        if let Some((at, escape)) = crate::doc::lone_surrogate(text) {
            return error_at(
                src,
                start + at,
                format!(
                    "invalid JSONPath: {escape} is a lone surrogate (half of a UTF-16 pair, \
                     no character)"
                ),
            );
        }
        error_at(
            src,
            start + e.position(),
            format!("invalid JSONPath: {}", e.message()),
        )
    })?;
    Ok(CompiledPath {
        text: text.to_owned(),
        general,
        plain: plain_steps(text),
        cost: Cost::of(text),
    })
}

/// When the path ends in a dotted name directly followed by `-`, the user
/// most likely meant a name with hyphens: point at the bracket form.
pub(crate) fn hyphen_hint(src: &str, start: usize, end: usize) -> Option<ExprError> {
    if src.as_bytes().get(end) != Some(&b'-') {
        return None;
    }
    let mut pos = start + 1;
    let mut fixed = String::from("$");
    let mut fixed_any = false;
    let bytes = src.as_bytes();
    loop {
        let segment_start = space_end(bytes, pos);
        match bytes.get(segment_start) {
            Some(b'.') => {
                let descendant = bytes.get(segment_start + 1) == Some(&b'.');
                let name_at = segment_start + if descendant { 2 } else { 1 };
                let name_stop = src[name_at..]
                    .find(|c: char| !(is_name_first(c) || c.is_ascii_digit() || c == '-'))
                    .map_or(src.len(), |n| name_at + n);
                if name_stop == name_at {
                    return None;
                }
                let name = &src[name_at..name_stop];
                if name.contains('-') {
                    fixed_any = true;
                    fixed.push_str(if descendant { "..['" } else { "['" });
                    fixed.push_str(&name.replace('\'', "\\'"));
                    fixed.push_str("']");
                } else {
                    fixed.push_str(&src[segment_start..name_stop]);
                }
                pos = name_stop;
            }
            Some(b'[') => {
                let close = bracket_end(src, segment_start).ok()?;
                fixed.push_str(&src[segment_start..close]);
                pos = close;
            }
            _ => break,
        }
    }
    fixed_any.then(|| {
        error_at(
            src,
            end,
            format!("a name with '-' needs brackets in JSONPath: write {fixed}"),
        )
    })
}

/// The steps of a path made only of single name and index selectors, or
/// None. Only called on paths serde_json_path accepted.
fn plain_steps(text: &str) -> Option<Vec<Step>> {
    let bytes = text.as_bytes();
    let mut steps = Vec::new();
    let mut pos = 1;
    loop {
        pos = space_end(bytes, pos);
        match bytes.get(pos) {
            None => return Some(steps),
            Some(b'.') => {
                let end = name_end(text, pos + 1);
                if end == pos + 1 {
                    return None;
                }
                steps.push(Step::Name(text[pos + 1..end].to_owned()));
                pos = end;
            }
            Some(b'[') => {
                pos = space_end(bytes, pos + 1);
                let (step, after) = match bytes.get(pos)? {
                    q @ (b'\'' | b'"') => {
                        let (name, after) = quoted_name(text, pos, *q)?;
                        (Step::Name(name), after)
                    }
                    b'-' | b'0'..=b'9' => {
                        let len = text[pos + 1..]
                            .find(|c: char| !c.is_ascii_digit())
                            .unwrap_or(text.len() - pos - 1);
                        let number = &text[pos..pos + 1 + len];
                        (Step::Index(number.parse().ok()?), pos + 1 + len)
                    }
                    _ => return None,
                };
                pos = space_end(bytes, after);
                if bytes.get(pos) != Some(&b']') {
                    return None;
                }
                steps.push(step);
                pos += 1;
            }
            Some(_) => return None,
        }
    }
}

/// Decode the RFC 9535 string literal whose quote is at `open`; returns the
/// name and the offset past the closing quote. Also `--emit-sql`'s reader.
pub fn quoted_name(text: &str, open: usize, quote: u8) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[open + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, e) = chars.next()?;
                let decoded = match e {
                    'b' => '\x08',
                    'f' => '\x0c',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '/' | '\\' | '\'' | '"' => e,
                    'u' => {
                        let unit = take_hex4(&mut chars)?;
                        if (0xD800..0xDC00).contains(&unit) {
                            let (_, b) = chars.next()?;
                            let (_, u) = chars.next()?;
                            if (b, u) != ('\\', 'u') {
                                return None;
                            }
                            let low = take_hex4(&mut chars)?;
                            let code =
                                0x10000 + ((unit - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
                            char::from_u32(code)?
                        } else {
                            char::from_u32(unit)?
                        }
                    }
                    _ => return None,
                };
                out.push(decoded);
            }
            c if c as u32 == u32::from(quote) => {
                return Some((out, open + 1 + i + 1));
            }
            c => out.push(c),
        }
    }
    None
}

impl CompiledPath {
    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The steps when the path is plain (fast path), else None.
    pub fn plain_steps(&self) -> Option<&[Step]> {
        self.plain.as_deref()
    }

    /// Every node the path selects in `value`, in RFC 9535 order, by the
    /// general engine.
    pub fn select<'v>(&self, value: &'v Value) -> Vec<&'v Value> {
        self.general.query(value).all()
    }

    /// The fast path on a record's text: the value a plain path selects,
    /// if any. None from `plain_steps()` means this must not be used.
    pub fn select_plain_raw<'d>(&self, root: Raw<'d>) -> Option<Raw<'d>> {
        let mut here = root;
        for step in self.plain.as_deref()? {
            here = match step {
                Step::Name(name) => here.member(name)?,
                Step::Index(index) => here.element(*index)?,
            };
        }
        Some(here)
    }

    fn select_plain_tree<'v>(&self, steps: &[Step], value: &'v Value) -> Option<&'v Value> {
        let mut here = value;
        for step in steps {
            here = match step {
                Step::Name(name) => here.as_object()?.get(name)?,
                Step::Index(index) => {
                    let items = here.as_array()?;
                    let at = if *index < 0 {
                        items
                            .len()
                            .checked_sub(usize::try_from(index.unsigned_abs()).ok()?)?
                    } else {
                        usize::try_from(*index).ok()?
                    };
                    items.get(at)?
                }
            };
        }
        Some(here)
    }

    /// Whether any selected value satisfies `test`; `test(None)` decides
    /// when nothing is selected. An error when the evaluation would cost
    /// more than the budget, or `test` could not decide.
    pub(crate) fn any_match(
        &self,
        doc: &Doc<'_>,
        mut test: impl FnMut(Option<Found<'_>>) -> Result<bool, EvalError>,
    ) -> Result<bool, EvalError> {
        if let Some(steps) = &self.plain {
            let found = match doc.view() {
                DocView::Raw(root) => self.select_plain_raw(root).map(Found::Raw),
                DocView::Tree(tree) => self.select_plain_tree(steps, tree).map(Found::Tree),
            };
            return test(found);
        }
        let tree = doc.tree();
        self.check_budget(doc.len(), tree)?;
        let selected = self.general.query(tree).all();
        if selected.is_empty() {
            return test(None);
        }
        // A float in the tree may stand for an integer beyond 64 bits or a
        // number beyond f64's range, which only the record's text holds
        // exactly: in records that have such numbers, selected values
        // holding floats are read from the text instead.
        let texts = match doc.view() {
            DocView::Raw(root)
                if doc.has_wide_numbers() && selected.iter().any(|v| holds_float(v)) =>
            {
                let mut texts = HashMap::new();
                map_texts(tree, root, &mut texts);
                texts
            }
            _ => HashMap::new(),
        };
        for value in selected {
            let found = match texts.get(&std::ptr::from_ref(value)) {
                Some(raw) if holds_float(value) => Found::Raw(*raw),
                _ => Found::Tree(value),
            };
            if test(Some(found))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Refuse a record on which the path could cost more than NODE_BUDGET
    /// node visits: first by a bound from the record's size alone (a node
    /// takes at least a byte), then, only when that is not enough, from its
    /// counted nodes and depth.
    fn check_budget(&self, bytes: usize, tree: &Value) -> Result<(), EvalError> {
        let by_size = self.cost.estimate(
            bytes as f64,
            (bytes as f64).min(crate::doc::MAX_DEPTH as f64),
        );
        if by_size <= NODE_BUDGET {
            return Ok(());
        }
        let (nodes, depth) = measure(tree);
        let estimate = self.cost.estimate(nodes, depth);
        if estimate <= NODE_BUDGET {
            return Ok(());
        }
        Err(EvalError {
            message: format!(
                "the path {} could visit about {estimate:.0} nodes of this record \
                 ({nodes} nodes, {depth} deep), more than the {NODE_BUDGET} allowed",
                self.text
            ),
        })
    }
}

/// Whether a float appears in the value (a number that is neither i64 nor
/// u64 in serde_json's tree).
fn holds_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(holds_float),
        Value::Object(map) => map.values().any(holds_float),
        _ => false,
    }
}

/// Where each node of `tree` lies in the record's text, by the node's
/// address: one walk of both, linear in the record.
fn map_texts<'v, 'd>(tree: &'v Value, raw: Raw<'d>, texts: &mut HashMap<*const Value, Raw<'d>>) {
    texts.insert(std::ptr::from_ref(tree), raw);
    match tree {
        Value::Array(items) => {
            for (item, text) in items.iter().zip(raw.elements()) {
                map_texts(item, text, texts);
            }
        }
        Value::Object(map) => {
            // A repeated key: the tree holds the last value, as here.
            let mut members: HashMap<std::borrow::Cow<'d, str>, Raw<'d>> = HashMap::new();
            for (key, text) in raw.members() {
                members.insert(key, text);
            }
            for (key, value) in map {
                if let Some(text) = members.get(key.as_str()) {
                    map_texts(value, *text, texts);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn end_of(src: &str) -> &str {
        &src[..path_end(src, 0).expect(src)]
    }

    #[test]
    fn the_path_ends_by_grammar_not_at_the_first_operator() {
        assert_eq!(end_of("$.a == 1"), "$.a");
        assert_eq!(
            end_of("$.resources[?@.type == 'AWS::S3::Object'].ARN regex \"secret\""),
            "$.resources[?@.type == 'AWS::S3::Object'].ARN"
        );
        assert_eq!(end_of("$['a]', \"b[\"] in [1]"), "$['a]', \"b[\"]");
        assert_eq!(end_of("$[?(@.a[0] == ']')] != 2"), "$[?(@.a[0] == ']')]");
        assert_eq!(end_of("$.a .b [0] < 3"), "$.a .b [0]");
        assert_eq!(end_of("$..x.* contains 1"), "$..x.*");
        assert_eq!(end_of("$..['k'] == 1"), "$..['k']");
        assert_eq!(end_of("$.é1 == 1"), "$.é1");
        assert_eq!(end_of("$"), "$");
    }

    #[test]
    fn deeply_nested_filters_are_errors_not_crashes() {
        let deep = format!("$[?{}@.a{}]", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            compile_path(&deep).unwrap_err().message,
            "path nested too deeply"
        );
        let brackets = format!("$[?@{}]", "[0".repeat(100_000));
        assert!(compile_path(&brackets).is_err());
        let fine = format!("$[?{}@.a{}]", "(".repeat(20), ")".repeat(20));
        assert!(compile_path(&fine).is_ok());
    }

    #[test]
    fn unclosed_brackets_are_reported_where_they_open() {
        let err = path_end("$.a['b' == 1", 0).unwrap_err();
        assert_eq!(err.column, 4);
        assert!(path_end("x", 0).is_err());
    }

    #[test]
    fn plain_paths_get_steps() {
        let steps = |p: &str| compile_path(p).unwrap().plain;
        assert_eq!(
            steps("$.a['b c'][0][-1][\"d\\u00e9\\n\"]"),
            Some(vec![
                Step::Name("a".into()),
                Step::Name("b c".into()),
                Step::Index(0),
                Step::Index(-1),
                Step::Name("dé\n".into()),
            ])
        );
        assert_eq!(
            steps("$['\\uD83D\\uDE00']"),
            Some(vec![Step::Name("😀".into())])
        );
        assert_eq!(steps("$"), Some(vec![]));
        for general in ["$.*", "$..a", "$[0,1]", "$[1:2]", "$[?@.a]", "$['a','b']"] {
            assert_eq!(steps(general), None, "{general}");
        }
    }

    #[test]
    fn compile_errors_point_into_the_path() {
        let err = compile_path("$.a[?@.b ==]").unwrap_err();
        assert!(err.message.starts_with("invalid JSONPath"), "{err}");
        assert!(err.column > 4, "{err}");
        assert_eq!(compile_path("$.a b").unwrap_err().column, 4);
    }

    #[test]
    fn hyphenated_names_get_a_bracket_suggestion() {
        let src = "$.requestParameters.x-amz-id-2 == 'a'";
        let end = path_end(src, 0).unwrap();
        let err = hyphen_hint(src, 0, end).unwrap();
        assert_eq!(
            err.message,
            "a name with '-' needs brackets in JSONPath: write $.requestParameters['x-amz-id-2']"
        );
        assert_eq!(err.column, 22);
        let src = "$..a-b.c";
        let end = path_end(src, 0).unwrap();
        assert!(
            hyphen_hint(src, 0, end)
                .unwrap()
                .message
                .ends_with("$..['a-b'].c")
        );
        assert!(hyphen_hint("$.a - 1", 0, 3).is_none());
    }

    #[test]
    fn select_uses_rfc_semantics() {
        let doc = json!({"a": [{"t": "x", "v": 1}, {"t": "y", "v": 2}]});
        let path = compile_path("$.a[?@.t == 'y'].v").unwrap();
        assert_eq!(path.select(&doc), vec![&json!(2)]);
    }
}
