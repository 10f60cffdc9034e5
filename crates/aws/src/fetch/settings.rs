//! The command line, checked once into what a run needs: the window, the
//! regions to read, the planned queries and the fingerprint a checkpoint
//! must match. Nothing past this point looks at `FetchArgs`.

use std::path::PathBuf;
use std::time::Duration;

use crate::actions::ActionMatcher;
use crate::cli::fetch::{EventCategory, FetchArgs};
use spitzel_core::window::{NANOS_PER_DAY, NANOS_PER_SECOND};

use super::config::{self, AwsSetup};
use super::errors::FetchError;
use super::pager::RetryPolicy;
use super::plan::{self, Query};
use super::{resume, rfc3339};

/// --rate bounds, requests per second.
pub const MIN_RATE: f64 = 0.001;
pub const MAX_RATE: f64 = 10_000.0;
/// --timeout bounds, seconds.
pub const MIN_TIMEOUT: f64 = 0.001;
pub const MAX_TIMEOUT: f64 = 86_400.0;

/// CloudTrail event history reaches back this far.
pub const HISTORY_DAYS: u64 = 90;

/// The regions to read, before the SDK configuration is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// --region, trimmed and checked by shape.
    Listed(Vec<String>),
    /// --all-regions: the account's enabled regions.
    All,
    /// Neither: the configured region.
    Configured,
}

/// [start, end] in whole seconds, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

#[derive(Debug)]
pub struct FetchConfig {
    pub matcher: ActionMatcher,
    /// The queries of each region.
    pub queries: Vec<Query>,
    /// The window of a fresh run (a resumed run keeps the saved one).
    pub window: Window,
    /// Printed on a fresh run only.
    pub window_warning: Option<String>,
    pub regions: Regions,
    /// The arguments that decide which events are fetched and where they go.
    pub fingerprint: serde_json::Value,
    pub aws: AwsSetup,
    pub rate: f64,
    /// Slow down after a throttle (see `pace`); off only for benchmarks
    /// (SPITZEL_FETCH_PACING=fixed), which compare both.
    pub adaptive_pacing: bool,
    pub retry: RetryPolicy,
    pub output: Option<PathBuf>,
    pub checkpoint: Option<PathBuf>,
    pub envelope: bool,
    pub max_events: Option<u64>,
    pub quiet: bool,
    pub insight: bool,
}

impl FetchConfig {
    /// Check `args` against the clock `now` (seconds); every usage error
    /// is found here, before any network traffic.
    pub fn check(args: FetchArgs, now: i64) -> Result<FetchConfig, FetchError> {
        // Bounded so that 1/rate and the timeout are durations (a huge or
        // tiny float would not convert) and the values mean something.
        if !(MIN_RATE..=MAX_RATE).contains(&args.rate) {
            return Err(FetchError::config(format!(
                "--rate {}: must be a number of requests per second from {MIN_RATE} to {MAX_RATE}",
                args.rate
            )));
        }
        if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&args.timeout) {
            return Err(FetchError::config(format!(
                "--timeout {}: must be a number of seconds from {MIN_TIMEOUT} to {MAX_TIMEOUT}",
                args.timeout
            )));
        }
        if let Some(url) = &args.endpoint_url {
            config::check_endpoint_url(url, "--endpoint-url")?;
        }
        for variable in ["AWS_ENDPOINT_URL_CLOUDTRAIL", "AWS_ENDPOINT_URL"] {
            if let Ok(url) = std::env::var(variable)
                && !url.is_empty()
            {
                config::check_endpoint_url(&url, variable)?;
            }
        }
        if args.max_attempts == 0 {
            return Err(FetchError::config("--max-attempts must be at least 1"));
        }
        if let (Some(output), Some(checkpoint)) = (&args.output, &args.checkpoint) {
            resume::check_paths_apart(output, checkpoint)?;
        }
        let matcher =
            ActionMatcher::new(&args.actions).map_err(|e| FetchError::config(e.to_string()))?;
        let queries = plan::plan_queries(&args.lookup, &matcher)?;
        let regions = if args.all_regions {
            Regions::All
        } else if args.region.is_empty() {
            Regions::Configured
        } else {
            let mut listed: Vec<String> = Vec::new();
            for region in &args.region {
                let region = region.trim();
                config::check_region_name(region)?;
                if !listed.iter().any(|r| r == region) {
                    listed.push(region.to_string());
                }
            }
            Regions::Listed(listed)
        };
        let (window, window_warning) = window(&args, now)?;
        Ok(FetchConfig {
            fingerprint: fingerprint(&args),
            matcher,
            queries,
            window,
            window_warning,
            regions,
            aws: AwsSetup {
                profile: args.profile,
                endpoint_url: args.endpoint_url,
                attempt_timeout: Duration::from_secs_f64(args.timeout),
            },
            rate: args.rate,
            adaptive_pacing: std::env::var("SPITZEL_FETCH_PACING").as_deref() != Ok("fixed"),
            retry: RetryPolicy {
                max_attempts: args.max_attempts,
                ..RetryPolicy::default()
            },
            output: args.output,
            checkpoint: args.checkpoint,
            envelope: args.envelope,
            max_events: args.max_events,
            quiet: args.quiet,
            insight: args.event_category == Some(EventCategory::Insight),
        })
    }
}

fn fingerprint(args: &FetchArgs) -> serde_json::Value {
    serde_json::json!({
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
    })
}

/// The window, defaulting to the 90 days CloudTrail keeps, with a warning
/// when an explicit start lies before them.
fn window(args: &FetchArgs, now: i64) -> Result<(Window, Option<String>), FetchError> {
    let invalid = |e: crate::cli::common::TimeArgsError| {
        FetchError::config(format!("invalid time range: {e}"))
    };
    let now_ns = now.saturating_mul(NANOS_PER_SECOND);
    let history = HISTORY_DAYS as i64 * NANOS_PER_DAY;
    let window = args
        .time
        .window_or_default(now_ns, history)
        .map_err(invalid)?;
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
        return Err(FetchError::config(format!(
            "invalid time range: the start {} is after the end {}",
            rfc3339(start),
            rfc3339(end)
        )));
    }
    let warning = args
        .time
        .starts_more_than_days_ago(now_ns, HISTORY_DAYS)
        .map_err(invalid)?
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

    fn check(args: &[&str]) -> Result<FetchConfig, FetchError> {
        let argv = std::iter::once("spitzel-fetch").chain(args.iter().copied());
        FetchConfig::check(FetchArgs::try_parse_from(argv).unwrap(), NOW)
    }

    #[test]
    fn the_window_defaults_to_90_days_and_rounds_inwards() {
        let c = check(&[]).unwrap();
        assert_eq!(
            c.window,
            Window {
                start: NOW - 90 * 86_400,
                end: NOW
            }
        );
        assert_eq!(c.window_warning, None);
        let c = check(&[
            "--from",
            "2023-07-10T00:00:00.5Z",
            "--to",
            "2023-07-10T01:00:00.5Z",
        ])
        .unwrap();
        assert_eq!(
            c.window,
            Window {
                start: 1_688_947_201,
                end: 1_688_950_800
            }
        );
        let c = check(&["--last", "100d"]).unwrap();
        assert!(c.window_warning.unwrap().contains("more than 90 days ago"));
        let err = check(&["--to", "2020-01-01"]).unwrap_err();
        assert!(err.message.contains("is after the end"), "{}", err.message);
    }

    #[test]
    fn regions_and_queries_are_checked_once() {
        let c = check(&[
            "--region",
            " us-east-1,eu-west-1,us-east-1",
            "--lookup",
            "Username=bob",
        ])
        .unwrap();
        assert_eq!(
            c.regions,
            Regions::Listed(vec!["us-east-1".into(), "eu-west-1".into()])
        );
        assert_eq!(c.queries.len(), 1);
        assert_eq!(check(&["--all-regions"]).unwrap().regions, Regions::All);
        assert!(check(&["--region", "mars"]).is_err());
        assert!(check(&["--rate", "0"]).is_err());
    }
}
