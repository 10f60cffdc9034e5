//! Recognising a stream's shape from its first bytes, never from its name.

/// How a (decompressed) stream is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One record a line: the filter's fast path.
    Ndjson,
    /// JSON documents (Records/Events wrappers, arrays, pretty objects):
    /// through `decode::decode_stream`.
    Documents,
}

/// Gzip's magic number.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Decide from `head`, the first bytes of the stream (perhaps only the first
/// 64 KiB). A JSON array, a `{"Records"` or `{"Events"` document and an
/// object that does not end on its first line are Documents; everything else
/// (records one a line, and anything unreadable, which the NDJSON path
/// reports line by line) is Ndjson.
pub fn shape(head: &[u8]) -> Shape {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b" \t\r\n".contains(b))
        .unwrap_or(head.len());
    let head = &head[start..];
    match head.first() {
        Some(b'[') => Shape::Documents,
        Some(b'{') if first_key_is_wrapper(&head[1..]) => Shape::Documents,
        Some(b'{') if object_continues_past_first_line(head) => Shape::Documents,
        _ => Shape::Ndjson,
    }
}

/// Bytes enough for `shape` to decide: `shape` is sure once the first line
/// holding something is complete, or after this many bytes.
pub const SNIFF_BYTES: usize = 64 << 10;

/// Whether `head` is enough for `is_gzip` and `shape` to decide (at the end
/// of input any head is enough).
pub fn enough(head: &[u8]) -> bool {
    if head.len() >= SNIFF_BYTES || is_gzip(head) {
        return true;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match head.iter().position(|b| !b" \t\r\n".contains(b)) {
        Some(start) => memchr::memchr(b'\n', &head[start..]).is_some(),
        None => false,
    }
}

fn first_key_is_wrapper(after_brace: &[u8]) -> bool {
    let start = after_brace
        .iter()
        .position(|b| !b" \t\r\n".contains(b))
        .unwrap_or(after_brace.len());
    let rest = &after_brace[start..];
    rest.starts_with(b"\"Records\"") || rest.starts_with(b"\"Events\"")
}

/// Whether the object opening `head` is still open at the end of its first
/// line. A first line longer than `head` is one long record: Ndjson.
fn object_continues_past_first_line(head: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in head {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                b'\n' => return false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return false;
                }
            }
            b'\n' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_magic() {
        assert!(is_gzip(&[0x1f, 0x8b, 8, 0]));
        assert!(!is_gzip(b"{\"a\":1}"));
        assert!(!is_gzip(&[0x1f]));
    }

    #[test]
    fn enough_waits_for_the_first_line_with_content() {
        assert!(enough(&[0x1f, 0x8b]));
        assert!(!enough(b"{\"Rec"));
        assert!(!enough(b"\n\n  "));
        assert!(!enough(b"\n{\"Records\""));
        assert!(enough(b"\n{\"Records\":[\n"));
        assert!(enough(b"{\"a\":1}\n"));
        assert!(enough(&vec![b'x'; SNIFF_BYTES]));
    }

    #[test]
    fn documents() {
        for head in [
            &b"[\n  {\"a\": 1}\n]"[..],
            b"  \n[]",
            b"{\"Records\":[{\"a\":1}]}\n",
            b"\xEF\xBB\xBF{\"Records\":[",
            b"{ \"Events\": [",
            b"{\n  \"eventVersion\": \"1.08\",\n",
            b"{\"a\": {\n",
            b"\r\n{\r\n",
        ] {
            assert_eq!(
                shape(head),
                Shape::Documents,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn ndjson() {
        for head in [
            &b"{\"eventVersion\":\"1.08\"}\n{\"eventVersion\":\"1.08\"}\n"[..],
            b"{\"a\":\"{\\\"}\"}\n",
            b"{\"a\":1}\r\n",
            b"{\"EventId\":\"x\",\"CloudTrailEvent\":\"{}\"}\n",
            // A first line longer than the head: one long record.
            b"{\"eventVersion\":\"1.08\",\"requestParameters\":{\"x\":\"aaaa",
            b"",
            b"   ",
            b"not json\n",
            b"{\"a\":1}",
        ] {
            assert_eq!(
                shape(head),
                Shape::Ndjson,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
