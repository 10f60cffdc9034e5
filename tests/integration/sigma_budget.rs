//! Issue 21, item 15: hostile Sigma rules end, and a rule that would need
//! more work on a record than the budget allows (see the sigma crate's
//! `budget`) leaves that record undecided: reported with its place and the
//! rule, never a hang. Hang guards only, no timings.

use crate::util::run;
use spitzel_testsupport::stderr;

const HEADER: &str = "title: hostile\nid: h-1\nlevel: high\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n";

fn record(agent: &str) -> String {
    serde_json::json!({
        "eventSource": "cloudtrail.amazonaws.com",
        "eventName": "StopLogging",
        "userAgent": agent,
    })
    .to_string()
}

fn write_rule(dir: &tempfile::TempDir, name: &str, detection: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, format!("{HEADER}{detection}")).unwrap();
    path.to_str().unwrap().to_owned()
}

fn write_records(dir: &tempfile::TempDir, name: &str, records: &[String]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, records.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_hundred_thousand_value_list_runs_and_a_record_needing_every_value_is_undecided() {
    let dir = tempfile::tempdir().unwrap();
    let mut detection = String::from("    sel:\n        userAgent:\n");
    for value in 0..100_000u64 {
        // Spread-out literals, each behind and before a wildcard.
        let literal = value.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24;
        detection.push_str(&format!("            - '*{literal:010x}*k*'\n"));
    }
    detection.push_str("    condition: sel\n");
    let rules = write_rule(&dir, "list.yml", &detection);
    let hit = format!(
        "aws-cli {:010x} ok",
        7u64.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24
    );
    let mut records: Vec<String> = (0..2_899).map(|n| record(&format!("agent {n}"))).collect();
    records.insert(1_000, record(&hit));
    // Text beyond ASCII can equal a literal only through case folding, so
    // each of the 100,000 values is tried: past one rule's budget.
    records.push(record(&format!("é{}", "x".repeat(200))));
    let input = write_records(&dir, "events.ndjson", &records);
    let out = run(&["--sigma", &rules, "-i", &input], b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", record(&hit))
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{input}:2901: undecided (--sigma rule 'hostile' [h-1]): matching it on this record needs more than the 16777216 units of work allowed to one rule"
        )),
        "{err}"
    );
    assert!(err.contains("skipped 1 bad record"), "{err}");
    // Undecided is reported, never a silent "no match": grep's error status.
    assert_eq!(out.status.code(), Some(2), "{err}");
    let strict = run(&["--strict", "--sigma", &rules, "-i", &input], b"");
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}

#[test]
fn one_search_ored_two_thousand_times_runs_like_one() {
    let dir = tempfile::tempdir().unwrap();
    let once = write_rule(
        &dir,
        "once.yml",
        "    sel:\n        eventName: StopLogging\n    condition: sel\n",
    );
    let condition = vec!["sel"; 2000].join(" or ");
    let many = write_rule(
        &dir,
        "many.yml",
        &format!("    sel:\n        eventName: StopLogging\n    condition: {condition}\n"),
    );
    let records: Vec<String> = (0..2_900).map(|n| record(&format!("agent {n}"))).collect();
    let input = write_records(&dir, "events.ndjson", &records);
    for rules in [&once, &many] {
        let out = run(&["-c", "--sigma", rules, "-i", &input], b"");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "2900\n",
            "{}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn a_sixteen_kilobyte_wildcard_on_a_long_field_is_decided_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let value = "*a".repeat(8192) + "*";
    let rules = write_rule(
        &dir,
        "wild.yml",
        &format!("    sel:\n        userAgent: '{value}'\n    condition: sel\n"),
    );
    let long = "a".repeat(50_000) + &"b".repeat(50_000);
    // ASCII: the literals between `*`s are found in one pass, and match.
    let ascii = write_records(&dir, "ascii.ndjson", &[record(&long)]);
    let out = run(&["-c", "--sigma", &rules, "-i", &ascii], b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1\n",
        "{}",
        stderr(&out)
    );
    // Beyond ASCII, ignoring case takes the regex, whose work grows with
    // the value's size: this ran for minutes, and is now reported.
    let wide = write_records(&dir, "wide.ndjson", &[record(&format!("é{long}"))]);
    let out = run(&["-c", "--sigma", &rules, "-i", &wide], b"");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{wide}:1: undecided (--sigma rule 'hostile' [h-1]): matching it on this record needs more than"
        )),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    let strict = run(&["--strict", "--sigma", &rules, "-i", &wide], b"");
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}

#[test]
fn a_field_reference_across_two_long_arrays_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write_rule(
        &dir,
        "ref.yml",
        "    sel:\n        a|fieldref: b\n    condition: sel\n",
    );
    // 10,000 x 10,000 comparisons, none equal.
    let a: Vec<String> = (0..10_000).map(|n| format!("a{n}")).collect();
    let b: Vec<String> = (0..10_000).map(|n| format!("b{n}")).collect();
    let big = serde_json::json!({"eventName": "X", "a": a, "b": b}).to_string();
    let small = serde_json::json!({"eventName": "Y", "a": ["s", "t"], "b": ["t"]}).to_string();
    let input = write_records(&dir, "refs.ndjson", &[big, small.clone()]);
    let out = run(&["--sigma", &rules, "-i", &input], b"");
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{small}\n"));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{input}:1: undecided (--sigma rule 'hostile' [h-1]): matching it on this record needs more than the 16777216 units of work allowed to one rule"
        )),
        "{err}"
    );
}
