//! JSON at the byte level, one home for every scanner of records, paths
//! and documents: white space as RFC 8259 counts it (space, tab, line feed,
//! carriage return; not form feed, which `u8::is_ascii_whitespace` also
//! counts) and the four hex digits of a `\uXXXX` escape.

/// Is `b` JSON white space?
#[inline(always)]
pub const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where the white space starting at `at` ends (`at` itself if none).
#[inline(always)]
pub fn space_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// `bytes` without its leading white space.
#[inline]
pub fn trim_start(bytes: &[u8]) -> &[u8] {
    &bytes[space_end(bytes, 0)..]
}

/// The value of the four hex digits at `at` (the `XXXX` of `\uXXXX`), None
/// unless all four are there and hex.
#[inline]
pub fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at.checked_add(4)?)?;
    digits.iter().try_fold(0, |value, &digit| {
        Some(value * 16 + (digit as char).to_digit(16)?)
    })
}

/// The four hex digits at the start of `chars` (after a `\u`), consumed.
#[inline]
pub fn take_hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let value = hex4(chars.as_str().as_bytes(), 0)?;
    // Four ASCII digits: four chars.
    chars.nth(3);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_is_json_s_four_bytes() {
        assert_eq!(space_end(b" \t\r\n x", 0), 5);
        assert_eq!(space_end(b"x  ", 1), 3);
        assert_eq!(space_end(b"x", 5), 5);
        // Form feed and vertical tab are not JSON white space.
        assert_eq!(space_end(b"\x0c", 0), 0);
        assert_eq!(space_end(b"\x0b", 0), 0);
        assert_eq!(trim_start(b"  {}"), b"{}");
        assert_eq!(trim_start(b"   "), b"");
        assert!((0..=255u8).filter(|&b| is_space(b)).eq([9, 10, 13, 32]));
    }

    #[test]
    fn hex4_reads_exactly_four_hex_digits() {
        assert_eq!(hex4(b"\\u00e9", 2), Some(0xe9));
        assert_eq!(hex4(b"D83Dx", 0), Some(0xD83D));
        assert_eq!(hex4(b"abcF", 0), Some(0xABCF));
        assert_eq!(hex4(b"12g4", 0), None);
        assert_eq!(hex4(b"123", 0), None);
        assert_eq!(hex4(b"+123", 0), None);
        assert_eq!(hex4(b"1234", usize::MAX), None);
        let mut chars = "00e9é".char_indices();
        assert_eq!(take_hex4(&mut chars), Some(0xe9));
        assert_eq!(chars.next(), Some((4, 'é')));
        assert_eq!(take_hex4(&mut "0é00".char_indices()), None);
    }
}
