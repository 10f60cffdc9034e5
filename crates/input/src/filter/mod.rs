//! spitzel-filter: the pipeline from inputs to matching records.

pub mod block;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod writer;

pub use record::{Criteria, Verdict};
