//! spitzel-fetch against hostile input, set-up and signals (issue 10,
//! findings 13-19 and 21): a clear one-line error or a clean run, never a
//! panic, a hang or a silent loss.

use crate::support;

use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use spitzel_testsupport::stderr;
use support::emulator::{Emulator, Faults};
use support::*;

fn served() -> Emulator {
    Emulator::start(config_with(&["us-east-1"], 60, 3600))
}

fn with_faults(faults: Faults) -> Emulator {
    let mut config = config_with(&["us-east-1"], 60, 3600);
    config.faults = faults;
    Emulator::start(config)
}

fn fetch(emulator: &Emulator, extra: &[&str]) -> Output {
    Fetch::against(emulator)
        .args(["--region", "us-east-1", "--rate", "1000"])
        .args(extra)
        .output()
}

#[test]
fn huge_and_tiny_timeout_and_rate_are_usage_errors() {
    for (flag, value) in [
        ("--timeout", "1e30"),
        ("--timeout", "1e-30"),
        ("--timeout", "inf"),
        ("--rate", "1e-30"),
        ("--rate", "1e30"),
        ("--rate", "NaN"),
    ] {
        let out = Fetch::bare().args([flag, value]).output();
        assert_one_line_error(&out, 2, &[flag]);
    }
}

#[test]
fn control_characters_in_credentials_are_refused_up_front() {
    let emulator = served();
    let out = Fetch::against(&emulator)
        .env("AWS_ACCESS_KEY_ID", "AKIDFETCHTEST\r")
        .args(["--region", "us-east-1"])
        .output();
    assert_one_line_error(&out, 2, &["access key id", "carriage return"]);
    let out = Fetch::against(&emulator)
        .env("AWS_SESSION_TOKEN", "token\nsecond-line")
        .args(["--region", "us-east-1"])
        .output();
    assert_one_line_error(&out, 2, &["session token", "line feed"]);
    assert_eq!(emulator.counters().total_requests(), 0);
}

#[test]
fn a_repeating_next_token_stops_with_an_error() {
    let emulator = with_faults(Faults {
        repeat_token: true,
        ..Faults::default()
    });
    let out = fetch(&emulator, &[]);
    assert_one_line_error(&out, 2, &["us-east-1", "NextToken", "repeat"]);
    // The two pages got before the token came back, each event once.
    let ids = event_ids(&out.stdout);
    assert_eq!(ids.len(), 60, "{}", stderr(&out));
    assert_eq!(emulator.counters().total_requests(), 2);
}

#[test]
fn endless_empty_pages_stop_with_an_error() {
    let emulator = with_faults(Faults {
        endless_empty: true,
        ..Faults::default()
    });
    let out = fetch(&emulator, &[]);
    assert_one_line_error(&out, 2, &["us-east-1", "1000 pages in a row"]);
    assert_eq!(emulator.counters().total_requests(), 1000);
}

#[test]
fn output_to_devices_and_fifos_works() {
    let config = config_with(&["us-east-1"], 300, 3600);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let home = tempfile::tempdir().unwrap();
    // /dev/null: every page, no fsync failure.
    let out = fetch(&emulator, &["-o", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(emulator.counters().total_requests(), 6);
    // /dev/stdout, a pipe here.
    let out = fetch(&emulator, &["-o", "/dev/stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    // A FIFO read by another thread.
    let fifo = home.path().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = fetch(&emulator, &["-o", fifo.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_exactly_once(&event_ids(&reader.join().unwrap()), &expected);
}

#[test]
fn sigterm_and_sighup_save_the_checkpoint_like_ctrl_c() {
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let config = config_with(&["us-east-1"], 1000, 3600);
        let expected = all_events(&config);
        let emulator = Emulator::start(config);
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("events.ndjson");
        let checkpoint = dir.path().join("fetch.ckpt");
        let fetch = |rate: &str| {
            Fetch::against(&emulator)
                .args(["--region", "us-east-1", "--rate", rate])
                .output_file(&output)
                .checkpoint(&checkpoint)
        };
        let run = fetch("5").spawn();
        let began = std::time::Instant::now();
        while std::fs::read(&output).map(|b| b.len()).unwrap_or(0) == 0 {
            assert!(began.elapsed() < RUN_LIMIT, "no output");
            std::thread::sleep(Duration::from_millis(10));
        }
        run.signal(signal);
        let out = run.wait();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains("progress saved"), "{err}");
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
        let written = std::fs::read(&output).unwrap();
        assert_eq!(
            saved["written"],
            written.iter().filter(|&&b| b == b'\n').count() as u64
        );
        fetch("1000").succeeds();
        assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
    }
}

#[test]
fn a_response_body_past_the_cap_is_refused() {
    // 64 MiB is the cap; this page is a little more.
    let big = format!(
        r#"{{"Events":[{{"EventId":"x","CloudTrailEvent":"{}"}}]}}"#,
        "a".repeat(65 << 20)
    );
    let emulator = with_faults(Faults {
        body: Some(Arc::from(big.as_str())),
        ..Faults::default()
    });
    let out = fetch(&emulator, &[]);
    assert_one_line_error(&out, 2, &["us-east-1", "64 MiB"]);
    assert_eq!(emulator.counters().total_requests(), 1);
}

#[test]
fn a_malformed_200_body_says_what_is_wrong() {
    for (body, needle) in [
        ("<html>busy</html>", "not JSON"),
        (r#"{"Events":"notalist"}"#, "Events"),
        ("", "empty"),
    ] {
        let emulator = with_faults(Faults {
            body: Some(Arc::from(body)),
            ..Faults::default()
        });
        let out = fetch(&emulator, &[]);
        assert_one_line_error(&out, 2, &["us-east-1", "HTTP 200", needle]);
    }
}

#[test]
fn an_empty_chunked_200_does_not_end_paging_silently() {
    // Without a Content-Length the body's emptiness shows only once read.
    let emulator = with_faults(Faults {
        body: Some(Arc::from("")),
        chunked: true,
        ..Faults::default()
    });
    let out = fetch(&emulator, &[]);
    assert_one_line_error(&out, 2, &["us-east-1", "HTTP 200", "empty"]);
}

#[test]
fn a_chunked_body_past_the_cap_is_refused() {
    let big = format!(
        r#"{{"Events":[{{"EventId":"x","CloudTrailEvent":"{}"}}]}}"#,
        "a".repeat(65 << 20)
    );
    let emulator = with_faults(Faults {
        body: Some(Arc::from(big.as_str())),
        chunked: true,
        ..Faults::default()
    });
    let out = fetch(&emulator, &[]);
    assert_one_line_error(&out, 2, &["us-east-1", "64 MiB"]);
}

#[test]
fn a_cloudtrail_event_that_is_not_an_object_is_reported_and_skipped() {
    let mut config = config_with(&["us-east-1"], 120, 3600);
    let events = config.regions.get_mut("us-east-1").unwrap();
    for (i, bad) in ["{not json", "[1,2]", "\"\"", "", "{\"a\":1} x"]
        .iter()
        .enumerate()
    {
        events[i * 20].cloudtrail_event = bad.to_string();
    }
    events[110].omit_record = true;
    let bad_ids: Vec<String> = [0, 20, 40, 60, 80, 110]
        .iter()
        .map(|&i| events[i].event_id.clone())
        .collect();
    let good: Vec<_> = events
        .iter()
        .filter(|e| !bad_ids.contains(&e.event_id))
        .cloned()
        .collect();
    let emulator = Emulator::start(config);
    for envelope in [false, true] {
        let extra: &[&str] = if envelope { &["--envelope"] } else { &[] };
        let out = fetch(&emulator, extra);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        for id in &bad_ids {
            assert!(err.contains(id.as_str()), "{id} not reported: {err}");
        }
        assert!(err.contains("skipped 6 events"), "{err}");
        let ids: Vec<String> = if envelope {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v["EventId"].as_str().unwrap().to_string()
                })
                .collect()
        } else {
            event_ids(&out.stdout)
        };
        assert_exactly_once(&ids, &good);
    }
}

#[test]
fn credential_errors_give_the_real_cause() {
    let emulator = served();
    let home = tempfile::tempdir().unwrap();
    let creds = home.path().join("credentials");
    let cfgfile = home.path().join("config");
    let fetch = || {
        Fetch::against(&emulator)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .env("AWS_CONFIG_FILE", &cfgfile)
            .args(["--region", "us-east-1"])
    };
    // A malformed credentials file.
    std::fs::write(&creds, "[default\naws_access_key_id = AKID\n").unwrap();
    std::fs::write(&cfgfile, "").unwrap();
    let out = fetch().output();
    assert_one_line_error(&out, 2, &["credentials"]);
    assert!(
        stderr(&out).contains(&format!("{} on line 1", creds.display())),
        "{}",
        stderr(&out)
    );
    // A failing credential_process.
    std::fs::write(&creds, "").unwrap();
    std::fs::write(&cfgfile, "[default]\ncredential_process = false\n").unwrap();
    let out = fetch().output();
    assert_one_line_error(&out, 2, &["credential_process"]);
    // A profile that does not exist.
    std::fs::write(&cfgfile, "[profile real]\nregion = us-east-1\n").unwrap();
    let out = fetch().env("AWS_PROFILE", "nonexistent").output();
    assert_one_line_error(&out, 2, &["nonexistent"]);
    assert_eq!(emulator.counters().total_requests(), 0);
}

#[test]
fn an_invalid_endpoint_url_is_a_usage_error() {
    for url in [
        "not a url",
        "ftp://example.com",
        "http://",
        "http://host:port",
    ] {
        let out = Fetch::bare()
            .args(["--region", "us-east-1", "--endpoint-url", url])
            .output();
        assert_one_line_error(&out, 2, &["--endpoint-url"]);
    }
    let out = Fetch::bare()
        .env("AWS_ENDPOINT_URL_CLOUDTRAIL", "ftp://x")
        .args(["--region", "us-east-1"])
        .output();
    assert_one_line_error(&out, 2, &["AWS_ENDPOINT_URL_CLOUDTRAIL"]);
}

#[test]
fn an_all_regions_failure_is_one_clear_line() {
    // Nothing listens on this port.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = Fetch::bare()
        .args(["--all-regions", "--endpoint-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .output();
    assert_one_line_error(
        &out,
        2,
        &["list the account's regions", "connection refused"],
    );
    let err = stderr(&out);
    assert!(
        !err.contains("Some(") && !err.contains("ConnectorError"),
        "{err}"
    );
}

#[test]
fn half_an_access_key_names_the_missing_variable() {
    let emulator = served();
    for (keep, drop) in [
        ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
    ] {
        // With the instance metadata service enabled, as on a laptop: its
        // failure used to be the message.
        let out = Fetch::against(&emulator)
            .env_remove(drop)
            .env_remove("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
            .args(["--region", "us-east-1"])
            .output();
        assert_one_line_error(&out, 2, &[&format!("{keep} is set but {drop} is not")]);
        assert!(!stderr(&out).contains("IMDS"), "{}", stderr(&out));
    }
    assert_eq!(emulator.counters().total_requests(), 0);
}
