//! `--emit-sql`: the filter's criteria as one SQL statement for Athena,
//! Spark or DuckDB, exact or refused.
//!
//! The criteria become a [`Cond`] tree (what Sigma rules can build too),
//! which a dialect renders. Every atom renders to a two-valued SQL
//! predicate (never NULL), so `NOT`, `!=`, `not in` and `-v` stay exact
//! negations. What a dialect cannot express with identical results is a
//! [`Refusal`] naming the construct and the dialect.

mod athena;
mod athena_table;
mod common;
mod cond;
mod correlation;
mod ddl;
mod files;
mod json;
mod path;
mod regex;
mod sigma;
mod table;

use std::fmt;

pub use cond::{ActionPlan, Cond};
pub use correlation::{Correlated, Correlation, CorrelationSource, Counted, Events};
pub use ddl::{DdlError, athena_ddl};
pub use table::{TableNameError, check_table_name};

/// The target SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Athena,
    Spark,
    Duckdb,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Self::Athena => "athena",
            Self::Spark => "spark",
            Self::Duckdb => "duckdb",
        }
    }
}

/// A construct that has no exact translation in a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub construct: String,
    pub dialect: Dialect,
}

impl Refusal {
    pub fn new(construct: impl Into<String>, dialect: Dialect) -> Self {
        Self {
            construct: construct.into(),
            dialect,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--emit-sql {}: cannot translate exactly: {}",
            self.dialect.name(),
            self.construct
        )
    }
}

impl std::error::Error for Refusal {}

/// The order of the rows a statement returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Whatever order the engine gives.
    #[default]
    None,
    /// By eventTime's UTC instant as the window reads it (offsets applied,
    /// to the nanosecond), records with no readable time last.
    Time,
}

/// Where the records come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// DuckDB/Spark: files of NDJSON (or gzip NDJSON, or Records files).
    Files(Vec<String>),
    /// Athena: the CloudTrail table by name.
    Table(String),
}

/// Athena's quota on a query's text (262,144 bytes): a longer statement
/// would only fail there.
pub const ATHENA_MAX_STATEMENT: usize = 262_144;
/// DuckDB and Spark take longer statements, but far past real use (the
/// SigmaHQ CloudTrail rules are about 150 KB): a rule repeating a large
/// search in many terms is refused rather than written out at any size.
pub const MAX_STATEMENT: usize = 16 << 20;

/// The whole statement: records for which `cond` holds (or, inverted,
/// does not), refused past the dialect's size limit.
pub fn emit(
    dialect: Dialect,
    cond: &Cond,
    invert: bool,
    source: &Source,
    order: Order,
) -> Result<String, Refusal> {
    common::check_numbers(dialect, cond)?;
    let text = statement(dialect, cond, invert, source, order)?;
    checked_size(dialect, text)
}

/// The statement for a `--sigma` set with correlations: the records the
/// rules write on their own and the events of the correlations' hits.
pub fn emit_correlated(
    dialect: Dialect,
    correlated: &Correlated<'_>,
    source: &Source,
    order: Order,
) -> Result<String, Refusal> {
    common::check_numbers(dialect, &correlated.criteria)?;
    let text = correlation::statement(dialect, correlated, source, order)?;
    checked_size(dialect, text)
}

/// What the statement leaves for the user to know before running it: for
/// Athena, the partitions it cannot prune (see `athena::scan_warnings`);
/// DuckDB and Spark read the files named, so nothing.
pub fn scan_warnings(dialect: Dialect, cond: &Cond, invert: bool, correlated: bool) -> Vec<String> {
    match dialect {
        Dialect::Athena => athena::scan_warnings(cond, invert, correlated),
        Dialect::Spark | Dialect::Duckdb => Vec::new(),
    }
}

fn checked_size(dialect: Dialect, text: String) -> Result<String, Refusal> {
    let limit = match dialect {
        Dialect::Athena => ATHENA_MAX_STATEMENT,
        Dialect::Spark | Dialect::Duckdb => MAX_STATEMENT,
    };
    if text.len() > limit {
        return Err(Refusal::new(
            format!(
                "criteria (or input files) whose statement is {} bytes, past the {limit} allowed for this dialect",
                text.len()
            ),
            dialect,
        ));
    }
    Ok(text)
}

fn statement(
    dialect: Dialect,
    cond: &Cond,
    invert: bool,
    source: &Source,
    order: Order,
) -> Result<String, Refusal> {
    match dialect {
        Dialect::Athena => {
            let Source::Table(table) = source else {
                return Err(Refusal::new("input files (athena reads a table)", dialect));
            };
            athena::statement(cond, invert, table, order)
        }
        Dialect::Duckdb | Dialect::Spark => {
            let Source::Files(files) = source else {
                return Err(Refusal::new("a table source", dialect));
            };
            json::statement(dialect, cond, invert, files, order)
        }
    }
}

/// A SQL string literal in standard SQL (DuckDB, Trino); Spark reads
/// backslashes as escapes, so they are doubled there.
pub fn str_lit(dialect: Dialect, s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' if dialect == Dialect::Spark => out.push_str("\\'"),
            '\'' => out.push_str("''"),
            '\\' if dialect == Dialect::Spark => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}
