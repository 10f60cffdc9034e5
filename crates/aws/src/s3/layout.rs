//! CloudTrail's key layout in S3 and what a time window prunes from it:
//! `[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
//! ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz`.

use spitzel_core::calendar;
use spitzel_core::window::{NANOS_PER_DAY, TimeWindow, UnixNanos};
use spitzel_input::walk;

const NANOS_PER_MINUTE: i64 = 60_000_000_000;

/// How late after an event CloudTrail may still deliver it, for pruning by
/// `--to`: day folders and files delivered later than this after the end of
/// the window are not read. CloudTrail delivers within about 5 minutes on
/// average, and some services are late by far more; an hour covers the
/// late deliveries seen in practice. The other side (`--from`) uses the same
/// rule as `spitzel-filter -i DIR`, so an event at 23:59 delivered in the
/// next day's folder is always read.
pub(crate) const LATE_DELIVERY: i64 = 60 * NANOS_PER_MINUTE;

/// The same for Insights event files. An Insights event's eventTime is when
/// the unusual activity started or stopped, and CloudTrail delivers it only
/// once it has detected that, after an analysis of its own; AWS states no
/// bound. A day is far more than that takes in practice, and Insights files
/// are few, so the wide margin costs little.
pub(crate) const INSIGHT_LATE_DELIVERY: i64 = 24 * 60 * NANOS_PER_MINUTE;

fn late_delivery(insight: bool) -> i64 {
    if insight {
        INSIGHT_LATE_DELIVERY
    } else {
        LATE_DELIVERY
    }
}

/// `s3://BUCKET[/PREFIX]`, split; the prefix has no slash at either end.
pub(crate) fn parse_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("--s3 {url}: expected s3://BUCKET[/PREFIX]"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(format!("--s3 {url}: no bucket name"));
    }
    Ok((bucket.to_string(), prefix.trim_matches('/').to_string()))
}

/// The `AWSLogs/` folder under the user's prefix (which may itself end in
/// AWSLogs), ending in a slash.
pub(crate) fn logs_root(prefix: &str) -> String {
    if prefix.is_empty() {
        "AWSLogs/".to_string()
    } else if prefix == "AWSLogs" || prefix.ends_with("/AWSLogs") {
        format!("{prefix}/")
    } else {
        format!("{prefix}/AWSLogs/")
    }
}

/// The last path component of a common prefix (`a/b/c/` -> `c`).
pub(crate) fn last_component(prefix: &str) -> &str {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

pub(crate) fn is_account_id(name: &str) -> bool {
    name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn is_org_id(name: &str) -> bool {
    name.len() > 2 && name.starts_with("o-")
}

/// The day folders (`YYYY/MM/DD/`) that can hold events of the window, or
/// None when the window has no start (then the whole region is listed).
/// `now` bounds a window without an end; `insight`: Insights event folders.
pub(crate) fn day_folders(
    window: &TimeWindow,
    now: UnixNanos,
    insight: bool,
) -> Option<Vec<String>> {
    let from = window.from?;
    // A file holds events up to the end of its delivery minute plus the
    // margin before it, so the first folder is that of `from` less both.
    let first = from.saturating_sub(walk::DELIVERY_MARGIN + NANOS_PER_MINUTE);
    let last = window
        .to
        .unwrap_or(now)
        .max(from)
        .saturating_add(late_delivery(insight));
    let (first_day, last_day) = (
        first.div_euclid(NANOS_PER_DAY),
        last.div_euclid(NANOS_PER_DAY),
    );
    let mut days = Vec::new();
    for day in first_day..=last_day {
        let (year, month, date) = calendar::civil_from_days(day);
        if !(0..=9999).contains(&year) {
            return None;
        }
        days.push(format!("{year:04}/{month:02}/{date:02}/"));
    }
    Some(days)
}

/// What to do with one listed key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyVerdict {
    Read,
    /// Its delivery minute proves it holds nothing of the window.
    Pruned,
    /// Not a CloudTrail log file of this layout (never opened).
    Foreign,
}

/// The file name of a key directly inside a day folder of `region`
/// (`REGION/YYYY/MM/DD/NAME`), None for anything else: a sub-folder, an
/// empty or `..` component, a key at region, year or month level.
fn name_in_day_folder<'k>(region: &str, key: &'k str) -> Option<&'k str> {
    let rest = key.strip_prefix(region)?;
    let mut parts = rest.split('/');
    let digits = |part: Option<&str>, len: usize| {
        part.is_some_and(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if !(digits(parts.next(), 4) && digits(parts.next(), 2) && digits(parts.next(), 2)) {
        return None;
    }
    let name = parts.next()?;
    (parts.next().is_none() && !name.is_empty()).then_some(name)
}

/// The region folder (`ROOT[o-ORG/]ACCOUNT/CloudTrail/REGION/`) of a key that
/// is a file in one of its day folders, None for a key outside the layout.
/// `insight`: the CloudTrail-Insight folder instead.
pub(crate) fn region_folder_of<'k>(root: &str, key: &'k str, insight: bool) -> Option<&'k str> {
    let rest = key.strip_prefix(root)?;
    let parts: Vec<&str> = rest.splitn(5, '/').collect();
    let skip = usize::from(parts.first().is_some_and(|p| is_org_id(p)));
    let trail_dir = if insight {
        "CloudTrail-Insight"
    } else {
        "CloudTrail"
    };
    let account = parts.get(skip)?;
    let dir = parts.get(skip + 1)?;
    let region = parts.get(skip + 2)?;
    if !is_account_id(account) || *dir != trail_dir || region.is_empty() {
        return None;
    }
    let len = root.len() + parts[..skip + 3].iter().map(|p| p.len() + 1).sum::<usize>();
    let folder = key.get(..len)?;
    name_in_day_folder(folder, key).map(|_| folder)
}

/// Judge a key listed under the region folder `region` by where it is and
/// its file name. `insight`: the CloudTrail-Insight layout.
pub(crate) fn judge_key(region: &str, key: &str, window: &TimeWindow, insight: bool) -> KeyVerdict {
    let Some(name) = name_in_day_folder(region, key) else {
        return KeyVerdict::Foreign;
    };
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".json.gz") || lower.ends_with(".json")) {
        return KeyVerdict::Foreign;
    }
    // An Insights file is named as a log file is, with `CloudTrail-Insight`
    // in place of `CloudTrail`: judged by the same rule, under its own name.
    let log_name;
    let name = if insight {
        let Some((account, rest)) = name.split_once("_CloudTrail-Insight_") else {
            return KeyVerdict::Foreign;
        };
        log_name = format!("{account}_CloudTrail_{rest}");
        log_name.as_str()
    } else {
        name
    };
    let Some(delivered) = walk::delivery_minute(name) else {
        return KeyVerdict::Foreign;
    };
    let before = walk::delivered_before_window(name, window);
    let after = window
        .to
        .is_some_and(|to| delivered > to.saturating_add(late_delivery(insight)));
    if before || after {
        KeyVerdict::Pruned
    } else {
        KeyVerdict::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2023-07-10T12:00:00Z
    const NOON: i64 = 1_688_990_400 * 1_000_000_000;

    #[test]
    fn urls_and_roots() {
        assert_eq!(parse_url("s3://b").unwrap(), ("b".into(), "".into()));
        assert_eq!(
            parse_url("s3://b/x/y/").unwrap(),
            ("b".into(), "x/y".into())
        );
        assert!(parse_url("b/x").is_err());
        assert!(parse_url("s3:///x").is_err());
        assert_eq!(logs_root(""), "AWSLogs/");
        assert_eq!(logs_root("x/y"), "x/y/AWSLogs/");
        assert_eq!(logs_root("x/AWSLogs"), "x/AWSLogs/");
        assert_eq!(last_component("AWSLogs/o-abc/"), "o-abc");
    }

    #[test]
    fn day_folders_cover_the_delivery_margins() {
        let window = TimeWindow {
            from: Some(NOON),
            to: Some(NOON + 3600 * 1_000_000_000),
        };
        assert_eq!(day_folders(&window, 0, false).unwrap(), ["2023/07/10/"]);
        // Insights events may arrive up to a day after the end.
        assert_eq!(
            day_folders(&window, 0, true).unwrap(),
            ["2023/07/10/", "2023/07/11/"]
        );
        // 00:03 on the 1st less the delivery margin reaches into the 30th;
        // the late-delivery margin after 23:59 on the 2nd reaches the 3rd.
        let first = 1_688_169_600 * 1_000_000_000; // 2023-07-01T00:00:00Z
        let window = TimeWindow {
            from: Some(first + 3 * NANOS_PER_MINUTE),
            to: Some(first + 2 * NANOS_PER_DAY - NANOS_PER_MINUTE),
        };
        assert_eq!(
            day_folders(&window, 0, false).unwrap(),
            ["2023/06/30/", "2023/07/01/", "2023/07/02/", "2023/07/03/"]
        );
        assert_eq!(day_folders(&TimeWindow::default(), 0, false), None);
    }

    #[test]
    fn keys_are_judged_by_delivery_minute() {
        let key = |stamp: &str| {
            format!(
                "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/123456789012_CloudTrail_us-east-1_{stamp}_x.json.gz"
            )
        };
        let judge_key = |key: &str, window: &TimeWindow, insight: bool| {
            let region = if insight {
                "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/"
            } else {
                "AWSLogs/123456789012/CloudTrail/us-east-1/"
            };
            let key = key.replace("AWSLogs/1/", "AWSLogs/123456789012/");
            judge_key(region, &key, window, insight)
        };
        let window = TimeWindow {
            from: Some(NOON),
            to: Some(NOON + 10 * NANOS_PER_MINUTE),
        };
        assert_eq!(
            judge_key(&key("20230710T1155Z"), &window, false),
            KeyVerdict::Read
        );
        assert_eq!(
            judge_key(&key("20230710T1154Z"), &window, false),
            KeyVerdict::Pruned
        );
        assert_eq!(
            judge_key(&key("20230710T1310Z"), &window, false),
            KeyVerdict::Read
        );
        assert_eq!(
            judge_key(&key("20230710T1311Z"), &window, false),
            KeyVerdict::Pruned
        );
        assert_eq!(
            judge_key(
                "AWSLogs/1/CloudTrail/us-east-1/2023/07/10/notes.txt",
                &window,
                false
            ),
            KeyVerdict::Foreign
        );
        let insight = |stamp: &str| {
            format!(
                "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2023/07/10/123456789012_CloudTrail-Insight_us-east-1_{stamp}_x.json.gz"
            )
        };
        assert_eq!(
            judge_key(&insight("20230710T1200Z"), &window, true),
            KeyVerdict::Read
        );
        assert_eq!(
            judge_key(&insight("20230710T1200Z"), &window, false),
            KeyVerdict::Foreign
        );
        assert_eq!(
            judge_key(&key("20230710T1200Z"), &window, true),
            KeyVerdict::Foreign
        );
        // The same margin before --from; a day after --to.
        assert_eq!(
            judge_key(&insight("20230710T1155Z"), &window, true),
            KeyVerdict::Read
        );
        assert_eq!(
            judge_key(&insight("20230710T1154Z"), &window, true),
            KeyVerdict::Pruned
        );
        assert_eq!(
            judge_key(&insight("20230711T1210Z"), &window, true),
            KeyVerdict::Read
        );
        assert_eq!(
            judge_key(&insight("20230711T1211Z"), &window, true),
            KeyVerdict::Pruned
        );
        assert_eq!(
            judge_key(
                "AWSLogs/1/CloudTrail-Insight/us-east-1/2023/07/10/1_CloudTrail-Insight_x.json.gz",
                &window,
                true
            ),
            KeyVerdict::Foreign
        );
    }

    #[test]
    fn keys_outside_the_day_folders_are_foreign() {
        let region = "AWSLogs/123456789012/CloudTrail/us-east-1/";
        let name = "123456789012_CloudTrail_us-east-1_20230710T1200Z_x.json.gz";
        let all = TimeWindow::default();
        assert_eq!(
            judge_key(region, &format!("{region}2023/07/10/{name}"), &all, false),
            KeyVerdict::Read
        );
        for inside in [
            name.to_string(),
            format!("2023/{name}"),
            format!("2023/07/{name}"),
            format!("2023/07/10/sub/{name}"),
            format!("2023/07/10/../{name}"),
            format!("2023/07/10//{name}"),
            format!("2023//07/10/{name}"),
            format!("../2023/07/10/{name}"),
            format!("sub/2023/07/10/{name}"),
            format!("2023/7/10/{name}"),
            "2023/07/10/".to_string(),
        ] {
            let key = format!("{region}{inside}");
            assert_eq!(
                judge_key(region, &key, &all, false),
                KeyVerdict::Foreign,
                "{key}"
            );
            assert_eq!(region_folder_of("AWSLogs/", &key, false), None, "{key}");
        }
        let key = format!("{region}2023/07/10/{name}");
        assert_eq!(region_folder_of("AWSLogs/", &key, false), Some(region));
        assert_eq!(region_folder_of("AWSLogs/", &key, true), None);
        let org = format!("p/AWSLogs/o-abc/{}", &key["AWSLogs/".len()..]);
        assert_eq!(
            region_folder_of("p/AWSLogs/", &org, false),
            Some("p/AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/")
        );
        let digest = key.replace("/CloudTrail/", "/CloudTrail-Digest/");
        assert_eq!(region_folder_of("AWSLogs/", &digest, false), None);
    }
}
