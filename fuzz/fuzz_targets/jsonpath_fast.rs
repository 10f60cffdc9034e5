//! The JSONPath fast path (member and index steps read from the record's
//! text) against the general engine (serde_json_path) on the same record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_core::doc::{DocParser, DocView};
use spitzel_core::expr::path::compile_path;

fuzz_target!(|data: &[u8]| {
    // The path, a newline, the record.
    let Some(cut) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let (Ok(path), record) = (std::str::from_utf8(&data[..cut]), &data[cut + 1..]) else {
        return;
    };
    let Ok(compiled) = compile_path(path) else {
        return;
    };
    if compiled.plain_steps().is_none() {
        return;
    }
    let mut parser = DocParser::new();
    let Ok(doc) = parser.parse(record) else {
        return;
    };
    let DocView::Raw(root) = doc.view() else {
        return;
    };
    let fast = compiled.select_plain_raw(root).map(|raw| raw.to_value());
    let general = compiled.select(doc.tree());
    assert!(general.len() <= 1, "a plain path selected {}", general.len());
    assert_eq!(fast.as_ref(), general.first().copied(), "{path}");
});
