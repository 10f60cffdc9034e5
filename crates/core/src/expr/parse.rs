//! The expression grammar and its tree:
//!
//! ```text
//! expr       := and ("or" and)*
//! and        := not ("and" not)*
//! not        := "not" not | "(" expr ")" | comparison
//! comparison := PATH OP LITERAL
//! ```

use super::eval::Op;
use super::lex::Cursor;
use super::lex::error_at;
use super::literal::{Literal, parse_literal};
use super::path::{CompiledPath, compile_span, hyphen_hint, path_end};
use super::pyregex::PyRegex;
use super::regex_error::RegexError;
use super::{EvalError, ExprError};
use crate::doc::Doc;
use crate::net::{Network, NetworkError};
use std::cmp::Ordering;

/// Deep enough for any hand-written expression, shallow enough for the
/// stack.
const MAX_NESTING: usize = 64;

#[derive(Debug)]
pub enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Compare { path: CompiledPath, op: Op },
}

impl Node {
    /// The verdict on `doc`, or why there is none. `and` and `or` stop at
    /// the first operand that decides, as in Python, so an operand that
    /// cannot decide matters only when it is reached.
    pub(crate) fn eval(&self, doc: &Doc<'_>) -> Result<bool, EvalError> {
        match self {
            Node::Or(nodes) => {
                for node in nodes {
                    if node.eval(doc)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Node::And(nodes) => {
                for node in nodes {
                    if !node.eval(doc)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Not(node) => node.eval(doc).map(|b| !b),
            Node::Compare { path, op } => path.any_match(doc, |found| {
                op.holds(found).map_err(|gave_up| EvalError {
                    message: format!("{}: {gave_up}", path.text()),
                })
            }),
        }
    }
}

pub(crate) fn parse_expression(src: &str) -> Result<Node, ExprError> {
    let mut cur = Cursor::new(src);
    let node = parse_or(&mut cur, 0)?;
    cur.skip_blank();
    if cur.at_end() {
        Ok(node)
    } else if cur.peek() == Some(')') {
        Err(cur.error("unmatched ')'"))
    } else {
        Err(cur.error("expected 'and', 'or' or the end of the expression"))
    }
}

fn parse_or(cur: &mut Cursor<'_>, depth: usize) -> Result<Node, ExprError> {
    let mut nodes = vec![parse_and(cur, depth)?];
    while eat_keyword(cur, "or") {
        nodes.push(parse_and(cur, depth)?);
    }
    Ok(if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::Or(nodes)
    })
}

fn parse_and(cur: &mut Cursor<'_>, depth: usize) -> Result<Node, ExprError> {
    let mut nodes = vec![parse_not(cur, depth)?];
    while eat_keyword(cur, "and") {
        nodes.push(parse_not(cur, depth)?);
    }
    Ok(if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::And(nodes)
    })
}

fn parse_not(cur: &mut Cursor<'_>, depth: usize) -> Result<Node, ExprError> {
    cur.skip_blank();
    if depth > MAX_NESTING {
        return Err(cur.error("expression nested too deeply"));
    }
    if eat_keyword(cur, "not") {
        return Ok(Node::Not(Box::new(parse_not(cur, depth + 1)?)));
    }
    match cur.peek() {
        Some('(') => {
            cur.bump();
            let inner = parse_or(cur, depth + 1)?;
            cur.skip_blank();
            if !cur.eat(')') {
                return Err(cur.error("expected ')'"));
            }
            Ok(inner)
        }
        Some('$') => parse_comparison(cur),
        None => Err(cur.error("expected a comparison")),
        Some(_) => Err(cur.error("expected a JSONPath starting with '$'")),
    }
}

/// Skip blank space and consume `word` if it comes next as a whole word.
fn eat_keyword(cur: &mut Cursor<'_>, word: &str) -> bool {
    let before = cur.pos;
    cur.skip_blank();
    if cur.eat_word(word) {
        return true;
    }
    cur.pos = before;
    false
}

fn parse_comparison(cur: &mut Cursor<'_>) -> Result<Node, ExprError> {
    let start = cur.pos;
    let end = path_end(cur.src, start)?;
    if let Some(hint) = hyphen_hint(cur.src, start, end) {
        return Err(hint);
    }
    let path = compile_span(cur.src, start, end)?;
    cur.pos = end;
    cur.skip_blank();
    let (operator, negated) = parse_operator(cur)?;
    cur.skip_blank();
    let literal_at = cur.pos;
    let literal = parse_literal(cur)?;
    let literal_end = cur.pos;
    let op = compile_op(operator, literal).map_err(|error| match error {
        OperandError::Regex { pattern, error } => {
            regex_error_at(cur.src, literal_at, literal_end, &pattern, error)
        }
        other => cur.error_at(literal_at, other.to_string()),
    })?;
    let compare = Node::Compare { path, op };
    Ok(if negated {
        Node::Not(Box::new(compare))
    } else {
        compare
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Operator {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,
    Regex,
    Cidr,
}

/// The operator at the cursor and whether it is negated (`!=`, `not in`).
fn parse_operator(cur: &mut Cursor<'_>) -> Result<(Operator, bool), ExprError> {
    let symbols = [
        ("==", Operator::Eq, false),
        ("!=", Operator::Eq, true),
        ("<=", Operator::Le, false),
        (">=", Operator::Ge, false),
        ("<", Operator::Lt, false),
        (">", Operator::Gt, false),
    ];
    for (text, op, negated) in symbols {
        if cur.rest().starts_with(text) {
            cur.pos += text.len();
            return Ok((op, negated));
        }
    }
    // A lone `=` or `!` starts no operator; say which one was likely meant.
    let rest = cur.rest();
    let meant = [
        ("=!", "!="),
        ("=<", "<="),
        ("=>", ">="),
        ("=", "=="),
        ("!", "!="),
    ]
    .into_iter()
    .find(|(typed, _)| rest.starts_with(typed));
    if let Some((typed, meant)) = meant {
        return Err(cur.error(format!(
            "expected an operator: '{typed}' is none; did you mean '{meant}'?"
        )));
    }
    let words = [
        ("in", Operator::In),
        ("contains", Operator::Contains),
        ("regex", Operator::Regex),
        ("cidr", Operator::Cidr),
    ];
    for (word, op) in words {
        if cur.eat_word(word) {
            return Ok((op, false));
        }
    }
    let before = cur.pos;
    if cur.eat_word("not") && eat_keyword(cur, "in") {
        return Ok((Operator::In, true));
    }
    cur.pos = before;
    Err(cur.error("expected an operator"))
}

/// A literal that does not suit its operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum OperandError {
    #[error("'{0}' compares with a number or a string")]
    NotOrdered(&'static str),
    #[error("'in' needs a list or tuple on the right")]
    InNeedsList,
    #[error("'regex' needs a string pattern")]
    RegexNeedsString,
    #[error("'cidr' needs a network string or a list of them")]
    CidrNeedsNetworks,
    /// The pattern as the literal holds it, and why it does not compile.
    #[error("{error}")]
    Regex { pattern: String, error: RegexError },
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// A regex error at the column of the faulty character when the literal
/// holds the pattern verbatim (a raw string, or one without escapes, as
/// patterns mostly are); otherwise at the literal, naming the character.
fn regex_error_at(
    src: &str,
    literal_at: usize,
    literal_end: usize,
    pattern: &str,
    error: RegexError,
) -> ExprError {
    let Some(at) = error.at() else {
        return error_at(src, literal_at, error.to_string());
    };
    let literal = &src[literal_at..literal_end];
    let prefix = literal.find(['"', '\'']).unwrap_or(0);
    let quote = &literal[prefix..];
    let quotes = if quote.len() >= 6 && (quote.starts_with("\"\"\"") || quote.starts_with("\'\'\'"))
    {
        3
    } else {
        1
    };
    let body = literal.get(prefix + quotes..literal.len().saturating_sub(quotes));
    if body == Some(pattern) {
        let offset = pattern
            .char_indices()
            .nth(at)
            .map_or(pattern.len(), |(i, _)| i);
        return error_at(
            src,
            literal_at + prefix + quotes + offset,
            error.to_string(),
        );
    }
    error_at(
        src,
        literal_at,
        format!("{error} (at character {} of the pattern)", at + 1),
    )
}

/// Check the literal suits the operator and compile what can be compiled.
fn compile_op(operator: Operator, literal: Literal) -> Result<Op, OperandError> {
    let order = |wanted, or_equal, name: &'static str, literal| match literal {
        Literal::Int(_) | Literal::BigInt(_) | Literal::Float(_) | Literal::Str(_) => {
            Ok(Op::Order(wanted, or_equal, literal))
        }
        _ => Err(OperandError::NotOrdered(name)),
    };
    match operator {
        Operator::Eq => Ok(Op::Eq(literal)),
        Operator::Lt => order(Ordering::Less, false, "<", literal),
        Operator::Le => order(Ordering::Less, true, "<=", literal),
        Operator::Gt => order(Ordering::Greater, false, ">", literal),
        Operator::Ge => order(Ordering::Greater, true, ">=", literal),
        Operator::In => match literal {
            Literal::Seq(items) => Ok(Op::In(items)),
            _ => Err(OperandError::InNeedsList),
        },
        Operator::Contains => Ok(Op::Contains(literal)),
        Operator::Regex => match literal {
            Literal::Str(pattern) => match PyRegex::new(&pattern) {
                Ok(re) => Ok(Op::Regex(re)),
                Err(error) => Err(OperandError::Regex { pattern, error }),
            },
            _ => Err(OperandError::RegexNeedsString),
        },
        Operator::Cidr => {
            let texts = match literal {
                Literal::Str(text) => vec![Literal::Str(text)],
                Literal::Seq(items) if !items.is_empty() => items,
                _ => return Err(OperandError::CidrNeedsNetworks),
            };
            texts
                .into_iter()
                .map(|t| match t {
                    Literal::Str(text) => Ok(Network::parse(&text)?),
                    _ => Err(OperandError::CidrNeedsNetworks),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Op::Cidr)
        }
    }
}
