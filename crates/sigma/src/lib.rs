//! Sigma detection rules (specification v2) on JSON records, for
//! `spitzel-filter --sigma`.
//!
//! Rules load into a plain tree ([`model`]): search identifiers holding
//! items (`field|modifiers: values`) with their compiled tests, and a
//! condition over them with `1 of` / `all of` expanded. The matcher
//! ([`eval`]) runs on any [`JsonValue`]; [`RuleSet`] runs many rules in one
//! pass, indexed by the eventName / eventSource they require.

pub mod budget;
pub mod compile;
pub mod condition;
pub mod correlation;
pub mod error;
pub mod eval;
pub mod filters;
pub mod json;
pub mod load;
pub mod model;
pub mod pattern;
mod raw;
pub mod set;
pub mod textset;
pub mod value_test;
pub mod yaml;

#[cfg(test)]
mod tests;

pub use budget::{Undecided, Work};
pub use error::RuleError;
pub use json::{JsonKind, JsonValue, compact_json};
pub use model::{Condition, Item, Level, Modifier, Rule, RuleValue};
pub use set::{LoadStats, NothingToRun, RuleSet};
pub use value_test::Test;
