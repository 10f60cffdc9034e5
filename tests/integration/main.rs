//! spitzel's integration tests, one binary: the real spitzel-filter over
//! real pipes and files, and the generated docs. (spitzel-fetch's tests are
//! crates/aws/tests/integration, beside that binary.)

mod actions_cli;
mod completions;
mod corruption;
mod docs_fresh;
mod filter_cli;
mod hostile_rules;
mod input_bounds;
mod jsonpath_cts;
mod live_pipe;
mod man_render;
mod match_robustness;
mod no_silent_nothing;
mod readme;
mod regex_patterns;
mod regex_python;
mod regex_sql;
mod sample_data;
mod shapes;
mod sigma_budget;
mod sigma_cli;
mod sigma_correlation;
mod sigma_live;
mod sigma_rsigma;
mod sql_cli;
mod sql_engines;
mod util;
