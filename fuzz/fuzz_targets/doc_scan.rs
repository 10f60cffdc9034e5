//! The record scanner against serde_json, its reference, on every input:
//! the same records accepted, the same trees built.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use spitzel_core::doc::DocParser;

fuzz_target!(|data: &[u8]| {
    let mut reader = serde_json::Deserializer::from_slice(data);
    reader.disable_recursion_limit();
    let reference: Result<Value, _> = serde::Deserialize::deserialize(&mut reader)
        .and_then(|v| reader.end().map(|()| v));
    let mut parser = DocParser::new();
    let ours = parser.parse(data);
    match (&reference, &ours) {
        (Ok(Value::Object(_)), Ok(doc)) => assert_eq!(doc.tree(), reference.as_ref().unwrap()),
        (Ok(_), Err(_)) | (Err(_), Err(_)) => {}
        (Ok(v), Ok(_)) => panic!("accepted a non-object {v:?}"),
        (Err(e), Ok(_)) => panic!("accepted what serde_json refuses: {e}"),
    }
});
