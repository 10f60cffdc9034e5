//! spitzel-filter behind `spitzel-fetch --follow`: fed one event a second
//! through a pipe, it writes each match while its input is still open,
//! with --match and with --sigma --annotate alike.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::util::Filter;

const RULE: &str = "title: Denied S3 read
id: 5b0e4d6c-4f55-4d7a-9a39-0d8f5b1e2a10
author: spitzel tests
status: test
level: high
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: s3.amazonaws.com
        errorCode: AccessDenied
    condition: selection
";

fn event(i: usize, denied: bool) -> String {
    let error = if denied {
        r#","errorCode":"AccessDenied""#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-03-14T10:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"live-{i}"{error}}}"#,
        i / 60 % 60,
        i % 60
    )
}

/// Feed six events a second apart, every other one a match, and require
/// each match on stdout before the next event is written; a generous
/// deadline only keeps a broken build from hanging.
fn passes_each_match_through(args: &[&str]) {
    let mut child = Filter::new()
        .args(args)
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn spitzel-filter");
    let mut input = child.stdin.take().unwrap();
    let (lines, arrived) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    for i in 0..6 {
        let denied = i % 2 == 0;
        writeln!(input, "{}", event(i, denied)).unwrap();
        input.flush().unwrap();
        if denied {
            let line = arrived
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("event {i} not passed through while stdin is open"));
            assert!(line.contains(&format!("\"live-{i}\"")), "{line}");
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    assert!(
        arrived.try_recv().is_err(),
        "a non-matching event was written"
    );
    drop(input);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn match_passes_each_line_through_while_the_input_is_open() {
    passes_each_match_through(&["--match", r#"$.errorCode == "AccessDenied""#]);
}

#[test]
fn sigma_passes_each_line_through_while_the_input_is_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("denied.yml"), RULE).unwrap();
    passes_each_match_through(&["--sigma", dir.path().to_str().unwrap(), "--annotate"]);
}
