//! spitzel-core: no I/O and no AWS, shared by spitzel-filter and
//! spitzel-fetch. The record scanner (`doc`), the match language (`expr`),
//! IAM action globs and their table (`actions`), the time window (`window`)
//! over the one calendar (`calendar`), the duplicate rule (`dedup`), IP
//! networks (`net`), and `json_bytes`, the byte-level JSON helpers every
//! scanner uses.

pub mod actions;
pub mod calendar;
pub mod dedup;
pub mod doc;
pub mod expr;
pub mod json_bytes;
pub mod net;
pub mod window;
