//! spitzel-filter's command line.
