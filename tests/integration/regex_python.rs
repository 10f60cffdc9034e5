//! The `regex` operator against Python 3.11's `re`, the language it claims
//! to speak: over generated patterns (every atom with every pair of
//! quantifiers, braces that are and are not quantifiers), every pattern
//! Python refuses is refused, and every one it accepts is read as it reads
//! it (`re.search` on a set of haystacks). Skipped, saying so, without a
//! python3 of at least 3.11 (possessive quantifiers are 3.11's); CI has one.

use crate::regex_patterns;
use spitzel_core::expr::PyRegex;
use std::io::Write;
use std::process::{Command, Stdio};

const HAYSTACKS: [&str; 12] = [
    "", "a", "aa", "aaa", "b", "xab", "a{", "{2}", "a{}", "a{x}", "1 2", "a\n",
];

fn python() -> Option<String> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.version_info >= (3, 11))"])
        .output()
        .ok()?;
    (String::from_utf8_lossy(&out.stdout).trim() == "True").then(|| "python3".to_owned())
}

/// Python's reading of each pattern: None when it refuses the pattern,
/// else `re.search` on each haystack.
fn python_verdicts(python: &str, patterns: &[String]) -> Vec<Option<Vec<bool>>> {
    let script = r#"
import json, re, sys
patterns = json.load(sys.stdin)
haystacks = json.loads(sys.argv[1])
out = []
for p in patterns:
    try:
        r = re.compile(p)
    except (re.error, OverflowError, RecursionError):
        out.append(None)
        continue
    out.append([r.search(h) is not None for h in haystacks])
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new(python)
        .args(["-c", script, &serde_json::to_string(&HAYSTACKS).unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_vec(patterns).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn patterns_are_read_as_python_reads_them() {
    let Some(python) = python() else {
        eprintln!("regex-python: SKIPPED: no python3 >= 3.11");
        return;
    };
    let patterns = regex_patterns::generated_and_listed();
    let theirs = python_verdicts(&python, &patterns);
    let mut differences = Vec::new();
    for (pattern, theirs) in patterns.iter().zip(theirs) {
        let ours = PyRegex::new(pattern).map(|re| {
            HAYSTACKS
                .iter()
                .map(|h| re.is_match(h).expect("short haystacks stay in budget"))
                .collect::<Vec<_>>()
        });
        match (ours, theirs) {
            (Err(_), None) => {}
            (Ok(ours), Some(theirs)) if ours == theirs => {}
            (Ok(ours), Some(theirs)) => {
                differences.push(format!("{pattern:?}: ours {ours:?}, Python {theirs:?}"))
            }
            (Ok(_), None) => differences.push(format!("{pattern:?}: Python refuses, we accept")),
            // README: counts in {m,n} are at most 1,000 here, higher in Python.
            (Err(e), Some(_)) if e.to_string().contains("than the 1000 supported") => {}
            (Err(e), Some(_)) => {
                differences.push(format!("{pattern:?}: Python accepts, we refuse: {e}"))
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} patterns differ from Python:\n{}",
        differences.len(),
        patterns.len(),
        differences.join("\n")
    );
}

/// Python's verdicts on (pattern, haystack) cases it generates itself:
/// every cased character Python 3.11 knows and a sample of the others, as a literal,
/// in a class and in a negated class under `(?i)`, against the characters
/// its case mappings lead to; plus the classes `\w`, `\s`, `\d` and their
/// `(?a)` forms on every such character.
fn python_case_verdicts(python: &str) -> Vec<(String, String, bool)> {
    let script = r#"
import json, re, sys, unicodedata
from re._casefix import _EXTRA_CASES
cases = []
def add(p, h):
    cases.append((p, h, re.search(p, h) is not None))
for n in range(0x80, 0x30000):
    c = chr(n)
    cat = unicodedata.category(c)
    if cat in ('Cn', 'Cs', 'Co'):
        continue
    # Every cased character, and a sample of the others.
    if not (c.lower() != c or c.upper() != c or n % 101 == 0):
        continue
    partners = {c, c.lower()[0], c.upper()[0], c.casefold()[0], c.title()[0]}
    for p in list(partners):
        partners |= {chr(x) for x in _EXTRA_CASES.get(ord(p.lower()[0]), ())}
        partners |= {p.lower()[0], p.upper()[0]}
    e = re.escape(c)
    for h in sorted(partners):
        add('(?i)' + e, h)
        add('(?i)[' + e + ']', h)
        add('(?i)[^' + e + ']', h)
        add('(?ai)' + e, h)
    for cls in (r'\w', r'\s', r'\d', r'\W', r'[\W]', r'(?a)\w', r'(?a)\s', r'(?i)[^\W]'):
        add(cls, c)
for p, h in [('(?i)istanbul', 'İstanbul'), ('(?i)^I$', 'ı'), ('(?i)^ǅ$', 'Ǆ'), ('(?i)^ǅ$', 'ǆ'),
             ('(?i)ıam', 'iam'), ('(?i)[İ]am', 'iam'), ('(?i)€|^s3', '€'), ('(?i)^\u212ams', 'kms'),
             ('(?i)(a)\\1', 'aA'), ('(?i)(?P<x>a)(?P=x)', 'aA'), ('(?i:a)b', 'AB'), ('(?i)a(?-i:b)', 'Ab')]:
    add(p, h)
json.dump(cases, sys.stdout)
"#;
    let out = Command::new(python).args(["-c", script]).output().unwrap();
    assert!(out.status.success(), "python3 failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn case_folding_and_classes_match_python_on_non_ascii_text() {
    let Some(python) = python() else {
        eprintln!("regex-python: SKIPPED: no python3 >= 3.11");
        return;
    };
    let cases = python_case_verdicts(&python);
    let mut compiled = std::collections::HashMap::new();
    let mut differences = Vec::new();
    for (pattern, haystack, theirs) in &cases {
        let re = compiled
            .entry(pattern.clone())
            .or_insert_with(|| PyRegex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}")));
        let ours = re.is_match(haystack).unwrap();
        if ours != *theirs {
            differences.push(format!(
                "{pattern:?} on {haystack:?} (U+{:04X}): ours {ours}, Python {theirs}",
                haystack.chars().next().map_or(0, u32::from)
            ));
        }
    }
    assert!(cases.len() > 10_000, "only {} cases", cases.len());
    assert!(
        differences.is_empty(),
        "{} of {} cases differ from Python:\n{}",
        differences.len(),
        cases.len(),
        differences[..differences.len().min(60)].join("\n")
    );
}
