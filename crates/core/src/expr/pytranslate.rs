//! Python `re` syntax rewritten into the Rust dialect that both engines
//! (regex and fancy-regex) read, with Python's meaning spelled out where the
//! two differ: `$`, `\Z`, octal and `\u` escapes, `{,n}`, literal braces,
//! repeated lookarounds.

use super::regex_error::SourceMap;

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
