//! Python `re` patterns for the `regex` operator: translated to the Rust
//! dialect, compiled by the regex crate (linear time) whenever it accepts
//! them, and by fancy-regex (lookaround, backreferences, atomic groups) only
//! when it does not.
//!
//! A backtracking search is bounded in time, and running out of its budget
//! is an error, never a verdict (under `not` or `-v` a silent "no match"
//! would write the record). Two bounds are needed: fancy-regex counts only
//! backtracking steps, but one step can hand a lookaround to the regex crate,
//! which reads up to the rest of the string, so `(?=(a+)+$)|!` costs n^2
//! with few steps. Hence the string length is capped, and the step limit
//! shrinks as the string grows, so steps x length stays under a fixed
//! amount of work.

use super::regex_error::{RegexError, describe};
use std::fmt;
use std::sync::OnceLock;

/// The longest string a backtracking pattern reads.
pub const BACKTRACK_MAX_INPUT: usize = 16 << 10;

/// Steps x string length allowed to one search.
const BACKTRACK_WORK: usize = 1 << 28;

/// Backtracking steps allowed on short strings (fancy-regex's default).
const BACKTRACK_LIMIT: usize = 1_000_000;

/// Step limits come in tiers of string length, 256 bytes and each doubling
/// up to BACKTRACK_MAX_INPUT; each tier's regex is compiled when first used.
const SHORTEST_TIER: usize = 256;
const TIERS: usize = (BACKTRACK_MAX_INPUT / SHORTEST_TIER).trailing_zeros() as usize + 1;

#[derive(Debug)]
pub struct PyRegex {
    /// The Python pattern as written, for translators.
    source: String,
    engine: Engine,
}

#[derive(Debug)]
enum Engine {
    Linear(regex::Regex),
    /// Boxed: a regex per length tier makes it large.
    Backtracking(Box<Backtracker>),
}

/// A pattern only fancy-regex can run, compiled once per length tier.
#[derive(Debug)]
pub struct Backtracker {
    translated: String,
    tiers: [OnceLock<fancy_regex::Regex>; TIERS],
}

/// A backtracking search that ran out of budget: the record cannot be
/// decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GaveUp {
    /// The string is longer than BACKTRACK_MAX_INPUT.
    TooLong(usize),
    /// More steps than the limit for a string of this length.
    Steps { limit: usize, length: usize },
    /// fancy-regex's own backtracking stack ran out.
    Stack(usize),
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaveUp::TooLong(length) => write!(
                f,
                "the regex needs the backtracking engine, which reads strings of at most \
                 {BACKTRACK_MAX_INPUT} bytes; this one has {length}"
            ),
            GaveUp::Steps { limit, length } => write!(
                f,
                "the regex gave up after {limit} backtracking steps on a string of {length} bytes"
            ),
            GaveUp::Stack(length) => write!(
                f,
                "the regex ran out of backtracking stack on a string of {length} bytes"
            ),
        }
    }
}

/// The step limit for strings of up to `SHORTEST_TIER << tier` bytes.
fn tier_limit(tier: usize) -> usize {
    (BACKTRACK_WORK / (SHORTEST_TIER << tier)).min(BACKTRACK_LIMIT)
}

impl Backtracker {
    fn tier_regex(&self, tier: usize) -> &fancy_regex::Regex {
        self.tiers[tier].get_or_init(|| {
            fancy_regex::RegexBuilder::new(&self.translated)
                .backtrack_limit(tier_limit(tier))
                .build()
                // The same pattern compiled with another limit at parse time.
                .unwrap_or_else(|e| unreachable!("pattern compiled before: {e}"))
        })
    }

    fn is_match(&self, text: &str) -> Result<bool, GaveUp> {
        let length = text.len();
        if length > BACKTRACK_MAX_INPUT {
            return Err(GaveUp::TooLong(length));
        }
        let tier = length
            .div_ceil(SHORTEST_TIER)
            .max(1)
            .next_power_of_two()
            .trailing_zeros() as usize;
        self.tier_regex(tier).is_match(text).map_err(|e| match e {
            fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::StackOverflow) => {
                GaveUp::Stack(length)
            }
            _ => GaveUp::Steps {
                limit: tier_limit(tier),
                length,
            },
        })
    }
}

impl PyRegex {
    /// Compile a Python pattern; the error is one line.
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        // fancy-regex parses recursively; spare the stack.
        if group_depth(pattern) > MAX_GROUP_DEPTH {
            return Err(RegexError::TooDeep);
        }
        super::pysyntax::check(pattern)?;
        let (translated, map) = translate_mapped(pattern);
        // The regex crate reads `a*+` as `(a*)+`; Python (3.11) and
        // fancy-regex read it as possessive.
        let linear = match has_possessive(pattern) {
            true => None,
            false => match regex::Regex::new(&translated) {
                Ok(re) => Some(re),
                // fancy-regex would expand the same repetitions again.
                Err(regex::Error::CompiledTooBig(_)) => return Err(RegexError::TooBig),
                Err(_) => None,
            },
        };
        let engine = match linear {
            Some(re) => Engine::Linear(re),
            None => {
                let first = fancy_regex::RegexBuilder::new(&translated)
                    .backtrack_limit(tier_limit(0))
                    .build()
                    .map_err(|e| describe(&translated, &map, &e))?;
                let tiers = std::array::from_fn(|_| OnceLock::new());
                let _ = tiers[0].set(first);
                Engine::Backtracking(Box::new(Backtracker { translated, tiers }))
            }
        };
        Ok(Self {
            source: pattern.to_owned(),
            engine,
        })
    }

    /// The pattern in Python syntax, as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Python's `re.search`: a match anywhere, or the budget ran out.
    pub fn is_match(&self, text: &str) -> Result<bool, GaveUp> {
        match &self.engine {
            Engine::Linear(re) => Ok(re.is_match(text)),
            Engine::Backtracking(re) => re.is_match(text),
        }
    }

    /// Whether the linear-time engine runs this pattern.
    pub fn is_linear(&self) -> bool {
        matches!(self.engine, Engine::Linear(_))
    }

    /// The pattern in the Rust dialect both engines read.
    pub fn translate(pattern: &str) -> String {
        translate(pattern)
    }
}

const MAX_GROUP_DEPTH: usize = 200;

/// Whether a quantifier is followed by `+` (possessive), outside escapes
/// and classes. Over-eager on a literal `}` before `+`, which only sends the
/// pattern to the backtracking engine (it reads the translation alike).
fn has_possessive(pattern: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    i += 1;
                }
                while i < chars.len() && chars[i] != ']' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
            }
            '?' if i > 0 && chars[i - 1] == '(' => {}
            '*' | '+' | '?' | '}' if chars.get(i + 1) == Some(&'+') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Deepest nesting of parentheses (an over-estimate: escapes and classes
/// are not told apart, which only matters for absurd patterns).
fn group_depth(pattern: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for c in pattern.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Rewrite the parts of Python's syntax that Rust's engines read
/// differently or not at all.
fn translate(pattern: &str) -> String {
    translate_mapped(pattern).0
}

/// Where translated text came from: (byte offset in the translation, char
/// index in the pattern) at the start of each translated piece, ascending.
pub(crate) type SourceMap = Vec<(usize, usize)>;

/// The char index in the pattern that translated byte `offset` came from.
pub(crate) fn source_char(map: &SourceMap, offset: usize) -> usize {
    match map.binary_search_by_key(&offset, |&(out, _)| out) {
        Ok(i) => map[i].1,
        Err(0) => 0,
        Err(i) => map[i - 1].1,
    }
}

/// `translate`, with where each piece of the translation came from, so an
/// error in the translation can point into the pattern as written.
pub(crate) fn translate_mapped(pattern: &str) -> (String, SourceMap) {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut map = SourceMap::new();
    // Multiline mode of each open group; `$` depends on it.
    let mut group_multiline: Vec<bool> = Vec::new();
    // Where each open group starts in `out`, and whether it is a lookaround.
    let mut opens: Vec<(usize, bool)> = Vec::new();
    let mut multiline = false;
    let mut i = 0;
    while i < chars.len() {
        map.push((out.len(), i));
        let c = chars[i];
        i += 1;
        match c {
            '\\' => i = translate_escape(&chars, i, false, &mut out),
            '[' => i = translate_class(&chars, i, &mut out, &mut map),
            '(' => {
                let (start, open) = (out.len(), group_multiline.len());
                let lookaround = chars.get(i) == Some(&'?')
                    && match chars.get(i + 1) {
                        Some('=' | '!') => true,
                        Some('<') => matches!(chars.get(i + 2), Some('=' | '!')),
                        _ => false,
                    };
                group_multiline.push(multiline);
                if chars.get(i) == Some(&'?') {
                    i = translate_group_start(
                        &chars,
                        i,
                        &mut out,
                        &mut multiline,
                        &mut group_multiline,
                    );
                } else {
                    out.push('(');
                }
                // Comments and global flags open no group.
                if group_multiline.len() > open {
                    opens.push((start, lookaround));
                }
            }
            ')' => {
                if let Some(outer) = group_multiline.pop() {
                    multiline = outer;
                }
                match opens.pop() {
                    Some((start, true)) => {
                        i = close_lookaround(&chars, i, start, &mut out, &mut map);
                    }
                    _ => out.push(')'),
                }
            }
            // Python's `$` also matches before a newline that ends the
            // string; for a yes/no search, consuming that newline is
            // equivalent.
            '$' if !multiline => out.push_str(r"(?:\n?\z)"),
            '{' => i = translate_brace(&chars, i, &mut out),
            '}' => out.push_str(r"\}"),
            _ => out.push(c),
        }
    }
    map.push((out.len(), chars.len()));
    (out, map)
}

/// After `(?` at `chars[i]`; returns the index after what was consumed.
fn translate_group_start(
    chars: &[char],
    i: usize,
    out: &mut String,
    multiline: &mut bool,
    group_multiline: &mut Vec<bool>,
) -> usize {
    let next = chars.get(i + 1).copied();
    // A comment group vanishes.
    if next == Some('#') {
        group_multiline.pop();
        let mut j = i + 2;
        while j < chars.len() && chars[j] != ')' {
            j += 1;
        }
        return j + 1;
    }
    let is_flag = |c: &char| matches!(c, 'a' | 'i' | 'L' | 'm' | 's' | 'u' | 'x' | '-');
    if !next.as_ref().is_some_and(is_flag) {
        out.push_str("(?");
        return i + 1;
    }
    let mut j = i + 1;
    let mut flags = String::new();
    let mut turning_off = false;
    while let Some(&f) = chars.get(j).filter(|c| is_flag(c)) {
        match f {
            '-' => {
                turning_off = true;
                flags.push('-');
            }
            'm' => {
                *multiline = !turning_off;
                flags.push('m');
            }
            // ASCII/locale/unicode modes: Rust's classes are Unicode-aware
            // like Python 3's defaults.
            'a' | 'L' | 'u' => {}
            _ => flags.push(f),
        }
        j += 1;
    }
    let scoped = chars.get(j) == Some(&':');
    if !scoped {
        // `(?flags)` applies from here on: it opens no group to close.
        group_multiline.pop();
    }
    let flags = flags.trim_end_matches('-');
    if flags.is_empty() {
        out.push_str(if scoped { "(?:" } else { "" });
    } else {
        out.push_str("(?");
        out.push_str(flags);
        out.push(if scoped { ':' } else { ')' });
    }
    j + 1
}

/// After the `)` at `chars[i - 1]` of a lookaround opened at `start` of
/// `out`. Python repeats a lookaround, which Rust's engines refuse; being
/// of zero width it holds as often as once, so the quantifier goes, and
/// with a count of zero allowed the lookaround goes too (it always holds).
fn close_lookaround(
    chars: &[char],
    i: usize,
    start: usize,
    out: &mut String,
    map: &mut SourceMap,
) -> usize {
    let quantifier = match chars.get(i) {
        Some('*' | '?') => Some((0, i + 1)),
        Some('+') => Some((1, i + 1)),
        Some('{') => super::pysyntax::brace_quantifier(chars, i).map(|(low, _, end)| (low, end)),
        _ => None,
    };
    let Some((low, mut end)) = quantifier else {
        out.push(')');
        return i;
    };
    if matches!(chars.get(end), Some('?' | '+')) {
        end += 1;
    }
    if low == 0 {
        out.truncate(start);
        map.retain(|&(offset, _)| offset <= start);
    } else {
        out.push(')');
    }
    end
}

/// After `{` at `chars[i - 1]`: a valid quantifier stays (Python's `{,n}`
/// becomes `{0,n}`, `{,}` `{0,}`), any other brace is a literal as Python
/// reads it.
fn translate_brace(chars: &[char], i: usize, out: &mut String) -> usize {
    if let Some((low, high, end)) = super::pysyntax::brace_quantifier(chars, i - 1) {
        out.push_str(&match high {
            Some(high) => format!("{{{low},{high}}}"),
            None => format!("{{{low},}}"),
        });
        return end;
    }
    out.push_str(r"\{");
    i
}

/// After `[` at `chars[i - 1]`: copy the class, escaping what Rust would
/// read as nested classes or set operations.
fn translate_class(chars: &[char], mut i: usize, out: &mut String, map: &mut SourceMap) -> usize {
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        out.push_str(r"\]");
        i += 1;
    }
    while let Some(&c) = chars.get(i) {
        map.push((out.len(), i));
        i += 1;
        match c {
            ']' => {
                out.push(']');
                return i;
            }
            '\\' => i = translate_escape(chars, i, true, out),
            '[' | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '-' if chars.get(i) == Some(&'-') => out.push_str(r"\-"),
            _ => out.push(c),
        }
    }
    i
}

/// After `\` at `chars[i - 1]`; returns the index after the escape.
fn translate_escape(chars: &[char], i: usize, in_class: bool, out: &mut String) -> usize {
    let Some(&c) = chars.get(i) else {
        out.push('\\');
        return i;
    };
    let octal_at = |j: usize| chars.get(j).is_some_and(|d| d.is_digit(8));
    let push_code = |out: &mut String, code: u32| out.push_str(&format!("\\x{{{code:X}}}"));
    let hex_run = |from: usize, width: usize| -> Option<u32> {
        let text: String = chars.get(from..from + width)?.iter().collect();
        u32::from_str_radix(&text, 16).ok()
    };
    match c {
        'Z' if !in_class => out.push_str(r"\z"),
        'b' if in_class => out.push_str(r"\x08"),
        // `\0`, and in a class any octal escape: up to three digits.
        '0'..='7' if c == '0' || in_class => {
            let mut end = i + 1;
            while end < i + 3 && octal_at(end) {
                end += 1;
            }
            let text: String = chars[i..end].iter().collect();
            push_code(out, u32::from_str_radix(&text, 8).unwrap_or(0));
            return end;
        }
        '1'..='9' => {
            // Three octal digits are a character; otherwise a backreference.
            if octal_at(i) && octal_at(i + 1) && octal_at(i + 2) {
                let text: String = chars[i..i + 3].iter().collect();
                push_code(out, u32::from_str_radix(&text, 8).unwrap_or(0));
                return i + 3;
            }
            let end = if chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                i + 2
            } else {
                i + 1
            };
            out.push('\\');
            out.extend(&chars[i..end]);
            return end;
        }
        'u' | 'U' => {
            let width = if c == 'u' { 4 } else { 8 };
            if let Some(code) = hex_run(i + 1, width) {
                push_code(out, code);
                return i + 1 + width;
            }
            out.push('\\');
            out.push(c);
        }
        _ => {
            out.push('\\');
            out.push(c);
        }
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        PyRegex::new(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .is_match(text)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    fn linear(pattern: &str) -> bool {
        PyRegex::new(pattern).unwrap().is_linear()
    }

    #[test]
    fn searches_anywhere_like_re_search() {
        assert!(matches("Access", "xAccessDenied"));
        assert!(!matches("^Access", "xAccessDenied"));
        assert!(matches("Denied$", "AccessDenied"));
        assert!(matches("Denied$", "AccessDenied\n"));
        assert!(!matches("Denied$", "AccessDenied!"));
        assert!(matches(r"\ADenied\Z", "Denied"));
        assert!(!matches(r"Denied\Z", "Denied\n"));
        assert!(matches("(?m)^b$", "a\nb\nc"));
    }

    #[test]
    fn plain_patterns_use_the_linear_engine() {
        assert!(linear("^Get.*Policy$"));
        assert!(linear(r"(?P<svc>\w+):(?P<act>\w+)"));
        assert!(linear("(?i)denied"));
        assert!(linear("a{,3}"));
        assert!(linear("[[]x"));
    }

    #[test]
    fn python_only_features_fall_back_to_backtracking() {
        assert!(!linear("(?!Alice)"));
        assert!(matches("^(?!.*Alice).*$", "Bob"));
        assert!(!matches("^(?!.*Alice).*$", "Alice"));
        assert!(matches("(?<=arn:)aws", "arn:aws"));
        assert!(!matches("(?<!arn:)aws", "arn:aws"));
        assert!(matches(r"(?P<q>['x])a(?P=q)", "'a'"));
        assert!(!matches(r"(?P<q>['x])a(?P=q)", "'ax"));
        assert!(matches(r"(a)b\1", "aba"));
        assert!(matches("(?>a+)b", "aab"));
    }

    #[test]
    fn the_original_readme_pattern_compiles() {
        let re = PyRegex::new(".*:^((?!Alice).)").unwrap();
        // `^` after `:` cannot match mid-string: Python finds no match.
        assert_eq!(re.is_match("arn:aws:iam::1:user/Bob"), Ok(false));
    }

    #[test]
    fn python_spellings_translate() {
        assert!(matches(r"\x41\u00e9\101", "AéA"));
        assert!(matches(r"a\0b", "a\0b"));
        assert!(matches(r"[\b]", "\x08"));
        assert!(matches("a{,2}c", "aac"));
        assert!(matches("x{y}", "x{y}"));
        assert!(matches("{", "{"));
        assert!(matches("a(?#note)b", "ab"));
        assert!(matches("[]a]", "]"));
        assert!(matches("[a&&b]", "&"));
        assert!(matches("(?a)\\w", "x"));
        assert!(matches("(?i:A)b", "ab"));
        assert!(!matches("(?i:A)b", "aB"));
    }

    #[test]
    fn catastrophic_patterns_give_up_as_errors_not_verdicts() {
        let re = PyRegex::new("(a|aa)+(?=b)|!").unwrap();
        assert_eq!(
            re.is_match(&format!("{}!", "a".repeat(25))),
            Err(GaveUp::Steps {
                limit: 1_000_000,
                length: 26
            })
        );
    }

    #[test]
    fn possessive_quantifiers_are_possessive_as_in_python() {
        // Found by the pyregex fuzz target: the linear engine read `a*+`
        // as `(a*)+` and matched where Python 3.11 does not.
        assert!(!matches("1?P*,a*+aP*", "?P*,a*+aP*"));
        assert!(!matches("a*+a", "aaa"));
        assert!(matches("a++b", "aab"));
        assert!(!matches("x{1,3}+x", "xxx"));
        assert!(!linear("a?+"));
        // Not possessive: escapes, classes, a `+` after a group's `?`.
        assert!(linear(r"\++"));
        assert!(linear("[*+]"));
        assert!(matches("(?:a)+", "a"));
        assert!(linear("(?:a)+"));
    }

    #[test]
    fn long_strings_shrink_the_step_limit_and_end_at_the_cap() {
        assert_eq!(tier_limit(0), 1_000_000);
        assert_eq!(tier_limit(TIERS - 1), BACKTRACK_WORK / BACKTRACK_MAX_INPUT);
        let re = PyRegex::new("(?=(a+)+$)|!").unwrap();
        let long = "a".repeat(BACKTRACK_MAX_INPUT + 1);
        assert_eq!(
            re.is_match(&long),
            Err(GaveUp::TooLong(BACKTRACK_MAX_INPUT + 1))
        );
        // At the cap itself the search is decided (the lookahead holds at the
        // end of the string).
        assert_eq!(re.is_match(&long[1..]), Ok(true));
        assert_eq!(re.is_match("!"), Ok(true));
        assert_eq!(re.is_match(""), Ok(false));
    }

    #[test]
    fn broken_patterns_are_errors() {
        for bad in ["(", "a)", "[a", "*a", "(?P<n"] {
            assert!(PyRegex::new(bad).is_err(), "{bad}");
        }
        let deep = format!("{}a{}", "(?=".repeat(100_000), ")".repeat(100_000));
        assert!(PyRegex::new(&deep).is_err());
    }
}
