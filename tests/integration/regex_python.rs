//! The `regex` operator against Python 3.11's `re`, the language it claims
//! to speak: over generated patterns (every atom with every pair of
//! quantifiers, braces that are and are not quantifiers), every pattern
//! Python refuses is refused, and every one it accepts is read as it reads
//! it (`re.search` on a set of haystacks). Skipped, saying so, without a
//! python3 of at least 3.11 (possessive quantifiers are 3.11's); CI has one.

use spitzel_core::expr::PyRegex;
use std::io::Write;
use std::process::{Command, Stdio};

const ATOMS: [&str; 14] = [
    "a", "(?:a)", "(a)", "[ab]", r"\d", ".", "^", "$", r"\b", r"\A", r"\Z", "(?=a)", "", "x|",
];

const QUANTIFIERS: [&str; 22] = [
    "", "*", "+", "?", "*?", "+?", "??", "*+", "++", "?+", "{2}", "{,}", "{1,2}", "{,2}", "{2,}",
    "{2}?", "{2}+", "{}", "{x}", "{ 2}", "{2,1}", "{",
];

const HAYSTACKS: [&str; 12] = [
    "", "a", "aa", "aaa", "b", "xab", "a{", "{2}", "a{}", "a{x}", "1 2", "a\n",
];

/// Patterns found by hand or by the fuzzers, beside the generated ones.
const EXTRA: [&str; 42] = [
    "2*{,0}",
    "a{2}{3}",
    "(?:a)*{2}",
    "a{,}",
    "a{,}*",
    "a{0}*",
    "a(?#c)*",
    "a*(?#c)*",
    "(?x)a* *",
    "(?x)a{2} ?",
    "(?x)a # c\n*",
    "[a]**",
    "a{1,2}{3}",
    "x{2}{",
    "a{2}{x",
    "a*{",
    r"\1*(a)",
    "(a)\\1*",
    "(?P<n>a)(?P=n)+?",
    "(?>a)*",
    "(?<=a)*",
    "a|*",
    r"(a\1)",
    r"(?P=n)(?P<n>a)",
    r"(?P<n>a(?P=n))",
    r"(a)\2",
    r"(a)\10",
    r"(a)\111",
    r"[\1]",
    r"[\17a]",
    r"[\8]",
    r"[\0-\7]",
    r"[\400]",
    r"\400",
    r"[\377]",
    r"\377",
    r"(a)(?:\1)",
    "a(?i)b",
    "((?i)a)",
    "(?x) (?i)a",
    "(?i:a)(?m)b",
    "(?=a){0,0}x",
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

fn patterns() -> Vec<String> {
    let mut all = Vec::new();
    for atom in ATOMS {
        for first in QUANTIFIERS {
            for second in QUANTIFIERS {
                all.push(format!("{atom}{first}{second}"));
            }
        }
    }
    all.extend(EXTRA.iter().map(|p| p.to_string()));
    all
}

#[test]
fn patterns_are_read_as_python_reads_them() {
    let Some(python) = python() else {
        eprintln!("regex-python: SKIPPED: no python3 >= 3.11");
        return;
    };
    let patterns = patterns();
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
