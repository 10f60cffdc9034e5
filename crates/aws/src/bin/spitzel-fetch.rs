//! spitzel-fetch: CloudTrail events (LookupEvents or a trail bucket) to NDJSON. See `spitzel-fetch --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = spitzel_cli::fetch::FetchArgs::parse();
    spitzel_aws::run(args).into()
}
