//! Unescaping a JSON string literal to its text, for CloudTrailEvent values
//! that hold a record as a string.

/// `raw` is the literal with its quotes, as the scanner copied it.
pub(crate) fn unescape(raw: &[u8]) -> Result<Vec<u8>, String> {
    let body = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .ok_or("not a string")?;
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let Some(at) = memchr::memchr(b'\\', &body[i..]) else {
            out.extend_from_slice(&body[i..]);
            break;
        };
        out.extend_from_slice(&body[i..i + at]);
        i += at + 1;
        let esc = *body.get(i).ok_or("dangling backslash")?;
        i += 1;
        match esc {
            b'"' | b'\\' | b'/' => out.push(esc),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'u' => {
                let unit = hex4(body, i)?;
                i += 4;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate must be followed by \u and a low one.
                    let low = if body.get(i..i + 2) == Some(b"\\u") {
                        hex4(body, i + 2)?
                    } else {
                        0
                    };
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("unpaired surrogate in a \\u escape".into());
                    }
                    i += 6;
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                let ch = char::from_u32(code).ok_or("unpaired surrogate in a \\u escape")?;
                let mut utf8 = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
            other => {
                return Err(format!("invalid escape '\\{}'", other as char));
            }
        }
    }
    Ok(out)
}

fn hex4(body: &[u8], at: usize) -> Result<u32, String> {
    let digits = body.get(at..at + 4).ok_or("short \\u escape")?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err("invalid \\u escape".into());
    }
    // Four ASCII hex digits always parse.
    let text = std::str::from_utf8(digits).unwrap_or("0");
    Ok(u32::from_str_radix(text, 16).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_escapes() {
        assert_eq!(
            unescape(br#""a\"b\\c\/d\n\t""#).unwrap(),
            b"a\"b\\c/d\n\t".to_vec()
        );
    }

    #[test]
    fn unicode_escapes_become_utf8() {
        assert_eq!(unescape(br#""\u00e9""#).unwrap(), "é".as_bytes());
        assert_eq!(unescape(br#""\ud83d\ude00""#).unwrap(), "😀".as_bytes());
    }

    #[test]
    fn bad_escapes_are_errors() {
        assert!(unescape(br#""\ud83d""#).is_err());
        assert!(unescape(br#""\ude00""#).is_err());
        assert!(unescape(br#""\x""#).is_err());
        assert!(unescape(br#""\u12""#).is_err());
        assert!(unescape(br#""\u+123""#).is_err());
    }
}
