//! The proleptic Gregorian calendar in UTC, written once: civil dates to
//! days since 1970-01-01 and back, and RFC 3339 times read (every spelling
//! an eventTime takes) and written. The time window, --emit-sql's S3 key
//! dates and the S3 key stamps count their days here.

/// Seconds and nanoseconds since the epoch of
/// `YYYY-MM-DD[Tt ]HH:MM:SS[.f{1,9}][Z|z|±HH:MM|±HHMM]` (no offset: UTC).
pub fn parse_rfc3339(s: &str) -> Option<(i64, i64)> {
    match parse_canonical(s.as_bytes()) {
        Some(seconds) => Some((seconds, 0)),
        None => parse_timestamp(s),
    }
}

/// `seconds` since the epoch as `YYYY-MM-DDTHH:MM:SSZ`; None for a year
/// outside 0 to 9999.
pub fn format_rfc3339(seconds: i64) -> Option<String> {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let clock = seconds.rem_euclid(86_400);
    (0..=9999).contains(&year).then(|| {
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            clock / 3600,
            clock / 60 % 60,
            clock % 60
        )
    })
}

/// The fast path for the exact shape CloudTrail writes: `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_canonical(b: &[u8]) -> Option<i64> {
    if b.len() != 20 || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let days = parse_date(&b[..10])?;
    let seconds = parse_clock(&b[11..19])?;
    Some(days * 86_400 + seconds)
}

/// [`parse_rfc3339`] for any spelling.
pub(crate) fn parse_timestamp(s: &str) -> Option<(i64, i64)> {
    let b = s.as_bytes();
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let days = parse_date(&b[..10])?;
    let seconds = parse_clock(&b[11..19])?;
    let mut rest = &b[19..];
    let mut nanos = 0i64;
    if let Some((b'.', fraction)) = rest.split_first() {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        for (i, &d) in fraction[..digits].iter().enumerate() {
            nanos += i64::from(d - b'0') * 10i64.pow(8 - i as u32);
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = parse_offset(rest)?;
    Some((days * 86_400 + seconds - offset_seconds, nanos))
}

/// `` (UTC), `Z`, `+HH:MM`, `-HH:MM`, `+HHMM`: seconds east of UTC.
pub(crate) fn parse_offset(b: &[u8]) -> Option<i64> {
    let sign = match b.first() {
        None => return Some(0),
        Some(b'Z' | b'z') if b.len() == 1 => return Some(0),
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return None,
    };
    let (hours, minutes) = match &b[1..] {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (two_digits(*h1, *h2)?, two_digits(*m1, *m2)?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

pub(crate) fn two_digits(a: u8, b: u8) -> Option<i64> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| i64::from((a - b'0') * 10 + (b - b'0')))
}

/// `HH:MM:SS` -> seconds since midnight (no leap seconds).
fn parse_clock(b: &[u8]) -> Option<i64> {
    let [h1, h2, b':', m1, m2, b':', s1, s2] = b else {
        return None;
    };
    let (h, m, s) = (
        two_digits(*h1, *h2)?,
        two_digits(*m1, *m2)?,
        two_digits(*s1, *s2)?,
    );
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// `YYYY-MM-DD` -> days since 1970-01-01, rejecting impossible dates.
pub(crate) fn parse_date(b: &[u8]) -> Option<i64> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = b else {
        return None;
    };
    let year = two_digits(*y1, *y2)? * 100 + two_digits(*y3, *y4)?;
    date_days(year, two_digits(*m1, *m2)?, two_digits(*d1, *d2)?)
}

/// Days since 1970-01-01 of a date, None when there is no such day.
pub fn date_days(year: i64, month: i64, day: i64) -> Option<i64> {
    let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    valid.then(|| days_from_civil(year, month, day))
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid date (eras of 400 years, the year
/// starting in March so that the leap day ends it).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Days since 1970-01-01 -> (year, month, day), the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_general_parser() {
        for s in [
            "2023-07-10T11:42:36Z",
            "2000-02-29T23:59:59Z",
            "1999-12-31T00:00:00Z",
        ] {
            assert_eq!(
                parse_canonical(s.as_bytes()).map(|seconds| (seconds, 0)),
                parse_timestamp(s),
                "{s}"
            );
        }
        assert_eq!(parse_canonical(b"2023-07-10T11:42:36+00:00"), None);
    }

    #[test]
    fn days_and_dates_are_inverses() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(date_days(y, m, d), Some(days), "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(date_days(2024, 2, 29), Some(19_782));
        assert_eq!(date_days(2023, 2, 29), None);
        assert_eq!(date_days(2023, 13, 1), None);
        assert_eq!(date_days(2023, 7, 0), None);
    }

    #[test]
    fn times_written_read_back() {
        // `date -u -d @1688989356 +%FT%TZ`
        assert_eq!(
            format_rfc3339(1_688_989_356).as_deref(),
            Some("2023-07-10T11:42:36Z")
        );
        assert_eq!(format_rfc3339(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        for seconds in [-62_167_219_200, -1, 0, 951_868_799, 253_402_300_799] {
            let text = format_rfc3339(seconds).unwrap();
            assert_eq!(parse_rfc3339(&text), Some((seconds, 0)), "{text}");
        }
        assert_eq!(format_rfc3339(-62_167_219_201), None);
        assert_eq!(format_rfc3339(253_402_300_800), None);
    }
}
