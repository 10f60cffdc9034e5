//! examples/sample.ndjson is what the README's quick start runs on: one
//! CloudTrail record per line, over a few hours of one day, with the cases
//! the quick start and the man page talk about.

use serde_json::Value;
use std::collections::HashSet;

fn sample() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample.ndjson");
    let text = std::fs::read_to_string(path).expect("examples/sample.ndjson");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let record: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("sample.ndjson:{}: {e}", i + 1));
            assert!(record.is_object(), "sample.ndjson:{}: not an object", i + 1);
            record
        })
        .collect()
}

fn text<'a>(record: &'a Value, pointer: &str) -> &'a str {
    record
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[test]
fn every_line_is_a_cloudtrail_record_with_a_unique_id() {
    let records = sample();
    assert!(
        (30..=60).contains(&records.len()),
        "{} records",
        records.len()
    );
    let mut ids = HashSet::new();
    for record in &records {
        for field in [
            "/eventVersion",
            "/eventTime",
            "/eventSource",
            "/eventName",
            "/awsRegion",
            "/sourceIPAddress",
            "/eventID",
            "/eventType",
            "/recipientAccountId",
            "/userIdentity/type",
        ] {
            assert!(
                !text(record, field).is_empty(),
                "{field} missing in {record}"
            );
        }
        assert!(
            ids.insert(text(record, "/eventID").to_owned()),
            "duplicate eventID"
        );
    }
}

#[test]
fn events_span_a_few_hours_of_one_day_in_time_order() {
    let times: Vec<String> = sample()
        .iter()
        .map(|r| text(r, "/eventTime").to_owned())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not in time order");
    let day = &times[0][..10];
    assert!(times.iter().all(|t| t.starts_with(day) && t.ends_with('Z')));
    let hour = |t: &str| t[11..13].parse::<u32>().expect("hour");
    let span = hour(times.last().expect("events")) - hour(&times[0]);
    assert!((2..=8).contains(&span), "spans {span} hours");
}

#[test]
fn covers_the_cases_the_docs_use() {
    let records = sample();
    let any = |what: &str, test: &dyn Fn(&Value) -> bool| {
        assert!(records.iter().any(test), "no {what} in the sample");
    };
    let s3_denied = |name: &'static str| {
        move |r: &Value| {
            text(r, "/eventSource") == "s3.amazonaws.com"
                && text(r, "/eventName") == name
                && text(r, "/errorCode") == "AccessDenied"
        }
    };
    any("denied S3 GetObject", &s3_denied("GetObject"));
    any("denied S3 PutObject", &s3_denied("PutObject"));
    any("AssumedRole identity", &|r| {
        text(r, "/userIdentity/type") == "AssumedRole"
    });
    any("IAMUser identity", &|r| {
        text(r, "/userIdentity/type") == "IAMUser"
    });
    any("console login", &|r| {
        text(r, "/eventName") == "ConsoleLogin"
    });
    any("failed console login", &|r| {
        text(r, "/responseElements/ConsoleLogin") == "Failure"
    });
    any("EC2 Describe*", &|r| {
        text(r, "/eventSource") == "ec2.amazonaws.com"
            && text(r, "/eventName").starts_with("Describe")
    });
    any("Lambda 20150331v2 name", &|r| {
        text(r, "/eventSource") == "lambda.amazonaws.com"
            && text(r, "/eventName").ends_with("20150331v2")
    });
    any("CloudWatch event", &|r| {
        text(r, "/eventSource") == "monitoring.amazonaws.com"
    });
    let ip = |r: &Value| text(r, "/sourceIPAddress").parse::<std::net::IpAddr>().ok();
    any("IPv4 source", &|r| ip(r).is_some_and(|a| a.is_ipv4()));
    any("IPv6 source", &|r| ip(r).is_some_and(|a| a.is_ipv6()));
    any("AWS Internal source", &|r| {
        text(r, "/sourceIPAddress") == "AWS Internal"
    });
}
