//! From a CloudTrail event's (eventSource, eventName) to the IAM actions it
//! stands for, using the generated table.

use std::cmp::Ordering;

use super::implied::Implied;
use super::table::{CASE_VARIANT_OPERATIONS, HOST_PREFIXES, IMPLIED, STAND_INS};

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let lower = |c: u8| c.to_ascii_lowercase();
    a.bytes().map(lower).cmp(b.bytes().map(lower))
}

/// `s3.amazonaws.com` -> `s3`.
pub fn first_label(event_source: &str) -> &str {
    event_source.split('.').next().unwrap_or_default()
}

/// The IAM prefix of an eventSource: the table's rename, else its first label.
pub fn iam_prefix(event_source: &str) -> &str {
    match HOST_PREFIXES.binary_search_by(|(host, _)| cmp_ignore_case(host, event_source)) {
        Ok(i) => HOST_PREFIXES[i].1,
        Err(_) => first_label(event_source),
    }
}

/// Every eventSource host whose IAM prefix is `prefix` (lowercase), including
/// `<prefix>.amazonaws.com` whose first label is the prefix.
pub(crate) fn hosts_for_prefix(prefix: &str) -> Vec<String> {
    let mut hosts: Vec<String> = HOST_PREFIXES
        .iter()
        .filter(|(_, p)| p.eq_ignore_ascii_case(prefix))
        .map(|(host, _)| host.to_string())
        .collect();
    hosts.push(format!("{prefix}.amazonaws.com"));
    hosts
}

/// Services that append their API version to eventName, for which no
/// eventName list can be complete (the `v2` suffixes are not in the data).
pub(crate) fn has_versioned_event_names(prefix: &str) -> bool {
    prefix.eq_ignore_ascii_case("lambda") || prefix.eq_ignore_ascii_case("cloudfront")
}

/// Drop the API date CloudTrail appends to Lambda (`20150331`, `20150331v2`)
/// and CloudFront (`2020_05_31`) eventNames; other services keep their
/// trailing digits (`RestoreDBClusterFromS3` is a real action).
pub fn strip_api_suffix<'a>(prefix: &str, event_name: &'a str) -> &'a str {
    let bytes = event_name.as_bytes();
    let stem_len = if prefix.eq_ignore_ascii_case("lambda") {
        lambda_stem_len(bytes)
    } else if prefix.eq_ignore_ascii_case("cloudfront") {
        cloudfront_stem_len(bytes)
    } else {
        None
    };
    match stem_len {
        Some(len) if len > 0 => &event_name[..len],
        _ => event_name,
    }
}

/// `^(.+)\d{8}v\d+$`, else `^(.+)\d{8}$`: the length of group 1.
fn lambda_stem_len(bytes: &[u8]) -> Option<usize> {
    let digits_before = |end: usize| {
        bytes[..end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let version = digits_before(bytes.len());
    if version > 0 && bytes.len() > version && bytes[bytes.len() - version - 1] == b'v' {
        let end = bytes.len() - version - 1;
        if digits_before(end) >= 8 {
            return Some(end - 8);
        }
    }
    (version >= 8).then(|| bytes.len() - 8)
}

/// `\d{4}_\d{2}_\d{2}$`: length of what precedes it.
fn cloudfront_stem_len(bytes: &[u8]) -> Option<usize> {
    let tail = bytes.len().checked_sub(10).map(|start| &bytes[start..])?;
    let shape_ok = tail.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'_',
        _ => b.is_ascii_digit(),
    });
    shape_ok.then(|| bytes.len() - 10)
}

fn row_index<T>(rows: &[(&str, &str, T)], prefix: &str, operation: &str) -> Option<usize> {
    rows.binary_search_by(|(p, op, _)| {
        cmp_ignore_case(p, prefix).then_with(|| cmp_ignore_case(op, operation))
    })
    .ok()
}

/// The same-service actions an operation whose name is no IAM action stands
/// for (`s3`, `CopyObject` -> GetObject, PutObject); empty for the others.
pub(crate) fn stand_ins(prefix: &str, operation: &str) -> &'static [&'static str] {
    row_index(STAND_INS, prefix, operation).map_or(&[], |i| STAND_INS[i].2)
}

/// Index into IMPLIED of an operation's row, when it needs more than its
/// own action unconditionally.
pub(crate) fn implied_row(prefix: &str, operation: &str) -> Option<usize> {
    row_index(IMPLIED, prefix, operation)
}

pub(crate) fn implied_at(row: usize) -> &'static [Implied] {
    IMPLIED[row].2
}

/// eventNames (as CloudTrail spells them) of the events whose own action or
/// stand-ins include `prefix:action`, other than `action` itself as written.
pub(crate) fn event_names_needing(prefix: &str, action: &str) -> Vec<&'static str> {
    let via_table = STAND_INS.iter().filter(|(p, _, actions)| {
        p.eq_ignore_ascii_case(prefix) && actions.iter().any(|a| a.eq_ignore_ascii_case(action))
    });
    let exact = STAND_INS
        .iter()
        .filter(|(p, op, _)| p.eq_ignore_ascii_case(prefix) && op.eq_ignore_ascii_case(action));
    let mut names: Vec<&'static str> = via_table.chain(exact).map(|(_, op, _)| *op).collect();
    names.extend(
        CASE_VARIANT_OPERATIONS
            .iter()
            .filter(|(p, op)| p.eq_ignore_ascii_case(prefix) && op.eq_ignore_ascii_case(action))
            .map(|(_, op)| *op),
    );
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(
            HOST_PREFIXES
                .windows(2)
                .all(|w| cmp_ignore_case(w[0].0, w[1].0).is_lt())
        );
        let sorted = |a: (&str, &str), b: (&str, &str)| {
            cmp_ignore_case(a.0, b.0)
                .then_with(|| cmp_ignore_case(a.1, b.1))
                .is_lt()
        };
        assert!(
            STAND_INS
                .windows(2)
                .all(|w| sorted((w[0].0, w[0].1), (w[1].0, w[1].1)))
        );
        assert!(
            IMPLIED
                .windows(2)
                .all(|w| sorted((w[0].0, w[0].1), (w[1].0, w[1].1)))
        );
    }

    #[test]
    fn known_entries_are_present() {
        assert_eq!(iam_prefix("monitoring.amazonaws.com"), "cloudwatch");
        assert_eq!(iam_prefix("tagging.amazonaws.com"), "tag");
        assert_eq!(
            iam_prefix("discovery-marketplace.amazonaws.com"),
            "aws-marketplace"
        );
        assert_eq!(iam_prefix("s3.amazonaws.com"), "s3");
        assert_eq!(stand_ins("s3", "ListObjects"), &["ListBucket"]);
        assert_eq!(stand_ins("s3", "HeadBucket"), &["ListBucket"]);
        assert_eq!(stand_ins("s3", "CopyObject"), &["GetObject", "PutObject"]);
        assert_eq!(stand_ins("s3", "UploadPart"), &["PutObject"]);
        assert!(stand_ins("s3", "HeadObject").contains(&"GetObject"));
        assert_eq!(
            stand_ins("kms", "ReEncrypt"),
            &["ReEncryptFrom", "ReEncryptTo"]
        );
        assert_eq!(stand_ins("lambda", "Invoke"), &["InvokeFunction"]);
        // Own names (even in another case) stand for nothing else.
        assert!(stand_ins("s3", "GetObject").is_empty());
        assert!(stand_ins("s3", "PutBucketCors").is_empty());
        assert!(stand_ins("rds", "RebootDBCluster").is_empty());
        assert!(stand_ins("rds", "CreateDBInstance").is_empty());
        assert!(stand_ins("iam", "AddRoleToInstanceProfile").is_empty());
    }

    #[test]
    fn stand_ins_are_own_service_and_implied_rows_are_full_names() {
        for (prefix, _, actions) in STAND_INS {
            assert!(
                actions.iter().all(|a| !a.contains(':')),
                "{prefix}: {actions:?}"
            );
        }
        for (prefix, op, rows) in IMPLIED {
            assert!(rows.iter().all(|r| r.action.contains(':')), "{prefix}:{op}");
        }
        let run = implied_at(implied_row("ec2", "RunInstances").unwrap());
        assert!(run.iter().any(|r| r.action == "iam:PassRole"));
    }

    #[test]
    fn api_suffixes_are_stripped_for_lambda_and_cloudfront_only() {
        let cases = [
            (
                "lambda",
                "UpdateFunctionConfiguration20150331v2",
                "UpdateFunctionConfiguration",
            ),
            (
                "lambda",
                "UpdateFunctionCode20150331v12",
                "UpdateFunctionCode",
            ),
            ("lambda", "GetLayerVersion20181031", "GetLayerVersion"),
            ("lambda", "Invoke", "Invoke"),
            ("lambda", "Foo2015033", "Foo2015033"),
            ("lambda", "20150331", "20150331"),
            ("lambda", "Foov2", "Foov2"),
            (
                "cloudfront",
                "CreateDistribution2020_05_31",
                "CreateDistribution",
            ),
            (
                "cloudfront",
                "CreateDistribution20200531",
                "CreateDistribution20200531",
            ),
            ("cloudfront", "2020_05_31", "2020_05_31"),
            ("rds", "RestoreDBClusterFromS3", "RestoreDBClusterFromS3"),
            ("s3", "Foo20150331", "Foo20150331"),
            ("cloud9", "CreateEnvironmentEC2", "CreateEnvironmentEC2"),
        ];
        for (prefix, name, stem) in cases {
            assert_eq!(strip_api_suffix(prefix, name), stem, "{prefix}:{name}");
        }
    }

    #[test]
    fn hosts_for_prefix_include_renamed_hosts_and_the_default_one() {
        let hosts = hosts_for_prefix("aws-marketplace");
        assert!(hosts.contains(&"discovery-marketplace.amazonaws.com".to_string()));
        assert!(hosts.contains(&"aws-marketplace.amazonaws.com".to_string()));
        assert!(hosts_for_prefix("cloudwatch").contains(&"monitoring.amazonaws.com".to_string()));
    }

    #[test]
    fn event_names_needing_an_action() {
        let names = event_names_needing("s3", "ListBucket");
        for name in ["ListObjects", "ListObjectsV2", "HeadBucket"] {
            assert!(names.contains(&name), "{names:?}");
        }
        // DeleteBucketCors needs s3:PutBucketCORS too.
        let mut names = event_names_needing("s3", "putbucketcors");
        names.sort();
        assert_eq!(names, vec!["DeleteBucketCors", "PutBucketCors"]);
    }
}
