//! The --match expression language: lex -> parse -> eval.
//!
//! OWNER: expr helper.

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
pub struct Expression {}

impl Expression {
    pub fn parse(_src: &str) -> Result<Self, ExprError> {
        todo!("expr helper")
    }

    pub fn eval(&self, _doc: &Doc<'_>) -> bool {
        todo!("expr helper")
    }
}
