//! spitzel-fetch's options for reading a trail from its S3 bucket.

/// `--s3` and the options only it uses. --region, --endpoint-url, the time
/// window, IAM_ACTION, -o, --checkpoint, --max-events and -q are shared.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "S3 options")]
pub struct S3Args {
    /// Read the trail's log files from this bucket (and prefix) instead of
    /// LookupEvents
    #[arg(
        long = "s3",
        value_name = "s3://BUCKET[/PREFIX]",
        conflicts_with_all = ["lookup", "all_regions", "envelope"]
    )]
    pub url: Option<String>,

    /// Account to read (--s3), repeatable or comma-separated [default: every
    /// account found]
    #[arg(long, value_name = "ID", value_delimiter = ',', requires = "url")]
    pub account: Vec<String>,

    /// GET requests in flight (--s3)
    #[arg(long, value_name = "N", default_value_t = 32, requires = "url")]
    pub concurrency: usize,

    /// Address the bucket in the path, not the host name (--s3; automatic for
    /// an endpoint on an IP address or localhost)
    #[arg(long, requires = "url")]
    pub s3_path_style: bool,
}
