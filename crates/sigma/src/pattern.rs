//! Sigma string values: `*` and `?` wildcards with backslash escapes, and
//! their matching, case-insensitive unless `cased`.
//!
//! Case-insensitive means Unicode simple case folding, as the regex crate
//! does it. The common forms (equal, prefix, suffix, substring) on ASCII
//! text are compared in place; anything else goes through a regex built
//! once per value.

use regex::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// One piece of a value after wildcards and escapes are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Lit(String),
    /// `*`: any run of characters, also none.
    AnyRun,
    /// `?`: exactly one character.
    AnyChar,
    /// A `windash` position: any of `-`, `/`, en dash, em dash, horizontal bar.
    Dash,
}

/// The characters `windash` makes interchangeable.
pub const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Read a rule's string: `\*`, `\?` and `\\` escape; any other backslash is
/// itself (the specification's "plain backslash").
pub fn parse_wildcards(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    lit.push(next);
                    chars.next();
                }
                _ => lit.push('\\'),
            },
            '*' | '?' => {
                if !lit.is_empty() {
                    tokens.push(Token::Lit(std::mem::take(&mut lit)));
                }
                tokens.push(if c == '*' {
                    Token::AnyRun
                } else {
                    Token::AnyChar
                });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        tokens.push(Token::Lit(lit));
    }
    tokens
}

/// Plain text as tokens (no wildcards), for values that are already
/// literal such as base64 output.
pub fn literal(text: &str) -> Vec<Token> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Token::Lit(text.to_owned())]
    }
}

/// Adjacent literals joined, runs of `*` collapsed.
pub fn normalize(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match (out.last_mut(), token) {
            (Some(Token::Lit(prev)), Token::Lit(next)) => prev.push_str(&next),
            (Some(Token::AnyRun), Token::AnyRun) => {}
            (_, Token::Lit(next)) if next.is_empty() => {}
            (_, token) => out.push(token),
        }
    }
    out
}

/// Replace every dash-like character of the literals by a `Dash` position.
pub fn windash(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::new();
    for token in tokens {
        let Token::Lit(text) = token else {
            out.push(token);
            continue;
        };
        let mut lit = String::new();
        for c in text.chars() {
            if DASHES.contains(&c) {
                if !lit.is_empty() {
                    out.push(Token::Lit(std::mem::take(&mut lit)));
                }
                out.push(Token::Dash);
            } else {
                lit.push(c);
            }
        }
        if !lit.is_empty() {
            out.push(Token::Lit(lit));
        }
    }
    out
}

/// A compiled string value.
#[derive(Debug, Clone)]
pub struct TextMatcher {
    shape: Shape,
    cased: bool,
    /// The needle is ASCII, so the in-place comparisons apply to ASCII text.
    ascii: bool,
    /// The whole value as an anchored regex: the general case, and the
    /// fallback for non-ASCII text when case is ignored. Compiled when
    /// first needed: most values never need it, and a rule with 100,000
    /// values would otherwise hold as many compiled regexes.
    source: String,
    regex: OnceLock<Regex>,
}

#[derive(Debug, Clone)]
enum Shape {
    Equal(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// `*` alone: any string.
    Anything,
    /// Literals between `*`s (`first*m1*m2*last`, first and last possibly
    /// empty): matched by finding each middle leftmost in turn, in time
    /// linear in the text, where a regex of many `.*` may take the product
    /// of both lengths. Lowercase when case is ignored.
    Pieces {
        first: String,
        middle: Vec<String>,
        last: String,
    },
    General,
}

/// Past this length a value's regex is compiled when the rule loads, so
/// that one too large to compile is the rule's error; shorter ones always
/// compile, and are compiled when first needed.
const EAGER_REGEX: usize = 4096;

impl TextMatcher {
    pub fn new(tokens: &[Token], cased: bool) -> Result<TextMatcher, String> {
        let tokens = normalize(tokens.to_vec());
        let lit = |t: &Token| match t {
            Token::Lit(s) => Some(s.clone()),
            _ => None,
        };
        let shape = match tokens.as_slice() {
            [] => Shape::Equal(String::new()),
            [Token::Lit(s)] => Shape::Equal(s.clone()),
            [Token::AnyRun] => Shape::Anything,
            [a, Token::AnyRun] if lit(a).is_some() => Shape::Prefix(lit(a).unwrap_or_default()),
            [Token::AnyRun, b] if lit(b).is_some() => Shape::Suffix(lit(b).unwrap_or_default()),
            [Token::AnyRun, b, Token::AnyRun] if lit(b).is_some() => {
                Shape::Contains(lit(b).unwrap_or_default())
            }
            _ if tokens
                .iter()
                .all(|t| matches!(t, Token::Lit(_) | Token::AnyRun)) =>
            {
                pieces(&tokens, cased)
            }
            _ => Shape::General,
        };
        let ascii = match &shape {
            Shape::Equal(s) | Shape::Prefix(s) | Shape::Suffix(s) | Shape::Contains(s) => {
                s.is_ascii()
            }
            Shape::Pieces {
                first,
                middle,
                last,
            } => first.is_ascii() && last.is_ascii() && middle.iter().all(|m| m.is_ascii()),
            _ => true,
        };
        let mut source = String::from(if cased { "(?s)^" } else { "(?si)^" });
        for token in &tokens {
            match token {
                Token::Lit(s) => source.push_str(&regex::escape(s)),
                Token::AnyRun => source.push_str(".*"),
                Token::AnyChar => source.push('.'),
                Token::Dash => source.push_str("[-/\u{2013}\u{2014}\u{2015}]"),
            }
        }
        source.push('$');
        // Escaped literals and fixed pieces: always a valid regex; only an
        // absurd size can fail, which is the rule's error (never a matcher
        // that silently matches nothing).
        let regex = OnceLock::new();
        if source.len() > EAGER_REGEX {
            let compiled = Regex::new(&source).map_err(|e| match e {
                regex::Error::CompiledTooBig(limit) => format!(
                    "a value too large to match: its pattern compiles past {} MiB",
                    limit >> 20
                ),
                other => format!("a value that does not compile: {other}"),
            })?;
            let _ = regex.set(compiled);
        }
        Ok(TextMatcher {
            shape,
            cased,
            ascii,
            source,
            regex,
        })
    }

    fn regex_match(&self, text: &str) -> bool {
        let regex = self.regex.get_or_init(|| {
            // At most EAGER_REGEX bytes of escaped literals and fixed pieces:
            // within the default size limit; the raised limit only makes
            // certain of it.
            RegexBuilder::new(&self.source)
                .size_limit(1 << 28)
                .build()
                .unwrap_or_else(|_| Regex::new("[^\\s\\S]").expect("a valid regex"))
        });
        regex.is_match(text)
    }

    pub fn is_match(&self, text: &str) -> bool {
        if self.cased {
            return match &self.shape {
                Shape::Equal(s) => text == s,
                Shape::Prefix(s) => text.starts_with(s.as_str()),
                Shape::Suffix(s) => text.ends_with(s.as_str()),
                Shape::Contains(s) => memchr::memmem::find(text.as_bytes(), s.as_bytes()).is_some(),
                Shape::Anything => true,
                Shape::Pieces {
                    first,
                    middle,
                    last,
                } => pieces_match(text.as_bytes(), first, middle, last),
                Shape::General => self.regex_match(text),
            };
        }
        if !(self.ascii && text.is_ascii()) {
            return self.regex_match(text);
        }
        let (t, needle) = (text.as_bytes(), self.shape_needle());
        match &self.shape {
            Shape::Equal(_) => t.eq_ignore_ascii_case(needle),
            Shape::Prefix(_) => {
                t.len() >= needle.len() && t[..needle.len()].eq_ignore_ascii_case(needle)
            }
            Shape::Suffix(_) => {
                t.len() >= needle.len() && t[t.len() - needle.len()..].eq_ignore_ascii_case(needle)
            }
            Shape::Contains(_) => contains_ascii_nocase(t, needle),
            Shape::Anything => true,
            Shape::Pieces {
                first,
                middle,
                last,
            } => pieces_match(&t.to_ascii_lowercase(), first, middle, last),
            Shape::General => self.regex_match(text),
        }
    }

    /// The units of work (see `budget`) matching `text` is charged.
    pub(crate) fn work(&self, text: &str) -> u64 {
        let in_place = self.cased || (self.ascii && text.is_ascii());
        let by_regex = matches!(self.shape, Shape::General) || !in_place;
        if by_regex {
            // Compiling is dearer than running: a list of 100,000 values
            // compiled one by one on a single record took minutes.
            let compile = match self.regex.get() {
                Some(_) => 0,
                None => crate::budget::COMPILE_PER_BYTE * self.source.len() as u64,
            };
            crate::budget::regex(text.len(), self.source.len()).saturating_add(compile)
        } else {
            crate::budget::linear(text.len(), self.source.len())
        }
    }

    fn shape_needle(&self) -> &[u8] {
        match &self.shape {
            Shape::Equal(s) | Shape::Prefix(s) | Shape::Suffix(s) | Shape::Contains(s) => {
                s.as_bytes()
            }
            _ => b"",
        }
    }

    /// A piece of literal text every matching value holds (ASCII case
    /// ignored unless cased), the longest; None when there is none, or
    /// when it is not ASCII and case is ignored (Unicode folding could then
    /// match other text).
    pub(crate) fn required_literal<'t>(&self, tokens: &'t [Token]) -> Option<&'t str> {
        let longest = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Lit(s) => Some(s.as_str()),
                _ => None,
            })
            .max_by_key(|s| s.len())?;
        (self.cased || longest.is_ascii()).then_some(longest)
    }

    pub fn is_cased(&self) -> bool {
        self.cased
    }

    /// The literal a record must equal (ignoring case unless cased), when
    /// the value is one: what the rule index keys on.
    pub fn exact(&self) -> Option<&str> {
        match &self.shape {
            Shape::Equal(s) => Some(s),
            _ => None,
        }
    }
}

/// The `Pieces` shape of `*`-separated literals (lowercased unless cased).
fn pieces(tokens: &[Token], cased: bool) -> Shape {
    let mut parts = vec![String::new()];
    for token in tokens {
        match token {
            Token::Lit(s) if cased => parts.last_mut().expect("one part").push_str(s),
            Token::Lit(s) => parts
                .last_mut()
                .expect("one part")
                .push_str(&s.to_ascii_lowercase()),
            _ => parts.push(String::new()),
        }
    }
    let last = parts.pop().unwrap_or_default();
    let first = if parts.is_empty() {
        String::new()
    } else {
        parts.remove(0)
    };
    Shape::Pieces {
        first,
        middle: parts,
        last,
    }
}

/// `first*middle[0]*…*last` on `text` (already lowercased when case is
/// ignored): the leftmost place of each middle leaves the most room for
/// the rest, so finding them in turn decides the match.
fn pieces_match(text: &[u8], first: &str, middle: &[String], last: &str) -> bool {
    let (first, last) = (first.as_bytes(), last.as_bytes());
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for piece in middle {
        match memchr::memmem::find(rest, piece.as_bytes()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// ASCII case-insensitive substring search: candidates by the needle's
/// first byte in either case, then a compare.
fn contains_ascii_nocase(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if hay.len() < needle.len() {
        return false;
    }
    let last_start = hay.len() - needle.len();
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    for at in memchr::memchr2_iter(lower, upper, &hay[..=last_start]) {
        if hay[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(value: &str, cased: bool) -> TextMatcher {
        TextMatcher::new(&parse_wildcards(value), cased).unwrap()
    }

    #[test]
    fn wildcards_from_the_specification() {
        // `prog?.exe`: one mandatory character.
        assert!(m("prog?.exe", false).is_match("progA.exe"));
        assert!(!m("prog?.exe", false).is_match("prog.exe"));
        assert!(!m("prog?.exe", false).is_match("progAB.exe"));
        // `antivirus_V*.exe`: any run, also empty.
        assert!(m("antivirus_V*.exe", false).is_match("antivirus_V21.2.1.exe"));
        assert!(m("antivirus_V*.exe", false).is_match("antivirus_V.exe"));
        assert!(!m("antivirus_V*.exe", false).is_match("antivirus_V1.exe.bak"));
    }

    #[test]
    fn escapes_from_the_specification() {
        // Plain backslash: single or double.
        assert_eq!(parse_wildcards(r"C:\Windows"), literal(r"C:\Windows"));
        assert_eq!(parse_wildcards(r"C:\\Windows"), literal(r"C:\Windows"));
        // An escaped wildcard is plain.
        assert_eq!(parse_wildcards(r"a\*b"), literal("a*b"));
        assert_eq!(parse_wildcards(r"a\?b"), literal("a?b"));
        // `\\*`: a backslash, then a wildcard.
        assert_eq!(
            parse_wildcards(r"a\\*"),
            vec![Token::Lit(r"a\".into()), Token::AnyRun]
        );
        // `\\\*`: a backslash and a plain star.
        assert_eq!(parse_wildcards(r"a\\\*"), literal(r"a\*"));
        // Three or four backslashes: two.
        assert_eq!(parse_wildcards(r"a\\\\b"), literal(r"a\\b"));
        assert_eq!(parse_wildcards(r"a\\\b"), literal(r"a\\b"));
        assert!(m(r"a\*b", false).is_match("a*b"));
        assert!(!m(r"a\*b", false).is_match("axb"));
    }

    #[test]
    fn case_insensitive_unless_cased() {
        assert!(m("DeleteTrail", false).is_match("deletetrail"));
        assert!(!m("DeleteTrail", true).is_match("deletetrail"));
        assert!(m("*trail", false).is_match("DeleteTRAIL"));
        assert!(m("delete*", false).is_match("DELETEtrail"));
        assert!(m("*LET*", false).is_match("deletetrail"));
        assert!(!m("*LET*", true).is_match("deletetrail"));
        // Unicode folding: non-ASCII on either side.
        // Simple folding: ß is not "ss".
        assert!(!m("straße", false).is_match("STRASSE"));
        assert!(m("ÄRGER", false).is_match("ärger"));
        // KELVIN SIGN folds to k.
        assert!(m("k", false).is_match("\u{212A}"));
        assert!(m("*k*", false).is_match("a\u{212A}b"));
    }

    #[test]
    fn windash_positions() {
        let tokens = windash(parse_wildcards("-exec /s"));
        let matcher = TextMatcher::new(&tokens, false).unwrap();
        for dash in DASHES {
            assert!(matcher.is_match(&format!("{dash}exec -s")));
            assert!(matcher.is_match(&format!("/exec {dash}s")));
        }
        assert!(!matcher.is_match("+exec -s"));
    }

    #[test]
    fn values_of_stars_and_literals_match_piece_by_piece() {
        let hostile = "*a".repeat(8192);
        let text = "b".repeat(100_000);
        // Linear: a regex of 8,192 `.*` took seconds on such a text.
        assert!(!m(&hostile, false).is_match(&text));
        assert!(m(&hostile, false).is_match(&"A".repeat(8192)));
        assert!(m(&hostile, true).is_match(&"xa".repeat(8192)));
        assert!(!m(&hostile, true).is_match(&"A".repeat(8192)));
        for (value, text, hit) in [
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "ac", false),
            ("a*b*c", "abcb", false),
            ("*b*c*", "xxbxxc", true),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            ("*A*B", "xaYb", true),
            ("*ä*B", "xÄyb", true),
            ("*K*", "\u{212A}", true),
        ] {
            assert_eq!(m(value, false).is_match(text), hit, "{value} on {text}");
        }
        assert!(!m("*A*B", true).is_match("xaYb"));
        assert!(m("*ä*B", true).is_match("xäyB"));
    }

    #[test]
    fn star_matches_everything_including_empty_and_newlines() {
        assert!(m("*", false).is_match(""));
        assert!(m("a*b", false).is_match("a\nb"));
        assert!(m("", false).is_match(""));
        assert!(!m("", false).is_match("x"));
    }
}
