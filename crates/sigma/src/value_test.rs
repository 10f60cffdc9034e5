//! What a rule value becomes once its modifiers are applied: the test
//! run against one field value. Apart from the rule tree (`model`) so that
//! `textset` can read the tests an item holds.

use crate::pattern::{TextMatcher, Token};
use regex::Regex;
use spitzel_core::net::Network;

/// A compiled test of one value.
#[derive(Debug, Clone)]
pub enum Test {
    /// String match (wildcards, modifiers applied): `tokens` is the value
    /// after `contains`/`startswith`/`endswith`/`windash`/`base64...`.
    Text {
        tokens: Vec<Token>,
        cased: bool,
        matcher: TextMatcher,
    },
    /// `re`: searches, unanchored.
    Regex {
        source: String,
        insensitive: bool,
        multi_line: bool,
        dot_all: bool,
        regex: Regex,
    },
    Cidr(Network),
    Compare {
        op: CompareOp,
        value: f64,
    },
    /// `null`: the field is missing or JSON null.
    Null,
    /// `exists: true|false`.
    Exists(bool),
    /// `fieldref`: equal to (or `contains`/`startswith`/`endswith`) the
    /// value of another field of the same record.
    FieldRef {
        field: String,
        path: Vec<String>,
        mode: RefMode,
        cased: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefMode {
    Equal,
    Contains,
    StartsWith,
    EndsWith,
}
