//! From a CloudTrail event's (eventSource, eventName) to the IAM actions it
//! stands for, using the generated table.

use std::cmp::Ordering;

use super::table::{CASE_VARIANT_OPERATIONS, HOST_PREFIXES, OPERATION_ACTIONS};

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let lower = |c: u8| c.to_ascii_lowercase();
    a.bytes().map(lower).cmp(b.bytes().map(lower))
}

/// `s3.amazonaws.com` -> `s3`.
pub(crate) fn first_label(event_source: &str) -> &str {
    event_source.split('.').next().unwrap_or_default()
}

/// The IAM prefix of an eventSource: the table's rename, else its first label.
pub(crate) fn iam_prefix(event_source: &str) -> &str {
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
pub(crate) fn strip_api_suffix<'a>(prefix: &str, event_name: &'a str) -> &'a str {
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

/// `\d{8}(v\d+)?$`: length of what precedes it.
fn lambda_stem_len(bytes: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    let trailing_digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if trailing_digits > 0 && end > trailing_digits && bytes[end - trailing_digits - 1] == b'v' {
        end -= trailing_digits + 1;
    }
    let date = bytes[..end]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    (date >= 8).then(|| end - 8)
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

fn operation_index(prefix: &str, operation: &str) -> Result<usize, usize> {
    OPERATION_ACTIONS.binary_search_by(|(p, op, _)| {
        cmp_ignore_case(p, prefix).then_with(|| cmp_ignore_case(op, operation))
    })
}

/// Actions of the same service an operation needs besides `prefix:operation`.
pub(crate) fn extra_actions(prefix: &str, operation: &str) -> &'static [&'static str] {
    match operation_index(prefix, operation) {
        Ok(i) => OPERATION_ACTIONS[i].2,
        Err(_) => &[],
    }
}

/// Calls `f(prefix, action)` for each action of the event until it returns true.
pub(crate) fn any_action(
    event_source: &str,
    event_name: &str,
    mut f: impl FnMut(&str, &str) -> bool,
) -> bool {
    let label = first_label(event_source);
    if f(label, event_name) {
        return true;
    }
    let prefix = iam_prefix(event_source);
    if prefix != label && f(prefix, event_name) {
        return true;
    }
    let operation = strip_api_suffix(prefix, event_name);
    if operation.len() != event_name.len() && f(prefix, operation) {
        return true;
    }
    extra_actions(prefix, operation)
        .iter()
        .any(|action| f(prefix, action))
}

/// eventNames (as CloudTrail spells them) of the operations that need
/// `prefix:action`, other than `action` itself written as is.
pub(crate) fn event_names_needing(prefix: &str, action: &str) -> Vec<&'static str> {
    let via_table = OPERATION_ACTIONS.iter().filter(|(p, _, actions)| {
        p.eq_ignore_ascii_case(prefix) && actions.iter().any(|a| a.eq_ignore_ascii_case(action))
    });
    let exact = OPERATION_ACTIONS
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
        assert!(OPERATION_ACTIONS.windows(2).all(|w| {
            cmp_ignore_case(w[0].0, w[1].0)
                .then_with(|| cmp_ignore_case(w[0].1, w[1].1))
                .is_lt()
        }));
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
        assert_eq!(extra_actions("s3", "ListObjects"), &["ListBucket"]);
        assert_eq!(
            extra_actions("kms", "ReEncrypt"),
            &["ReEncryptFrom", "ReEncryptTo"]
        );
        assert_eq!(extra_actions("lambda", "Invoke"), &["InvokeFunction"]);
        assert!(extra_actions("s3", "GetObject").is_empty());
        // Case-only differences are not stored: matching ignores case.
        assert!(extra_actions("s3", "PutBucketCors").is_empty());
    }

    #[test]
    fn other_services_actions_are_not_the_events() {
        assert!(extra_actions("ec2", "RunInstances").is_empty());
        assert!(extra_actions("lambda", "CreateFunction20150331").is_empty());
        for (prefix, _, actions) in OPERATION_ACTIONS {
            assert!(
                actions.iter().all(|a| !a.contains(':')),
                "{prefix}: {actions:?}"
            );
        }
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
