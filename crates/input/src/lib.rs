//! spitzel-input: reading records (`input`: shapes, decoders, walk, source)
//! and the filter pipeline over them (`filter`: block, record, writer,
//! report).

pub mod filter;
pub mod input;

// The core modules under their old paths, so `crate::doc` etc. read as before.
use spitzel_core::{actions, doc, expr, window};
