//! The input side (shape sniffing, NDJSON lines, JSON documents, gzip) on
//! any bytes: no panic, and every byte accounted for. NDJSON passes every
//! line through as it is; a document's records come out as compact JSON
//! objects; whatever is not delivered is reported as a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use spitzel_input::input::sniff::{Shape, shape};
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
    let (data, problems, _) = run(&bytes);
    if shape(payload) == Shape::Ndjson {
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
    } else if let Some(expected) = records_of(payload) {
        // A valid document of objects: exactly its records, in order, each
        // the same JSON value, and nothing to report. (Records that are not
        // valid JSON pass to the filter, which reports each with its line;
        // only valid documents can be checked record by record.)
        let got: Vec<Value> = data
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|line| parse(line).expect("a valid document's record is valid"))
            .collect();
        assert_eq!(got, expected, "records of a valid document changed");
        assert!(problems.is_empty(), "valid document reported: {problems:?}");
    }
});

fn parse(bytes: &[u8]) -> Option<Value> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    reader.disable_recursion_limit();
    let value = Value::deserialize(&mut reader).ok()?;
    reader.end().ok()?;
    Some(value)
}

/// The records of a valid JSON document whose records are all objects: a
/// `{"Records":[...]}` file, an array, or a single object spread over
/// several lines (None for anything else, NDJSON included).
fn records_of(payload: &[u8]) -> Option<Vec<Value>> {
    let text = std::str::from_utf8(payload).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = parse(text.as_bytes())?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(ref map) if map.len() == 1 && map.contains_key("Records") => {
            map["Records"].as_array()?.clone()
        }
        Value::Object(ref map)
            if text.trim().contains('\n')
                && !map.contains_key("Events")
                && !map.contains_key("CloudTrailEvent") =>
        {
            vec![value]
        }
        _ => return None,
    };
    // Nesting past the record parser's limit, numbers serde_json refuses
    // and non-objects are another target's business.
    items.iter().all(Value::is_object).then_some(items)
}
