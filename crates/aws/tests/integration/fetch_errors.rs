//! The errors users meet: one line each, never a backtrace, and the exit
//! status the issue asks for. Also --help and a closed stdout.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::Output;

use spitzel_testsupport::stderr;
use support::emulator::{Emulator, Faults};
use support::*;

/// Exit status, no output, and exactly one stderr line containing all of `needles`.
fn refused(out: &Output, code: i32, needles: &[&str]) {
    assert!(out.stdout.is_empty(), "unexpected output");
    assert_one_line_error(out, code, needles);
}

fn served() -> Emulator {
    Emulator::start(config_with(&["us-east-1"], 60, 3600))
}

#[test]
fn no_credentials() {
    let emulator = served();
    let out = Fetch::against(&emulator)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["--region", "us-east-1"])
        .output();
    refused(&out, 2, &["no AWS credentials", "--profile"]);
    assert_eq!(emulator.counters().total_requests(), 0);
}

#[test]
fn expired_token() {
    let mut config = config_with(&["us-east-1"], 60, 3600);
    config.expired_keys.insert(ACCESS_KEY.to_string());
    let emulator = Emulator::start(config);
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1"])
        .output();
    refused(&out, 2, &["us-east-1", "session token has expired"]);
}

#[test]
fn access_denied_names_the_permission() {
    let mut config = config_with(&["us-east-1"], 60, 3600);
    config.denied_keys.insert(ACCESS_KEY.to_string());
    let emulator = Emulator::start(config);
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1"])
        .output();
    refused(&out, 2, &["access denied", "cloudtrail:LookupEvents"]);
    let out = Fetch::against(&emulator).arg("--all-regions").output();
    refused(&out, 2, &["account:ListRegions"]);
}

#[test]
fn malformed_region_is_refused_before_any_request() {
    let emulator = served();
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1,moon-base"])
        .output();
    refused(&out, 2, &["unknown region 'moon-base'"]);
    assert_eq!(emulator.counters().total_requests(), 0);
}

#[test]
fn region_the_endpoint_does_not_serve() {
    let emulator = served();
    let out = Fetch::against(&emulator)
        .args(["--region", "eu-north-9"])
        .output();
    refused(
        &out,
        2,
        &["eu-north-9", "UnrecognizedClientException", "not enabled"],
    );
}

#[test]
fn no_region_at_all() {
    let emulator = served();
    let out = Fetch::against(&emulator).output();
    refused(&out, 2, &["no region", "--region"]);
}

#[test]
fn invalid_time_range() {
    let emulator = served();
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1"])
        .args([
            "--from",
            "2026-11-20T00:00:00Z",
            "--to",
            "2026-11-10T00:00:00Z",
        ])
        .output();
    refused(&out, 2, &["invalid time range"]);
    assert_eq!(emulator.counters().total_requests(), 0);
}

#[test]
fn endpoint_unreachable() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Fetch::bare()
        .args(["--region", "us-east-1", "--max-attempts", "3"])
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .output();
    refused(
        &out,
        2,
        &[
            "cannot reach",
            "connection refused",
            &format!("127.0.0.1:{port}"),
            "3 attempts",
        ],
    );
}

#[test]
fn server_errors_beyond_the_retry_bound_exit_2_naming_the_region_and_progress() {
    let mut config = config_with(&["us-east-1"], 1000, 3600);
    config.rate = 0.0;
    let emulator = Emulator::start(config);
    let mut run = Fetch::against(&emulator)
        .args([
            "--region",
            "us-east-1",
            "--rate",
            "4",
            "--max-attempts",
            "3",
        ])
        .spawn();
    // Once the first page is out, every request fails.
    let mut reader = BufReader::new(run.child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    emulator.set_faults(Faults {
        error_every: 1,
        ..Faults::default()
    });
    let rest = std::thread::spawn(move || {
        let mut rest = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut rest).unwrap();
        rest
    });
    let out = run.wait();
    let written = 1 + event_ids(&rest.join().unwrap()).len();
    assert!(written < 1000);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for needle in [
        "us-east-1",
        "gave up after 3 attempts",
        "HTTP 500 InternalFailure",
        "oldest eventTime written",
    ] {
        assert!(err.contains(needle), "'{needle}' not in: {err}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = Fetch::bare().args(["--lookup", "Colour=red"]).output();
    refused(&out, 2, &["unknown key 'Colour'", "EventSource"]);
    let out = Fetch::bare().args(["--rate", "0"]).output();
    refused(&out, 2, &["--rate"]);
    Fetch::bare().arg("--no-such-flag").exits(2);
}

#[test]
fn closed_stdout_ends_the_run_quietly() {
    let emulator = Emulator::start(config_with(&["us-east-1"], 3000, 3600));
    let mut run = Fetch::regions(&emulator, "us-east-1").spawn();
    // `| head -1`: read one line, then close the pipe.
    let mut reader = BufReader::new(run.child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("eventID"));
    drop(reader);
    let out = run.wait();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert!(
        emulator.counters().total_requests() < 60,
        "it kept fetching"
    );
}

#[test]
fn help_shows_the_set_up_the_policy_and_pipelines() {
    let long = Fetch::bare().arg("--help").exits(0);
    let text = String::from_utf8_lossy(&long.stdout);
    for needle in [
        "cloudtrail:LookupEvents",
        "account:ListRegions",
        "| spitzel-filter",
        "--checkpoint",
        "AWS_PROFILE",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}");
    }
    let short = Fetch::bare().arg("-h").output();
    assert!(String::from_utf8_lossy(&short.stdout).len() < text.len());
}

#[test]
fn from_older_than_90_days_warns_but_runs() {
    let config = config_with(&["us-east-1"], 60, 3600);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let out = Fetch::regions(&emulator, "us-east-1")
        .args(["--last", "120d"])
        .succeeds();
    assert!(stderr(&out).contains("warning: --from"), "{}", stderr(&out));
    assert!(stderr(&out).contains("90 days"));
    assert_exactly_once(&event_ids(&out.stdout), &expected);
}

#[test]
fn time_window_is_sent_to_the_server() {
    // Events over the last two hours; ask for the last 30 minutes only.
    let config = config_with(&["us-east-1"], 300, 7200);
    let newest = now_secs() - 60;
    let emulator = Emulator::start(config.clone());
    let out = Fetch::regions(&emulator, "us-east-1")
        .args(["--last-minute", "30"])
        .succeeds();
    let cutoff = now_secs() - 30 * 60;
    let ids = event_ids(&out.stdout);
    let inside: Vec<_> = all_events(&config)
        .into_iter()
        .filter(|e| e.event_time >= cutoff + 5)
        .collect();
    let outside = all_events(&config)
        .into_iter()
        .filter(|e| e.event_time < cutoff - 5)
        .filter(|e| ids.contains(&e.event_id))
        .count();
    assert!(newest > cutoff);
    assert_eq!(outside, 0, "events from before the window were written");
    for event in &inside {
        assert!(ids.contains(&event.event_id), "missing {}", event.event_id);
    }
}

#[test]
fn time_range_refused_by_the_server() {
    let mut config = config_with(&["us-east-1"], 60, 3600);
    config.earliest_start = Some(now_secs() - 100 * 86_400);
    let emulator = Emulator::start(config);
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1", "--last", "200d"])
        .exits(2);
    let err = stderr(&out);
    // The 90-day warning, then the error.
    let last = err.lines().last().unwrap_or_default();
    assert!(last.contains("us-east-1: invalid time range"), "{err}");
    assert!(last.contains("outside the range"), "{err}");
}

#[test]
fn the_emulator_requires_a_sigv4_authorization_header() {
    use std::io::{Read, Write};
    let emulator = served();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", emulator.port)).unwrap();
    let body = "{}";
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: CloudTrail_20131101.LookupEvents\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("MissingAuthenticationTokenException"),
        "{answer}"
    );
    assert_eq!(emulator.counters().total_requests(), 0);
}
