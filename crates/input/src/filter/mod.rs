//! spitzel-filter: the pipeline from inputs to matching records.

mod block;
pub mod correlate;
mod pipeline;
mod record;
mod report;
pub mod sigma;
mod writer;

pub use block::{Keep, filter_block};
pub use pipeline::{Done, Pipeline, Sink};
pub use record::{Criteria, Verdict};
pub use report::print_stats;
pub use writer::{OutputSink, Stopped};
