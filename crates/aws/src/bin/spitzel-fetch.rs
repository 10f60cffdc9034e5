//! spitzel-fetch: CloudTrail LookupEvents to NDJSON. See `spitzel-fetch --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = spitzel_cli::fetch::FetchArgs::parse();
    spitzel_aws::fetch::run(args).into()
}
