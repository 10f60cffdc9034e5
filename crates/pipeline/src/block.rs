//! Filtering one block of records on a worker thread.

use crate::bad::{BadReason, BadRecord};
use crate::facts::Facts;
use crate::record::{Criteria, Verdict};
use spitzel_core::dedup::{Digest, digest};
use spitzel_core::doc::{Doc, DocParser, DocView};
use spitzel_input::RecordBlock;
use std::cell::RefCell;

/// How much of each match the writer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The matching records' bytes.
    Lines,
    /// Only how many matched (--count, --quiet).
    Count,
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
    /// --sigma with --stats: matches per rule among the selected events.
    pub rule_hits: Vec<u64>,
    /// With correlation rules: the matches, held until the whole input is
    /// read (see correlate), instead of `out`; their bytes one after the
    /// other in `held_bytes` (one buffer a block, not one a record).
    pub held: Vec<Held>,
    pub held_bytes: Vec<u8>,
    /// --unique: per written record, in order, what the duplicate rule
    /// judges it by (hashed here, on the worker, not in the ordered writer).
    pub identities: Vec<Identity>,
}

/// A written record's place and, when it has an eventID, the digests of
/// its eventID and of its bytes.
/// A record that matched at least one rule, held until the end
/// (correlation rules, see correlate).
#[derive(Debug)]
pub struct Held {
    /// Its length in `held_bytes`, where it follows the one before.
    pub len: usize,
    /// The rules it matched (load order).
    pub rules: Vec<u32>,
    pub line: u64,
    /// --unique: what the duplicate rule judges it by.
    pub identity: Option<Identity>,
    /// What the correlations read of it, when it matched a rule they use.
    pub facts: Option<Facts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub line: u64,
    pub digests: Option<(Digest, Digest)>,
}

impl Identity {
    fn of(doc: &Doc<'_>, record: &[u8], line: u64) -> Identity {
        Identity {
            line,
            digests: doc
                .top_str("eventID")
                .map(|id| (digest(id.as_bytes()), digest(record))),
        }
    }
}

/// How a block is judged: the criteria and what the writer needs.
#[derive(Clone, Copy)]
struct Pass<'a> {
    criteria: &'a Criteria,
    invert: bool,
    keep: Keep,
    /// --unique: give each written record its `Identity`.
    unique: bool,
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
    filter_block_with(block, criteria, invert, keep, false)
}

/// `filter_block`, and with `unique` each written record's `Identity`.
pub fn filter_block_with(
    block: &RecordBlock,
    criteria: &Criteria,
    invert: bool,
    keep: Keep,
    unique: bool,
) -> BlockOutcome {
    let pass = Pass {
        criteria,
        invert,
        keep,
        unique,
    };
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        let mut outcome = BlockOutcome {
            out: Vec::with_capacity(if keep == Keep::Lines {
                block.data.len() / 4
            } else {
                0
            }),
            rule_hits: match &criteria.sigma {
                Some(sigma) if sigma.count => vec![0; sigma.rules.rules.len()],
                _ => Vec::new(),
            },
            ..Default::default()
        };
        let mut hits = Vec::new();
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
            judge_record(record, line_no, pass, &mut parser, &mut outcome, &mut hits);
        }
        outcome
    })
}

fn judge_record(
    record: &[u8],
    line_no: u64,
    pass: Pass<'_>,
    parser: &mut DocParser,
    outcome: &mut BlockOutcome,
    hits: &mut Vec<u32>,
) {
    let Pass {
        criteria,
        invert,
        keep,
        ..
    } = pass;
    // None: a wrapper of records, decoded below once the parser is free
    // again. Ordinary records carry an eventName, so only the rare record
    // without one has its top-level keys looked at.
    let verdict = match parser.parse(record) {
        Err(error) => {
            outcome.bad.push(BadRecord {
                line: line_no,
                reason: error.into(),
                matched_before: outcome.matched,
            });
            return;
        }
        Ok(doc) => match doc.top_str("eventName") {
            Some(name) => Some(judge_doc(pass, &doc, record, line_no, Some(name), hits)),
            None if !is_wrapper(&doc) => Some(judge_doc(pass, &doc, record, line_no, None, hits)),
            None => None,
        },
    };
    let verdict = match verdict {
        Some(Ok(verdict)) => verdict,
        Some(Err(undecided)) => {
            outcome.bad.push(BadRecord {
                line: line_no,
                reason: undecided,
                matched_before: outcome.matched,
            });
            return;
        }
        None => match spitzel_input::unwrap_line(record) {
            // Keys spelt with escapes, which the decoder does not take for
            // a wrapper's: the record itself after all.
            None => match parser.parse(record) {
                Ok(doc) => match judge_doc(pass, &doc, record, line_no, None, hits) {
                    Ok(verdict) => verdict,
                    Err(undecided) => {
                        outcome.bad.push(BadRecord {
                            line: line_no,
                            reason: undecided,
                            matched_before: outcome.matched,
                        });
                        return;
                    }
                },
                Err(_) => (Verdict::NoMatch, None, None),
            },
            Some(expanded) => {
                for inner in &expanded.records {
                    judge_record(inner, line_no, pass, parser, outcome, hits);
                }
                // What in the line was not a record (a null in Records, a
                // broken element) is reported; the records beside it stay.
                for fault in expanded.faults {
                    outcome.bad.push(BadRecord {
                        line: line_no,
                        reason: BadReason::NotARecord(fault),
                        matched_before: outcome.matched,
                    });
                }
                return;
            }
        },
    };
    let (verdict, identity, facts) = verdict;
    outcome.events += 1;
    if verdict == Verdict::NoTime {
        outcome.no_time += 1;
    }
    if let Some(sigma) = &criteria.sigma
        && sigma.correlated()
    {
        if verdict == Verdict::Match {
            for &hit in hits.iter() {
                if let Some(count) = outcome.rule_hits.get_mut(hit as usize) {
                    *count += 1;
                }
            }
            outcome.held_bytes.extend_from_slice(record);
            outcome.held.push(Held {
                len: record.len(),
                rules: hits.clone(),
                line: line_no,
                identity,
                facts,
            });
        }
        return;
    }
    if (verdict == Verdict::Match) != invert {
        outcome.matched += 1;
        outcome.identities.extend(identity);
        for &hit in hits.iter() {
            if let Some(count) = outcome.rule_hits.get_mut(hit as usize) {
                *count += 1;
            }
        }
        if keep == Keep::Lines {
            match &criteria.sigma {
                Some(sigma) if sigma.annotate => {
                    sigma.write_annotated(record, hits, &mut outcome.out)
                }
                _ => outcome.out.extend_from_slice(record),
            }
            outcome.out.push(b'\n');
        }
    }
}

/// A wrapper of records on one line, by its top-level keys: Records or
/// Events (a minified document, saved lookup-events output; the decoder
/// reports one that is not an array) or CloudTrailEvent (an --envelope line).
fn is_wrapper(doc: &Doc<'_>) -> bool {
    const KEYS: [&str; 3] = ["Records", "Events", "CloudTrailEvent"];
    match doc.view() {
        DocView::Raw(root) => KEYS.iter().any(|key| root.member(key).is_some()),
        DocView::Tree(tree) => KEYS.iter().any(|key| tree.get(*key).is_some()),
    }
}

/// The verdict, and in `hits` the Sigma rules the record matched. An
/// inverted filter writes records that failed some criterion, for which
/// the rules are tested on their own when the output names or counts them.
/// With --unique, a record to be written (or held) gets its `Identity`.
fn judge_doc(
    pass: Pass<'_>,
    doc: &Doc<'_>,
    record: &[u8],
    line: u64,
    event_name: Option<&str>,
    hits: &mut Vec<u32>,
) -> Result<(Verdict, Option<Identity>, Option<Facts>), BadReason> {
    let Pass {
        criteria, invert, ..
    } = pass;
    let verdict = criteria.judge(doc, event_name, hits)?;
    let held = criteria.sigma.as_ref().is_some_and(|s| s.correlated());
    let written = if held {
        verdict == Verdict::Match
    } else {
        (verdict == Verdict::Match) != invert
    };
    let identity = (pass.unique && written).then(|| Identity::of(doc, record, line));
    // Read here, on the worker, while the record is parsed.
    let facts = match &criteria.sigma {
        Some(sigma)
            if held
                && verdict == Verdict::Match
                && hits
                    .iter()
                    .any(|r| sigma.correlation_rules.binary_search(r).is_ok()) =>
        {
            Some(Facts::of(sigma, doc))
        }
        _ => None,
    };
    if invert
        && verdict != Verdict::Match
        && let Some(sigma) = &criteria.sigma
        && (sigma.annotate || sigma.count)
    {
        sigma.hits(doc, event_name, hits)?;
    }
    Ok((verdict, identity, facts))
}
