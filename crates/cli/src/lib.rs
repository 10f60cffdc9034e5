//! clap definitions of both binaries, kept in the library so that man pages
//! and completions can be generated from them.

pub mod common;
pub mod fetch;
pub mod filter;
pub mod s3;
