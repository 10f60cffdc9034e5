//! spitzel-fetch: CloudTrail LookupEvents to NDJSON. See `spitzel-fetch --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = spitzel_cli::fetch::FetchArgs::parse();
    // The statuses are 0, 1, 2 and 130 (fetch::errors).
    let status = spitzel_aws::fetch::run(args);
    std::process::ExitCode::from(u8::try_from(status).unwrap_or(1))
}
