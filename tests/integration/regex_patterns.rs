//! The regex patterns of the tests in one place: the generated set (every
//! atom with every pair of quantifiers) and regex_patterns.txt. Both
//! `regex_python` (against Python's `re`) and `regex_sql` (the filter
//! against `--emit-sql`) walk them all.

pub const ATOMS: [&str; 14] = [
    "a", "(?:a)", "(a)", "[ab]", r"\d", ".", "^", "$", r"\b", r"\A", r"\Z", "(?=a)", "", "x|",
];

pub const QUANTIFIERS: [&str; 22] = [
    "", "*", "+", "?", "*?", "+?", "??", "*+", "++", "?+", "{2}", "{,}", "{1,2}", "{,2}", "{2,}",
    "{2}?", "{2}+", "{}", "{x}", "{ 2}", "{2,1}", "{",
];

/// The patterns of regex_patterns.txt, in order.
pub fn listed() -> Vec<String> {
    include_str!("regex_patterns.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect()
}

/// Every atom with every pair of quantifiers, then the listed patterns.
pub fn generated_and_listed() -> Vec<String> {
    let mut all = Vec::new();
    for atom in ATOMS {
        for first in QUANTIFIERS {
            for second in QUANTIFIERS {
                all.push(format!("{atom}{first}{second}"));
            }
        }
    }
    all.extend(listed());
    all
}
