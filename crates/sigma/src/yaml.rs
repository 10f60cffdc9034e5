//! A small YAML tree with line numbers, built from saphyr-parser's events.
//!
//! Rules need only scalars, sequences and mappings, but every error must
//! name a line, and a key given twice must be refused rather than silently
//! resolved to one of its values: the tree keeps both facts.

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// One YAML node and the line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Keys in document order; keys are scalars' text.
    Map(Vec<(String, Node)>),
}

/// A scalar resolved by the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    /// An integer or float, as decimal text (written form kept where it is
    /// already decimal, so `1.50` stays `1.50`).
    Number(String),
    Str(String),
}

/// A YAML syntax error, or a shape YAML allows but rules never need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl Node {
    pub fn as_map(&self) -> Option<&[(String, Node)]> {
        match &self.kind {
            Kind::Map(members) => Some(members),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value)
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// A scalar's text, whatever its type (None for null and containers).
    pub fn as_text(&self) -> Option<String> {
        match self.as_scalar()? {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Number(n) => Some(n.clone()),
            Scalar::Str(s) => Some(s.clone()),
        }
    }
}

/// Nodes that aliases may copy into one stream. A tree is otherwise as
/// big as its text, but nested aliases grow it exponentially ("billion
/// laughs": 600 bytes to exhaust memory); real rules use few if any.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A container being read: its line, anchor, the count of nodes produced
/// before it (its size when it closes), and what it holds so far.
enum Open {
    Seq(usize, usize, usize, Vec<Node>),
    /// Line, anchor, start, members, and a key waiting for its value.
    Map(
        usize,
        usize,
        usize,
        Vec<(String, Node)>,
        Option<(String, usize)>,
    ),
}

/// Every document of a YAML stream.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut documents = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // Each anchored node with its size in nodes.
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut produced = 0usize;
    let mut copied_by_aliases = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line(),
            message: e.info().to_owned(),
        })?;
        let line = span.start.line();
        let node = match event {
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => continue,
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Seq(line, anchor, produced, Vec::new()));
                produced += 1;
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Map(line, anchor, produced, Vec::new(), None));
                produced += 1;
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq(line, anchor, start, items)) => remember(
                    &mut anchors,
                    anchor,
                    produced - start,
                    Node {
                        line,
                        kind: Kind::Seq(items),
                    },
                ),
                _ => return Err(broken(line)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map(line, anchor, start, members, None)) => remember(
                    &mut anchors,
                    anchor,
                    produced - start,
                    Node {
                        line,
                        kind: Kind::Map(members),
                    },
                ),
                _ => return Err(broken(line)),
            },
            Event::Alias(id) => match anchors.get(&id) {
                Some((node, size)) => {
                    copied_by_aliases += size;
                    if copied_by_aliases > MAX_ALIAS_NODES {
                        return Err(YamlError {
                            line,
                            message: format!(
                                "aliases expand to more than {MAX_ALIAS_NODES} nodes \
                                 (nested aliases multiplying a document are refused)"
                            ),
                        });
                    }
                    produced += size;
                    node.clone()
                }
                None => {
                    return Err(YamlError {
                        line,
                        message: "alias to an unknown anchor".into(),
                    });
                }
            },
            Event::Scalar(value, style, anchor, tag) => {
                let forced_string = match &tag {
                    None => false,
                    Some(tag) if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" => {
                        tag.suffix == "str"
                    }
                    Some(tag) => {
                        return Err(YamlError {
                            line,
                            message: format!("unsupported YAML tag {}{}", tag.handle, tag.suffix),
                        });
                    }
                };
                let scalar = if style == ScalarStyle::Plain && !forced_string {
                    resolve_plain(&value)
                } else {
                    Scalar::Str(value.into_owned())
                };
                produced += 1;
                remember(
                    &mut anchors,
                    anchor,
                    1,
                    Node {
                        line,
                        kind: Kind::Scalar(scalar),
                    },
                )
            }
        };
        match stack.last_mut() {
            None => documents.push(node),
            Some(Open::Seq(_, _, _, items)) => items.push(node),
            Some(Open::Map(_, _, _, members, pending)) => match pending.take() {
                None => {
                    let key = match &node.kind {
                        Kind::Scalar(Scalar::Str(s)) => s.clone(),
                        Kind::Scalar(Scalar::Null) => String::new(),
                        Kind::Scalar(_) => node.as_text().unwrap_or_default(),
                        _ => {
                            return Err(YamlError {
                                line: node.line,
                                message: "a mapping key must be a scalar".into(),
                            });
                        }
                    };
                    if members.iter().any(|(k, _)| *k == key) {
                        return Err(YamlError {
                            line: node.line,
                            message: format!("key '{key}' given twice"),
                        });
                    }
                    *pending = Some((key, node.line));
                }
                Some((key, key_line)) => {
                    // A container under a key is reported at the key.
                    let mut node = node;
                    if !matches!(node.kind, Kind::Scalar(_)) {
                        node.line = key_line;
                    }
                    members.push((key, node))
                }
            },
        }
    }
    Ok(documents)
}

fn remember(
    anchors: &mut HashMap<usize, (Node, usize)>,
    anchor: usize,
    size: usize,
    node: Node,
) -> Node {
    if anchor != 0 {
        anchors.insert(anchor, (node.clone(), size));
    }
    node
}

fn broken(line: usize) -> YamlError {
    YamlError {
        line,
        message: "unbalanced YAML structure".into(),
    }
}

/// The YAML 1.2 core schema's reading of a plain scalar.
fn resolve_plain(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = text.strip_prefix("0x")
        && digits(hex, 16)
    {
        return match u128::from_str_radix(hex, 16) {
            Ok(n) => Scalar::Number(n.to_string()),
            Err(_) => Scalar::Str(text.to_owned()),
        };
    }
    if let Some(oct) = text.strip_prefix("0o")
        && digits(oct, 8)
    {
        return match u128::from_str_radix(oct, 8) {
            Ok(n) => Scalar::Number(n.to_string()),
            Err(_) => Scalar::Str(text.to_owned()),
        };
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits(unsigned, 10) {
        // `+5` is 5; the sign of a negative number stays.
        return Scalar::Number(text.strip_prefix('+').unwrap_or(text).to_owned());
    }
    if is_core_float(unsigned) {
        return Scalar::Number(text.strip_prefix('+').unwrap_or(text).to_owned());
    }
    Scalar::Str(text.to_owned())
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+(...)?`, sign removed.
/// (.inf and .nan stay strings: no JSON number has that text.)
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(frac) => all_digits(int) && all_digits(frac) && !(int.is_empty() && frac.is_empty()),
        None => !int.is_empty() && all_digits(int),
    };
    let exponent_ok = match exponent {
        None => frac.is_some(),
        Some(exp) => {
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            !exp.is_empty() && all_digits(exp)
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_documents(text).unwrap().remove(0)
    }

    #[test]
    fn core_schema_resolution() {
        let doc =
            one("a: 4738\nb: '4738'\nc: false\nd: null\ne: 0x17\nf: 1.50\ng: yes\nh: ~\ni: -3\n");
        let get = |k| doc.get(k).unwrap().as_scalar().unwrap().clone();
        assert_eq!(get("a"), Scalar::Number("4738".into()));
        assert_eq!(get("b"), Scalar::Str("4738".into()));
        assert_eq!(get("c"), Scalar::Bool(false));
        assert_eq!(get("d"), Scalar::Null);
        assert_eq!(get("e"), Scalar::Number("23".into()));
        assert_eq!(get("f"), Scalar::Number("1.50".into()));
        // YAML 1.2: `yes` is a string, not a boolean.
        assert_eq!(get("g"), Scalar::Str("yes".into()));
        assert_eq!(get("h"), Scalar::Null);
        assert_eq!(get("i"), Scalar::Number("-3".into()));
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_line() {
        let error = parse_documents("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(error.line, 4);
        assert!(
            error.message.contains("'c' given twice"),
            "{}",
            error.message
        );
    }

    #[test]
    fn lines_and_documents() {
        let docs = parse_documents("a: 1\n---\nb:\n  - x\n  - y\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[1].get("b").unwrap();
        assert_eq!(b.line, 3, "a container under a key is at the key");
        match &b.kind {
            Kind::Seq(items) => assert_eq!(items[1].line, 5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn aliases_copy_what_they_name() {
        let doc = one("a: &x [1, {b: 2}]\nc: *x\n");
        assert_eq!(
            doc.get("a"),
            doc.get("c")
                .map(|c| Node {
                    line: 1,
                    ..c.clone()
                })
                .as_ref()
        );
    }

    #[test]
    fn alias_expansion_is_bounded() {
        // Nine levels of ten aliases each: 10^9 scalars from 500 bytes.
        let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..=9 {
            let previous = format!("*l{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{items}]\n"));
        }
        let error = parse_documents(&text).unwrap_err();
        assert!(
            error.message.contains("more than 100000 nodes"),
            "{}",
            error.message
        );
        assert!((5..=10).contains(&error.line), "{}", error.line);
    }

    #[test]
    fn syntax_errors_name_a_line() {
        let error = parse_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.line >= 1);
        assert!(!error.message.is_empty());
    }
}
