//! spitzel-fetch's command line.
//!
//! OWNER: fetch helper.
