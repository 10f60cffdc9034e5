//! Arguments shared by both binaries.
//!
//! `--last-minute` and `--last` count back from now and so exclude `--from`,
//! each other, and `--to` (a lookback that ends elsewhere than now would be
//! ambiguous); clap rejects those combinations.

use spitzel_core::window::{
    Bound, InvalidTime, NANOS_PER_DAY, NANOS_PER_SECOND, TimeWindow, UnixNanos, parse_time_bound,
};

/// --from, --to, --last-minute, --last.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TimeArgs {
    /// Keep events at or after this time (YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]',
    /// RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Keep events at or before this time (formats of --from; a date or a
    /// time to the minute covers all of that day or minute)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Keep events of the last N minutes
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to", "last"])]
    pub last_minute: Option<u64>,
    /// Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["from", "to"])]
    pub last: Option<String>,
}

const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;

/// Time options that describe no window. `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeArgsError {
    #[error("--from: {0}")]
    From(InvalidTime),
    #[error("--to: {0}")]
    To(InvalidTime),
    #[error("--last: {0}")]
    Last(DurationError),
    #[error("--last-minute {0} is too long")]
    LastMinuteTooLong(u64),
    #[error("the lookback reaches too far into the past")]
    LookbackTooFar,
    #[error("--from {from} is after --to {to}")]
    FromAfterTo { from: String, to: String },
    #[error("{0} days is too long")]
    DaysTooLong(u64),
}

/// A `--last` value that is no duration; holds the value as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "invalid duration '{0}' (write a number and a unit s, m, h, d or w, e.g. 90m, 7d, 1h30m)"
    )]
    Invalid(String),
    #[error("duration '{0}' is too long")]
    TooLong(String),
}

impl TimeArgs {
    /// The window these arguments describe, relative to `now`; unbounded
    /// when none is given.
    pub fn window(&self, now: UnixNanos) -> Result<TimeWindow, TimeArgsError> {
        let from = match (&self.from, self.last_minute, &self.last) {
            (Some(text), _, _) => {
                Some(parse_time_bound(text, Bound::Start).map_err(TimeArgsError::From)?)
            }
            (None, Some(minutes), _) => Some(lookback(now, minutes_to_nanos(minutes)?)?),
            (None, None, Some(text)) => {
                let nanos = parse_duration(text).map_err(TimeArgsError::Last)?;
                Some(lookback(now, nanos)?)
            }
            (None, None, None) => None,
        };
        let to = match &self.to {
            Some(text) => Some(parse_time_bound(text, Bound::End).map_err(TimeArgsError::To)?),
            None => None,
        };
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(TimeArgsError::FromAfterTo {
                from: self.from.as_deref().unwrap_or("(lookback)").to_owned(),
                to: self.to.clone().unwrap_or_default(),
            });
        }
        Ok(TimeWindow { from, to })
    }

    /// The window, starting `default_lookback` before `now` when no start is
    /// given (spitzel-fetch: CloudTrail keeps 90 days of event history).
    pub fn window_or_default(
        &self,
        now: UnixNanos,
        default_lookback: UnixNanos,
    ) -> Result<TimeWindow, TimeArgsError> {
        let mut window = self.window(now)?;
        if window.from.is_none() {
            window.from = Some(lookback(now, default_lookback)?);
        }
        Ok(window)
    }

    /// Does the window start more than `days` days before `now`?
    /// (spitzel-fetch warns past the 90 days CloudTrail keeps.)
    pub fn starts_more_than_days_ago(
        &self,
        now: UnixNanos,
        days: u64,
    ) -> Result<bool, TimeArgsError> {
        let window = self.window(now)?;
        let span = i64::try_from(days)
            .ok()
            .and_then(|d| d.checked_mul(NANOS_PER_DAY))
            .ok_or(TimeArgsError::DaysTooLong(days))?;
        Ok(window
            .from
            .is_some_and(|from| now.saturating_sub(from) > span))
    }
}

fn minutes_to_nanos(minutes: u64) -> Result<i64, TimeArgsError> {
    i64::try_from(minutes)
        .ok()
        .and_then(|m| m.checked_mul(NANOS_PER_MINUTE))
        .ok_or(TimeArgsError::LastMinuteTooLong(minutes))
}

fn lookback(now: UnixNanos, span: i64) -> Result<UnixNanos, TimeArgsError> {
    now.checked_sub(span).ok_or(TimeArgsError::LookbackTooFar)
}

/// `90s`, `90m`, `3h`, `7d`, `2w`, and sums such as `1h30m`, in nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid(text.to_owned());
    let mut total: i64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let mut units = tail.chars();
        let unit_seconds: i64 = match units.next() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86_400,
            Some('w') => 7 * 86_400,
            _ => return Err(invalid()),
        };
        let value: i64 = number.parse().map_err(|_| invalid())?;
        total = value
            .checked_mul(unit_seconds * NANOS_PER_SECOND)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(|| DurationError::TooLong(text.to_owned()))?;
        rest = units.as_str();
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    const S: i64 = NANOS_PER_SECOND;
    const NOW: i64 = 1_688_989_356 * S; // 2023-07-10T11:42:36Z

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        time: TimeArgs,
    }

    fn parse(args: &[&str]) -> Result<TimeArgs, clap::Error> {
        let argv = std::iter::once("prog").chain(args.iter().copied());
        Cli::try_parse_from(argv).map(|cli| cli.time)
    }

    fn window(args: &[&str]) -> Result<TimeWindow, String> {
        parse(args).unwrap().window(NOW).map_err(|e| e.to_string())
    }

    #[test]
    fn no_arguments_no_window() {
        assert!(window(&[]).unwrap().is_unbounded());
    }

    #[test]
    fn from_and_to_inclusive() {
        let w = window(&["--from", "2023-07-10", "--to", "2023-07-10 23:59:59"]).unwrap();
        assert_eq!(w.from, Some(1_688_947_200 * S));
        assert_eq!(w.to, Some((1_688_947_200 + 86_399) * S));
        let w = window(&["--to", "2023-07-10T00:00:00+05:30"]).unwrap();
        assert_eq!((w.from, w.to), (None, Some((1_688_947_200 - 19_800) * S)));
    }

    #[test]
    fn a_date_only_to_covers_its_day_and_a_from_starts_it() {
        let w = window(&["--from", "2023-07-10", "--to", "2023-07-10"]).unwrap();
        assert_eq!(w.from, Some(1_688_947_200 * S));
        assert_eq!(w.to, Some((1_688_947_200 + 86_400) * S - 1));
        let w = window(&["--from", "2023-07-10 11:42", "--to", "2023-07-10T11:42"]).unwrap();
        assert_eq!(w.from, Some(1_688_989_320 * S));
        assert_eq!(w.to, Some((1_688_989_320 + 60) * S - 1));
        let w = window(&["--from", "@1688989356", "--to", "@1688989356"]).unwrap();
        assert_eq!((w.from, w.to), (Some(NOW), Some(NOW)));
    }

    #[test]
    fn from_after_to_is_an_error() {
        let err = window(&["--from", "2023-07-11", "--to", "2023-07-10"]).unwrap_err();
        assert_eq!(err, "--from 2023-07-11 is after --to 2023-07-10");
        assert!(window(&["--from", "2023-07-10", "--to", "2023-07-10"]).is_ok());
    }

    #[test]
    fn bad_times_name_the_option() {
        let err = window(&["--from", "2023-02-30"]).unwrap_err();
        assert!(
            err.starts_with("--from: ") && err.contains("'2023-02-30'"),
            "{err}"
        );
        let err = window(&["--to", "soon"]).unwrap_err();
        assert!(err.starts_with("--to: "), "{err}");
    }

    #[test]
    fn last_minute_counts_back_from_now() {
        let w = window(&["--last-minute", "300"]).unwrap();
        assert_eq!((w.from, w.to), (Some(NOW - 300 * 60 * S), None));
        assert!(window(&["--last-minute", &u64::MAX.to_string()]).is_err());
    }

    #[test]
    fn last_durations() {
        for (text, seconds) in [
            ("90s", 90),
            ("90m", 5400),
            ("3h", 10_800),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("1h30m", 5400),
            ("1d12h", 129_600),
        ] {
            assert_eq!(parse_duration(text), Ok(seconds * S), "{text}");
            let w = window(&["--last", text]).unwrap();
            assert_eq!(w.from, Some(NOW - seconds * S), "{text}");
        }
        for bad in [
            "",
            "90",
            "m",
            "3x",
            "1h30",
            "-3h",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let err = window(&["--last", "3x"]).unwrap_err();
        assert!(err.starts_with("--last: invalid duration '3x'"), "{err}");
    }

    #[test]
    fn clap_rejects_lookback_with_explicit_bounds() {
        for args in [
            &["--last", "3h", "--from", "2023-07-10"][..],
            &["--last-minute", "5", "--from", "2023-07-10"],
            &["--last", "3h", "--to", "2023-07-10"],
            &["--last-minute", "5", "--to", "2023-07-10"],
            &["--last-minute", "5", "--last", "3h"],
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{args:?}"
            );
        }
    }

    #[test]
    fn default_lookback_for_the_fetcher() {
        let ninety_days = 90 * NANOS_PER_DAY;
        let w = parse(&[])
            .unwrap()
            .window_or_default(NOW, ninety_days)
            .unwrap();
        assert_eq!((w.from, w.to), (Some(NOW - ninety_days), None));
        let w = parse(&["--last", "1h"])
            .unwrap()
            .window_or_default(NOW, ninety_days)
            .unwrap();
        assert_eq!(w.from, Some(NOW - 3600 * S));
    }

    #[test]
    fn start_older_than_days() {
        let old = parse(&["--from", "2023-01-01"]).unwrap();
        assert_eq!(old.starts_more_than_days_ago(NOW, 90), Ok(true));
        let recent = parse(&["--last", "7d"]).unwrap();
        assert_eq!(recent.starts_more_than_days_ago(NOW, 90), Ok(false));
        assert_eq!(
            parse(&[]).unwrap().starts_more_than_days_ago(NOW, 90),
            Ok(false)
        );
        assert_eq!(
            parse(&["--last", "91d"])
                .unwrap()
                .starts_more_than_days_ago(NOW, 90),
            Ok(true)
        );
    }
}
