//! Messages about bad input, and the --stats summary, on stderr.

use std::collections::BTreeMap;
use std::io::Write;

/// Bad records printed one by one before switching to counting.
const SHOWN_PROBLEMS: u64 = 20;

/// Counts and prints problems in input order.
#[derive(Debug, Default)]
pub struct Reporter {
    pub bad_records: u64,
    pub io_errors: u64,
    first_bad: Option<String>,
    pub bad_by_reason: BTreeMap<String, u64>,
}

impl Reporter {
    /// A record that could not be read: printed while few, then counted.
    pub(crate) fn bad_record(&mut self, source: &str, line: u64, reason: &str) {
        let place = format!("{source}:{line}");
        self.bad_records += 1;
        *self.bad_by_reason.entry(reason_kind(reason)).or_default() += 1;
        if self.first_bad.is_none() {
            self.first_bad = Some(place.clone());
        }
        if self.bad_records <= SHOWN_PROBLEMS {
            eprintln!("spitzel-filter: {place}: {reason}");
        }
        if self.bad_records == SHOWN_PROBLEMS {
            eprintln!("spitzel-filter: too many bad lines; counting the rest");
        }
    }

    /// An input that could not be opened or read.
    pub(crate) fn io_error(&mut self, source: &str, line: Option<u64>, reason: &str) {
        self.io_errors += 1;
        match line {
            Some(line) => eprintln!("spitzel-filter: {source}:{line}: {reason}"),
            None => eprintln!("spitzel-filter: {source}: {reason}"),
        }
    }

    /// The closing line, when anything was skipped.
    pub fn finish(&self) {
        if self.bad_records > 0 {
            let first = self.first_bad.as_deref().unwrap_or("?");
            let plural = if self.bad_records == 1 { "" } else { "s" };
            eprintln!(
                "spitzel-filter: skipped {} bad record{plural} (first at {first})",
                self.bad_records
            );
        }
    }
}

/// The kind of a reason, for grouping in --stats: the text before any detail.
fn reason_kind(reason: &str) -> String {
    let kind = reason.split([':', '(']).next().unwrap_or(reason).trim();
    kind.to_string()
}

/// Totals for --stats.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    pub lines: u64,
    pub events: u64,
    pub matched: u64,
    pub no_time: u64,
    pub bytes: u64,
    /// --sigma with --stats: matches per rule, in load order.
    pub rule_hits: Vec<u64>,
    /// Files of directories left out unread.
    pub skipped_files: spitzel_input::Skipped,
}

pub fn print_stats(totals: &Totals, reporter: &Reporter, seconds: f64) {
    let mut skipped = String::new();
    for (kind, count) in &reporter.bad_by_reason {
        if !skipped.is_empty() {
            skipped.push_str(", ");
        }
        skipped.push_str(&format!("{kind} {count}"));
    }
    let rate = if seconds > 0.0 {
        totals.bytes as f64 / seconds / 1e6
    } else {
        0.0
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "spitzel-filter: stats: lines {}, events {}, matched {}, skipped {}{}, no eventTime {}, \
         bytes {}, {:.3} s, {:.1} MB/s",
        totals.lines,
        totals.events,
        totals.matched,
        reporter.bad_records,
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({skipped})")
        },
        totals.no_time,
        totals.bytes,
        seconds,
        rate
    );
    let files = &totals.skipped_files;
    if files.by_delivery + files.digests + files.other_names > 0 {
        let _ = writeln!(
            err,
            "spitzel-filter: stats: files not read: delivered before --from {}, digests {}, \
             other names {}",
            files.by_delivery, files.digests, files.other_names
        );
    }
}

/// What a directory walk reads, for the messages about names it skipped.
pub const INPUT_NAMES: &str = "*.json, *.jsonl, *.ndjson and their .gz";

/// The closing line about names of no input kind left out of directories,
/// when there are any. They do not change the exit status: a trail's tree
/// holds digests and READMEs.
pub fn print_skipped_names(totals: &Totals) {
    let files = &totals.skipped_files;
    if files.other_names == 0 {
        return;
    }
    eprintln!(
        "spitzel-filter: {} skipped in directories (not {INPUT_NAMES}): {}",
        names(files.other_names),
        files.other_list()
    );
}

/// `1 name`, `3 names`.
pub fn names(count: u64) -> String {
    match count {
        1 => "1 name".to_string(),
        n => format!("{n} names"),
    }
}
