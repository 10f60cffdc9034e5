//! One object's records: decoded with the input decoders (gzip recognised
//! by its magic bytes), filtered with the filter's criteria, each matching
//! line paired with the digests of its eventID and of itself for the
//! duplicate rule (computed here, on the object's decoding thread, not in
//! the writer).

use std::cell::RefCell;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use spitzel_core::dedup::{Digest, digest};
use spitzel_core::doc::DocParser;
use spitzel_input::{Job, read_stream};
use spitzel_pipeline::Criteria;
use spitzel_pipeline::{Keep, filter_block};

/// What an object contributed (the whole or a piece), ready to be written
/// in key order.
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

/// Matching lines gathered before they are handed on to the writer.
pub(super) const PIECE_BYTES: usize = 1 << 20;

thread_local! {
    static PARSER: RefCell<DocParser> = RefCell::new(DocParser::new());
}

/// Decode and filter one object's body, handing on a piece of matching
/// lines each time PIECE_BYTES gather (so an object's lines are never all
/// in memory: the writer takes them while the rest is still read), and
/// returning the last piece. `hand_on` breaks the reading off by returning
/// Break; once `stop` is set nothing more is handed on (the body failed:
/// what is decoded after that point is not trusted).
pub(super) fn decode(
    name: &str,
    body: &mut dyn Read,
    criteria: &Criteria,
    stop: &AtomicBool,
    hand_on: &mut dyn FnMut(Decoded) -> ControlFlow<()>,
) -> Decoded {
    let source: Arc<str> = Arc::from(name);
    let mut out = Decoded::default();
    // The filter's default limits (--max-record-size): a record larger is
    // reported and skipped, so no record of a hostile object is held whole.
    let limits = spitzel_input::Limits::default();
    let _ = read_stream(body, &source, None, limits, &mut |job| {
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
                if out.lines.len() >= PIECE_BYTES && !stop.load(Ordering::SeqCst) {
                    return hand_on(std::mem::take(&mut out));
                }
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
        ControlFlow::Continue(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use spitzel_core::actions::ActionMatcher;
    use std::io::Write;

    /// The whole object as one piece (bodies here are far below PIECE_BYTES).
    fn decode_all(name: &str, mut body: &[u8], criteria: &Criteria) -> Decoded {
        let stop = AtomicBool::new(false);
        decode(name, &mut body, criteria, &stop, &mut |_| {
            panic!("a small body handed on a piece")
        })
    }

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
            let d = decode_all("k", body, &criteria());
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
        let d = decode_all("bad-key", &gz[..gz.len() / 2], &criteria());
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(d.problems[0].starts_with("bad-key"), "{:?}", d.problems);
    }

    #[test]
    fn a_large_body_comes_in_pieces_that_add_up_to_it() {
        let record = |i: usize| {
            format!(
                "{{\"eventID\":\"id-{i}\",\"eventName\":\"X\",\"eventSource\":\"s3.amazonaws.com\",\"pad\":\"{}\"}}",
                "p".repeat(200)
            )
        };
        let count = 3 * PIECE_BYTES / 200;
        let body: String = (0..count).map(|i| record(i) + "\n").collect();
        let stop = AtomicBool::new(false);
        let mut pieces = Vec::new();
        let last = decode(
            "k",
            &mut body.as_bytes(),
            &criteria(),
            &stop,
            &mut |piece| {
                pieces.push(piece);
                ControlFlow::Continue(())
            },
        );
        pieces.push(last);
        assert!(pieces.len() >= 3, "{} pieces", pieces.len());
        assert!(pieces.iter().all(|p| p.lines.len() < 2 * PIECE_BYTES));
        let lines: Vec<u8> = pieces.iter().flat_map(|p| p.lines.clone()).collect();
        assert_eq!(String::from_utf8(lines).unwrap(), body);
        let ids: usize = pieces.iter().map(|p| p.ends.len()).sum();
        assert_eq!(ids, count);
        // Once stopped (the body failed), nothing more is handed on.
        stop.store(true, Ordering::SeqCst);
        let last = decode("k", &mut body.as_bytes(), &criteria(), &stop, &mut |_| {
            panic!("handed on after the stop")
        });
        assert_eq!(last.ends.len(), count);
    }
}
