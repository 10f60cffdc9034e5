//! spitzel-core: no I/O and no AWS. The record scanner (`doc`), the match
//! language (`expr`), IAM action globs and their table (`actions`) and the
//! time window (`window`) the duplicate rule (`dedup`) and IP networks (`net`), shared by spitzel-filter and spitzel-fetch; and
//! `json_bytes`, the byte-level JSON helpers every scanner uses.

pub mod actions;
pub mod dedup;
pub mod doc;
pub mod expr;
pub mod json_bytes;
pub mod net;
pub mod window;
