//! spitzel-fetch's integration tests, one binary: the real binary against
//! the LookupEvents emulator in `support`.

mod fetch_delivery;
mod fetch_errors;
mod fetch_exit;
mod fetch_follow;
mod fetch_hostile;
mod fetch_options;
mod fetch_progress;
mod fetch_resume;
mod fetch_robust;
mod fetch_s3;
mod fetch_s3_faults;
mod fetch_s3_follow;
mod support;
