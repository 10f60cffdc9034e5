//! spitzel-filter --sigma through its binary, with rule fixtures written
//! by the tests themselves (and, when ../shared is there, SigmaHQ's rules
//! on Stratus Red Team's detonation logs).

use std::path::PathBuf;

use crate::util::run;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const STOP: &str = r#"{"eventVersion":"1.08","eventTime":"2026-03-14T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"sourceIPAddress":"198.51.100.7"}"#;
const LIST: &str = r#"{"eventTime":"2026-03-14T10:01:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob"},"sourceIPAddress":"203.0.113.9"}"#;
const GET: &str = r#"{"eventTime":"2026-03-14T10:02:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole"},"sourceIPAddress":"10.1.2.3"}"#;

fn input() -> Vec<u8> {
    format!("{STOP}\n{LIST}\n{GET}\n").into_bytes()
}

const TRAIL_RULE: &str = "title: Trail stopped
id: 11111111-0000-0000-0000-000000000001
author: Alice Example, Bob \"Quote\" Example
level: high
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
    condition: selection
";

const ROOT_RULE: &str = "title: Root used
id: 11111111-0000-0000-0000-000000000002
author: Carol
level: medium
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        userIdentity.type: Root
    condition: selection
";

const LIST_RULE: &str = "title: Buckets listed
id: 11111111-0000-0000-0000-000000000003
author: Dan
level: low
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ListBuckets
    filter:
        userIdentity.type: AssumedRole
    condition: selection and not filter
";

const WINDOWS_RULE: &str = "title: Whoami
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|expand: '%Admins%'
    condition: selection
";

fn rules_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trail.yml"), TRAIL_RULE).unwrap();
    std::fs::write(dir.path().join("root.yaml"), ROOT_RULE).unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("nested/list.yml"), LIST_RULE).unwrap();
    std::fs::write(dir.path().join("nested/whoami.yml"), WINDOWS_RULE).unwrap();
    std::fs::write(dir.path().join("README.md"), "not a rule").unwrap();
    dir
}

#[test]
fn keeps_events_matching_any_rule_lines_unchanged() {
    let dir = rules_dir();
    let out = run(&["--sigma", dir.path().to_str().unwrap()], &input());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{STOP}\n{LIST}\n"));
}

#[test]
fn annotate_appends_the_matching_rules_with_their_authors() {
    let dir = rules_dir();
    let out = run(
        &["--sigma", dir.path().to_str().unwrap(), "--annotate"],
        &input(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stop = STOP.strip_suffix('}').unwrap();
    let list = LIST.strip_suffix('}').unwrap();
    // Rules in load order: root.yaml, trail.yml, then nested/list.yml (name order, directories walked in place).
    let expected = format!(
        "{stop},\"sigma\":[{{\"id\":\"11111111-0000-0000-0000-000000000002\",\"title\":\"Root used\",\"level\":\"medium\",\"author\":\"Carol\"}},\
         {{\"id\":\"11111111-0000-0000-0000-000000000001\",\"title\":\"Trail stopped\",\"level\":\"high\",\"author\":\"Alice Example, Bob \\\"Quote\\\" Example\"}}]}}\n\
         {list},\"sigma\":[{{\"id\":\"11111111-0000-0000-0000-000000000003\",\"title\":\"Buckets listed\",\"level\":\"low\",\"author\":\"Dan\"}}]}}\n"
    );
    assert_eq!(text(&out.stdout), expected);
    for line in text(&out.stdout).lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("annotated lines are JSON");
    }
}

#[test]
fn combines_with_globs_and_match_by_and() {
    let dir = rules_dir();
    let d = dir.path().to_str().unwrap();
    let out = run(&["--sigma", d, "s3:*"], &input());
    assert_eq!(text(&out.stdout), format!("{LIST}\n"));
    let out = run(
        &[
            "--sigma",
            d,
            "--match",
            "$.sourceIPAddress cidr \"198.51.100.0/24\"",
        ],
        &input(),
    );
    assert_eq!(text(&out.stdout), format!("{STOP}\n"));
    let out = run(
        &[
            "--sigma",
            d,
            "-c",
            "--from",
            "2026-03-14 10:00:30",
            "--to",
            "2026-03-14 10:05:00",
        ],
        &input(),
    );
    assert_eq!(text(&out.stdout), "1\n");
    // Inverted: the events no rule (or other criterion) keeps.
    let out = run(&["--sigma", d, "-v"], &input());
    assert_eq!(text(&out.stdout), format!("{GET}\n"));
}

#[test]
fn sigma_level_keeps_rules_at_or_above() {
    let dir = rules_dir();
    let d = dir.path().to_str().unwrap();
    let out = run(&["--sigma", d, "--sigma-level", "medium"], &input());
    assert_eq!(text(&out.stdout), format!("{STOP}\n"));
    let out = run(
        &["--sigma", d, "--sigma-level", "critical", "--stats"],
        &input(),
    );
    // No rule left to run: refused, saying why (issue 22), not "no match".
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no rule to run: 4 rules in 4 files: 1 for a logsource other than AWS CloudTrail (product: aws, service: cloudtrail), 3 below --sigma-level critical"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--sigma", d, "--sigma-level", "severe"], &input());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn stats_count_matches_per_rule_and_skipped_logsources() {
    let dir = rules_dir();
    let out = run(
        &["--sigma", dir.path().to_str().unwrap(), "-c", "--stats"],
        &input(),
    );
    let err = text(&out.stderr);
    assert!(err.contains("sigma: 4 rule files, 3 rules run"), "{err}");
    assert!(
        err.contains("1 skipped (logsource not AWS CloudTrail)"),
        "{err}"
    );
    assert!(
        err.contains("sigma: 1 11111111-0000-0000-0000-000000000002 [medium] Root used"),
        "{err}"
    );
    assert!(
        err.contains("sigma: 1 11111111-0000-0000-0000-000000000001 [high] Trail stopped"),
        "{err}"
    );
    assert!(
        err.contains("sigma: 1 11111111-0000-0000-0000-000000000003 [low] Buckets listed"),
        "{err}"
    );
}

#[test]
fn a_malformed_rule_is_one_error_naming_file_and_key() {
    let dir = rules_dir();
    let bad = dir.path().join("nested/bad.yml");
    std::fs::write(
        &bad,
        "title: Bad\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    selection:\n        eventName|startswith|bogus: Stop\n    condition: selection\n",
    )
    .unwrap();
    let out = run(&["--sigma", dir.path().to_str().unwrap()], &input());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        format!(
            "spitzel-filter: --sigma: {}:7: key 'detection.selection.eventName|startswith|bogus': unknown modifier 'bogus'\n",
            bad.display()
        )
    );
}

#[test]
fn aggregations_and_incomplete_correlations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let agg = dir.path().join("agg.yml");
    std::fs::write(&agg, "title: A\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    selection:\n        eventName: ConsoleLogin\n    condition: selection | count() by sourceIPAddress > 10\n").unwrap();
    let out = run(&["--sigma", agg.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("agg.yml:8: key 'detection.condition': aggregations"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let corr = dir.path().join("corr.yml");
    std::fs::write(
        &corr,
        "title: C\ncorrelation:\n    type: event_count\n    rules:\n        - x\n",
    )
    .unwrap();
    let out = run(&["--sigma", corr.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    // A correlation without a timespan: refused naming the key.
    assert!(
        text(&out.stderr).contains("corr.yml:2: key 'correlation.timespan': missing"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn yaml_errors_name_the_line_and_missing_paths_fail() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, "title: [unclosed\nlogsource: x\n").unwrap();
    let out = run(&["--sigma", bad.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.yml:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("invalid YAML"),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        &["--sigma", dir.path().join("absent.yml").to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("absent.yml: cannot read"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn annotate_needs_sigma() {
    let out = run(&["--annotate"], &input());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn records_inside_records_wrappers_are_judged_one_by_one() {
    let dir = rules_dir();
    let wrapped = format!("{{\"Records\":[{STOP},{GET}]}}\n");
    let out = run(
        &["--sigma", dir.path().to_str().unwrap()],
        wrapped.as_bytes(),
    );
    assert_eq!(text(&out.stdout), format!("{STOP}\n"));
}

// ------------------------------------------------------------ shared data

fn shared() -> PathBuf {
    crate::util::shared_dir()
}

/// The ids of the rules that matched each event of one detonation.
fn fired(technique: &str) -> Vec<String> {
    let rules = shared().join("data/sigma/sigmahq-cloudtrail");
    let log = shared().join(format!(
        "data/cloudtrail/stratus-red-team-detonation-logs/arrays/{technique}.json"
    ));
    let out = run(
        &[
            "--sigma",
            rules.to_str().unwrap(),
            "--annotate",
            "-i",
            log.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        text(&out.stderr)
    );
    let mut ids = Vec::new();
    for line in text(&out.stdout).lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        for hit in record["sigma"].as_array().unwrap() {
            assert!(hit["author"].is_string(), "DRL: the author is kept");
            ids.push(hit["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

/// Stratus technique -> the SigmaHQ rule written for what it does.
const FIRES: &[(&str, &str, &str)] = &[
    (
        "aws.defense-evasion.cloudtrail-delete",
        "4db60cc0-36fb-42b7-9b58-a5b53019fb74",
        "CloudTrail Important Change",
    ),
    (
        "aws.defense-evasion.cloudtrail-stop",
        "4db60cc0-36fb-42b7-9b58-a5b53019fb74",
        "CloudTrail Important Change",
    ),
    (
        "aws.defense-evasion.vpc-remove-flow-logs",
        "e386b9b5-af12-450e-afff-761730fb8a98",
        "VPC Flow Logs Deleted",
    ),
    (
        "aws.execution.ssm-send-command",
        "38e7f511-3f74-41d4-836e-f57dfa18eead",
        "Malicious Usage of System Manager",
    ),
    (
        "aws.exfiltration.ec2-security-group-open-port-22-ingress",
        "6fb77778-040f-4015-9440-572aa9b6b580",
        "Ingress/Egress Security Group Modification",
    ),
    (
        "aws.exfiltration.ec2-share-ebs-snapshot",
        "abae8fec-57bd-4f87-aff6-6e3db989843d",
        "Snapshot Backup Exfiltration",
    ),
    (
        "aws.initial-access.console-login-without-mfa",
        "77caf516-34e5-4df9-b4db-20744fea0a60",
        "Console Login Without MFA",
    ),
    (
        "aws.persistence.iam-backdoor-user",
        "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
        "IAM Backdoor Users Keys",
    ),
    (
        "aws.persistence.iam-create-admin-user",
        "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
        "IAM Backdoor Users Keys",
    ),
    (
        "aws.persistence.lambda-layer-extension",
        "97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d",
        "New Lambda Layer Attached",
    ),
    (
        "aws.privilege-escalation.iam-update-user-login-profile",
        "055fb148-60f8-462d-ad16-26926ce050f1",
        "User Login Profile Was Modified",
    ),
];

/// Rules aimed at a technique that, read exactly, do not fire on its log.
const DOES_NOT_FIRE: &[(&str, &str, &str)] = &[
    // The rule wants requestParameters.attribute = userData (the
    // `--attribute userData` call form); the detonation set the user data
    // with `--user-data`, logged as requestParameters.userData.
    (
        "aws.execution.ec2-user-data",
        "1ab3c5ed-5baf-417b-bb6b-78ca33f6c3df",
        "EC2 Startup Shell Script Change",
    ),
    // The rule's regex wants a role whose name starts with `aws:`
    // (`assumed-role/aws:...`); the stolen role is
    // stratus-red-team-ec2-steal-credentials-role.
    (
        "aws.credential-access.ec2-steal-instance-credentials",
        "352a918a-34d8-4882-8470-44830c507aa3",
        "IMDS Credentials Outside Of AWS",
    ),
    // The rule is about the S3 Browser tool (userAgent contains
    // 'S3 Browser'); the detonation's userAgent is stratus-red-team_...
    (
        "aws.persistence.iam-create-user-login-profile",
        "db014773-b1d3-46bd-ba26-133337c0ffee",
        "S3Browser LoginProfile Creation",
    ),
];

#[test]
#[ignore = "needs ../shared"]
fn sigmahq_rules_fire_on_stratus_detonations() {
    for (technique, id, what) in FIRES {
        assert!(
            fired(technique).iter().any(|hit| hit == id),
            "{technique}: {what} ({id}) did not fire"
        );
    }
    for (technique, id, what) in DOES_NOT_FIRE {
        assert!(
            !fired(technique).iter().any(|hit| hit == id),
            "{technique}: {what} ({id}) fired"
        );
    }
}

#[test]
#[ignore = "needs ../shared"]
fn all_shared_rules_load_through_the_binary() {
    let rules = shared().join("data/sigma/sigmahq-cloudtrail");
    let out = run(&["--sigma", rules.to_str().unwrap(), "-c", "--stats"], b"");
    let err = text(&out.stderr);
    assert!(err.contains("sigma: 57 rule files, 57 rules run"), "{err}");
}

#[test]
fn record_values_as_the_scanner_reads_them() {
    // Escapes are decoded; objects are compared as compact JSON text (the
    // white space between tokens removed, strings as written); numbers and
    // booleans as their JSON text; arrays element by element.
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("r.yml");
    std::fs::write(
        &rule,
        "title: R\nid: r\nauthor: me\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    ua:\n        userAgent: 'TruffleHog'\n    params:\n        requestParameters|contains: '{\"Status\":\"Suspended\"}'\n    flag:\n        requestParameters.enable: 'false'\n    listed:\n        resources.ARN|endswith: ':key/k1'\n    condition: 1 of them\n",
    )
    .unwrap();
    let records = [
        r#"{"eventName":"A","userAgent":"Truffle\u0048og"}"#,
        r#"{"eventName":"B","requestParameters": { "VersioningConfiguration" : { "Status" : "Suspended" } }}"#,
        r#"{"eventName":"C","requestParameters":{"enable":false}}"#,
        r#"{"eventName":"D","resources":[{"ARN":"arn:x"},{"ARN":"arn:aws:kms:r:1:key/k1"}]}"#,
        r#"{"eventName":"E","userAgent":"TruffleHogX","requestParameters":{"enable":true},"resources":[]}"#,
    ];
    let input = records.join("\n") + "\n";
    let out = run(&["--sigma", rule.to_str().unwrap()], input.as_bytes());
    assert_eq!(text(&out.stdout), records[..4].join("\n") + "\n");
}

#[test]
fn sigma_rules_emit_sql_one_statement_per_dialect() {
    let dir = rules_dir();
    let rules = dir.path().to_str().unwrap();
    // Athena: the rules' string columns, case folded explicitly (the
    // Windows rule is skipped as the filter skips it).
    let out = run(&["--sigma", rules, "--emit-sql", "athena"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(
        sql.starts_with("-- spitzel-filter ")
            && sql
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("SELECT eventversion, useridentity, ")
            && sql.contains("\nFROM cloudtrail_logs\nWHERE "),
        "{sql}"
    );
    assert!(
        sql.contains(r"regexp_like(useridentity.type, '\A[Rr][Oo][Oo][Tt]\z')"),
        "{sql}"
    );
    // Simple case folding as the filter's regex crate does it: s and ſ.
    assert!(sql.contains(r"[Ss\x{17F}][Tt][Oo][Pp]"), "{sql}");
    assert!(sql.contains("(NOT "), "{sql}");
    // The command as typed on the first line, then the statement.
    assert!(sql.lines().nth(1).unwrap().starts_with("SELECT "), "{sql}");
    // DuckDB: the walk of the dotted field and the rule's value.
    let out = run(
        &["--sigma", rules, "--emit-sql", "duckdb", "-i", "x.ndjson"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sql = text(&out.stdout);
    assert!(
        sql.contains("json_extract(x") && sql.contains("'/userIdentity'"),
        "{sql}"
    );
    assert!(sql.contains(r"'\A[Rr][Oo][Oo][Tt]\z'"), "{sql}");
}

#[test]
fn sigma_emit_sql_refuses_what_it_cannot_translate_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("keywords.yml");
    std::fs::write(
        &rule,
        "title: K\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  keywords:\n    - Denied\n  condition: keywords\n",
    )
    .unwrap();
    let out = run(
        &[
            "--sigma",
            rule.to_str().unwrap(),
            "--emit-sql",
            "spark",
            "-i",
            "x.ndjson",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--emit-sql spark: cannot translate exactly: ")
            && err.contains("keywords.yml: keywords"),
        "{err}"
    );
    // The matching rule titles are not a column of the statement.
    let dir = rules_dir();
    let out = run(
        &[
            "--sigma",
            dir.path().to_str().unwrap(),
            "--annotate",
            "--emit-sql",
            "athena",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--emit-sql athena: cannot translate exactly: --annotate"));
}
