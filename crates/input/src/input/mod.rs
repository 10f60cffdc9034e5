//! Reading records: NDJSON and CloudTrail's other file shapes, turned into
//! blocks of newline-separated records for the filter.

pub mod buffers;
pub mod decode;
pub mod gz;
pub mod sniff;
pub mod source;
pub mod walk;

/// Records ready for filtering: `data` holds records, each ending in `\n`.
///
/// For NDJSON the block is a run of raw input lines (blank lines and CRLF
/// included, handled by the filter); `lines` is None and the first line of
/// `data` is line `first_line` of the source. For decoded documents each
/// record is one compact JSON line and `lines[i]` is the source line where
/// record i starts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordBlock {
    pub data: Vec<u8>,
    pub first_line: u64,
    pub lines: Option<Vec<u64>>,
}

/// When a single NDJSON line is itself a wrapper of records (a minified
/// `{"Records":[...]}` file, a lookup-events document, an --envelope line),
/// the records inside, compact; None for an ordinary line.
pub fn unwrap_line(line: &[u8]) -> Option<Result<Vec<Vec<u8>>, String>> {
    decode::expand_line(line)
}
