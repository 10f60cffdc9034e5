//! The command line, checked once into what a run of either source needs:
//! the options both share (AWS set-up, output, checkpoint and the
//! fingerprint it must match), then the source's own. Every option's range
//! is checked here, before any network traffic; nothing past this point
//! looks at `FetchArgs`.

use std::path::PathBuf;
use std::time::Duration;

use spitzel_cli::fetch::{EventCategory, FetchArgs};
use spitzel_core::actions::ActionMatcher;
use spitzel_core::window::{NANOS_PER_DAY, NANOS_PER_SECOND, TimeWindow};

use crate::clock::rfc3339;
use crate::errors::{FetchError, UsageError};
use crate::lookup::pager::RetryPolicy;
use crate::lookup::plan::{self, Query};
use crate::s3::layout;
use crate::setup::{self, AwsSetup};

/// --rate bounds, requests per second.
const MIN_RATE: f64 = 0.001;
const MAX_RATE: f64 = 10_000.0;
/// --timeout bounds, seconds.
const MIN_TIMEOUT: f64 = 0.001;
const MAX_TIMEOUT: f64 = 86_400.0;

/// --trailing-window bounds, minutes; --poll-interval bounds, seconds.
const MIN_TRAILING: f64 = 1.0;
const MAX_TRAILING: f64 = 1_440.0;
const MAX_POLL_INTERVAL: f64 = 3_600.0;

/// CloudTrail event history reaches back this far.
const HISTORY_DAYS: u64 = 90;

/// What both sources share.
#[derive(Debug)]
pub(crate) struct Options {
    pub matcher: ActionMatcher,
    /// The arguments that decide which events are fetched and where they go.
    pub fingerprint: serde_json::Value,
    pub aws: AwsSetup,
    pub output: Option<PathBuf>,
    pub checkpoint: Option<PathBuf>,
    pub max_events: Option<u64>,
    pub quiet: bool,
    pub insight: bool,
}

#[derive(Debug)]
pub(crate) enum Source {
    Lookup(LookupOptions),
    S3(S3Options),
}

/// The regions to read, before the SDK configuration is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Regions {
    /// --region, trimmed and checked by shape.
    Listed(Vec<String>),
    /// --all-regions: the account's enabled regions.
    All,
    /// Neither: the configured region.
    Configured,
}

/// [start, end] in whole seconds, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub start: i64,
    pub end: i64,
}

#[derive(Debug)]
pub(crate) struct LookupOptions {
    /// The queries of each region.
    pub queries: Vec<Query>,
    /// The window of a fresh run (a resumed run keeps the saved one).
    pub window: Window,
    /// Printed on a fresh run only.
    pub window_warning: Option<String>,
    pub regions: Regions,
    pub rate: f64,
    /// The rolling-window pace of `pace`; off (an even 1/rate) only for
    /// benchmarks (SPITZEL_FETCH_PACING=fixed), which compare both.
    pub adaptive_pacing: bool,
    pub retry: RetryPolicy,
    pub envelope: bool,
    /// --follow: keep polling after the window.
    pub follow: Option<FollowOptions>,
}

/// How --follow polls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FollowOptions {
    /// Seconds of eventTime before the newest event seen that each poll
    /// re-reads for late deliveries.
    pub trailing: i64,
    /// Least time between two polls of a region.
    pub interval: Duration,
}

#[derive(Debug)]
pub(crate) struct S3Options {
    /// As given, for messages.
    pub url: String,
    pub bucket: String,
    pub prefix: String,
    /// --account, checked: only these accounts' folders are read.
    pub accounts: Vec<String>,
    /// --region: only these regions' folders are read.
    pub regions: Vec<String>,
    pub concurrency: usize,
    pub path_style: bool,
    /// The window of a fresh run in nanoseconds (a resumed run keeps the saved one).
    pub window: TimeWindow,
    /// The clock the window was taken at, in nanoseconds.
    pub now: i64,
    /// --follow: the least time between two listings of the watched folders.
    pub follow: Option<Duration>,
}

impl Options {
    /// Check `args` against the clock `now` (nanoseconds).
    pub(crate) fn check(args: FetchArgs, now: i64) -> Result<(Options, Source), FetchError> {
        // Bounded so that 1/rate and the timeout are durations (a huge or
        // tiny float would not convert) and the values mean something.
        if !(MIN_RATE..=MAX_RATE).contains(&args.rate) {
            return Err(UsageError::Rate {
                value: shown(args.rate),
                min: MIN_RATE,
                max: MAX_RATE,
            }
            .into());
        }
        if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&args.timeout) {
            return Err(UsageError::Timeout {
                value: shown(args.timeout),
                min: MIN_TIMEOUT,
                max: MAX_TIMEOUT,
            }
            .into());
        }
        let s3 = args.s3.url.is_some();
        if !(MIN_TRAILING..=MAX_TRAILING).contains(&args.trailing_window) {
            return Err(UsageError::TrailingWindow {
                value: shown(args.trailing_window),
                min: MIN_TRAILING,
                max: MAX_TRAILING,
            }
            .into());
        }
        if !(0.0..=MAX_POLL_INTERVAL).contains(&args.poll_interval) {
            return Err(UsageError::PollInterval {
                value: shown(args.poll_interval),
                max: MAX_POLL_INTERVAL,
            }
            .into());
        }
        if let Some(url) = &args.endpoint_url {
            setup::check_endpoint_url(url, "--endpoint-url")?;
        }
        let service_variable = if s3 {
            "AWS_ENDPOINT_URL_S3"
        } else {
            "AWS_ENDPOINT_URL_CLOUDTRAIL"
        };
        for variable in [service_variable, "AWS_ENDPOINT_URL"] {
            if let Ok(url) = std::env::var(variable)
                && !url.is_empty()
            {
                setup::check_endpoint_url(&url, variable)?;
            }
        }
        if args.max_attempts == 0 {
            return Err(UsageError::MaxAttempts.into());
        }
        if let (Some(output), Some(checkpoint)) = (&args.output, &args.checkpoint) {
            crate::resume::check_paths_apart(output, checkpoint)?;
        }
        let matcher = ActionMatcher::new(&args.actions).map_err(UsageError::from)?;
        let mut regions: Vec<String> = Vec::new();
        for region in &args.region {
            let region = region.trim();
            setup::check_region_name(region)?;
            if !regions.iter().any(|r| r == region) {
                regions.push(region.to_string());
            }
        }
        let source = if s3 {
            Source::S3(s3_options(&args, regions, now)?)
        } else {
            Source::Lookup(lookup_options(&args, &matcher, regions, now)?)
        };
        let options = Options {
            fingerprint: if s3 {
                s3_fingerprint(&args)
            } else {
                lookup_fingerprint(&args)
            },
            matcher,
            aws: AwsSetup {
                profile: args.profile,
                endpoint_url: args.endpoint_url,
                attempt_timeout: Duration::from_secs_f64(args.timeout),
                max_attempts: args.max_attempts,
            },
            output: args.output,
            checkpoint: args.checkpoint,
            max_events: args.max_events,
            quiet: args.quiet,
            insight: args.event_category == Some(EventCategory::Insight),
        };
        Ok((options, source))
    }
}

/// A number as a user would write it: 1e300, not three hundred digits.
fn shown(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-4..1e15).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

fn lookup_options(
    args: &FetchArgs,
    matcher: &ActionMatcher,
    regions: Vec<String>,
    now: i64,
) -> Result<LookupOptions, UsageError> {
    let queries = plan::plan_queries(&args.lookup, matcher)?;
    let regions = if args.all_regions {
        Regions::All
    } else if regions.is_empty() {
        Regions::Configured
    } else {
        Regions::Listed(regions)
    };
    let (window, window_warning) = lookup_window(args, now)?;
    Ok(LookupOptions {
        queries,
        window,
        window_warning,
        regions,
        rate: args.rate,
        adaptive_pacing: std::env::var("SPITZEL_FETCH_PACING").as_deref() != Ok("fixed"),
        retry: RetryPolicy {
            max_attempts: args.max_attempts,
            ..RetryPolicy::default()
        },
        envelope: args.envelope,
        follow: args.follow.then(|| FollowOptions {
            trailing: (args.trailing_window * 60.0).round() as i64,
            interval: Duration::from_secs_f64(args.poll_interval),
        }),
    })
}

fn s3_options(args: &FetchArgs, regions: Vec<String>, now: i64) -> Result<S3Options, UsageError> {
    let url = args.s3.url.clone().unwrap_or_default();
    let (bucket, prefix) = layout::parse_url(&url).map_err(UsageError::S3Url)?;
    if args.s3.concurrency == 0 {
        return Err(UsageError::Concurrency);
    }
    let mut accounts = Vec::new();
    for account in &args.s3.account {
        let account = account.trim();
        if account.is_empty() {
            continue;
        }
        if !layout::is_account_id(account) {
            return Err(UsageError::Account(account.to_string()));
        }
        accounts.push(account.to_string());
    }
    let window = args.time.window(now)?;
    Ok(S3Options {
        url,
        bucket,
        prefix,
        accounts,
        regions,
        concurrency: args.s3.concurrency,
        path_style: args.s3.s3_path_style,
        window,
        now,
        follow: args
            .follow
            .then(|| Duration::from_secs_f64(args.poll_interval)),
    })
}

// The fingerprints keep the fields (and so the checkpoints) of earlier
// versions: a checkpoint saved by them still resumes.

fn lookup_fingerprint(args: &FetchArgs) -> serde_json::Value {
    let mut fingerprint = serde_json::json!({
        "actions": args.actions,
        "lookup": args.lookup,
        "event_category": args.event_category.map(|c| format!("{c:?}")),
        "region": args.region,
        "all_regions": args.all_regions,
        "from": args.time.from,
        "to": args.time.to,
        "last_minute": args.time.last_minute,
        "last": args.time.last,
        "envelope": args.envelope,
        "output": args.output.as_ref().map(|p| p.display().to_string()),
    });
    // Only when set, so that earlier checkpoints still match. The trailing
    // window is part of it: the saved ids cover only the window they were
    // kept for.
    if args.follow {
        fingerprint["follow"] = serde_json::json!({"trailing_window": args.trailing_window});
    }
    fingerprint
}

fn s3_fingerprint(args: &FetchArgs) -> serde_json::Value {
    let mut fingerprint = serde_json::json!({
        "s3": args.s3.url,
        "account": args.s3.account,
        "region": args.region,
        "actions": args.actions,
        "event_category": args.event_category.map(|c| format!("{c:?}")),
        "from": args.time.from,
        "to": args.time.to,
        "last_minute": args.time.last_minute,
        "last": args.time.last,
        "output": args.output.as_ref().map(|p| p.display().to_string()),
    });
    // Only when set, so that earlier checkpoints still match; a follow's
    // checkpoint remembers the watched folders, not a finished window.
    if args.follow {
        fingerprint["follow"] = serde_json::json!(true);
    }
    fingerprint
}

/// The window, defaulting to the 90 days CloudTrail keeps, with a warning
/// when an explicit start lies before them.
fn lookup_window(args: &FetchArgs, now_ns: i64) -> Result<(Window, Option<String>), UsageError> {
    // Whole seconds, as eventTime has.
    let now = now_ns.div_euclid(NANOS_PER_SECOND);
    let now_ns = now.saturating_mul(NANOS_PER_SECOND);
    let history = HISTORY_DAYS as i64 * NANOS_PER_DAY;
    let window = args.time.window_or_default(now_ns, history)?;
    // eventTime has whole seconds: round inwards.
    let start = window
        .from
        .map(|ns| ns.div_euclid(NANOS_PER_SECOND) + i64::from(ns.rem_euclid(NANOS_PER_SECOND) != 0))
        .unwrap_or(now);
    let end = window
        .to
        .map(|ns| ns.div_euclid(NANOS_PER_SECOND))
        .unwrap_or(now);
    if start > end {
        return Err(UsageError::StartAfterEnd {
            start: rfc3339(start),
            end: rfc3339(end),
        });
    }
    let warning = args
        .time
        .starts_more_than_days_ago(now_ns, HISTORY_DAYS)?
        .then(|| {
            format!(
                "--from {} is more than {HISTORY_DAYS} days ago; CloudTrail event history keeps {HISTORY_DAYS} days",
                rfc3339(start)
            )
        });
    Ok((Window { start, end }, warning))
}
#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    const NOW: i64 = 1_688_989_356; // 2023-07-10T11:42:36Z

    fn check(args: &[&str]) -> Result<(Options, Source), FetchError> {
        let argv = std::iter::once("spitzel-fetch").chain(args.iter().copied());
        Options::check(
            FetchArgs::try_parse_from(argv).unwrap(),
            NOW * NANOS_PER_SECOND,
        )
    }

    fn lookup(args: &[&str]) -> LookupOptions {
        match check(args).unwrap().1 {
            Source::Lookup(lookup) => lookup,
            Source::S3(_) => panic!("not LookupEvents"),
        }
    }

    #[test]
    fn the_window_defaults_to_90_days_and_rounds_inwards() {
        let c = lookup(&[]);
        assert_eq!(
            c.window,
            Window {
                start: NOW - 90 * 86_400,
                end: NOW
            }
        );
        assert_eq!(c.window_warning, None);
        let c = lookup(&[
            "--from",
            "2023-07-10T00:00:00.5Z",
            "--to",
            "2023-07-10T01:00:00.5Z",
        ]);
        assert_eq!(
            c.window,
            Window {
                start: 1_688_947_201,
                end: 1_688_950_800
            }
        );
        let c = lookup(&["--last", "100d"]);
        assert!(c.window_warning.unwrap().contains("more than 90 days ago"));
        let err = check(&["--to", "2020-01-01"]).unwrap_err();
        assert!(err.to_string().contains("is after the end"), "{err}");
    }

    #[test]
    fn regions_and_queries_are_checked_once() {
        let c = lookup(&[
            "--region",
            " us-east-1,eu-west-1,us-east-1",
            "--lookup",
            "Username=bob",
        ]);
        assert_eq!(
            c.regions,
            Regions::Listed(vec!["us-east-1".into(), "eu-west-1".into()])
        );
        assert_eq!(c.queries.len(), 1);
        assert_eq!(lookup(&["--all-regions"]).regions, Regions::All);
        assert!(check(&["--region", "mars"]).is_err());
        assert!(check(&["--rate", "0"]).is_err());
    }
}
