//! Recognising a stream's shape from its first bytes, never from its name.

use spitzel_core::json_bytes::trim_start;

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
///
/// An object (or an array) left open on its first line is a pretty-printed
/// document only when the next line does not hold a record of its own: a
/// first NDJSON line cut short (`{"eventVersion":"1.08",` or just `{`) must
/// not turn the records after it into one broken document.
pub fn shape(head: &[u8]) -> Shape {
    if let Some(shape) = decide(head) {
        return shape;
    }
    // All there is. A first line longer than `head` is one long record
    // (or array); an object left open with nothing after it is a document
    // cut short, unless a long record follows; blank input is nothing.
    let head = trim_start(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    match (head.first(), first_line_end(head)) {
        (Some(b'['), _) => Shape::Documents,
        (Some(b'{'), LineEnd::Open(_, rest)) if trim_start(rest).first() != Some(&b'{') => {
            Shape::Documents
        }
        _ => Shape::Ndjson,
    }
}

/// The shape, or None while `head` is too short to tell (the caller then
/// reads more, or at the end of input takes `shape`'s answer).
fn decide(head: &[u8]) -> Option<Shape> {
    let head = trim_start(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    let first = *head.first()?;
    match first {
        b'{' if first_key_is_wrapper(&head[1..]) => return Some(Shape::Documents),
        b'{' | b'[' => {}
        // Anything else is judged line by line on the NDJSON path.
        _ => return memchr::memchr(b'\n', head).map(|_| Shape::Ndjson),
    }
    match first_line_end(head) {
        LineEnd::Closed(_) if first == b'[' => Some(Shape::Documents),
        LineEnd::Closed(_) => Some(Shape::Ndjson),
        LineEnd::Beyond => None,
        LineEnd::Open(line, rest) => {
            // `[` alone or `[{...},`: an array going on over the lines.
            let last = line.iter().rev().find(|b| !b" \t\r".contains(b));
            if first == b'[' && matches!(last, Some(b'[' | b',')) {
                return Some(Shape::Documents);
            }
            let record = next_line_is_a_record(rest)?;
            Some(if record {
                Shape::Ndjson
            } else {
                Shape::Documents
            })
        }
    }
}

/// Whether the next line holding something is an object that closes on
/// it with nothing after (a record of its own, not a pretty element like
/// `{` or `{...},`); None when `rest` does not tell yet.
fn next_line_is_a_record(rest: &[u8]) -> Option<bool> {
    let next = trim_start(rest);
    match next.first()? {
        b'{' => match first_line_end(next) {
            LineEnd::Closed(after) => {
                let line = after.split(|&b| b == b'\n').next().unwrap_or(after);
                Some(line.iter().all(|b| b" \t\r".contains(b)))
            }
            LineEnd::Beyond => None,
            LineEnd::Open(..) => Some(false),
        },
        _ => Some(false),
    }
}

/// Bytes enough for `shape` to decide: `shape` is sure once the first line
/// holding something is complete (and, when it leaves an object open, the
/// next line has begun), or after this many bytes.
pub(crate) const SNIFF_BYTES: usize = 64 << 10;

/// Whether `head` is enough for `is_gzip` and `shape` to decide (at the end
/// of input any head is enough).
pub(crate) fn enough(head: &[u8]) -> bool {
    head.len() >= SNIFF_BYTES || is_gzip(head) || decide(head).is_some()
}

fn first_key_is_wrapper(after_brace: &[u8]) -> bool {
    let start = after_brace
        .iter()
        .position(|b| !b" \t\r\n".contains(b))
        .unwrap_or(after_brace.len());
    let rest = &after_brace[start..];
    rest.starts_with(b"\"Records\"") || rest.starts_with(b"\"Events\"")
}

/// How the first line of `head` (which starts with `{` or `[`) ends.
enum LineEnd<'a> {
    /// The value closes on the line (or the line is not JSON-like enough
    /// to say more, such as a line break inside a string); what follows.
    Closed(&'a [u8]),
    /// The line is still going at the end of `head`: one long record.
    Beyond,
    /// The line ends with the value still open: the line, and the bytes
    /// after it.
    Open(&'a [u8], &'a [u8]),
}

fn first_line_end(head: &[u8]) -> LineEnd<'_> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in head.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                b'\n' => return LineEnd::Closed(&head[i..]),
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
                    return LineEnd::Closed(&head[i + 1..]);
                }
            }
            b'\n' => return LineEnd::Open(&head[..i], &head[i + 1..]),
            _ => {}
        }
    }
    LineEnd::Beyond
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
        assert!(!enough(b"\n{\"Records"));
        assert!(enough(b"\n{\"Records\""));
        assert!(enough(b"{\"a\":1}\n"));
        // An object open at the end of its first line: the next line decides.
        assert!(!enough(b"{\"eventVersion\":\"1.08\",\n"));
        assert!(!enough(b"{\n  "));
        assert!(enough(b"{\n  \""));
        assert!(!enough(b"{\n{\"a\":1"));
        assert!(enough(b"{\n{\"a\":1}"));
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
            // A pretty array element opens on the next line.
            b"{\"a\": [\n  {\n    \"b\": 1\n",
            b"{\n}\n",
            b"{\"a\": [\n{\"b\": 1},\n",
            b"[\n{\"a\":1},\n{\"b\":2}\n]\n",
            b"[{\"a\":1},\n{\"b\":2}\n]\n",
            b"[{\"a\":1},{\"b\":2}]\n",
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
            // A first line cut short, then whole records (issue 10, finding 1).
            b"{\"eventVersion\":\"1.08\",\n{\"a\":1}\n{\"b\":2}\n",
            b"{\n{\"a\":1}\n",
            b"{\"a\":{\"b\":[1,\n\n{\"c\":1}\n",
            b"{\"a\":\"cut\n{\"c\":1}\n",
            // A stray `[` before the first record.
            b"[{\"a\":1}\n{\"b\":2}\n",
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
