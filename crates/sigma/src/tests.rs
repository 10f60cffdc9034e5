//! Rules on records, through the whole path: YAML text, compilation, the
//! matcher on `serde_json::Value` records. Examples follow the
//! specification's own where it has them.

use crate::load::{Loaded, load_text};
use crate::model::Rule;
use crate::set::{LoadStats, RuleSet};
use serde_json::{Value, json};
use std::path::Path;

fn rule(detection: &str) -> Rule {
    let text = format!(
        "title: t\nid: 1\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n{}",
        indent(detection)
    );
    match load_text(Path::new("t.yml"), &text) {
        Ok(mut loaded) => match loaded.remove(0) {
            Loaded::Rule(rule) => *rule,
            _ => panic!("not a rule"),
        },
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn refusal(detection: &str) -> String {
    let text = format!(
        "title: t\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n{}",
        indent(detection)
    );
    match load_text(Path::new("t.yml"), &text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn hits(detection: &str, record: Value) -> bool {
    rule(detection).matches(&record).expect("decided")
}

#[test]
fn map_is_and_list_is_or() {
    // The specification's example: EventLog Security and (517 or 1102).
    let d = "selection:\n    EventLog: Security\n    EventID:\n        - 517\n        - 1102\ncondition: selection";
    assert!(hits(d, json!({"EventLog": "Security", "EventID": 517})));
    assert!(hits(d, json!({"EventLog": "security", "EventID": 1102})));
    assert!(!hits(d, json!({"EventLog": "Security", "EventID": 4624})));
    assert!(!hits(d, json!({"EventLog": "System", "EventID": 517})));
    // A list of maps: any map.
    let d = "selection:\n    - Image|endswith: '\\example.exe'\n    - Description|contains: 'Test executable'\ncondition: selection";
    assert!(hits(d, json!({"Image": "C:\\x\\example.exe"})));
    assert!(hits(d, json!({"Description": "a test Executable here"})));
    assert!(!hits(d, json!({"Image": "C:\\x\\other.exe"})));
}

#[test]
fn values_ignore_case_unless_cased() {
    let d = "sel:\n    eventName: DeleteTrail\ncondition: sel";
    assert!(hits(d, json!({"eventName": "deletetrail"})));
    let d = "sel:\n    eventName|cased: DeleteTrail\ncondition: sel";
    assert!(hits(d, json!({"eventName": "DeleteTrail"})));
    assert!(!hits(d, json!({"eventName": "deletetrail"})));
    let d = "sel:\n    userAgent|contains|cased: TruffleHog\ncondition: sel";
    assert!(!hits(d, json!({"userAgent": "trufflehog/3"})));
}

#[test]
fn string_modifiers() {
    let c = "sel:\n    f|contains: 'bar'\ncondition: sel";
    assert!(hits(c, json!({"f": "fooBARbaz"})));
    assert!(!hits(c, json!({"f": "foo"})));
    let s = "sel:\n    f|startswith: 'adm'\ncondition: sel";
    assert!(hits(s, json!({"f": "Administrator"})));
    assert!(!hits(s, json!({"f": "badm"})));
    let e = "sel:\n    f|endswith: '\\cmd.exe'\ncondition: sel";
    assert!(hits(e, json!({"f": "C:\\Windows\\System32\\CMD.EXE"})));
    assert!(!hits(e, json!({"f": "cmd.exe.bak"})));
    // contains|all: every value somewhere.
    let a = "sel:\n    f|contains|all:\n        - 'a'\n        - 'b'\ncondition: sel";
    assert!(hits(a, json!({"f": "xbxa"})));
    assert!(!hits(a, json!({"f": "xa"})));
    // Wildcards inside contains keep their meaning.
    let w = "sel:\n    f|contains: 'a?c'\ncondition: sel";
    assert!(hits(w, json!({"f": "zzabczz"})));
    assert!(!hits(w, json!({"f": "zzaczz"})));
}

#[test]
fn keywords_search_every_value() {
    // The specification's example: event::clear or event::drop.
    let d = "keywords:\n    - 'event::clear'\n    - 'event::drop'\ncondition: keywords";
    assert!(hits(d, json!({"a": {"b": ["x", "run EVENT::CLEAR now"]}})));
    assert!(!hits(d, json!({"event::clear": "keys are not values"})));
    // '|all': every keyword.
    let d = "keywords_cmdlet:\n    '|all':\n        - 'OabVirtualDirectory'\n        - ' -ExternalUrl '\ncondition: keywords_cmdlet";
    assert!(hits(
        d,
        json!({"cmd": "Set-OabVirtualDirectory -ExternalUrl x"})
    ));
    assert!(hits(
        d,
        json!({"a": "OabVirtualDirectory", "b": " -ExternalUrl "})
    ));
    assert!(!hits(d, json!({"cmd": "Set-OabVirtualDirectory"})));
    // Numbers and booleans are values too.
    assert!(hits("k:\n    - 4738\ncondition: k", json!({"n": 14738})));
}

#[test]
fn regex_searches_and_is_case_sensitive_unless_i() {
    let d = "sel:\n    userIdentity.arn|re: ':assumed-role/aws:'\ncondition: sel";
    assert!(hits(
        d,
        json!({"userIdentity": {"arn": "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}})
    ));
    assert!(!hits(
        d,
        json!({"userIdentity": {"arn": "arn:aws:sts::1:ASSUMED-ROLE/aws:x"}})
    ));
    let i = "sel:\n    f|re|i: '^abc$'\ncondition: sel";
    assert!(hits(i, json!({"f": "ABC"})));
    // m: ^ and $ at line ends; s: dot matches newline.
    let m = "sel:\n    f|re|m: '^two$'\ncondition: sel";
    assert!(hits(m, json!({"f": "one\ntwo\nthree"})));
    assert!(!hits(
        "sel:\n    f|re: '^two$'\ncondition: sel",
        json!({"f": "one\ntwo\nthree"})
    ));
    let s = "sel:\n    f|re|s: 'one.two'\ncondition: sel";
    assert!(hits(s, json!({"f": "one\ntwo"})));
    assert!(!hits(
        "sel:\n    f|re: 'one.two'\ncondition: sel",
        json!({"f": "one\ntwo"})
    ));
}

#[test]
fn cidr() {
    let d = "sel:\n    sourceIPAddress|cidr:\n        - 10.0.0.0/8\n        - 2001:db8::/32\ncondition: sel";
    assert!(hits(d, json!({"sourceIPAddress": "10.20.30.40"})));
    assert!(hits(d, json!({"sourceIPAddress": "2001:db8::1"})));
    assert!(!hits(d, json!({"sourceIPAddress": "AWS Internal"})));
    assert!(!hits(d, json!({"sourceIPAddress": "11.0.0.1"})));
}

#[test]
fn exists_and_null() {
    // The specification's exists example.
    let d = "selection:\n    EventID: 4738\n    PasswordLastSet|exists: true\ncondition: selection";
    assert!(hits(d, json!({"EventID": 4738, "PasswordLastSet": "x"})));
    assert!(!hits(d, json!({"EventID": 4738})));
    // Decided: exists true holds for a member present with a null value.
    assert!(hits(d, json!({"EventID": 4738, "PasswordLastSet": null})));
    let no = "sel:\n    f|exists: false\ncondition: sel";
    assert!(hits(no, json!({})));
    assert!(!hits(no, json!({"f": null})));
    // Decided: null is missing or JSON null.
    let n = "sel:\n    errorCode: null\ncondition: sel";
    assert!(hits(n, json!({})));
    assert!(hits(n, json!({"errorCode": null})));
    assert!(!hits(n, json!({"errorCode": "AccessDenied"})));
    assert!(!hits(n, json!({"errorCode": ""})));
    // The specification's "not null" form.
    let not_null = "selection:\n    EventID: 4738\nfilter:\n    PasswordLastSet: null\ncondition: selection and not filter";
    assert!(hits(
        not_null,
        json!({"EventID": 4738, "PasswordLastSet": "2024"})
    ));
    assert!(!hits(not_null, json!({"EventID": 4738})));
    // An empty value is not null.
    assert!(hits("sel:\n    f: ''\ncondition: sel", json!({"f": ""})));
    assert!(!hits("sel:\n    f: ''\ncondition: sel", json!({})));
}

#[test]
fn fieldref() {
    let d = "sel:\n    userIdentity.userName|fieldref: requestParameters.userName\ncondition: sel";
    assert!(hits(
        d,
        json!({"userIdentity": {"userName": "Bob"}, "requestParameters": {"userName": "bob"}})
    ));
    assert!(!hits(
        d,
        json!({"userIdentity": {"userName": "bob"}, "requestParameters": {"userName": "alice"}})
    ));
    assert!(!hits(d, json!({"userIdentity": {"userName": "bob"}})));
    let c =
        "sel:\n    userIdentity.arn|fieldref|endswith: requestParameters.userName\ncondition: sel";
    assert!(hits(
        c,
        json!({"userIdentity": {"arn": "arn:aws:iam::1:user/bob"}, "requestParameters": {"userName": "bob"}})
    ));
    let cased = "sel:\n    a|fieldref|cased: b\ncondition: sel";
    assert!(!hits(cased, json!({"a": "X", "b": "x"})));
}

#[test]
fn numeric_comparisons() {
    let d = "sel:\n    n|gt: 10\ncondition: sel";
    assert!(hits(d, json!({"n": 11})));
    assert!(!hits(d, json!({"n": 10})));
    assert!(hits(d, json!({"n": "12.5"})));
    assert!(!hits(d, json!({"n": "many"})));
    assert!(!hits(d, json!({})));
    assert!(hits(
        "sel:\n    n|gte: 10\ncondition: sel",
        json!({"n": 10})
    ));
    assert!(hits(
        "sel:\n    n|lt: 10\ncondition: sel",
        json!({"n": 9.5})
    ));
    assert!(hits(
        "sel:\n    n|lte: 10\ncondition: sel",
        json!({"n": 10.0})
    ));
    assert!(!hits(
        "sel:\n    n|lte: 10\ncondition: sel",
        json!({"n": 10.5})
    ));
}

#[test]
fn base64_and_base64offset() {
    // base64 of 'ping' is cGluZw==.
    let d = "sel:\n    f|base64: 'ping'\ncondition: sel";
    assert!(hits(d, json!({"f": "cGluZw=="})));
    let o = "sel:\n    f|base64offset|contains: '/bin/bash'\ncondition: sel";
    use base64::Engine;
    for prefix in ["", "a", "ab"] {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{prefix}/bin/bash -c id"));
        assert!(hits(o, json!({"f": encoded})), "{prefix}");
    }
    assert!(!hits(o, json!({"f": "aGVsbG8gd29ybGQ="})));
    // utf16le then base64: 'cmd' as UTF-16LE is 63 00 6d 00 64 00.
    let w = "sel:\n    f|wide|base64: 'cmd'\ncondition: sel";
    assert!(hits(w, json!({"f": "YwBtAGQA"})));
}

#[test]
fn windash() {
    let d = "sel:\n    CommandLine|windash|contains: ' -exec '\ncondition: sel";
    for flag in [
        " -exec ",
        " /exec ",
        " \u{2013}exec ",
        " \u{2014}exec ",
        " \u{2015}exec ",
    ] {
        assert!(
            hits(d, json!({"CommandLine": format!("tool{flag}x")})),
            "{flag}"
        );
    }
    assert!(!hits(d, json!({"CommandLine": "tool +exec x"})));
}

#[test]
fn neq() {
    let d = "sel:\n    userIdentity.type|neq: Root\ncondition: sel";
    assert!(hits(d, json!({"userIdentity": {"type": "IAMUser"}})));
    assert!(!hits(d, json!({"userIdentity": {"type": "root"}})));
}

#[test]
fn dotted_fields_walk_objects_and_arrays() {
    let d = "sel:\n    userIdentity.sessionContext.sessionIssuer.type: Role\ncondition: sel";
    let record = json!({"userIdentity": {"sessionContext": {"sessionIssuer": {"type": "Role"}}}});
    assert!(hits(d, record));
    assert!(!hits(
        d,
        json!({"userIdentity": {"sessionContext": "Role"}})
    ));
    // Through an array: any element.
    let a = "sel:\n    resources.type: 'AWS::S3::Object'\ncondition: sel";
    assert!(hits(
        a,
        json!({"resources": [{"type": "AWS::S3::Bucket"}, {"type": "AWS::S3::Object"}]})
    ));
    assert!(!hits(
        a,
        json!({"resources": [{"type": "AWS::S3::Bucket"}]})
    ));
    // An array at the end: any element.
    let l = "sel:\n    requestParameters.layers|contains: 'evil'\ncondition: sel";
    assert!(hits(
        l,
        json!({"requestParameters": {"layers": ["ok", "arn:evil"]}})
    ));
    // Keys holding dots are not found by a dotted name (dots always walk).
    assert!(!hits(
        "sel:\n    a.b: x\ncondition: sel",
        json!({"a.b": "x"})
    ));
}

#[test]
fn objects_match_as_compact_json_text() {
    let d = "sel:\n    requestParameters|contains: 'Suspended'\ncondition: sel";
    let record: Value = serde_json::from_str(
        r#"{"requestParameters": {"bucketName": "b", "VersioningConfiguration": {"Status": "Suspended"}}}"#,
    )
    .unwrap();
    assert!(hits(d, record.clone()));
    let exact =
        "sel:\n    requestParameters|contains: '{\"Status\":\"Suspended\"}'\ncondition: sel";
    assert!(hits(exact, record));
}

#[test]
fn numbers_and_booleans_compare_as_json_text() {
    assert!(hits(
        "sel:\n    enable: 'false'\ncondition: sel",
        json!({"enable": false})
    ));
    assert!(hits(
        "sel:\n    enable: false\ncondition: sel",
        json!({"enable": "false"})
    ));
    assert!(hits(
        "sel:\n    n: 4738\ncondition: sel",
        json!({"n": 4738})
    ));
    assert!(hits(
        "sel:\n    n: '4738'\ncondition: sel",
        json!({"n": 4738})
    ));
    assert!(hits(
        "sel:\n    n|startswith: '47'\ncondition: sel",
        json!({"n": 4738})
    ));
    // Text, not value: 1.0 is not 1.
    let one: Value = serde_json::from_str(r#"{"n": 1.5}"#).unwrap();
    assert!(hits("sel:\n    n: '1.5'\ncondition: sel", one));
}

#[test]
fn not_is_two_valued() {
    // A selection on a missing field is false; its negation true.
    let d = "sel:\n    eventName: X\nfilter:\n    userIdentity.type: AssumedRole\ncondition: sel and not filter";
    assert!(hits(d, json!({"eventName": "X"})));
    assert!(!hits(
        d,
        json!({"eventName": "X", "userIdentity": {"type": "AssumedRole"}})
    ));
}

#[test]
fn them_and_patterns_in_conditions() {
    let d = "sel_a:\n    a: 1\nsel_b:\n    b: 1\n_private:\n    c: 1\ncondition: all of them";
    assert!(hits(d, json!({"a": 1, "b": 1})));
    let d1 = "sel_a:\n    a: 1\n_private:\n    c: 1\ncondition: 1 of them";
    assert!(!hits(d1, json!({"c": 1})));
    assert!(hits(d1, json!({"a": 1})));
    // A list of conditions: any.
    let list = "a:\n    a: 1\nb:\n    b: 1\ncondition:\n    - a\n    - b";
    assert!(hits(list, json!({"b": 1})));
}

#[test]
fn refusals_name_the_key() {
    let e = refusal("sel:\n    f|bogus: x\ncondition: sel");
    assert!(
        e.contains("t.yml:7: key 'detection.sel.f|bogus': unknown modifier 'bogus'"),
        "{e}"
    );
    assert!(refusal("sel:\n    f: x\ncondition: sel | count() > 3").contains("aggregations"));
    assert!(refusal("sel:\n    f|expand: '%x%'\ncondition: sel").contains("expand"));
    assert!(refusal("sel:\n    f|re: '('\ncondition: sel").contains("invalid regular expression"));
    assert!(
        refusal("sel:\n    f:\n        - a\n        - null\ncondition: sel")
            .contains("null cannot be part")
    );
    assert!(refusal("sel:\n    f|all: a\ncondition: sel").contains("'all'"));
    assert!(refusal("sel:\n    f|exists: maybe\ncondition: sel").contains("true or false"));
    assert!(refusal("sel:\n    f|base64: 'a*'\ncondition: sel").contains("wildcards"));
    assert!(refusal("sel:\n    f|gt: many\ncondition: sel").contains("number"));
    assert!(refusal("sel:\n    f|i: x\ncondition: sel").contains("'re'"));
    assert!(refusal("sel:\n    f|wide: x\ncondition: sel").contains("base64"));
    assert!(refusal("sel:\n    f: x\ntimeframe: 5m\ncondition: sel").contains("timeframe"));
    assert!(refusal("sel:\n    f: x").contains("detection.condition"));
    // A wildcard value whose regex passes the size limit is the rule's
    // error, not a matcher that silently never matches.
    let huge = "?".repeat(40_000);
    assert!(
        refusal(&format!("sel:\n    f: '{huge}'\ncondition: sel")).contains("too large to match")
    );
    let corr = load_text(
        Path::new("c.yml"),
        "title: c\ncorrelation:\n    type: event_count\n",
    );
    assert!(
        corr.err()
            .unwrap()
            .to_string()
            .contains("key 'correlation.rules': missing")
    );
}

#[test]
fn other_logsources_are_not_compiled() {
    let text = "title: w\nlogsource:\n    product: windows\ndetection:\n    sel:\n        f|expand: '%x%'\n    condition: sel\n";
    assert!(matches!(
        load_text(Path::new("w.yml"), text).unwrap()[0],
        Loaded::OtherLogsource(_)
    ));
}

#[test]
fn index_tests_only_rules_that_can_match() {
    let named =
        rule("sel:\n    eventName:\n        - StopLogging\n        - DeleteTrail\ncondition: sel");
    let sourced = rule(
        "sel:\n    eventSource: s3.amazonaws.com\n    eventName|startswith: Put\ncondition: sel",
    );
    let anywhere = rule("sel:\n    userIdentity.type: Root\ncondition: sel");
    let negated = rule("sel:\n    f: x\nfilter:\n    eventName: A\ncondition: sel and not filter");
    let set = RuleSet::new(
        vec![named, sourced, anywhere, negated],
        LoadStats::default(),
    );
    assert_eq!(set.unindexed(), 2);
    let mut out = Vec::new();
    let record = json!({"eventName": "deleteTRAIL", "eventSource": "cloudtrail.amazonaws.com", "userIdentity": {"type": "Root"}});
    set.matching(
        &record,
        Some("deleteTRAIL"),
        Some("cloudtrail.amazonaws.com"),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, vec![0, 2]);
    let record = json!({"eventName": "PutObject", "eventSource": "s3.amazonaws.com", "f": "x"});
    set.matching(
        &record,
        Some("PutObject"),
        Some("s3.amazonaws.com"),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, vec![1, 3]);
}

/// The shared SigmaHQ rules: every one loads and runs.
#[test]
#[ignore = "needs ../shared"]
fn every_shared_sigmahq_rule_loads() {
    let shared = std::env::var_os("SPITZEL_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("data/sigma/sigmahq-cloudtrail");
    let set = RuleSet::load(&[dir], None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.rules.len(), 57);
    assert_eq!(set.stats.other_logsource, 0);
    for rule in &set.rules {
        assert!(
            rule.author.is_some(),
            "{} has no author",
            rule.path.display()
        );
        assert!(rule.id.is_some() && rule.level.is_some());
    }
}

// Corners of the specification (rules v2, modifiers appendix v2.1), checked
// on records through the whole path.

#[test]
fn neq_differs_from_every_value_and_combines_with_fieldref() {
    // "The field is different from the specified values": all of them.
    let list =
        "sel:\n    eventName|neq:\n        - StopLogging\n        - DeleteTrail\ncondition: sel";
    assert!(!hits(list, json!({"eventName": "deletetrail"})));
    assert!(!hits(list, json!({"eventName": "StopLogging"})));
    assert!(hits(list, json!({"eventName": "CreateTrail"})));
    // Two-valued, as `not`: a missing field differs.
    assert!(hits(list, json!({})));
    // Modifiers appendix v2.1: neq with a number, and with fieldref.
    assert!(!hits("sel:\n    n|neq: 5\ncondition: sel", json!({"n": 5})));
    assert!(hits("sel:\n    n|neq: 5\ncondition: sel", json!({"n": 6})));
    let r = "sel:\n    userIdentity.arn|fieldref|neq: requestParameters.userName\ncondition: sel";
    assert!(!hits(
        r,
        json!({"userIdentity": {"arn": "Bob"}, "requestParameters": {"userName": "bob"}})
    ));
    assert!(hits(
        r,
        json!({"userIdentity": {"arn": "bob"}, "requestParameters": {"userName": "alice"}})
    ));
}

#[test]
fn utf16_encodings_before_base64() {
    // The appendix's examples: utf16be `cmd` is 00 63 00 6d 00 64; utf16
    // prepends the byte order mark FF FE to the little-endian form.
    assert!(hits(
        "sel:\n    f|utf16be|base64: 'cmd'\ncondition: sel",
        json!({"f": "AGMAbQBk"})
    ));
    assert!(hits(
        "sel:\n    f|utf16le|base64: 'cmd'\ncondition: sel",
        json!({"f": "YwBtAGQA"})
    ));
    assert!(hits(
        "sel:\n    f|utf16|base64: 'cmd'\ncondition: sel",
        json!({"f": "//5jAG0AZAA="})
    ));
    assert!(!hits(
        "sel:\n    f|utf16be|base64: 'cmd'\ncondition: sel",
        json!({"f": "YwBtAGQA"})
    ));
}

#[test]
fn escaped_wildcards_in_rules_are_plain() {
    let star = "sel:\n    f|contains: '\\*'\ncondition: sel";
    assert!(hits(star, json!({"f": "x*y"})));
    assert!(!hits(star, json!({"f": "xy"})));
    let question = "sel:\n    f|endswith: 'why\\?'\ncondition: sel";
    assert!(hits(question, json!({"f": "but why?"})));
    assert!(!hits(question, json!({"f": "but whyX"})));
    // `\\*`: a plain backslash, then a wildcard.
    let dir = "sel:\n    f: 'C:\\\\*'\ncondition: sel";
    assert!(hits(dir, json!({"f": "C:\\tmp\\x"})));
    assert!(hits(dir, json!({"f": "c:\\"})));
    assert!(!hits(dir, json!({"f": "C:"})));
}

#[test]
fn wildcard_is_no_existence_test() {
    // `*` matches any text, also empty, but null means missing or JSON
    // null, which no value matches.
    let d = "sel:\n    errorCode: '*'\ncondition: sel";
    assert!(hits(d, json!({"errorCode": ""})));
    assert!(hits(d, json!({"errorCode": "AccessDenied"})));
    assert!(!hits(d, json!({"errorCode": null})));
    assert!(!hits(d, json!({})));
}

#[test]
fn patterns_and_negation_on_records() {
    // The specification's form: all of selection* and not 1 of filter*.
    let d = "selection_a:\n    a: 1\nselection_b:\n    b: 1\nfilter_x:\n    c: 1\nfilter_y:\n    d: 1\ncondition: all of selection_* and not 1 of filter_*";
    assert!(hits(d, json!({"a": 1, "b": 1})));
    assert!(!hits(d, json!({"a": 1})));
    assert!(!hits(d, json!({"a": 1, "b": 1, "d": 1})));
    assert!(!hits(d, json!({"a": 1, "b": 1, "c": 1})));
    // Operators in upper case, parentheses over `of`.
    let p = "sel_1:\n    a: 1\nsel_2:\n    b: 1\nother:\n    c: 1\ncondition: NOT (1 of sel_* OR other)";
    assert!(hits(p, json!({"d": 1})));
    assert!(!hits(p, json!({"b": 1})));
    assert!(!hits(p, json!({"c": 1})));
}

#[test]
fn comparisons_through_arrays_take_any_element() {
    let d = "sel:\n    n|gt: 5\ncondition: sel";
    assert!(hits(d, json!({"n": [1, 7]})));
    assert!(!hits(d, json!({"n": [1, 2]})));
    let c = "sel:\n    ip|cidr: 10.0.0.0/8\ncondition: sel";
    assert!(hits(c, json!({"ip": ["192.0.2.1", "10.1.1.1"]})));
    // A port is not part of an address.
    assert!(!hits(c, json!({"ip": "10.1.2.3:443"})));
}

#[test]
fn more_refusals() {
    // "Single item values are not allowed to have an all modifier": also a
    // one-element list.
    assert!(
        refusal("sel:\n    f|contains|all:\n        - x\ncondition: sel").contains("two or more")
    );
    // Time modifiers (appendix v2.1) are refused, not guessed.
    assert!(refusal("sel:\n    eventTime|hour: 3\ncondition: sel").contains("time modifier"));
    // exists takes no other modifier.
    assert!(
        refusal("sel:\n    f|contains|exists: true\ncondition: sel").contains("cannot be combined")
    );
    // Identifiers are case-sensitive; the operators are not.
    assert!(refusal("Sel:\n    f: x\ncondition: sel").contains("'sel'"));
}
