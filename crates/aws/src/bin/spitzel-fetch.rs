//! spitzel-fetch: CloudTrail LookupEvents to NDJSON. See `spitzel-fetch --help`.

use clap::Parser;

fn main() {
    let args = spitzel_cli::fetch::FetchArgs::parse();
    std::process::exit(spitzel_aws::fetch::run(args));
}
