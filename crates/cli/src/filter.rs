//! spitzel-filter's command line.

use crate::common::TimeArgs;
use clap::{CommandFactory, Parser};

const AFTER_HELP: &str = "\
Examples and the match language: --help, or man spitzel-filter.";

const AFTER_LONG_HELP: &str = "\
Match expressions:
  PATH OP LITERAL, combined with not, and, or and parentheses.
  PATH     JSONPath (RFC 9535): $.errorCode, $.resources[*].ARN, $..accessKeyId
  OP       == != < <= > >= in, not in, contains, regex (searches, Python syntax), cidr
  LITERAL  Python literal: \"str\", 'str', r\"raw\", 42, 1.5, True, False, None, [..], (..), {..}
  A path that selects nothing is None; several values match when any of them does.

Examples:
  spitzel-filter 's3:Get*' -i dump.ndjson
  spitzel-fetch --last-minute 300 | spitzel-filter 's3:Get*' --match '$.errorCode == \"AccessDenied\"'
  spitzel-filter --match '$.userIdentity.arn regex \".*/MyRole/.*\"' --last 3h -i dump.ndjson
  spitzel-filter --match '$.sourceIPAddress cidr [\"10.0.0.0/8\", \"192.168.0.0/16\"]' -c -i dump.ndjson
  spitzel-filter 'iam:*' -i AWSLogs/ --from '2024-05-01 00:00:00' --to 2024-05-02

Exit status: 0 when something matched, 1 when nothing did, 2 on error.
See man spitzel-filter for the match language.";

/// Keep the CloudTrail events that match IAM action globs and --match expressions.
///
/// Reads CloudTrail records (NDJSON, S3 log files, JSON arrays, saved lookup-events
/// output; plain or gzip) from stdin or --input, and writes the matching ones
/// unchanged, in input order, one per line.
#[derive(Debug, Parser)]
#[command(
    name = "spitzel-filter",
    version,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP,
    max_term_width = 100
)]
pub struct FilterArgs {
    /// IAM action globs, e.g. 's3:Get*' (case-insensitive; several = any; none = every event)
    #[arg(value_name = "IAM_ACTION")]
    pub actions: Vec<String>,

    /// Keep events where EXPR holds, e.g. '$.errorCode == "AccessDenied"' (repeatable: all must hold)
    #[arg(
        short = 'm',
        long = "match",
        value_name = "EXPR",
        long_help = "Keep events where EXPR holds (repeatable: all must hold). EXPR is \
                     PATH OP LITERAL, e.g. '$.errorCode == \"AccessDenied\"'; see MATCH \
                     LANGUAGE in man spitzel-filter, or the summary at the end of --help"
    )]
    pub matches: Vec<String>,

    /// Read this file or directory ('-' is stdin; repeatable). Default: stdin
    #[arg(short = 'i', long = "input", value_name = "PATH")]
    pub inputs: Vec<String>,

    #[command(flatten)]
    pub time: TimeArgs,

    /// Write the events that do NOT match
    #[arg(short = 'v', long)]
    pub invert_match: bool,

    /// Print only the number of matching events
    #[arg(short = 'c', long)]
    pub count: bool,

    /// Print nothing; exit 0 at the first match
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Stop after N matching events
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Worker threads (default: all cores)
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Make the first bad input line fatal (exit 2)
    #[arg(long)]
    pub strict: bool,

    /// Print statistics to stderr at the end
    #[arg(long)]
    pub stats: bool,
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    FilterArgs::command()
}
