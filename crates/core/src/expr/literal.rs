//! Python literal syntax for the right side of a comparison: strings with
//! Python escapes, ints, floats, True/False/None (and JSON's spellings),
//! lists, tuples and dicts.

use super::ExprError;
use super::lex::Cursor;

/// A parsed literal. Tuples become `Seq` too: they compare like lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i128),
    /// An integer beyond i128, as decimal text (`-?[1-9][0-9]*`): Python's
    /// ints have no size limit.
    BigInt(String),
    Float(f64),
    Str(String),
    Seq(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

/// Deep enough for any real literal, shallow enough for the stack.
const MAX_NESTING: usize = 64;

/// Parse one literal at the cursor (blank space before it is skipped).
pub(crate) fn parse_literal(cur: &mut Cursor<'_>) -> Result<Literal, ExprError> {
    parse_nested(cur, 0)
}

fn parse_nested(cur: &mut Cursor<'_>, depth: usize) -> Result<Literal, ExprError> {
    cur.skip_blank();
    if depth > MAX_NESTING {
        return Err(cur.error("literal nested too deeply"));
    }
    let Some(c) = cur.peek() else {
        return Err(cur.error("expected a literal"));
    };
    match c {
        '[' => {
            cur.bump();
            let (items, _) = parse_items(cur, ']', depth)?;
            Ok(Literal::Seq(items))
        }
        '(' => {
            let open = cur.pos;
            cur.bump();
            let (mut items, trailing_comma) = parse_items(cur, ')', depth)?;
            if items.len() == 1 && !trailing_comma {
                return Ok(items.pop().unwrap_or(Literal::None));
            }
            if items.is_empty() && trailing_comma {
                return Err(cur.error_at(open, "invalid tuple"));
            }
            Ok(Literal::Seq(items))
        }
        '{' => parse_dict(cur, depth),
        '+' | '-' => {
            let sign_at = cur.pos;
            cur.bump();
            cur.skip_blank();
            match parse_number(cur)? {
                Some(n) if c == '+' => Ok(n),
                Some(Literal::Int(i)) => Ok(Literal::Int(-i)),
                Some(Literal::BigInt(digits)) => Ok(negate_big(digits)),
                Some(Literal::Float(f)) => Ok(Literal::Float(-f)),
                _ => Err(cur.error_at(sign_at, "expected a number after the sign")),
            }
        }
        _ if c.is_ascii_digit() || c == '.' => match parse_number(cur)? {
            Some(n) => Ok(n),
            None => Err(cur.error("expected a literal")),
        },
        _ => {
            if let Some(s) = parse_strings(cur)? {
                return Ok(Literal::Str(s));
            }
            let word = cur.peek_word();
            let lit = match word {
                "True" | "true" => Literal::Bool(true),
                "False" | "false" => Literal::Bool(false),
                "None" | "null" => Literal::None,
                _ => return Err(cur.error("expected a literal")),
            };
            cur.pos += word.len();
            Ok(lit)
        }
    }
}

/// Comma-separated literals up to `close`; also says whether a comma
/// came last (it makes `(1,)` a tuple).
fn parse_items(
    cur: &mut Cursor<'_>,
    close: char,
    depth: usize,
) -> Result<(Vec<Literal>, bool), ExprError> {
    let mut items = Vec::new();
    let mut trailing_comma = false;
    loop {
        cur.skip_blank();
        if cur.eat(close) {
            return Ok((items, trailing_comma));
        }
        if !items.is_empty() && !trailing_comma {
            return Err(cur.error(format!("expected ',' or '{close}'")));
        }
        if cur.peek() == Some(',') {
            return Err(cur.error("expected a literal"));
        }
        items.push(parse_nested(cur, depth + 1)?);
        cur.skip_blank();
        trailing_comma = cur.eat(',');
    }
}

fn parse_dict(cur: &mut Cursor<'_>, depth: usize) -> Result<Literal, ExprError> {
    let open = cur.pos;
    cur.bump();
    let mut entries = Vec::new();
    loop {
        cur.skip_blank();
        if cur.eat('}') {
            return Ok(Literal::Dict(entries));
        }
        let key = parse_nested(cur, depth + 1)?;
        cur.skip_blank();
        if !cur.eat(':') {
            if entries.is_empty() && matches!(cur.peek(), Some(',' | '}')) {
                return Err(cur.error_at(open, "set literals are not supported; use a list"));
            }
            return Err(cur.error("expected ':'"));
        }
        let value = parse_nested(cur, depth + 1)?;
        entries.push((key, value));
        cur.skip_blank();
        if !cur.eat(',') && cur.peek() != Some('}') {
            return Err(cur.error("expected ',' or '}'"));
        }
    }
}

/// An unsigned Python number at the cursor, or None when none starts here.
fn parse_number(cur: &mut Cursor<'_>) -> Result<Option<Literal>, ExprError> {
    let start = cur.pos;
    let rest = cur.rest();
    let bytes = rest.as_bytes();
    let starts_number = match bytes.first() {
        Some(b) if b.is_ascii_digit() => true,
        Some(b'.') => bytes.get(1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    if !starts_number {
        return Ok(None);
    }
    let radix = match (bytes.first(), bytes.get(1).map(u8::to_ascii_lowercase)) {
        (Some(b'0'), Some(b'x')) => 16,
        (Some(b'0'), Some(b'o')) => 8,
        (Some(b'0'), Some(b'b')) => 2,
        _ => 10,
    };
    let invalid = |cur: &Cursor<'_>| cur.error_at(start, "invalid number");
    if radix != 10 {
        let body_len = rest[2..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 2);
        let body = &rest[2..2 + body_len];
        cur.pos += 2 + body_len;
        // Python allows one underscore right after the base prefix.
        let digits = strip_underscores(body.strip_prefix('_').unwrap_or(body))
            .ok_or_else(|| invalid(cur))?;
        return match i128::from_str_radix(&digits, radix) {
            Ok(i) => Ok(Some(Literal::Int(i))),
            Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
                Ok(Some(big_int(&to_decimal(&digits, radix))))
            }
            Err(_) => Err(invalid(cur)),
        };
    }
    let mut end = 0;
    let mut is_float = false;
    let digits_at = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b'_'))
            .map_or(bytes.len(), |n| from + n)
    };
    end = digits_at(end);
    if bytes.get(end) == Some(&b'.') {
        is_float = true;
        end = digits_at(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exp = end + 1;
        if matches!(bytes.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        if bytes.get(exp).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            end = digits_at(exp);
        }
    }
    let text = &rest[..end];
    cur.pos += end;
    if cur
        .peek()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        let message = if matches!(cur.peek(), Some('j' | 'J')) {
            "complex numbers are not supported"
        } else {
            "invalid number"
        };
        return Err(cur.error_at(start, message));
    }
    let clean = strip_underscores_in_parts(text).ok_or_else(|| invalid(cur))?;
    if is_float {
        return clean
            .parse::<f64>()
            .map(|f| Some(Literal::Float(f)))
            .map_err(|_| invalid(cur));
    }
    if clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0') {
        return Err(cur.error_at(start, "leading zeros are not allowed; use 0o for octal"));
    }
    match clean.parse::<i128>() {
        Ok(i) => Ok(Some(Literal::Int(i))),
        Err(_) => Ok(Some(big_int(&clean))),
    }
}

/// An integer too large for i128, from its decimal digits.
fn big_int(digits: &str) -> Literal {
    let digits = digits.trim_start_matches('0');
    match digits.parse::<i128>() {
        Ok(i) => Literal::Int(i),
        Err(_) => Literal::BigInt(digits.to_owned()),
    }
}

fn negate_big(digits: String) -> Literal {
    // -2^127 is the one such negation that fits i128.
    match format!("-{digits}").parse::<i128>() {
        Ok(i) => Literal::Int(i),
        Err(_) => Literal::BigInt(format!("-{digits}")),
    }
}

/// Digits in `radix` (already checked) as decimal digits, for integers past
/// i128: schoolbook conversion in base 10^9 limbs, least significant first.
fn to_decimal(digits: &str, radix: u32) -> String {
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0];
    for d in digits.chars().filter_map(|c| c.to_digit(radix)) {
        let mut carry = u64::from(d);
        for limb in &mut limbs {
            let value = *limb * u64::from(radix) + carry;
            *limb = value % BASE;
            carry = value / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    let mut out = limbs.pop().unwrap_or(0).to_string();
    for limb in limbs.iter().rev() {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// Digits with Python's underscores removed; None when an underscore is not
/// between two digits.
fn strip_underscores(digits: &str) -> Option<String> {
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    if digits.contains("__") {
        return None;
    }
    Some(digits.replace('_', ""))
}

/// Like `strip_underscores` for a decimal number, checking each run of
/// digits between `.`, `e` and signs separately.
fn strip_underscores_in_parts(text: &str) -> Option<String> {
    let parts = text.split(['.', 'e', 'E', '+', '-']);
    // `.5` and `5.` have an empty part, which is fine.
    for part in parts.filter(|p| !p.is_empty()) {
        strip_underscores(part)?;
    }
    Some(text.replace('_', ""))
}

/// One string literal, or several adjacent ones joined as Python does.
fn parse_strings(cur: &mut Cursor<'_>) -> Result<Option<String>, ExprError> {
    let Some(mut joined) = parse_string(cur)? else {
        return Ok(None);
    };
    loop {
        let before = cur.pos;
        cur.skip_blank();
        match parse_string(cur)? {
            Some(more) => joined.push_str(&more),
            None => {
                cur.pos = before;
                return Ok(Some(joined));
            }
        }
    }
}

/// A single string literal with optional prefix, or None when no string
/// starts at the cursor.
fn parse_string(cur: &mut Cursor<'_>) -> Result<Option<String>, ExprError> {
    let start = cur.pos;
    let rest = cur.rest();
    let prefix_len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let prefix = &rest[..prefix_len];
    let quote = match rest[prefix_len..].chars().next() {
        Some(q @ ('\'' | '"')) => q,
        _ => return Ok(None),
    };
    let raw = match prefix.to_ascii_lowercase().as_str() {
        "" | "u" => false,
        "r" => true,
        p if p.contains('b') => {
            return Err(cur.error("bytes literals are not supported"));
        }
        p if p.contains('f') || p.contains('t') => {
            return Err(cur.error("f-strings are not supported"));
        }
        _ => return Ok(None),
    };
    cur.pos += prefix_len;
    let triple = cur.rest().starts_with(&quote.to_string().repeat(3));
    cur.pos += if triple { 3 } else { 1 };
    let mut out = String::new();
    loop {
        let at = cur.pos;
        let Some(c) = cur.bump() else {
            return Err(cur.error_at(start, "unterminated string"));
        };
        if c == quote {
            if !triple {
                return Ok(Some(out));
            }
            if cur.peek() == Some(quote) && cur.peek_at(1) == Some(quote) {
                cur.pos += 2;
                return Ok(Some(out));
            }
            out.push(c);
        } else if c == '\n' && !triple {
            return Err(cur.error_at(start, "unterminated string"));
        } else if c == '\\' {
            let Some(next) = cur.bump() else {
                return Err(cur.error_at(start, "unterminated string"));
            };
            if raw {
                out.push('\\');
                out.push(next);
            } else {
                unescape(cur, at, next, &mut out)?;
            }
        } else {
            out.push(c);
        }
    }
}

/// The escape `\` + `c` (the backslash at `at`), appended to `out`.
fn unescape(cur: &mut Cursor<'_>, at: usize, c: char, out: &mut String) -> Result<(), ExprError> {
    let simple = match c {
        '\n' => return Ok(()),
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '0'..='7' => {
            let mut value = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match cur.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        value = value * 8 + d;
                        cur.bump();
                    }
                    None => break,
                }
            }
            char::from_u32(value).ok_or_else(|| cur.error_at(at, "invalid octal escape"))?
        }
        'x' | 'u' | 'U' => {
            let width = match c {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let hex = cur.rest().get(..width).unwrap_or("");
            if hex.len() != width || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(cur.error_at(at, format!("truncated \\{c} escape")));
            }
            cur.pos += width;
            let value = u32::from_str_radix(hex, 16).unwrap_or(u32::MAX);
            char::from_u32(value).ok_or_else(|| {
                let message = if (0xD800..=0xDFFF).contains(&value) {
                    format!(
                        "\\{c}{hex} is a lone surrogate (half of a UTF-16 pair, no character); \
                         write a character past U+FFFF as \\U0001F600 or as itself"
                    )
                } else {
                    format!("\\{c}{hex} is past the last Unicode character, \\U0010FFFF")
                };
                cur.error_at(at, message)
            })?
        }
        'N' => {
            return Err(cur.error_at(
                at,
                "\\N{...} named escapes are not supported: write the character itself or \\uXXXX",
            ));
        }
        // Python keeps unknown escapes as they are, which regexes rely on.
        other => {
            out.push('\\');
            other
        }
    };
    out.push(simple);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Literal::*;
    use super::*;

    fn lit(src: &str) -> Literal {
        let mut cur = Cursor::new(src);
        let value = parse_literal(&mut cur).unwrap_or_else(|e| panic!("{src}: {e}"));
        cur.skip_blank();
        assert!(cur.at_end(), "{src}: left {:?}", cur.rest());
        value
    }

    fn err(src: &str) -> ExprError {
        let mut cur = Cursor::new(src);
        match parse_literal(&mut cur) {
            Ok(v) if cur.at_end() => panic!("{src} parsed as {v:?}"),
            Ok(_) => cur.error("left over"),
            Err(e) => e,
        }
    }

    fn s(text: &str) -> Literal {
        Str(text.to_owned())
    }

    #[test]
    fn strings_with_python_escapes() {
        assert_eq!(lit(r#""a\nb\t\\""#), s("a\nb\t\\"));
        assert_eq!(lit(r"'it\'s'"), s("it's"));
        assert_eq!(lit(r#""say \"hi\"""#), s("say \"hi\""));
        assert_eq!(lit(r"'\x41\u00e9\U0001F600'"), s("Aé😀"));
        assert_eq!(lit(r"'\101\0\7'"), s("A\0\x07"));
        assert_eq!(lit(r"'\a\b\f\v\r'"), s("\x07\x08\x0c\x0b\r"));
        assert_eq!(lit(r"'\d+\.'"), s(r"\d+\."));
        assert_eq!(lit("'é'"), s("é"));
        assert_eq!(lit("u'x'"), s("x"));
    }

    #[test]
    fn raw_triple_and_adjacent_strings() {
        assert_eq!(lit(r"r'\d\n'"), s(r"\d\n"));
        assert_eq!(lit(r"R'\''"), s(r"\'"));
        assert_eq!(lit(r#"'''a'b"c'''"#), s("a'b\"c"));
        assert_eq!(lit(r#""a" 'b'"#), s("ab"));
    }

    #[test]
    fn numbers_in_python_forms() {
        assert_eq!(lit("42"), Int(42));
        assert_eq!(lit("-7"), Int(-7));
        assert_eq!(lit("+ 7"), Int(7));
        assert_eq!(lit("1_000_000"), Int(1_000_000));
        assert_eq!(lit("0x1F"), Int(31));
        assert_eq!(lit("0o17"), Int(15));
        assert_eq!(lit("0b101"), Int(5));
        assert_eq!(lit("0x_ff"), Int(255));
        assert_eq!(lit("0"), Int(0));
        assert_eq!(lit("00"), Int(0));
        assert_eq!(lit("1.5"), Float(1.5));
        assert_eq!(lit(".5"), Float(0.5));
        assert_eq!(lit("5."), Float(5.0));
        assert_eq!(lit("1e3"), Float(1000.0));
        assert_eq!(lit("-2.0"), Float(-2.0));
        assert_eq!(lit("1E-3"), Float(0.001));
        assert_eq!(lit("1_0.2_5"), Float(10.25));
    }

    #[test]
    fn integers_have_no_size_limit() {
        let big = "123456789012345678901234567890123456789012345678901234567890";
        assert_eq!(lit(big), BigInt(big.into()));
        assert_eq!(lit(&format!("-{big}")), BigInt(format!("-{big}")));
        assert_eq!(
            err(&format!("0{big}")).message,
            "leading zeros are not allowed; use 0o for octal"
        );
        assert_eq!(
            lit("0x1_0000_0000_0000_0000_0000_0000_0000_0000"),
            BigInt("340282366920938463463374607431768211456".into())
        );
        assert_eq!(
            lit("-170141183460469231731687303715884105728"),
            Int(i128::MIN)
        );
        assert_eq!(
            lit("170141183460469231731687303715884105727"),
            Int(i128::MAX)
        );
        assert_eq!(
            lit("170141183460469231731687303715884105728"),
            BigInt("170141183460469231731687303715884105728".into())
        );
    }

    #[test]
    fn keywords_in_python_and_json_spelling() {
        assert_eq!(lit("True"), Bool(true));
        assert_eq!(lit("false"), Bool(false));
        assert_eq!(lit("None"), None);
        assert_eq!(lit("null"), None);
    }

    #[test]
    fn containers_nest() {
        assert_eq!(lit("[1, 'a', None,]"), Seq(vec![Int(1), s("a"), None]));
        assert_eq!(lit("[]"), Seq(vec![]));
        assert_eq!(lit("()"), Seq(vec![]));
        assert_eq!(lit("(1,)"), Seq(vec![Int(1)]));
        assert_eq!(lit("(1)"), Int(1));
        assert_eq!(lit("(1, 2)"), Seq(vec![Int(1), Int(2)]));
        assert_eq!(
            lit("{'a': [1, (2,)], 'b': {}}"),
            Dict(vec![
                (s("a"), Seq(vec![Int(1), Seq(vec![Int(2)])])),
                (s("b"), Dict(vec![])),
            ])
        );
    }

    #[test]
    fn bad_literals_name_their_column() {
        assert_eq!(err("'abc").column, 1);
        assert_eq!(err("[1 2]").column, 4);
        assert_eq!(
            err("012").message,
            "leading zeros are not allowed; use 0o for octal"
        );
        assert_eq!(err("1j").message, "complex numbers are not supported");
        assert_eq!(err("1__0").message, "invalid number");
        assert_eq!(err("0x").message, "invalid number");
        assert_eq!(err("1.2.3").message, "invalid number");
        assert_eq!(err("b'x'").message, "bytes literals are not supported");
        assert_eq!(
            err("{1, 2}").message,
            "set literals are not supported; use a list"
        );
        assert_eq!(err("[1, 'x' ").message, "expected ',' or ']'");
        assert_eq!(err(r"'\x4'").column, 2);
        assert_eq!(err(r"'\ud800'").column, 2);
        assert!(
            err(r"'\ud800'")
                .message
                .starts_with(r"\ud800 is a lone surrogate"),
            "{}",
            err(r"'\ud800'").message
        );
        assert!(
            err(r"'\U00110000'")
                .message
                .contains("past the last Unicode character")
        );
        assert_eq!(err("yes").message, "expected a literal");
        assert_eq!(err("").message, "expected a literal");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(err(&deep).message, "literal nested too deeply");
    }
}
