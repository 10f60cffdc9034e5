//! The SQL writer's string literals: read back by each engine's rules for
//! a quoted string, a literal is exactly the input, and it ends at its
//! last quote (nothing after it could be read as SQL).
//!
//! The readers follow the engines' documented lexing: DuckDB and Trino
//! (Athena) double a quote and take backslashes as they are; Spark's
//! unescapeSQLString reads `\` escapes (`\n`, `\t`, `\0`, octal `\NNN`,
//! `\uXXXX`, `\%` and `\_` kept with their backslash, any other character
//! as itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_sql::{Dialect, str_lit};

/// The string a standard-SQL literal denotes, and the bytes after it.
fn read_standard(sql: &str) -> Option<(String, &str)> {
    let mut chars = sql.strip_prefix('\'')?.char_indices().peekable();
    let mut out = String::new();
    while let Some((at, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|(_, n)| *n) == Some('\'') {
                chars.next();
                out.push('\'');
            } else {
                return Some((out, &sql[1 + at + 1..]));
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// As Spark reads a single-quoted literal.
fn read_spark(sql: &str) -> Option<(String, &str)> {
    let body = sql.strip_prefix('\'')?;
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            '\'' => return Some((out, &body[at + 1..])),
            '\\' => {
                let (_, next) = *chars.get(i + 1)?;
                i += 2;
                let octal = |k: usize| chars.get(k).is_some_and(|(_, c)| ('0'..='7').contains(c));
                match next {
                    'u' if (0..4).all(|k| chars.get(i + k).is_some_and(|(_, c)| c.is_ascii_hexdigit())) => {
                        let hex: String = chars[i..i + 4].iter().map(|(_, c)| c).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        i += 4;
                    }
                    '0'..='1' if octal(i) && octal(i + 1) => {
                        let digits: String = [next, chars[i].1, chars[i + 1].1].iter().collect();
                        out.push(char::from_u32(u32::from_str_radix(&digits, 8).ok()?)?);
                        i += 2;
                    }
                    '0' => out.push('\0'),
                    'b' => out.push('\u{8}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'Z' => out.push('\u{1a}'),
                    '%' => out.push_str("\\%"),
                    '_' => out.push_str("\\_"),
                    other => out.push(other),
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in [Dialect::Duckdb, Dialect::Athena, Dialect::Spark] {
        let literal = str_lit(dialect, text);
        let read = match dialect {
            Dialect::Spark => read_spark(&literal),
            _ => read_standard(&literal),
        };
        let Some((value, rest)) = read else {
            panic!("{dialect:?}: {literal:?} is not a closed literal");
        };
        assert_eq!(rest, "", "{dialect:?}: {literal:?} ends before its last quote");
        assert_eq!(value, text, "{dialect:?}: {literal:?} reads back otherwise");
    }
});
