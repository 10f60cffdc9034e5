//! Data-loss findings of issue 10 for spitzel-fetch: an output that is the
//! checkpoint, and pages that do not come newest first.

use crate::support;

use std::time::Duration;

use spitzel_testsupport::stderr;
use support::emulator::{Emulator, PageOrder};
use support::*;

#[test]
fn output_and_checkpoint_naming_one_file_are_refused() {
    let emulator = Emulator::start(config_with(&["us-east-1"], 60, 3600));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("existing"), "keep me\n").unwrap();
    std::os::unix::fs::symlink(dir.join("existing"), dir.join("link")).unwrap();
    std::fs::hard_link(dir.join("existing"), dir.join("hard")).unwrap();
    let cases: [(&str, &str); 6] = [
        ("X", "X"),
        ("X", "./sub/../X"),
        ("X.tmp", "X"),
        ("link", "existing"),
        ("existing", "hard"),
        ("hard", "link"),
    ];
    for (output, checkpoint) in cases {
        // LookupEvents, and --s3 (refused before it would reach the bucket).
        for source in [
            Fetch::against(&emulator).args(["--region", "us-east-1"]),
            Fetch::bare().args(["--s3", "s3://bucket"]),
        ] {
            let out = source
                .current_dir(dir)
                .args(["-o", output, "--checkpoint", checkpoint])
                .output();
            let err = stderr(&out);
            assert_eq!(
                out.status.code(),
                Some(2),
                "-o {output} --checkpoint {checkpoint}: {err}"
            );
            assert!(err.contains("same file"), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
    assert_eq!(emulator.counters().total_requests(), 0);
    assert!(!dir.join("X").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("existing")).unwrap(),
        "keep me\n"
    );
}

fn served_in(
    order: PageOrder,
    count: usize,
    span: i64,
) -> (Emulator, Vec<support::emulator::FakeEvent>) {
    let mut config = config_with(&["us-east-1"], count, span);
    config.page_order = order;
    let expected = all_events(&config);
    (Emulator::start(config), expected)
}

#[test]
fn pages_in_any_order_lose_no_event() {
    for order in [PageOrder::ReversedPages, PageOrder::Shuffled] {
        let (emulator, expected) = served_in(order, 1000, 3600);
        let out = Fetch::regions(&emulator, "us-east-1").output();
        assert_eq!(out.status.code(), Some(0), "{order:?}: {}", stderr(&out));
        assert_exactly_once(&event_ids(&out.stdout), &expected);
    }
}

#[test]
fn pages_in_any_order_resume_exactly_once_after_max_events() {
    for order in [PageOrder::ReversedPages, PageOrder::Shuffled] {
        let (emulator, expected) = served_in(order, 300, 30);
        let dir = tempfile::tempdir().unwrap();
        let checkpoint = dir.path().join("fetch.ckpt");
        let run = |extra: &[&str]| {
            Fetch::regions(&emulator, "us-east-1")
                .checkpoint(&checkpoint)
                .args(extra)
                .output()
        };
        let mut ids = Vec::new();
        for extra in [&["--max-events", "77"][..], &["--max-events", "160"], &[]] {
            let out = run(extra);
            assert_eq!(out.status.code(), Some(0), "{order:?}: {}", stderr(&out));
            ids.extend(event_ids(&out.stdout));
        }
        assert_exactly_once(&ids, &expected);
    }
}

/// Write 120 events to `output` with a checkpoint beside it, expire the
/// saved NextToken, and run again with the same checkpoint.
fn after_an_expired_token(emulator: &Emulator, output: &std::path::Path) -> std::process::Output {
    let checkpoint = output.with_extension("ckpt");
    let fetch = || {
        Fetch::regions(emulator, "us-east-1")
            .output_file(output)
            .checkpoint(&checkpoint)
    };
    fetch().args(["--max-events", "120"]).succeeds();
    emulator.expire_tokens();
    fetch().output()
}

#[test]
fn reversed_pages_restart_exactly_once_after_an_expired_token() {
    // Many events per second, so pages end in the middle of a second.
    let (emulator, expected) = served_in(PageOrder::ReversedPages, 600, 20);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("events.ndjson");
    let out = after_an_expired_token(&emulator, &output);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(emulator.counters().invalid_tokens >= 1);
    assert_exactly_once(&event_ids(&std::fs::read(&output).unwrap()), &expected);
}

#[test]
fn an_expired_token_of_an_unordered_chain_fails_loudly_without_repeating() {
    let (emulator, _) = served_in(PageOrder::Shuffled, 600, 20);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("events.ndjson");
    let out = after_an_expired_token(&emulator, &output);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("out of time order"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let ids = event_ids(&std::fs::read(&output).unwrap());
    assert_eq!(lines_in(&output), 120);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn the_checkpoint_stores_each_query_itself() {
    let (emulator, expected) = served_in(PageOrder::NewestFirst, 300, 3600);
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("fetch.ckpt");
    let run = |extra: &[&str]| {
        Fetch::regions(&emulator, "us-east-1")
            .args(["--lookup", "Username=bob"])
            .checkpoint(&checkpoint)
            .args(extra)
            .output()
    };
    let first = run(&["--max-events", "10"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    assert_eq!(
        saved["queries"][0]["query"],
        serde_json::json!({"attribute": ["Username", "bob"]})
    );
    let second = run(&[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let mut ids = event_ids(&first.stdout);
    ids.extend(event_ids(&second.stdout));
    assert_exactly_once(&ids, expected.iter().filter(|e| e.username == "bob"));
    // Only the Username query ever reached the server.
    let queries = emulator.counters().queries;
    assert!(
        queries.iter().all(|(_, q)| q == "Username=bob"),
        "{queries:?}"
    );
}

#[test]
fn jittered_arrivals_at_a_rolling_second_limit_lose_no_event() {
    use support::emulator::RateLimit;
    let mut config = config_with(&["us-east-1", "eu-west-1"], 600, 3600);
    config.rate = 10.0;
    config.rate_limit = RateLimit::RollingSecond;
    config.jitter = Duration::from_millis(30);
    let expected = all_events(&config);
    let pages: u64 = config
        .regions
        .values()
        .flat_map(|events| {
            [true, false].map(|read_only| {
                let n = events.iter().filter(|e| e.read_only == read_only).count() as u64;
                n.div_ceil(50).max(1)
            })
        })
        .sum();
    let emulator = Emulator::start(config);
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1,eu-west-1", "--rate", "10"])
        .args(["--lookup", "ReadOnly=true", "--lookup", "ReadOnly=false"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    // Every page was asked for once: the requests the limit let through are
    // exactly the pages of the four queries.
    let counters = emulator.counters();
    assert_eq!(
        counters.total_requests() - counters.throttled,
        pages,
        "{}",
        counters.to_json()
    );
}
