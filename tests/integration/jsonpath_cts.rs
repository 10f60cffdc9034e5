//! The JSONPath Compliance Test Suite (RFC 9535) run through the same path
//! code --match uses: extent scanning, compiling, selecting, and the fast
//! path for plain paths.

use serde_json::Value;
use spitzel_core::doc::{DocParser, DocView, Raw};
use spitzel_core::expr::path::compile_path;
use std::path::PathBuf;

fn suite_path() -> PathBuf {
    match std::env::var_os("SPITZEL_JSONPATH_CTS") {
        Some(path) => PathBuf::from(path),
        None => crate::util::shared_dir().join("data/jsonpath-cts/cts.json"),
    }
}

fn load_suite() -> Vec<Value> {
    let path = suite_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (this test needs ../shared)", path.display()));
    let suite: Value = serde_json::from_str(&text).expect("cts.json is JSON");
    suite["tests"]
        .as_array()
        .expect("cts.json has tests")
        .clone()
}

/// Whether the case passed and took the fast path too, or why it failed.
fn run_case(case: &Value) -> Result<bool, String> {
    let selector = case["selector"].as_str().ok_or("case has no selector")?;
    let compiled = compile_path(selector);
    if case["invalid_selector"].as_bool() == Some(true) {
        return match compiled {
            Ok(_) => Err("accepted an invalid selector".to_owned()),
            Err(_) => Ok(false),
        };
    }
    let path = compiled.map_err(|e| format!("rejected: {e}"))?;
    let document = &case["document"];
    let selected: Vec<Value> = path.select(document).into_iter().cloned().collect();
    let expected: Vec<Vec<Value>> = match (&case["result"], &case["results"]) {
        (Value::Array(one), _) => vec![one.clone()],
        (_, Value::Array(any)) => any.iter().filter_map(|r| r.as_array().cloned()).collect(),
        _ => return Err("case has no result".to_owned()),
    };
    if !expected.contains(&selected) {
        return Err(format!("selected {selected:?}, expected {expected:?}"));
    }
    if path.plain_steps().is_none() {
        return Ok(false);
    }
    // The fast path reads the document's text, scanned (any document) and
    // indexed as a record (objects).
    let text = serde_json::to_string(document).map_err(|e| e.to_string())?;
    let agrees = |root: Raw<'_>, how: &str| {
        let fast: Vec<Value> = path
            .select_plain_raw(root)
            .map(|r| r.to_value())
            .into_iter()
            .collect();
        if fast == selected {
            Ok(())
        } else {
            Err(format!("{how} selected {fast:?}, general {selected:?}"))
        }
    };
    agrees(
        Raw::validated(&text).ok_or("the scanner refused the document")?,
        "fast path",
    )?;
    if document.is_object() {
        let mut parser = DocParser::new();
        let doc = parser.parse(text.as_bytes()).map_err(|e| e.to_string())?;
        let DocView::Raw(root) = doc.view() else {
            return Err("the record parser fell back to serde_json".to_owned());
        };
        agrees(root, "indexed fast path")?;
    }
    Ok(true)
}

#[test]
#[ignore = "needs ../shared"]
fn compliance_suite_passes_in_full() {
    let cases = load_suite();
    let mut failures = Vec::new();
    let mut plain = 0;
    for case in &cases {
        match run_case(case) {
            Ok(fast_path_checked) => plain += usize::from(fast_path_checked),
            Err(why) => failures.push(format!("{}: {} -> {why}", case["name"], case["selector"])),
        }
    }
    let passed = cases.len() - failures.len();
    println!(
        "JSONPath compliance: {passed}/{} passed ({plain} also checked on the fast path)",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cases.len(), 703, "the suite should have 703 cases");
}
