//! Python `re` syntax rewritten into the Rust dialect that both engines
//! (regex and fancy-regex) read, with Python's meaning spelled out where the
//! two differ: `$`, `\Z`, octal and `\u` escapes, `{,n}`, literal braces,
//! repeated lookarounds.

use super::pyfold;
use super::regex_error::SourceMap;
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, HirKind};

/// Rewrite the parts of Python's syntax that Rust's engines read
/// differently or not at all.
pub(crate) fn translate(pattern: &str) -> String {
    translate_mapped(pattern).0
}

/// `translate`, with where each piece of the translation came from, so an
/// error in the translation can point into the pattern as written.
pub(crate) fn translate_mapped(pattern: &str) -> (String, SourceMap) {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut map = SourceMap::new();
    // The flags of each open group, restored when it closes.
    let mut group_flags: Vec<Flags> = Vec::new();
    // Where each open group starts in `out`, and whether it is a lookaround.
    let mut opens: Vec<(usize, bool)> = Vec::new();
    let mut flags = Flags::default();
    let mut i = 0;
    while i < chars.len() {
        map.push((out.len(), i));
        let c = chars[i];
        let start = out.len();
        i += 1;
        match c {
            '\\' => {
                i = translate_escape(&chars, i, false, flags, &mut out);
                fold_atom(&mut out, start, flags, &mut map);
            }
            '[' => {
                i = translate_class(&chars, i, flags, &mut out, &mut map);
                fold_atom(&mut out, start, flags, &mut map);
            }
            '(' => {
                let open = group_flags.len();
                let lookaround = chars.get(i) == Some(&'?')
                    && match chars.get(i + 1) {
                        Some('=' | '!') => true,
                        Some('<') => matches!(chars.get(i + 2), Some('=' | '!')),
                        _ => false,
                    };
                group_flags.push(flags);
                if chars.get(i) == Some(&'?') {
                    i = translate_group_start(&chars, i, &mut out, &mut flags, &mut group_flags);
                } else {
                    out.push('(');
                }
                // Comments, global flags and named backreferences open no
                // group.
                if group_flags.len() > open {
                    opens.push((start, lookaround));
                }
            }
            ')' => {
                if let Some(outer) = group_flags.pop() {
                    flags = outer;
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
            '$' if !flags.multiline => out.push_str(r"(?:\n?\z)"),
            '{' => i = translate_brace(&chars, i, &mut out),
            '}' => out.push_str(r"\}"),
            _ => {
                out.push(c);
                fold_atom(&mut out, start, flags, &mut map);
            }
        }
    }
    map.push((out.len(), chars.len()));
    (out, map)
}

/// The flags that change what the translation writes.
#[derive(Clone, Copy, Default)]
struct Flags {
    /// `(?m)`: `$` is left to the engine.
    multiline: bool,
    /// `(?i)`: spelled out by `fold_atom`, never passed on.
    ignore_case: bool,
    /// `(?a)`: ASCII classes and folding.
    ascii: bool,
}

/// Under `(?i)`, replace the literal or class just written at `start` of
/// `out` with the class of what Python's IGNORECASE matches for it. A
/// piece that is neither (an assertion, a backreference) stays.
fn fold_atom(out: &mut String, start: usize, flags: Flags, map: &mut SourceMap) {
    if !flags.ignore_case {
        return;
    }
    let piece = &out[start..];
    let (negated, positive) = match piece.strip_prefix("[^") {
        Some(rest) => (true, format!("[{rest}")),
        None => (false, piece.to_owned()),
    };
    // Python folds a class's characters and ranges, not its `\w`, `\s`,
    // `\d` (nor any of it when none of those characters has case).
    let parse = |text: &str| match regex_syntax::Parser::new().parse(text) {
        Ok(hir) => match hir.kind() {
            HirKind::Literal(lit) => {
                let text = String::from_utf8_lossy(&lit.0);
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(ClassUnicode::new([ClassUnicodeRange::new(c, c)])),
                    _ => None,
                }
            }
            HirKind::Class(Class::Unicode(class)) => Some(class.clone()),
            _ => None,
        },
        // Not a literal or class: the engine's error, if any, follows.
        Err(_) => None,
    };
    let Some(whole) = parse(&positive) else {
        return;
    };
    let Some(characters) = parse(&pyfold::without_categories(&positive)) else {
        return;
    };
    let mut class = pyfold::fold(&characters, flags.ascii);
    class.union(&whole);
    if negated {
        class.negate();
    }
    out.truncate(start);
    map.retain(|&(offset, _)| offset <= start);
    pyfold::write_class(&class, out);
}

/// After `(?` at `chars[i]`; returns the index after what was consumed.
fn translate_group_start(
    chars: &[char],
    i: usize,
    out: &mut String,
    flags: &mut Flags,
    group_flags: &mut Vec<Flags>,
) -> usize {
    let next = chars.get(i + 1).copied();
    let end_of = |from: usize, end: char| {
        chars[from..]
            .iter()
            .position(|&c| c == end)
            .map_or(chars.len(), |n| from + n + 1)
    };
    // A comment group vanishes.
    if next == Some('#') {
        group_flags.pop();
        return end_of(i, ')');
    }
    // A group's name is copied as it is (never folded).
    if next == Some('P') && chars.get(i + 2) == Some(&'<') {
        let end = end_of(i, '>');
        out.push('(');
        out.extend(&chars[i..end]);
        return end;
    }
    // A backreference by name opens no group; under `(?i)` it compares
    // ignoring case, which the engine is told.
    if next == Some('P') && chars.get(i + 2) == Some(&'=') {
        group_flags.pop();
        let end = end_of(i, ')');
        let reference: String = chars[i..end].iter().collect();
        match flags.ignore_case {
            true => out.push_str(&format!("(?i:({reference})")),
            false => out.push_str(&format!("({reference}")),
        }
        return end;
    }
    let is_flag = |c: &char| matches!(c, 'a' | 'i' | 'L' | 'm' | 's' | 'u' | 'x' | '-');
    if !next.as_ref().is_some_and(is_flag) {
        out.push_str("(?");
        return i + 1;
    }
    let mut j = i + 1;
    let mut passed = String::new();
    let mut turning_off = false;
    while let Some(&f) = chars.get(j).filter(|c| is_flag(c)) {
        match f {
            '-' => {
                turning_off = true;
                passed.push('-');
            }
            'm' => {
                flags.multiline = !turning_off;
                passed.push('m');
            }
            'i' => flags.ignore_case = !turning_off,
            'a' => flags.ascii = true,
            'u' => flags.ascii = false,
            // Python refuses LOCALE for text patterns; taken as Unicode.
            'L' => {}
            _ => passed.push(f),
        }
        j += 1;
    }
    let scoped = chars.get(j) == Some(&':');
    if !scoped {
        // `(?flags)` applies from here on: it opens no group to close.
        group_flags.pop();
    }
    let passed = passed.trim_end_matches('-');
    if passed.is_empty() {
        out.push_str(if scoped { "(?:" } else { "" });
    } else {
        out.push_str("(?");
        out.push_str(passed);
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
fn translate_class(
    chars: &[char],
    mut i: usize,
    flags: Flags,
    out: &mut String,
    map: &mut SourceMap,
) -> usize {
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
            '\\' => i = translate_escape(chars, i, true, flags, out),
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
fn translate_escape(
    chars: &[char],
    i: usize,
    in_class: bool,
    flags: Flags,
    out: &mut String,
) -> usize {
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
    let (word, space, digit) = match flags.ascii {
        true => (pyfold::ASCII_WORD, pyfold::ASCII_SPACE, pyfold::ASCII_DIGIT),
        false => (pyfold::WORD, pyfold::SPACE, pyfold::DIGIT),
    };
    let items = |letter: char| match letter.to_ascii_lowercase() {
        'w' => word,
        's' => space,
        _ => digit,
    };
    match c {
        // Python's classes, not the engines' own (a class nested in a
        // class adds its members).
        'w' | 's' | 'd' if in_class => out.push_str(items(c)),
        'w' | 's' | 'd' => out.push_str(&format!("[{}]", items(c))),
        'W' | 'S' | 'D' => out.push_str(&format!("[^{}]", items(c))),
        'b' | 'B' if !in_class && flags.ascii => out.push_str(&format!("(?-u:\\{c})")),
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
            let reference: String = chars[i..end].iter().collect();
            match flags.ignore_case {
                true => out.push_str(&format!("(?i:\\{reference})")),
                false => out.push_str(&format!("\\{reference}")),
            }
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
