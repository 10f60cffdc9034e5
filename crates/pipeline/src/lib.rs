//! spitzel-pipeline: spitzel-filter's pipeline from inputs to matching
//! records. The criteria judge each record (`record`, with Sigma rules as
//! one criterion in `sigma`), rayon workers filter blocks (`block`), and the
//! ordered writer applies --limit, --quiet, --strict and reports (`writer`,
//! `report`), with --unique's duplicate rule (`unique`). spitzel-fetch --s3 filters object bodies with the same blocks.

mod bad;
mod block;
mod correlate;
mod facts;
mod pipeline;
mod record;
mod report;
mod sigma;
mod unique;
mod writer;

pub use block::{Held, Identity, Keep, filter_block, filter_block_with};
pub use correlate::{CorrelationSink, DEFAULT_HOLD_LIMIT, Decision};
pub use pipeline::{Done, Pipeline, Sink};
pub use record::{Criteria, Verdict};
pub use report::{INPUT_NAMES, Totals, names, print_skipped_names, print_stats};
pub use sigma::SigmaCriterion;
pub use unique::Unique;
pub use writer::{OutputSink, Stopped};
