//! The query lint: a glob whose service no data file names, or whose action
//! matches no action or call the mapping knows for its service, is most often
//! a typo (`cloudtrial:*`, `cloudtrail:StopLoging`) that would match nothing
//! quietly. It is only a warning, as a service or action newer than the data
//! still appears in events.

use std::fmt;

use super::glob::ActionGlob;
use super::mapping::{iam_prefix, strip_api_suffix};
use super::table::{KNOWN_NAMES, KNOWN_SERVICES, MAPPING_DATE};

/// A glob the table cannot vouch for; `Display` is one line with the
/// nearest known names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownGlob {
    /// The glob as written.
    pub glob: String,
    /// Whether its service or (for a known service) its action is unknown.
    pub unknown: Unknown,
    /// The nearest known globs, written as the user wrote the rest.
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// The service part matches no known service name.
    Service(String),
    /// The action part matches no name the mapping knows for this prefix.
    Action { prefix: String },
}

impl fmt::Display for UnknownGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unknown {
            Unknown::Service(service) => write!(
                f,
                "action '{}': no service '{service}' in the IAM table of {MAPPING_DATE}",
                self.glob
            )?,
            Unknown::Action { prefix } => write!(
                f,
                "action '{}' matches no {prefix} action or call in the IAM table of {MAPPING_DATE}",
                self.glob
            )?,
        }
        match self.suggestions.as_slice() {
            [] => Ok(()),
            [one] => write!(f, "; did you mean {one}?"),
            many => write!(f, "; did you mean one of {}?", many.join(", ")),
        }
    }
}

/// At most this many suggestions are named.
const MAX_SUGGESTIONS: usize = 3;

/// The lint's verdict on one glob: None when the table knows a name it
/// matches, or cannot tell (a wildcard in the service, a service newer than
/// the 2023 mapping).
pub(crate) fn check(glob: &ActionGlob) -> Option<UnknownGlob> {
    let written = format!("{}:{}", glob.written_service, glob.written_action);
    if !KNOWN_SERVICES.iter().any(|s| glob.service.matches(s)) {
        let candidates = KNOWN_SERVICES.iter().copied();
        let suggestions = nearest(&glob.written_service, candidates)
            .into_iter()
            .map(|service| format!("{service}:{}", glob.written_action))
            .collect();
        return Some(UnknownGlob {
            glob: written,
            unknown: Unknown::Service(glob.written_service.clone()),
            suggestions,
        });
    }
    let service = glob.service.literal()?;
    // A host's first label (`monitoring`) stands for its IAM prefix.
    let prefix = iam_prefix(&format!("{service}.amazonaws.com")).to_ascii_lowercase();
    let row = KNOWN_NAMES.binary_search_by(|(p, _)| p.cmp(&prefix.as_str()));
    let names = KNOWN_NAMES[row.ok()?].1;
    if names.split(' ').any(|name| glob.action.matches(name)) {
        return None;
    }
    // The original's `lambda:CreateFunction20150331` is `lambda:CreateFunction`.
    let action = strip_api_suffix(&prefix, &glob.written_action);
    let suggestions = nearest(action, names.split(' '))
        .into_iter()
        .map(|action| format!("{}:{action}", glob.written_service))
        .collect();
    Some(UnknownGlob {
        glob: written,
        unknown: Unknown::Action { prefix },
        suggestions,
    })
}

/// The candidates nearest to `written` (a name or a glob), as globs: the
/// literal stem before the first wildcard is compared with each
/// candidate's best-matching prefix (the whole candidate when there is no
/// wildcard), and the wildcard tail is kept. Only close ones are named: at
/// most a third of the stem's length in edits.
fn nearest<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let split = written.find(['*', '?', '[']).unwrap_or(written.len());
    let (stem, tail) = written.split_at(split);
    let stem = stem.to_ascii_lowercase();
    if stem.is_empty() {
        return Vec::new();
    }
    let budget = (stem.chars().count() / 3).max(1);
    let mut best: Vec<(usize, String)> = Vec::new();
    for candidate in candidates {
        let Some((distance, length)) = distance(&stem, candidate, !tail.is_empty()) else {
            continue;
        };
        if distance > budget {
            continue;
        }
        let suggestion = format!("{}{tail}", &candidate[..length]);
        if best
            .iter()
            .any(|(_, s)| s.eq_ignore_ascii_case(&suggestion))
        {
            continue;
        }
        best.push((distance, suggestion));
    }
    best.sort_by_key(|(d, _)| *d);
    let Some(&(least, _)) = best.first() else {
        return Vec::new();
    };
    best.into_iter()
        .take_while(|(d, _)| *d == least)
        .take(MAX_SUGGESTIONS)
        .map(|(_, s)| s)
        .collect()
}

/// Edit distance (insertions, deletions, substitutions and swaps of two
/// neighbours) between `stem` (lowercase) and `candidate` ignoring ASCII
/// case, with the candidate's length used; with `prefix`, against the
/// candidate's nearest prefix instead. None for a non-ASCII candidate.
fn distance(stem: &str, candidate: &str, prefix: bool) -> Option<(usize, usize)> {
    if !candidate.is_ascii() || !stem.is_ascii() {
        return None;
    }
    let a = stem.as_bytes();
    let b: Vec<u8> = candidate.bytes().map(|c| c.to_ascii_lowercase()).collect();
    // rows[i][j]: distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    let last = &rows[a.len()];
    if prefix {
        // The shortest prefix at the least distance.
        let (length, d) = last
            .iter()
            .enumerate()
            .min_by_key(|&(j, d)| (*d, j))
            .map(|(j, d)| (j, *d))?;
        Some((d, length))
    } else {
        Some((last[b.len()], b.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Option<String> {
        check(&ActionGlob::parse(text).unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn known_globs_pass() {
        for glob in [
            "cloudtrail:StopLogging",
            "CloudTrail:stoplogging",
            "s3:Get*",
            "s3:ListObjects",
            "sts:GetCallerIdentity",
            "monitoring:PutMetricAlarm",
            "cloudwatch:*",
            "ec2:Describe[IV]*",
            "*:StopLogging",
            "s3*:Nothing",
            "signin:ConsoleLogin",
            "iam:PassRole",
            "kms:ReEncrypt",
        ] {
            assert_eq!(lint(glob), None, "{glob}");
        }
    }

    #[test]
    fn an_unknown_service_names_the_nearest() {
        assert_eq!(
            lint("cloudtrial:*").unwrap(),
            "action 'cloudtrial:*': no service 'cloudtrial' in the IAM table of 2023-01-01; \
             did you mean cloudtrail:*?"
        );
        assert_eq!(
            lint("qqqqqqq:Get*").unwrap(),
            "action 'qqqqqqq:Get*': no service 'qqqqqqq' in the IAM table of 2023-01-01"
        );
    }

    #[test]
    fn an_action_no_name_matches_names_the_nearest() {
        assert_eq!(
            lint("cloudtrail:StopLoging").unwrap(),
            "action 'cloudtrail:StopLoging' matches no cloudtrail action or call in the \
             IAM table of 2023-01-01; did you mean cloudtrail:StopLogging?"
        );
        // A glob keeps its wildcard tail; the stem is compared with prefixes.
        assert_eq!(
            lint("s3:GetObjcet*").unwrap(),
            "action 's3:GetObjcet*' matches no s3 action or call in the IAM table \
             of 2023-01-01; did you mean s3:GetObject*?"
        );
        // Through a host label, the IAM prefix's names.
        assert!(
            lint("monitoring:PutMetricAlarn")
                .unwrap()
                .ends_with("did you mean monitoring:PutMetricAlarm?")
        );
        assert_eq!(
            lint("lambda:CreateFunction20150331").unwrap(),
            "action 'lambda:CreateFunction20150331' matches no lambda action or call in \
             the IAM table of 2023-01-01; did you mean lambda:CreateFunction?"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(distance("stoploging", "StopLogging", false), Some((1, 11)));
        assert_eq!(distance("cloudtrial", "cloudtrail", false), Some((1, 10)));
        assert_eq!(distance("getobjcet", "GetObjectAcl", true), Some((1, 9)));
        assert_eq!(distance("abc", "", false), Some((3, 0)));
    }
}
