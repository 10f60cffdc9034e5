//! spitzel-core: no I/O and no AWS. The record scanner (`doc`), the match
//! language (`expr`), IAM action globs and their table (`actions`) and the
//! time window (`window`) and the duplicate rule (`dedup`), shared by spitzel-filter and spitzel-fetch; and
//! `json_bytes`, the byte-level JSON helpers every scanner uses.

pub mod actions;
pub mod dedup;
pub mod doc;
pub mod expr;
pub mod json_bytes;
pub mod window;
