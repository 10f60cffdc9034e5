//! Differential test of Sigma correlations against rsigma 0.23, the
//! streaming engine people run these rules on, wherever the two mean the
//! same thing. Run it with
//! `cargo test --test integration sigma_rsigma -- --ignored` (rsigma from
//! $SPITZEL_RSIGMA or bench/.tools/bin/rsigma; .ci/run installs one in
//! .ci/tools and sets $SPITZEL_RSIGMA).
//!
//! Over generated CloudTrail-shaped records, time-sorted and with rsigma's
//! state caps lifted, every correlation type and condition grouped by
//! sourceIPAddress, userIdentity.arn and userIdentity.accessKeyId (a tenth
//! of the records have none: one null group), plus a filter document, gives
//! the same hits: every rsigma alert's events lie inside exactly one of
//! spitzel-filter's hits for that rule and group, and the alerts inside a
//! hit together hold exactly its events.
//!
//! Where the semantics differ, and how the test deals with it:
//! - rsigma's window ends at the event being read and reaches timespan
//!   back; spitzel-filter's frame starts at an event and reaches timespan
//!   forward. For a lower bound (`gt`, `gte`) both find the same events
//!   (a frame that holds enough events holds them in the window ending at
//!   its last event, and the reverse), so those run on the input as it is,
//!   equal times included. For an upper bound (`lt`, `lte`, `eq`, ranges)
//!   they are different frames, so rsigma reads the same records with time
//!   reversed (t -> constant - t, sorted again): its window then is exactly
//!   a frame starting at an event. That input has no two records at the
//!   same time, because rsigma's window at the first of several
//!   equal-time records leaves out those not yet read, while spitzel-filter
//!   keeps equal times together.
//! - `temporal_ordered` with an upper bound is left out: reversing time
//!   reverses the order, and forward the frames differ (above).
//! - `temporal` without a condition is left out: rsigma takes it as
//!   `gte: 1`, the specification (and spitzel-filter) as every rule.
//! - Chains are left out: rsigma feeds an inner correlation's firings to
//!   the outer one, spitzel-filter the inner hits' events at their times.
//! - Records repeating an eventID are left out: spitzel-filter counts them
//!   once, rsigma each time. Every generated eventID is distinct.
//! - The filter names its rules by id: rsigma does not resolve a filter's
//!   `rules:` by name, spitzel-filter takes either.
//! - rsigma's caps (state entries, events per window) are lifted and its
//!   default `--action alert` without `--suppress` is kept, so nothing is
//!   evicted or suppressed; out-of-order input is not compared (rsigma
//!   reads it in arrival order; spitzel-filter's own order independence is
//!   sigma_correlation::shuffled_input_gives_the_same_hits).

use crate::util::run;
use serde_json::{Value, json};
use spitzel_testsupport::{stderr, stdout};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The base rules the correlations count: name and selection.
const BASE_RULES: [(&str, &str); 6] = [
    ("login", "eventName: ConsoleLogin"),
    ("user", "eventName: CreateUser"),
    ("key", "eventName: CreateAccessKey"),
    ("attach", "eventName: AttachUserPolicy"),
    ("denied", "errorCode: AccessDenied"),
    ("policy", "eventName: PutBucketPolicy"),
];

fn rule_id(number: usize) -> String {
    format!("5a1f0000-0000-4000-8000-{number:012}")
}

/// How rsigma reads the input for a case.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    /// As it is, with equal times (lower bounds only).
    Forward,
    /// Time reversed, no equal times (any bound).
    Reversed,
}

struct Case {
    kind: &'static str,
    rules: &'static [&'static str],
    group_by: &'static [&'static str],
    timespan: &'static str,
    /// `key: value` lines of `condition:` (empty: none).
    condition: &'static [(&'static str, u64)],
    /// value_count's field.
    field: Option<&'static str>,
    direction: Direction,
}

const IP: &str = "sourceIPAddress";
const ARN: &str = "userIdentity.arn";
const KEY: &str = "userIdentity.accessKeyId";
const CREATE: &[&str] = &["user", "key", "attach"];

fn cases() -> Vec<Case> {
    use Direction::{Forward, Reversed};
    let case = |kind, rules, group_by, timespan, condition, field, direction| Case {
        kind,
        rules,
        group_by,
        timespan,
        condition,
        field,
        direction,
    };
    vec![
        case(
            "event_count",
            &["login"],
            &[IP],
            "5m",
            &[("gte", 4)],
            None,
            Forward,
        ),
        case(
            "event_count",
            &["login"],
            &[ARN],
            "10m",
            &[("gt", 5)],
            None,
            Forward,
        ),
        case(
            "event_count",
            &["login"],
            &[KEY],
            "5m",
            &[("gte", 3)],
            None,
            Forward,
        ),
        case(
            "event_count",
            &["login"],
            &[IP, ARN],
            "10m",
            &[("gte", 3)],
            None,
            Forward,
        ),
        case(
            "value_count",
            &["login", "user"],
            &[KEY],
            "10m",
            &[("gte", 3)],
            Some(IP),
            Forward,
        ),
        case(
            "value_count",
            &["login", "key"],
            &[IP],
            "1h",
            &[("gt", 3)],
            Some("awsRegion"),
            Forward,
        ),
        case(
            "value_count",
            &["login", "user"],
            &[ARN],
            "10m",
            &[("gte", 2)],
            Some(KEY),
            Forward,
        ),
        case(
            "temporal",
            CREATE,
            &[ARN],
            "5m",
            &[("gte", 3)],
            None,
            Forward,
        ),
        case(
            "temporal",
            CREATE,
            &[IP],
            "2m",
            &[("gte", 2)],
            None,
            Forward,
        ),
        case("temporal_ordered", CREATE, &[ARN], "5m", &[], None, Forward),
        case(
            "temporal_ordered",
            &["denied", "policy"],
            &[IP],
            "10m",
            &[("gte", 2)],
            None,
            Forward,
        ),
        case(
            "temporal_ordered",
            CREATE,
            &[KEY],
            "5m",
            &[("gt", 2)],
            None,
            Forward,
        ),
        case(
            "event_count",
            &["login"],
            &[IP],
            "5m",
            &[("lt", 3)],
            None,
            Reversed,
        ),
        case(
            "event_count",
            &["login"],
            &[IP],
            "5m",
            &[("lte", 2)],
            None,
            Reversed,
        ),
        case(
            "event_count",
            &["login"],
            &[ARN],
            "5m",
            &[("eq", 3)],
            None,
            Reversed,
        ),
        case(
            "event_count",
            &["login"],
            &[KEY],
            "5m",
            &[("gte", 3), ("lte", 4)],
            None,
            Reversed,
        ),
        case(
            "event_count",
            &["login"],
            &[IP],
            "5m",
            &[("gt", 2), ("lt", 5)],
            None,
            Reversed,
        ),
        case(
            "event_count",
            &["login"],
            &[IP],
            "5m",
            &[("gte", 4)],
            None,
            Reversed,
        ),
        case(
            "value_count",
            &["login", "user"],
            &[IP],
            "10m",
            &[("lt", 3)],
            Some(KEY),
            Reversed,
        ),
        case(
            "value_count",
            &["login", "user"],
            &[KEY],
            "10m",
            &[("eq", 3)],
            Some("awsRegion"),
            Reversed,
        ),
        case(
            "temporal",
            CREATE,
            &[ARN],
            "5m",
            &[("lt", 3)],
            None,
            Reversed,
        ),
        case(
            "temporal",
            CREATE,
            &[ARN],
            "5m",
            &[("eq", 2)],
            None,
            Reversed,
        ),
        case(
            "temporal",
            CREATE,
            &[KEY],
            "10m",
            &[("gte", 2), ("lte", 2)],
            None,
            Reversed,
        ),
    ]
}

/// The rule file: the base rules, a filter on two of them, and every
/// case's correlation (ids from 100 on, in case order).
fn rules_text(cases: &[Case]) -> String {
    let mut docs = Vec::new();
    for (number, (name, selection)) in BASE_RULES.iter().enumerate() {
        docs.push(format!(
            "title: {name} seen\nid: {}\nname: {name}\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    selection:\n        {selection}\n    condition: selection\n",
            rule_id(number)
        ));
    }
    // Not from user u2, on `login` and `key`.
    docs.push(format!(
        "title: Not u2\nid: {}\nlogsource:\n    product: aws\n    service: cloudtrail\nfilter:\n    rules:\n        - {}\n        - {}\n    selection:\n        userIdentity.arn|endswith: ':user/u2'\n    condition: not selection\n",
        rule_id(90),
        rule_id(0),
        rule_id(2)
    ));
    for (number, case) in cases.iter().enumerate() {
        let mut doc = format!(
            "title: case {number}\nid: {}\nname: case{number}\nlevel: high\ncorrelation:\n    type: {}\n    rules:\n",
            rule_id(100 + number),
            case.kind
        );
        for rule in case.rules {
            doc += &format!("        - {rule}\n");
        }
        doc += "    group-by:\n";
        for field in case.group_by {
            doc += &format!("        - {field}\n");
        }
        doc += &format!("    timespan: {}\n", case.timespan);
        if !case.condition.is_empty() {
            doc += "    condition:\n";
            for (key, value) in case.condition {
                doc += &format!("        {key}: {value}\n");
            }
            if let Some(field) = case.field {
                doc += &format!("        field: {field}\n");
            }
        }
        docs.push(doc);
    }
    docs.join("---\n")
}

/// xorshift64*: the same records on every run, no dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// eventTime for `seconds` after 2026-03-14T00:00:00Z (under 17 days).
fn event_time(seconds: i64) -> String {
    let (day, rest) = (14 + seconds / 86_400, seconds % 86_400);
    format!(
        "2026-03-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `count` CloudTrail-shaped records, time-sorted, as (seconds, record).
/// With `ties`, some records share their time with the one before.
fn records(seed: u64, count: usize, ties: bool) -> Vec<(i64, Value)> {
    let mut random = Random(seed);
    let names = [
        "ConsoleLogin",
        "CreateUser",
        "CreateAccessKey",
        "AttachUserPolicy",
        "GetObject",
        "PutBucketPolicy",
    ];
    let regions = ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2"];
    let steps: &[i64] = if ties {
        &[0, 1, 2, 5, 10, 20, 30, 60]
    } else {
        &[1, 2, 5, 10, 20, 30, 60]
    };
    let mut seconds = 36_000;
    (0..count)
        .map(|number| {
            seconds += random.pick(steps);
            let mut identity = json!({
                "type": "IAMUser",
                "arn": format!("arn:aws:iam::111122223333:user/u{}", random.next() % 3),
                "accessKeyId": format!("AKIA{:04}", random.next() % 3),
            });
            if random.next().is_multiple_of(10) {
                identity.as_object_mut().unwrap().remove("accessKeyId");
            }
            let mut record = json!({
                "eventVersion": "1.08",
                "eventID": format!("ev{number:05}"),
                "eventTime": event_time(seconds),
                "eventSource": "iam.amazonaws.com",
                "eventName": random.pick(&names),
                "awsRegion": random.pick(&regions),
                "sourceIPAddress": format!("10.0.0.{}", random.next() % 4),
                "userIdentity": identity,
            });
            if random.next().is_multiple_of(10) {
                record["errorCode"] = json!("AccessDenied");
            }
            (seconds, record)
        })
        .collect()
}

fn write_records(path: &Path, records: &[(i64, Value)]) {
    let text: String = records.iter().map(|(_, r)| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// The same records with time reversed, sorted by their new time.
fn reversed(records: &[(i64, Value)]) -> Vec<(i64, Value)> {
    let last = records.last().map_or(0, |(s, _)| *s);
    records
        .iter()
        .rev()
        .map(|(seconds, record)| {
            let turned = last + 36_000 - seconds + 36_000;
            let mut record = record.clone();
            record["eventTime"] = json!(event_time(turned));
            (turned, record)
        })
        .collect()
}

/// (correlation id, group values in group-by order as JSON text) -> sets
/// of eventIDs.
type Found = BTreeMap<(String, String), Vec<BTreeSet<String>>>;

fn group_key(cases: &[Case], id: &str, values: impl Fn(&str) -> Value) -> String {
    let number: usize = id.rsplit('-').next().unwrap().parse::<usize>().unwrap() - 100;
    Value::Array(cases[number].group_by.iter().map(|f| values(f)).collect()).to_string()
}

fn spitzel_hits(cases: &[Case], rules: &Path, input: &Path) -> Found {
    let output = run(
        &[
            "--sigma",
            rules.to_str().unwrap(),
            "--sigma-alerts",
            "-i",
            input.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut found = Found::new();
    for line in stdout(&output).lines() {
        let alert: Value = serde_json::from_str(line).unwrap();
        let id = alert["id"].as_str().unwrap().to_owned();
        let group = group_key(cases, &id, |f| alert["group"][f].clone());
        let events = alert["eventIDs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        found.entry((id, group)).or_default().push(events);
    }
    found
}

fn rsigma_alerts(rsigma: &Path, cases: &[Case], rules: &Path, input: &Path) -> Found {
    let output = Command::new(rsigma)
        .args(["engine", "eval", "-q", "--no-stats", "--no-detections"])
        .arg("-r")
        .arg(rules)
        .arg("-e")
        .arg(format!("@{}", input.display()))
        .args(["--timestamp-field", "eventTime"])
        .args(["--correlation-event-mode", "full"])
        .args(["--max-correlation-events", "100000000"])
        .args(["--max-state-entries", "100000000"])
        .output()
        .expect("run rsigma");
    assert!(
        output.status.success(),
        "rsigma: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found = Found::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let alert: Value = serde_json::from_str(line).unwrap();
        if alert.get("correlation_type").is_none() {
            continue;
        }
        let id = alert["rule_id"].as_str().unwrap().to_owned();
        // A missing or null group-by field is left out of group_key.
        let pairs: BTreeMap<String, Value> = alert["group_key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].clone()))
            .collect();
        let group = group_key(cases, &id, |f| pairs.get(f).cloned().unwrap_or(Value::Null));
        let events = alert["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["eventID"].as_str().unwrap().to_owned())
            .collect();
        found.entry((id, group)).or_default().push(events);
    }
    found
}

/// Every alert inside exactly one hit, and each hit the union of the
/// alerts inside it. Returns the disagreements, described.
fn disagreements(ours: &Found, theirs: &Found) -> Vec<String> {
    let keys: BTreeSet<_> = ours.keys().chain(theirs.keys()).collect();
    let mut problems = Vec::new();
    for key in keys {
        let hits = ours.get(key).map_or(&[][..], Vec::as_slice);
        let alerts = theirs.get(key).map_or(&[][..], Vec::as_slice);
        let mut covered: Vec<BTreeSet<String>> = vec![BTreeSet::new(); hits.len()];
        for alert in alerts {
            let inside: Vec<usize> = (0..hits.len())
                .filter(|&i| alert.is_subset(&hits[i]))
                .collect();
            match inside[..] {
                [one] => covered[one].extend(alert.iter().cloned()),
                _ => problems.push(format!(
                    "{key:?}: rsigma alert {alert:?} is inside {} spitzel hits",
                    inside.len()
                )),
            }
        }
        for (hit, covered) in hits.iter().zip(&covered) {
            if hit != covered {
                let missing: Vec<_> = hit.difference(covered).collect();
                problems.push(format!(
                    "{key:?}: spitzel hit has events no rsigma alert has: {missing:?}"
                ));
            }
        }
    }
    problems
}

fn rsigma_binary() -> PathBuf {
    let path = std::env::var_os("SPITZEL_RSIGMA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/.tools/bin/rsigma"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "no rsigma at {} (set SPITZEL_RSIGMA, or: cargo install rsigma --version 0.23.0 --locked --root bench/.tools)",
        path.display()
    );
    path
}

#[test]
#[ignore = "needs rsigma"]
fn correlations_agree_with_rsigma() {
    let rsigma = rsigma_binary();
    let version = Command::new(&rsigma).arg("--version").output().unwrap();
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("0.23."),
        "rsigma 0.23 expected: {}",
        String::from_utf8_lossy(&version.stdout)
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let rules = dir.path().join("rules.yml");
    std::fs::write(&rules, rules_text(&cases)).unwrap();

    let with_ties = records(0x5eed_0001, 3000, true);
    let forward = dir.path().join("forward.ndjson");
    write_records(&forward, &with_ties);
    let no_ties = records(0x5eed_0002, 3000, false);
    let plain = dir.path().join("plain.ndjson");
    write_records(&plain, &no_ties);
    let turned = dir.path().join("reversed.ndjson");
    write_records(&turned, &reversed(&no_ties));

    let runs = [
        (Direction::Forward, &forward, &forward),
        (Direction::Reversed, &plain, &turned),
    ];
    let mut problems = Vec::new();
    for (direction, ours_input, theirs_input) in runs {
        let wanted: BTreeSet<String> = (0..cases.len())
            .filter(|&n| cases[n].direction == direction)
            .map(|n| rule_id(100 + n))
            .collect();
        let keep = |found: Found| -> Found {
            found
                .into_iter()
                .filter(|((id, _), _)| wanted.contains(id))
                .collect()
        };
        let ours = keep(spitzel_hits(&cases, &rules, ours_input));
        let theirs = keep(rsigma_alerts(&rsigma, &cases, &rules, theirs_input));
        // Every case fires, so agreement is never two empty answers.
        for id in &wanted {
            let hits: usize = ours
                .iter()
                .filter(|((i, _), _)| i == id)
                .map(|(_, h)| h.len())
                .sum();
            assert!(hits > 0, "case {id} has no hit: make it fire");
        }
        problems.extend(disagreements(&ours, &theirs));
    }
    assert!(
        problems.is_empty(),
        "{} disagreements with rsigma, the first:\n{}",
        problems.len(),
        problems[..problems.len().min(10)].join("\n")
    );
}

/// The comparison itself must see a difference: an alert straddling two
/// hits, and a hit with an event no alert holds.
#[test]
fn the_comparison_reports_straddling_alerts_and_uncovered_events() {
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let key = ("c".to_owned(), r#"["a"]"#.to_owned());
    let ours: Found = [(key.clone(), vec![set(&["1", "2"]), set(&["5", "6"])])].into();
    let agreeing: Found = [(
        key.clone(),
        vec![set(&["1", "2"]), set(&["5"]), set(&["5", "6"])],
    )]
    .into();
    assert!(disagreements(&ours, &agreeing).is_empty());
    let straddling: Found = [(key.clone(), vec![set(&["1", "2"]), set(&["2", "5", "6"])])].into();
    assert_eq!(disagreements(&ours, &straddling).len(), 2);
    let short: Found = [(key, vec![set(&["1"]), set(&["5", "6"])])].into();
    assert_eq!(disagreements(&ours, &short).len(), 1);
}
