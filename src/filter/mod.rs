//! spitzel-filter: the pipeline from inputs to matching records.

pub mod app;
pub mod block;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod sigma;
pub mod writer;

pub use record::{Criteria, Verdict};
