//! Every numeric option at absurd values, in both sources: each is a usage
//! error of one line, checked before any request (there is no endpoint to
//! send one to), never a panic.

use crate::support::*;
use spitzel_testsupport::stderr;

/// Values no option accepts, whatever its type.
const ABSURD: [&str; 9] = [
    "-1",
    "1e300",
    "-1e300",
    "1e-300",
    "NaN",
    "inf",
    "-inf",
    "99999999999999999999999",
    "",
];

/// Each numeric option, and whether 0 is in its range (`--max-events 0`
/// writes nothing, like `head -n 0`; `--last-minute 0` is an empty window).
const NUMERIC: [(&str, bool); 7] = [
    ("--rate", false),
    ("--timeout", false),
    ("--max-attempts", false),
    ("--concurrency", false),
    ("--max-events", true),
    ("--last-minute", true),
    ("--last", false),
];

#[test]
fn absurd_numeric_values_are_one_line_usage_errors_in_both_modes() {
    for (option, zero_ok) in NUMERIC {
        let mut values: Vec<&str> = ABSURD.to_vec();
        if !zero_ok {
            values.push("0");
        }
        // --last takes a duration: huge or signed ones are as absurd.
        if option == "--last" {
            values.extend(["99999999999999999999d", "-5d", "1e300d"]);
        }
        for mode in ["lookup", "s3"] {
            // --concurrency belongs to --s3; clap refuses it without.
            if option == "--concurrency" && mode == "lookup" {
                continue;
            }
            for value in &values {
                let mut fetch = Fetch::bare()
                    .arg(format!("{option}={value}"))
                    .args(["--region", "us-east-1"]);
                if mode == "s3" {
                    fetch = fetch.args(["--s3", "s3://bucket"]);
                }
                let out = fetch.output();
                let context = format!("{mode} {option}={value}");
                let err = stderr(&out);
                assert_eq!(out.status.code(), Some(2), "{context}: {err}");
                assert_eq!(err.lines().count(), 1, "{context}: {err}");
                assert!(
                    err.starts_with("spitzel-fetch: ") && err.contains(option),
                    "{context}: {err}"
                );
                assert!(!err.contains("panicked"), "{context}: {err}");
                assert!(err.len() < 300, "{context}: a short line: {err}");
                assert!(out.stdout.is_empty(), "{context}");
            }
        }
    }
}

#[test]
fn the_s3_source_takes_the_timeout_range_of_lookup_events() {
    // 1e300 panicked converting to a duration; 1e-300 and 100000 were
    // accepted by --s3 alone.
    for value in ["1e300", "1e-300", "100000"] {
        let out = Fetch::bare()
            .args(["--s3", "s3://bucket", "--timeout", value])
            .output();
        assert_one_line_error(&out, 2, &["--timeout", "from 0.001 to 86400"]);
    }
    let out = Fetch::bare()
        .args(["--s3", "s3://bucket", "--timeout", "1e300"])
        .output();
    assert!(stderr(&out).contains("--timeout 1e300:"));
}
