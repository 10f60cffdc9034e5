//! Action globs through the spitzel-filter binary (issue 15): own action by
//! default, stand-ins, --implied with conditions, brackets, invalid globs,
//! and the migration notes of the README. Fixtures are built here; the
//! tests over ../shared are ignored without it.

use spitzel_testsupport::stderr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], stdin: &str) -> Output {
    crate::util::run(args, stdin.as_bytes())
}

/// The eventIDs written, in order.
fn ids(output: &Output) -> Vec<String> {
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{output:?}"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line out");
            v["eventID"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

fn event(id: &str, source: &str, name: &str, params: &str) -> String {
    format!(
        r#"{{"eventTime":"2026-03-14T09:00:00Z","eventSource":"{source}","eventName":"{name}","eventID":"{id}","requestParameters":{params}}}"#
    )
}

fn fixture() -> String {
    let tags = r#"{"cidrBlock":"10.0.0.0/16","tagSpecificationSet":{"items":[{"resourceType":"vpc","tags":[{"key":"Name","value":"x"}]}]}}"#;
    let records = [
        event(
            "vpc-untagged",
            "ec2.amazonaws.com",
            "CreateVpc",
            r#"{"cidrBlock":"10.0.0.0/16"}"#,
        ),
        event("vpc-tagged", "ec2.amazonaws.com", "CreateVpc", tags),
        event(
            "tags",
            "ec2.amazonaws.com",
            "CreateTags",
            r#"{"resourcesSet":{"items":[{"resourceId":"vpc-1"}]}}"#,
        ),
        event(
            "run-bare",
            "ec2.amazonaws.com",
            "RunInstances",
            r#"{"instanceType":"t3.micro"}"#,
        ),
        event(
            "run-profile",
            "ec2.amazonaws.com",
            "RunInstances",
            r#"{"instanceType":"t3.micro","iamInstanceProfile":{"arn":"arn:aws:iam::1:instance-profile/admin"}}"#,
        ),
        event(
            "add-role",
            "iam.amazonaws.com",
            "AddRoleToInstanceProfile",
            r#"{"instanceProfileName":"p","roleName":"r"}"#,
        ),
        event(
            "copy",
            "s3.amazonaws.com",
            "CopyObject",
            r#"{"bucketName":"b","key":"k"}"#,
        ),
        event(
            "list",
            "s3.amazonaws.com",
            "ListObjects",
            r#"{"bucketName":"b"}"#,
        ),
        event(
            "head-bucket",
            "s3.amazonaws.com",
            "HeadBucket",
            r#"{"bucketName":"b"}"#,
        ),
        event(
            "head-object",
            "s3.amazonaws.com",
            "HeadObject",
            r#"{"bucketName":"b","key":"k"}"#,
        ),
        event(
            "upload-part",
            "s3.amazonaws.com",
            "UploadPart",
            r#"{"bucketName":"b","key":"k"}"#,
        ),
        event(
            "lifecycle",
            "s3.amazonaws.com",
            "GetBucketLifecycle",
            r#"{"bucketName":"b"}"#,
        ),
        event(
            "location",
            "s3.amazonaws.com",
            "GetBucketLocation",
            r#"{"bucketName":"b"}"#,
        ),
        event(
            "reboot-cluster",
            "rds.amazonaws.com",
            "RebootDBCluster",
            r#"{"dBClusterIdentifier":"c"}"#,
        ),
        event(
            "reboot-instance",
            "rds.amazonaws.com",
            "RebootDBInstance",
            r#"{"dBInstanceIdentifier":"i"}"#,
        ),
        event(
            "create-db",
            "rds.amazonaws.com",
            "CreateDBInstance",
            r#"{"dBInstanceIdentifier":"i"}"#,
        ),
        event(
            "describe-instances",
            "ec2.amazonaws.com",
            "DescribeInstances",
            "null",
        ),
        event("describe-vpcs", "ec2.amazonaws.com", "DescribeVpcs", "null"),
        event(
            "describe-subnets",
            "ec2.amazonaws.com",
            "DescribeSubnets",
            "null",
        ),
        event(
            "lambda-update",
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            r#"{"functionName":"f"}"#,
        ),
        event(
            "metric",
            "monitoring.amazonaws.com",
            "PutMetricData",
            "null",
        ),
    ];
    let mut text = records.join("\n");
    text.push('\n');
    text
}

fn selected(args: &[&str]) -> Vec<String> {
    ids(&run(args, &fixture()))
}

#[test]
fn an_event_is_its_own_action() {
    assert_eq!(selected(&["ec2:CreateTags"]), ["tags"]);
    assert_eq!(selected(&["s3:List*"]), ["list", "head-bucket"]);
    assert_eq!(selected(&["s3:*ion"]), ["lifecycle", "location"]);
    assert_eq!(selected(&["rds:*tance"]), ["reboot-instance", "create-db"]);
    assert!(selected(&["rds:AddTagsToResource"]).is_empty());
    assert!(selected(&["iam:PassRole"]).is_empty());
    assert_eq!(
        selected(&["lambda:UpdateFunctionConfiguration"]),
        ["lambda-update"]
    );
    assert_eq!(selected(&["cloudwatch:PutMetricData"]), ["metric"]);
}

#[test]
fn events_without_an_action_of_their_name_stand_for_the_work_done() {
    assert_eq!(
        selected(&["s3:GetObject"]),
        ["copy", "head-object"],
        "CopyObject and HeadObject read the object"
    );
    assert_eq!(selected(&["s3:PutObject"]), ["copy", "upload-part"]);
    assert_eq!(selected(&["s3:ListBucket"]), ["list", "head-bucket"]);
    // Side purposes of CopyObject are not what it stands for.
    assert!(selected(&["s3:PutObjectAcl", "s3:PutObjectTagging"]).is_empty());
}

#[test]
fn implied_adds_what_the_call_needed_given_its_parameters() {
    assert_eq!(
        selected(&["--implied", "ec2:CreateTags"]),
        ["vpc-tagged", "tags"]
    );
    assert_eq!(
        selected(&["--implied", "iam:PassRole"]),
        ["run-profile", "add-role"]
    );
    assert_eq!(
        selected(&["--implied", "rds:AddTagsToResource"]),
        ["create-db"],
        "the mapping lists AddTagsToResource on CreateDBInstance unconditionally"
    );
    assert_eq!(
        selected(&["--implied", "-v", "ec2:CreateTags"]).len(),
        fixture().lines().count() - 2
    );
}

#[test]
fn brackets_select_like_fnmatch_ignoring_case() {
    assert_eq!(
        selected(&["ec2:Describe[IV]*"]),
        ["describe-instances", "describe-vpcs"]
    );
    assert_eq!(selected(&["ec2:describe[!iv]*"]), ["describe-subnets"]);
    assert_eq!(selected(&["EC2:Describe[s-v]ubnets"]), ["describe-subnets"]);
}

#[test]
fn invalid_globs_are_usage_errors() {
    for (glob, said) in [
        ("ec2:Describe[IV*", "without its ']'"),
        ("ec2:Describe]", "without its '['"),
        ("ec2:Describe[z-a]*", "reversed"),
        ("s3:Get{Object,Acl}", "not glob syntax"),
        ("s3:Get Object", "not glob syntax"),
        ("s3:Get:Object", "second ':'"),
        ("GetObject", "no service prefix"),
    ] {
        let out = run(&[glob], &fixture());
        assert_eq!(out.status.code(), Some(2), "{glob}");
        let err = stderr(&out);
        assert!(err.contains(said), "{glob}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{glob}: {err}");
        assert!(out.stdout.is_empty());
    }
}

/// The README's "What changed from the Python original", one by one.
#[test]
fn migration_notes_hold() {
    let records = [
        r#"{"eventName":"A","eventSource":"s3.amazonaws.com","eventID":"plain"}"#,
        r#"{"eventName":"B","eventSource":"s3.amazonaws.com","eventID":"denied","errorCode":"AccessDenied"}"#,
        r#"{"eventName":"C","eventSource":"s3.amazonaws.com","eventID":"true","x":true,"l":[true],"d":{"a":true}}"#,
        r#"{"eventName":"D","eventSource":"s3.amazonaws.com","eventID":"one","x":1,"l":[1],"d":{"a":1}}"#,
        r#"{"eventName":"E","eventSource":"s3.amazonaws.com","eventID":"zero","x":0}"#,
    ]
    .join("\n");
    let sel = |args: &[&str]| ids(&run(args, &records));
    // A missing path is None, as the original documented.
    assert_eq!(
        sel(&["-m", "$.errorCode == None"]),
        ["plain", "true", "one", "zero"]
    );
    assert_eq!(sel(&["-m", "$.x == 0"]), ["zero"]);
    assert!(sel(&["-m", "$.x == False"]).is_empty());
    // A bool equals only a JSON bool, at every depth.
    assert_eq!(sel(&["-m", "$.x == True"]), ["true"]);
    assert_eq!(sel(&["-m", "$.x == 1"]), ["one"]);
    assert_eq!(sel(&["-m", "$.l == [True]"]), ["true"]);
    assert_eq!(sel(&["-m", "$.l == [1]"]), ["one"]);
    assert_eq!(sel(&["-m", "$.d == {'a': True}"]), ["true"]);
    assert_eq!(sel(&["-m", "$.d == {'a': 1}"]), ["one"]);
    assert_eq!(sel(&["-m", "$.l contains 1"]), ["one"]);
    // Two globs matching one event write it once.
    assert_eq!(sel(&["s3:A", "s3:*"]).len(), 5);
    // A regex on a missing or non-string value is no match, not a crash.
    assert_eq!(sel(&["-m", "$.x regex '1'"]), Vec::<String>::new());
    assert_eq!(sel(&["-m", "$.errorCode regex 'Denied'"]), ["denied"]);
    // Ordering with a number or string only; others are refused.
    assert_eq!(sel(&["-m", "$.x >= 1"]), ["one"]);
    assert!(sel(&["-m", "$.errorCode < 5"]).is_empty());
    for bad in ["$.x < None", "$.x <= True", "$.x > [1]", "$.x >= {'a': 1}"] {
        let out = run(&["-m", bad], &records);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = stderr(&out);
        assert!(err.contains("compares with a number or a string"), "{err}");
    }
    // \N{NAME} is Python syntax spitzel refuses, saying what to write.
    let out = run(&["-m", r"$.x == '\N{BULLET}'"], &records);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(r"\N{...}") && err.contains(r"\u"), "{err}");
}

// --- ../shared -------------------------------------------------------------

fn shared() -> PathBuf {
    crate::util::shared_dir()
}

fn shared_events() -> Vec<PathBuf> {
    let dir = shared().join("data/cloudtrail");
    let files: Vec<PathBuf> = [
        "invictus-aws-dataset",
        "stratus-red-team-detonation-logs",
        "panther-analysis-tests",
    ]
    .iter()
    .map(|d| dir.join(d).join("events.ndjson"))
    .collect();
    assert!(files.iter().all(|f| f.is_file()), "needs ../shared");
    files
}

/// Records as read independently (serde_json), for the expected figures.
fn shared_records() -> Vec<serde_json::Value> {
    shared_events()
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn shared_selected(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    for f in shared_events() {
        all.push("-i".into());
        all.push(f.display().to_string());
    }
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = run(&all, "");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn name(v: &serde_json::Value) -> &str {
    v["eventName"].as_str().unwrap_or_default()
}

fn has(v: &serde_json::Value, key: &str) -> bool {
    v["requestParameters"].get(key).is_some()
}

#[test]
#[ignore = "needs ../shared"]
fn shared_issue_examples() {
    let records = shared_records();
    let count =
        |pred: &dyn Fn(&serde_json::Value) -> bool| records.iter().filter(|r| pred(r)).count();

    let create_tags = shared_selected(&["ec2:CreateTags"]);
    assert_eq!(create_tags.len(), count(&|r| name(r) == "CreateTags"));
    let implied = shared_selected(&["--implied", "ec2:CreateTags"]);
    assert!(
        implied
            .iter()
            .all(|r| name(r) == "CreateTags" || has(r, "tagSpecificationSet"))
    );
    let tagged_vpcs = count(&|r| name(r) == "CreateVpc" && has(r, "tagSpecificationSet"));
    assert!(tagged_vpcs > 0 && count(&|r| name(r) == "CreateVpc") > tagged_vpcs);
    assert_eq!(
        implied.iter().filter(|r| name(r) == "CreateVpc").count(),
        tagged_vpcs
    );

    let lists = shared_selected(&["s3:List*"]);
    assert!(!lists.is_empty());
    assert!(
        lists
            .iter()
            .all(|r| name(r).starts_with("List") || name(r) == "HeadBucket")
    );
    assert!(count(&|r| name(r) == "CopyObject") > 0);

    let tance = shared_selected(&["rds:*tance"]);
    assert!(
        tance
            .iter()
            .all(|r| name(r).to_ascii_lowercase().ends_with("tance"))
    );
    assert!(count(&|r| name(r) == "RebootDBCluster") > 0);

    assert!(shared_selected(&["rds:AddTagsToResource"]).is_empty());
    assert!(shared_selected(&["iam:PassRole"]).is_empty());

    let passed = shared_selected(&["--implied", "iam:PassRole"]);
    let runs: Vec<_> = passed
        .iter()
        .filter(|r| name(r) == "RunInstances")
        .collect();
    assert_eq!(
        runs.len(),
        count(&|r| name(r) == "RunInstances"
            && (has(r, "iamInstanceProfile") || has(r, "launchTemplate")))
    );
    assert_eq!(
        passed
            .iter()
            .filter(|r| name(r) == "AddRoleToInstanceProfile")
            .count(),
        count(&|r| name(r) == "AddRoleToInstanceProfile")
    );

    let brackets = shared_selected(&["ec2:Describe[IV]*"]);
    let expected = count(&|r| {
        r["eventSource"] == "ec2.amazonaws.com"
            && (name(r).starts_with("DescribeI") || name(r).starts_with("DescribeV"))
    });
    assert!(expected > 0);
    assert_eq!(brackets.len(), expected);
}

/// The committed table and stand-in list are what the script makes of the
/// data in ../shared.
#[test]
#[ignore = "needs ../shared"]
fn generated_table_is_fresh() {
    let data = shared().join("data/iam-mapping");
    assert!(data.is_dir(), "needs ../shared");
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("python3")
        .arg(root.join("scripts/gen_iam_table.py"))
        .arg(&data)
        .arg(out.path())
        .status()
        .expect("python3");
    assert!(status.success());
    for rel in [
        "crates/core/src/actions/table.rs",
        "man/action-stand-ins.md",
    ] {
        let fresh = std::fs::read_to_string(out.path().join(rel)).unwrap();
        let committed = std::fs::read_to_string(root.join(rel)).unwrap();
        assert!(
            fresh == committed,
            "{rel} is stale: run python3 scripts/gen_iam_table.py"
        );
    }
}

/// man/action-stand-ins.md lists exactly the table the binary uses.
#[test]
fn published_stand_ins_match_the_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("man/action-stand-ins.md")).unwrap();
    let listed: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| `"))
        .collect();
    let table: Vec<String> = spitzel_core::actions::stand_in_table()
        .iter()
        .map(|(prefix, op, actions)| {
            let actions: Vec<String> = actions.iter().map(|a| format!("`{prefix}:{a}`")).collect();
            format!("| `{prefix}:{op}` | {} |", actions.join(", "))
        })
        .collect();
    assert_eq!(listed, table, "regenerate with scripts/gen_iam_table.py");
    assert!(table.len() > 100);
}

/// The migration notes on real records: None for a missing path, no crash
/// for regex on a missing value, one line per event for overlapping globs.
#[test]
#[ignore = "needs ../shared"]
fn shared_migration_notes() {
    let records = shared_records();
    let without_error = records
        .iter()
        .filter(|r| r.get("errorCode").is_none())
        .count();
    assert!(without_error > 0 && without_error < records.len());
    assert_eq!(
        shared_selected(&["-m", "$.errorCode == None"]).len(),
        without_error
    );
    assert!(shared_selected(&["-m", "$.errorCode == False"]).is_empty());
    assert!(shared_selected(&["-m", "$.errorCode == 0"]).is_empty());
    let denied = records
        .iter()
        .filter(|r| {
            r["errorCode"]
                .as_str()
                .is_some_and(|c| c.contains("Denied"))
        })
        .count();
    assert!(denied > 0);
    assert_eq!(
        shared_selected(&["-m", "$.errorCode regex 'Denied'"]).len(),
        denied
    );
    let s3 = shared_selected(&["s3:*"]).len();
    assert!(s3 > 0);
    assert_eq!(
        shared_selected(&["s3:*", "s3:Get*", "*:*Object"]).len(),
        s3 + {
            // *:*Object adds other services' ...Object events only.
            records
                .iter()
                .filter(|r| {
                    r["eventSource"] != "s3.amazonaws.com"
                        && name(r).to_ascii_lowercase().ends_with("object")
                })
                .count()
        }
    );
}

#[test]
fn a_mistyped_service_or_action_is_a_warning_naming_the_nearest() {
    let input = fixture();
    let cases = [
        (
            "cloudtrial:*",
            "spitzel-filter: warning: action 'cloudtrial:*': no service 'cloudtrial' in the IAM \
             table of 2023-01-01; did you mean cloudtrail:*?\n",
        ),
        (
            "cloudtrail:StopLoging",
            "spitzel-filter: warning: action 'cloudtrail:StopLoging' matches no cloudtrail action \
             or call in the IAM table of 2023-01-01; did you mean cloudtrail:StopLogging?\n",
        ),
    ];
    for (glob, warning) in cases {
        // Still run: an action newer than the table appears in events.
        let out = run(&[glob], &input);
        assert_eq!(out.status.code(), Some(1), "{glob}");
        assert_eq!(stderr(&out), warning, "{glob}");
        // --strict refuses it before reading anything.
        let out = run(&["--strict", glob], &input);
        assert_eq!(out.status.code(), Some(2), "{glob}");
        let error = warning
            .replace("warning: ", "")
            .replace('\n', " (--strict)\n");
        assert_eq!(stderr(&out), error, "{glob}");
        // --emit-sql lints the same globs.
        let out = run(&["--emit-sql", "athena", "--strict", glob], "");
        assert_eq!(out.status.code(), Some(2), "{glob}");
        assert_eq!(stderr(&out), error, "{glob}");
    }
    // A clean query says nothing.
    let out = run(
        &["--strict", "ec2:CreateVpc", "s3:Get*", "monitoring:*"],
        &input,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn table_corrections_of_the_2023_mapping() {
    let records = [
        event(
            "trail-bucket",
            "cloudtrail.amazonaws.com",
            "CreateTrail",
            r#"{"name":"t","s3BucketName":"logs"}"#,
        ),
        event(
            "trail-none",
            "cloudtrail.amazonaws.com",
            "CreateTrail",
            r#"{"name":"t"}"#,
        ),
        event("bot", "lex.amazonaws.com", "CreateBot", "{}"),
        event("bot-alias", "lex.amazonaws.com", "CreateBotAlias", "{}"),
        event(
            "pab-bucket",
            "s3.amazonaws.com",
            "DeleteBucketPublicAccessBlock",
            "{}",
        ),
        event(
            "pab-account",
            "s3.amazonaws.com",
            "DeleteAccountPublicAccessBlock",
            "{}",
        ),
        event("pab-sdk", "s3.amazonaws.com", "PutPublicAccessBlock", "{}"),
    ];
    let input = records.join("\n") + "\n";
    // The bucket is a parameter of CreateTrail: without it, no s3:PutObject.
    let out = run(&["--implied", "s3:PutObject*"], &input);
    assert_eq!(ids(&out), ["trail-bucket"]);
    // Lex V2's calls are actions of their own names, not V1's PutBot.
    assert!(ids(&run(&["lex:PutBot*"], &input)).is_empty());
    assert_eq!(ids(&run(&["lex:CreateBot*"], &input)), ["bot", "bot-alias"]);
    assert_eq!(
        ids(&run(&["s3:PutAccountPublicAccessBlock"], &input)),
        ["pab-account", "pab-sdk"]
    );
    assert_eq!(
        ids(&run(&["s3:PutBucketPublicAccessBlock"], &input)),
        ["pab-bucket", "pab-sdk"]
    );
}
