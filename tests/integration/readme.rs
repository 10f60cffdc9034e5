//! README.md keeps its promises: the set-up commands are the ones CI runs,
//! and the quick start prints exactly what it shows.

use spitzel_testsupport::stderr;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

/// The lines of the first fenced block after `marker`.
fn block_after(text: &str, marker: &str) -> Vec<String> {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("README lacks {marker:?}"));
    let mut lines = text[start..].lines().skip_while(|l| !l.starts_with("```"));
    lines.next();
    lines
        .take_while(|l| !l.starts_with("```"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn set_up_and_test_are_two_commands_and_ci_runs_the_same_test_command() {
    let commands = block_after(&readme(), "## Set up and test");
    assert_eq!(commands, ["cargo build --release", "cargo test"]);
    let ci = std::fs::read_to_string(repo().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim_start().starts_with("cargo test")),
        ".ci/run does not run the README's test command"
    );
}

#[test]
fn sections_come_in_the_promised_order() {
    let text = readme();
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
    let wanted = [
        "## Why",
        "## Install",
        "## Set up and test",
        "## Quick start",
        "## The match language",
        "## Action globs",
        "## Time formats",
        "## Input formats",
        "## Fetching from AWS",
        "## Performance",
        "## Design",
        "## What changed from the Python original",
        "## Licence",
    ];
    let positions: Vec<usize> = wanted
        .iter()
        .map(|w| {
            headings
                .iter()
                .position(|h| h == w)
                .unwrap_or_else(|| panic!("README lacks {w}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "README sections out of order: {headings:?}"
    );
}

/// One `$ command` of the quick start (continuation lines joined) and the
/// output the README shows for it.
struct Example {
    command: String,
    output: String,
}

fn quick_start() -> Vec<Example> {
    let block = block_after(&readme(), "tests/integration/readme.rs");
    let mut examples: Vec<Example> = Vec::new();
    // Whether the last command line ended in a backslash.
    let mut continued = false;
    for line in block {
        if let Some(command) = line.strip_prefix("$ ") {
            examples.push(Example {
                command: command.to_owned(),
                output: String::new(),
            });
            continued = line.ends_with('\\');
            continue;
        }
        let Some(last) = examples.last_mut() else {
            panic!("quick start block starts with output: {line}");
        };
        if continued {
            last.command.push('\n');
            last.command.push_str(&line);
            continued = line.ends_with('\\');
        } else {
            last.output.push_str(&line);
            last.output.push('\n');
        }
    }
    assert!(
        examples.len() >= 3,
        "quick start block not found or too short"
    );
    examples
}

fn has_jq() -> bool {
    Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn quick_start_prints_what_the_readme_shows() {
    let binary = Path::new(env!("CARGO_BIN_EXE_spitzel-filter"));
    let bin_dir = binary.parent().expect("binary directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let jq = has_jq();
    for example in quick_start() {
        if example.command.contains("| jq") && !jq {
            eprintln!("skipped (jq not found): {}", example.command);
            continue;
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -eo pipefail\n{}", example.command))
            .current_dir(repo())
            .env("PATH", &path)
            .output()
            .expect("run sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}\nfailed: {}",
            example.command,
            stderr(&out)
        );
        assert_eq!(stdout, example.output, "output of {}", example.command);
    }
}
