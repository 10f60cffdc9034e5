//! Resuming with --checkpoint: after a kill, after an expired NextToken,
//! after Ctrl-C; no event lost, none written twice.

use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use spitzel_testsupport::stderr;
use support::emulator::Emulator;
use support::*;

/// Start spitzel-fetch and wait until `output` holds at least `lines` lines.
fn start_and_wait_for(fetch: Fetch, output: &Path, lines: usize) -> Running {
    let mut run = fetch.spawn();
    let began = Instant::now();
    while lines_in(output) < lines {
        if let Some(status) = run.child.try_wait().unwrap() {
            panic!("finished early with {status}");
        }
        assert!(began.elapsed() < RUN_LIMIT, "no output");
        std::thread::sleep(Duration::from_millis(10));
    }
    run
}

/// A directory for a run's output and checkpoint, and their paths.
fn files() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("events.ndjson");
    let checkpoint = dir.path().join("fetch.ckpt");
    (dir, output, checkpoint)
}

#[test]
fn resume_after_a_kill_writes_every_event_once() {
    let config = config_with(&["us-east-1", "eu-west-1"], 700, 600);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let (_dir, output, checkpoint) = files();
    let lookups = ["--lookup", "ReadOnly=true", "--lookup", "Username=bob"];
    let fetch = || {
        Fetch::against(&emulator)
            .args(["--region", "us-east-1,eu-west-1", "--rate", "10"])
            .args(lookups)
            .output_file(&output)
            .checkpoint(&checkpoint)
    };
    let mut run = start_and_wait_for(fetch(), &output, 250);
    run.child.kill().unwrap(); // SIGKILL: no chance to tidy up
    run.child.wait().unwrap();
    let first_run = lines_in(&output);
    assert!(
        first_run < expected.len(),
        "the kill came too late to test anything"
    );
    let requests_before = emulator.counters().total_requests();

    fetch().succeeds();
    let wanted: Vec<_> = expected
        .iter()
        .filter(|e| e.read_only || e.username == "bob")
        .collect();
    assert_exactly_once(
        &event_ids(&std::fs::read(&output).unwrap()),
        wanted.iter().copied(),
    );
    // The second run continued rather than starting over: it needed fewer
    // requests than a fresh run of the same queries.
    let second_run_requests = emulator.counters().total_requests() - requests_before;
    let before_fresh = emulator.counters().total_requests();
    let fresh = Fetch::regions(&emulator, "us-east-1,eu-west-1")
        .args(lookups)
        .output();
    assert_eq!(event_ids(&fresh.stdout).len(), wanted.len());
    let fresh_requests = emulator.counters().total_requests() - before_fresh;
    assert!(
        second_run_requests < fresh_requests,
        "resumed run made {second_run_requests} requests, a fresh one {fresh_requests}"
    );
}

#[test]
fn an_expired_next_token_restarts_at_the_oldest_second_written() {
    // Many events per second, so pages end in the middle of a second.
    let config = config_with(&["us-east-1"], 600, 20);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let (_dir, output, checkpoint) = files();
    let fetch = || {
        Fetch::regions(&emulator, "us-east-1")
            .output_file(&output)
            .checkpoint(&checkpoint)
    };
    fetch().args(["--max-events", "120"]).succeeds();
    assert_eq!(lines_in(&output), 120);
    emulator.expire_tokens();
    fetch().succeeds();
    assert!(
        emulator.counters().invalid_tokens >= 1,
        "the saved token must have been refused"
    );
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
}

#[test]
fn a_page_cut_short_by_max_events_is_finished_on_resume() {
    let config = config_with(&["us-east-1"], 300, 30);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let (_dir, _, checkpoint) = files();
    let run = |extra: &[&str]| {
        Fetch::regions(&emulator, "us-east-1")
            .checkpoint(&checkpoint)
            .args(extra)
            .output()
    };
    // On stdout, in three runs: 77, then up to 160, then the rest.
    let first = run(&["--max-events", "77"]);
    let second = run(&["--max-events", "160"]);
    let third = run(&[]);
    let mut ids = event_ids(&first.stdout);
    assert_eq!(ids.len(), 77);
    ids.extend(event_ids(&second.stdout));
    assert_eq!(ids.len(), 160);
    ids.extend(event_ids(&third.stdout));
    assert_exactly_once(&ids, &expected);
}

#[test]
fn ctrl_c_saves_the_checkpoint_and_exits_130() {
    let config = config_with(&["us-east-1"], 1000, 3600);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let (_dir, output, checkpoint) = files();
    let fetch = || {
        Fetch::against(&emulator)
            .args(["--region", "us-east-1", "--rate", "5"])
            .output_file(&output)
            .checkpoint(&checkpoint)
    };
    let run = start_and_wait_for(fetch(), &output, 100);
    run.signal("INT");
    let out = run.wait();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("progress saved"), "{}", stderr(&out));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    let interrupted_lines = lines_in(&output);
    assert_eq!(saved["written"], interrupted_lines as u64);
    assert!(interrupted_lines < expected.len());

    fetch().args(["--rate", "50"]).succeeds();
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
}

#[test]
fn a_checkpoint_of_other_arguments_is_refused() {
    let config = config_with(&["us-east-1"], 60, 3600);
    let emulator = Emulator::start(config);
    let (_dir, _, checkpoint) = files();
    let run = |lookup: &str| {
        Fetch::regions(&emulator, "us-east-1")
            .args(["--lookup", lookup])
            .checkpoint(&checkpoint)
            .output()
    };
    assert_eq!(run("Username=alice").status.code(), Some(0));
    let out = run("Username=bob");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("other arguments"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
