//! The --match expression language: `PATH OP LITERAL` comparisons (JSONPath
//! on the left, a Python literal on the right) combined with `not`, `and`,
//! `or` and parentheses. Everything is compiled once by `Expression::parse`;
//! `eval` only reads the record.

mod cidr;
mod eval;
mod lex;
mod literal;
mod parse;
pub mod path;
mod pyregex;

// The parsed tree, for translators of the language (`--emit-sql`).
pub use cidr::Network;
pub use eval::Op;
pub use literal::Literal;
pub use parse::Node;
pub use pyregex::PyRegex;

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

/// One compiled --match expression.
#[derive(Debug)]
pub struct Expression {
    root: parse::Node,
}

impl Expression {
    pub fn parse(src: &str) -> Result<Self, ExprError> {
        parse::parse_expression(src).map(|root| Self { root })
    }

    pub fn eval(&self, doc: &Doc<'_>) -> bool {
        self.root.eval(doc)
    }

    /// The parsed tree.
    pub fn root(&self) -> &Node {
        &self.root
    }
}

#[cfg(test)]
mod tests;
