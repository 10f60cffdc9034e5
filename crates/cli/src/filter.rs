//! spitzel-filter's command line.

use crate::common::TimeArgs;
use clap::{CommandFactory, Parser, ValueEnum};

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

Exit status: 0 when something matched, 1 when nothing did, 2 when anything
was not read or not judged (a bad record, an unreadable input), or on error.
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

    /// Also match the permissions each call needed (iam:PassRole on RunInstances with a profile, ...)
    #[arg(
        long,
        long_help = "Also match every permission an event's call needed according to the \
                     IAM mapping, other services' included (iam:PassRole on RunInstances \
                     with an instance profile, ec2:CreateTags on CreateVpc given tags, \
                     ...). The mapping's conditions are checked against the \
                     record's requestParameters; see ACTION GLOBS in man spitzel-filter"
    )]
    pub implied: bool,

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

    /// Keep events that match a Sigma rule in PATH: a rule file, or a directory searched for .yml/.yaml (repeatable)
    #[arg(
        long = "sigma",
        value_name = "PATH",
        long_help = "Keep events that match at least one Sigma detection rule in PATH: a rule file, \
                     or a directory searched recursively for .yml/.yaml files (repeatable). Rules \
                     whose logsource is not AWS CloudTrail are skipped (--stats counts them). See \
                     SIGMA RULES in man spitzel-filter"
    )]
    pub sigma: Vec<std::path::PathBuf>,

    /// Append "sigma":[{"id","title","level","author"},...] to each written event, naming the rules it matched
    #[arg(long, requires = "sigma")]
    pub annotate: bool,

    /// Use only the Sigma rules at LEVEL or above
    #[arg(long = "sigma-level", value_name = "LEVEL", requires = "sigma")]
    pub sigma_level: Option<SigmaLevel>,

    /// With Sigma correlation rules: write one NDJSON line per correlation hit instead of the events
    #[arg(
        long = "sigma-alerts",
        requires = "sigma",
        conflicts_with = "annotate",
        long_help = "With Sigma correlation rules: write one NDJSON line per correlation hit \
                     instead of the events: id, title, level, author, correlation type, group \
                     values, first and last eventTime, count (and values for value_count), the \
                     referenced rules and the eventIDs. See SIGMA RULES in man spitzel-filter"
    )]
    pub sigma_alerts: bool,

    /// With Sigma correlation rules: write a hit's events as soon as it fires, not when the input ends (behind spitzel-fetch --follow)
    #[arg(
        long,
        requires = "sigma",
        conflicts_with = "emit_sql",
        long_help = "With Sigma correlation rules: decide them as the records arrive, for input \
                     that does not end (spitzel-fetch --follow). Records a rule writes on its own \
                     are written at once. A correlation whose condition has only lower bounds \
                     (gt, gte; the temporal types without a condition) writes a hit's events as \
                     soon as a frame meets it and later events of the hit as they come; \
                     --sigma-alerts writes one line per hit when it first fires. Other \
                     conditions (lt, lte, eq, ranges) and chains over them are decided when the \
                     input ends. Each record is written once, and the records written are those \
                     of the same run without --live, in another order: an event is annotated \
                     with the hits it is in when it is written. Memory grows with the matches \
                     (--sigma-memory). Without correlation rules matches always go out at once. \
                     See SIGMA RULES in man spitzel-filter"
    )]
    pub live: bool,

    /// Stop when the memory kept for events held by Sigma correlation rules passes SIZE MiB (200 to 600 bytes an event: its place, rules and the fields the correlations read; its bytes go to $TMPDIR). Default 1024
    #[arg(long = "sigma-memory", value_name = "MIB", requires = "sigma")]
    pub sigma_memory: Option<std::num::NonZeroU64>,

    /// Read these files or directories ('-' is stdin; several, repeatable). Default: stdin
    #[arg(
        short = 'i',
        long = "input",
        value_name = "PATH",
        num_args = 1..,
        long_help = "Read these files or directories, in order ('-' is stdin). -i takes \
                     every value up to the next option, so `-i tree/*.json.gz` reads all \
                     the files the shell expands; -i may also repeat. Give action globs \
                     before -i, or end the paths with --: a value after -i that is no file \
                     but looks like an action glob ('s3:Get*') is refused. Default: stdin"
    )]
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

    /// Drop a record equal to one already written under its eventID (a redelivery); say other records sharing one
    #[arg(
        long,
        long_help = "Drop a record equal to one already written under the same eventID (a \
                     redelivered log file, overlapping dumps), counted in --stats. A different \
                     record under an eventID already written is written, and said in one \
                     closing line with the first places. Output stays in input order. Memory: \
                     about 100 MB per million events written at the peak; see DUPLICATES \
                     in man spitzel-filter"
    )]
    pub unique: bool,

    /// Stop after N matching events
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Worker threads, 1 to 256 (default: all cores)
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS)
    )]
    pub threads: Option<u16>,

    /// Skip (and report) any record longer than SIZE; SIZE is bytes or K, M, G
    #[arg(
        long,
        value_name = "SIZE",
        default_value = "256M",
        value_parser = parse_size,
        long_help = "Skip, and report, any record longer than SIZE: an NDJSON line or one \
                     record of a document. SIZE is bytes, or a number with K, M or G \
                     (powers of 1024). A run of more than SIZE bytes holding no record (white \
                     space, garbage, the rest of an over-long line) ends that input, reported, \
                     so that a gzip bomb or /dev/zero cannot fill memory or run forever"
    )]
    pub max_record_size: usize,

    /// Make the first bad input line, or an action glob the IAM table does not know, fatal (exit 2)
    #[arg(
        long,
        long_help = "Make the first bad input line fatal (exit 2), and refuse an action glob \
                     the IAM table does not know (a service it does not name, or an action \
                     matching no action or call of its service), which is otherwise a \
                     warning: actions newer than the table still appear in events"
    )]
    pub strict: bool,

    /// Print statistics to stderr at the end
    #[arg(long)]
    pub stats: bool,

    /// Print one SQL statement selecting the same events, read no records
    #[arg(
        long,
        value_name = "DIALECT",
        long_help = "Print one SQL statement that selects exactly the events these criteria \
                     keep, and read no records: athena (the CloudTrail table of the Athena \
                     documentation), spark or duckdb (over the files given with -i, a directory as the files \
                     its walk reads). A \
                     criterion with no exact translation in the dialect is an error (exit 2) \
                     naming it; see SCALING OUT in man spitzel-filter"
    )]
    pub emit_sql: Option<SqlDialect>,

    /// The Athena table --emit-sql athena queries
    #[arg(
        long,
        value_name = "NAME",
        default_value = "cloudtrail_logs",
        requires = "emit_sql"
    )]
    pub sql_table: String,

    /// With --emit-sql: order the statement's rows (time: by eventTime's UTC instant)
    #[arg(
        long,
        value_name = "ORDER",
        requires = "emit_sql",
        long_help = "With --emit-sql: order the rows the statement returns. time: by eventTime \
                     read as the UTC instant the time window reads (so offsets such as +02:00 \
                     sort by the instant, not the text), records whose eventTime is no time \
                     last. Without it the engine returns rows in any order"
    )]
    pub sql_order: Option<SqlOrder>,

    /// With --emit-sql and --sigma: leave out the rules with no exact translation, listing them
    #[arg(
        long,
        requires_all = ["emit_sql", "sigma"],
        long_help = "With --emit-sql and --sigma: translate the rules that translate exactly \
                     and leave out the others, each named with its file and the reason on \
                     stderr and as a comment in the statement, instead of refusing the whole \
                     set. The statement then selects what the rules it kept select. Not with \
                     correlation rules (their counts need every rule). Without it one \
                     untranslatable rule refuses the set"
    )]
    pub sql_skip_refused: bool,

    /// With --emit-sql athena: print the CREATE EXTERNAL TABLE for this trail location instead
    #[arg(long, value_name = "S3_URL", requires = "emit_sql")]
    pub sql_ddl: Option<String>,
}

/// A Sigma rule's level, lowest first (--sigma-level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SigmaLevel {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

/// The SQL dialects of --emit-sql.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Athena,
    Spark,
    Duckdb,
}

/// The row orders of --sql-order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlOrder {
    Time,
}

/// More worker threads than this only cost memory and start-up time: the
/// work is bounded by the cores, and `-j 10000` once took a minute to start.
pub(crate) const MAX_THREADS: i64 = 256;

/// `256M`, `64K`, `1G`, `4096`: bytes, K/M/G being powers of 1024.
pub(crate) fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let digits = lower.trim_end_matches(['b', 'i']);
    let (number, shift) = match digits.chars().last() {
        Some('k') => (&digits[..digits.len() - 1], 10),
        Some('m') => (&digits[..digits.len() - 1], 20),
        Some('g') => (&digits[..digits.len() - 1], 30),
        _ => (digits, 0),
    };
    let value: usize = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size such as 256M, 64K or 4096"))?;
    let bytes = value
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))?;
    if bytes == 0 {
        return Err("the size must be at least 1 byte".into());
    }
    Ok(bytes)
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    FilterArgs::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1MB"), Ok(1 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "M", "12X", "-1M", "0", "1.5M", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn threads_are_bounded() {
        let parse = |args: &[&str]| {
            FilterArgs::try_parse_from(
                std::iter::once("spitzel-filter").chain(args.iter().copied()),
            )
        };
        assert_eq!(parse(&["-j", "256"]).unwrap().threads, Some(256));
        assert_eq!(parse(&["-j", "1"]).unwrap().threads, Some(1));
        for bad in ["0", "257", "10000"] {
            let err = parse(&["-j", bad]).unwrap_err().to_string();
            assert!(err.contains("1..=256"), "{bad}: {err}");
        }
        assert_eq!(parse(&[]).unwrap().max_record_size, 256 << 20);
    }
}
