//! The filter and `--emit-sql` read a regex through the one front end: for
//! every pattern of the regex tests, `spitzel-filter -m '$.x regex "P"'`
//! accepts it exactly when `--emit-sql spark` does not refuse it as invalid
//! (with the filter's own words), and Spark is refused an accepted pattern
//! only for a construct README lists as refused everywhere.

use crate::regex_patterns::generated_and_listed;
use spitzel_testsupport::{output_within, stderr};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The refusals of a valid pattern for every dialect, as `--emit-sql` words
/// them, each with the words README's "Refused everywhere" uses for it.
const REFUSED_EVERYWHERE: [(&str, &str); 4] = [
    ("regex backreference in ", "backreferences"),
    ("regex word boundary \\b or \\B ", "`\\b`"),
    ("regex multi-line anchor (?m) ", "`(?m)`"),
    (
        "regex atomic group or possessive quantifier in ",
        "atomic groups and possessive quantifiers",
    ),
];

/// `pattern` as a string literal of the match language.
fn literal(pattern: &str) -> String {
    let mut out = String::from("\"");
    for c in pattern.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn filter(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spitzel-filter"));
    command.args(args).stdin(Stdio::null());
    output_within(&mut command, Duration::from_secs(120))
}

/// What is wrong with the two readings of `pattern`, if anything.
fn disagreement(pattern: &str) -> Option<String> {
    let expression = format!("$.x regex {}", literal(pattern));
    let filtered = filter(&["-m", &expression]);
    let emitted = filter(&[
        "--emit-sql",
        "spark",
        "-i",
        "events.ndjson",
        "-m",
        &expression,
    ]);
    let (filter_err, sql_err) = (stderr(&filtered), stderr(&emitted));
    let accepted = filtered.status.code() != Some(2);
    if !accepted {
        return (emitted.status.code() != Some(2) || sql_err != filter_err).then(|| {
            format!("{pattern:?}: the filter refuses ({filter_err:?}), spark says {sql_err:?}")
        });
    }
    match emitted.status.code() {
        Some(0) => None,
        Some(2)
            if REFUSED_EVERYWHERE
                .iter()
                .any(|(construct, _)| sql_err.contains(construct)) =>
        {
            None
        }
        _ => Some(format!(
            "{pattern:?}: the filter accepts ({filter_err:?}), spark refuses: {sql_err:?}"
        )),
    }
}

#[test]
fn spark_refuses_a_pattern_only_where_the_filter_does_or_readme_says() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let listed = readme
        .split("Refused everywhere: JSONPath filters")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("README's --emit-sql paragraph 'Refused everywhere'");
    for (_, words) in REFUSED_EVERYWHERE {
        assert!(
            listed.contains(words),
            "README does not list {words}: {listed}"
        );
    }

    let patterns = generated_and_listed();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = patterns.len().div_ceil(threads);
    let differences: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = patterns
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|p| disagreement(p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(
        differences.is_empty(),
        "{} of {} patterns read differently:\n{}",
        differences.len(),
        patterns.len(),
        differences.join("\n")
    );
}
