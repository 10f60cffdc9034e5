//! A small gzip file already read whole, inflated in one go by a decoder
//! kept per thread. A tree of thousands of small `.json.gz` files paid for
//! a fresh inflate state (tens of KB, zeroed), two buffered readers and their
//! buffers per file; here a file costs its inflate and one copy.
//!
//! Only well-formed files take this way: anything unusual (a damaged or
//! truncated member, bytes after the last member, a file that inflates to
//! more than `MAX_OUT`) returns None, and the caller streams the file as
//! before, which reports the fault in its own words.

use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::cell::RefCell;

/// The most a file may inflate to on this way: the whole output is held.
const MAX_OUT: usize = 32 << 20;

/// Buffers kept per thread; larger ones are freed after use.
const KEPT_OUT: usize = 4 << 20;

struct Inflater {
    raw: Decompress,
    out: Vec<u8>,
}

thread_local! {
    static INFLATER: RefCell<Option<Inflater>> = const { RefCell::new(None) };
}

/// Inflate every member of `gz`, then hand the output to `use_it`. None:
/// not a plain well-formed gzip file (nothing was handed on).
pub(crate) fn with_inflated<R>(gz: &[u8], use_it: impl FnOnce(&[u8]) -> R) -> Option<R> {
    // Taken out while in use: what `use_it` does may inflate a nested file.
    let mut inflater = INFLATER
        .with(|kept| kept.borrow_mut().take())
        .unwrap_or_else(|| Inflater {
            raw: Decompress::new(false),
            out: Vec::new(),
        });
    inflater.out.clear();
    let result = inflate_all(&mut inflater, gz).then(|| use_it(&inflater.out));
    if inflater.out.capacity() > KEPT_OUT {
        inflater.out = Vec::new();
    }
    INFLATER.with(|kept| *kept.borrow_mut() = Some(inflater));
    result
}

fn inflate_all(inflater: &mut Inflater, mut gz: &[u8]) -> bool {
    // ISIZE of a single member: the size to make room for at once.
    if let Some(size) = gz.len().checked_sub(4).map(|at| le32(&gz[at..])) {
        inflater.out.reserve((size as usize).min(MAX_OUT));
    }
    while !gz.is_empty() {
        let Some(body) = header_len(gz) else {
            return false;
        };
        let Some(used) = inflate_member(inflater, &gz[body..]) else {
            return false;
        };
        gz = &gz[body + used..];
    }
    true
}

/// One member's deflate data and trailer: bytes of `data` used.
fn inflate_member(inflater: &mut Inflater, data: &[u8]) -> Option<usize> {
    let Inflater { raw, out } = inflater;
    raw.reset(false);
    let start = out.len();
    loop {
        if out.len() - start >= MAX_OUT {
            return None;
        }
        if out.capacity() == out.len() {
            out.reserve((out.len() - start).max(64 << 10));
        }
        let read = raw.total_in() as usize;
        let before = raw.total_out();
        match raw.decompress_vec(&data[read..], out, FlushDecompress::None) {
            Ok(Status::StreamEnd) => break,
            // No progress with room to write: the input ended early.
            Ok(_) if raw.total_in() as usize == read && raw.total_out() == before => {
                if out.capacity() > out.len() {
                    return None;
                }
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    let end = raw.total_in() as usize;
    let trailer = data.get(end..end + 8)?;
    let member = &out[start..];
    let mut crc = Crc::new();
    crc.update(member);
    (crc.sum() == le32(trailer) && member.len() as u32 == le32(&trailer[4..])).then_some(end + 8)
}

/// The length of a gzip member header (RFC 1952) at the start of `gz`.
fn header_len(gz: &[u8]) -> Option<usize> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if gz.len() < 10 || gz[..3] != [0x1f, 0x8b, 8] || gz[3] & 0xe0 != 0 {
        return None;
    }
    let flags = gz[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([*gz.get(at)?, *gz.get(at + 1)?]) as usize;
        at += 2 + len;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            at += memchr::memchr(0, gz.get(at..)?)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    (at <= gz.len()).then_some(at)
}

fn le32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gz::tests::gzip;
    use flate2::Compression;
    use std::io::Write;

    fn inflated(gz: &[u8]) -> Option<Vec<u8>> {
        with_inflated(gz, <[u8]>::to_vec)
    }

    #[test]
    fn members_inflate_in_order() {
        let text: Vec<u8> = (0..50_000u32)
            .flat_map(|i| i.to_string().into_bytes())
            .collect();
        let mut both = gzip(&text);
        both.extend(gzip(b"{\"a\":2}\n"));
        let mut want = text.clone();
        want.extend(b"{\"a\":2}\n");
        assert_eq!(inflated(&both).unwrap(), want);
        assert_eq!(inflated(&gzip(b"")).unwrap(), b"");
    }

    #[test]
    fn header_fields_are_skipped() {
        let gz = flate2::GzBuilder::new()
            .filename("a.json")
            .comment("c")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), Compression::fast());
        let mut gz = gz;
        gz.write_all(b"{\"x\":1}\n").unwrap();
        assert_eq!(inflated(&gz.finish().unwrap()).unwrap(), b"{\"x\":1}\n");
    }

    #[test]
    fn anything_unusual_is_left_to_the_stream() {
        let good = gzip(&[b'x'; 100_000]);
        // Truncated anywhere, trailing bytes, a bad checksum, damaged data.
        for cut in [1, 9, 10, good.len() / 2, good.len() - 8, good.len() - 1] {
            assert!(inflated(&good[..cut]).is_none(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.extend(b"junk");
        assert!(inflated(&trailing).is_none());
        let mut bad_crc = good.clone();
        let at = bad_crc.len() - 6;
        bad_crc[at] ^= 1;
        assert!(inflated(&bad_crc).is_none());
        let mut damaged = gzip(b"{\"a\":1}\n");
        let mid = damaged.len() / 2;
        damaged[mid..].iter_mut().for_each(|b| *b ^= 0x55);
        assert!(inflated(&damaged).is_none());
        // And the kept decoder works again after each failure.
        assert_eq!(inflated(&good).unwrap().len(), 100_000);
    }
}
