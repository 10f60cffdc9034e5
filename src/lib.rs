//! spitzel: CloudTrail forensics from the command line.
//!
//! The library holds everything the two binaries share. Modules are kept
//! single-purpose: the match language knows nothing of I/O, the AWS code
//! nothing of filtering beyond the shared action matcher and time window.

pub mod actions;
pub mod cli;
pub mod doc;
pub mod expr;
pub mod fetch;
pub mod filter;
pub mod input;
pub mod s3;
pub mod window;
