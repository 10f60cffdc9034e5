//! What spitzel-fetch --s3 reads of keys, on any input: the SDK parses
//! the listing XML; spitzel parses the keys it lists (which object is a
//! log file of which region and day, and whether its delivery minute can
//! hold events of the window) and the s3:// URL. None panics, and a key
//! judged readable is a file directly in a day folder of its region:
//! nothing under `..`, an empty component or a sub-folder is ever opened.
//!
//! layout.rs has no SDK in it; it is compiled in here by path so that the
//! fuzzer does not build the AWS SDK.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/aws/src/s3/layout.rs"]
mod layout;

use layout::KeyVerdict;
use libfuzzer_sys::fuzz_target;
use spitzel_core::window::TimeWindow;

/// Nanoseconds from 8 bytes, kept to years 1900..2150: a window further
/// out only makes day_folders long, which the options never allow.
fn nanos(bytes: &[u8]) -> i64 {
    let raw = i64::from_le_bytes(bytes.try_into().unwrap());
    const SPAN: i64 = 250 * 366 * 86_400 * 1_000_000_000;
    const START: i64 = -70 * 366 * 86_400 * 1_000_000_000;
    START + raw.rem_euclid(SPAN)
}

/// The parts of a key after a region folder: `YYYY/MM/DD/NAME`, NAME
/// without a slash and not empty.
fn in_a_day_folder(rest: &str) -> bool {
    let parts: Vec<&str> = rest.split('/').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    parts.len() == 4
        && digits(parts[0], 4)
        && digits(parts[1], 2)
        && digits(parts[2], 2)
        && !parts[3].is_empty()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let (head, text) = data.split_at(17);
    let flags = head[16];
    let window = TimeWindow {
        from: (flags & 1 != 0).then(|| nanos(&head[..8])),
        to: (flags & 2 != 0).then(|| nanos(&head[8..16])),
    };
    let insight = flags & 4 != 0;
    let text = String::from_utf8_lossy(text);
    let mut fields = text.splitn(2, '\n');
    let first = fields.next().unwrap_or_default();
    let key = fields.next().unwrap_or_default();

    // The URL and the root under its prefix.
    if let Ok((bucket, prefix)) = layout::parse_url(first) {
        assert!(!bucket.is_empty(), "{first:?}");
        assert!(!prefix.starts_with('/') && !prefix.ends_with('/'), "{first:?}");
        let root = layout::logs_root(&prefix);
        assert!(root.ends_with("AWSLogs/"), "{root:?}");
    }

    // A key under a root (the first line as the root's prefix).
    let root = layout::logs_root(first.trim_matches('/'));
    if let Some(region) = layout::region_folder_of(&root, key, insight) {
        assert!(region.starts_with(&root) && region.ends_with('/'), "{key:?}");
        let rest = &key[region.len()..];
        assert!(in_a_day_folder(rest), "{key:?} under {region:?}");
        let _ = layout::last_component(region);
    }

    // A key judged under a region folder: the first line as the folder.
    let region = if first.ends_with('/') {
        first.to_string()
    } else {
        format!("{first}/")
    };
    let verdict = layout::judge_key(&region, key, &window, insight);
    if verdict != KeyVerdict::Foreign {
        let rest = key.strip_prefix(region.as_str()).expect("a key outside its region");
        assert!(in_a_day_folder(rest), "{key:?} judged {verdict:?}");
    }

    if let (Some(from), Some(to)) = (window.from, window.to)
        && to.saturating_sub(from) < 5 * 366 * 86_400 * 1_000_000_000
    {
        let now = from.max(to);
        if let Some(days) = layout::day_folders(&window, now, insight) {
            assert!(!days.is_empty());
            assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
            assert!(days.iter().all(|d| in_a_day_folder(&format!("{d}x"))));
        }
    }
});
