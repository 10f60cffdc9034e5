//! One-line messages for patterns neither engine accepts, pointing at the
//! character of the pattern (as written, before translation) at fault.

use regex_syntax::ast::ErrorKind;

/// The largest count in `{m,n}` accepted. Far above what a field of a
/// CloudTrail record needs; `\d{1000}` compiles in well under a second.
pub const MAX_REPEAT_COUNT: u64 = 1000;

/// Where translated text came from: (byte offset in the translation, char
/// index in the pattern) at the start of each translated piece, ascending.
pub type SourceMap = Vec<(usize, usize)>;

/// The char index in the pattern that translated byte `offset` came from.
pub fn source_char(map: &SourceMap, offset: usize) -> usize {
    match map.binary_search_by_key(&offset, |&(out, _)| out) {
        Ok(i) => map[i].1,
        Err(0) => 0,
        Err(i) => map[i - 1].1,
    }
}

/// A pattern that does not compile. `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegexError {
    #[error("invalid regex: groups nested too deeply")]
    TooDeep,
    /// The engines' reason, reworded to one line; `at` is the char index
    /// in the pattern (as written) of the fault, when known.
    #[error("invalid regex: {reason}")]
    Invalid { reason: String, at: Option<usize> },
    // What Python refuses, in its words (see pysyntax).
    #[error(
        "invalid regex: multiple repeat (a quantifier right after another; group the first, as in (?:a*)*)"
    )]
    MultipleRepeat { at: usize },
    #[error("invalid regex: nothing to repeat")]
    NothingToRepeat { at: usize },
    #[error("invalid regex: min repeat greater than max repeat")]
    MinAboveMax { at: usize },
    #[error("invalid regex: bad escape \\{letter}")]
    BadEscape { at: usize, letter: char },
    #[error("invalid regex: unknown flag or missing -, : or ) after the flags")]
    UnknownFlag { at: usize },
    #[error("invalid regex: global flags not at the start of the expression")]
    GlobalFlagsNotAtStart { at: usize },
    #[error("invalid regex: invalid group reference {group} (no such group before it)")]
    UnknownGroup { at: usize, group: String },
    #[error("invalid regex: cannot refer to an open group")]
    OpenGroupReference { at: usize },
    #[error("invalid regex: octal escape value outside of range 0-0o377")]
    OctalOutOfRange { at: usize },
    #[error(
        "invalid regex: repetition count {count} is more than the {MAX_REPEAT_COUNT} supported"
    )]
    RepeatTooLarge { at: usize, count: u64 },
    #[error("invalid regex: look-behind requires fixed-width pattern")]
    LookBehindWidth { at: Option<usize> },
    /// The engines' size limit: repetitions expand when compiled.
    #[error(
        "invalid regex: too large once compiled (counted repetitions expand: lower their counts)"
    )]
    TooBig,
}

impl RegexError {
    /// The char index in the pattern of the fault, when known.
    pub fn at(&self) -> Option<usize> {
        match self {
            RegexError::TooDeep | RegexError::TooBig => None,
            RegexError::Invalid { at, .. } | RegexError::LookBehindWidth { at } => *at,
            RegexError::MultipleRepeat { at }
            | RegexError::NothingToRepeat { at }
            | RegexError::MinAboveMax { at }
            | RegexError::UnknownFlag { at }
            | RegexError::BadEscape { at, .. }
            | RegexError::GlobalFlagsNotAtStart { at }
            | RegexError::UnknownGroup { at, .. }
            | RegexError::OpenGroupReference { at }
            | RegexError::OctalOutOfRange { at }
            | RegexError::RepeatTooLarge { at, .. } => Some(*at),
        }
    }
}

/// Word the failure to compile `translated` (the translation of the Python
/// pattern, with `map` leading back into it). regex-syntax is asked first:
/// its messages are short and precise, and it has the span. Its refusals of
/// what only fancy-regex supports are passed over for fancy-regex's own
/// error.
pub fn describe(translated: &str, map: &SourceMap, fancy: &fancy_regex::Error) -> RegexError {
    let at = |offset: usize| Some(source_char(map, offset));
    match regex_syntax::Parser::new().parse(translated) {
        Err(regex_syntax::Error::Parse(e)) if !fancy_only(e.kind()) => {
            return RegexError::Invalid {
                reason: e.kind().to_string(),
                at: at(e.span().start.offset),
            };
        }
        Err(regex_syntax::Error::Translate(e)) => {
            return RegexError::Invalid {
                reason: e.kind().to_string(),
                at: at(e.span().start.offset),
            };
        }
        _ => {}
    }
    match fancy {
        fancy_regex::Error::CompileError(inner) if matches!(&**inner, fancy_regex::CompileError::InnerError(e) if e.size_limit().is_some()) => {
            RegexError::TooBig
        }
        fancy_regex::Error::ParseError(offset, kind) => RegexError::Invalid {
            reason: lower_first(&kind.to_string()),
            at: at(*offset),
        },
        other => RegexError::Invalid {
            reason: one_line(&other.to_string()),
            at: None,
        },
    }
}

/// regex-syntax refusals of syntax fancy-regex reads (lookaround,
/// backreferences, atomic groups, possessive repeats, `(?P=name)`).
fn fancy_only(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::UnsupportedLookAround
            | ErrorKind::UnsupportedBackreference
            | ErrorKind::FlagUnrecognized
            | ErrorKind::FlagUnexpectedEof
            | ErrorKind::GroupNameInvalid
            | ErrorKind::GroupNameUnexpectedEof
            | ErrorKind::RepetitionMissing
            | ErrorKind::EscapeUnrecognized
    )
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The last line of a multi-line message (where regex puts the reason).
fn one_line(text: &str) -> String {
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text);
    let last = last.trim().trim_start_matches("error: ");
    lower_first(last)
}

#[cfg(test)]
mod tests {
    use crate::expr::pyregex::PyRegex;

    fn error(pattern: &str) -> (String, Option<usize>) {
        let e = PyRegex::new(pattern).unwrap_err();
        (e.to_string(), e.at())
    }

    #[test]
    fn backwards_ranges_are_one_line_with_their_place() {
        let (message, at) = error("x[z-a]");
        assert_eq!(
            message,
            "invalid regex: invalid character class range, the start must be <= the end"
        );
        assert_eq!(at, Some(2));
    }

    #[test]
    fn places_survive_the_translation() {
        // `$` becomes a longer group in translation; the place is still the
        // pattern's.
        let (message, at) = error("a$b(");
        assert!(
            message.starts_with("invalid regex: unclosed group"),
            "{message}"
        );
        assert_eq!(at, Some(3));
        let (message, at) = error("(?=a)(");
        assert!(!message.contains('\n'), "{message}");
        assert!(at.is_some(), "{message}");
    }

    #[test]
    fn every_refusal_is_one_line() {
        for bad in [
            "(",
            "a)",
            "[a",
            "*a",
            "(?P<n",
            r"\2(a)",
            "(?<=a+)b",
            "[[:bogus:]]",
            r"\p{Bogus}",
        ] {
            if let Err(e) = PyRegex::new(bad) {
                let message = e.to_string();
                assert!(!message.contains('\n'), "{bad}: {message}");
                assert!(!message.contains("pattern 0"), "{bad}: {message}");
            }
        }
    }
}
