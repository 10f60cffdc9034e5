//! Resuming with --checkpoint: after a kill, after an expired NextToken,
//! after Ctrl-C; no event lost, none written twice.

use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::emulator::Emulator;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

fn lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Start spitzel-fetch and wait until `output` holds at least `lines` lines.
fn start_and_wait_for(command: &mut Command, output: &Path, lines: usize) -> std::process::Child {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let began = Instant::now();
    while lines_in(output) < lines {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("finished early with {status}");
        }
        assert!(began.elapsed() < LIMIT, "no output");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

#[test]
fn resume_after_a_kill_writes_every_event_once() {
    let config = config_with(&["us-east-1", "eu-west-1"], 700, 600);
    let expected = all_events(&config);
    let emulator = Emulator::start(config);
    let home = tempfile::tempdir().unwrap();
    let output = home.path().join("events.ndjson");
    let checkpoint = home.path().join("fetch.ckpt");
    let command = || {
        let mut c = fetch_command(&emulator, home.path());
        c.args(["--region", "us-east-1,eu-west-1", "--rate", "10"])
            .args(["--lookup", "ReadOnly=true", "--lookup", "Username=bob"])
            .arg("-o")
            .arg(&output)
            .arg("--checkpoint")
            .arg(&checkpoint);
        c
    };
    let mut child = start_and_wait_for(&mut command(), &output, 250);
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();
    let first_run = lines_in(&output);
    assert!(
        first_run < expected.len(),
        "the kill came too late to test anything"
    );
    let requests_before = emulator.counters().total_requests();

    let out = run_with_limit(&mut command(), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_text(&out));
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
    let fresh = run_with_limit(
        fetch_command(&emulator, home.path())
            .args(["--region", "us-east-1,eu-west-1", "--rate", "50"])
            .args(["--lookup", "ReadOnly=true", "--lookup", "Username=bob"]),
        LIMIT,
    );
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
    let home = tempfile::tempdir().unwrap();
    let output = home.path().join("events.ndjson");
    let checkpoint = home.path().join("fetch.ckpt");
    let command = |extra: &[&str]| {
        let mut c = fetch_command(&emulator, home.path());
        c.args(["--region", "us-east-1", "--rate", "50"])
            .arg("-o")
            .arg(&output)
            .arg("--checkpoint")
            .arg(&checkpoint)
            .args(extra);
        c
    };
    let out = run_with_limit(&mut command(&["--max-events", "120"]), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_text(&out));
    assert_eq!(lines_in(&output), 120);
    emulator.expire_tokens();
    let out = run_with_limit(&mut command(&[]), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_text(&out));
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
    let home = tempfile::tempdir().unwrap();
    let checkpoint = home.path().join("fetch.ckpt");
    let run = |extra: &[&str]| {
        run_with_limit(
            fetch_command(&emulator, home.path())
                .args(["--region", "us-east-1", "--rate", "50", "--checkpoint"])
                .arg(&checkpoint)
                .args(extra),
            LIMIT,
        )
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
    let home = tempfile::tempdir().unwrap();
    let output = home.path().join("events.ndjson");
    let checkpoint = home.path().join("fetch.ckpt");
    let command = || {
        let mut c = fetch_command(&emulator, home.path());
        c.args(["--region", "us-east-1", "--rate", "5", "-o"])
            .arg(&output)
            .arg("--checkpoint")
            .arg(&checkpoint);
        c
    };
    let child = start_and_wait_for(&mut command(), &output, 100);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = wait_with_limit(child, LIMIT);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_text(&out));
    assert!(
        stderr_text(&out).contains("progress saved"),
        "{}",
        stderr_text(&out)
    );
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    let interrupted_lines = lines_in(&output);
    assert_eq!(saved["written"], interrupted_lines as u64);
    assert!(interrupted_lines < expected.len());

    let out = run_with_limit(command().args(["--rate", "50"]), LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_text(&out));
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
}

#[test]
fn a_checkpoint_of_other_arguments_is_refused() {
    let config = config_with(&["us-east-1"], 60, 3600);
    let emulator = Emulator::start(config);
    let home = tempfile::tempdir().unwrap();
    let checkpoint = home.path().join("fetch.ckpt");
    let run = |lookup: &str| {
        run_with_limit(
            fetch_command(&emulator, home.path())
                .args([
                    "--region",
                    "us-east-1",
                    "--rate",
                    "50",
                    "--lookup",
                    lookup,
                    "--checkpoint",
                ])
                .arg(&checkpoint),
            LIMIT,
        )
    };
    assert_eq!(run("Username=alice").status.code(), Some(0));
    let out = run("Username=bob");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr_text(&out);
    assert!(err.contains("other arguments"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
