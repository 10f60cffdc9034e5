//! The JSONPath subset SQL can follow exactly: member names, array
//! indexes and wildcards. Filters, descendants, slices and unions are
//! refused by name.

use spitzel_core::expr::path::quoted_name;
use spitzel_core::json_bytes::space_end;

/// One step of a translatable path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Name(String),
    Index(i64),
    /// `[*]` or `.*`: every element of an array or member of an object.
    Wild,
}

/// Parse a path the expression compiler already accepted. Err names the
/// construct SQL cannot follow.
pub(crate) fn parse(text: &str) -> Result<Vec<Seg>, String> {
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
                        let (name, after) = quoted_name(text, pos, q).ok_or("quoted name")?;
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
