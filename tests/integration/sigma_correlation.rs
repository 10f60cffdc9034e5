//! spitzel-filter --sigma with correlation rules, through the binary over
//! rule and event files written here: every type, condition, chain, alias
//! and tie, and the same hits whatever the order of the input.

use crate::util::{Filter, run};
use serde_json::{Value, json};
use spitzel_testsupport::{stderr, stdout};

/// A detection rule `name` for one eventName.
fn base(name: &str, event_name: &str) -> String {
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
"
    )
}

/// A correlation rule; `body` is the inside of `correlation:` (indented
/// by the caller with four spaces).
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

/// An event at minute:second past 10:00 on one day.
fn event(id: &str, at: &str, name: &str, extra: Value) -> String {
    let mut record = json!({
        "eventID": id,
        "eventTime": format!("2026-03-14T10:{at}Z"),
        "eventSource": "signin.amazonaws.com",
        "eventName": name,
    });
    if let (Some(record), Some(extra)) = (record.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            record.insert(key.clone(), value.clone());
        }
    }
    record.to_string()
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(rules: &[String]) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rules.yml"), rules.join("---\n")).unwrap();
        Case { dir }
    }

    fn rules(&self) -> String {
        self.dir.path().join("rules.yml").display().to_string()
    }

    fn input(&self, events: &[String]) -> String {
        let path = self.dir.path().join("events.ndjson");
        std::fs::write(&path, events.join("\n") + "\n").unwrap();
        path.display().to_string()
    }

    /// The output lines of a run with `extra` arguments.
    fn lines(&self, events: &[String], extra: &[&str]) -> Vec<Value> {
        let rules = self.rules();
        let input = self.input(events);
        let mut args = vec!["--sigma", rules.as_str(), "-i", input.as_str()];
        args.extend_from_slice(extra);
        let output = run(&args, b"");
        assert!(
            output.status.code() == Some(0) || output.status.code() == Some(1),
            "{}",
            stderr(&output)
        );
        stdout(&output)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn alerts(&self, events: &[String]) -> Vec<Value> {
        self.lines(events, &["--sigma-alerts"])
    }

    /// The eventIDs written (events mode).
    fn written(&self, events: &[String]) -> Vec<String> {
        self.lines(events, &[])
            .iter()
            .map(|v| v["eventID"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn ids(alert: &Value) -> Vec<&str> {
    alert["eventIDs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn brute_force(condition: &str, timespan: &str) -> Case {
    Case::new(&[
        base("failed", "ConsoleLogin"),
        correlation(
            "brute",
            &format!(
                "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: {timespan}\n    condition:\n{condition}"
            ),
        ),
    ])
}

fn login(id: &str, at: &str, ip: &str) -> String {
    event(id, at, "ConsoleLogin", json!({"sourceIPAddress": ip}))
}

#[test]
fn event_count_slides_over_any_frame_not_fixed_buckets() {
    let case = brute_force("        gte: 3\n", "5m");
    // 10:04, 10:06, 10:08: no fixed 5-minute bucket holds three of them,
    // the frame [10:04, 10:09] does.
    let events = [
        login("a", "04:00", "1.1.1.1"),
        login("b", "06:00", "1.1.1.1"),
        login("c", "08:00", "1.1.1.1"),
        login("d", "08:30", "2.2.2.2"),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert["id"], "id-brute");
    assert_eq!(alert["level"], "high");
    assert_eq!(alert["correlation"], "event_count");
    assert_eq!(alert["group"], json!({"sourceIPAddress": "1.1.1.1"}));
    assert_eq!(alert["first"], "2026-03-14T10:04:00Z");
    assert_eq!(alert["last"], "2026-03-14T10:08:00Z");
    assert_eq!(alert["count"], 3);
    assert_eq!(ids(alert), ["a", "b", "c"]);
    assert_eq!(alert["rules"][0]["author"], "Author of failed");
    // The referenced rule does not write its own matches (no generate).
    assert_eq!(case.written(&events), ["a", "b", "c"]);
}

#[test]
fn frame_ends_are_both_included() {
    let case = brute_force("        gte: 2\n", "5m");
    // Exactly the timespan apart: one frame.
    let alerts = case.alerts(&[login("a", "00:00", "ip"), login("b", "05:00", "ip")]);
    assert_eq!(alerts.len(), 1);
    // One second more: two frames of one event.
    let alerts = case.alerts(&[login("a", "00:00", "ip"), login("b", "05:01", "ip")]);
    assert!(alerts.is_empty(), "{alerts:?}");
}

#[test]
fn overlapping_frames_make_one_hit_and_apart_frames_two() {
    let case = brute_force("        gte: 2\n", "1m");
    let events = [
        login("a", "00:00", "ip"),
        login("b", "00:50", "ip"),
        login("c", "01:40", "ip"),
        login("d", "09:00", "ip"),
        login("e", "09:10", "ip"),
        login("f", "20:00", "ip"),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_eq!(ids(&alerts[0]), ["a", "b", "c"]);
    assert_eq!(alerts[0]["count"], 2, "the largest frame holds two");
    assert_eq!(ids(&alerts[1]), ["d", "e"]);
    assert_eq!(case.written(&events), ["a", "b", "c", "d", "e"]);
}

#[test]
fn conditions_and_ranges() {
    let events = [
        login("a", "00:00", "x"),
        login("b", "00:10", "x"),
        login("c", "00:20", "x"),
        login("d", "00:00", "y"),
        login("e", "00:00", "z"),
        login("f", "00:10", "z"),
    ];
    let groups = |condition: &str| -> Vec<String> {
        let case = brute_force(condition, "1m");
        let mut groups: Vec<String> = case
            .alerts(&events)
            .iter()
            .map(|a| a["group"]["sourceIPAddress"].as_str().unwrap().to_owned())
            .collect();
        groups.sort();
        groups.dedup();
        groups
    };
    assert_eq!(groups("        gt: 2\n"), ["x"]);
    assert_eq!(groups("        gte: 2\n"), ["x", "z"]);
    // lt/lte/eq: some frame (starting at an event) holds that many; the
    // frame starting at x's last event holds one.
    assert_eq!(groups("        lt: 2\n"), ["x", "y", "z"]);
    assert_eq!(groups("        eq: 3\n"), ["x"]);
    assert_eq!(groups("        eq: 2\n"), ["x", "z"]);
    assert_eq!(groups("        gt: 1\n        lte: 2\n"), ["x", "z"]);
    assert_eq!(groups("        gte: 4\n"), Vec::<String>::new());
}

#[test]
fn ties_are_in_the_same_frames_and_duplicates_count_once() {
    let case = brute_force("        gte: 3\n", "0s");
    // Three events in the same second, one of them given twice (same
    // eventID, as when LookupEvents output and the trail are merged).
    let events = [
        login("a", "00:00", "ip"),
        login("b", "00:00", "ip"),
        login("b", "00:00", "ip"),
    ];
    assert!(case.alerts(&events).is_empty(), "b counts once");
    let more = [
        login("a", "00:00", "ip"),
        login("b", "00:00", "ip"),
        login("b", "00:00", "ip"),
        login("c", "00:00", "ip"),
    ];
    let alerts = case.alerts(&more);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["count"], 3);
    // Every line of the hit is written, the repeated one too.
    assert_eq!(case.written(&more), ["a", "b", "b", "c"]);
}

#[test]
fn value_count_counts_distinct_non_null_values_case_sensitively() {
    let case = Case::new(&[
        base("key_used", "GetCallerIdentity"),
        correlation(
            "spread",
            "    type: value_count\n    rules:\n        - key_used\n    group-by:\n        - userIdentity.accessKeyId\n    timespan: 1h\n    condition:\n        field: sourceIPAddress\n        gte: 3\n",
        ),
    ]);
    let call = |id: &str, at: &str, key: &str, ip: Value| {
        event(
            id,
            at,
            "GetCallerIdentity",
            json!({"userIdentity": {"accessKeyId": key}, "sourceIPAddress": ip}),
        )
    };
    let events = [
        call("a", "00:00", "AKIA1", json!("10.0.0.1")),
        call("b", "01:00", "AKIA1", json!("10.0.0.1")),
        call("c", "02:00", "AKIA1", json!(null)),
        call("d", "03:00", "AKIA1", json!("10.0.0.2")),
        call("e", "04:00", "akia1", json!("10.0.0.3")),
    ];
    assert!(
        case.alerts(&events).is_empty(),
        "null is no value, akia1 another key"
    );
    let mut more = events.to_vec();
    more.push(call("f", "05:00", "AKIA1", json!("10.0.0.3")));
    let alerts = case.alerts(&more);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        alerts[0]["values"],
        json!(["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    );
    assert_eq!(alerts[0]["count"], 3);
    assert_eq!(ids(&alerts[0]), ["a", "b", "c", "d", "f"]);
}

fn three_step(kind: &str, condition: &str) -> Case {
    Case::new(&[
        base("user", "CreateUser"),
        base("key", "CreateAccessKey"),
        base("policy", "AttachUserPolicy"),
        correlation(
            "persist",
            &format!(
                "    type: {kind}\n    rules:\n        - user\n        - key\n        - policy\n    group-by:\n        - userIdentity.arn\n    timespan: 10m\n{condition}"
            ),
        ),
    ])
}

fn step(id: &str, at: &str, name: &str, arn: &str) -> String {
    event(id, at, name, json!({"userIdentity": {"arn": arn}}))
}

#[test]
fn temporal_needs_every_rule_without_a_condition() {
    let case = three_step("temporal", "");
    let two = [
        step("a", "00:00", "CreateAccessKey", "p"),
        step("b", "01:00", "CreateUser", "p"),
    ];
    assert!(case.alerts(&two).is_empty(), "all three rules must occur");
    let mut three = two.to_vec();
    three.push(step("c", "09:00", "AttachUserPolicy", "p"));
    three.push(step("d", "09:30", "AttachUserPolicy", "q"));
    let alerts = case.alerts(&three);
    assert_eq!(alerts.len(), 1);
    assert_eq!(ids(&alerts[0]), ["a", "b", "c"]);
    assert_eq!(alerts[0]["count"], 3);
    // Out of the timespan: no hit.
    let late = [
        step("a", "00:00", "CreateAccessKey", "p"),
        step("b", "01:00", "CreateUser", "p"),
        step("c", "10:01", "AttachUserPolicy", "p"),
    ];
    assert!(case.alerts(&late).is_empty());
    // With a condition: two of the three suffice.
    let case = three_step("temporal", "    condition:\n        gte: 2\n");
    assert_eq!(case.alerts(&two).len(), 1);
}

#[test]
fn temporal_ordered_needs_the_order_and_takes_ties_as_in_order() {
    let case = three_step("temporal_ordered", "");
    let in_order = [
        step("a", "00:00", "CreateUser", "p"),
        step("b", "01:00", "CreateAccessKey", "p"),
        step("c", "02:00", "AttachUserPolicy", "p"),
    ];
    assert_eq!(case.alerts(&in_order).len(), 1);
    let reversed = [
        step("a", "00:00", "AttachUserPolicy", "p"),
        step("b", "01:00", "CreateAccessKey", "p"),
        step("c", "02:00", "CreateUser", "p"),
    ];
    assert!(case.alerts(&reversed).is_empty());
    // CloudTrail times are whole seconds: the same second is in order,
    // whatever the order of the lines.
    let tied = [
        step("c", "00:00", "AttachUserPolicy", "p"),
        step("b", "00:00", "CreateAccessKey", "p"),
        step("a", "00:00", "CreateUser", "p"),
    ];
    assert_eq!(case.alerts(&tied).len(), 1);
    // A condition counts the rules found in order from the first.
    let case = three_step("temporal_ordered", "    condition:\n        gte: 2\n");
    assert_eq!(case.alerts(&reversed).len(), 0, "CreateUser comes last");
    let two = [
        step("a", "00:00", "CreateUser", "p"),
        step("b", "01:00", "CreateAccessKey", "p"),
    ];
    assert_eq!(case.alerts(&two).len(), 1);
}

#[test]
fn a_chain_sees_the_inner_hits_events_with_their_own_times() {
    // The specification's example: many failed logins, then a success.
    let case = Case::new(&[
        base("failed", "ConsoleLogin"),
        base("success", "GetSessionToken"),
        correlation(
            "many_failed",
            "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: 5m\n    condition:\n        gte: 3\n",
        ),
        correlation(
            "then_success",
            "    type: temporal_ordered\n    rules:\n        - many_failed\n        - success\n    group-by:\n        - sourceIPAddress\n    timespan: 10m\n",
        ),
    ]);
    let ok = |id: &str, at: &str, ip: &str| {
        event(id, at, "GetSessionToken", json!({"sourceIPAddress": ip}))
    };
    let events = [
        login("a", "00:00", "ip"),
        login("b", "01:00", "ip"),
        login("c", "02:00", "ip"),
        ok("d", "05:00", "ip"),
        login("e", "06:00", "other"),
        ok("f", "06:30", "other"),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(
        alerts.len(),
        1,
        "the inner part writes no alert of its own: {alerts:?}"
    );
    assert_eq!(alerts[0]["id"], "id-then_success");
    assert_eq!(ids(&alerts[0]), ["a", "b", "c", "d"]);
    assert_eq!(alerts[0]["rules"][0]["id"], "id-many_failed");
    assert_eq!(case.written(&events), ["a", "b", "c", "d"]);
    // The success before the burst: not in order.
    let before = [
        ok("d", "00:00", "ip"),
        login("a", "01:00", "ip"),
        login("b", "02:00", "ip"),
        login("c", "03:00", "ip"),
    ];
    assert!(case.alerts(&before).is_empty());
}

#[test]
fn generate_writes_the_referenced_rules_matches_at_the_root_or_inside() {
    for (root, inside) in [("generate: true\n", ""), ("", "    generate: true\n")] {
        let case = Case::new(&[
            base("failed", "ConsoleLogin"),
            format!(
                "{root}{}",
                correlation(
                    "brute",
                    &format!(
                        "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: 1m\n    condition:\n        gte: 2\n{inside}"
                    ),
                )
            ),
        ]);
        let events = [
            login("a", "00:00", "ip"),
            login("b", "00:10", "ip"),
            login("c", "30:00", "ip"),
        ];
        assert_eq!(case.written(&events), ["a", "b", "c"]);
        let annotated = case.lines(&events, &["--annotate"]);
        // a: the rule and the correlation; c: the rule alone.
        assert_eq!(annotated[0]["sigma"].as_array().unwrap().len(), 2);
        assert_eq!(annotated[0]["sigma"][0]["id"], "id-failed");
        assert_eq!(annotated[0]["sigma"][1]["id"], "id-brute");
        assert_eq!(annotated[0]["sigma"][1]["group"]["sourceIPAddress"], "ip");
        assert_eq!(
            annotated[0]["sigma"][1]["rules"][0]["author"],
            "Author of failed"
        );
        assert_eq!(annotated[2]["sigma"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn aliases_group_different_fields_of_different_rules() {
    let case = Case::new(&[
        base("made", "CreateAccessKey"),
        base("used", "GetCallerIdentity"),
        correlation(
            "made_then_used",
            "    type: temporal_ordered\n    rules:\n        - made\n        - used\n    group-by:\n        - key\n    timespan: 1h\n    aliases:\n        key:\n            made: responseElements.accessKey.accessKeyId\n            used: userIdentity.accessKeyId\n",
        ),
    ]);
    let events = [
        event(
            "a",
            "00:00",
            "CreateAccessKey",
            json!({"responseElements": {"accessKey": {"accessKeyId": "AKIA9"}}}),
        ),
        event(
            "b",
            "10:00",
            "GetCallerIdentity",
            json!({"userIdentity": {"accessKeyId": "AKIA9"}}),
        ),
        event(
            "c",
            "11:00",
            "GetCallerIdentity",
            json!({"userIdentity": {"accessKeyId": "AKIA0"}}),
        ),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["group"], json!({"key": "AKIA9"}));
    assert_eq!(ids(&alerts[0]), ["a", "b"]);
}

#[test]
fn missing_and_null_group_values_are_one_group_and_an_array_is_its_text() {
    let case = brute_force("        gte: 2\n", "1m");
    let events = [
        event("a", "00:00", "ConsoleLogin", json!({})),
        event(
            "b",
            "00:10",
            "ConsoleLogin",
            json!({"sourceIPAddress": null}),
        ),
        event(
            "c",
            "00:20",
            "ConsoleLogin",
            json!({"sourceIPAddress": ["x", "y"]}),
        ),
        event(
            "d",
            "00:30",
            "ConsoleLogin",
            json!({"sourceIPAddress": ["x", "y"]}),
        ),
        event(
            "e",
            "00:40",
            "ConsoleLogin",
            json!({"sourceIPAddress": ["y", "x"]}),
        ),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    let by_group: Vec<(Value, Vec<&str>)> = alerts
        .iter()
        .map(|a| (a["group"]["sourceIPAddress"].clone(), ids(a)))
        .collect();
    assert!(
        by_group.contains(&(Value::Null, vec!["a", "b"])),
        "{by_group:?}"
    );
    assert!(
        by_group.contains(&(json!(["x", "y"]), vec!["c", "d"])),
        "{by_group:?}"
    );
}

#[test]
fn shuffled_input_gives_the_same_hits() {
    let case = Case::new(&[
        base("failed", "ConsoleLogin"),
        base("user", "CreateUser"),
        correlation(
            "brute",
            "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: 2m\n    condition:\n        gte: 3\n",
        ),
        correlation(
            "ordered",
            "    type: temporal_ordered\n    rules:\n        - brute\n        - user\n    group-by:\n        - sourceIPAddress\n    timespan: 5m\n",
        ),
    ]);
    let mut events = Vec::new();
    for i in 0..60u32 {
        let ip = ["a", "b", "c"][(i % 3) as usize];
        let at = format!("{:02}:{:02}", i * 7 / 60 % 60, i * 7 % 60);
        events.push(login(&format!("l{i}"), &at, ip));
        if i % 11 == 0 {
            events.push(event(
                &format!("u{i}"),
                &at,
                "CreateUser",
                json!({"sourceIPAddress": ip}),
            ));
        }
    }
    let sorted_alerts = case.alerts(&events);
    assert!(sorted_alerts.len() >= 2, "{sorted_alerts:?}");
    let mut sorted_written = case.written(&events);
    sorted_written.sort();
    // A fixed permutation (no random source needed): reversed, then
    // interleaved halves.
    let mut shuffled: Vec<String> = events.iter().rev().cloned().collect();
    let half = shuffled.len() / 2;
    let (front, back) = shuffled.split_at(half);
    let mut mixed = Vec::new();
    for pair in back.iter().zip(front) {
        mixed.push(pair.0.clone());
        mixed.push(pair.1.clone());
    }
    mixed.extend(back[front.len()..].iter().cloned());
    shuffled = mixed;
    assert_ne!(shuffled, events);
    assert_eq!(case.alerts(&shuffled), sorted_alerts);
    let mut written = case.written(&shuffled);
    written.sort();
    assert_eq!(written, sorted_written);
}

#[test]
fn an_event_without_a_time_is_reported() {
    let case = brute_force("        gte: 1\n", "1m");
    let events = [
        login("a", "00:00", "ip"),
        r#"{"eventID":"n","eventName":"ConsoleLogin","eventTime":"yesterday"}"#.to_owned(),
    ];
    let rules = case.rules();
    let input = case.input(&events);
    let output = run(&["--sigma", &rules, "-i", &input, "--sigma-alerts"], b"");
    let err = stderr(&output);
    assert!(
        err.contains(":2: no readable eventTime: left out of the correlation rules"),
        "{err}"
    );
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn stats_count_hits_per_correlation_and_count_counts_alerts() {
    let case = brute_force("        gte: 2\n", "1m");
    let events = [
        login("a", "00:00", "x"),
        login("b", "00:10", "x"),
        login("c", "00:00", "y"),
        login("d", "00:10", "y"),
    ];
    let rules = case.rules();
    let input = case.input(&events);
    let output = run(&["--sigma", &rules, "-i", &input, "--stats", "-c"], b"");
    assert_eq!(stdout(&output), "4\n");
    assert!(
        stderr(&output).contains(
            "stats: sigma: correlation 2 hits id-brute [high] brute correlation (event_count)"
        ),
        "{}",
        stderr(&output)
    );
    let output = run(
        &["--sigma", &rules, "-i", &input, "--sigma-alerts", "-c"],
        b"",
    );
    assert_eq!(stdout(&output), "2\n");
}

#[test]
fn a_run_past_the_memory_bound_stops_with_an_error() {
    let case = brute_force("        gte: 2\n", "1m");
    // What memory keeps per held record is its place, length and rules
    // (its bytes are spilled): a MiB is passed by some thousands of them.
    let events: Vec<String> = (0..20_000)
        .map(|i| event(&format!("e{i}"), "00:00", "ConsoleLogin", json!({})))
        .collect();
    let rules = case.rules();
    let input = case.input(&events);
    let output = run(
        &["--sigma", &rules, "-i", &input, "--sigma-memory", "1"],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    let place = err
        .split("events.ndjson:")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|line| line.parse::<u64>().ok());
    assert!(
        err.contains("the events held for correlation rules passed 1 MiB at")
            && place.is_some_and(|line| (1_000..20_000).contains(&line)),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn large_held_records_are_spilled_not_counted_against_memory() {
    let case = brute_force("        gte: 2\n", "1m");
    // Four records of half a MiB each: 2 MiB of matches under a 1 MiB
    // bound, all held (on disk) and written.
    let padding = "x".repeat(1 << 19);
    let events: Vec<String> = (0..4)
        .map(|i| {
            event(
                &format!("e{i}"),
                "00:00",
                "ConsoleLogin",
                json!({"pad": padding, "sourceIPAddress": "1.1.1.1"}),
            )
        })
        .collect();
    let rules = case.rules();
    let input = case.input(&events);
    let output = run(
        &["--sigma", &rules, "-i", &input, "--sigma-memory", "1"],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), events.join("\n") + "\n");
}

#[test]
fn a_spill_that_cannot_be_made_is_one_error() {
    let case = brute_force("        gte: 2\n", "1m");
    let events = [
        login("a", "04:00", "1.1.1.1"),
        login("b", "04:10", "1.1.1.1"),
    ];
    let rules = case.rules();
    let input = case.input(&events);
    let missing = case.dir.path().join("no-such-dir");
    let output = Filter::new()
        .args(["--sigma", &rules, "-i", &input])
        .env("TMPDIR", &missing)
        .output();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("spitzel-filter: --sigma: cannot keep the events held for correlation rules in a temporary file ($TMPDIR): "),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

fn refusal(rules: &[String], extra: &[&str]) -> String {
    let case = Case::new(rules);
    let rules = case.rules();
    let mut args = vec!["--sigma", rules.as_str()];
    args.extend_from_slice(extra);
    let output = run(&args, b"");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn bad_correlations_are_refused_naming_file_line_and_key() {
    let body = |inside: &str| correlation("c", inside);
    let err = refusal(
        &[body(
            "    type: event_count\n    rules:\n        - nothing\n    timespan: 1m\n    condition:\n        gte: 1\n",
        )],
        &[],
    );
    assert!(
        err.contains("rules.yml:9: key 'correlation.rules': 'nothing' names no loaded rule"),
        "{err}"
    );
    let err = refusal(
        &[
            base("r", "X"),
            body(
                "    type: event_count\n    rules:\n        - r\n    timespan: 5 minutes\n    condition:\n        gte: 1\n",
            ),
        ],
        &[],
    );
    assert!(
        err.contains("key 'correlation.timespan': '5 minutes' is not a timespan"),
        "{err}"
    );
    let err = refusal(
        &[
            base("r", "X"),
            body(
                "    type: value_count\n    rules:\n        - r\n    timespan: 5m\n    condition:\n        gte: 1\n",
            ),
        ],
        &[],
    );
    assert!(err.contains("value_count needs the field"), "{err}");
    let err = refusal(
        &[
            base("r", "X"),
            body(
                "    type: event_count\n    rules:\n        - r\n    timespan: 5m\n    condition:\n        gte: -1\n",
            ),
        ],
        &[],
    );
    assert!(
        err.contains("key 'correlation.condition.gte': must be a whole number"),
        "{err}"
    );
    let err = refusal(
        &[
            correlation(
                "a",
                "    type: temporal\n    rules:\n        - b\n    timespan: 1m\n",
            ),
            correlation(
                "b",
                "    type: temporal\n    rules:\n        - a\n    timespan: 1m\n",
            ),
        ],
        &[],
    );
    assert!(
        err.contains("refers back to itself through a chain"),
        "{err}"
    );
    let err = refusal(
        &[
            base("r", "X"),
            body("    type: temporal\n    rules:\n        - r\n    timespan: 1m\n"),
        ],
        &["--invert-match"],
    );
    assert!(
        err.contains("--invert-match cannot be used with Sigma correlation rules"),
        "{err}"
    );
    let err = refusal(&[base("r", "X")], &["--sigma-alerts"]);
    assert!(err.contains("--sigma-alerts: no correlation rule"), "{err}");
}

/// The one-line refusal of `--emit-sql dialect` for `rules`.
fn sql_refusal(rules: &str, dialect: &str, extra: &[&str]) -> String {
    let mut args = vec!["--sigma", rules, "--emit-sql", dialect, "-i", "x.ndjson"];
    args.extend_from_slice(extra);
    let output = run(&args, b"");
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

// The statements' results are compared with the filter's on the engines
// by tests/sql/run.py (sql_engines); here, what is emitted and refused.
#[test]
fn emit_sql_writes_event_count_and_value_count_with_a_lower_bound() {
    for (condition, holds) in [
        ("        gte: 3\n", "n >= 3 THEN 1"),
        ("        gt: 2\n", "n > 2 THEN 1"),
    ] {
        let case = brute_force(condition, "5m");
        let rules = case.rules();
        for dialect in ["duckdb", "spark", "athena"] {
            let output = run(
                &["--sigma", &rules, "--emit-sql", dialect, "-i", "x.ndjson"],
                b"",
            );
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            let sql = stdout(&output);
            // A sliding frame at every time of the group, never a bucket.
            assert!(
                sql.contains(
                    "PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND 300000000000 FOLLOWING"
                ) && sql.contains(
                    "PARTITION BY g ORDER BY t RANGE BETWEEN 300000000000 PRECEDING AND CURRENT ROW"
                ),
                "{sql}"
            );
            assert!(sql.contains(holds), "{sql}");
        }
    }
}

/// The statement `--emit-sql dialect` writes for `rules`.
fn sql_statement(rules: &str, dialect: &str) -> String {
    let output = run(
        &["--sigma", rules, "--emit-sql", dialect, "-i", "x.ndjson"],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn emit_sql_writes_upper_bounds_ranges_temporal_types_and_chains() {
    for dialect in ["duckdb", "spark", "athena"] {
        // Every bound given holds at once.
        for (condition, holds) in [
            ("        lt: 3\n", "n < 3 THEN 1"),
            (
                "        gte: 2\n        lte: 4\n",
                "n >= 2 AND n <= 4 THEN 1",
            ),
            ("        eq: 3\n", "n = 3 THEN 1"),
        ] {
            let sql = sql_statement(&brute_force(condition, "5m").rules(), dialect);
            assert!(sql.contains(holds), "{sql}");
        }
        // temporal: each rule present in the frame counts once; without a
        // condition every rule must be.
        let sql = sql_statement(&three_step("temporal", "").rules(), dialect);
        assert!(
            sql.contains("max(CASE WHEN s = 2 THEN 1 ELSE 0 END) OVER (PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND 600000000000 FOLLOWING)")
                && sql.contains("n >= 3 THEN 1"),
            "{sql}"
        );
        // temporal_ordered: rule i at its first time at or after rule
        // i - 1's, chained by equi-joins on (group, time).
        let sql = sql_statement(&three_step("temporal_ordered", "").rules(), dialect);
        assert!(
            sql.contains("min(CASE WHEN s = 1 THEN t END) OVER (PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)")
                && sql.contains("LEFT JOIN c0_x j2 ON j2.g = a.g AND j2.t = j1.x1"),
            "{sql}"
        );
    }
    // A chain: the outer correlation's rows are the records in the inner
    // one's hits.
    let chain = Case::new(&[
        base("failed", "ConsoleLogin"),
        correlation(
            "brute",
            "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: 5m\n    condition:\n        gte: 2\n",
        ),
        correlation(
            "outer",
            "    type: event_count\n    rules:\n        - brute\n    group-by:\n        - sourceIPAddress\n    timespan: 1h\n    condition:\n        gte: 1\n",
        ),
    ]);
    let sql = sql_statement(&chain.rules(), "spark");
    assert!(
        sql.contains("LEFT JOIN c0_in h0 ON h0.g = p._g0_0 AND h0.t = p._t")
            && sql.contains("_h0 AS _m1_0"),
        "{sql}"
    );
}

#[test]
fn emit_sql_refuses_what_it_cannot_decide_naming_the_rule_and_the_construct() {
    // Athena reads the documented table's string columns only.
    let by_object = Case::new(&[
        base("failed", "ConsoleLogin"),
        correlation(
            "brute",
            "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - requestParameters.bucketName\n    timespan: 5m\n    condition:\n        gte: 2\n",
        ),
    ]);
    let err = sql_refusal(&by_object.rules(), "athena", &[]);
    assert!(
        err.contains(&format!(
            "{}:18: correlation rule 'brute correlation': the correlation field requestParameters.bucketName",
            by_object.rules()
        )),
        "{err}"
    );
    let case = brute_force("        gte: 3\n", "5m");
    let err = sql_refusal(&case.rules(), "duckdb", &["--sigma-alerts"]);
    assert!(
        err.contains("--sigma-alerts cannot be used with --emit-sql"),
        "{err}"
    );
}

/// A filter document for `rules` with its selection and condition.
fn filter_doc(rules: &[&str], selection: &str, condition: &str) -> String {
    format!(
        "title: Not our CI role
logsource:
    product: aws
    service: cloudtrail
filter:
    rules:
{}    selection:
{selection}    condition: {condition}
",
        rules
            .iter()
            .map(|r| format!("        - {r}\n"))
            .collect::<String>()
    )
}

#[test]
fn filters_are_anded_onto_the_rules_they_name_by_id_or_name() {
    let ci = "        userIdentity.arn|endswith: ':role/ci'\n";
    let events = [
        event(
            "a",
            "00:00",
            "ConsoleLogin",
            json!({"userIdentity": {"arn": "arn:aws:iam::1:role/ci"}}),
        ),
        event(
            "b",
            "00:10",
            "ConsoleLogin",
            json!({"userIdentity": {"arn": "arn:aws:iam::1:user/eve"}}),
        ),
        event(
            "c",
            "00:20",
            "CreateUser",
            json!({"userIdentity": {"arn": "arn:aws:iam::1:role/ci"}}),
        ),
    ];
    for reference in ["failed", "id-failed"] {
        let case = Case::new(&[
            base("failed", "ConsoleLogin"),
            base("user", "CreateUser"),
            filter_doc(&[reference], ci, "not selection"),
        ]);
        // The filter applies to its rule only: CreateUser by ci stays.
        assert_eq!(case.written(&events), ["b", "c"], "{reference}");
    }
    // The other direction is the filter's own condition, as written.
    let case = Case::new(&[
        base("failed", "ConsoleLogin"),
        filter_doc(&["failed"], ci, "selection"),
    ]);
    assert_eq!(case.written(&events), ["a"]);
}

#[test]
fn filters_tune_the_rules_a_correlation_counts() {
    let case = Case::new(&[
        base("failed", "ConsoleLogin"),
        correlation(
            "brute",
            "    type: event_count\n    rules:\n        - failed\n    group-by:\n        - sourceIPAddress\n    timespan: 1m\n    condition:\n        gte: 2\n",
        ),
        filter_doc(
            &["failed"],
            "        sourceIPAddress: 10.0.0.1\n",
            "not selection",
        ),
    ]);
    let events = [
        login("a", "00:00", "10.0.0.1"),
        login("b", "00:10", "10.0.0.1"),
        login("c", "00:00", "1.2.3.4"),
        login("d", "00:10", "1.2.3.4"),
    ];
    let alerts = case.alerts(&events);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["group"]["sourceIPAddress"], "1.2.3.4");
}

#[test]
fn a_filter_naming_no_loaded_rule_is_reported() {
    let case = Case::new(&[
        base("failed", "ConsoleLogin"),
        filter_doc(
            &["failed", "nowhere"],
            "        sourceIPAddress: x\n",
            "not selection",
        ),
    ]);
    let rules = case.rules();
    let input = case.input(&[login("a", "00:00", "ip")]);
    let output = run(&["--sigma", &rules, "-i", &input], b"");
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert!(
        err.contains("rules.yml:20: filter 'Not our CI role': 'nowhere' names no loaded rule"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn unique_writes_a_redelivered_event_of_a_hit_once() {
    let case = brute_force("        gte: 3\n", "5m");
    // The hit's second event delivered twice: the correlation counts it
    // once by its eventID either way; --unique also writes it once.
    let events = [
        login("a", "04:00", "1.1.1.1"),
        login("b", "05:00", "1.1.1.1"),
        login("b", "05:00", "1.1.1.1"),
        login("c", "06:00", "1.1.1.1"),
    ];
    assert_eq!(case.written(&events), ["a", "b", "b", "c"]);
    let unique: Vec<Value> = case.lines(&events, &["--unique"]);
    let written: Vec<&str> = unique
        .iter()
        .map(|v| v["eventID"].as_str().unwrap())
        .collect();
    assert_eq!(written, ["a", "b", "c"]);
    let alerts = case.lines(&events, &["--sigma-alerts", "--unique"]);
    assert_eq!(alerts.len(), 1);
    assert_eq!(ids(&alerts[0]), ["a", "b", "c"]);
}
