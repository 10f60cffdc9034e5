//! Time window on eventTime: parsing of the user's time arguments and of
//! CloudTrail's eventTime values. Shared by spitzel-filter and spitzel-fetch.
//!
//! Times are nanoseconds since the Unix epoch (UTC). Dates are proleptic
//! Gregorian; a time without an offset is UTC.

use crate::calendar::{parse_date, parse_offset, parse_rfc3339, parse_timestamp, two_digits};
use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type UnixNanos = i64;

pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;

/// Inclusive bounds; None = open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeWindow {
    pub from: Option<UnixNanos>,
    pub to: Option<UnixNanos>,
}

/// Where an event's eventTime falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowCheck {
    Inside,
    Outside,
    /// eventTime missing or not a time we can read: outside any window.
    Unreadable,
}

impl TimeWindow {
    pub fn is_unbounded(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Is this instant within the bounds (inclusive)?
    pub fn contains(&self, t: UnixNanos) -> bool {
        self.from.is_none_or(|from| t >= from) && self.to.is_none_or(|to| t <= to)
    }

    /// Check an event's eventTime string (None when the field is absent).
    /// An unbounded window accepts every event without parsing.
    pub fn check(&self, event_time: Option<&str>) -> WindowCheck {
        if self.is_unbounded() {
            return WindowCheck::Inside;
        }
        match event_time.and_then(parse_event_time) {
            None => WindowCheck::Unreadable,
            Some(t) if self.contains(t) => WindowCheck::Inside,
            Some(_) => WindowCheck::Outside,
        }
    }
}

/// The current time.
pub fn now() -> UnixNanos {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

const ACCEPTED_FORMATS: &str = "accepted: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]', \
    'YYYY-MM-DDTHH:MM[:SS]', optional fractional seconds, optional 'Z' or offset like +05:30 \
    (default UTC), or epoch seconds as '@1700000000'";

/// A `--from`/`--to` value that is no time; holds the value as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time '{0}' ({ACCEPTED_FORMATS})")]
pub struct InvalidTime(pub String);

/// Which end of the window a user's time bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `--from`: a day or minute starts at its first instant.
    Start,
    /// `--to`: a day or minute written without its smaller units covers
    /// all of them (`--to 2026-03-14` is the whole 14th).
    End,
}

/// Parse a user-supplied time as the start of a window (`--from`).
pub fn parse_time_arg(s: &str) -> Result<UnixNanos, InvalidTime> {
    parse_time_bound(s, Bound::Start)
}

/// Parse a user-supplied time (`--from`/`--to`): a date, a date and time to
/// the minute or second (RFC 3339 or with a space), or `@` and epoch
/// seconds. As an `End`, a date or a minute covers its last nanosecond.
pub fn parse_time_bound(s: &str, bound: Bound) -> Result<UnixNanos, InvalidTime> {
    let trimmed = s.trim();
    let parsed = if let Some(seconds) = trimmed.strip_prefix('@') {
        parse_epoch_seconds(seconds)
    } else if trimmed.len() == 10 {
        parse_date(trimmed.as_bytes()).and_then(|days| span_bound(days * 86_400, 86_400, bound))
    } else {
        parse_user_timestamp(trimmed, bound)
    };
    parsed.ok_or_else(|| InvalidTime(s.to_owned()))
}

/// `1700000000`, `-86400`: whole seconds since the epoch.
fn parse_epoch_seconds(text: &str) -> Option<UnixNanos> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    to_nanos(text.parse().ok()?, 0)
}

/// The first (`Start`) or last (`End`) nanosecond of the `length` seconds
/// from `start`. An end past the range saturates when its start is inside,
/// so the last day that can start is still a valid `--to`.
fn span_bound(start: i64, length: i64, bound: Bound) -> Option<UnixNanos> {
    let first = to_nanos(start, 0)?;
    match bound {
        Bound::Start => Some(first),
        Bound::End => Some(to_nanos(start + length - 1, NANOS_PER_SECOND - 1).unwrap_or(i64::MAX)),
    }
}

/// A user's timestamp: as an eventTime, or to the minute
/// (`YYYY-MM-DD[T ]HH:MM`, with an optional offset), which as an `End`
/// covers its minute.
fn parse_user_timestamp(s: &str, bound: Bound) -> Option<UnixNanos> {
    if let Some((seconds, nanos)) = parse_timestamp(s) {
        return to_nanos(seconds, nanos);
    }
    let b = s.as_bytes();
    if b.len() < 16 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let days = parse_date(&b[..10])?;
    let [h1, h2, b':', m1, m2] = b[11..16] else {
        return None;
    };
    let (h, m) = (two_digits(h1, h2)?, two_digits(m1, m2)?);
    if h > 23 || m > 59 {
        return None;
    }
    let offset_seconds = parse_offset(&b[16..])?;
    span_bound(
        days * 86_400 + h * 3600 + m * 60 - offset_seconds,
        60,
        bound,
    )
}

/// Parse a CloudTrail eventTime value (`2023-07-10T11:42:36Z`; also with
/// fractional seconds, an offset, or a space instead of `T`).
pub fn parse_event_time(s: &str) -> Option<UnixNanos> {
    let (seconds, nanos) = parse_rfc3339(s)?;
    to_nanos(seconds, nanos)
}

/// Seconds and nanoseconds as [`UnixNanos`]; None outside its range (years
/// before 1677 or after 2262), which no window can then hold.
fn to_nanos(seconds: i64, nanos: i64) -> Option<UnixNanos> {
    let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
    i64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = NANOS_PER_SECOND;
    /// 2023-07-10T11:42:36Z, from `date -u -d 2023-07-10T11:42:36Z +%s`.
    const SAMPLE: i64 = 1_688_989_356 * S;

    #[test]
    fn argument_formats() {
        for s in [
            "2023-07-10 11:42:36",
            "2023-07-10T11:42:36",
            "2023-07-10T11:42:36Z",
            "2023-07-10t11:42:36z",
            "2023-07-10T11:42:36+00:00",
            "2023-07-10T13:42:36+02:00",
            "2023-07-10T17:12:36+05:30",
            "2023-07-10T03:42:36-08:00",
            "2023-07-10T03:42:36-0800",
            " 2023-07-10 11:42:36 ",
        ] {
            assert_eq!(parse_time_arg(s), Ok(SAMPLE), "{s}");
        }
        assert_eq!(parse_time_arg("2023-07-10"), Ok(1_688_947_200 * S));
        assert_eq!(parse_time_arg("1970-01-01"), Ok(0));
        assert_eq!(parse_time_arg("1969-12-31 23:59:59"), Ok(-S));
        assert_eq!(parse_time_arg("2023-07-10 11:42:36.5"), Ok(SAMPLE + S / 2));
        assert_eq!(
            parse_time_arg("2023-07-10T11:42:36.000000001Z"),
            Ok(SAMPLE + 1)
        );
    }

    #[test]
    fn a_date_or_minute_as_the_end_covers_all_of_it() {
        let day = 1_688_947_200 * S; // 2023-07-10T00:00:00Z
        assert_eq!(parse_time_bound("2023-07-10", Bound::Start), Ok(day));
        assert_eq!(
            parse_time_bound("2023-07-10", Bound::End),
            Ok(day + NANOS_PER_DAY - 1)
        );
        let window = TimeWindow {
            from: parse_time_bound("2023-07-10", Bound::Start).ok(),
            to: parse_time_bound("2023-07-10", Bound::End).ok(),
        };
        assert_eq!(
            window.check(Some("2023-07-10T00:00:00Z")),
            WindowCheck::Inside
        );
        assert_eq!(
            window.check(Some("2023-07-10T23:59:59.999999999Z")),
            WindowCheck::Inside
        );
        assert_eq!(
            window.check(Some("2023-07-11T00:00:00Z")),
            WindowCheck::Outside
        );
        assert_eq!(
            window.check(Some("2023-07-09T23:59:59Z")),
            WindowCheck::Outside
        );
        // A time to the second is an instant at either end.
        assert_eq!(
            parse_time_bound("2023-07-10 11:42:36", Bound::End),
            Ok(SAMPLE)
        );
        // The last day that starts inside the range saturates at its end.
        assert_eq!(parse_time_bound("2262-04-11", Bound::End), Ok(i64::MAX));
    }

    #[test]
    fn minutes_without_seconds() {
        let minute = SAMPLE - 36 * S; // 2023-07-10T11:42:00Z
        for s in [
            "2023-07-10T11:42",
            "2023-07-10 11:42",
            "2023-07-10t11:42Z",
            "2023-07-10T13:42+02:00",
            "2023-07-10T03:42-0800",
        ] {
            assert_eq!(parse_time_bound(s, Bound::Start), Ok(minute), "{s}");
            assert_eq!(
                parse_time_bound(s, Bound::End),
                Ok(minute + 60 * S - 1),
                "{s}"
            );
        }
        // eventTime values keep their own, stricter shape.
        assert_eq!(parse_event_time("2023-07-10T11:42Z"), None);
    }

    #[test]
    fn epoch_seconds() {
        assert_eq!(parse_time_arg("@1688989356"), Ok(SAMPLE));
        assert_eq!(parse_time_bound("@1688989356", Bound::End), Ok(SAMPLE));
        assert_eq!(parse_time_arg("@0"), Ok(0));
        assert_eq!(parse_time_arg("@-1"), Ok(-S));
        assert!(parse_time_arg("@99999999999").is_err());
    }

    #[test]
    fn times_beyond_the_nanosecond_range_are_unreadable() {
        assert!(parse_time_arg("0000-01-01").is_err());
        assert!(parse_time_arg("9999-12-31 00:00:00").is_err());
        assert_eq!(parse_event_time("9999-12-31T23:59:59Z"), None);
        assert_eq!(parse_event_time("1677-09-21T00:12:43.145224191Z"), None);
        assert_eq!(
            parse_event_time("1677-09-21T00:12:43.145224192Z"),
            Some(i64::MIN)
        );
        assert_eq!(
            parse_event_time("2262-04-11T23:47:16.854775807Z"),
            Some(i64::MAX)
        );
        assert_eq!(parse_event_time("2262-04-11T23:47:16.854775808Z"), None);
        assert_eq!(parse_event_time("2262-04-11T23:47:17Z"), None);
    }

    #[test]
    fn leap_years() {
        assert_eq!(parse_time_arg("2024-02-29"), Ok(1_709_164_800 * S));
        assert_eq!(parse_time_arg("2000-02-29"), Ok(951_782_400 * S));
        assert!(parse_time_arg("2023-02-29").is_err());
        assert!(parse_time_arg("1900-02-29").is_err());
        assert_eq!(parse_time_arg("2024-03-01"), Ok(1_709_251_200 * S));
    }

    #[test]
    fn bad_values_are_one_line_errors_naming_the_value() {
        for s in [
            "",
            "yesterday",
            "2023-02-30",
            "2023-13-01",
            "2023-00-10",
            "2023-07-00",
            "2023-7-10",
            "2023-07-10 24:00:00",
            "2023-07-10 11:60:00",
            "2023-07-10 11:42:60",
            "2023-07-10 11:4",
            "2023-07-10 11:42:",
            "2023-07-10T24:00",
            "2023-07-10T11:60",
            "2023-07-10T11:42+5:30",
            "@",
            "@-",
            "@17e8",
            "@ 1700000000",
            "@1700000000.5",
            "@9999999999999",
            "2023-07-10T11:42:36.",
            "2023-07-10T11:42:36.1234567891",
            "2023-07-10T11:42:36+5:30",
            "2023-07-10T11:42:36+24:00",
            "2023-07-10T11:42:36 UTC",
            "2023-07-10T11:42:36Zjunk",
            "２０２３-07-10",
        ] {
            let err = parse_time_arg(s).unwrap_err().to_string();
            assert!(
                err.contains(&format!("'{s}'")) && err.contains("YYYY-MM-DD"),
                "{err}"
            );
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn event_times() {
        assert_eq!(parse_event_time("2023-07-10T11:42:36Z"), Some(SAMPLE));
        assert_eq!(
            parse_event_time("2023-07-10T11:42:36.250Z"),
            Some(SAMPLE + S / 4)
        );
        assert_eq!(parse_event_time("2023-07-10T12:42:36+01:00"), Some(SAMPLE));
        assert_eq!(parse_event_time("2023-07-10 11:42:36"), Some(SAMPLE));
        assert_eq!(
            parse_event_time("2023-07-10 11:42:36.123456789"),
            Some(SAMPLE + 123_456_789)
        );
        for s in [
            "redacted",
            "...",
            "",
            "2023-07-10",
            "2023-02-30T00:00:00Z",
            "2023-07-10T11:42:36ZZ",
        ] {
            assert_eq!(parse_event_time(s), None, "{s}");
        }
    }

    #[test]
    fn window_checks_are_inclusive() {
        let window = TimeWindow {
            from: Some(SAMPLE),
            to: Some(SAMPLE + 60 * S),
        };
        assert_eq!(
            window.check(Some("2023-07-10T11:42:36Z")),
            WindowCheck::Inside
        );
        assert_eq!(
            window.check(Some("2023-07-10T11:43:36Z")),
            WindowCheck::Inside
        );
        assert_eq!(
            window.check(Some("2023-07-10T11:43:36.000000001Z")),
            WindowCheck::Outside
        );
        assert_eq!(
            window.check(Some("2023-07-10T11:42:35.999Z")),
            WindowCheck::Outside
        );
        assert_eq!(window.check(Some("redacted")), WindowCheck::Unreadable);
        assert_eq!(window.check(None), WindowCheck::Unreadable);
        let open_end = TimeWindow {
            from: Some(SAMPLE),
            to: None,
        };
        assert_eq!(
            open_end.check(Some("2099-01-01T00:00:00Z")),
            WindowCheck::Inside
        );
        assert_eq!(
            open_end.check(Some("2000-01-01T00:00:00Z")),
            WindowCheck::Outside
        );
    }

    #[test]
    fn unbounded_window_does_not_parse() {
        let window = TimeWindow::default();
        assert!(window.is_unbounded());
        assert_eq!(window.check(Some("redacted")), WindowCheck::Inside);
        assert_eq!(window.check(None), WindowCheck::Inside);
    }

    #[test]
    fn now_is_after_2020() {
        assert!(now() > parse_time_arg("2020-01-01").unwrap());
    }
}
