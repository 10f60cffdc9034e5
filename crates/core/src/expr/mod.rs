//! The --match expression language: `PATH OP LITERAL` comparisons (JSONPath
//! on the left, a Python literal on the right) combined with `not`, `and`,
//! `or` and parentheses. Everything is compiled once by `Expression::parse`;
//! `eval` only reads the record.

mod budget;
mod eval;
mod lex;
mod literal;
mod lookbehind;
mod parse;
pub mod path;
// Public for the fuzz targets, which check the translation.
mod pyfold;
#[doc(hidden)]
pub mod pyregex;
mod pysyntax;
mod pytranslate;
mod regex_error;

// The parsed tree, for translators of the language (`--emit-sql`).
pub use eval::Op;
pub use literal::Literal;
pub use parse::Node;
pub use pyregex::{Parsed, PyRegex};

use crate::doc::Doc;
use std::fmt;

/// A bad expression. `column` is 1-based, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

impl std::error::Error for ExprError {}

/// An expression that cannot decide on a record: a regex or a path ran out
/// of its budget. The record must be reported, never judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// An expression that could not decide on one record, with the expression
/// it was: the record's bad-record report (which adds the record's place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    /// The expression as a message quotes it.
    pub expression: String,
    pub error: EvalError,
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "undecided (--match '{}'): {}",
            self.expression, self.error
        )
    }
}

impl std::error::Error for Undecided {}

/// Expressions up to this many characters are quoted whole in messages.
const QUOTED_WHOLE: usize = 160;

/// Characters quoted on each side of the column in a longer expression.
const QUOTED_AROUND: usize = 60;

/// The expression as a message quotes it: whole when short, else the part
/// around `column` (1-based, in characters) marked with `...` where cut.
/// The column a message gives stays the column in the whole expression.
pub fn excerpt(src: &str, column: usize) -> String {
    let count = src.chars().count();
    if count <= QUOTED_WHOLE {
        return src.to_owned();
    }
    let at = column.saturating_sub(1).min(count);
    let from = at.saturating_sub(QUOTED_AROUND);
    let to = (at + QUOTED_AROUND).min(count);
    let mut out = String::new();
    if from > 0 {
        out.push_str("...");
    }
    out.extend(src.chars().skip(from).take(to - from));
    if to < count {
        out.push_str("...");
    }
    out
}

/// One compiled --match expression.
#[derive(Debug)]
pub struct Expression {
    root: parse::Node,
    source: String,
}

impl Expression {
    pub fn parse(src: &str) -> Result<Self, ExprError> {
        parse::parse_expression(src).map(|root| Self {
            root,
            source: src.to_owned(),
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The verdict on `doc`; an error when the expression cannot decide.
    pub fn judge(&self, doc: &Doc<'_>) -> Result<bool, Undecided> {
        self.eval(doc).map_err(|error| Undecided {
            expression: excerpt(&self.source, 1),
            error,
        })
    }

    pub fn eval(&self, doc: &Doc<'_>) -> Result<bool, EvalError> {
        self.root.eval(doc)
    }

    /// The parsed tree.
    pub fn root(&self) -> &Node {
        &self.root
    }
}

#[cfg(test)]
mod tests;
