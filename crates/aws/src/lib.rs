//! spitzel-aws: spitzel-fetch, CloudTrail events to NDJSON from one of two
//! sources: `lookup` (the LookupEvents API) and `s3` (a trail's log files in
//! its bucket, `--s3`). What both share sits beside them: `options` checks
//! the command line once, `setup` the AWS configuration; `checkpoint`,
//! `resume`, `destination`, `signals`, `exit` and `errors` serve either
//! source. A new source is a module beside these two with its own
//! `Source` variant in `options`.

mod cause;
mod chain;
mod checkpoint;
mod clock;
mod destination;
mod errors;
mod exit;
mod follow;
mod lookup;
mod options;
mod reader;
mod resume;
mod run;
mod s3;
mod setup;
mod signals;

pub use exit::Exit;
pub use run::run;
