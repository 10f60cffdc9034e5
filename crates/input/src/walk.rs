//! `-i DIR`: the input files under a directory, in path order, leaving out
//! CloudTrail files whose name proves they hold nothing inside the window.
//!
//! Rules: *.json, *.jsonl, *.ndjson and their .gz (any letter case) are
//! read. Hidden entries (name starting with '.') below the given directory
//! are skipped, as version-control and sync tools keep their own files
//! there. CloudTrail digest files (`_CloudTrail-Digest_`) hold hashes, not
//! events, and are skipped. Symbolic links are followed, each directory
//! visited once.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use spitzel_core::calendar::date_days;
use spitzel_core::window::{NANOS_PER_SECOND, TimeWindow, UnixNanos};

const NANOS_PER_MINUTE: i64 = 60_000_000_000;

/// Extra room before skipping a file by its delivery time, against clock
/// differences between the service that stamped eventTime and CloudTrail's
/// delivery. It costs a few more files read per region, never an event.
pub const DELIVERY_MARGIN: i64 = 5 * NANOS_PER_MINUTE;

#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read, sorted by path component by component.
    pub files: Vec<PathBuf>,
    /// Their sizes when walked, in the same order.
    pub sizes: Vec<u64>,
    /// CloudTrail files left out because they were delivered before --from.
    pub skipped_by_name: u64,
    /// CloudTrail digest files left out.
    pub skipped_digests: u64,
    /// Names of no input kind (README.md, events.log), left out: said at
    /// the end of the run, as a wrong folder would otherwise read nothing
    /// in silence.
    pub other_names: u64,
    /// The first of them, in path order, for that message.
    pub first_other: Vec<PathBuf>,
    /// Subdirectories that could not be read (the caller reports them).
    pub unreadable: Vec<(PathBuf, io::Error)>,
    /// Input names that are not regular files (a FIFO would block the run,
    /// a device never end): skipped, and reported by the caller.
    pub not_files: Vec<(PathBuf, &'static str)>,
}

/// Walk `dir` recursively. Fails only when `dir` itself cannot be read.
/// Public for `--emit-sql`, whose statement must read exactly these files.
pub fn walk(dir: &Path, window: &TimeWindow) -> io::Result<Walk> {
    let mut walk = Walk::default();
    let mut visited = HashSet::new();
    visited.insert(dir.canonicalize()?);
    let entries = sorted_entries(dir)?;
    visit(entries, window, &mut visited, &mut walk);
    Ok(walk)
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
    let mut entries = std::fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn visit(
    entries: Vec<std::fs::DirEntry>,
    window: &TimeWindow,
    visited: &mut HashSet<PathBuf>,
    walk: &mut Walk,
) {
    for entry in entries {
        // Names that are not UTF-8 are judged by their lossy form, which
        // keeps the ASCII dot and extension intact.
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        // Only names that can be read need their metadata (a trail tree
        // has thousands of them), and directories: a call each.
        let kind = entry.file_type().ok();
        let path = entry.path();
        if kind.is_some_and(|k| k.is_file()) && !is_input_name(&name) {
            walk.other_name(path);
            continue;
        }
        // The entry's own metadata (statx on the directory's descriptor,
        // no link followed) is what a regular file or a directory needs; a
        // link, or a file system that gives no type, is followed.
        let meta = match kind {
            Some(k) if k.is_file() || k.is_dir() => entry.metadata(),
            _ => std::fs::metadata(&path),
        };
        let meta = match meta {
            Ok(meta) => meta,
            Err(e) => {
                walk.unreadable.push((path, e));
                continue;
            }
        };
        if meta.is_dir() {
            match path.canonicalize() {
                Ok(real) => {
                    if !visited.insert(real) {
                        continue;
                    }
                }
                Err(e) => {
                    walk.unreadable.push((path, e));
                    continue;
                }
            }
            match sorted_entries(&path) {
                Ok(children) => visit(children, window, visited, walk),
                Err(e) => walk.unreadable.push((path, e)),
            }
        } else if is_input_name(&name) {
            if !meta.is_file() {
                walk.not_files.push((path, file_kind(&meta)));
            } else if name.contains("_CloudTrail-Digest_") {
                walk.skipped_digests += 1;
            } else if delivered_before_window(&name, window) {
                walk.skipped_by_name += 1;
            } else {
                walk.files.push(path);
                walk.sizes.push(meta.len());
            }
        } else {
            walk.other_name(path);
        }
    }
}

/// Names of skipped files a message lists before "...".
pub const FIRST_NAMES: usize = 3;

impl Walk {
    fn other_name(&mut self, path: PathBuf) {
        self.other_names += 1;
        if self.first_other.len() < FIRST_NAMES {
            self.first_other.push(path);
        }
    }
}

/// What a file that is not a regular file is, for the report.
#[cfg(unix)]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn file_kind(_meta: &std::fs::Metadata) -> &'static str {
    "not a regular file"
}

/// *.json, *.jsonl, *.ndjson, optionally .gz, any case.
pub fn is_input_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    [".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| base.len() > ext.len() && base.ends_with(ext))
}

/// Whether a CloudTrail log file's name proves all its events are before
/// `--from`. The name's time is when CloudTrail delivered the file, so every
/// event in it happened at or before the end of that minute. Only a lower
/// bound can be used: a file delivered after `--to` may still hold events
/// from before `--to`, as CloudTrail delivers some events late.
pub fn delivered_before_window(name: &str, window: &TimeWindow) -> bool {
    let Some(from) = window.from else {
        return false;
    };
    let Some(delivered) = delivery_minute(name) else {
        return false;
    };
    delivered
        .saturating_add(NANOS_PER_MINUTE - 1)
        .saturating_add(DELIVERY_MARGIN)
        < from
}

/// The delivery minute in `<account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<id>.json[.gz]`.
pub fn delivery_minute(name: &str) -> Option<UnixNanos> {
    let parts: Vec<&str> = name.split('_').collect();
    let [account, "CloudTrail", region, stamp, _rest] = parts[..] else {
        return None;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if account.len() != 12 || !digits(account) || region.is_empty() {
        return None;
    }
    let stamp = stamp.as_bytes();
    if stamp.len() != 14 || stamp[8] != b'T' || stamp[13] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let text = std::str::from_utf8(&stamp[range]).ok()?;
        if !digits(text) {
            return None;
        }
        text.parse().ok()
    };
    let days = date_days(num(0..4)?, num(4..6)?, num(6..8)?)?;
    let (hour, minute) = (num(9..11)?, num(11..13)?);
    if hour > 23 || minute > 59 {
        return None;
    }
    (days * 86_400 + hour * 3600 + minute * 60).checked_mul(NANOS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const MINUTE: i64 = NANOS_PER_MINUTE;
    // 2023-07-10T12:00:00Z
    const NOON: i64 = 1_688_990_400 * 1_000_000_000;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"{}").unwrap();
    }

    fn rel(root: &Path, walk: &Walk) -> Vec<String> {
        walk.files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn delivery_minute_from_cloudtrail_names() {
        assert_eq!(
            delivery_minute("123456789012_CloudTrail_us-east-1_20230710T1200Z_AbCd1234.json.gz"),
            Some(NOON)
        );
        assert_eq!(
            delivery_minute("123456789012_CloudTrail_us-east-1_20230710T1205Z_x.json"),
            Some(NOON + 5 * MINUTE)
        );
        for name in [
            "123456789012_CloudTrail-Insight_us-east-1_20230710T1200Z_x.json.gz",
            "123456789012_CloudTrail_us-east-1_20230710T1260Z_x.json.gz",
            "123456789012_CloudTrail_us-east-1_20231310T1200Z_x.json.gz",
            "12345678901_CloudTrail_us-east-1_20230710T1200Z_x.json.gz",
            "123456789012_CloudTrail_us-east-1_2023071T12000Z_x.json.gz",
            "123456789012_CloudTrail_us-east-1_+0230710T1200Z_x.json.gz",
            "events.json",
        ] {
            assert_eq!(delivery_minute(name), None, "{name}");
        }
    }

    #[test]
    fn skips_only_files_delivered_well_before_from() {
        let name = "123456789012_CloudTrail_us-east-1_20230710T1200Z_x.json.gz";
        let from = |t| TimeWindow {
            from: Some(t),
            to: None,
        };
        // Delivered at 12:00: events up to 12:00:59.999..., plus the margin.
        let last_possible = NOON + MINUTE - 1 + DELIVERY_MARGIN;
        assert!(!delivered_before_window(name, &from(last_possible)));
        assert!(delivered_before_window(name, &from(last_possible + 1)));
        assert!(!delivered_before_window(name, &from(NOON - 60 * MINUTE)));
        // --to never skips: late deliveries can hold older events.
        let to_only = TimeWindow {
            from: None,
            to: Some(NOON - 600 * MINUTE),
        };
        assert!(!delivered_before_window(name, &to_only));
        assert!(!delivered_before_window("other.json", &from(i64::MAX)));
    }

    #[test]
    fn input_names() {
        for name in ["a.json", "a.JSON.GZ", "b.jsonl", "c.ndjson.gz", "x.y.Json"] {
            assert!(is_input_name(name), "{name}");
        }
        for name in ["a.txt", "a.json.bz2", "a.gz", ".json", "json", "a.jsonx"] {
            assert!(!is_input_name(name), "{name}");
        }
    }

    #[test]
    fn walks_in_path_order_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "b/2.json",
            "b/10.json",
            "a-c.json",
            "a/z.ndjson.gz",
            "a/y/deep.jsonl",
            "notes.txt",
            ".git/x.json",
            "a/.hidden.json",
            "d/123456789012_CloudTrail-Digest_us-east-1_20230710T1200Z_x.json.gz",
        ] {
            touch(root, rel);
        }
        let walk = walk(root, &TimeWindow::default()).unwrap();
        // Component order: "a/..." sorts before "a-c.json" ('a' < 'a-c').
        assert_eq!(
            rel(root, &walk),
            [
                "a/y/deep.jsonl",
                "a/z.ndjson.gz",
                "a-c.json",
                "b/10.json",
                "b/2.json"
            ]
        );
        assert_eq!(walk.sizes, [2; 5]);
        assert_eq!(walk.skipped_by_name, 0);
        assert_eq!(walk.skipped_digests, 1);
        // Hidden entries are left out unsaid; other names are counted.
        assert_eq!(walk.other_names, 1);
        assert_eq!(walk.first_other, [root.join("notes.txt")]);
    }

    #[test]
    fn from_skips_by_delivery_name_without_opening() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let tree = "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10";
        let early = format!("{tree}/123456789012_CloudTrail_us-east-1_20230710T1100Z_a.json.gz");
        let late = format!("{tree}/123456789012_CloudTrail_us-east-1_20230710T1300Z_b.json.gz");
        touch(root, &early);
        touch(root, &late);
        touch(root, "plain.json");
        let window = TimeWindow {
            from: Some(NOON),
            to: None,
        };
        let walk = walk(root, &window).unwrap();
        assert_eq!(rel(root, &walk), [late.as_str(), "plain.json"]);
        assert_eq!(walk.skipped_by_name, 1);
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(walk(&dir.path().join("absent"), &TimeWindow::default()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_left_out_and_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "a.json");
        let fifo = root.join("b.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", root.join("c.json.gz")).unwrap();
        let walk = walk(root, &TimeWindow::default()).unwrap();
        assert_eq!(rel(root, &walk), ["a.json"]);
        assert_eq!(
            walk.not_files,
            [
                (fifo, "a FIFO"),
                (root.join("c.json.gz"), "a character device")
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_visited_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "a/x.json");
        std::os::unix::fs::symlink(root.join("a"), root.join("a/loop")).unwrap();
        let walk = walk(root, &TimeWindow::default()).unwrap();
        assert_eq!(rel(root, &walk), ["a/x.json"]);
        // A link to a file is followed: read, with the file's size.
        fs::write(root.join("a/y.json"), b"{}\n").unwrap();
        std::os::unix::fs::symlink(root.join("a/y.json"), root.join("b.json")).unwrap();
        let walk = super::walk(root, &TimeWindow::default()).unwrap();
        assert_eq!(rel(root, &walk), ["a/x.json", "a/y.json", "b.json"]);
        assert_eq!(walk.sizes, [2, 3, 3]);
    }
}
