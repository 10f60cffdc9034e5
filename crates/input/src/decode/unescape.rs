//! Unescaping a JSON string literal to its text, for CloudTrailEvent values
//! that hold a record as a string. Only saved lookup-events output and
//! --envelope lines take this path, so serde_json does it.

/// `raw` is the literal with its quotes, as the scanner copied it.
pub(crate) fn unescape(raw: &[u8]) -> Result<Vec<u8>, String> {
    serde_json::from_slice::<String>(raw)
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
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
