//! spitzel-core: no I/O and no AWS. The record scanner (`doc`), the match
//! language (`expr`), IAM action globs and their table (`actions`) and the
//! time window (`window`), shared by spitzel-filter and spitzel-fetch.

pub mod actions;
pub mod doc;
pub mod expr;
pub mod window;
