//! spitzel-fetch's command line.
//!
//! OWNER: fetch helper.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, ValueEnum};

use crate::common::TimeArgs;

const LONG_ABOUT: &str = "\
Dump CloudTrail event history (the LookupEvents API) as NDJSON: one CloudTrail
record per line, exactly as CloudTrail stores it, ready for spitzel-filter, jq or
a file. Runs at the API's ceiling (2 requests/s per account and region), every
region concurrently, retries throttling and transient errors, and never writes an
event twice.

IAM_ACTION globs (s3:Get*, iam:*, dynamodb:PutItem) select events by the IAM
action they stand for; they are narrowed on the server (one EventSource or
EventName query per service) and matched exactly on the client.";

const AFTER_LONG_HELP: &str = "\
AWS set-up:
  Credentials and region come from the usual chain: environment variables,
  AWS_PROFILE or --profile (incl. SSO), web identity, ECS/EC2 instance roles.
  AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_CLOUDTRAIL are honoured like
  --endpoint-url. The minimal IAM policy:
    {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",
      \"Action\": [\"cloudtrail:LookupEvents\"], \"Resource\": \"*\"}]}
  --all-regions also needs \"account:ListRegions\".

Resume:
  With --checkpoint FILE each query's progress is saved after every page. Run
  the same command again to continue; no event is written twice. With -o FILE
  the output is cut back to the last saved page; on stdout a kill between
  writing a page and saving can repeat that one page.

Exit status: 0 events written, 1 nothing matched, 2 something was not read
(a usage, credential or permission error, a failure part-way, skipped events
or objects; each reported), 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP
(the checkpoint is saved).

Reading a trail from S3:
  --s3 s3://BUCKET[/PREFIX] reads the trail's log files instead of LookupEvents
  (any age, data events, organization trails), pruned by the dates in the keys.
  Needs s3:ListBucket on the bucket, s3:GetObject on its AWSLogs/*, and
  kms:Decrypt for an SSE-KMS trail. AWS_ENDPOINT_URL_S3 is honoured.

Examples:
  spitzel-fetch --region us-east-1 --last 1d > events.ndjson
  spitzel-fetch --s3 s3://my-trail-bucket --account 111122223333 --last 7d -o week.ndjson
  spitzel-fetch --last-minute 300 's3:Get*' 'dynamodb:*' \\
      | spitzel-filter --match '$.errorCode == \"AccessDenied\"'
  spitzel-fetch --all-regions --lookup Username=alice -o alice.ndjson \\
      --checkpoint alice.ckpt
  spitzel-fetch --lookup EventName=ConsoleLogin --envelope | jq .Username
  spitzel-fetch --follow --all-regions | spitzel-filter --sigma rules/ --annotate";

const AFTER_HELP: &str = "\
Examples:
  spitzel-fetch --region us-east-1 --last 1d > events.ndjson
  spitzel-fetch --last-minute 300 's3:Get*' | spitzel-filter --match '$.errorCode == \"AccessDenied\"'
Needs cloudtrail:LookupEvents (and account:ListRegions for --all-regions). See --help.";

/// Event category of LookupEvents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventCategory {
    /// Management events (the default)
    Management,
    /// CloudTrail Insights events
    Insight,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "spitzel-fetch",
    version,
    args_override_self = true,
    about = "Dump CloudTrail event history (LookupEvents) as NDJSON",
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP
)]
pub struct FetchArgs {
    /// IAM action globs to keep (s3:Get*, iam:*); none = every event
    #[arg(value_name = "IAM_ACTION")]
    pub actions: Vec<String>,

    #[command(flatten)]
    pub time: TimeArgs,

    /// Server-side narrowing, repeatable (union): EventId, EventName, EventSource,
    /// Username, ResourceType, ResourceName, AccessKeyId or ReadOnly
    #[arg(long, value_name = "KEY=VALUE")]
    pub lookup: Vec<String>,

    /// Event category to look up
    #[arg(long, value_enum, value_name = "CATEGORY")]
    pub event_category: Option<EventCategory>,

    /// Region to read, repeatable or comma-separated [default: the configured region]
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,

    /// Read every region enabled for the account (needs account:ListRegions)
    #[arg(long, conflicts_with = "region")]
    pub all_regions: bool,

    /// Named profile from the AWS config files
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send requests to this endpoint instead of AWS's (also AWS_ENDPOINT_URL_CLOUDTRAIL)
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Requests per second per region (0.001 to 10000; the pace adapts under it)
    #[arg(long, value_name = "N", default_value_t = 2.0)]
    pub rate: f64,

    /// Write to FILE instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the whole LookupEvents event (EventId, Username, Resources, ...),
    /// with CloudTrailEvent parsed into an object
    #[arg(long)]
    pub envelope: bool,

    /// Stop after writing N events
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,

    /// Save progress to FILE after every page; rerun to resume
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// No progress display
    #[arg(short, long)]
    pub quiet: bool,

    /// After the window, keep polling every region (with --s3: its day
    /// folders) for new events until interrupted (Ctrl-C saves the
    /// checkpoint; a rerun resumes the follow)
    #[arg(long, conflicts_with = "to")]
    pub follow: bool,

    /// With --follow: each poll re-reads this many minutes before the newest
    /// event seen, for events delivered late (1 to 1440; LookupEvents only)
    #[arg(
        long,
        value_name = "MINUTES",
        default_value_t = 15.0,
        requires = "follow"
    )]
    pub trailing_window: f64,

    /// With --follow: seconds between polls of a region (0 to 3600; 0 = as
    /// fast as --rate allows; with --s3, between listings of the day folders)
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10.0,
        requires = "follow"
    )]
    pub poll_interval: f64,

    /// Attempts per request for errors other than throttling
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_attempts: u32,

    /// Timeout of one request in seconds (0.001 to 86400)
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,

    #[command(flatten)]
    pub s3: crate::s3::S3Args,
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    FetchArgs::command()
}
