//! One object's records: decoded with the input decoders (gzip recognised
//! by its magic bytes), filtered with the filter's criteria, each matching
//! line paired with the digests of its eventID and of itself for the
//! duplicate rule (computed here, on rayon's workers, not in the writer).

use std::cell::RefCell;
use std::io::Cursor;
use std::sync::Arc;

use spitzel_core::dedup::{Digest, digest};
use spitzel_core::doc::DocParser;
use spitzel_input::{Job, read_stream};
use spitzel_pipeline::Criteria;
use spitzel_pipeline::{Keep, filter_block};

/// What an object contributed, ready to be written in key order.
#[derive(Debug, Default)]
pub(super) struct Decoded {
    /// Matching records, one compact line each.
    pub lines: Vec<u8>,
    /// Per line of `lines`: its end offset and the digests of its eventID
    /// and of the line (None without an eventID).
    pub ends: Vec<(usize, Option<(Digest, Digest)>)>,
    /// Records seen (matching or not).
    pub records: u64,
    /// Faults, each one line naming the object.
    pub problems: Vec<String>,
}

thread_local! {
    static PARSER: RefCell<DocParser> = RefCell::new(DocParser::new());
}

pub(super) fn decode(name: &str, body: &[u8], criteria: &Criteria) -> Decoded {
    let source: Arc<str> = Arc::from(name);
    let mut out = Decoded::default();
    let mut reader = Cursor::new(body);
    // The filter's default limits (--max-record-size).
    let limits = spitzel_input::Limits::default();
    // Every job is taken, so the reading always runs to the end.
    let _ = read_stream(&mut reader, &source, None, limits, &mut |job| {
        match job {
            Job::Block { block, .. } => {
                let outcome = filter_block(&block, criteria, false, Keep::Lines);
                out.records += outcome.events;
                for bad in outcome.bad {
                    out.problems
                        .push(format!("{name}: line {}: {}", bad.line, bad.reason));
                }
                PARSER.with(|parser| {
                    let mut parser = parser.borrow_mut();
                    let mut start = 0;
                    for end in memchr::memchr_iter(b'\n', &outcome.out) {
                        let line = &outcome.out[start..end];
                        let id = parser.parse(line).ok().and_then(|doc| {
                            doc.top_str("eventID")
                                .map(|id| (digest(id.as_bytes()), digest(line)))
                        });
                        out.lines.extend_from_slice(&outcome.out[start..=end]);
                        out.ends.push((out.lines.len(), id));
                        start = end + 1;
                    }
                });
                spitzel_input::give_back(block.data);
            }
            // Only directory walks skip files; an object body is one stream.
            Job::Skipped(_) => {}
            Job::Problem(problem) => {
                let at = problem
                    .line
                    .map(|l| format!(": line {l}"))
                    .unwrap_or_default();
                out.problems.push(format!("{name}{at}: {}", problem.reason));
            }
        }
        std::ops::ControlFlow::Continue(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use spitzel_core::actions::ActionMatcher;
    use std::io::Write;

    fn criteria() -> Criteria {
        Criteria {
            actions: ActionMatcher::new::<&str>(&[]).unwrap(),
            window: Default::default(),
            expressions: Vec::new(),
            sigma: None,
        }
    }

    #[test]
    fn gzip_or_plain_records_documents_become_compact_lines_with_ids() {
        let doc = br#"{"Records": [ {"eventID": "a", "eventName": "X", "eventSource": "s3.amazonaws.com"},
            {"eventName": "Y", "eventSource": "iam.amazonaws.com"} ]}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(doc).unwrap();
        let gz = gz.finish().unwrap();
        for body in [&doc[..], &gz[..]] {
            let d = decode("k", body, &criteria());
            assert_eq!(
                String::from_utf8_lossy(&d.lines),
                "{\"eventID\":\"a\",\"eventName\":\"X\",\"eventSource\":\"s3.amazonaws.com\"}\n{\"eventName\":\"Y\",\"eventSource\":\"iam.amazonaws.com\"}\n"
            );
            assert_eq!(d.ends.len(), 2);
            let first = &d.lines[..d.ends[0].0 - 1];
            assert_eq!(d.ends[0].1, Some((digest(b"a"), digest(first))));
            assert_eq!(d.ends[1].1, None);
            assert_eq!(d.records, 2);
            assert!(d.problems.is_empty());
        }
        let d = decode("bad-key", &gz[..gz.len() / 2], &criteria());
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(d.problems[0].starts_with("bad-key"), "{:?}", d.problems);
    }
}
