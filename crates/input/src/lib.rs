//! spitzel-input: reading CloudTrail records from stdin, files and
//! directories: the shape of each input (`sniff`), its decoders (`decode`),
//! gzip, the directory walk (`walk`), and the reader that cuts it all into
//! blocks of newline-separated records for the filter.

mod buffers;
pub mod decode;
mod gunzip;
pub mod gz;
pub mod sniff;
mod source;
pub mod walk;

// The reader for spitzel-filter's pipeline; read_stream for spitzel-fetch
// --s3, which decodes object bodies the same way (and for the fuzz targets).
pub use buffers::give_back;
pub use source::{InputProblem, Item, Job, Reason, Skipped, read_inputs, read_stream};

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
pub fn unwrap_line(line: &[u8]) -> Option<decode::Expanded> {
    decode::expand_line(line)
}

/// The default of `Limits::max_record` (`--max-record-size`): far above any
/// real record (CloudTrail's own limit is 256 KB an event), far below what
/// would exhaust memory.
pub(crate) const DEFAULT_MAX_RECORD: usize = 256 << 20;

/// Bounds on what one input can make the reader hold or skip, so that a
/// gzip bomb, `/dev/zero` or an endless line ends with an error instead of
/// growing without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest record (an NDJSON line, or one record of a document);
    /// a longer one is reported and skipped.
    pub max_record: usize,
}

impl Limits {
    /// The longest run without a record in it (white space, garbage, the
    /// rest of an over-long record) that is skipped; past it the rest of
    /// the input is given up, reported. Four records' worth: generous for
    /// real damage, and an end for `/dev/zero`.
    pub(crate) fn max_gap(&self) -> usize {
        self.max_record.saturating_mul(4)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record: DEFAULT_MAX_RECORD,
        }
    }
}

/// A byte count as messages show it: `256 MiB`, `64 KiB`, `1000 bytes`.
pub(crate) fn describe_size(bytes: usize) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}
