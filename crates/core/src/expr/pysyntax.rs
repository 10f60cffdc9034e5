//! What Python 3.11's `re` refuses in a pattern that Rust's engines would
//! take and read some way of their own: a quantifier right after another
//! (`a**`, `a{2}{3}`; only one `?` lazy or `+` possessive may follow), a
//! quantifier with nothing to repeat (`^*`, `a|*`), `{2,1}`, global flags
//! past the start (`a(?i)b`). Also our own bound on repetition counts: the
//! linear engine expands `{n}`, so a huge count costs seconds to refuse.

use super::regex_error::{MAX_REPEAT_COUNT, RegexError};

/// What the item before a quantifier is, as sre_parse sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing: the start of the pattern, of a group or of an alternative.
    Nothing,
    /// An assertion of position (`^`, `$`, `\A`, `\Z`, `\b`, `\B`).
    Position,
    /// Something repeatable.
    Item,
    /// A quantifier, with its lazy or possessive mark if any.
    Repeat,
}

/// A `{m,n}` quantifier at `chars[i] == '{'` as Python reads one: the low
/// and high counts (None: unbounded) and the index after `}`; None when
/// the brace is a literal.
pub(crate) fn brace_quantifier(chars: &[char], i: usize) -> Option<(u64, Option<u64>, usize)> {
    let digits_from = |mut j: usize| {
        let start = j;
        while chars.get(j).is_some_and(char::is_ascii_digit) {
            j += 1;
        }
        (start, j)
    };
    if chars.get(i + 1) == Some(&'}') {
        return None;
    }
    let (lo_start, lo_end) = digits_from(i + 1);
    let (hi, end) = if chars.get(lo_end) == Some(&',') {
        let (s, e) = digits_from(lo_end + 1);
        (Some((s, e)), e)
    } else {
        (None, lo_end)
    };
    if chars.get(end) != Some(&'}') {
        return None;
    }
    // Counts past u64 saturate; they are refused as too large anyway.
    let count = |(s, e): (usize, usize)| -> Option<u64> {
        (s < e).then(|| {
            chars[s..e].iter().fold(0u64, |n, d| {
                n.saturating_mul(10)
                    .saturating_add(u64::from(d.to_digit(10).unwrap_or(0)))
            })
        })
    };
    let low = count((lo_start, lo_end)).unwrap_or(0);
    let high = match hi {
        None => Some(low),
        Some(span) => count(span),
    };
    Some((low, high, end + 1))
}

/// Refuse what Python refuses (see the module's note); `at` in the error
/// is the char index of the fault.
pub fn check(pattern: &str) -> Result<(), RegexError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut prev = Prev::Nothing;
    // Verbose mode of each open group, and the current one.
    let mut verbose_stack: Vec<bool> = Vec::new();
    let mut verbose = false;
    // Whether only global flags and comments came so far.
    let mut at_start = true;
    let mut groups = Groups::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if verbose && c.is_whitespace() {
            i += 1;
            continue;
        }
        if verbose && c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let here = i;
        i += 1;
        match c {
            '\\' => {
                prev = match chars.get(i) {
                    Some('A' | 'Z' | 'b' | 'B') => Prev::Position,
                    _ => Prev::Item,
                };
                if let Some(&letter) = chars.get(i).filter(|c| BAD_ESCAPES.contains(**c)) {
                    return Err(RegexError::BadEscape { at: here, letter });
                }
                let octal = |j: usize| chars.get(j).is_some_and(|d| d.is_digit(8));
                if octal(i) && octal(i + 1) && octal(i + 2) && chars[i] > '3' {
                    return Err(RegexError::OctalOutOfRange { at: here });
                }
                match chars.get(i) {
                    // Three octal digits are a character, else a reference.
                    Some('1'..='9') if !(octal(i) && octal(i + 1) && octal(i + 2)) => {
                        let width = if chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                            2
                        } else {
                            1
                        };
                        let text: String = chars[i..i + width].iter().collect();
                        groups.refer(text.parse().unwrap_or(u32::MAX), &text, here)?;
                        i += width;
                    }
                    _ => i += 1,
                }
            }
            '[' => {
                i = skip_class(&chars, i)?;
                prev = Prev::Item;
            }
            '(' if chars.get(i) == Some(&'?') => {
                let next = chars.get(i + 1).copied();
                if next == Some('#') {
                    while i < chars.len() && chars[i] != ')' {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                let mut j = i + 1;
                let mut turning_on = true;
                let mut sets_verbose = None;
                while let Some(&f) = chars.get(j) {
                    match f {
                        '-' => turning_on = false,
                        'x' => sets_verbose = Some(turning_on),
                        'a' | 'i' | 'L' | 'm' | 's' | 'u' => {}
                        _ => break,
                    }
                    j += 1;
                }
                let is_flags = j > i + 1;
                // Flags end at ')' (global) or ':' (scoped); Python refuses
                // anything else, where the engines might read on.
                if is_flags && !matches!(chars.get(j), Some(')' | ':')) {
                    return Err(RegexError::UnknownFlag { at: j });
                }
                if is_flags && chars.get(j) == Some(&')') {
                    // Global flags: only at the start in Python 3.11.
                    if !at_start {
                        return Err(RegexError::GlobalFlagsNotAtStart { at: here });
                    }
                    if let Some(on) = sets_verbose {
                        verbose = on;
                    }
                    i = j + 1;
                    continue;
                }
                let skip_to = |from: usize, end: char| {
                    chars[from..]
                        .iter()
                        .position(|&c| c == end)
                        .map_or(chars.len(), |n| from + n + 1)
                };
                if next == Some('P') && chars.get(i + 2) == Some(&'=') {
                    // A backreference by name.
                    let end = skip_to(i, ')');
                    let name: String = chars[(i + 3).min(end - 1)..end - 1].iter().collect();
                    let number = groups.names.get(&name).copied().unwrap_or(u32::MAX);
                    groups.refer(number, &name, here)?;
                    i = end;
                    prev = Prev::Item;
                    at_start = false;
                    continue;
                }
                verbose_stack.push(verbose);
                if next == Some('P') && chars.get(i + 2) == Some(&'<') {
                    let end = skip_to(i, '>');
                    let name: String = chars[(i + 3).min(end - 1)..end - 1].iter().collect();
                    groups.open(Some(name));
                } else {
                    groups.open_other();
                }
                i = match next {
                    _ if is_flags && chars.get(j) == Some(&':') => {
                        if let Some(on) = sets_verbose {
                            verbose = on;
                        }
                        j + 1
                    }
                    Some('P') => skip_to(i, '>'),
                    Some('<') => i + 3,
                    Some('(') => skip_to(i + 2, ')'),
                    _ => i + 2,
                };
                prev = Prev::Nothing;
            }
            '(' => {
                verbose_stack.push(verbose);
                groups.open(None);
                prev = Prev::Nothing;
            }
            ')' => {
                if let Some(outer) = verbose_stack.pop() {
                    verbose = outer;
                }
                groups.close();
                prev = Prev::Item;
            }
            '|' => prev = Prev::Nothing,
            '^' | '$' => prev = Prev::Position,
            '*' | '+' | '?' => {
                i = repeat(&chars, here, i, prev)?;
                prev = Prev::Repeat;
            }
            '{' => match brace_quantifier(&chars, here) {
                Some((low, high, end)) => {
                    for count in [Some(low), high].into_iter().flatten() {
                        if count > MAX_REPEAT_COUNT {
                            return Err(RegexError::RepeatTooLarge { at: here, count });
                        }
                    }
                    if high.is_some_and(|high| high < low) {
                        return Err(RegexError::MinAboveMax { at: here });
                    }
                    i = repeat(&chars, here, end, prev)?;
                    prev = Prev::Repeat;
                }
                None => prev = Prev::Item,
            },
            _ => prev = Prev::Item,
        }
        at_start = false;
    }
    Ok(())
}

/// The groups opened so far, for backreferences: Python refuses one to a
/// group not yet opened or still open (fancy-regex takes both).
#[derive(Default)]
struct Groups {
    /// Capturing groups opened so far.
    count: u32,
    /// Of each open group, its number when it captures.
    open: Vec<Option<u32>>,
    names: std::collections::HashMap<String, u32>,
}

impl Groups {
    fn open(&mut self, name: Option<String>) {
        self.count += 1;
        if let Some(name) = name {
            self.names.insert(name, self.count);
        }
        self.open.push(Some(self.count));
    }

    fn open_other(&mut self) {
        self.open.push(None);
    }

    fn close(&mut self) {
        self.open.pop();
    }

    fn refer(&self, number: u32, text: &str, at: usize) -> Result<(), RegexError> {
        if number > self.count {
            return Err(RegexError::UnknownGroup {
                at,
                group: text.to_owned(),
            });
        }
        if self.open.contains(&Some(number)) {
            return Err(RegexError::OpenGroupReference { at });
        }
        Ok(())
    }
}

/// A quantifier at `at` whose text ends before `end`, after `prev`: the
/// index after it and its lazy or possessive mark.
fn repeat(chars: &[char], at: usize, end: usize, prev: Prev) -> Result<usize, RegexError> {
    match prev {
        Prev::Nothing | Prev::Position => Err(RegexError::NothingToRepeat { at }),
        Prev::Repeat => Err(RegexError::MultipleRepeat { at }),
        Prev::Item => Ok(match chars.get(end) {
            Some('?' | '+') => end + 1,
            _ => end,
        }),
    }
}

/// After `[` at `chars[i - 1]`: the index after the class's `]`.
/// ASCII letters Python 3.11 never accepts after a backslash (outside and
/// inside a class); `\N`, `\u`, `\U` and `\x` depend on what follows and
/// are left to the translator. Other engines read some of these (`\g0` is a
/// subroutine call to fancy-regex), so they must be refused here.
const BAD_ESCAPES: &str = "ceghijklmopqyzCEFGHIJKLMOPQRTVXY";
const BAD_ESCAPES_IN_CLASS: &str = "ceghijklmopqyzABCEFGHIJKLMOPQRTVXYZ";

/// The indices of `chars` that are syntax, outside escapes and character
/// classes, for the scans that need no more than that.
pub(crate) fn syntax_indices(chars: &[char]) -> impl Iterator<Item = usize> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < chars.len() {
            let here = i;
            match chars[i] {
                '\\' => i += 2,
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
                    i += 1;
                }
                _ => {
                    i += 1;
                    return Some(here);
                }
            }
        }
        None
    })
}

fn skip_class(chars: &[char], mut i: usize) -> Result<usize, RegexError> {
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    while i < chars.len() && chars[i] != ']' {
        if chars[i] == '\\' {
            if let Some(&letter) = chars
                .get(i + 1)
                .filter(|c| BAD_ESCAPES_IN_CLASS.contains(**c))
            {
                return Err(RegexError::BadEscape { at: i, letter });
            }
            let octal = |j: usize| chars.get(j).is_some_and(|d| d.is_digit(8));
            if octal(i + 1) && octal(i + 2) && octal(i + 3) && chars[i + 1] > '3' {
                return Err(RegexError::OctalOutOfRange { at: i });
            }
            i += 1;
        }
        i += 1;
    }
    Ok(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(pattern: &str) -> Option<(String, Option<usize>)> {
        check(pattern).err().map(|e| (e.to_string(), e.at()))
    }

    #[test]
    fn a_quantifier_after_a_quantifier_is_refused_at_the_second() {
        for (pattern, at) in [
            ("2*{,0}", 2),
            ("a**", 2),
            ("a?*", 2),
            ("a{2}{3}", 4),
            ("(?:a)*{2}", 6),
            ("a*?*", 3),
            ("a*+?", 3),
            ("(?x)a* *", 7),
        ] {
            let (message, place) = fault(pattern).unwrap_or_else(|| panic!("{pattern}"));
            assert!(
                message.starts_with("invalid regex: multiple repeat"),
                "{message}"
            );
            assert_eq!(place, Some(at), "{pattern}");
        }
    }

    #[test]
    fn lazy_and_possessive_marks_and_literal_braces_stay_legal() {
        for pattern in [
            "a*?",
            "a*+",
            "a??",
            "a?+",
            "a{2}?",
            "a{2}+",
            "a{,}",
            "x{2}{",
            "a{2}{x",
            "a*{",
            "a{}",
            "a(?#c)*",
            "[*]*",
            r"\**",
            "(?=a)*",
            "(?i)(?m)a",
            "(?#x)(?i)a",
            r"(a)\1",
            r"(a)\111",
            r"[\1]",
            "(?P<n>a)(?P=n)",
            r"(a)(?:\1)",
        ] {
            assert_eq!(fault(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn nothing_to_repeat_bad_ranges_and_late_flags_are_refused() {
        for (pattern, start) in [
            ("*a", "invalid regex: nothing to repeat"),
            ("^*", "invalid regex: nothing to repeat"),
            (r"\b+", "invalid regex: nothing to repeat"),
            ("a|?", "invalid regex: nothing to repeat"),
            (
                "a{2,1}",
                "invalid regex: min repeat greater than max repeat",
            ),
            ("a(?i)b", "invalid regex: global flags not at the start"),
            ("((?i)a)", "invalid regex: global flags not at the start"),
            ("(?xz\x0c", "invalid regex: unknown flag"),
            ("1\\g0\npb1\\g0\np|", "invalid regex: bad escape \\g"),
            ("[\\A]", "invalid regex: bad escape \\A"),
            ("\\e", "invalid regex: bad escape \\e"),
            ("(?iz:a)", "invalid regex: unknown flag"),
            ("(?i", "invalid regex: unknown flag"),
            ("(?-", "invalid regex: unknown flag"),
            (r"\1(a)", "invalid regex: invalid group reference 1"),
            (r"(a)\10", "invalid regex: invalid group reference 10"),
            ("(?P=n)(?P<n>a)", "invalid regex: invalid group reference n"),
            (r"(a\1)", "invalid regex: cannot refer to an open group"),
            (
                "(?P<n>a(?P=n))",
                "invalid regex: cannot refer to an open group",
            ),
        ] {
            let (message, _) = fault(pattern).unwrap_or_else(|| panic!("{pattern}"));
            assert!(message.starts_with(start), "{pattern}: {message}");
        }
    }

    #[test]
    fn huge_counts_are_refused_before_compiling() {
        let (message, at) = fault(r"\d{3,88888888}\Z").unwrap();
        assert_eq!(
            message,
            "invalid regex: repetition count 88888888 is more than the 1000 supported"
        );
        assert_eq!(at, Some(2));
        assert!(fault("a{99999999999999999999999}").is_some());
        assert_eq!(fault(r"\d{1000}"), None);
    }
}
