//! --follow against the emulator's clock: events appear in the API up to
//! ten minutes after their eventTime, out of order, while the clock runs
//! 120 times as fast as the real one. Every event is written exactly once,
//! across a SIGINT and a resume too, and a closed pipe ends the follow with 0.

use crate::support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use spitzel_testsupport::stderr;
use support::emulator::{Emulator, EmulatorConfig, FakeEvent, Rng, SimClock, synthetic_events};
use support::*;

const SPEED: f64 = 120.0;
/// Longest delivery delay of the emulator, seconds of its clock.
const MOST_DELAY: f64 = 600.0;

/// One event a second of the emulator's clock in each region, from ten
/// minutes before its start to `minutes` after, each shown after a delay
/// of up to MOST_DELAY (most within a fifth of it, as CloudTrail's).
fn live_config(regions: &[&str], minutes: i64) -> (EmulatorConfig, f64) {
    let origin = now_secs() as f64;
    let mut config = EmulatorConfig {
        rate: 20.0,
        clock: Some(SimClock {
            origin,
            speed: SPEED,
        }),
        ..EmulatorConfig::default()
    };
    for (i, region) in regions.iter().enumerate() {
        let span = 600 + minutes * 60;
        let mut events = synthetic_events(
            region,
            span as usize,
            31 + i as u64,
            origin as i64 + minutes * 60,
            span,
        );
        let mut rng = Rng::new(97 + i as u64);
        for event in &mut events {
            let most = if rng.below(5) == 0 {
                MOST_DELAY
            } else {
                MOST_DELAY / 5.0
            };
            event.delay = rng.below(most as u64 + 1) as f64;
        }
        config.regions.insert(region.to_string(), events);
    }
    (config, origin)
}

/// When the emulator's clock has shown every event of `events`.
fn all_shown_at(events: &[FakeEvent]) -> f64 {
    events
        .iter()
        .map(|e| e.event_time as f64 + e.delay)
        .fold(f64::MIN, f64::max)
}

fn follow(emulator: &Emulator, regions: &str) -> Fetch {
    Fetch::against(emulator).args([
        "--region",
        regions,
        "--rate",
        "20",
        "--follow",
        "--poll-interval",
        "0.2",
    ])
}

/// Wait until the emulator has shown everything and `output` holds
/// `lines` lines, or the run ended or took too long.
fn wait_for_all(
    emulator: &Emulator,
    run: &mut Running,
    output: &Path,
    shown_at: f64,
    lines: usize,
) {
    let limit = Instant::now()
        + Duration::from_secs_f64((shown_at - emulator.now()).max(0.0) / SPEED)
        + RUN_LIMIT;
    while emulator.now() < shown_at || lines_in(output) < lines {
        if let Some(status) = run.child.try_wait().unwrap() {
            panic!("the follow ended by itself with {status}");
        }
        if Instant::now() > limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn follow_writes_each_event_of_a_simulated_hour_once() {
    let (config, _) = live_config(&["us-east-1", "eu-west-1"], 60);
    let (emulator, expected) = serve(config);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("live.ndjson");
    let mut run = follow(&emulator, "us-east-1,eu-west-1")
        .output_file(&output)
        .spawn();
    wait_for_all(
        &emulator,
        &mut run,
        &output,
        all_shown_at(&expected),
        expected.len(),
    );
    run.signal("INT");
    let out = run.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
    // Late events were seen and reported, per region.
    let err = stderr(&out);
    assert!(err.contains("us-east-1: followed, lag"), "{err}");
    assert!(!err.contains(" 0 late"), "{err}");
}

#[test]
fn a_follow_interrupted_and_resumed_writes_each_event_once() {
    let (config, origin) = live_config(&["us-east-1"], 20);
    let (emulator, expected) = serve(config);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("live.ndjson");
    let checkpoint = dir.path().join("live.ckpt");
    let fetch = || {
        follow(&emulator, "us-east-1")
            .output_file(&output)
            .checkpoint(&checkpoint)
    };
    // Interrupted seven minutes into the emulator's clock, with events of
    // the trailing window still to come.
    let mut first = fetch().spawn();
    wait_for_all(&emulator, &mut first, &output, origin + 420.0, 0);
    first.signal("INT");
    let out = first.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("progress saved to"),
        "{}",
        stderr(&out)
    );
    let written_first = lines_in(&output);
    assert!(written_first > 0 && written_first < expected.len());

    let mut second = fetch().spawn();
    wait_for_all(
        &emulator,
        &mut second,
        &output,
        all_shown_at(&expected),
        expected.len(),
    );
    second.signal("INT");
    let out = second.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
}

#[test]
fn a_follow_of_two_queries_writes_their_union_once() {
    let (config, _) = live_config(&["us-east-1"], 20);
    let (emulator, events) = serve(config);
    let expected: Vec<&FakeEvent> = events
        .iter()
        .filter(|e| e.read_only || e.username == "bob")
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("live.ndjson");
    let mut run = follow(&emulator, "us-east-1")
        .args(["--lookup", "ReadOnly=true", "--lookup", "Username=bob"])
        .output_file(&output)
        .spawn();
    wait_for_all(
        &emulator,
        &mut run,
        &output,
        all_shown_at(&events),
        expected.len(),
    );
    run.signal("INT");
    let out = run.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_exactly_once(
        &event_ids(&std::fs::read(&output).unwrap()),
        expected.iter().copied(),
    );
}

#[test]
fn a_closed_pipe_ends_the_follow_with_0() {
    let (config, _) = live_config(&["us-east-1"], 20);
    let (emulator, _) = serve(config);
    let mut run = follow(&emulator, "us-east-1").spawn();
    let stdout = run.child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..3 {
        let line = lines.next().expect("a line").unwrap();
        assert!(line.starts_with('{'), "{line}");
    }
    drop(lines); // as `| head -n 3` does
    let out = run.wait();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn follow_options_are_checked() {
    let emulator = Emulator::start(EmulatorConfig::default());
    let out = Fetch::against(&emulator)
        .args(["--follow", "--trailing-window", "0"])
        .exits(2);
    assert_one_line_error(&out, 2, &["--trailing-window 0", "minutes"]);
    let out = Fetch::against(&emulator)
        .args(["--follow", "--to", "2026-01-01"])
        .exits(2);
    assert_one_line_error(&out, 2, &["--follow", "--to"]);
    // --s3 follows too (fetch_s3_follow.rs), and with the same checks.
    let out = Fetch::against(&emulator)
        .args([
            "--follow",
            "--s3",
            "s3://trail-bucket",
            "--to",
            "2026-01-01",
        ])
        .exits(2);
    assert_one_line_error(&out, 2, &["--follow", "--to"]);
    let out = Fetch::against(&emulator)
        .args([
            "--follow",
            "--s3",
            "s3://trail-bucket",
            "--poll-interval",
            "4000",
        ])
        .exits(2);
    assert_one_line_error(&out, 2, &["--poll-interval"]);
    let out = Fetch::against(&emulator)
        .args(["--poll-interval", "5"])
        .exits(2);
    assert_one_line_error(&out, 2, &["required", "--follow"]);
}

/// A reader that goes away while nothing new comes: the follow writes
/// nothing to notice it by, and still ends (status 0, nothing said) instead
/// of polling on for nobody.
#[test]
fn a_pipe_closed_while_idle_ends_the_follow_with_0() {
    let (emulator, events) = serve(config_with(&["us-east-1"], 5, 600));
    let mut run = follow(&emulator, "us-east-1").spawn();
    let stdout = run.child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..events.len() {
        let line = lines.next().expect("a line").unwrap();
        assert!(line.starts_with('{'), "{line}");
    }
    drop(lines);
    let out = run.wait();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
