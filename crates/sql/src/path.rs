//! The JSONPath subset SQL can follow exactly: member names, array
//! indexes and wildcards. Filters, descendants, slices and unions are
//! refused by name.

use spitzel_core::json_bytes::{space_end, take_hex4};

/// One step of a translatable path.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Name(String),
    Index(i64),
    /// `[*]` or `.*`: every element of an array or member of an object.
    Wild,
}

/// Parse a path the expression compiler already accepted. Err names the
/// construct SQL cannot follow.
pub fn parse(text: &str) -> Result<Vec<Seg>, String> {
    let b = text.as_bytes();
    let mut pos = 1; // after `$`
    let mut segs = Vec::new();
    loop {
        pos = space_end(b, pos);
        match b.get(pos) {
            None => return Ok(segs),
            Some(b'.') => {
                if b.get(pos + 1) == Some(&b'.') {
                    return Err("descendant segment '..'".into());
                }
                if b.get(pos + 1) == Some(&b'*') {
                    segs.push(Seg::Wild);
                    pos += 2;
                    continue;
                }
                let start = pos + 1;
                let rest = &text[start..];
                let len = rest
                    .char_indices()
                    .find(|&(i, c)| {
                        !(c.is_ascii_alphabetic()
                            || c == '_'
                            || !c.is_ascii()
                            || (i > 0 && c.is_ascii_digit()))
                    })
                    .map_or(rest.len(), |(i, _)| i);
                if len == 0 {
                    return Err("path segment".into());
                }
                segs.push(Seg::Name(rest[..len].to_owned()));
                pos = start + len;
            }
            Some(b'[') => {
                pos = space_end(b, pos + 1);
                let seg = match b.get(pos) {
                    Some(&q @ (b'\'' | b'"')) => {
                        let (name, after) = quoted(text, pos, q).ok_or("quoted name")?;
                        pos = after;
                        Seg::Name(name)
                    }
                    Some(b'*') => {
                        pos += 1;
                        Seg::Wild
                    }
                    Some(b'-' | b'0'..=b'9') => {
                        let len = text[pos + 1..]
                            .find(|c: char| !c.is_ascii_digit())
                            .unwrap_or(text.len() - pos - 1);
                        let n: i64 = text[pos..pos + 1 + len]
                            .parse()
                            .map_err(|_| "array index".to_owned())?;
                        pos += 1 + len;
                        Seg::Index(n)
                    }
                    Some(b'?') => return Err("filter selector '[?...]'".into()),
                    _ => return Err("bracketed selector".into()),
                };
                pos = space_end(b, pos);
                match b.get(pos) {
                    Some(b']') => pos += 1,
                    Some(b':') => return Err("array slice".into()),
                    Some(b',') => return Err("union of selectors".into()),
                    _ => return Err("bracketed selector".into()),
                }
                segs.push(seg);
            }
            Some(_) => return Err("path segment".into()),
        }
    }
}

/// RFC 9535 string literal at `open`: the decoded name and the offset past
/// the closing quote.
fn quoted(text: &str, open: usize, quote: u8) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[open + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'b' => '\x08',
                    'f' => '\x0c',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '/' | '\\' | '\'' | '"' => e,
                    'u' => {
                        let unit = take_hex4(&mut chars)?;
                        if (0xD800..0xDC00).contains(&unit) {
                            let (_, b) = chars.next()?;
                            let (_, u) = chars.next()?;
                            if (b, u) != ('\\', 'u') {
                                return None;
                            }
                            let low = take_hex4(&mut chars)?;
                            char::from_u32(
                                0x10000 + ((unit - 0xD800) << 10) + low.checked_sub(0xDC00)?,
                            )?
                        } else {
                            char::from_u32(unit)?
                        }
                    }
                    _ => return None,
                });
            }
            c if c as u32 == u32::from(quote) => return Some((out, open + 1 + i + 1)),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_indexes_and_wildcards() {
        use Seg::*;
        assert_eq!(
            parse("$.a['b c'][0][*].*[-1]").unwrap(),
            vec![
                Name("a".into()),
                Name("b c".into()),
                Index(0),
                Wild,
                Wild,
                Index(-1)
            ]
        );
        assert!(parse("$..a").unwrap_err().contains("descendant"));
        assert!(parse("$.a[?@.b == 1]").unwrap_err().contains("filter"));
        assert!(parse("$.a[0:2]").unwrap_err().contains("slice"));
    }
}
