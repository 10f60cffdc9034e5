//! spitzel-filter: the pipeline from inputs to matching records.

mod block;
mod pipeline;
mod record;
mod report;
mod writer;

pub use block::Keep;
pub use pipeline::Pipeline;
pub use record::{Criteria, Verdict};
pub use report::print_stats;
pub use writer::{OutputSink, Stopped};
