//! spitzel-filter --sigma --live against the same binary without --live:
//! over shuffled input, for every monotone correlation type, a chain and
//! beside non-monotone ones, the lines written are the same set, each
//! once; only their order differs. (That hits fire while stdin is open is
//! live_pipe.rs's.)

use crate::util::run;
use serde_json::{Value, json};
use spitzel_testsupport::{stderr, stdout};

fn base(name: &str, event_name: &str, generate: bool) -> String {
    format!(
        "title: {name} seen
id: id-{name}
name: {name}
author: Author of {name}
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: {event_name}
    condition: selection
{}",
        if generate { "generate: true\n" } else { "" }
    )
}

fn correlation(name: &str, body: &str) -> String {
    format!(
        "title: {name} correlation
id: id-{name}
name: {name}
author: Author of {name}
level: high
correlation:
{body}"
    )
}

const DETECTIONS: [(&str, &str); 4] = [
    ("failed", "ConsoleLogin"),
    ("user", "CreateUser"),
    ("attach", "AttachUserPolicy"),
    ("trail", "DeleteTrail"),
];

fn detections() -> Vec<String> {
    DETECTIONS
        .iter()
        .map(|(name, event)| base(name, event, false))
        .collect()
}

const EVENT_COUNT: &str = "    type: event_count\n    rules: [failed]\n    group-by: [sourceIPAddress]\n    timespan: 2m\n    condition: {gte: 4}\n";
const VALUE_COUNT: &str = "    type: value_count\n    rules: [failed]\n    group-by: [sourceIPAddress]\n    timespan: 3m\n    condition: {field: userName, gt: 1}\n";
const TEMPORAL: &str =
    "    type: temporal\n    rules: [user, attach]\n    group-by: [userName]\n    timespan: 5m\n";
const TEMPORAL_ORDERED: &str = "    type: temporal_ordered\n    rules: [failed, user, attach]\n    group-by: [sourceIPAddress]\n    timespan: 5m\n";
const CHAIN: &str = "    type: temporal_ordered\n    rules: [brute, trail]\n    group-by: [sourceIPAddress]\n    timespan: 10m\n";
const FEW: &str = "    type: event_count\n    rules: [trail]\n    group-by: [userName]\n    timespan: 4m\n    condition: {lte: 1}\n";

/// xorshift: the same events and orders on every run.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

/// Events over 30 minutes, a few records repeated (one event counted
/// once, each record written), some not matching any rule.
fn events(random: &mut Random) -> Vec<String> {
    let mut events = Vec::new();
    for i in 0..160u64 {
        let name = match random.below(10) {
            0..=4 => "ConsoleLogin",
            5 => "CreateUser",
            6 => "AttachUserPolicy",
            7 => "DeleteTrail",
            _ => "DescribeInstances",
        };
        let second = random.below(30 * 60);
        let ip = ["10.0.0.1", "10.0.0.2", "10.0.0.3"][random.below(3) as usize];
        let user = ["alice", "bob", "carol", "dave"][random.below(4) as usize];
        let record = json!({
            "eventID": format!("e{i}"),
            "eventTime": format!("2026-03-14T10:{:02}:{:02}Z", second / 60, second % 60),
            "eventSource": "iam.amazonaws.com",
            "eventName": name,
            "sourceIPAddress": ip,
            "userName": user,
        })
        .to_string();
        if random.below(20) == 0 {
            events.push(record.clone());
        }
        events.push(record);
    }
    events
}

/// The lines of a run over `input` on stdin, sorted.
fn sorted_lines(rules: &str, input: &str, extra: &[&str]) -> Vec<String> {
    run_sorted(rules, input, extra).0
}

/// The lines of a run over `input` on stdin, sorted, and its stderr.
fn run_sorted(rules: &str, input: &str, extra: &[&str]) -> (Vec<String>, String) {
    let mut args = vec!["--sigma", rules];
    args.extend_from_slice(extra);
    let output = run(&args, input.as_bytes());
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&output)
    );
    let mut lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    lines.sort();
    (lines, stderr(&output))
}

/// For each of three shuffles of the events: --live writes the lines the
/// run without it does, each once (with `extra` options on both). The
/// number of lines, and of hits that fired live (--stats).
fn live_equals_batch(rules: &[String], extra: &[&str], seed: u64) -> (usize, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, rules.join("---\n")).unwrap();
    let rules = path.to_str().unwrap();
    let mut random = Random(seed);
    let mut events = events(&mut random);
    let (mut written, mut fired) = (0, 0);
    for _ in 0..3 {
        random.shuffle(&mut events);
        let input = events.join("\n") + "\n";
        let batch = sorted_lines(rules, &input, extra);
        let mut live_args = vec!["--live", "--stats"];
        live_args.extend_from_slice(extra);
        let (live, stats) = run_sorted(rules, &input, &live_args);
        assert_eq!(live, batch, "{extra:?}");
        written = batch.len();
        // The hits were written as they fired, not by the end's decision.
        fired = stats
            .split(", fired live ")
            .skip(1)
            .filter_map(|rest| rest.split(')').next()?.parse::<u64>().ok())
            .sum();
    }
    (written, fired)
}

#[test]
fn live_writes_the_lines_of_the_batch_run_for_each_monotone_type() {
    for (number, (name, body)) in [
        ("brute", EVENT_COUNT),
        ("spread", VALUE_COUNT),
        ("both", TEMPORAL),
        ("ordered", TEMPORAL_ORDERED),
    ]
    .into_iter()
    .enumerate()
    {
        let mut rules = detections();
        rules.push(correlation(name, body));
        for extra in [&[][..], &["--annotate"]] {
            // One correlation, each event in one group: its annotation is
            // final when it is written, so even annotated lines are equal.
            let (written, fired) = live_equals_batch(&rules, extra, 0x1234_5678 + number as u64);
            assert!(written >= 5, "{name}: the case has hits ({written})");
            assert!(fired >= 1, "{name}: fired live");
        }
    }
}

#[test]
fn live_writes_the_lines_of_the_batch_run_with_chains_generate_and_lte() {
    // A chain over a monotone inner one (live), an lte one (at the end),
    // a chain over that (at the end), and a rule writing on its own.
    let mut rules = detections();
    rules[3] = base("trail", "DeleteTrail", true);
    rules.push(correlation("brute", EVENT_COUNT));
    rules.push(correlation("then_trail", CHAIN));
    rules.push(correlation("few", FEW));
    rules.push(correlation(
        "over_few",
        "    type: event_count\n    rules: [few]\n    timespan: 1m\n    condition: {gte: 2}\n",
    ));
    rules.push(correlation("both", TEMPORAL));
    for extra in [&[][..], &["-c"]] {
        let (written, _) = live_equals_batch(&rules, extra, 0xfeed_beef);
        assert!(written >= 1, "{written}");
    }
    let (written, fired) = live_equals_batch(&rules, &[], 0xabcd_0001);
    assert!(written >= 10 && fired >= 2, "{written} {fired}");
}

#[test]
fn live_alerts_cover_the_batch_hits() {
    // Each batch alert's events are the union of live alerts' (hits that
    // fired apart and merged later are one batch hit).
    let mut rules = detections();
    rules.push(correlation("brute", EVENT_COUNT));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, rules.join("---\n")).unwrap();
    let rules = path.to_str().unwrap();
    let mut random = Random(0x0a1e_0a1e);
    let mut events = events(&mut random);
    random.shuffle(&mut events);
    let input = events.join("\n") + "\n";
    let alerts = |extra: &[&str]| -> Vec<Value> {
        sorted_lines(rules, &input, extra)
            .iter()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    let batch = alerts(&["--sigma-alerts"]);
    let live = alerts(&["--sigma-alerts", "--live"]);
    assert!(!batch.is_empty());
    assert!(live.len() >= batch.len());
    let ids = |alert: &Value| -> Vec<String> {
        let mut ids: Vec<String> = alert["eventIDs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    for hit in &batch {
        let all = ids(hit);
        let inside: Vec<&Value> = live
            .iter()
            .filter(|alert| {
                alert["group"] == hit["group"] && ids(alert).iter().all(|id| all.contains(id))
            })
            .collect();
        assert!(!inside.is_empty(), "{hit}");
        let count = hit["count"].as_u64().unwrap();
        assert!(
            inside
                .iter()
                .all(|alert| alert["count"].as_u64().unwrap() <= count)
        );
    }
    // Every live alert lies in one batch hit.
    for alert in &live {
        let mine = ids(alert);
        assert!(
            batch
                .iter()
                .any(|hit| hit["group"] == alert["group"]
                    && mine.iter().all(|id| ids(hit).contains(id))),
            "{alert}"
        );
    }
}

#[test]
fn live_held_events_still_count_against_sigma_memory() {
    let mut rules = detections();
    rules.push(correlation("brute", EVENT_COUNT));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, rules.join("---\n")).unwrap();
    let mut input = String::new();
    for i in 0..20_000 {
        input += &json!({
            "eventID": format!("e{i}"),
            "eventTime": "2026-03-14T10:00:00Z",
            "eventName": "ConsoleLogin",
            "sourceIPAddress": format!("10.0.{}.{}", i / 256 % 256, i % 256),
        })
        .to_string();
        input.push('\n');
    }
    // The place where the run stops: the live state counts beside the
    // held records, so --live stops earlier on the same input.
    let stop = |extra: &[&str]| -> u64 {
        let mut args = vec!["--sigma", path.to_str().unwrap(), "--sigma-memory", "1"];
        args.extend_from_slice(extra);
        let output = run(&args, input.as_bytes());
        assert_eq!(output.status.code(), Some(2));
        let error = stderr(&output);
        assert_eq!(error.lines().count(), 1, "{error}");
        error
            .split("passed 1 MiB at <stdin>:")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .and_then(|line| line.parse().ok())
            .unwrap_or_else(|| panic!("{error}"))
    };
    let batch = stop(&[]);
    let live = stop(&["--live"]);
    assert!(live < batch && live > 1_000, "{live} {batch}");
}

#[test]
fn live_is_refused_with_emit_sql_and_needs_sigma() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    let mut rules = detections();
    rules.push(correlation("brute", EVENT_COUNT));
    std::fs::write(&path, rules.join("---\n")).unwrap();
    let rules = path.to_str().unwrap();
    for args in [
        vec!["--sigma", rules, "--live", "--emit-sql", "duckdb"],
        vec!["--live", "s3:Get*"],
    ] {
        let output = run(&args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("--live"), "{}", stderr(&output));
    }
}
