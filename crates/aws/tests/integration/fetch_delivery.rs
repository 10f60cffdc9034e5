//! spitzel-fetch delivers every event exactly once: across regions, under
//! throttling and injected faults, for unions of lookups and action globs.

use crate::support;

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use support::emulator::{Emulator, FakeEvent, Faults};
use support::*;

/// `count` events of us-east-1, fetched with `args`: exactly the events
/// `wanted` keeps, each once. Returns the emulator and those events.
fn fetches_exactly(
    count: usize,
    args: &[&str],
    wanted: impl Fn(&FakeEvent) -> bool,
) -> (Emulator, Vec<FakeEvent>) {
    let config = config_with(&["us-east-1"], count, 3600);
    let expected: Vec<_> = all_events(&config).into_iter().filter(wanted).collect();
    let emulator = Emulator::start(config);
    let out = Fetch::regions(&emulator, "us-east-1").args(args).succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    (emulator, expected)
}

#[test]
fn every_event_of_every_region_once_and_unchanged() {
    let config = config_with(&["us-east-1", "eu-west-1"], 420, 3600);
    let (emulator, expected) = serve(config);
    let out = Fetch::regions(&emulator, "us-east-1,eu-west-1").succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    // Lines are the CloudTrailEvent strings exactly as served.
    let lines: HashSet<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    let records: HashSet<&str> = expected
        .iter()
        .map(|e| e.cloudtrail_event.as_str())
        .collect();
    assert_eq!(lines, records);
    let requests = emulator.counters().requests;
    assert_eq!(requests.get("us-east-1"), Some(&9), "{requests:?}");
    assert_eq!(requests.get("eu-west-1"), Some(&9), "{requests:?}");
}

#[test]
fn throttled_client_still_gets_every_event_once() {
    let mut config = config_with(&["us-east-1"], 300, 3600);
    // Burst 2, one token per 500 ms (the real API's limit): a client asking
    // for 25/s is throttled even when a loaded machine slows it tenfold.
    config.rate = 2.0;
    let (emulator, expected) = serve(config);
    let out = Fetch::against(&emulator)
        .args(["--region", "us-east-1", "--rate", "25"])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    assert!(
        emulator.counters().throttled > 0,
        "the test must provoke throttling"
    );
}

#[test]
fn rate_is_never_exceeded_when_the_client_stays_below_it() {
    let mut config = config_with(&["us-east-1", "eu-west-1"], 600, 3600);
    config.rate = 25.0;
    let (emulator, expected) = serve(config);
    // Three queries per region share the region's limiter.
    let out = Fetch::against(&emulator)
        .args([
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--rate",
            "20",
            "--lookup",
            "ReadOnly=true",
            "--lookup",
            "ReadOnly=false",
            "--lookup",
            "Username=alice",
        ])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    let counters = emulator.counters();
    assert_eq!(counters.throttled, 0, "{counters:?}");
    for (region, max) in &counters.max_per_second {
        assert!(*max <= 25, "{region}: {max} requests in one second");
    }
}

#[test]
fn injected_faults_are_retried_without_loss_or_repeat() {
    let mut config = config_with(&["us-east-1", "eu-west-1"], 400, 3600);
    config.faults = Faults {
        error_every: 5,
        drop_every: 7,
        slow_every: 3,
        slow_delay: Duration::from_millis(300),
        ..Faults::default()
    };
    let (emulator, expected) = serve(config);
    let out = Fetch::regions(&emulator, "us-east-1,eu-west-1").succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    assert!(emulator.counters().faults >= 4, "{:?}", emulator.counters());
}

#[test]
fn timed_out_requests_are_retried() {
    let mut config = config_with(&["us-east-1"], 150, 3600);
    config.faults = Faults {
        slow_every: 2,
        slow_delay: Duration::from_millis(2500),
        ..Faults::default()
    };
    let (emulator, expected) = serve(config);
    let out = Fetch::regions(&emulator, "us-east-1")
        .args(["--timeout", "0.5"])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    // Three pages; every second request was too slow and sent again.
    assert!(emulator.counters().total_requests() > 3);
}

#[test]
fn several_lookups_are_unioned_and_written_once() {
    let (emulator, expected) = fetches_exactly(
        500,
        &[
            "--lookup",
            "Username=alice",
            "--lookup",
            "EventSource=s3.amazonaws.com",
        ],
        |e| e.username == "alice" || e.event_source == "s3.amazonaws.com",
    );
    let overlap = expected
        .iter()
        .filter(|e| e.username == "alice" && e.event_source == "s3.amazonaws.com")
        .count();
    assert!(overlap > 0, "the two lookups must overlap");
    let queries: BTreeSet<String> = emulator
        .counters()
        .queries
        .into_iter()
        .map(|(_, q)| q)
        .collect();
    assert_eq!(
        queries,
        BTreeSet::from([
            "Username=alice".to_string(),
            "EventSource=s3.amazonaws.com".to_string()
        ])
    );
}

#[test]
fn action_globs_narrow_on_the_server_and_match_exactly() {
    let (emulator, expected) = fetches_exactly(500, &["s3:Get*"], |e| {
        e.event_source == "s3.amazonaws.com" && e.event_name.starts_with("Get")
    });
    assert!(!expected.is_empty());
    assert_eq!(
        emulator.counters().queries,
        BTreeSet::from([(
            "us-east-1".to_string(),
            "EventSource=s3.amazonaws.com".to_string()
        )])
    );
}

#[test]
fn an_exact_action_becomes_an_event_name_query() {
    let (emulator, _) = fetches_exactly(400, &["iam:ListUsers"], |e| {
        e.event_source == "iam.amazonaws.com" && e.event_name == "ListUsers"
    });
    assert_eq!(
        emulator.counters().queries,
        BTreeSet::from([("us-east-1".to_string(), "EventName=ListUsers".to_string())])
    );
}

#[test]
fn max_events_writes_exactly_n() {
    let config = config_with(&["us-east-1", "eu-west-1"], 300, 3600);
    let emulator = Emulator::start(config);
    let out = Fetch::regions(&emulator, "us-east-1,eu-west-1")
        .args(["--max-events", "73"])
        .succeeds();
    let ids = event_ids(&out.stdout);
    assert_eq!(ids.len(), 73);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 73);
}

#[test]
fn envelope_writes_the_whole_lookup_event() {
    let config = config_with(&["us-east-1"], 200, 3600);
    let expected: Vec<_> = all_events(&config)
        .into_iter()
        .filter(|e| e.event_name == "GetObject")
        .collect();
    let emulator = Emulator::start(config);
    let out = Fetch::regions(&emulator, "us-east-1")
        .args(["--envelope", "--lookup", "EventName=GetObject"])
        .succeeds();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut ids = Vec::new();
    for line in text.lines() {
        let envelope: serde_json::Value = serde_json::from_str(line).unwrap();
        let event = expected
            .iter()
            .find(|e| envelope["EventId"] == e.event_id.as_str())
            .unwrap_or_else(|| panic!("unexpected {line}"));
        let record = &envelope["CloudTrailEvent"];
        assert!(record.is_object(), "CloudTrailEvent must be parsed: {line}");
        assert_eq!(record["eventID"], envelope["EventId"]);
        // EventTime as RFC 3339 UTC, the same instant as the record's.
        assert_eq!(envelope["EventTime"], record["eventTime"]);
        assert_eq!(envelope["Username"], event.username.as_str());
        assert_eq!(envelope["EventSource"], event.event_source.as_str());
        assert_eq!(envelope["ReadOnly"], event.read_only.to_string());
        assert_eq!(
            envelope["Resources"][0]["ResourceName"],
            event.resources[0].1.as_str()
        );
        ids.push(event.event_id.clone());
    }
    assert_eq!(ids.len(), expected.len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), expected.len());
}

#[test]
fn insight_events_are_a_category_of_their_own() {
    let mut config = config_with(&["us-east-1"], 120, 3600);
    for event in config
        .regions
        .get_mut("us-east-1")
        .unwrap()
        .iter_mut()
        .step_by(4)
    {
        event.insight = true;
    }
    let (insights, management): (Vec<_>, Vec<_>) =
        all_events(&config).into_iter().partition(|e| e.insight);
    let emulator = Emulator::start(config);
    let out = Fetch::regions(&emulator, "us-east-1")
        .args(["--event-category", "insight"])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &insights);
    let out = Fetch::regions(&emulator, "us-east-1").output();
    assert_exactly_once(&event_ids(&out.stdout), &management);
}

#[test]
fn aws_endpoint_url_cloudtrail_is_honoured() {
    let config = config_with(&["eu-west-1"], 60, 3600);
    let (emulator, expected) = serve(config);
    let out = Fetch::bare()
        .env("AWS_ENDPOINT_URL_CLOUDTRAIL", emulator.url())
        .env("AWS_REGION", "eu-west-1")
        .args(["--rate", "50"])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
}

#[test]
fn all_regions_reads_every_enabled_region() {
    let mut config = config_with(&["us-east-1", "ap-south-1", "eu-west-1"], 80, 3600);
    config.disabled_regions = vec!["me-south-1".to_string()];
    let (emulator, expected) = serve(config);
    let out = Fetch::against(&emulator)
        .env("AWS_REGION", "us-east-1")
        .args(["--all-regions", "--rate", "50"])
        .succeeds();
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    let counters = emulator.counters();
    assert_eq!(counters.list_regions_calls, 1);
    let regions: Vec<&String> = counters.requests.keys().collect();
    assert_eq!(regions, ["ap-south-1", "eu-west-1", "us-east-1"]);
}
