//! The input side (shape sniffing, NDJSON lines, JSON documents, gzip) on
//! any bytes: no panic, and every byte accounted for. NDJSON passes every
//! line through as it is; a document's records come out as compact JSON
//! objects; whatever is not delivered is reported as a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use spitzel_input::sniff::{Shape, shape};
use spitzel_input::Limits;
use spitzel_input::{Job, read_stream};
use std::io::Write;
use std::ops::ControlFlow;
use std::sync::Arc;

/// What reading `bytes` delivered: the records with the line each starts
/// on, and the problems with theirs.
struct Delivered {
    records: Vec<(u64, Vec<u8>)>,
    problems: Vec<(Option<u64>, String)>,
}

fn run(bytes: &[u8], limits: Limits) -> Delivered {
    let source: Arc<str> = Arc::from("fuzz");
    let mut delivered = Delivered {
        records: Vec::new(),
        problems: Vec::new(),
    };
    let mut reader = bytes;
    // Every job is taken, so the reading always runs to the end.
    let _ = read_stream(&mut reader, &source, None, limits, &mut |job| {
        match job {
            Job::Block { block, .. } => {
                let body = block.data.strip_suffix(b"\n").unwrap_or(&block.data);
                for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                    let line_no = match &block.lines {
                        Some(lines) => lines[i],
                        None => block.first_line + i as u64,
                    };
                    delivered.records.push((line_no, line.to_vec()));
                }
            }
            Job::Problem(problem) => delivered
                .problems
                .push((problem.line, problem.reason.to_string())),
            // Only directory walks skip files.
            Job::Skipped(_) => {}
        }
        ControlFlow::Continue(())
    });
    delivered
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks plain or gzipped input, so both paths see the
    // same variety of payloads, and a small or the default record limit.
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
    let limits = Limits {
        max_record: if mode & 2 == 2 { 64 } else { 1 << 20 },
    };
    let delivered = run(&bytes, limits);
    // A payload that starts with gzip's magic is read as gzip (checked in
    // the gzip mode, where the payload is the text).
    let gzipped = payload.starts_with(b"\x1f\x8b");
    if shape(payload) == Shape::Ndjson && !gzipped {
        // NDJSON: each delivered line is the input line of its number, as
        // it is (a BOM in front may be dropped); a line not delivered comes
        // after a reported problem.
        let text = payload.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(payload);
        let body = text.strip_suffix(b"\n").unwrap_or(text);
        let input_lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let mut seen = vec![false; input_lines.len()];
        for (line_no, line) in &delivered.records {
            let index = usize::try_from(*line_no).unwrap() - 1;
            let want = input_lines.get(index).expect("delivered a line past the input");
            let want_unmarked = want.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(want);
            assert!(
                line == want || line == want_unmarked,
                "line {line_no} changed: {:?} for {:?}",
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(want)
            );
            seen[index] = true;
        }
        let first_problem = delivered
            .problems
            .iter()
            .map(|(line, _)| line.unwrap_or(1))
            .min();
        for (index, seen) in seen.iter().enumerate() {
            let line_no = index as u64 + 1;
            let blank = input_lines[index].iter().all(u8::is_ascii_whitespace);
            assert!(
                *seen || blank || first_problem.is_some_and(|p| p <= line_no),
                "line {line_no} neither delivered nor reported: {:?}",
                delivered.problems
            );
        }
    } else if let Some(expected) = records_of(payload).filter(|_| limits.max_record > 64 && !gzipped) {
        // A valid document of objects: exactly its records, in order, each
        // the same JSON value, and nothing to report. (Records that are not
        // valid JSON pass to the filter, which reports each with its line;
        // only valid documents can be checked record by record.)
        let got: Vec<Value> = delivered
            .records
            .iter()
            .map(|(_, line)| parse(line).expect("a valid document's record is valid"))
            .collect();
        assert_eq!(got, expected, "records of a valid document changed");
        assert!(
            delivered.problems.is_empty(),
            "valid document reported: {:?}",
            delivered.problems
        );
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
