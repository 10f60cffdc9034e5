//! spitzel-filter behind `spitzel-fetch --follow`: fed one event a second
//! through a pipe, it writes each match while its input is still open,
//! with --match and with --sigma --annotate alike, and with --live a
//! correlation's hit as soon as it fires.

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

/// spitzel-filter running with its stdin and stdout piped here: each
/// stdout line arrives on `arrived` as it is written.
struct Piped {
    child: std::process::Child,
    input: Option<std::process::ChildStdin>,
    arrived: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
}

impl Piped {
    fn spawn(args: &[&str]) -> Piped {
        let mut child = Filter::new()
            .args(args)
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn spitzel-filter");
        let input = child.stdin.take();
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
        Piped {
            child,
            input,
            arrived,
            reader,
        }
    }

    /// Write one line and flush it.
    fn feed(&mut self, line: &str) {
        let input = self.input.as_mut().expect("stdin still open");
        writeln!(input, "{line}").unwrap();
        input.flush().unwrap();
    }

    /// The next stdout line, which must come while stdin is open; a
    /// generous deadline only keeps a broken build from hanging.
    fn next_line(&self, what: &str) -> String {
        assert!(self.input.is_some());
        self.arrived
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{what}: not written while stdin is open"))
    }

    /// Close stdin: the lines written after it, the exit code and stderr.
    fn close(mut self) -> (Vec<String>, Option<i32>, String) {
        drop(self.input.take());
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            use std::io::Read;
            let _ = err.read_to_string(&mut stderr);
        }
        let status = self.child.wait().unwrap();
        self.reader.join().unwrap();
        (self.arrived.try_iter().collect(), status.code(), stderr)
    }
}

/// Feed six events a second apart, every other one a match, and require
/// each match on stdout before the next event is written.
fn passes_each_match_through(args: &[&str]) {
    let mut piped = Piped::spawn(args);
    for i in 0..6 {
        let denied = i % 2 == 0;
        piped.feed(&event(i, denied));
        if denied {
            let line = piped.next_line(&format!("event {i}"));
            assert!(line.contains(&format!("\"live-{i}\"")), "{line}");
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let (after, status, stderr) = piped.close();
    assert!(
        after.is_empty(),
        "a non-matching event was written: {after:?}"
    );
    assert_eq!(status, Some(0), "{stderr}");
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

const LOGINS: &str = "title: Failed console login
id: id-failed
name: failed
author: spitzel tests
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
    condition: selection
---
title: Three failed logins from one address
id: id-brute
author: spitzel tests
level: high
correlation:
    type: event_count
    rules:
        - failed
    group-by:
        - sourceIPAddress
    timespan: 5m
    condition:
        gte: 3
---
title: Fewer than two logins from one address
id: id-few
author: spitzel tests
level: low
correlation:
    type: event_count
    rules:
        - failed
    group-by:
        - sourceIPAddress
    timespan: 5m
    condition:
        lt: 2
";

fn login(i: usize, ip: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-03-14T10:00:{i:02}Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"login-{i}","sourceIPAddress":"{ip}"}}"#
    )
}

fn ids(line: &serde_json::Value) -> Vec<&str> {
    line["eventIDs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|id| id.as_str())
        .collect()
}

/// With --live a gte correlation fires at the event that meets it, while
/// stdin is open, its later events follow one by one, and the lt one is
/// decided when stdin closes.
#[test]
fn live_correlation_fires_while_the_input_is_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logins.yml"), LOGINS).unwrap();
    let rules = dir.path().to_str().unwrap();
    let mut piped = Piped::spawn(&["--sigma", rules, "--live", "--annotate", "--stats"]);
    let titles = |line: &str| -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        value["sigma"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for i in 0..2 {
        piped.feed(&login(i, "a"));
        std::thread::sleep(Duration::from_secs(1));
    }
    // The third login meets gte 3: its frame's three events go out.
    piped.feed(&login(2, "a"));
    for i in 0..3 {
        let line = piped.next_line(&format!("the hit's event {i}"));
        assert!(line.contains(&format!("\"login-{i}\"")), "{line}");
        assert_eq!(titles(&line), ["id-brute"], "{line}");
    }
    std::thread::sleep(Duration::from_secs(1));
    // A later event of the same frame follows on its own.
    piped.feed(&login(3, "a"));
    let line = piped.next_line("the event joining the hit");
    assert!(line.contains("\"login-3\""), "{line}");
    std::thread::sleep(Duration::from_secs(1));
    piped.feed(&login(4, "b"));
    std::thread::sleep(Duration::from_secs(1));
    let (after, status, stderr) = piped.close();
    // Address b's single login: the lt correlation's hit, decided at the
    // end; a's events were written already and are not written again.
    assert_eq!(after.len(), 1, "{after:?}");
    assert!(after[0].contains("\"login-4\""), "{after:?}");
    assert_eq!(titles(&after[0]), ["id-few"]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.contains("correlation 1 hits id-brute [high] Three failed logins from one address (event_count, fired live 1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(event_count, decided at the end of the input)"),
        "{stderr}"
    );
}

/// --sigma-alerts --live: one alert line when the hit first fires, none
/// when it grows.
#[test]
fn live_alert_fires_once_while_the_input_is_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logins.yml"), LOGINS).unwrap();
    let rules = dir.path().to_str().unwrap();
    let mut piped = Piped::spawn(&["--sigma", rules, "--live", "--sigma-alerts"]);
    for i in 0..2 {
        piped.feed(&login(i, "a"));
        std::thread::sleep(Duration::from_secs(1));
    }
    piped.feed(&login(2, "a"));
    let line = piped.next_line("the alert");
    let alert: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(alert["id"], "id-brute");
    assert_eq!(alert["count"], 3);
    assert_eq!(ids(&alert), ["login-0", "login-1", "login-2"]);
    assert_eq!(alert["first"], "2026-03-14T10:00:00Z");
    assert_eq!(alert["last"], "2026-03-14T10:00:02Z");
    piped.feed(&login(3, "a"));
    std::thread::sleep(Duration::from_secs(1));
    let (after, status, stderr) = piped.close();
    assert_eq!(status, Some(0), "{stderr}");
    // Only the lt correlation's alerts come at the end (its last frame
    // of each address holds one login).
    let after: Vec<serde_json::Value> = after
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!after.is_empty());
    assert!(
        after.iter().all(|alert| alert["id"] == "id-few"),
        "{after:?}"
    );
}

/// A detection rule `name` for one eventName, for the cases below.
fn detection(name: &str, event_name: &str) -> String {
    format!(
        "title: {name}\nname: {name}\nlogsource: {{product: aws, service: cloudtrail}}\ndetection: {{s: {{eventName: {event_name}}}, condition: s}}\n"
    )
}

fn call(id: &str, second: u32, name: &str, ip: &str, user: &str) -> String {
    format!(
        r#"{{"eventTime":"2026-03-14T10:00:{second:02}Z","eventSource":"iam.amazonaws.com","eventName":"{name}","eventID":"{id}","sourceIPAddress":"{ip}","userName":"{user}"}}"#
    )
}

/// Every monotone type, and a chain of two, fires at the event that
/// completes it while stdin stays open (no pause needed between events:
/// only that the lines come before stdin closes).
#[test]
fn every_monotone_type_fires_while_the_input_is_open() {
    let rules = [
        detection("failed", "ConsoleLogin"),
        detection("user", "CreateUser"),
        detection("attach", "AttachUserPolicy"),
        detection("trail", "DeleteTrail"),
    ]
    .join("---\n");
    let cases = [
        (
            "type: value_count, rules: [failed], group-by: [sourceIPAddress], timespan: 1m, condition: {field: userName, gt: 1}",
            vec![
                call("a", 1, "ConsoleLogin", "ip", "alice"),
                call("b", 2, "ConsoleLogin", "ip", "alice"),
                call("c", 3, "ConsoleLogin", "ip", "bob"),
            ],
        ),
        (
            "type: temporal, rules: [user, attach], group-by: [userName], timespan: 1m",
            vec![
                call("a", 5, "AttachUserPolicy", "ip", "bob"),
                call("b", 1, "CreateUser", "ip", "bob"),
            ],
        ),
        (
            "type: temporal_ordered, rules: [failed, user, attach], group-by: [sourceIPAddress], timespan: 1m",
            vec![
                call("a", 1, "ConsoleLogin", "ip", "x"),
                call("b", 2, "CreateUser", "ip", "x"),
                call("c", 3, "AttachUserPolicy", "ip", "x"),
            ],
        ),
    ];
    for (body, events) in cases {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{rules}---\ntitle: live\ncorrelation: {{{body}}}\n");
        std::fs::write(dir.path().join("rules.yml"), text).unwrap();
        let mut piped = Piped::spawn(&["--sigma", dir.path().to_str().unwrap(), "--live"]);
        for event in &events {
            piped.feed(event);
        }
        let mut ids: Vec<String> = (0..events.len())
            .map(|_| {
                let line = piped.next_line(body);
                let value: serde_json::Value = serde_json::from_str(&line).unwrap();
                value["eventID"].as_str().unwrap().to_owned()
            })
            .collect();
        ids.sort();
        let expected: Vec<String> = ["a", "b", "c"][..events.len()]
            .iter()
            .map(|id| id.to_string())
            .collect();
        assert_eq!(ids, expected, "{body}");
        let (after, status, stderr) = piped.close();
        assert!(after.is_empty(), "{body}: {after:?}");
        assert_eq!(status, Some(0), "{body}: {stderr}");
    }
    // A chain: two failed logins (the inner one, which writes nothing of
    // its own) then a DeleteTrail from the same address.
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{rules}---\ntitle: brute\nname: brute\ncorrelation: {{type: event_count, rules: [failed], group-by: [sourceIPAddress], timespan: 1m, condition: {{gte: 2}}}}\n---\ntitle: then trail\ncorrelation: {{type: temporal_ordered, rules: [brute, trail], group-by: [sourceIPAddress], timespan: 5m}}\n"
    );
    std::fs::write(dir.path().join("rules.yml"), text).unwrap();
    let mut piped = Piped::spawn(&[
        "--sigma",
        dir.path().to_str().unwrap(),
        "--live",
        "--sigma-alerts",
    ]);
    piped.feed(&call("a", 1, "ConsoleLogin", "ip", "x"));
    piped.feed(&call("b", 2, "ConsoleLogin", "ip", "x"));
    piped.feed(&call("c", 9, "DeleteTrail", "ip", "x"));
    let alert: serde_json::Value = serde_json::from_str(&piped.next_line("the chain")).unwrap();
    assert_eq!(alert["title"], "then trail");
    assert_eq!(ids(&alert), ["a", "b", "c"]);
    let (after, status, stderr) = piped.close();
    assert!(after.is_empty(), "{after:?}");
    assert_eq!(status, Some(0), "{stderr}");
}
