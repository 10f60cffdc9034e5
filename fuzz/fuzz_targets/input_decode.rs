//! The input side (shape sniffing, NDJSON lines, JSON documents, gzip) on
//! any bytes: no panic, and every byte accounted for. NDJSON passes every
//! line through as it is; a document's records come out as compact JSON
//! objects; whatever is not delivered is reported as a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_input::input::source::{Job, read_stream};
use std::io::Write;
use std::sync::Arc;

fn run(bytes: &[u8]) -> (Vec<u8>, Vec<String>, bool) {
    let source: Arc<str> = Arc::from("fuzz");
    let mut data = Vec::new();
    let mut problems = Vec::new();
    let mut decoded = false;
    let mut reader = bytes;
    read_stream(&mut reader, &source, None, &mut |job| {
        match job {
            Job::Block { block, .. } => {
                decoded |= block.lines.is_some();
                data.extend_from_slice(&block.data);
            }
            Job::Problem(problem) => problems.push(problem.reason),
        }
        true
    });
    (data, problems, decoded)
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks plain or gzipped input, so both paths see the
    // same variety of payloads.
    let Some((&mode, payload)) = input.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(payload).unwrap();
        gz.finish().unwrap()
    } else {
        payload.to_vec()
    };
    let (data, problems, decoded) = run(&bytes);
    if !decoded {
        // NDJSON: the lines themselves, each ending in a newline (a BOM at
        // the start of the stream dropped), unless reading failed.
        let mut want = payload.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(payload).to_vec();
        if !want.is_empty() && !want.ends_with(b"\n") {
            want.push(b'\n');
        }
        if problems.is_empty() {
            assert_eq!(data, want, "NDJSON lines changed");
        } else {
            assert!(want.starts_with(&data), "NDJSON lines changed before a problem");
        }
    } else {
        // Documents: every record is one line of valid JSON.
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let mut reader = serde_json::Deserializer::from_slice(line);
            reader.disable_recursion_limit();
            let parsed: Result<serde_json::Value, _> = serde::Deserialize::deserialize(&mut reader);
            assert!(
                parsed.is_ok() || problems.iter().any(|p| p.contains("number")),
                "decoded record is not JSON: {:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
});
