use super::*;

fn matcher(globs: &[&str]) -> ActionMatcher {
    ActionMatcher::new(globs).unwrap()
}

fn accepts(glob: &str, source: &str, name: &str) -> bool {
    matcher(&[glob]).matches(source, name)
}

#[test]
fn own_prefix_and_event_name() {
    assert!(accepts("s3:GetObject", "s3.amazonaws.com", "GetObject"));
    assert!(!accepts("s3:GetObject", "s3.amazonaws.com", "PutObject"));
    assert!(!accepts("s3:GetObject", "ec2.amazonaws.com", "GetObject"));
}

#[test]
fn host_renames() {
    assert!(accepts(
        "cloudwatch:PutMetricData",
        "monitoring.amazonaws.com",
        "PutMetricData"
    ));
    assert!(accepts(
        "cloudwatch:*",
        "monitoring.amazonaws.com",
        "DescribeAlarms"
    ));
    assert!(accepts(
        "tag:GetResources",
        "tagging.amazonaws.com",
        "GetResources"
    ));
    assert!(accepts(
        "aws-marketplace:*",
        "discovery-marketplace.amazonaws.com",
        "SearchListings"
    ));
    // The host's own first label still matches, as in the Python original.
    assert!(accepts(
        "monitoring:PutMetricData",
        "monitoring.amazonaws.com",
        "PutMetricData"
    ));
    assert!(!accepts(
        "cloudwatch:*",
        "logs.amazonaws.com",
        "PutLogEvents"
    ));
}

#[test]
fn lambda_api_date_suffix() {
    let glob = "lambda:UpdateFunctionConfiguration";
    assert!(accepts(
        glob,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2"
    ));
    assert!(accepts(
        glob,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331"
    ));
    assert!(accepts(
        glob,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration"
    ));
    assert!(accepts(
        "lambda:CreateFunction",
        "lambda.amazonaws.com",
        "CreateFunction20150331"
    ));
    // The own action is the name without the date: the raw name is not.
    assert!(!accepts(
        "lambda:*20150331",
        "lambda.amazonaws.com",
        "CreateFunction20150331"
    ));
    assert!(!accepts(
        glob,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2"
    ));
}

#[test]
fn lambda_invoke_is_invoke_function() {
    assert!(accepts(
        "lambda:InvokeFunction",
        "lambda.amazonaws.com",
        "Invoke"
    ));
    assert!(accepts("lambda:Invoke", "lambda.amazonaws.com", "Invoke"));
}

#[test]
fn cloudfront_api_date_suffix() {
    let glob = "cloudfront:CreateDistribution";
    assert!(accepts(
        glob,
        "cloudfront.amazonaws.com",
        "CreateDistribution2020_05_31"
    ));
    assert!(!accepts(
        glob,
        "cloudfront.amazonaws.com",
        "CreateDistribution20200531"
    ));
}

#[test]
fn trailing_digits_kept_elsewhere() {
    assert!(accepts(
        "rds:RestoreDBClusterFromS3",
        "rds.amazonaws.com",
        "RestoreDBClusterFromS3"
    ));
    assert!(!accepts(
        "rds:RestoreDBClusterFrom",
        "rds.amazonaws.com",
        "RestoreDBClusterFromS3"
    ));
    // Suffix stripping is for Lambda and CloudFront only.
    assert!(!accepts(
        "s3:CreateBucket",
        "s3.amazonaws.com",
        "CreateBucket20150331"
    ));
}

#[test]
fn s3_renames() {
    let s3 = "s3.amazonaws.com";
    for name in ["ListObjects", "ListObjectsV2", "HeadBucket"] {
        assert!(accepts("s3:ListBucket", s3, name), "{name}");
    }
    assert!(accepts("s3:GetObject", s3, "HeadObject"));
    assert!(accepts("s3:ListAllMyBuckets", s3, "ListBuckets"));
    for name in [
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
    ] {
        assert!(accepts("s3:PutObject", s3, name), "{name}");
    }
    assert!(accepts("s3:GetObject", s3, "CopyObject"));
    assert!(accepts("s3:PutObject", s3, "CopyObject"));
    assert!(accepts("s3:DeleteObject", s3, "DeleteObjects"));
    assert!(accepts("s3:PutBucketCORS", s3, "PutBucketCors"));
    assert!(accepts(
        "s3:PutLifecycleConfiguration",
        s3,
        "PutBucketLifecycleConfiguration"
    ));
    assert!(accepts(
        "s3:PutReplicationConfiguration",
        s3,
        "PutBucketReplication"
    ));
    assert!(accepts(
        "s3:PutEncryptionConfiguration",
        s3,
        "PutBucketEncryption"
    ));
    assert!(accepts(
        "s3:PutBucketNotification",
        s3,
        "PutBucketNotificationConfiguration"
    ));
    assert!(!accepts("s3:PutObject", s3, "GetObject"));
}

#[test]
fn kms_re_encrypt() {
    assert!(accepts(
        "kms:ReEncryptFrom",
        "kms.amazonaws.com",
        "ReEncrypt"
    ));
    assert!(accepts("kms:ReEncryptTo", "kms.amazonaws.com", "ReEncrypt"));
    assert!(accepts("kms:ReEncrypt*", "kms.amazonaws.com", "ReEncrypt"));
    assert!(!accepts("kms:Decrypt", "kms.amazonaws.com", "ReEncrypt"));
}

#[test]
fn parameter_dependent_actions_of_other_services_do_not_match() {
    assert!(!accepts("iam:*", "ec2.amazonaws.com", "RunInstances"));
    assert!(!accepts(
        "iam:PassRole",
        "lambda.amazonaws.com",
        "CreateFunction20150331"
    ));
    assert!(!accepts(
        "iam:PassRole",
        "s3.amazonaws.com",
        "PutBucketReplication"
    ));
    assert!(accepts(
        "ec2:RunInstances",
        "ec2.amazonaws.com",
        "RunInstances"
    ));
}

#[test]
fn case_insensitive_globs() {
    assert!(accepts("S3:get*", "s3.amazonaws.com", "GetObject"));
    assert!(accepts("s3:GETOBJECT", "s3.amazonaws.com", "GetObject"));
    assert!(accepts(
        "CloudWatch:putmetricdata",
        "monitoring.amazonaws.com",
        "PutMetricData"
    ));
}

#[test]
fn question_mark_and_star() {
    assert!(accepts("s3:?etObject", "s3.amazonaws.com", "GetObject"));
    assert!(!accepts("s3:?etObject", "s3.amazonaws.com", "etObject"));
    assert!(accepts("*:GetObject", "s3.amazonaws.com", "GetObject"));
    assert!(accepts("s?:Get*", "s3.amazonaws.com", "GetObject"));
    assert!(!accepts(
        "s?:Get*",
        "sts.amazonaws.com",
        "GetCallerIdentity"
    ));
}

#[test]
fn star_and_no_globs_match_everything() {
    for m in [matcher(&["*"]), matcher(&[]), matcher(&["s3:Get*", "*"])] {
        assert!(m.matches_all());
        assert!(m.matches("ec2.amazonaws.com", "RunInstances"));
        assert!(m.matches("", ""));
    }
    assert!(!matcher(&["s3:*"]).matches_all());
}

#[test]
fn several_globs_mean_any() {
    let m = matcher(&["s3:Get*", "dynamodb:*"]);
    assert!(m.matches("s3.amazonaws.com", "GetObject"));
    assert!(m.matches("dynamodb.amazonaws.com", "Scan"));
    assert!(!m.matches("ec2.amazonaws.com", "RunInstances"));
}

#[test]
fn missing_fields_never_match_a_real_glob() {
    let m = matcher(&["*:*"]);
    assert!(!m.matches("", "GetObject"));
    assert!(!m.matches("s3.amazonaws.com", ""));
    assert!(m.matches("s3.amazonaws.com", "GetObject"));
}

#[test]
fn glob_without_colon_is_a_one_line_error() {
    let err = ActionMatcher::new(&["GetObject"]).unwrap_err().to_string();
    assert_eq!(
        err,
        "action 'GetObject' has no service prefix: write service:Action, e.g. s3:GetObject"
    );
    assert!(ActionMatcher::new(&["s3:"]).is_err());
    assert!(ActionMatcher::new(&[":Get*"]).is_err());
    assert!(ActionMatcher::new(&["s3:Get*", "oops"]).is_err());
}

#[test]
fn verdicts_stay_right_when_matchers_alternate_on_one_thread() {
    let s3 = matcher(&["s3:*"]);
    let ec2 = matcher(&["ec2:*"]);
    for _ in 0..3 {
        assert!(s3.matches("s3.amazonaws.com", "GetObject"));
        assert!(!ec2.matches("s3.amazonaws.com", "GetObject"));
        assert!(!s3.matches("ec2.amazonaws.com", "RunInstances"));
        assert!(ec2.matches("ec2.amazonaws.com", "RunInstances"));
    }
}

#[test]
fn cache_overflow_keeps_verdicts_right() {
    let m = matcher(&["s3:Get*"]);
    for i in 0..10_000 {
        let name = format!("GetThing{i}");
        assert!(m.matches("s3.amazonaws.com", &name));
        assert!(!m.matches("ec2.amazonaws.com", &name));
    }
}

fn sources(queries: &[Narrowing]) -> Vec<&str> {
    queries
        .iter()
        .filter_map(|q| match q {
            Narrowing::EventSource(s) => Some(s.as_str()),
            Narrowing::EventName(_) => None,
        })
        .collect()
}

fn names(queries: &[Narrowing]) -> Vec<&str> {
    queries
        .iter()
        .filter_map(|q| match q {
            Narrowing::EventName(s) => Some(s.as_str()),
            Narrowing::EventSource(_) => None,
        })
        .collect()
}

#[test]
fn narrowing_none_for_wildcard_services_and_everything() {
    assert_eq!(matcher(&["*"]).lookup_narrowing(), None);
    assert_eq!(matcher(&[]).lookup_narrowing(), None);
    assert_eq!(
        matcher(&["s3:Get*", "*:GetObject"]).lookup_narrowing(),
        None
    );
    assert_eq!(matcher(&["s?:GetObject"]).lookup_narrowing(), None);
}

#[test]
fn narrowing_by_event_source() {
    let q = matcher(&["S3:Get*"]).lookup_narrowing().unwrap();
    assert_eq!(q, vec![Narrowing::EventSource("s3.amazonaws.com".into())]);
    let q = matcher(&["cloudwatch:*"]).lookup_narrowing().unwrap();
    assert!(sources(&q).contains(&"monitoring.amazonaws.com"));
    assert!(sources(&q).contains(&"cloudwatch.amazonaws.com"));
    let q = matcher(&["aws-marketplace:*"]).lookup_narrowing().unwrap();
    for host in [
        "discovery-marketplace.amazonaws.com",
        "marketplacecatalog.amazonaws.com",
    ] {
        assert!(sources(&q).contains(&host), "{host} in {q:?}");
    }
}

#[test]
fn narrowing_by_event_name() {
    let q = matcher(&["iam:CreateUser"]).lookup_narrowing().unwrap();
    assert_eq!(q, vec![Narrowing::EventName("CreateUser".into())]);
    let q = matcher(&["s3:ListBucket"]).lookup_narrowing().unwrap();
    for name in ["ListBucket", "ListObjects", "ListObjectsV2", "HeadBucket"] {
        assert!(names(&q).contains(&name), "{name} in {q:?}");
    }
    assert!(sources(&q).is_empty());
    // The name CloudTrail uses, not the IAM spelling.
    let q = matcher(&["s3:putbucketcors"]).lookup_narrowing().unwrap();
    assert_eq!(names(&q), vec!["DeleteBucketCors", "PutBucketCors"]);
}

#[test]
fn narrowing_falls_back_to_event_source_when_names_are_unknowable() {
    // Lambda appends API versions to names.
    let q = matcher(&["lambda:UpdateFunctionConfiguration"])
        .lookup_narrowing()
        .unwrap();
    assert_eq!(
        q,
        vec![Narrowing::EventSource("lambda.amazonaws.com".into())]
    );
    let q = matcher(&["cloudfront:CreateDistribution"])
        .lookup_narrowing()
        .unwrap();
    assert_eq!(sources(&q), vec!["cloudfront.amazonaws.com"]);
    // The case CloudTrail uses is unknown for a lowercase name.
    let q = matcher(&["iam:createuser"]).lookup_narrowing().unwrap();
    assert_eq!(sources(&q), vec!["iam.amazonaws.com"]);
    // Too many operations need apigateway:POST.
    let q = matcher(&["apigateway:POST"]).lookup_narrowing().unwrap();
    assert!(names(&q).is_empty() && sources(&q).contains(&"apigateway.amazonaws.com"));
}

#[test]
fn narrowing_is_deduplicated() {
    let q = matcher(&["s3:Get*", "s3:Put*", "iam:CreateUser", "IAM:CreateUser"])
        .lookup_narrowing()
        .unwrap();
    assert_eq!(
        q,
        vec![
            Narrowing::EventSource("s3.amazonaws.com".into()),
            Narrowing::EventName("CreateUser".into()),
        ]
    );
}

/// Every narrowing must keep every event `matches` accepts: check on
/// (source, name) pairs built from the table's own entries.
#[test]
fn narrowing_is_a_superset_of_matches() {
    let pairs = [
        ("s3.amazonaws.com", "ListObjectsV2"),
        ("s3.amazonaws.com", "CopyObject"),
        ("s3.amazonaws.com", "PutBucketCors"),
        ("kms.amazonaws.com", "ReEncrypt"),
        ("monitoring.amazonaws.com", "PutMetricData"),
        (
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
        ),
        ("lambda.amazonaws.com", "Invoke"),
        ("iam.amazonaws.com", "CreateUser"),
    ];
    let globs = [
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutBucketCORS",
        "kms:ReEncryptTo",
        "cloudwatch:PutMetricData",
        "monitoring:PutMetricData",
        "lambda:UpdateFunctionConfiguration",
        "lambda:InvokeFunction",
        "iam:CreateUser",
    ];
    for glob in globs {
        let m = matcher(&[glob]);
        let queries = m.lookup_narrowing().unwrap();
        for (source, name) in pairs {
            if m.matches(source, name) {
                let kept = queries.iter().any(|q| match q {
                    Narrowing::EventSource(s) => s == source,
                    Narrowing::EventName(n) => n == name,
                });
                assert!(kept, "{glob}: {source} {name} not covered by {queries:?}");
            }
        }
    }
}

/// Runs over the real records in ../shared (or $SPITZEL_SHARED).
#[test]
#[ignore = "needs ../shared"]
fn real_events_match_their_own_prefix_and_star() {
    let shared = std::env::var_os("SPITZEL_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    let dir = shared.join("data/cloudtrail");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (this test needs ../shared)", dir.display()));
    let star = matcher(&["*"]);
    let cloudwatch = matcher(&["cloudwatch:*"]);
    let (mut events, mut monitoring) = (0, 0);
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("events.ndjson")) else {
            continue;
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let source = event["eventSource"].as_str().unwrap_or_default();
            let name = event["eventName"].as_str().unwrap_or_default();
            if source.is_empty() || name.is_empty() {
                continue;
            }
            events += 1;
            // The host's label with the name less any API date (the
            // original's `<label>:<eventName>` but for dated Lambda names).
            let stem = strip_api_suffix(iam_prefix(source), name);
            let own = format!("{}:{stem}", source.split('.').next().unwrap_or_default());
            assert!(
                matcher(&[own.as_str()]).matches(source, name),
                "{own} vs {source}"
            );
            assert!(star.matches(source, name));
            if source == "monitoring.amazonaws.com" {
                monitoring += 1;
                assert!(cloudwatch.matches(source, name), "cloudwatch:* vs {name}");
            }
        }
    }
    assert!(events > 0, "no events read under {}", dir.display());
    eprintln!("checked {events} real events ({monitoring} from monitoring)");
}

fn implied_accepts(glob: &str, source: &str, name: &str, params: serde_json::Value) -> bool {
    ActionMatcher::with_implied(&[glob], true)
        .unwrap()
        .matches_record(source, name, || Some(params))
}

/// The issue's examples: by default an event is its own action, and the
/// stand-ins only where its name is no IAM action.
#[test]
fn own_action_not_side_permissions() {
    let s3 = "s3.amazonaws.com";
    let rds = "rds.amazonaws.com";
    assert!(!accepts("s3:List*", s3, "CopyObject"));
    assert!(accepts("s3:List*", s3, "ListObjects"));
    assert!(!accepts("s3:PutObjectAcl", s3, "CopyObject"));
    assert!(!accepts("s3:*Tagging", s3, "CopyObject"));
    assert!(!accepts("rds:*tance", rds, "RebootDBCluster"));
    assert!(accepts("rds:*tance", rds, "RebootDBInstance"));
    assert!(!accepts("rds:AddTagsToResource", rds, "CreateDBInstance"));
    assert!(!accepts(
        "iam:PassRole",
        "iam.amazonaws.com",
        "AddRoleToInstanceProfile"
    ));
    assert!(!accepts("ec2:CreateTags", "ec2.amazonaws.com", "CreateVpc"));
    assert!(accepts("ec2:CreateTags", "ec2.amazonaws.com", "CreateTags"));
    assert!(accepts("s3:ListBucket", s3, "HeadBucket"));
    assert!(accepts("s3:GetObject", s3, "HeadObject"));
    assert!(accepts("s3:PutObject", s3, "UploadPart"));
    assert!(accepts(
        "ec2:Describe[IV]*",
        "ec2.amazonaws.com",
        "DescribeVpcs"
    ));
    assert!(!accepts(
        "ec2:Describe[IV]*",
        "ec2.amazonaws.com",
        "DescribeSubnets"
    ));
}

#[test]
fn implied_permissions_follow_the_request() {
    let ec2 = "ec2.amazonaws.com";
    let tagged = serde_json::json!({"cidrBlock": "10.0.0.0/16", "tagSpecificationSet":
        {"items": [{"resourceType": "vpc", "tags": [{"key": "Name", "value": "a"}]}]}});
    let untagged = serde_json::json!({"cidrBlock": "10.0.0.0/16"});
    assert!(implied_accepts("ec2:CreateTags", ec2, "CreateVpc", tagged));
    assert!(!implied_accepts(
        "ec2:CreateTags",
        ec2,
        "CreateVpc",
        untagged.clone()
    ));
    // The own action still matches, whatever the parameters.
    assert!(implied_accepts("ec2:CreateVpc", ec2, "CreateVpc", untagged));
    let profile = serde_json::json!({"iamInstanceProfile": {"name": "admin"}});
    assert!(implied_accepts(
        "iam:PassRole",
        ec2,
        "RunInstances",
        profile
    ));
    let bare = serde_json::json!({"instanceType": "t3.micro"});
    assert!(!implied_accepts("iam:PassRole", ec2, "RunInstances", bare));
    // Unconditional in the mapping: the role is a required parameter.
    assert!(implied_accepts(
        "iam:PassRole",
        "iam.amazonaws.com",
        "AddRoleToInstanceProfile",
        serde_json::json!(null)
    ));
    // A whole-ARN parameter of another service: only when given.
    assert!(implied_accepts(
        "iam:PassRole",
        "ssm.amazonaws.com",
        "SendCommand",
        serde_json::json!({"serviceRoleArn": "arn:aws:iam::1:role/r"})
    ));
    assert!(!implied_accepts(
        "iam:PassRole",
        "ssm.amazonaws.com",
        "SendCommand",
        serde_json::json!({"documentName": "AWS-RunShellScript"})
    ));
    // Lambda's dated names find their row.
    assert!(implied_accepts(
        "iam:PassRole",
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        serde_json::json!({"role": "arn:aws:iam::1:role/r"})
    ));
    // Without --implied none of this matches.
    assert!(!accepts("iam:PassRole", ec2, "RunInstances"));
}

#[test]
fn requests_are_read_only_when_a_condition_decides() {
    let m = ActionMatcher::with_implied(&["ec2:CreateTags", "s3:GetObject"], true).unwrap();
    let never = || -> Option<serde_json::Value> { panic!("read parameters") };
    assert!(m.matches_record("ec2.amazonaws.com", "CreateTags", never));
    assert!(m.matches_record("s3.amazonaws.com", "GetObject", never));
    assert!(!m.matches_record("s3.amazonaws.com", "PutObject", never));
    let mut read = false;
    m.matches_record("ec2.amazonaws.com", "CreateVpc", || {
        read = true;
        None
    });
    assert!(read);
}

/// `event_predicates` must select exactly what `matches` does, and each
/// regex exactly what its glob does: checked over every table row, the
/// renamed hosts, dated Lambda names and odd edge cases.
#[test]
fn predicates_agree_with_matches() {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (prefix, operation, actions) in stand_in_table() {
        let host = format!("{prefix}.amazonaws.com");
        pairs.push((host.clone(), operation.to_string()));
        for a in *actions {
            pairs.push((host.clone(), a.to_string()));
        }
    }
    for (host, _) in renamed_hosts() {
        for name in ["PutMetricData", "GetResources", "DescribeAlarms"] {
            pairs.push((host.to_string(), name.to_string()));
        }
    }
    for name in [
        "UpdateFunctionConfiguration20150331v2",
        "CreateFunction20150331",
        "Invoke",
        "Xv12345678",
        "A12345678v12345678",
        "20150331",
    ] {
        pairs.push(("lambda.amazonaws.com".into(), name.into()));
    }
    pairs.push((
        "cloudfront.amazonaws.com".into(),
        "CreateDistribution2020_05_31".into(),
    ));
    pairs.push(("ec2.amazonaws.com".into(), "DescribeInstances".into()));
    pairs.push(("ec2.amazonaws.com".into(), "DescribeSubnets".into()));
    pairs.push(("noDots".into(), "GetObject".into()));
    let glob_sets: &[&[&str]] = &[
        &["s3:List*"],
        &["s3:*ion", "rds:*tance"],
        &["ec2:Describe[IV]*", "ec2:Describe[!IV]*"],
        &["cloudwatch:*", "monitoring:Put*"],
        &["*:*Object*"],
        &["lambda:*", "lambda:Update*"],
        &["lambda:*1", "lambda:Xv", "lambda:A*v"],
        &["s?:[a-h]*"],
        &["kms:ReEncryptTo", "apigateway:POST", "nodots:getobject"],
        &["cloudfront:CreateDistribution"],
    ];
    let mut regexes = std::collections::HashMap::new();
    for globs in glob_sets {
        let m = matcher(globs);
        let predicates = m.event_predicates().unwrap();
        for (source, name) in &pairs {
            let want = m.matches(source, name);
            let got = predicates.iter().any(|p| p.holds(source, name));
            assert_eq!(want, got, "{globs:?} on {source} {name}");
            let by_regex = predicates
                .iter()
                .any(|p| regex_holds(p, source, name, &mut regexes));
            assert_eq!(want, by_regex, "regex: {globs:?} on {source} {name}");
        }
    }
    assert_eq!(matcher(&["*"]).event_predicates(), None);
}

/// A predicate evaluated the way a SQL translator would: lowercase, regexes.
fn regex_holds(
    p: &EventPredicate,
    source: &str,
    name: &str,
    regexes: &mut std::collections::HashMap<String, regex::Regex>,
) -> bool {
    let mut full = |pattern: &GlobPattern, text: &str| {
        regexes
            .entry(pattern.regex.clone())
            .or_insert_with(|| regex::Regex::new(&pattern.regex).unwrap())
            .is_match(&text.to_ascii_lowercase())
    };
    let source_l = source.to_ascii_lowercase();
    let label = source_l.split('.').next().unwrap_or_default().to_string();
    let prefix = renamed_hosts()
        .iter()
        .find(|(h, _)| *h == source_l)
        .map_or(label.clone(), |(_, p)| p.to_string());
    let name_l = name.to_ascii_lowercase();
    let strip = |re: &str| {
        regex::Regex::new(re)
            .unwrap()
            .captures(&name_l)
            .map(|c| c[1].to_string())
    };
    let operation = match prefix.as_str() {
        "lambda" => strip(r"^(.+)[0-9]{8}v[0-9]+$")
            .or_else(|| strip(r"^(.+)[0-9]{8}$"))
            .unwrap_or(name_l.clone()),
        "cloudfront" => strip(r"^(.+)[0-9]{4}_[0-9]{2}_[0-9]{2}$").unwrap_or(name_l.clone()),
        _ => name_l.clone(),
    };
    let source_ok = match &p.source {
        SourcePredicate::PrefixOrLabel(g) => full(g, &prefix) || full(g, &label),
        SourcePredicate::Prefix(want) => prefix == *want,
    };
    source_ok
        && match &p.operation {
            OperationPredicate::Glob(g) => full(g, &operation),
            OperationPredicate::Exact(want) => operation == *want,
        }
}
