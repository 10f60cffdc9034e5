//! Correlation loading and deciding on hand-made events; the binary's
//! behaviour is tested in tests/integration/sigma_correlation.rs.

use super::load::parse_timespan;
use super::{Bounds, Event, decide};
use crate::set::RuleSet;
use serde_json::Value;
use spitzel_core::window::NANOS_PER_SECOND;

#[test]
fn timespans_are_a_number_and_a_unit() {
    assert_eq!(parse_timespan("30s"), Some(30 * NANOS_PER_SECOND));
    assert_eq!(parse_timespan("5m"), Some(300 * NANOS_PER_SECOND));
    assert_eq!(parse_timespan("1h"), Some(3600 * NANOS_PER_SECOND));
    assert_eq!(parse_timespan("7d"), Some(7 * 86_400 * NANOS_PER_SECOND));
    for bad in [
        "",
        "m",
        "5",
        "5M",
        "1.5h",
        "-1m",
        "5 m",
        "99999999999999999d",
    ] {
        assert_eq!(parse_timespan(bad), None, "{bad}");
    }
}

#[test]
fn bounds_combine_as_a_range() {
    let range = Bounds {
        gt: Some(100),
        lte: Some(200),
        ..Bounds::default()
    };
    assert!(!range.holds(100));
    assert!(range.holds(101));
    assert!(range.holds(200));
    assert!(!range.holds(201));
}

fn load(text: &str) -> RuleSet {
    let dir = tempfile_dir();
    let path = dir.join("r.yml");
    std::fs::write(&path, text).unwrap();
    let set = RuleSet::load(&[path], None).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    set
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "spitzel-corr-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const RULES: &str = "title: a
name: a
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: A}, condition: s}
---
title: b
name: b
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: B}, condition: s}
---
title: ordered
correlation:
    type: temporal_ordered
    rules: [a, b]
    timespan: 10s
";

fn event(second: i64) -> Event {
    Event {
        time: second * NANOS_PER_SECOND,
        event_id: None,
        fields: Vec::new(),
    }
}

#[test]
fn the_order_is_by_time_not_by_position() {
    let set = load(RULES);
    // Event 0 is a B at 5 s, event 1 an A at 1 s: A comes first in time.
    let events = [event(5), event(1)];
    let hits = decide(&set.correlations, &events, &[vec![1], vec![0]]);
    assert_eq!(hits[0].len(), 1);
    assert_eq!(hits[0][0].members, [0, 1]);
    assert_eq!(hits[0][0].group, Vec::<Value>::new());
    // B before A in time: none.
    let hits = decide(&set.correlations, &events, &[vec![0], vec![1]]);
    assert!(hits[0].is_empty());
}

#[test]
fn generate_and_levels_decide_which_rules_write() {
    let set = load(RULES);
    assert_eq!(set.correlations.rule_writes, [false, false]);
    let generated = RULES.replace("title: ordered\n", "title: ordered\ngenerate: true\n");
    assert_eq!(load(&generated).correlations.rule_writes, [true, true]);
    let both = RULES
        .replace(
            "    timespan: 10s\n",
            "    timespan: 10s\n    generate: false\n",
        )
        .replace("title: ordered\n", "title: ordered\ngenerate: true\n");
    let dir = tempfile_dir();
    let path = dir.join("r.yml");
    std::fs::write(&path, both).unwrap();
    let error = RuleSet::load(&[path], None).err().unwrap().to_string();
    assert!(
        error.contains("disagrees with generate at the document root"),
        "{error}"
    );
}
