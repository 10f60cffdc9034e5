//! Gzip input: concatenated members (as `cat a.gz b.gz` makes) read as one
//! stream, and read errors worded for the user.

use std::fmt;
use std::io::{self, BufRead, Read};

use flate2::bufread::MultiGzDecoder;

/// Decompresses `inner`; errors read `gzip: ...`, a truncated file
/// `gzip: unexpected end of file`. Unbuffered: the reader behind it buffers
/// already, and a buffer here would be zero-filled once per file, which in
/// a tree of small files cost as much as inflating them.
pub struct GzReader<R: BufRead> {
    inner: MultiGzDecoder<R>,
}

impl<R: BufRead> GzReader<R> {
    pub fn new(inner: R) -> Self {
        GzReader {
            inner: MultiGzDecoder::new(inner),
        }
    }
}

#[derive(Debug)]
struct GzError(String);

impl fmt::Display for GzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GzError {}

/// Whether a read error came from decompression (damaged data, not a
/// failing device).
pub(crate) fn is_gzip_error(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<GzError>())
}

fn gzip_error(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::Interrupted {
        return e;
    }
    let text = if e.kind() == io::ErrorKind::UnexpectedEof {
        "gzip: unexpected end of file".to_string()
    } else {
        format!("gzip: {e}")
    };
    io::Error::new(e.kind(), GzError(text))
}

impl<R: BufRead> Read for GzReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(gzip_error)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn concatenated_members_read_as_one_stream() {
        let mut both = gzip(b"{\"a\":1}\n");
        both.extend(gzip(b"{\"a\":2}\n"));
        let mut out = String::new();
        GzReader::new(&both[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"a\":1}\n{\"a\":2}\n");
    }

    #[test]
    fn truncated_file_is_an_unexpected_end() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let full = gzip(&data);
        let cut = &full[..full.len() / 2];
        let mut out = Vec::new();
        let err = GzReader::new(cut).read_to_end(&mut out).unwrap_err();
        assert_eq!(err.to_string(), "gzip: unexpected end of file");
        assert!(is_gzip_error(&err));
        assert!(!is_gzip_error(&io::Error::other("disk")));
        // What was decompressed before the cut was delivered.
        assert!(!out.is_empty());
        assert_eq!(out[..], data[..out.len()]);
    }

    #[test]
    fn corrupt_data_is_a_gzip_error() {
        let mut bad = gzip(b"{\"a\":1}\n");
        let mid = bad.len() / 2;
        bad[mid..].iter_mut().for_each(|b| *b ^= 0x55);
        let err = GzReader::new(&bad[..])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().starts_with("gzip: "), "{err}");
    }
}
