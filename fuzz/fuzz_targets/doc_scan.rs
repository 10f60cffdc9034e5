//! The record scanner against serde_json, its reference, on every input:
//! the same records accepted, the same trees built. The one deliberate
//! difference: numbers beyond f64's range (valid JSON, refused by
//! serde_json) pass, and the tree holds them clamped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use spitzel_core::doc::{DocParser, DocView, clamp_huge_numbers};

fn reference(data: &[u8]) -> Result<Value, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(data);
    reader.disable_recursion_limit();
    let value: Value = serde::Deserialize::deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

fuzz_target!(|data: &[u8]| {
    let mut parser = DocParser::new();
    let ours = parser.parse(data);
    match (reference(data), &ours) {
        (Ok(value @ Value::Object(_)), Ok(doc)) => {
            assert_eq!(doc.tree(), &value);
            assert!(matches!(doc.view(), DocView::Raw(_)));
        }
        (Ok(Value::Object(_)), Err(e)) => {
            // Only nesting past the scanner's limit may be refused.
            assert!(e.to_string().starts_with("nesting"), "refused a valid record: {e}");
        }
        (Ok(_), Err(_)) | (Err(_), Err(_)) => {}
        (Ok(v), Ok(_)) => panic!("accepted a non-object {v:?}"),
        (Err(e), Ok(doc)) => {
            assert!(
                e.to_string().starts_with("number out of range"),
                "accepted what serde_json refuses: {e}"
            );
            let text = std::str::from_utf8(data).expect("accepted, so UTF-8");
            let clamped = reference(clamp_huge_numbers(text).as_bytes())
                .expect("clamped text is what serde_json reads");
            assert_eq!(doc.tree(), &clamped);
        }
    }
});
