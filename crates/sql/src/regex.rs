//! Python `re` patterns rewritten for the SQL engines' regex flavours:
//! RE2 (DuckDB), java.util.regex (Spark) and Trino/Athena's (checked here
//! through RE2, so held to the same subset). Everything whose meaning
//! differs is spelled out explicitly (`$`, `.`, `\d`, `\s`, case folding),
//! and what cannot be spelled out is refused.

use super::{Dialect, Refusal};

/// Python's `str.isspace()` characters, which `\s` matches.
const PY_SPACE: &str = r"\t\n\x{B}\f\r\x{1C}-\x{1F} \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";
/// Python's Unicode `\w` (alphanumerics and `_`); `\d` is `\p{Nd}`.
const PY_WORD: &str = r"\p{L}\p{N}_";

#[derive(Clone, Copy, Default)]
struct Flags {
    ignore_case: bool,
    dot_all: bool,
    ascii: bool,
}

/// Translate `pattern` (Python syntax) for `dialect`, or refuse naming the
/// construct.
pub fn translate(pattern: &str, dialect: Dialect) -> Result<String, Refusal> {
    let refuse = |what: &str| {
        Err(Refusal::new(
            format!("regex {what} in {pattern:?}"),
            dialect,
        ))
    };
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut flags = Flags::default();
    let mut stack: Vec<Flags> = Vec::new();
    let mut i = 0;
    // Global flags are only valid at the very start in Python 3.11+.
    if chars.starts_with(&['(', '?']) {
        let mut j = 2;
        let mut global = flags;
        while let Some(&f) = chars.get(j) {
            match f {
                'i' => global.ignore_case = true,
                's' => global.dot_all = true,
                'a' => global.ascii = true,
                'u' => {}
                'm' => return refuse("multi-line flag (?m)"),
                'x' => return refuse("verbose flag (?x)"),
                'L' => return refuse("locale flag (?L)"),
                _ => break,
            }
            j += 1;
        }
        if j > 2 && chars.get(j) == Some(&')') {
            flags = global;
            i = j + 1;
        }
    }
    // Whether the previous item can take a quantifier (for the `{` rule).
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let (text, next) = escape(&chars, i, flags, false, pattern, dialect)?;
                out.push_str(&text);
                i = next;
            }
            '[' => {
                let (text, next) = class(&chars, i, flags, pattern, dialect)?;
                out.push_str(&text);
                i = next;
            }
            '(' => {
                stack.push(flags);
                if chars.get(i) != Some(&'?') {
                    out.push_str("(?:");
                    continue;
                }
                let rest: String = chars[i..].iter().take(4).collect();
                if rest.starts_with("?:") {
                    out.push_str("(?:");
                    i += 2;
                } else if rest.starts_with("?P<") {
                    let close = chars[i..].iter().position(|&c| c == '>');
                    let Some(close) = close else {
                        return refuse("group name");
                    };
                    out.push_str("(?:");
                    i += close + 1;
                } else if rest.starts_with("?#") {
                    stack.pop();
                    let close = chars[i..].iter().position(|&c| c == ')');
                    i += close.map_or(chars.len() - i, |n| n + 1);
                } else if rest.starts_with("?=")
                    || rest.starts_with("?!")
                    || rest.starts_with("?<=")
                    || rest.starts_with("?<!")
                {
                    if dialect != Dialect::Spark {
                        return refuse("lookaround");
                    }
                    let width = if rest.starts_with("?<") { 3 } else { 2 };
                    out.push('(');
                    out.extend(&chars[i..i + width]);
                    i += width;
                } else if rest.starts_with("?P=") || rest.starts_with("?(") {
                    return refuse("backreference");
                } else if rest.starts_with("?>") {
                    return refuse("atomic group");
                } else {
                    // Scoped flags `(?i:...)`, `(?-i:...)`.
                    let mut j = i + 1;
                    let mut on = true;
                    let mut scoped = flags;
                    while let Some(&f) = chars.get(j) {
                        match f {
                            '-' => on = false,
                            'i' => scoped.ignore_case = on,
                            's' => scoped.dot_all = on,
                            'a' if on => scoped.ascii = true,
                            'u' if on => {}
                            'm' => return refuse("multi-line flag (?m)"),
                            'x' => return refuse("verbose flag (?x)"),
                            _ => break,
                        }
                        j += 1;
                    }
                    if chars.get(j) != Some(&':') {
                        return refuse("inline flags after the start");
                    }
                    flags = scoped;
                    out.push_str("(?:");
                    i = j + 1;
                }
            }
            ')' => {
                if let Some(outer) = stack.pop() {
                    flags = outer;
                }
                out.push(')');
            }
            '^' => out.push_str(r"\A"),
            // Python's `$` also matches before a newline that ends the string.
            '$' => out.push_str(r"(?:\n?\z)"),
            '.' => out.push_str(if flags.dot_all { r"(?s:.)" } else { r"[^\n]" }),
            '|' => out.push('|'),
            '*' | '+' | '?' => {
                out.push(c);
                i = lazy_or_possessive(&chars, i, &mut out, pattern, dialect)?;
            }
            '{' => {
                let close = chars[i..].iter().position(|&c| c == '}').map(|n| i + n);
                let body: Option<String> = close.map(|close| chars[i..close].iter().collect());
                match body.as_deref().and_then(repeat_bounds) {
                    Some((low, high)) => {
                        let limit = match high {
                            Some(h) if h != usize::MAX => h,
                            _ => low,
                        };
                        if limit > 1000 {
                            return refuse("repetition count above 1000");
                        }
                        out.push('{');
                        out.push_str(&low.to_string());
                        if let Some(high) = high {
                            out.push(',');
                            if high != usize::MAX {
                                out.push_str(&high.to_string());
                            }
                        }
                        out.push('}');
                        i = close.map_or(i, |c| c + 1);
                        i = lazy_or_possessive(&chars, i, &mut out, pattern, dialect)?;
                    }
                    None => out.push_str(r"\{"),
                }
            }
            _ => literal(c, flags, &mut out, pattern, dialect)?,
        }
    }
    Ok(out)
}

/// `{m}`, `{m,}`, `{,n}`, `{m,n}` -> (low, high); `{m,}` has high = MAX.
fn repeat_bounds(body: &str) -> Option<(usize, Option<usize>)> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match body.split_once(',') {
        None if digits(body) => Some((body.parse().ok()?, None)),
        None => None,
        Some((l, h)) => {
            // `{,}` is `{0,}` in Python, as `{,n}` is `{0,n}`.
            if !(l.is_empty() || digits(l)) {
                return None;
            }
            if !(h.is_empty() || digits(h)) {
                return None;
            }
            let low = if l.is_empty() { 0 } else { l.parse().ok()? };
            let high = if h.is_empty() {
                usize::MAX
            } else {
                h.parse().ok()?
            };
            Some((low, Some(high)))
        }
    }
}

fn lazy_or_possessive(
    chars: &[char],
    i: usize,
    out: &mut String,
    pattern: &str,
    dialect: Dialect,
) -> Result<usize, Refusal> {
    match chars.get(i) {
        Some('?') => {
            out.push('?');
            Ok(i + 1)
        }
        Some('+') => Err(Refusal::new(
            format!("regex possessive quantifier in {pattern:?}"),
            dialect,
        )),
        _ => Ok(i),
    }
}

/// ASCII letters Python folds together with a non-ASCII one under
/// IGNORECASE (`re` documentation: İ, ı, ſ, K).
fn fold_class(c: char) -> Option<String> {
    if !c.is_ascii_alphabetic() {
        return None;
    }
    let lower = c.to_ascii_lowercase();
    let mut set = vec![lower, lower.to_ascii_uppercase()];
    match lower {
        'i' => set.extend(['\u{130}', '\u{131}']),
        'k' => set.push('\u{212A}'),
        's' => set.push('\u{17F}'),
        _ => {}
    }
    Some(set.into_iter().collect())
}

/// One literal character outside a class.
fn literal(
    c: char,
    flags: Flags,
    out: &mut String,
    pattern: &str,
    dialect: Dialect,
) -> Result<(), Refusal> {
    if flags.ignore_case {
        if let Some(set) = fold_class(c) {
            out.push('[');
            out.push_str(&set);
            out.push(']');
            return Ok(());
        }
        if !c.is_ascii() {
            return Err(Refusal::new(
                format!("regex case-insensitive non-ASCII letter in {pattern:?}"),
                dialect,
            ));
        }
    }
    push_char(c, out);
    Ok(())
}

/// A character as a literal: escaped when it is a metacharacter anywhere,
/// as a code point escape when it is not printable.
fn push_char(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() || c == '_' || c == ' ' {
        out.push(c);
    } else if c.is_ascii_punctuation() {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii() || c.is_control() || c.is_whitespace() {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// After `\` at `chars[i - 1]`: the translation and the next index.
fn escape(
    chars: &[char],
    i: usize,
    flags: Flags,
    in_class: bool,
    pattern: &str,
    dialect: Dialect,
) -> Result<(String, usize), Refusal> {
    let refuse = |what: &str| {
        Err(Refusal::new(
            format!("regex {what} in {pattern:?}"),
            dialect,
        ))
    };
    let Some(&c) = chars.get(i) else {
        return refuse("trailing backslash");
    };
    let one = |s: &str| Ok((s.to_owned(), i + 1));
    let char_code = |code: u32, next: usize| match char::from_u32(code) {
        Some(ch) => {
            let mut s = String::new();
            if in_class && flags.ignore_case && !ch.is_ascii() {
                return Err(Refusal::new(
                    format!("regex case-insensitive non-ASCII letter in {pattern:?}"),
                    dialect,
                ));
            } else if in_class {
                match fold_class(ch).filter(|_| flags.ignore_case) {
                    Some(set) => s.push_str(&set),
                    None => push_char(ch, &mut s),
                }
            } else {
                literal(ch, flags, &mut s, pattern, dialect)?;
            }
            Ok((s, next))
        }
        None => refuse("escape of an invalid code point"),
    };
    let hex = |from: usize, width: usize| -> Option<u32> {
        let text: String = chars.get(from..from + width)?.iter().collect();
        u32::from_str_radix(&text, 16).ok()
    };
    let octal = |j: usize| chars.get(j).is_some_and(|d| d.is_digit(8));
    match c {
        'd' if flags.ascii => one("[0-9]"),
        'd' => one(r"\p{Nd}"),
        'D' if in_class => refuse(r"\D inside a class"),
        'D' if flags.ascii => one("[^0-9]"),
        'D' => one(r"\P{Nd}"),
        'w' if in_class && flags.ascii => one("a-zA-Z0-9_"),
        'w' if in_class => one(PY_WORD),
        'w' if flags.ascii => one("[a-zA-Z0-9_]"),
        'w' => Ok((format!("[{PY_WORD}]"), i + 1)),
        'W' if in_class => refuse(r"\W inside a class"),
        'W' if flags.ascii => one("[^a-zA-Z0-9_]"),
        'W' => Ok((format!("[^{PY_WORD}]"), i + 1)),
        's' if in_class && flags.ascii => one(r"\t\n\x{B}\f\r "),
        's' if in_class => one(PY_SPACE),
        's' if flags.ascii => one(r"[\t\n\x{B}\f\r ]"),
        's' => Ok((format!("[{PY_SPACE}]"), i + 1)),
        'S' if in_class => refuse(r"\S inside a class"),
        'S' if flags.ascii => one(r"[^\t\n\x{B}\f\r ]"),
        'S' => Ok((format!("[^{PY_SPACE}]"), i + 1)),
        'b' if in_class => char_code(8, i + 1),
        'b' | 'B' => refuse(r"word boundary \b or \B (engines define words differently)"),
        'A' if !in_class => one(r"\A"),
        'Z' if !in_class => one(r"\z"),
        'n' => char_code(10, i + 1),
        't' => char_code(9, i + 1),
        'r' => char_code(13, i + 1),
        'f' => char_code(12, i + 1),
        'v' => char_code(11, i + 1),
        'a' => char_code(7, i + 1),
        'x' => match hex(i + 1, 2) {
            Some(code) => char_code(code, i + 3),
            None => refuse(r"\x escape"),
        },
        'u' => match hex(i + 1, 4) {
            Some(code) => char_code(code, i + 5),
            None => refuse(r"\u escape"),
        },
        'U' => match hex(i + 1, 8) {
            Some(code) => char_code(code, i + 9),
            None => refuse(r"\U escape"),
        },
        '0' => {
            let mut end = i + 1;
            while end < i + 3 && octal(end) {
                end += 1;
            }
            let text: String = chars[i..end].iter().collect();
            char_code(u32::from_str_radix(&text, 8).unwrap_or(0), end)
        }
        '1'..='9' => {
            if octal(i) && octal(i + 1) && octal(i + 2) {
                let text: String = chars[i..i + 3].iter().collect();
                return char_code(u32::from_str_radix(&text, 8).unwrap_or(0), i + 3);
            }
            refuse("backreference")
        }
        c if c.is_ascii_alphanumeric() => refuse(&format!("escape \\{c}")),
        c => char_code(c as u32, i + 1),
    }
}

/// After `[` at `chars[i - 1]`: the class and the next index.
fn class(
    chars: &[char],
    mut i: usize,
    flags: Flags,
    pattern: &str,
    dialect: Dialect,
) -> Result<(String, usize), Refusal> {
    let refuse = |what: &str| {
        Err(Refusal::new(
            format!("regex {what} in {pattern:?}"),
            dialect,
        ))
    };
    let mut out = String::from("[");
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    let mut items = String::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return refuse("unclosed class");
        };
        i += 1;
        if c == ']' && !first {
            break;
        }
        first = false;
        // One item: a character (maybe the start of a range) or an escape.
        let (low, text) = if c == '\\' {
            let next = chars.get(i).copied();
            let (text, after) = escape(chars, i, flags, true, pattern, dialect)?;
            i = after;
            // Only plain character escapes can start a range.
            let single = next.filter(|n| !matches!(n, 'd' | 'w' | 's'));
            (single.map(|_| text.clone()), text)
        } else {
            let mut s = String::new();
            push_char(c, &mut s);
            (Some(s), c.to_string())
        };
        let low_char = if c == '\\' { None } else { Some(c) };
        let is_range = chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']');
        if is_range {
            let Some(low) = low else {
                return refuse("range from a class escape");
            };
            let Some(lo) = low_char else {
                return refuse("range bound given as an escape");
            };
            let hi = chars[i + 1];
            if hi == '\\' || hi == '[' {
                return refuse("range bound given as an escape");
            }
            i += 2;
            if flags.ignore_case {
                if !(lo.is_ascii() && hi.is_ascii()) {
                    return refuse("case-insensitive non-ASCII range");
                }
                for code in lo as u32..=hi as u32 {
                    let ch = char::from_u32(code).unwrap_or(' ');
                    match fold_class(ch) {
                        Some(set) => items.push_str(&set),
                        None => push_char(ch, &mut items),
                    }
                }
            } else {
                let mut hi_text = String::new();
                push_char(hi, &mut hi_text);
                items.push_str(&low);
                items.push('-');
                items.push_str(&hi_text);
            }
            continue;
        }
        match low_char {
            Some(ch) if flags.ignore_case => match fold_class(ch) {
                Some(set) => items.push_str(&set),
                None if !ch.is_ascii() => return refuse("case-insensitive non-ASCII letter"),
                None => push_char(ch, &mut items),
            },
            Some(ch) => push_char(ch, &mut items),
            None => items.push_str(&text),
        }
    }
    out.push_str(&items);
    out.push(']');
    Ok((out, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str) -> String {
        translate(p, Dialect::Duckdb).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn anchors_and_dot_are_spelled_out() {
        assert_eq!(t("^a.b$"), r"\Aa[^\n]b(?:\n?\z)");
        assert_eq!(t("(?s)a.b"), r"a(?s:.)b");
        assert_eq!(t(r"\d+"), r"\p{Nd}+");
        assert_eq!(t(r"(?a)\d{2,}"), r"[0-9]{2,}");
        assert_eq!(t("a{,3}x{y}"), r"a{0,3}x\{y\}");
    }

    #[test]
    fn case_folding_is_explicit() {
        assert_eq!(t("(?i)ki"), "[kK\u{212A}][iI\u{130}\u{131}]");
        assert_eq!(t("(?i:a)b"), "(?:[aA])b");
        assert_eq!(t("(?i)[a-c]"), "[aAbBcC]");
    }

    #[test]
    fn unsupported_constructs_are_refused() {
        for p in [
            r"\bx", "(?=a)", r"(a)\1", "(?m)^a", "a++", "(?>a)", "x(?i)y",
        ] {
            assert!(translate(p, Dialect::Duckdb).is_err(), "{p}");
        }
        assert!(translate("(?=a)", Dialect::Spark).is_ok());
    }
}
