//! Filtering one block of records on a worker thread.

use crate::doc::DocParser;
use crate::filter::record::{Criteria, Verdict};
use crate::input::RecordBlock;
use std::cell::RefCell;

/// How much of each match the writer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The matching records' bytes.
    Lines,
    /// Only how many matched (--count, --quiet).
    Count,
}

/// A record that could not be read, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    pub line: u64,
    pub reason: String,
    /// Matches written to `out` before this record (for --strict and --limit).
    pub matched_before: u64,
}

/// What a worker hands back for one block.
#[derive(Debug, Default)]
pub struct BlockOutcome {
    pub out: Vec<u8>,
    pub matched: u64,
    pub lines: u64,
    pub events: u64,
    pub no_time: u64,
    pub bad: Vec<BadRecord>,
}

thread_local! {
    static PARSER: RefCell<DocParser> = RefCell::new(DocParser::new());
}

/// Filter every record of `block`.
pub fn filter_block(
    block: &RecordBlock,
    criteria: &Criteria,
    invert: bool,
    keep: Keep,
) -> BlockOutcome {
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        let mut outcome = BlockOutcome {
            out: Vec::with_capacity(if keep == Keep::Lines {
                block.data.len() / 4
            } else {
                0
            }),
            ..Default::default()
        };
        let mut start = 0;
        for (index, end) in memchr::memchr_iter(b'\n', &block.data).enumerate() {
            let raw = &block.data[start..end];
            start = end + 1;
            outcome.lines += 1;
            let line_no = match &block.lines {
                Some(lines) => lines.get(index).copied().unwrap_or(block.first_line),
                None => block.first_line + index as u64,
            };
            let record = raw.strip_suffix(b"\r").unwrap_or(raw);
            // `cat a.json b.json` puts b's byte order mark before its first line.
            let record = record.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(record);
            if record.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            judge_record(
                record,
                line_no,
                criteria,
                invert,
                keep,
                &mut parser,
                &mut outcome,
            );
        }
        outcome
    })
}

fn judge_record(
    record: &[u8],
    line_no: u64,
    criteria: &Criteria,
    invert: bool,
    keep: Keep,
    parser: &mut DocParser,
    outcome: &mut BlockOutcome,
) {
    // None: no eventName, so possibly a wrapper of records (checked below,
    // once the parser is free again); ordinary records always carry one.
    let verdict = match parser.parse(record) {
        Err(error) => {
            outcome.bad.push(BadRecord {
                line: line_no,
                reason: error.to_string(),
                matched_before: outcome.matched,
            });
            return;
        }
        Ok(doc) => doc
            .top_str("eventName")
            .map(|name| criteria.judge(&doc, Some(name))),
    };
    let verdict = match verdict {
        Some(Ok(verdict)) => verdict,
        Some(Err(reason)) => {
            outcome.bad.push(BadRecord {
                line: line_no,
                reason,
                matched_before: outcome.matched,
            });
            return;
        }
        None => match crate::input::unwrap_line(record) {
            // The same bytes parsed a moment ago, so this cannot fail.
            None => match parser.parse(record).map(|doc| criteria.judge(&doc, None)) {
                Ok(Ok(verdict)) => verdict,
                Ok(Err(reason)) => {
                    outcome.bad.push(BadRecord {
                        line: line_no,
                        reason,
                        matched_before: outcome.matched,
                    });
                    return;
                }
                Err(_) => Verdict::NoMatch,
            },
            Some(expanded) => {
                for inner in &expanded.records {
                    judge_record(inner, line_no, criteria, invert, keep, parser, outcome);
                }
                // What in the line was not a record (a null in Records, a
                // broken element) is reported; the records beside it stay.
                for reason in expanded.faults {
                    outcome.bad.push(BadRecord {
                        line: line_no,
                        reason,
                        matched_before: outcome.matched,
                    });
                }
                return;
            }
        },
    };
    outcome.events += 1;
    if verdict == Verdict::NoTime {
        outcome.no_time += 1;
    }
    if (verdict == Verdict::Match) != invert {
        outcome.matched += 1;
        if keep == Keep::Lines {
            outcome.out.extend_from_slice(record);
            outcome.out.push(b'\n');
        }
    }
}
