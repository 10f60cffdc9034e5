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

use super::pysyntax::syntax_indices;
use super::pytranslate::{translate, translate_mapped};
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
    /// The Python pattern as written, for messages.
    source: String,
    /// The pattern in the Rust dialect, Python's meaning spelled out.
    translated: String,
    engine: Engine,
}

/// A pattern in the parsed form the engines run and the SQL dialects are
/// written from: regex-syntax's when the linear engine runs it, else
/// fancy-regex's (lookaround, backreferences, atomic groups).
pub enum Parsed {
    Linear(regex_syntax::hir::Hir),
    Backtracking(fancy_regex::Expr),
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
                super::lookbehind::check(pattern, &translated)?;
                let tiers = std::array::from_fn(|_| OnceLock::new());
                let _ = tiers[0].set(first);
                Engine::Backtracking(Box::new(Backtracker {
                    translated: translated.clone(),
                    tiers,
                }))
            }
        };
        Ok(Self {
            source: pattern.to_owned(),
            translated,
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

    /// The parsed form of the translation, read again from it (parsing is
    /// cheap next to compiling, and only translators ask).
    pub fn parsed(&self) -> Parsed {
        let linear = match self.engine {
            Engine::Linear(_) => regex_syntax::Parser::new().parse(&self.translated).ok(),
            Engine::Backtracking(_) => None,
        };
        match linear {
            Some(hir) => Parsed::Linear(hir),
            // fancy-regex compiled this very text.
            None => match fancy_regex::Expr::parse_tree(&self.translated) {
                Ok(tree) => Parsed::Backtracking(tree.expr),
                Err(e) => unreachable!("a compiled pattern parses: {e}"),
            },
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
    syntax_indices(&chars).any(|i| {
        let group_mark = chars[i] == '?' && i > 0 && chars[i - 1] == '(';
        matches!(chars[i], '*' | '+' | '?' | '}') && !group_mark && chars.get(i + 1) == Some(&'+')
    })
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
